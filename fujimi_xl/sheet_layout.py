"""Lay out a form-style sheet (``"layout": "sheet"``) from its definition.

The definition lists rows of cells: headings, labels, single fields, fixed values and
repeating lists. Laying out turns that into positions (row, column, spans) for one record, so
the generator, the reader and the report all agree on where everything is. Single fields get a
defined name ``fx_f_<field>``, lists ``fx_l_<list>`` (their body rows, spare rows included) and
``fx_l_<list>_head`` (their header row): a reader finds data through those names, which Excel and
LibreOffice move along when rows are inserted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import fiscal
from .forms import Form

Context = dict[str, Any]


@dataclass
class Cell:
    row: int
    col: int
    rows: int  # rows spanned
    cols: int  # columns spanned
    kind: str  # heading | label | value | field | list_head | list_cell | check
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


@dataclass
class Placed:
    cells: list[Cell] = field(default_factory=list)
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)
    lists: dict[str, ListPlace] = field(default_factory=dict)
    last_row: int = 0
    width: int = 10


def context(form: Form, year: int, record: dict[str, Any], owner: str = "") -> Context:
    """What labels such as 実績値 {r1} and {y1} are filled with, for one record."""
    start = record.get("start_year") or year
    base = record.get("base_year") or year - 1
    target = record.get("target_year")
    ctx: Context = {
        "owner": owner,
        "base_year": base,
        "target_year": target or "",
        "next_long": fiscal.long_label(year + 1),
        "year_long": fiscal.long_label(year),
    }
    for i in range(1, 5):
        ctx[f"y{i}"] = fiscal.full_label(int(start) + i - 1)
    for i in range(1, 4):
        ctx[f"r{i}"] = int(base) + i
    return ctx


def fill(text: str, ctx: Context) -> str:
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
        return [{"no": i, "text": _strip_number(ln)} for i, ln in enumerate(lines, start=1)]
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
    from .forms import CIRCLED

    s = line.strip()
    return s[1:].strip() if s[:1] in CIRCLED else s


def lay_out(form: Form, ctx: Context, record: dict[str, Any], first_row: int = 0,
            spare: bool = True) -> Placed:
    """Positions of every cell for ``record``; ``spare`` adds the empty rows lists keep for
    staff to write in (not in a printed report)."""
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
            r = _lay_list(form, placed, row[0], record, ctx, r, width, spare)
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
            elif "field" in cell:
                fid = cell["field"]
                placed.cells.append(Cell(r, c, rowspan, span, "field", field=fid))
                placed.fields[fid] = (r, c)
            elif "check" in cell:  # ○/× of the sum rule whose total is this field
                placed.cells.append(Cell(r, c, rowspan, span, "check", field=cell["check"]))
            c += span
        r += 1
    placed.last_row = r - 1
    return placed


def _lay_list(form: Form, placed: Placed, cell: dict[str, Any], record: dict[str, Any],
              ctx: Context, r: int, width: int, spare: bool = True) -> int:
    lid = cell["list"]
    spec = form.lists[lid]
    cols = []
    c = 0
    for col in spec["columns"]:
        span = int(col.get("span", 1))
        cols.append((col["id"], c, span))
        c += span
    head_row = None
    if cell.get("header", True):
        head_row = r
        for (cid, c0, span), col in zip(cols, spec["columns"], strict=True):
            placed.cells.append(Cell(r, c0, 1, span, "list_head", fill(col.get("label", ""), ctx),
                                     field=lid, column=cid))
        r += 1
    rows = list_rows(form, lid, record)
    n = max(len(rows), 1) + (int(spec.get("spare", 0)) if spare else 0)
    first = r
    for i in range(n):
        for (cid, c0, span), col in zip(cols, spec["columns"], strict=True):
            if "fixed" in col:  # a label over the whole list, e.g. 事業計画
                if i == 0:
                    placed.cells.append(Cell(r, c0, n, span, "label", fill(col["fixed"], ctx),
                                             field=lid, column=cid))
                continue
            placed.cells.append(Cell(r, c0, 1, span, "list_cell", "", field=lid, column=cid,
                                     index=i))
        r += 1
    placed.lists[lid] = ListPlace(lid, head_row, first, r - 1, cols)
    return r
