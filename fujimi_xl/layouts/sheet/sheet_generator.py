"""Write the workbook of one record of a form-style sheet (the action-plan sheet).

The same drawing serves three uses: the input workbook (locked cells grey and protected, open
cells white, lists with spare rows), the feedback workbook (the staff's values back, bad cells
red with a comment) and the printed report (``draw`` with ``mode="report"``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from fujimi_xl.core import fiscal
from fujimi_xl.core.fiscal import year_label
from fujimi_xl.core.messages import DEFAULT_FONT, book_text
from fujimi_xl.core.model import Group, PlanItem
from fujimi_xl.forms import Field, Form, circled, fieldtypes
from fujimi_xl.layouts import layout, manifest
from fujimi_xl.layouts import sum_check as sum_check_cell
from fujimi_xl.layouts.list.generator import (
    BAD_FILE_CHARS,
    FEEDBACK_SHEET,
    INPUT_REQUIRED_FILL,
    Book,
    Issued,
    banner,
    finish,
    issue_payload,
    validation,
)
from fujimi_xl.layouts.sheet.sheet_layout import Placed, context, lay_out, list_rows

TOP_ROW = 3  # 0-based row where the form starts (title, group and a note above it)
COUNTER_COL = 7  # the counter of required cells left blank: row 2, column H
_A1 = re.compile(r"^[A-Z]{1,3}[0-9]{1,7}$")


def file_name(form: Form, year: int, item: PlanItem) -> str:
    name = f"{fiscal.long_label(year)}_{form.title}_{item.key}_{form.item_title(item.record)}"
    return BAD_FILE_CHARS.sub("_", name)[:120] + ".xlsx"


def show(form: Form, fid: str, value: Any) -> str:
    """A stored value as the text written in a cell."""
    if value is None:
        return ""
    f = form.by_id.get(fid)
    if f is not None and f.role == "key":
        return f.show(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return str(value)


def printed(form: Form, f: Field, value: Any) -> str:
    """A stored value as a printed report shows it: a number with thousands separators (▲ for
    a negative amount), a date in the field's style (令和5年4月1日 for "format": "wareki",
    else 2023/4/1), a fiscal year as 令和5年度; anything else as :func:`show` writes it."""
    ft = fieldtypes.of(f.type, bool(f.choices))
    if ft.numeric and isinstance(value, int | float) and not isinstance(value, bool):
        n = abs(value)
        text = f"{int(n):,}" if float(n).is_integer() else f"{n:,}"
        return ("▲" if ft.id == "amount" else "-") + text if value < 0 else text
    if ft.id == "date" and isinstance(value, str):
        style = f.format if f.format in fieldtypes.DATE_STYLES else "slash"
        try:
            return fieldtypes.show_date(value, style)
        except ValueError:
            return value
    if ft.id == "fiscal_year" and type(value) is int:
        return fiscal.long_label(value)
    return show(form, f.id, value)


def list_cell_text(value: Any, column_type: str) -> str:
    if value is None or value == "":
        return ""
    if column_type == "issue_no" and isinstance(value, int):
        return circled(value)
    return show_any(value)


def show_any(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def locked_snapshot(form: Form, record: dict[str, Any], placed: Placed,
                    ctx: dict[str, Any]) -> dict[str, Any]:
    """The text of every locked cell as issued: what the reader compares with, and what the
    manifest's hash covers."""
    snap: dict[str, Any] = {}
    for fid in placed.fields:
        f = form.by_id[fid]
        if f.role in ("key", "locked"):
            snap[fid] = show(form, fid, record.get(fid))
    for lid, spec in form.lists.items():
        if spec.get("role") == "locked" and lid in placed.lists:
            types = {c["id"]: c.get("type", "") for c in spec["columns"]}
            snap[f"list:{lid}"] = [
                {cid: list_cell_text(row.get(cid), types.get(cid, "")) for cid in types
                 if "fixed" not in next(c for c in spec["columns"] if c["id"] == cid)}
                for row in list_rows(form, lid, record)]
    snap["_labels"] = [c.text for c in placed.cells if c.kind in ("label", "heading",
                                                                     "list_head", "value")]
    return snap


def text_of(cell: Any, values: dict[str, Any]) -> str:
    """The text :func:`draw` writes in a laid-out cell."""
    if cell.kind == "field":
        return str(values.get(cell.field, ""))
    if cell.kind == "list_cell":
        rows = values.get(cell.field) or []
        return str(rows[cell.index].get(cell.column, "")) if cell.index < len(rows) else ""
    return str(cell.text)


def draw(book: Book, ws: Any, form: Form, year: int, placed: Placed, record: dict[str, Any],
         values: dict[str, Any], *, mode: str = "input",
         marks: dict[tuple[str, str], list[str]] | None = None,
         row_points: dict[int, float] | None = None) -> dict[int, float]:
    """Write the laid-out form onto ``ws``. ``values`` are the texts of open cells (input) or
    of every cell (report): field id -> text, and list id -> list of {column: text}.
    ``row_points`` sets the height of rows a text was spread over (a printed report).
    Returns the height in points given to each row of the form."""
    marks = marks or {}
    report = mode == "report"
    widths = form.sheet.get("columns", [9] * placed.width)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    heading = book.fmt(bold=not report, font_size=11, bg_color="#DDEBF7" if not report else
                       "#D9D9D9", border=1, valign="vcenter", text_wrap=True)
    label = book.fmt(bg_color="#F2F2F2", border=1, valign="vcenter", text_wrap=True,
                     align="center")
    plain = book.fmt(border=1, valign="top", text_wrap=True)
    lines_of: dict[int, int] = {}  # row -> the lines of its tallest text (one-row cells)
    spans = layout.span_widths(tuple(widths))

    def put(cell: Any, text: str, style: Any) -> None:
        if len(text) > layout.EXCEL_TEXT_LIMIT:
            text, _ = layout.cell_text(text)
        if cell.rows > 1 or cell.cols > 1:
            ws.merge_range(cell.row, cell.col, cell.row + cell.rows - 1,
                           cell.col + cell.cols - 1, text, style)
        elif text:
            ws.write_string(cell.row, cell.col, text, style)
        else:
            ws.write_blank(cell.row, cell.col, None, style)
        if cell.rows == 1:  # as layout.row_height measures a row, one cell at a time
            lines = lines_of.get(cell.row, 1)
            if text:
                w = layout.span_width(spans, widths, cell.col, cell.cols)
                if 2 * len(text) > lines * (w - 1.0) or "\n" in text:
                    lines = max(lines, layout.line_count(text, w))
            lines_of[cell.row] = lines

    styles: dict[str, Any] = {}  # the styles of field and list cells, made once each

    def style_of(role: str, center: bool, marked: Any) -> Any:
        key = f"{role}|{center:d}{bool(marked):d}"
        if key not in styles:
            styles[key] = _style(book, role, center, marked, report)
        return styles[key]

    list_types = {lid: {c["id"]: c.get("type", "") for c in spec["columns"]}
                  for lid, spec in form.lists.items()}
    list_styles: dict[str, dict[str, Any]] = {lid: {} for lid in form.lists}  # unmarked
    for cell in placed.cells:
        kind = cell.kind
        if kind == "list_cell":  # the most cells: first
            rows = values.get(cell.field) or []
            text = rows[cell.index].get(cell.column, "") if cell.index < len(rows) else ""
            msgs = marks.get((cell.field, f"{cell.index}:{cell.column}")) if marks else None
            style = None if msgs else list_styles[cell.field].get(cell.column)
            if style is None:
                ctype = list_types[cell.field].get(cell.column, "")
                style = style_of(form.lists[cell.field].get("role", "input"),
                                 ctype == "issue_no", msgs)
                if not msgs:
                    list_styles[cell.field][cell.column] = style
            put(cell, text, style)
            if msgs:
                book.comment(ws, cell.row, cell.col, msgs)
        elif kind == "heading":
            put(cell, cell.text, heading)
        elif kind in ("label", "list_head", "caption"):
            put(cell, cell.text, label)
        elif kind == "value":
            put(cell, cell.text, plain)
        elif kind == "field":
            f = form.by_id[cell.field]
            text = values.get(cell.field, "")
            put(cell, text, style_of(f.role, bool(f.choices) or f.type == "indicator"
                                     or fieldtypes.of(f.type).numeric,
                                     marks.get((cell.field, "")) if marks else None))
            if not report and f.role == "input":
                validation(ws, form, f, year, cell.row, cell.col, cell.row, cell.col,
                           book.lang, typed=True)
                if not marks and f.id in form.required_inputs():
                    ws.conditional_format(cell.row, cell.col, cell.row + cell.rows - 1,
                                          cell.col + cell.cols - 1,
                                          {"type": "blanks", "format": required_fill(book)})
                msgs = marks.get((cell.field, ""))
                if msgs:
                    book.comment(ws, cell.row, cell.col, msgs)
        elif kind == "check":
            parts = sum_parts(form, cell.field)
            if report or parts is None:
                put(cell, "", plain)
                continue
            formula, shown = sum_check(placed, cell.field, parts, values)
            put(cell, "", book.fmt(border=1, align="center", valign="vcenter", bold=True,
                                    bg_color="#F2F2F2"))
            ws.write_formula(cell.row, cell.col, formula,
                             book.fmt(border=1, align="center", valign="vcenter", bold=True,
                                      bg_color="#F2F2F2"), shown)
            ws.data_validation(cell.row, cell.col, cell.row, cell.col, {
                "validate": "any", "input_title": book_text("sum_check_title", book.lang),
                "input_message": book_text("sum_check_hint", book.lang)[:255]})
    if not report:
        _list_checks(book, ws, form, placed, required=not marks)
    points: dict[int, float] = {}
    for r in range(TOP_ROW, placed.last_row + 1):
        points[r] = layout.lines_height(lines_of.get(r, 1))
    for lid, place in placed.lists.items():
        if not report and form.lists[lid].get("role") == "input":
            for r in range(place.first_row, place.last_row + 1):
                points[r] = max(layout.lines_height(lines_of.get(r, 1)), 27)
    points.update(row_points or {})
    for r in sorted(points):
        ws.set_row(r, points[r])
    return points


def required_fill(book: Book) -> Any:
    """The yellow of a required cell still blank (a conditional format)."""
    key = ("_required_fill",)
    if key not in book.formats:
        book.formats[key] = book.wb.add_format({"bg_color": INPUT_REQUIRED_FILL})
    return book.formats[key]


def sum_parts(form: Form, total_id: str) -> list[str] | None:
    """The parts of the sum rule whose total is ``total_id`` (None when no rule has it)."""
    for rule in form.rules:
        if rule.get("type") != "sum_equals":
            continue
        for i in rule.get("each", [""]):
            if str(rule.get("total", "")).format(i=i) == total_id:
                return [str(p).format(i=i) for p in rule.get("parts", [])]
    return None


def sum_check(placed: Placed, total_id: str, parts: list[str],
              values: dict[str, Any]) -> tuple[str, str]:
    """The formula of a sum check cell (○ when the parts add up to the total, × when not, ？
    when a value is not a plain number, blank while a cell is empty) and its value now."""
    ids = [total_id, *parts]
    refs = [xl_rowcol_to_cell(*placed.fields[fid]) for fid in ids if fid in placed.fields]
    if len(refs) != len(ids):
        return '=""', ""
    return (sum_check_cell.formula(refs[0], refs[1:]),
            sum_check_cell.shown([values.get(fid, "") for fid in ids]))


def _list_checks(book: Book, ws: Any, form: Form, placed: Placed, required: bool) -> None:
    """What the list layout's input sheet has, for the lists of a sheet: a dropdown on a
    column that refers to another list (fed from that list's numbers), and yellow on the
    required cells of an entry that is started, or of the first entry, while they are blank."""
    refs = {(r["list"], r["column"]): r["target"] for r in form.rules
            if r.get("type") == "list_ref" and r.get("list") in placed.lists}
    needed = set(form.required_inputs())
    for lid, where in placed.lists.items():
        spec = form.lists[lid]
        if spec.get("role") != "input":
            continue
        entries = (where.last_row - where.first_row + 1) // where.height
        for col in spec["columns"]:
            cid = col["id"]
            c0 = next(c for i, c, _ in where.columns if i == cid)
            target = refs.get((lid, cid))
            source = _number_range(form, placed, target) if target else None
            for i in range(entries):
                r = where.row_of(i, cid)
                if source:
                    carry = bool(col.get("carry")) and i > 0
                    ws.data_validation(r, c0, r, c0, {
                        "validate": "list", "source": source,
                        "input_title": str(col.get("label", ""))[:32],
                        "input_message": book_text("pick_issue" if carry else "pick_issue_first",
                                                   book.lang, target=list_title(form, target)
                                                   )[:255],
                        "error_title": book_text("not_a_choice_title", book.lang),
                        "error_message": book_text("not_an_issue", book.lang,
                                                   target=list_title(form, target))[:255],
                        "error_type": "stop"})
        if not required or lid not in needed:
            continue
        item_req = set(form.schema.get("properties", {}).get(lid, {}).get("items", {})
                       .get("required", []))
        fill = required_fill(book)
        for col in spec["columns"]:
            cid = col["id"]
            if cid not in item_req or "fixed" in col:
                continue
            c0, span = next((c, n) for i, c, n in where.columns if i == cid)
            for i in range(entries):
                if col.get("carry") and i > 0:
                    continue  # blank: the same as the entry above
                r = where.row_of(i, cid)
                cellref = xl_rowcol_to_cell(r, c0)
                top = where.row_of(i)
                bottom = top + where.height - 1
                whole = (f"{xl_rowcol_to_cell(top, 0, True, True)}:"
                         f"{xl_rowcol_to_cell(bottom, placed.width - 1, True, True)}")
                started = "TRUE" if i == 0 else f"COUNTA({whole})>{len(where.captions)}"
                ws.conditional_format(r, c0, r, c0 + span - 1, {
                    "type": "formula", "criteria": f"=AND({started},LEN({cellref})=0)",
                    "format": fill})


def list_title(form: Form, lid: str | None) -> str:
    """What list ``lid`` is called on the sheet: the heading above it (Ⅲ. 課題), else the
    label of its first column."""
    heading = ""
    for row in form.sheet.get("rows", []):
        for cell in row if isinstance(row, list) else []:
            if isinstance(cell, dict) and "heading" in cell:
                heading = str(cell["heading"])
            if isinstance(cell, dict) and cell.get("list") == lid and heading \
                    and "{" not in heading:
                return heading
    columns = form.lists.get(lid or "", {}).get("columns") or [{}]
    return str(columns[0].get("label") or lid or "")


def _number_range(form: Form, placed: Placed, target: str) -> str | None:
    """The absolute range of the numbers of list ``target`` (its first issue_no column)."""
    where = placed.lists.get(target)
    if where is None:
        return None
    col = next((c["id"] for c in form.lists[target]["columns"] if c.get("type") == "issue_no"),
               None)
    if col is None:
        return None
    c0 = next(c for i, c, _ in where.columns if i == col)
    return (f"={xl_rowcol_to_cell(where.first_row, c0, True, True)}:"
            f"{xl_rowcol_to_cell(where.last_row, c0, True, True)}")


def blanks_formula(form: Form, placed: Placed) -> tuple[str, int] | None:
    """What the counter of required cells left blank adds up: every required single field,
    and every required list with no entry at all; with the count for a fresh book."""
    needed = form.required_inputs()
    terms: list[str] = []
    for fid in needed:
        if fid in placed.fields:
            terms.append(f"COUNTBLANK({xl_rowcol_to_cell(*placed.fields[fid])})")
        elif fid in placed.lists:
            where = placed.lists[fid]
            # the widest column of an entry's first row: its main text
            first = max(((n, c) for i, c, n in where.columns if not where.lines.get(i)),
                        default=(1, 0))[1]
            rng = (f"{xl_rowcol_to_cell(where.first_row, first)}:"
                   f"{xl_rowcol_to_cell(where.last_row, first)}")
            terms.append(f"IF(COUNTA({rng})=0,1,0)")
    if not terms:
        return None
    return "+".join(terms), len(terms)


def _style(book: Book, role: str, center: bool, marked: Any, report: bool) -> Any:
    if report:
        return book.fmt(border=1, valign="top", text_wrap=True,
                        align="center" if center else "left")
    if marked:
        return book.error_c if center else book.error
    if role in ("key", "locked"):
        return book.locked_c if center else book.locked
    return book.input_c if center else book.input


def define_names(wb: Any, sheet: str, placed: Placed) -> None:
    last = xl_col_to_name(placed.width - 1)
    for fid, (r, c) in placed.fields.items():
        wb.define_name(f"fx_f_{fid}", f"='{sheet}'!{xl_rowcol_to_cell(r, c, True, True)}")
    for lid, place in placed.lists.items():
        wb.define_name(f"fx_l_{lid}",
                       f"='{sheet}'!$A${place.first_row + 1}:${last}${place.last_row + 1}")
        if place.head_row is not None:
            wb.define_name(f"fx_l_{lid}_head",
                           f"='{sheet}'!$A${place.head_row + 1}:${last}${place.head_row + 1}")


def input_values(form: Form, record: dict[str, Any], report: bool = False) -> dict[str, Any]:
    """Texts for every cell of a record: single fields as text (as a printed report shows
    them with ``report``), lists as rows of texts."""
    out: dict[str, Any] = {}
    for f in form.fields:
        if f.type == "list":
            continue
        value = record.get(f.id)
        out[f.id] = printed(form, f, value) if report and value is not None else \
            show(form, f.id, value)
    for lid, spec in form.lists.items():
        types = {c["id"]: c.get("type", "") for c in spec["columns"]}
        out[lid] = [{cid: list_cell_text(row.get(cid), t) for cid, t in types.items()}
                    for row in list_rows(form, lid, record)]
    return out


def place(form: Form, year: int, group: Group, item: PlanItem, *,
          prefill: dict[str, Any] | None = None,
          values: dict[str, Any] | None = None) -> Placed:
    """Where every cell of the workbook :func:`build` writes for ``item`` is: with ``values``
    (a feedback workbook) the input lists are as long as staff made them, plus spare rows, so
    a cell below them is not where it was in the returned book."""
    record = {**item.record, **(prefill or {})}
    ctx = context(form, year, record, group.full_name)
    if values is not None:
        for lid in form.lists:
            if lid in values and form.lists[lid].get("role") == "input":
                record[lid] = [{"_": 1}] * len(values[lid])
    return lay_out(form, ctx, record, first_row=TOP_ROW)


def cell_of(placed: Placed, field_id: str, index: int = -1, column: str = "") -> \
        tuple[int, int] | None:
    """(row, column), 0-based, of a single field, or of row ``index``, column ``column`` of
    the list ``field_id``; None when the layout has no such cell."""
    if index < 0:
        return placed.fields.get(field_id)
    where = placed.lists.get(field_id)
    if where is None or where.row_of(index, column) > where.last_row:
        return None
    return next(((where.row_of(index, column), c0) for cid, c0, _ in where.columns
                 if cid == column), None)


def _left_blank(form: Form, texts: dict[str, Any]) -> int:
    """The counter's value when the book is written (Excel recalculates it)."""
    n = 0
    for fid in form.required_inputs():
        got = texts.get(fid)
        if isinstance(got, list):
            n += 0 if any(any(str(v).strip() for v in row.values()) for row in got) else 1
        elif not str(got or "").strip():
            n += 1
    return n


def _link_feedback(book: Book, rows: list[tuple[str, str, str]], sheet: str) -> None:
    """Make each address of the feedback list that names a cell of ``sheet`` a link to it, and
    the address column as wide as the longest address."""
    fb = book.wb.get_worksheet_by_name(FEEDBACK_SHEET)
    widest = max((layout.display_width(cell) for cell, _, _ in rows), default=0)
    fb.set_column(0, 0, max(14, widest + 2))
    link = book.fmt(**book.cell_border, font_color="#0563C1", underline=1)
    prefix = f"{sheet}!"
    quoted = "'" + sheet.replace("'", "''") + "'"
    for r, (cell, _, _) in enumerate(rows, start=4):
        if cell.startswith(prefix) and _A1.match(cell[len(prefix):]):
            fb.write_url(r, 0, f"internal:{quoted}!{cell[len(prefix):]}", link,
                         string=cell)


def build(path: Path, form: Form, year: int, group: Group, item: PlanItem, *, key: bytes,
          issue_id: str, issued_at: str, title: str = "", font: str = DEFAULT_FONT,
          password: str = "", prefill: dict[str, Any] | None = None,
          values: dict[str, Any] | None = None,
          marks: dict[tuple[str, str], list[str]] | None = None,
          feedback_rows: list[tuple[str, str, str]] | None = None, lang: str = "ja",
          link: str = "") -> Issued:
    """Write the workbook of one record (``item``), prefilled with ``prefill`` (the last
    accepted values), or with ``values`` (texts, for a feedback workbook). ``lang`` ("ja" or
    "en") is the language of the fixed texts; the form's own labels stay as defined.
    ``link`` (the address of the record's page on the server) goes on the instructions."""
    path = Path(path)
    record = {**item.record, **(prefill or {})}
    book = Book(path, form, year, group, font, lang)
    wb = book.wb
    if feedback_rows is not None:
        book.feedback_sheet(feedback_rows, password)
        _link_feedback(book, feedback_rows, form.input_sheet)
    book.guide(form, year, group, password, {"program_name": form.item_title(item.record)},
               link=link)

    ws = wb.add_worksheet(form.input_sheet)
    ctx = context(form, year, record, group.full_name)
    placed = place(form, year, group, item, prefill=prefill, values=values)
    texts = input_values(form, {**item.record, **(prefill or {})})
    if values is not None:
        texts.update(values)
    ws.write_string(0, 0, book.text_of("sheet_title", year=year_label(year, lang),
                                       title=form.title, name=title).rstrip(), book.title)
    ws.write_string(1, 0, banner(group, lang), book.bold)
    ws.write_string(2, 0, book.text_of("sheet_note"), book.fmt())
    counted = blanks_formula(form, placed)
    if counted is not None:
        blanks, _ = counted
        left = _left_blank(form, texts)
        ws.write_formula(1, COUNTER_COL, book.text_of("blanks_formula", blanks=blanks),
                         book.bold, book.text_of("blanks_value", n=left))
    draw(book, ws, form, year, placed, record, texts, mode="input", marks=marks)
    define_names(wb, form.input_sheet, placed)
    ws.set_portrait()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer("&C&P / &N")
    ws.protect(password, {"format_rows": True, "insert_rows": True, "delete_rows": False,
                          "select_locked_cells": True, "select_unlocked_cells": True})
    if feedback_rows is None:
        ws.activate()
    book.choices(form, password)

    snap = locked_snapshot(form, item.record, placed, ctx)
    payload = issue_payload(
        form, year, group, issue_id, issued_at, [item.key], lang,
        lists={lid: [[cid, c0, p.lines.get(cid, 0)] if p.height > 1 else [cid, c0]
                     for cid, c0, _ in p.columns] for lid, p in placed.lists.items()},
        locked_hash=manifest.locked_hash({}, [(item.key, snap)]))
    return finish(book, path, payload,
                  [{"key": item.key, "record": item.record, "locked": snap}], key, password)


