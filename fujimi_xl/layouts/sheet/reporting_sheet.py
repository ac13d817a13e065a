"""The printed book of a form-style sheet (the action-plan book), xlsxwriter.

A first sheet lists every program: owner, indicator (baseline → latest result → target, with the
share of the way achieved), the budget per year and whether it was returned. Then one sheet per
program in the seed's layout (sections I–VII with their headings, the four-year grid, the
budget table, DO as 取り組み / 状況 pairs, ACTION grouped under its 課題). The whole book prints on
one paper size, A4: a program fits one page, or, when that would shrink it below legibility, is
fitted to the page width and runs onto several A4 pages. Years of the definition are printed as
it says (2020(令和2年度)); periods staff typed are printed as typed, under a heading that says so.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from fujimi_xl.core import bulk, fiscal, outfile
from fujimi_xl.core.errors import Notice
from fujimi_xl.core.messages import DEFAULT_FONT, book_text
from fujimi_xl.core.model import Group
from fujimi_xl.core.normalise import parse_amount
from fujimi_xl.forms import Form
from fujimi_xl.layouts import layout, print_fit
from fujimi_xl.layouts.list.generator import Book
from fujimi_xl.layouts.sheet.sheet_generator import TOP_ROW, draw, input_values, text_of
from fujimi_xl.layouts.sheet.sheet_layout import context, lay_out
from fujimi_xl.store.dataset import Row, Table

A4_PRINTABLE_POINTS = 770.0  # portrait height less margins
MIN_SCALE = 0.7  # below this on one A4 page, run onto several A4 pages
DEFAULT_ROW_POINTS = 15.0  # the rows above the form (title, program, note)


def overview_fields(form: Form) -> dict[str, Any]:
    """Which fields the list sheet shows, from the form's ``report.overview`` definition:
    a column the definition does not name stays blank (the name: the form's title field)."""
    return {"title": form.title_field, "measure": "", "base": "", "target": "",
            "results": [], "first_year": "", "budget": "", "budget_kind": "",
            "budget_years": 0, **form.report.get("overview", {})}


def achievement(record: dict[str, Any], fields: dict[str, Any]) -> tuple[str, str]:
    """(latest result, share achieved) of the indicator, as text."""
    latest = ""
    for fid in reversed(fields["results"]):
        v = record.get(fid)
        if v not in (None, "", "-"):
            latest = v
            break
    base = parse_amount(record.get(fields["base"]))
    target = parse_amount(record.get(fields["target"]))
    now = parse_amount(latest)
    if None in (base, target, now) or target == base:
        return (str(latest) if latest != "" else "-"), ""
    share = (float(now) - float(base)) / (float(target) - float(base)) * 100  # type: ignore[arg-type]
    return _num(latest), f"{share:.0f}%"


OVERVIEW_SHEET = book_text("overview_sheet")


def _num(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


@bulk.gc_paused()
def write_book(path: Path, form: Form, table: Table, *, title: str = "",
               font: str = DEFAULT_FONT, created: dt.datetime | None = None,
               warnings: list[str] | None = None, notices: list[Notice] | None = None) -> Path:
    """Write the book; what had to be changed to fit Excel (sheet names) goes to ``warnings``
    (Japanese texts) and to ``notices`` (the same as message records, for either language)."""
    warnings = warnings if warnings is not None else []
    notices = notices if notices is not None else []
    used = {OVERVIEW_SHEET}
    path = Path(path)
    tmp = outfile.temp_for(path)  # renamed into place by outfile.commit below
    book = Book(tmp, form, table.year, Group("", "", title), font)
    book.wb.set_properties({"title": f"{fiscal.long_label(table.year)} {form.title}",
                            "author": "fujimi-xl", "created": created or dt.datetime.now()})
    _overview(book, form, table, title)
    for row in table.rows:
        _program_sheet(book, form, table.year, row, used, warnings, notices)
    return outfile.commit(tmp, path, book.close)


def _overview(book: Book, form: Form, table: Table, title: str) -> None:
    ws = book.wb.add_worksheet(OVERVIEW_SHEET)
    year = table.year
    head = book.fmt(border=1, align="center", valign="vcenter", bg_color="#D9D9D9",
                    text_wrap=True)
    cell = book.fmt(border=1, valign="top", text_wrap=True)
    num = book.fmt(border=1, valign="top", align="right")
    miss = book.fmt(border=1, valign="top", font_color="#C00000")
    ws.write_string(0, 0, book_text("overview_title", year=fiscal.long_label(year),
                                    title=form.title, name=title).rstrip(),
                    book.fmt(font_size=14))
    fields = overview_fields(form)
    n_years = int(fields["budget_years"])
    start = next((r.record.get(fields["first_year"]) for r in table.rows
                  if r.record.get(fields["first_year"])), year)
    years = [fiscal.full_label(int(start or year) + i) for i in range(n_years)]
    heads = [*book_text("overview_heads").split("|"),
             *[book_text("overview_budget_head", year=y) for y in years],
             book_text("overview_state_head")]
    # the number and the name as the definition calls them (研修番号, 研修名)
    heads[:2] = [form.key_fields[0].label if form.key else heads[0],
                 form.by_id[fields["title"]].label if fields["title"] in form.by_id else heads[1]]
    widths = [6, 22, 20, 24, 7, 7, 7, 7, *[11] * n_years, 9]
    # the indicator's columns (指標名 … 達成率) only when report.overview names an indicator
    no_indicator = not any(fields[k] for k in ("measure", "base", "target", "results"))
    for c, (h, w) in enumerate(zip(heads, widths, strict=True)):
        ws.write_string(2, c, h, head)
        ws.set_column(c, c, w, None, {"hidden": True} if no_indicator and 3 <= c <= 7 else {})
    ws.set_row(2, 42)
    for r, row in enumerate(table.rows, start=3):
        rec = row.record
        latest, share = achievement(rec, fields) if row.returned else ("", "")
        base = f"{rec.get(fields['base'], '')}"
        target = f"{rec.get(fields['target'], '')}"
        values = [str(row.key), str(rec.get(fields["title"], "")), row.group.full_name,
                  str(rec.get(fields["measure"], "")), base, latest, target, share]
        for c, v in enumerate(values):
            ws.write_string(r, c, v, num if 4 <= c <= 7 else cell)
        for i in range(1, n_years + 1):
            amount = rec.get(fields["budget"].format(i=i)) if row.returned else None
            kind = rec.get(fields["budget_kind"].format(i=i), "")
            text = "" if amount in (None, "") else book_text("overview_budget", amount=_num(
                amount), kind=kind)
            ws.write_string(r, 7 + i, text, num)
        ws.write_string(r, 8 + n_years, book_text("overview_returned" if row.returned
                                                  else "overview_not_returned"),
                        cell if row.returned else miss)
        ws.set_row(r, layout.row_height([(values[1], 22), (values[2], 20), (values[3], 24)]))
    missing = [row for row in table.rows if not row.returned]
    r = len(table.rows) + 4
    listed = book_text("overview_missing_sep").join(
        book_text("overview_missing_item", no=m.key, title=m.record.get(fields["title"], ""),
                  group=m.group.name) for m in missing)
    ws.write_string(r, 0, book_text("overview_missing", n=len(missing)) + (
        book_text("overview_missing_list", listed=listed) if missing else ""), book.fmt())
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2)
    ws.set_footer("&C&P / &N")


def _program_sheet(book: Book, form: Form, year: int, row: Row, used: set[str],
                   warnings: list[str], notices: list[Notice]) -> None:
    name, notice = layout.fit_sheet_name(f"{row.key}_{form.item_title(row.record)}", used)
    if notice:
        warnings.append(str(notice))
        notices.append(notice)
    ws = book.wb.add_worksheet(name)
    record = dict(row.record)
    ctx = context(form, year, record, row.group.full_name)
    placed = lay_out(form, ctx, record, first_row=TOP_ROW, spare=False, report=True)
    texts = input_values(form, record, report=True)
    for f in form.fields:  # a choice between two, printed as check boxes as on the seed
        if f.choices and f.role == "locked" and len(form.choices[f.choices]) == 2:
            texts[f.id] = "　".join(("☑" if c["value"] == texts.get(f.id) else "□") + c["value"]
                                   for c in form.choices[f.choices])
    ws.write_string(0, 0, f"{fiscal.long_label(year)} {form.title}", book.fmt(font_size=14))
    ws.write_string(1, 0, book_text("program_banner", no=row.key, group=row.group.full_name,
                                    label=form.key_fields[0].label if form.key else ""),
                    book.fmt())
    if not row.returned:
        ws.write_string(2, 0, book_text("program_not_returned"), book.fmt(font_color="#C00000"))
    row_points, tallest = _grow(form, placed, texts)
    points = draw(book, ws, form, year, placed, record, texts, mode="report",
                  row_points=row_points)
    heights = [points.get(r, DEFAULT_ROW_POINTS) for r in range(placed.last_row + 1)]
    height = sum(heights)
    ws.set_paper(9)  # one paper size through the book
    if height > A4_PRINTABLE_POINTS / MIN_SCALE:
        # too long for one legible page: fitted to the width, onto several A4 pages
        ws.fit_to_pages(1, 0)
        ws.set_h_pagebreaks(_section_breaks(form, placed, heights))
        if tallest is not None:
            cell, text = tallest
            label = form.by_id[cell.field].label if cell.field in form.by_id else \
                next((c.get("label", "") for c in form.lists[cell.field]["columns"]
                      if c["id"] == cell.column), cell.field)
            notice = Notice("print_spans_pages", {
                "where": f"{name}!{xl_rowcol_to_cell(cell.row, cell.col)}",
                "item": f"{row.key} {form.item_title(row.record)}".strip(), "label": label,
                "length": len(text)})
            warnings.append(str(notice))
            notices.append(notice)
    else:
        ws.fit_to_pages(1, 1)
    ws.set_portrait()
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.5, bottom=0.5)
    ws.set_footer(f"&C{row.key} {form.item_title(row.record)}　&P / &N")
    ws.print_area(0, 0, placed.last_row, placed.width - 1)


def _grow(form: Form, placed: Any, texts: dict[str, Any]) -> \
        tuple[dict[int, float], tuple[Any, str] | None]:
    """Spread each row whose text is taller than Excel's largest row over several rows (its
    cells, and the cells spanning it, grow with it; everything below moves down). Returns the
    heights of those rows and the tallest text's cell (after the move) with its text."""
    widths = form.sheet.get("columns", [9] * placed.width)
    need: dict[int, float] = {}
    tallest: tuple[float, Any, str] | None = None
    spans = layout.span_widths(tuple(widths))
    # a text this short cannot outgrow Excel's largest row in any column (print_fit.may_need
    # with every character a wide one and a line of its own): not even looked at further
    short = 0
    while not print_fit.may_need("\n" * (short + 1), 0.0, print_fit.MAX_ROW_POINTS):
        short += 1
    for cell in placed.cells:
        if cell.rows != 1:
            continue
        text = text_of(cell, texts)
        if len(text) <= short:
            continue
        width = layout.span_width(spans, widths, cell.col, cell.cols)
        # only a row taller than Excel's largest row grows: a text that cannot be is not
        # measured (the usual case: every text of the sheet)
        if not print_fit.may_need(text, width, print_fit.MAX_ROW_POINTS):
            continue
        h = print_fit.text_points(text, width)
        need[cell.row] = max(need.get(cell.row, 0.0), h)
        if h > print_fit.MAX_ROW_POINTS and (tallest is None or h > tallest[0]):
            tallest = (h, cell, text)
    split = {r: print_fit.split_rows(h) for r, h in need.items() if h > print_fit.MAX_ROW_POINTS}
    if not split:  # the usual case: no row grows, nothing moves
        return {}, None
    extra = {r: len(hs) - 1 for r, hs in split.items()}

    def moved(r: int) -> int:
        return r + sum(n for at, n in extra.items() if at < r)

    for cell in placed.cells:
        bottom = cell.row + cell.rows - 1
        cell.row, bottom = moved(cell.row), moved(bottom) + extra.get(bottom, 0)
        cell.rows = bottom - cell.row + 1
    placed.fields = {fid: (moved(r), c) for fid, (r, c) in placed.fields.items()}
    for place in placed.lists.values():
        place.head_row = None if place.head_row is None else moved(place.head_row)
        place.last_row = moved(place.last_row) + extra.get(place.last_row, 0)
        place.first_row = moved(place.first_row)
    placed.last_row = moved(placed.last_row) + extra.get(placed.last_row, 0)
    points = {moved(r) + i: h for r, hs in split.items() for i, h in enumerate(hs)}
    return points, (None if tallest is None else (tallest[1], tallest[2]))


def _section_breaks(form: Form, placed: Any, heights: list[float]) -> list[int]:
    """Page breaks before a section (a heading and what follows it, up to the next heading)
    that fits a page but would be split where the page would break."""
    widths = [float(w) for w in form.sheet.get("columns", [9] * placed.width)]
    page = print_fit.page_points(9, False, (0.5, 0.5, 0.5, 0.5), widths)
    starts = sorted({c.row for c in placed.cells if c.kind == "heading"})
    pages = print_fit.Pages(page, 0.0, sum(heights[:starts[0]]) if starts else 0.0)
    bounds = [*starts, placed.last_row + 1]
    for a, b in itertools.pairwise(bounds):
        pages.add(a, heights[a:b])
    return [r for r in pages.breaks if r > 0]
