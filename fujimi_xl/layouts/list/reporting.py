"""The consolidated table in the seed's layout, print-ready (xlsxwriter).

One sheet per section (節): the plan's title, the subtitle with the fiscal year, a header row
項目(節·項·号) · 計画 · H29実施内容 · 評価 · 理由・課題等 · H30計画内容 repeated on every printed page,
items in plan order, an item reported by several groups merged over its rows. A4 landscape,
fitted to the page width, wrapped text, row heights computed from the text. Then a summary sheet
(grades per section with a native chart, and the groups that have not returned).
Every value is written with ``write_string``: a cell starting with = + - @ stays text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from itertools import groupby
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from fujimi_xl.core import bulk, fiscal, outfile
from fujimi_xl.core.errors import Notice
from fujimi_xl.core.messages import (
    BOOK,
    DEFAULT_FONT,
    GROUP_ATTRIBUTES,
    REPORT_FILE_SUFFIX,
    book_text,
)
from fujimi_xl.forms import Form, fieldtypes
from fujimi_xl.layouts import layout, print_fit
from fujimi_xl.store.dataset import Row, Table

PAPER = {"A4": 9, "A3": 8}
MARGINS = (0.4, 0.4, 0.6, 0.6)  # left, right, top, bottom (inches)
MISSING_TEXT = book_text("report_missing")  # import_report finds an unreturned row by it
SUBTOTAL_TEXT = BOOK["report_subtotal"][0]  # the total row of a group (report "totals")
TOTAL_TEXT = book_text("report_total")
SUMMARY_SHEET = book_text("report_summary_sheet")  # import_report skips it by name


@bulk.gc_paused()
def write_report(path: Path, form: Form, table: Table, *, title: str = "",
                 font: str = DEFAULT_FONT, created: dt.datetime | None = None,
                 warnings: list[str] | None = None, notices: list[Notice] | None = None) -> Path:
    """Write the report; an item printed over several pages goes to ``notices`` (message
    records) and ``warnings`` (their Japanese texts), naming the item and the report's cell."""
    notices = notices if notices is not None else []
    first_notice = len(notices)
    cfg = form.report
    path = Path(path)
    created = created or dt.datetime.now()
    tmp = outfile.temp_for(path)  # renamed into place by outfile.commit below
    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                         "strings_to_urls": False,
                                         "strings_to_numbers": False, "in_memory": True})
    wb.set_properties({"title": f"{title} {fiscal.long_label(table.year)}{form.title}{REPORT_FILE_SUFFIX}",
                       "author": "fujimi-xl", "created": created})
    base = {"font_name": font, "font_size": 10}
    cache: dict[tuple[Any, ...], Any] = {}

    def fmt(**kw: Any) -> Any:
        k = tuple(sorted(kw.items()))
        if k not in cache:
            cache[k] = wb.add_format({**base, **kw})
        return cache[k]

    cols: list[str] = list(cfg.get("columns") or [f.id for f in form.fields])
    # after a rollover, last year's plan for this year is printed beside the plan
    carry_cols = [c for c in cfg.get("carry_columns", [])
                  if any(r.record.get(c) for r in table.rows)]
    after = cfg.get("carry_after", "")
    if carry_cols and after in cols:
        at = cols.index(after) + 1
        cols[at:at] = carry_cols
    widths: dict[str, float] = cfg.get("widths", {})
    center = set(cfg.get("center", []))
    merge_fields: list[str] = cfg.get("merge", [])
    head_merge = cfg.get("header_merge")
    group_by: str = cfg.get("group_by") or ""
    year = table.year

    # no bold: Japanese fonts have no bold face, and a synthetic one mixes with Latin fonts
    f_title = fmt(font_size=14, align="center", valign="vcenter")
    f_sub = fmt(font_size=11, align="center", valign="vcenter")
    f_head = fmt(border=1, align="center", valign="vcenter", bg_color="#D9D9D9", text_wrap=True)
    f_cell = fmt(border=1, text_wrap=True, valign="top")
    f_cell_c = fmt(border=1, text_wrap=True, valign="top", align="center")
    f_missing = fmt(border=1, text_wrap=True, valign="top", font_color="#808080", italic=True)

    # typed columns (fieldtypes): numbers right-aligned in the definition's number format,
    # dates as date cells (or in a text style such as 令和5年4月1日, centred)
    typed_style: dict[str, Any] = {}
    for fid in cols:
        f = form.by_id[fid]
        ft = fieldtypes.of(f.type, bool(f.choices))
        if ft.numeric:
            typed_style[fid] = fmt(border=1, valign="top", align="right",
                                   num_format=f.format or ft.report_format)
        elif ft.id == "date":
            typed_style[fid] = fmt(border=1, valign="top", align="center",
                                   num_format=_date_format(f.format))
    totals: list[str] = [fid for fid in cfg.get("totals", []) if fid in cols]
    f_total_head = fmt(border=1, valign="vcenter", bg_color="#F2F2F2")
    f_totals = {fid: fmt(border=1, valign="vcenter", align="right", bg_color="#F2F2F2",
                         num_format=(form.by_id[fid].format or fieldtypes.of(
                             form.by_id[fid].type).report_format or "#,##0"))
                for fid in totals}
    grand: dict[str, float] = {fid: 0 for fid in totals}

    sections = _sections(table, group_by)
    firsts = [_section_value(group_by, s[0]) for s in sections if s]
    # without a subtitle, the page still says of which form and year it is
    subtitle = cfg.get("subtitle", BOOK["report_default_subtitle"][0]).format(
        year_long=fiscal.long_label(year), form_title=form.title,
        first=firsts[0] if firsts else "",
        last=firsts[-1] if firsts else "")

    def width(fid: str) -> float:
        return float(widths.get(fid, form.by_id[fid].width))

    for rows in sections:
        if not rows:
            continue
        label = _section_label(form, group_by, rows[0]) if group_by else REPORT_FILE_SUFFIX
        ws = wb.add_worksheet(label[:31])
        last_col = len(cols) - 1
        for c, fid in enumerate(cols):
            ws.set_column(c, c, width(fid))
        ws.merge_range(0, 0, 0, last_col, title, f_title)
        ws.set_row(0, 24)
        ws.merge_range(1, 0, 1, last_col, subtitle, f_sub)
        ws.set_row(1, 18)
        hr = 3
        c = 0
        while c < len(cols):
            fid = cols[c]
            if head_merge and fid == head_merge["fields"][0]:
                n = len(head_merge["fields"])
                ws.merge_range(hr, c, hr, c + n - 1, head_merge["label"], f_head)
                c += n
                continue
            ws.write_string(hr, c, form.by_id[fid].label_for(year), f_head)
            c += 1
        ws.set_row(hr, 22)

        r0 = hr + 1
        blocks = [list(g) for _, g in groupby(rows, key=lambda r: r.key)]
        first_input = _first_input(form, cols)
        # per column, once: (column, field id, width, style, merged over an item's rows)
        specs = [(c, fid, width(fid), typed_style.get(fid) or (
                  f_cell_c if fid in center else f_cell), fid in merge_fields)
                 for c, fid in enumerate(cols)]
        landscape = cfg.get("orientation", "landscape") == "landscape"
        paper = PAPER.get(cfg.get("paper", "A4"), 9)
        page = print_fit.page_points(paper, landscape, MARGINS, [width(f) for f in cols])
        pages = print_fit.Pages(page, top=22, used=24 + 18 + 15 + 22)
        r = r0
        # per column, once: how its values print, and its width
        shows = [(fid, _shower(form.by_id[fid])) for fid in cols]
        col_widths = [w for _, _, w, _, _ in specs]
        merged_cols = [merged for *_, merged in specs]
        col_styles = [(c, style) for c, _, _, style, _ in specs]
        plain = not typed_style  # no cell of a row needs more than write_string
        write_string, row_points, split_rows = ws.write_string, print_fit.row_points, \
            print_fit.split_rows
        for block in blocks:
            if plain and len(block) == 1 and block[0].returned:
                rec = block[0].record
                # a text prints as it is (_plain's first case) without a call
                cells = [v if (v := rec.get(fid)).__class__ is str and show is _plain
                         else show(v) for fid, show in shows]
                heights = split_rows(row_points(zip(cells, col_widths, strict=True)))
                if len(heights) == 1:  # the usual item: one row of plain texts, inline
                    for (c, style), text in zip(col_styles, cells, strict=True):
                        if len(text) <= layout.EXCEL_TEXT_LIMIT:
                            write_string(r, c, text, style)
                        else:
                            _put(ws, r, c, 1, text, style)
                    ws.set_row(r, heights[0])
                    if pages.add_row(r, heights[0]) > 1 and max(0.0, *(
                            print_fit.text_points(t, w) for t, w in zip(
                                cells, col_widths, strict=True))) > pages.room:
                        _warn_tall(form, year, ws.name, r, specs, [cells], [heights], block,
                                   notices)
                    r += 1
                    continue
            # a text taller than Excel's largest row gets several rows, its cells merged
            # over them; the fields merged over an item's rows span them all
            texts = [[show(row.record.get(fid)) for fid, show in shows] for row in block]
            several = len(block) > 1
            if several:
                spans = [print_fit.split_rows(print_fit.row_points(
                    [(t, w) for t, w, merged in zip(cells, col_widths, merged_cols, strict=True)
                     if not merged])) for cells in texts]
                need = print_fit.row_points([(t, w) for t, w, merged in zip(
                    texts[0], col_widths, merged_cols, strict=True) if merged])
                have = sum(sum(h) for h in spans)
                if need > have:
                    spans[-1] = print_fit.split_rows(sum(spans[-1]) + need - have)
                n_rows = sum(len(h) for h in spans)
            else:  # a single row measures its merged fields' texts with the others
                spans = [print_fit.split_rows(print_fit.row_points(
                    zip(texts[0], col_widths, strict=True)))]
                need = 0.0
                n_rows = len(spans[0])
            block_merge = several or n_rows > 1
            top = r
            for row, cells, heights in zip(block, texts, spans, strict=True):
                for (c, fid, _w, style, merged), text in zip(specs, cells, strict=True):
                    if merged and block_merge:
                        continue
                    if not row.returned and fid == first_input:
                        text, style = f"{MISSING_TEXT}{row.group.name}", f_missing
                    elif fid in typed_style and text:
                        _put_typed(ws, r, c, len(heights), form.by_id[fid],
                                   row.record.get(fid), style)
                        continue
                    if len(heights) == 1 and len(text) <= layout.EXCEL_TEXT_LIMIT:
                        ws.write_string(r, c, text, style)  # _put's usual case, inline
                    else:
                        _put(ws, r, c, len(heights), text, style)
                for i, h in enumerate(heights):
                    ws.set_row(r + i, h)
                r += len(heights)
            if block_merge:
                for c, fid, _w, style, merged in specs:
                    if merged:
                        _put(ws, top, c, n_rows, _text(form, fid, block[0]), style)
            printed = pages.add(top, [h for hs in spans for h in hs] if several else spans[0])
            # many short rows of one item over two pages are fine; a text taller than a page
            # is printed across a page break, which the clerk should look at
            if printed > 1 and max(need, *(print_fit.text_points(t, w) for cells in texts
                                           for t, w in zip(cells, col_widths, strict=True))) \
                    > pages.room:
                _warn_tall(form, year, ws.name, top, specs, texts, spans, block, notices)
        if totals:
            r = _total_rows(ws, r, cols, totals, rows, label, len(sections),
                            rows is sections[-1], grand, f_total_head, f_totals, pages)
        if pages.breaks:
            ws.set_h_pagebreaks(pages.breaks)

        ws.repeat_rows(hr)
        ws.freeze_panes(hr + 1, 0)
        ws.set_landscape() if landscape else ws.set_portrait()
        ws.set_paper(paper)
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(*MARGINS)
        ws.set_footer(f"&C{label}　&P / &N")
        ws.print_area(0, 0, r - 1, last_col)

    _summary(wb, fmt, form, table, sections, group_by, title, subtitle)
    done = outfile.commit(tmp, path, wb.close)
    if warnings is not None:
        warnings.extend(str(n) for n in notices[first_notice:])
    return done


def _sections(table: Table, group_by: str) -> list[list[Row]]:
    """The rows of each sheet of the report: runs of equal values of the field ``group_by``, or
    with ``@department`` (an attribute of the group that returned the row, see
    ``GROUP_ATTRIBUTES``) the rows of each department in the plan's order of departments."""
    if not group_by:
        return [table.rows]
    rows = table.rows
    if group_by.startswith("@"):
        attr = group_by[1:]
        order: dict[Any, int] = {}
        for g in table.groups:
            order.setdefault(getattr(g, attr), len(order))
        rows = sorted(rows, key=lambda r: order.get(getattr(r.group, attr), len(order)))
    return [list(g) for _, g in groupby(rows, key=lambda r: _section_value(group_by, r))]


def _section_value(group_by: str, row: Row) -> Any:
    if group_by.startswith("@"):
        return getattr(row.group, group_by[1:])
    return row.record.get(group_by)


def _section_label(form: Form, group_by: str, row: Row) -> str:
    if group_by.startswith("@"):
        return str(_section_value(group_by, row) or "")
    return form.by_id[group_by].show(row.record.get(group_by))


def _section_head(form: Form, group_by: str | None) -> str:
    if not group_by:
        return ""
    if group_by.startswith("@"):
        return GROUP_ATTRIBUTES[group_by[1:]][0]
    return form.by_id[group_by].label


def _total_rows(ws: Any, r: int, cols: list[str], totals: list[str], rows: list[Row],
                label: str, n_sections: int, last: bool, grand: dict[str, float],
                f_head: Any, f_totals: dict[str, Any], pages: Any) -> int:
    """The total row of a group (report "totals"), and after the last group the overall
    total; returns the next free row."""
    sums = {fid: _sum(row.record.get(fid) for row in rows) for fid in totals}
    for fid in totals:
        grand[fid] += sums[fid]
    lines = [(TOTAL_TEXT if n_sections == 1 else SUBTOTAL_TEXT.format(label=label), sums)]
    if last and n_sections > 1:
        lines.append((TOTAL_TEXT, grand))
    first_total = min(cols.index(fid) for fid in totals)
    for text, values in lines:
        if first_total > 1:
            ws.merge_range(r, 0, r, first_total - 1, text, f_head)
        elif first_total == 1:
            ws.write_string(r, 0, text, f_head)
        for c in range(first_total, len(cols)):
            fid = cols[c]
            if fid in totals:
                ws.write_number(r, c, _sum([values[fid]]), f_totals[fid])
            else:
                ws.write_blank(r, c, None, f_head)
        ws.set_row(r, 18)
        pages.add(r, [18.0])
        r += 1
    return r


def _sum(values: Any) -> float:
    """The total of the numbers among ``values`` (blanks and 「-」 count nothing)."""
    total: float = 0
    for v in values:
        if isinstance(v, int | float) and not isinstance(v, bool):
            total += v
    return int(total) if float(total).is_integer() else total


def _date_format(style: str) -> str:
    """The number format of a report's date cell: a field's "format" (an Excel format, or
    iso / slash); wareki is written as text (see _put_typed)."""
    if style == "iso":
        return "yyyy-mm-dd"
    if style in ("", "slash", "wareki"):
        return "yyyy/m/d"
    return style


def _put_typed(ws: Any, r: int, c: int, n_rows: int, f: Any, value: Any, style: Any) -> None:
    """A typed value as its type prints: a number cell, a date cell, or a date in words."""
    data: Any = value
    if fieldtypes.of(f.type).id == "date" and isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            data = value
        else:
            data = fieldtypes.wareki(value) if f.format == "wareki" else \
                dt.datetime(day.year, day.month, day.day)
    elif not isinstance(value, int | float) or isinstance(value, bool):
        data = str(value)  # 「-」 in a number column
    if n_rows > 1:
        ws.merge_range(r, c, r + n_rows - 1, c, "", style)
    if isinstance(data, dt.datetime):
        ws.write_datetime(r, c, data, style)
    elif isinstance(data, int | float):
        ws.write_number(r, c, data, style)
    else:
        ws.write_string(r, c, data, style)


def _put(ws: Any, r: int, c: int, n_rows: int, text: str, style: Any) -> None:
    """Write ``text`` at (r, c), merged down over ``n_rows`` rows when more than one."""
    if len(text) > layout.EXCEL_TEXT_LIMIT:
        text, _ = layout.cell_text(text)
    if n_rows > 1:
        ws.merge_range(r, c, r + n_rows - 1, c, text, style)
    else:
        ws.write_string(r, c, text, style)


def _warn_tall(form: Form, year: int, sheet: str, top: int, specs: list[Any],
               texts: list[list[str]], spans: list[list[float]],
               block: list[Row], notices: list[Notice]) -> None:
    """The item's tallest text, named by the report's sheet!cell: it prints over pages."""
    best = (0.0, 0, 0, "", "")
    r = top
    for cells, heights in zip(texts, spans, strict=True):
        for (c, fid, w, *_), text in zip(specs, cells, strict=True):
            h = print_fit.text_points(text, w)
            if h > best[0]:
                best = (h, top if fid in form.report.get("merge", []) else r, c, fid, text)
        r += len(heights)
    _, row, col, fid, text = best
    notices.append(Notice("print_spans_pages", {
        "where": f"{sheet}!{xl_rowcol_to_cell(row, col)}", "item": block[0].key,
        "label": form.by_id[fid].label_for(year), "length": len(text)}))
def _first_input(form: Form, cols: list[str]) -> str:
    return next((fid for fid in cols if form.by_id[fid].role == "input"), "")


def _text(form: Form, fid: str, row: Row) -> str:
    return _shower(form.by_id[fid])(row.record.get(fid))


def _shower(f: Any) -> Callable[[Any], str]:
    """How the values of field ``f`` print in the report: decided once per column."""
    if f.role == "key":
        return f.show  # type: ignore[no-any-return]
    kind = fieldtypes.of(f.type).id
    if kind == "fiscal_year" or (f.format == "wareki" and kind == "date"):
        wareki = kind == "date"

        def show(value: Any) -> str:
            if type(value) is int and not wareki:
                return fiscal.long_label(value)
            if wareki and isinstance(value, str):
                try:
                    return fieldtypes.wareki(value)
                except ValueError:
                    return value
            return _plain(value)

        return show
    return _plain


def _plain(value: Any) -> str:
    """A value as text: a whole float without its ".0", nothing for None."""
    if type(value) is str:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _summary(wb: Any, fmt: Any, form: Form, table: Table, sections: list[list[Row]],
             group_by: str | None, title: str, subtitle: str) -> None:
    field_id: str = form.report.get("summary_field") or ""
    ws = wb.add_worksheet(SUMMARY_SHEET)
    f_head = fmt(bold=True, border=1, align="center", valign="vcenter", bg_color="#D9D9D9",
                 text_wrap=True)
    f_cell = fmt(border=1, valign="top", text_wrap=True)
    f_num = fmt(border=1, align="center")
    ws.write_string(0, 0, f"{title}　{subtitle}", fmt(font_size=12))
    scale = form.choice_values(form.by_id[field_id].choices) if field_id else []
    heads = [_section_head(form, group_by), *scale, book_text("report_missing_head"),
             book_text("report_count_total")]
    ws.write_string(2, 0, book_text("report_summary_of", label=form.by_id[field_id].label)
                    if field_id else book_text("report_summary_returns"), fmt(bold=True))
    for c, h in enumerate(heads):
        ws.write_string(3, c, h, f_head)
    ws.set_column(0, 0, 12)
    ws.set_column(1, len(heads), 9)
    r = 4
    totals: Counter[str] = Counter()
    for rows in sections:
        if not rows:
            continue
        label = _section_label(form, group_by, rows[0]) if group_by else ""
        counts = Counter(str(row.record.get(field_id)) if row.returned else "_missing"
                         for row in rows)
        ws.write_string(r, 0, label, f_cell)
        for c, g in enumerate(scale, start=1):
            ws.write_number(r, c, counts.get(g, 0), f_num)
        ws.write_number(r, len(scale) + 1, counts.get("_missing", 0), f_num)
        ws.write_number(r, len(scale) + 2, len(rows), f_num)
        totals.update(counts)
        r += 1
    ws.write_string(r, 0, TOTAL_TEXT, f_head)
    for c, g in enumerate(scale, start=1):
        ws.write_number(r, c, totals.get(g, 0), f_num)
    ws.write_number(r, len(scale) + 1, totals.get("_missing", 0), f_num)
    ws.write_number(r, len(scale) + 2, sum(totals.values()), f_num)
    last_data = r - 1

    if scale and last_data >= 4:
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        colors = ["#2E75B6", "#70AD47", "#FFC000", "#C00000", "#7F7F7F", "#A5A5A5"]
        for i in range(len(scale)):
            chart.add_series({
                "name": [SUMMARY_SHEET, 3, i + 1],
                "categories": [SUMMARY_SHEET, 4, 0, last_data, 0],
                "values": [SUMMARY_SHEET, 4, i + 1, last_data, i + 1],
                "fill": {"color": colors[i % len(colors)]},
            })
        by = _section_head(form, group_by)
        chart.set_title({"name": book_text("report_chart_title",
                                           label=form.by_id[field_id].label, by=by),
                         "name_font": {"name": DEFAULT_FONT, "size": 11}})
        chart.set_y_axis({"name": book_text("report_chart_count"),
                          "major_gridlines": {"visible": True},
                          "num_font": {"name": DEFAULT_FONT}})
        chart.set_x_axis({"num_font": {"name": DEFAULT_FONT}})
        chart.set_legend({"position": "bottom", "font": {"name": DEFAULT_FONT}})
        chart.set_size({"width": 520, "height": 300})
        ws.insert_chart(r + 2, 0, chart)

    r_m = r + (19 if scale and last_data >= 4 else 2)  # below the chart, if there is one
    ws.write_string(r_m, 0, book_text("report_missing_groups"), fmt(bold=True))
    for c, h in enumerate(book_text("report_missing_heads").split("|")):
        ws.write_string(r_m + 1, c, h, f_head)
    ws.set_column(1, 3, 16)
    owned = Counter(row.group.code for row in table.rows)
    if not table.missing:
        ws.merge_range(r_m + 2, 0, r_m + 2, 3, book_text("report_none_missing"), f_cell)
    for i, missing in enumerate(table.missing, start=r_m + 2):
        ws.write_string(i, 0, missing.code, f_cell)
        ws.write_string(i, 1, missing.department, f_cell)
        ws.write_string(i, 2, missing.name, f_cell)
        ws.write_number(i, 3, owned.get(missing.code, 0), f_num)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
