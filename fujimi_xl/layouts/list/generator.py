"""Write the input workbook of one group for a list form (xlsxwriter).

Sheets: 記入要領 (instructions), the input sheet (key and locked columns grey and protected, input
columns open), 選択肢 (the lists dropdowns are fed from) and a very-hidden sheet with the signed
manifest. The same builder writes a feedback workbook: the group's own values put back, each bad
cell highlighted with a comment, and a first sheet listing what to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from fujimi_xl.core import fiscal
from fujimi_xl.core.fiscal import year_label
from fujimi_xl.core.messages import DEFAULT_FONT, TYPE_TEXTS, book_text
from fujimi_xl.core.model import Group, PlanItem
from fujimi_xl.forms import Form, fieldtypes
from fujimi_xl.forms.fieldtypes import NUMBER_LIMIT
from fujimi_xl.forms.rules import sum_equals
from fujimi_xl.layouts import layout, manifest
from fujimi_xl.layouts import sum_check as sum_check_cell

KEY_HEADER = "管理番号"
ROW_POINTS = 40.5  # the least height of an item row on the input sheet (three lines to write)
# the most lines of text a row of ROW_POINTS holds: a row needing no more is ROW_POINTS high
_LEAST_LINES = max(n for n in range(1, 32) if n == 1 or layout.lines_height(n) <= ROW_POINTS)
BANNER_ROW = 1  # 0-based: "担当：…" names the group on the input sheet; it is signed too
HEADER_ROW = 3  # 0-based: the header is row 4 in Excel terms
FIRST_ROW = HEADER_ROW + 1
GUIDE_SHEET = "記入要領"
CHOICE_SHEET = "選択肢"
FEEDBACK_SHEET = "差戻し内容"
NAME_TABLE = "fx_table"
NAME_HEADER = "fx_header"

LOCKED_FILL = "#E7E6E6"
HEADER_FILL = "#D9E1F2"
INPUT_REQUIRED_FILL = "#FFF2CC"
ERROR_FILL = "#FFC7CE"

BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass
class Issued:
    """What was issued: enough to verify a returned copy and to regenerate it."""

    issue_id: str
    form: str
    form_version: int
    year: int
    group: str
    issued_at: str
    locked_hash: str
    items: list[dict[str, Any]]
    file_name: str
    payload: dict[str, Any]


def file_name(form: Form, year: int, group: Group) -> str:
    name = f"{fiscal.long_label(year)}_{form.title}_{group.name or group.code}.xlsx"
    return BAD_FILE_CHARS.sub("_", name)


def banner(group: Group, lang: str = "ja") -> str:
    return book_text("banner", lang, group=group.full_name)


def sheet_fields(form: Form, refs: bool = False) -> list[Any]:
    """The fields of the input sheet in column order. After a rollover (``refs``) the reference
    fields (last year's plan for this year, 実施内容 and 評価) stand, locked, before the inputs."""
    if not refs or not form.references:
        return list(form.fields)
    fixed = [f for f in form.fields if f.role != "input"]
    return [*fixed, *form.references, *form.input_fields]


def columns(form: Form, refs: bool = False) -> list[tuple[str, str]]:
    """(field id, 0-based column letter) of the input sheet; column A holds the item key."""
    return [("_key", "A")] + [(f.id, xl_col_to_name(i + 1))
                              for i, f in enumerate(sheet_fields(form, refs))]


def headers(form: Form, year: int, refs: bool = False) -> dict[str, str]:
    return {"_key": KEY_HEADER,
            **{f.id: f.label_for(year) for f in sheet_fields(form, refs)}}


def sum_checks(form: Form, refs: bool = False) -> list[tuple[str, list[str]]]:
    """(total, parts) of each sum rule whose fields are all columns of the input sheet: each
    gets a ○/× check column after the fields (read by no one but staff)."""
    placed = set(dict(columns(form, refs)))
    return [(total, parts) for total, parts in sum_equals.totals(form).items()
            if total in placed and all(p in placed for p in parts)]


def check_headers(form: Form, year: int, lang: str = "ja", refs: bool = False) -> list[str]:
    """The headers of the check columns (:func:`sum_checks`), in ``lang``."""
    return [book_text("sum_check_column", lang, label=form.by_id[total].label_for(year))
            for total, _ in sum_checks(form, refs)]


def locked_rows(form: Form, items: list[PlanItem],
                references: dict[str, dict[str, str]] | None = None) -> \
        list[tuple[str, dict[str, str]]]:
    rows = []
    for it in items:
        row = {f.id: f.show(it.record.get(f.id)) for f in form.locked_fields}
        if references is not None:
            row.update({f.id: references.get(it.key, {}).get(f.id, "")
                        for f in form.references})
        rows.append((it.key, row))
    return rows


class Book:
    """An xlsxwriter workbook with the formats and the supporting sheets every form shares:
    the feedback list, the instructions, the choice lists and the signed manifest."""

    def __init__(self, path: Path, form: Form, year: int, group: Group, font: str,
                 lang: str = "ja") -> None:
        self.lang = lang
        self.wb = xlsxwriter.Workbook(
            str(path),
            {"strings_to_formulas": False, "strings_to_urls": False,
             "strings_to_numbers": False, "in_memory": True},
        )
        self.wb.set_properties({
            "title": f"{year_label(year, lang)} {form.title}", "subject": group.full_name,
            "author": "fujimi-xl",
            "comments": book_text("doc_comments", lang),
            "created": dt.datetime(2000, 1, 1)})
        self.font = font
        self._base = {"font_name": font, "font_size": 10}
        self.formats: dict[tuple[Any, ...], Any] = {}
        self.cell_border = {"border": 1, "text_wrap": True, "valign": "top"}
        cb = self.cell_border
        self.head = self.fmt(bold=True, bg_color=HEADER_FILL, border=1, align="center",
                             valign="vcenter", text_wrap=True, locked=True)
        self.locked = self.fmt(bg_color=LOCKED_FILL, locked=True, **cb)
        self.locked_c = self.fmt(bg_color=LOCKED_FILL, locked=True, align="center", **cb)
        self.input = self.fmt(locked=False, **cb)
        self.input_c = self.fmt(locked=False, align="center", **cb)
        self.title = self.fmt(bold=True, font_size=14)
        self.text = self.fmt(text_wrap=True, valign="top")
        self.bold = self.fmt(bold=True)

    @property
    def error(self) -> Any:
        """The style of a marked input cell (feedback workbooks only: made when first used)."""
        return self.fmt(locked=False, bg_color=ERROR_FILL, font_color="#9C0006",
                        **self.cell_border)

    @property
    def error_c(self) -> Any:
        return self.fmt(locked=False, bg_color=ERROR_FILL, font_color="#9C0006",
                        align="center", **self.cell_border)

    def text_of(self, key: str, **params: Any) -> str:
        """A fixed text of the workbook in its language."""
        return book_text(key, self.lang, **params)

    def fmt(self, **kw: Any) -> Any:
        k = tuple(sorted(kw.items()))
        if k not in self.formats:
            self.formats[k] = self.wb.add_format({**self._base, **kw})
        return self.formats[k]

    def comment(self, sheet: Any, row: int, col: int, messages: list[str]) -> None:
        sheet.write_comment(row, col, "\n".join(messages),
                            {"author": "fujimi-xl", "x_scale": 2.5, "y_scale": 2,
                             "font_name": self.font, "font_size": 10})

    def feedback_sheet(self, rows: list[tuple[str, str, str]], password: str) -> None:
        fb = self.wb.add_worksheet(FEEDBACK_SHEET)
        fb.set_tab_color("#C00000")
        fb.set_column(0, 0, 14)
        fb.set_column(1, 1, 16)
        fb.set_column(2, 2, 90)
        fb.write_string(0, 0, self.text_of("feedback_title"), self.title)
        fb.merge_range(1, 0, 1, 2, self.text_of("feedback_note"), self.text)
        for c, h in enumerate(("feedback_cell", "feedback_field", "feedback_fix")):
            fb.write_string(3, c, self.text_of(h), self.head)
        for r, (cell, field, message) in enumerate(rows, start=4):
            fb.write_string(r, 0, cell, self.fmt(**self.cell_border))
            fb.write_string(r, 1, field, self.fmt(**self.cell_border))
            fb.write_string(r, 2, message, self.fmt(**self.cell_border))
            fb.set_row(r, layout.row_height([(message, 90)]))
        _print_setup(fb, landscape=True, repeat=3)
        fb.protect(password, {"select_locked_cells": True, "select_unlocked_cells": True})

    def guide(self, form: Form, year: int, group: Group, password: str,
              extra: dict[str, Any] | None = None, link: str = "",
              choice_lists: bool = False) -> None:
        """The instructions sheet; ``link``, when given, is the address of the slot's page
        on the server (upload the book there and see the result at once). ``choice_lists``:
        the layout asks for the choices of its input fields as {grade_list} (the list layout
        does; a layout that does not leaves it empty)."""
        year_long = year_label(year, self.lang)
        guide = self.wb.add_worksheet(GUIDE_SHEET)
        guide.set_column(0, 0, 4)
        guide.set_column(1, 1, 100)
        guide.write_string(0, 0, self.text_of("guide_title", year=year_long, title=form.title),
                           self.title)
        guide.write_string(1, 0, banner(group, self.lang), self.bold)
        grades = []
        for f in form.fields:
            if f.choices and f.role == "input" and choice_lists:
                grades.append(self.text_of("grade_sep").join(
                    self.text_of("choice_item", value=c["value"], label=c["label"])
                    for c in form.choices[f.choices]))
        subst = {
            "group": group.full_name,
            "year_long": year_long,
            "input_labels": self.text_of("label_sep").join(f.label_for(year)
                                                           for f in form.input_fields),
            "grade_list": " / ".join(grades),
            **(extra or {}),
        }
        lines = form.instructions_en if self.lang == "en" and form.instructions_en else \
            form.instructions
        for i, line in enumerate(lines, start=3):
            text = line.format(**subst)
            guide.write_string(i, 0, f"{i - 2}.", self.text)
            guide.write_string(i, 1, text, self.text)
            guide.set_row(i, layout.row_height([(text, 100)]))
        if link:
            r = len(lines) + 4
            guide.write_string(r, 1, self.text_of("guide_link"), self.bold)
            guide.write_url(r + 1, 1, link, self.fmt(font_color="blue", underline=1),
                            string=link)
        _print_setup(guide, landscape=True)
        guide.protect(password, {"select_locked_cells": True, "select_unlocked_cells": True})

    def choices(self, form: Form, password: str) -> None:
        cs = self.wb.add_worksheet(CHOICE_SHEET)
        cs.set_column(0, 0, 8)
        cs.set_column(1, 1, 40)
        col = 0
        for name, choices in form.choices.items():
            cs.write_string(0, col, self.text_of("choice"), self.head)
            cs.write_string(0, col + 1, self.text_of("meaning"), self.head)
            for r, ch in enumerate(choices, start=1):
                cs.write_string(r, col, ch["value"], self.fmt(border=1, align="center"))
                cs.write_string(r, col + 1, ch["label"], self.fmt(border=1))
            letter = xl_col_to_name(col)
            self.wb.define_name(f"fx_choice_{name}",
                                f"='{CHOICE_SHEET}'!${letter}$2:${letter}${len(choices) + 1}")
            col += 3
        _print_setup(cs, landscape=False)
        cs.protect(password, {"select_locked_cells": True, "select_unlocked_cells": True})

    def manifest(self, payload: dict[str, Any], key: bytes, password: str) -> None:
        ms = self.wb.add_worksheet(manifest.SHEET)
        for r, text in enumerate(manifest.to_cells(payload, key)):
            ms.write_string(r, 0, text)
        ms.protect(password)
        ms.very_hidden()

    def close(self) -> None:
        self.wb.close()


def build(
    path: Path,
    form: Form,
    year: int,
    group: Group,
    items: list[PlanItem],
    *,
    key: bytes,
    issue_id: str,
    issued_at: str,
    title: str = "",
    font: str = DEFAULT_FONT,
    password: str = "",
    values: dict[str, dict[str, str]] | None = None,
    marks: dict[tuple[str, str], list[str]] | None = None,
    feedback_rows: list[tuple[str, str, str]] | None = None,
    references: dict[str, dict[str, str]] | None = None,
    lang: str = "ja",
    link: str = "",
) -> Issued:
    """Write the workbook to ``path`` and return what was issued.

    ``references`` (item key -> reference field -> text), after a rollover, adds the locked
    reference columns: last year's plan for this year, 実施内容 and 評価.

    ``values`` puts text back into input cells (feedback workbooks); ``marks`` highlights the
    cells of (item key, field id) with the given messages as a comment; ``feedback_rows``
    (cell, field, message) fills a first sheet listing every problem.

    ``lang`` ("ja" or "en") is the language of the fixed texts; sheet names and column headers
    stay as the form defines them. ``link`` (the address of the group's page on the server)
    is written on the instructions sheet when given.
    """
    values = values or {}
    marks = marks or {}
    path = Path(path)
    book = Book(path, form, year, group, font, lang)
    wb = book.wb
    fmt = book.fmt
    f_head, f_locked, f_locked_c = book.head, book.locked, book.locked_c
    f_input, f_input_c = book.input, book.input_c
    f_error, f_error_c = (book.error, book.error_c) if marks else (f_input, f_input_c)
    f_title, f_bold = book.title, book.bold

    refs = references is not None and bool(form.references)
    heads = headers(form, year, refs)
    cols = columns(form, refs)
    col_index = {fid: i for i, (fid, _) in enumerate(cols)}
    year_long = year_label(year, lang)
    last_row = FIRST_ROW + max(len(items), 1) - 1

    if feedback_rows is not None:
        book.feedback_sheet(feedback_rows, password)
    book.guide(form, year, group, password, link=link, choice_lists=True)

    # -- input sheet -----------------------------------------------------------------------
    ws = wb.add_worksheet(form.input_sheet)
    ws.write_string(0, 0, book.text_of("input_title", year=year_long, title=form.title,
                                       name=title).rstrip(), f_title)
    ws.write_string(BANNER_ROW, 0, banner(group, lang), f_bold)
    ws.write_string(2, 0, book.text_of("input_note"), fmt())
    # what is left to fill in, counted by a formula over the input range (no macros)
    required = [f.id for f in form.input_fields if f.id in form.required_inputs()]
    if items and required:
        ranges = [f"{xl_col_to_name(col_index[fid])}{FIRST_ROW + 1}:"
                  f"{xl_col_to_name(col_index[fid])}{last_row + 1}" for fid in required]
        blanks = "+".join(f"COUNTBLANK({r})" for r in ranges)
        formula = book.text_of("blanks_formula", blanks=blanks)
        left = len(items) * len(required) if not values else sum(
            1 for it in items for fid in required if not values.get(it.key, {}).get(fid))
        ws.write_formula(1, col_index[form.input_fields[0].id], formula, f_bold,
                         book.text_of("blanks_value", n=left))
    ws.write_string(HEADER_ROW, 0, KEY_HEADER, f_head)
    ws.set_column(0, 0, 9)
    for fid, _ in cols[1:]:
        f = form.by_id[fid]
        c = col_index[fid]
        ws.write_string(HEADER_ROW, c, heads[fid], f_head)
        ws.set_column(c, c, f.width)
    ws.set_row(HEADER_ROW, 30)

    # per column, once: field, column, role, and the styles of its cells
    centered = set(form.report.get("center", []))
    specs = []
    for f in sheet_fields(form, refs):
        center = f.role == "key" or bool(f.choices) or f.id in centered
        opened, marked = (f_input_c, f_error_c) if center else (f_input, f_error)
        cell_format = "" if f.choices else fieldtypes.of(f.type).cell_format
        if cell_format and f.role == "input":  # a typed input: its number format (fieldtypes)
            opened = fmt(locked=False, num_format=cell_format, **book.cell_border)
            if marks:
                marked = fmt(locked=False, num_format=cell_format, bg_color=ERROR_FILL,
                             font_color="#9C0006", **book.cell_border)
            else:
                marked = opened
        specs.append((f.id, f.width, col_index[f.id], f.role in ("key", "locked", "reference"),
                      f_locked_c if center else f_locked, opened, marked))
    # the locked cells' texts, once: written below, then hashed and signed in the manifest
    rows = locked_rows(form, items, references if refs else None)
    # an item row is at least ROW_POINTS high: a row of fewer lines than that holds is too,
    # so its texts are measured (as layout.row_height does, one cell at a time) only when
    # they could take more
    least = _LEAST_LINES
    points_of = {least: max(layout.lines_height(least), ROW_POINTS)}  # lines -> row height
    for r, (it, (_, shown)) in enumerate(zip(items, rows, strict=True), start=FIRST_ROW):
        ws.write_string(r, 0, it.key, f_locked_c)
        lines = least
        given = values.get(it.key, {})
        for fid, width, c, fixed, locked, opened, marked in specs:
            if fixed:
                text = shown.get(fid, "")
                ws.write_string(r, c, text, locked)
            else:
                text = given.get(fid, "")
                msgs = marks.get((it.key, fid)) if marks else None
                style = marked if msgs else opened
                if text:
                    ws.write_string(r, c, text, style)
                else:
                    ws.write_blank(r, c, None, style)
                if msgs:
                    book.comment(ws, r, c, msgs)
            if text and (2 * len(text) > lines * (width - 1.0) or "\n" in text):
                lines = max(lines, layout.line_count(text, width))
        points = points_of.get(lines)
        if points is None:
            points = points_of[lines] = max(layout.lines_height(lines), ROW_POINTS)
        ws.set_row(r, points)

    if items:
        f_required = wb.add_format({"bg_color": INPUT_REQUIRED_FILL})  # one for every column
        # a list_ref rule's field: a dropdown of the target column's cells of this book
        refs_to = {r["field"]: r["target_field"] for r in form.rules
                   if r.get("type") == "list_ref" and r.get("field") in col_index
                   and r.get("target_field") in col_index}
        for f in form.input_fields:
            c = col_index[f.id]
            if f.id in refs_to:
                tc = xl_col_to_name(col_index[refs_to[f.id]])
                ws.data_validation(FIRST_ROW, c, last_row, c, {
                    "validate": "list",
                    "source": f"=${tc}${FIRST_ROW + 1}:${tc}${last_row + 1}",
                    "input_title": f.label_for(year)[:32],
                    "input_message": (f.hint or book_text("pick_from_list", lang))[:255],
                    "error_title": book_text("not_a_choice_title", lang),
                    "error_message": book_text("not_a_choice", lang),
                    "error_type": "stop",
                })
            else:
                validation(ws, form, f, year, FIRST_ROW, c, last_row, c, lang, typed=True)
            if f.id in required and not marks:  # the yellow would hide the red of a mark
                ws.conditional_format(FIRST_ROW, c, last_row, c, {
                    "type": "blanks", "format": f_required})

    _write_sum_checks(book, ws, form, year, items, values, col_index, refs)

    last_col = len(cols) - 1
    wb.define_name(NAME_HEADER, f"='{form.input_sheet}'!$A${HEADER_ROW + 1}:"
                                f"${xl_col_to_name(last_col)}${HEADER_ROW + 1}")
    wb.define_name(NAME_TABLE, f"='{form.input_sheet}'!$A${FIRST_ROW + 1}:"
                               f"${xl_col_to_name(last_col)}${last_row + 1}")
    ws.freeze_panes(FIRST_ROW, 0)
    _print_setup(ws, landscape=True, repeat=HEADER_ROW)
    ws.protect(password, {"format_rows": True, "format_columns": True,
                          "select_locked_cells": True, "select_unlocked_cells": True})
    ws.activate() if feedback_rows is None else None

    book.choices(form, password)

    payload = issue_payload(form, year, group, issue_id, issued_at, [it.key for it in items],
                            lang, header_row=HEADER_ROW + 1,
                            locked_hash=manifest.locked_hash(heads, rows))
    if refs:
        payload["references"] = True
    return finish(book, path, payload, [{"key": k, **v} for k, v in rows], key, password)


def _write_sum_checks(book: Book, ws: Any, form: Form, year: int, items: list[PlanItem],
                      values: dict[str, dict[str, str]], col_index: dict[str, int],
                      refs: bool) -> None:
    """A read-only ○/× column per sum rule after the fields: a formula on each item row (blank
    while a cell of the rule is empty), showing its value for the texts put back."""
    checks = sum_checks(form, refs)
    if not checks or not items:
        return
    style = book.fmt(border=1, align="center", valign="vcenter", bold=True,
                     bg_color="#F2F2F2", locked=True)
    last_row = FIRST_ROW + len(items) - 1
    for n, ((total, parts), head) in enumerate(
            zip(checks, check_headers(form, year, book.lang, refs), strict=True)):
        c = len(col_index) + n
        ws.write_string(HEADER_ROW, c, head, book.head)
        ws.set_column(c, c, max(8, layout.display_width(head) + 2))
        letters = [xl_col_to_name(col_index[fid]) for fid in (total, *parts)]
        for r, it in enumerate(items, start=FIRST_ROW):
            cells = [f"{col}{r + 1}" for col in letters]
            given = values.get(it.key, {})
            ws.write_formula(r, c, sum_check_cell.formula(cells[0], cells[1:]), style,
                             sum_check_cell.shown([given.get(fid, "")
                                                   for fid in (total, *parts)]))
        ws.data_validation(FIRST_ROW, c, last_row, c, {
            "validate": "any", "input_title": book_text("sum_check_title", book.lang),
            "input_message": book_text("sum_check_hint", book.lang)[:255]})


def issue_payload(form: Form, year: int, group: Group, issue_id: str, issued_at: str,
                  keys: list[str], lang: str, **layout_keys: Any) -> dict[str, Any]:
    """The manifest every layout signs: what the workbook is and for whom; each layout adds
    where its data is and the hash of what it locked (``layout_keys``)."""
    return {"schema": manifest.SCHEMA, "form": form.name, "form_version": form.version,
            "year": year, "group": group.code, "issue_id": issue_id, "issued_at": issued_at,
            "input_sheet": form.input_sheet, "keys": keys, "banner": banner(group, lang),
            **layout_keys}


def finish(book: Book, path: Path, payload: dict[str, Any], items: list[dict[str, Any]],
           key: bytes, password: str) -> Issued:
    """Sign the manifest into the workbook, close it, and say what was issued."""
    book.manifest(payload, key, password)
    book.close()
    return Issued(
        issue_id=payload["issue_id"], form=payload["form"], form_version=payload["form_version"],
        year=payload["year"], group=payload["group"], issued_at=payload["issued_at"],
        locked_hash=str(payload["locked_hash"]), items=items, file_name=path.name,
        payload=payload)


def validation(ws: Any, form: Form, f: Any, year: int, r1: int, c1: int, r2: int,
               c2: int, lang: str = "ja", typed: bool = False) -> None:
    """The in-workbook check of an input cell: a dropdown, a number or a length limit.
    Advisory only (pasting bypasses it): ingest validates everything again. ``typed``: a
    typed field gets its type's validation and hint (typed_validation); the sheet layout
    does not ask for it yet (its golden workbook stays as it is)."""
    if f.choices:
        ws.data_validation(r1, c1, r2, c2, {
            "validate": "list",
            "source": f"=fx_choice_{f.choices}",
            "input_title": f.label_for(year)[:32],
            "input_message": (f.hint or book_text("pick_from_list", lang))[:255],
            "error_title": book_text("not_a_choice_title", lang),
            "error_message": book_text("not_a_choice", lang),
            "error_type": "stop",
        })
        return
    ft = fieldtypes.of(f.type)
    if typed and ft.parse is not None:
        ws.data_validation(r1, c1, r2, c2, typed_validation(form, f, year, lang))
        return
    max_len = form.schema.get("properties", {}).get(f.id, {}).get("maxLength")
    ws.data_validation(r1, c1, r2, c2, {
        "validate": "length", "criteria": "<=", "value": max_len or 32767,
        "input_title": f.label_for(year)[:32],
        "input_message": (f.hint or "")[:255],
        "error_title": book_text("too_long_title", lang),
        "error_message": book_text("too_long", lang, n=max_len or 32767),
        "error_type": "stop",
    })


def typed_validation(form: Form, f: Any, year: int, lang: str = "ja") -> dict[str, Any]:
    """The Excel data validation of a typed cell (fieldtypes): whole number, decimal or date
    within the schema's bounds, with the type's hint as the input message. A warning, not a
    stop: staff may type what ingest reads but Excel does not (▲50, 158千円, R5.4.1 in a
    text-formatted cell); ingest checks everything again."""
    ft = fieldtypes.of(f.type)
    prop = form.schema.get("properties", {}).get(f.id, {})
    low, high = prop.get("minimum"), prop.get("maximum")
    hint = book_text(f"type_hint_{ft.id}", lang)
    if ft.validate in ("integer", "decimal") and (low is not None or high is not None):
        key = "type_hint_range" if low is not None and high is not None else \
            "type_hint_min" if low is not None else "type_hint_max"
        hint += book_text(key, lang, low=low, high=high)
    if f.hint:
        hint = f"{f.hint}\n{hint}"
    opts: dict[str, Any] = {
        "input_title": f.label_for(year)[:32], "input_message": hint[:255],
        "error_title": book_text("type_error_title", lang),
        "error_message": book_text("type_error", lang, kind=TYPE_TEXTS[ft.id][
            1 if lang == "en" else 0], examples=TYPE_TEXTS[ft.id][2].replace(
                "、", ", " if lang == "en" else "、"))[:255],
        "error_type": "warning"}
    if ft.validate in ("integer", "decimal"):
        big = NUMBER_LIMIT - 1
        lo = -big if low is None else low
        hi = big if high is None else high
        return {"validate": ft.validate, "criteria": "between", "minimum": lo,
                "maximum": hi, **opts}
    if ft.validate == "date":
        return {"validate": "date", "criteria": "between", "minimum": dt.date(1900, 1, 1),
                "maximum": dt.date(2199, 12, 31), **opts}
    return {"validate": "any", "input_title": opts["input_title"],
            "input_message": opts["input_message"]}


def _print_setup(sheet: Any, landscape: bool, repeat: int | None = None) -> None:
    """A4, fitted to the page width, page numbers in the footer."""
    sheet.set_landscape() if landscape else sheet.set_portrait()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    if repeat is not None:
        sheet.repeat_rows(repeat)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C&P / &N")


def cell_of(form: Form, row_index: int, field_id: str, refs: bool = False) -> str:
    """A1 address of field ``field_id`` in the ``row_index``-th item row of a fresh workbook."""
    return f"{dict(columns(form, refs))[field_id]}{FIRST_ROW + row_index + 1}"
