"""Lay out a form-style sheet (``"layout": "sheet"``) from its definition.

The definition lists rows of cells: headings, labels, single fields, fixed values and
repeating lists. Laying out turns that into positions (row, column, spans) for one record, so
the generator, the reader and the report all agree on where everything is. Single fields get a
defined name ``fx_f_<field>``, lists ``fx_l_<list>`` (their body rows, spare rows included) and
``fx_l_<list>_head`` (their header row): a reader finds data through those names, which Excel and
LibreOffice move along when rows are inserted.

An entry of a list may take several rows (a column with ``"line": 2`` and a ``"caption"`` goes on
a second row that starts with that caption, as 取り組み / 状況 on the seed); a list with
``"blocks"`` prints the entries of one value of a column (the 課題) under one merged cell, a block
also ending where the ``restart`` column (a period) goes back in time; a row holding ``"check"``
cells (formulas that check a sum rule) is drawn in the input book only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fujimi_xl.core import fiscal
from fujimi_xl.core.messages import book_text
from fujimi_xl.core.normalise import CIRCLED
from fujimi_xl.forms import Form

Context = dict[str, Any]


@dataclass(slots=True)  # a sheet has a few hundred: no dict each
class Cell:
    row: int
    col: int
    rows: int  # rows spanned
    cols: int  # columns spanned
    kind: str  # heading | label | value | field | list_head | list_cell | caption | check
    text: str = ""
    field: str = ""  # field id (kind field) or list id (list_*)
    column: str = ""  # list column id
    index: int = -1  # list row index


@dataclass
class ListPlace:
    id: str
    head_row: int | None
    first_row: int
    last_row: int  # inclusive, spare rows included
    columns: list[tuple[str, int, int]]  # (column id, first col, span)
    height: int = 1  # sheet rows per entry
    lines: dict[str, int] = field(default_factory=dict)  # column id -> row within its entry
    captions: dict[int, str] = field(default_factory=dict)  # row within entry -> caption

    def row_of(self, index: int, column: str = "") -> int:
        """The sheet row of entry ``index``'s column ``column``."""
        return self.first_row + index * self.height + self.lines.get(column, 0)


@dataclass
class Placed:
    cells: list[Cell] = field(default_factory=list)
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)
    lists: dict[str, ListPlace] = field(default_factory=dict)
    last_row: int = 0
    width: int = 10


def context(form: Form, year: int, record: dict[str, Any], owner: str = "") -> Context:
    """What labels such as 実績値 {r1} and {y1} are filled with, for one record: the
    definition's ``sheet.periods`` say which placeholder is which year."""
    ctx: Context = {
        "owner": owner,
        "next_long": fiscal.long_label(year + 1),
        "year_long": fiscal.long_label(year),
    }
    for p in form.sheet.get("periods", []):
        ctx.update(_period(p, year, record))
    return ctx


def _period(p: dict[str, Any], year: int, record: dict[str, Any]) -> Context:
    """The placeholders of one ``sheet.periods`` entry: ``{name}``, or ``{name1}…{nameN}``."""
    value = record.get(p["field"]) if p.get("field") else None
    if value in (None, "") and "default" in p:
        value = year + int(p["default"])
    name, count = str(p["name"]), p.get("count")
    if value in (None, ""):
        return {name: ""} if count is None else {f"{name}{i}": "" for i in range(1, count + 1)}
    try:
        first = int(value) + int(p.get("offset", 0))
    except (TypeError, ValueError):
        return {name: value} if count is None else {}

    def show(y: int) -> Any:
        return fiscal.full_label(y) if p.get("style") == "full" else y

    if count is None:
        return {name: show(first)}
    return {f"{name}{i}": show(first + i - 1) for i in range(1, int(count) + 1)}


def fill(text: str, ctx: Context) -> str:
    if "{" not in text and "}" not in text:  # most labels: nothing to fill in
        return text
    try:
        return text.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return text


def list_rows(form: Form, list_id: str, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a list for a record: stored lists as they are, locked lists from lines."""
    spec = form.lists[list_id]
    if isinstance(record.get(list_id), list):
        return list(record[list_id])
    if spec.get("source"):  # one line of a text field per row, numbered ①②…
        lines = [ln for ln in str(record.get(spec["source"], "")).split("\n") if ln.strip()]
        number, text = (c["id"] for c in spec["columns"][:2])  # checked when the form loads
        return [{number: i, text: _strip_number(ln)} for i, ln in enumerate(lines, start=1)]
    sources = [c for c in spec["columns"] if c.get("source")]
    if sources:
        cols = {c["id"]: str(record.get(c["source"], "")).rstrip("\n").split("\n")
                for c in sources}
        n = max(len(v) for v in cols.values())
        if all(not x.strip() for v in cols.values() for x in v):
            n = 0
        return [{cid: (v[i] if i < len(v) else "") for cid, v in cols.items()} for i in range(n)]
    return []


def _strip_number(line: str) -> str:
    """①身近な… → 身近な… (the number is in its own column)."""
    s = line.strip()
    return s[1:].strip() if s[:1] in CIRCLED else s


def lay_out(form: Form, ctx: Context, record: dict[str, Any], first_row: int = 0,
            spare: bool = True, report: bool = False, lang: str = "ja") -> Placed:
    """Positions of every cell for ``record``; ``spare`` adds the empty rows lists keep for
    staff to write in (not in a printed report). ``report`` lays out the printed page: no
    check rows, list blocks merged, typed periods labelled as typed."""
    spec = form.sheet
    width = len(spec.get("columns", [])) or 10
    placed = Placed(width=width)
    r = first_row
    for row in spec["rows"]:
        if len(row) == 1 and "heading" in row[0]:
            placed.cells.append(Cell(r, 0, 1, width, "heading", fill(row[0]["heading"], ctx)))
            r += 1
            continue
        if len(row) == 1 and "list" in row[0]:
            r = _lay_list(form, placed, row[0], record, ctx, r, width, spare, report, lang)
            continue
        if report and any("check" in cell for cell in row):
            continue
        c = 0
        for cell in row:
            if "skip" in cell:
                c += int(cell["skip"])
                continue
            span = int(cell.get("span", 1))
            rowspan = int(cell.get("rowspan", 1))
            if "label" in cell:
                placed.cells.append(Cell(r, c, rowspan, span, "label", fill(cell["label"], ctx)))
            elif "value" in cell:
                placed.cells.append(Cell(r, c, rowspan, span, "value", fill(cell["value"], ctx)))
            elif "check" in cell:
                placed.cells.append(Cell(r, c, rowspan, span, "check", field=cell["check"]))
            elif "field" in cell:
                fid = cell["field"]
                placed.cells.append(Cell(r, c, rowspan, span, "field", field=fid))
                placed.fields[fid] = (r, c)
            c += span
        r += 1
    placed.last_row = r - 1
    return placed


def _lay_list(form: Form, placed: Placed, cell: dict[str, Any], record: dict[str, Any],
              ctx: Context, r: int, width: int, spare: bool = True, report: bool = False,
              lang: str = "ja") -> int:
    lid = cell["list"]
    spec = form.lists[lid]
    cols, lines, captions = list_columns(spec)
    height = max(lines.values(), default=0) + 1
    head_row = None
    if cell.get("header", True):
        head_row = r
        for (cid, c0, span), col in zip(cols, spec["columns"], strict=True):
            if lines[cid]:
                continue
            label = fill(col.get("label", ""), ctx)
            if report and col.get("type") == "period":
                label += book_text("period_as_typed", lang)
            placed.cells.append(Cell(r, c0, 1, span, "list_head", label, field=lid, column=cid))
        r += 1
    rows = list_rows(form, lid, record)
    n = max(len(rows), 1) + (int(spec.get("spare", 0)) if spare else 0)
    merged = _blocks(spec, rows) if report else {}
    merged_cols = {cid for _, cid in merged}
    # per column, once: id, first column, span, row within the entry, and its definition
    # when it is a label over the whole list (e.g. 事業計画)
    plan = [(cid, c0, span, lines[cid], col if "fixed" in col else None)
            for (cid, c0, span), col in zip(cols, spec["columns"], strict=True)]
    shown_captions = [(line, caption) for line, caption in captions.items() if caption]
    cells = placed.cells
    first = r
    for i in range(n):
        for line, caption in shown_captions:
            cells.append(Cell(r + line, 0, 1, 1, "caption", caption, lid))
        for cid, c0, span, line, fixed in plan:
            if fixed is not None:
                if i == 0:
                    cells.append(Cell(r, c0, n, span, "label", fill(fixed["fixed"], ctx), lid,
                                      cid))
                continue
            rows_down = 1
            if cid in merged_cols and (i, cid) in merged:
                rows_down = merged[(i, cid)]
                if rows_down == 0:  # inside a block: the block's first row holds it
                    continue
            cells.append(Cell(r + line, c0, rows_down, span, "list_cell", "", lid, cid, i))
        r += height
    placed.lists[lid] = ListPlace(lid, head_row, first, r - 1, cols, height, lines, captions)
    return r


def list_columns(spec: dict[str, Any]) -> tuple[list[tuple[str, int, int]], dict[str, int],
                                                 dict[int, str]]:
    """A list's columns as (id, first column, span), the row within an entry of each column,
    and the caption that starts each further row of an entry (状況)."""
    cols = []
    lines: dict[str, int] = {}
    captions: dict[int, str] = {}
    at: dict[int, int] = {}  # next free column per line
    for col in spec["columns"]:
        line = int(col.get("line", 1)) - 1
        if line and line not in captions:
            captions[line] = str(col.get("caption", ""))
            at[line] = 1 if captions[line] else 0
        c = at.get(line, 0)
        span = int(col.get("span", 1))
        cols.append((col["id"], c, span))
        lines[col["id"]] = line
        at[line] = c + span
    return cols, lines, captions


def _period_key(value: Any) -> tuple[int, int] | None:
    got = fiscal.parse_period(str(value or ""))
    return None if got is None else (got[0], 1 if got[1] == "下半期" else 0)


def _blocks(spec: dict[str, Any], rows: list[dict[str, Any]]) -> dict[tuple[int, str], int]:
    """(entry, column) -> rows the merged cell spans (0: inside a block) for a list whose
    ``blocks`` column groups its entries: a block runs while that column keeps its value and
    the ``restart`` column (a period) keeps moving forward in time."""
    blocks = spec.get("blocks")
    if not blocks or not rows:
        return {}
    column, restart = blocks.get("column"), blocks.get("restart")
    out: dict[tuple[int, str], int] = {}
    periods = [_period_key(row.get(restart)) for row in rows]  # each entry's, once
    start = 0
    for i in range(1, len(rows) + 1):
        ends = i == len(rows)
        if not ends:
            value = rows[i].get(column)
            same = value in (None, "") or value == rows[start].get(column)
            before = periods[i - 1]
            now = periods[i]
            back = before is not None and now is not None and now <= before
            ends = not same or back
        if ends:
            out[(start, column)] = i - start
            for j in range(start + 1, i):
                out[(j, column)] = 0
            start = i
    return out
