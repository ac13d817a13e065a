"""Find the data of a form-style sheet in a returned workbook, by defined names only.

Single fields are read at ``fx_f_<field>``; repeating lists over the rows of ``fx_l_<list>``,
which grows when staff insert rows inside the list, so inserted rows are read, not lost. Locked
cells are compared with the snapshot taken when the workbook was issued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.utility import xl_cell_to_rowcol

from fujimi_xl.core import normalise
from fujimi_xl.core.errors import Problem
from fujimi_xl.core.model import RawBook, RawSheet
from fujimi_xl.forms import Form
from fujimi_xl.layouts.list.extract import Cell, addr, is_free_text, note_problem, shown_text

_REF = re.compile(
    r"^=?(?:'(?P<q>(?:[^']|'')+)'|(?P<s>[^!]+))!\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)"
    r"(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?$")


@dataclass
class SheetData:
    sheet: str = ""
    fields: dict[str, Cell] = field(default_factory=dict)
    lists: dict[str, list[dict[str, Cell]]] = field(default_factory=dict)
    list_ranges: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def parse_ref(ref: str) -> tuple[str, int, int, int, int] | None:
    """'シート'!$A$3:$J$5 → (sheet, r1, c1, r2, c2), 0-based; None when not such a ref."""
    m = _REF.match(ref.strip())
    if not m:
        return None
    sheet = m.group("q").replace("''", "'") if m.group("q") else m.group("s")
    r1, c1 = xl_cell_to_rowcol(m.group("c1") + m.group("r1"))
    r2, c2 = xl_cell_to_rowcol(m.group("c2") + m.group("r2")) if m.group("c2") else (r1, c1)
    return sheet, r1, c1, r2, c2


def _text(value: Any) -> str:
    return value if isinstance(value, str) else normalise.text(value)[0]


def extract_sheet(book: RawBook, form: Form, payload: dict[str, Any],
                  issued: dict[str, Any], file_name: str) -> SheetData:
    out = SheetData()
    refs = {name: parse_ref(ref) for name, ref in book.names.items() if name.startswith("fx_")}
    sheet_name = next((r[0] for n, r in refs.items() if r and n.startswith("fx_f_")), None)
    sheet: RawSheet | None = book.sheet(sheet_name) if sheet_name else None
    if sheet is None:
        sheet = book.sheet(payload.get("input_sheet", form.input_sheet))
    if sheet is None:
        out.problems.append(Problem("input_sheet_missing", file=file_name,
                                    params={"expected": payload.get("input_sheet")}))
        return out
    out.sheet = sheet.name
    snap: dict[str, Any] = issued.get("locked", {})
    banner = payload.get("banner")
    if banner is not None and sheet.value(1, 0) != banner:  # signed: a copied manifest
        out.problems.append(Problem("locked_changed", file=file_name, sheet=sheet.name,
                                    cell="A2", value=sheet.value(1, 0), item_key=issued["key"],
                                    params={"expected": banner}))

    def problem(code: str, row: int = -1, col: int = -1, **kw: Any) -> None:
        out.problems.append(Problem(code, file=file_name, sheet=sheet.name,
                                    cell=addr(row, col) if row >= 0 else "",
                                    item_key=issued["key"], **kw))

    for f in form.fields:
        if f.type == "list" or (f.type == "lines" and f.id not in snap):
            continue
        ref = refs.get(f"fx_f_{f.id}")
        if ref is None:
            if f.role == "input" or f.id in snap:
                problem("header_missing", field=f.label, field_id=f.id,
                        params={"expected": f.label})
            continue
        _, r, c, _, _ = ref
        raw = sheet.value(r, c)
        if f.role == "input":
            if is_free_text(f):
                raw = shown_text(book, sheet, r, c, raw)
            out.fields[f.id] = _noted(sheet, r, c, Cell(raw, addr(r, c)), out.problems,
                                      file=file_name, field=f.label, field_id=f.id,
                                      item_key=issued["key"])
        else:
            out.fields[f.id] = Cell(raw, addr(r, c))
        if f.id in snap and f.role in ("key", "locked"):
            got = _text(sheet.value(r, c)).replace("\r\n", "\n")
            if got != snap[f.id]:
                problem("locked_changed", r, c, field=f.label, field_id=f.id, value=got,
                        params={"expected": snap[f.id]})

    for lid, spec in form.lists.items():
        ref = refs.get(f"fx_l_{lid}")
        columns = payload.get("lists", {}).get(lid)
        if ref is None or columns is None:
            if spec.get("role") == "input":
                problem("header_missing", field=lid, params={"expected": lid})
            continue
        _, r1, c0, r2, _ = ref
        out.list_ranges[lid] = f"{addr(r1, c0)}:{addr(r2, c0 + 9)}"
        fixed = {c["id"] for c in spec["columns"] if "fixed" in c}
        free = {c["id"] for c in spec["columns"] if is_free_text(c)}
        typed = spec.get("role") == "input"
        # an entry over several rows: a row starting with a line's caption (状況) is that
        # line of the entry above; any other row starts an entry
        line_of = {c[0]: (c[2] if len(c) > 2 else 0) for c in columns}
        offsets = [(c[0], c[1]) for c in columns]
        captions = {str(c.get("caption", "")): int(c.get("line", 1)) - 1
                    for c in spec["columns"] if int(c.get("line", 1)) > 1 and c.get("caption")}
        carry = [c["id"] for c in spec["columns"] if c.get("carry")]
        rows: list[dict[str, Cell]] = []
        entries = _entries(sheet, r1, r2, c0, captions, max(line_of.values(), default=0) + 1)
        for r, lines in entries:
            cells = {cid: (Cell(sheet.value(lines[line_of[cid]], c0 + off),
                                addr(lines[line_of[cid]], c0 + off))
                           if line_of[cid] in lines else
                           Cell(None, addr(r + line_of[cid], c0 + off)))
                     for cid, off in offsets if cid not in fixed}
            if typed:
                for cid, off in offsets:
                    rr = lines.get(line_of[cid])
                    if rr is None:
                        continue
                    if cid in cells and cid in free and type(cells[cid].raw) is not str:
                        cells[cid].raw = shown_text(book, sheet, rr, c0 + off, cells[cid].raw)
                if sheet.notes:
                    for cid, off in offsets:
                        rr = lines.get(line_of[cid])
                        if rr is not None and cid in cells and (rr, c0 + off) in sheet.notes:
                            label = next(c.get("label") or cid for c in spec["columns"]
                                         if c["id"] == cid)
                            _noted(sheet, rr, c0 + off, cells[cid], out.problems,
                                   file=file_name, field=label,
                                   field_id=f"{lid}:{len(rows)}:{cid}",
                                   item_key=issued["key"])
            if any(_text(c.raw).strip() for c in cells.values()) or any(
                    c.refused for c in cells.values()):
                if rows and typed:  # a blank carried column: the same as the entry above
                    for cid in carry:
                        if cid in cells and not _text(cells[cid].raw).strip() and \
                                not cells[cid].refused:
                            cells[cid] = Cell(rows[-1][cid].raw, rows[-1][cid].address)
                rows.append(cells)
        out.lists[lid] = rows
        if spec.get("role") == "locked":
            want = snap.get(f"list:{lid}", [])
            for i, cells in enumerate(rows):
                expected = want[i] if i < len(want) else {}
                for cid, cell in cells.items():
                    got = _text(cell.raw).replace("\r\n", "\n")
                    if got != expected.get(cid, ""):
                        row_no, col_no = xl_cell_to_rowcol(cell.address)
                        problem("locked_changed", row_no, col_no, field=lid,
                                field_id=f"{lid}:{i}:{cid}", value=got,
                                params={"expected": expected.get(cid, "")})
            if len(rows) < len([w for w in want if any(w.values())]):
                problem("row_missing", r1, c0, field=lid, params={"expected": lid})
    return out


def _entries(sheet: RawSheet, r1: int, r2: int, c0: int, captions: dict[str, int],
             height: int) -> list[tuple[int, dict[int, int]]]:
    """(first row, line -> sheet row) of every entry of a list over rows ``r1``..``r2``."""
    if height == 1:
        return [(r, {0: r}) for r in range(r1, r2 + 1)]
    out: list[tuple[int, dict[int, int]]] = []
    for r in range(r1, r2 + 1):
        line = captions.get(_text(sheet.value(r, c0)).strip())
        if line is not None and out and line not in out[-1][1]:
            out[-1][1][line] = r
        elif line is None:
            out.append((r, {0: r}))
    return out


def _noted(sheet: RawSheet, row: int, col: int, cell: Cell, problems: list[Problem],
           **place: Any) -> Cell:
    """``cell``, with the problem of what the sheet's XML noted there (a formula, XML Excel
    never writes) added to ``problems``; a cell refused so is marked as such."""
    note = sheet.notes.get((row, col)) if sheet.notes else None
    if note is not None:
        p = note_problem(note, cell.raw, sheet=sheet.name, cell=cell.address, **place)
        problems.append(p)
        cell.refused = p.severity == "error"
    return cell

