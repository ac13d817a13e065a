"""The feedback workbook for a rejected file: built from our own template, not by re-saving theirs.

Re-saving the staff's file with openpyxl would lose what it does not support (data validations
stored as x14 extensions, for one), so the group's workbook is generated again with the same
signed manifest, their values put back into the input cells, every bad cell highlighted with a
comment, and a first sheet listing what to fix. Sent back as it is, it is accepted once fixed.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlsxwriter.utility import xl_rowcol_to_cell

from fujimi_xl import store
from fujimi_xl.core import normalise, outfile
from fujimi_xl.core.errors import Problem
from fujimi_xl.core.messages import DEFAULT_FONT, book_text
from fujimi_xl.core.model import Group, PlanItem
from fujimi_xl.forms import Form
from fujimi_xl.layouts.list import generator as generate
from fujimi_xl.layouts.sheet import sheet_generator
from fujimi_xl.layouts.sheet.sheet_generator import cell_of
from fujimi_xl.store.plans import group_row

if TYPE_CHECKING:
    from fujimi_xl.store.workspace import Workspace


def _raw_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return normalise.text(value)[0]


def write_feedback(ws: Workspace, form: Form, issue: Any, ex: Any,
                   problems: list[Problem], file_name: str, lang: str = "ja", *,
                   build: Callable[..., Path], conn: Any = None) -> Path:
    """Write the feedback workbook of a refused file; ``lang`` ("ja" or "en") is the language
    of its fixed texts and of the messages (the file name stays 差戻し_…). ``conn``: a store
    of the master the caller has open (an ingest worker's), else one is opened here (and
    the master checked, as every command's first open of it is)."""
    if conn is not None:
        g = group_row(conn, issue["group_code"])
    else:
        opened = ws.connect()
        try:
            g = group_row(opened, issue["group_code"])
        finally:
            opened.close()
    group = Group(issue["group_code"], g["department"] if g else "", g["name"] if g else "")
    out_dir = ws.feedback / str(issue["year"]) / issue["form"]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"差戻し_{Path(file_name).stem}.xlsx"
    # written under a temporary name, then renamed: workers build feedback workbooks in
    # parallel, and two refused files of the same name must not write one file at once
    # (a feedback workbook open in Excel is named in an OutputError, and left whole)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.xlsx")
    # build: the layout's own workbook (list_feedback or sheet_feedback, from the registry)
    return outfile.commit(tmp, path, lambda: build(ws, form, issue, ex, problems, group, tmp,
                                                   lang))


def list_feedback(ws: Workspace, form: Form, issue: Any, ex: Any, problems: list[Problem],
                   group: Group, path: Path, lang: str) -> Path:
    issued_items = store.loads(issue["items"])
    items = []
    for it in issued_items:
        record: dict[str, Any] = {}
        for f in form.locked_fields:
            text = it.get(f.id, "")
            record[f.id] = f.read_key(text) if f.role == "key" else text
        items.append(PlanItem(it["key"], group.code, record))
    values = {k: {fid: _raw_text(c.raw) for fid, c in cells.items()
                  if fid in {f.id for f in form.input_fields}}
              for k, cells in ex.rows.items()}
    ref_ids = [f.id for f in form.references]
    references = None
    if ref_ids and any(r in it for it in issued_items for r in ref_ids):
        references = {it["key"]: {r: it.get(r, "") for r in ref_ids} for it in issued_items}
    marks: dict[tuple[str, str], list[str]] = {}
    rows = []
    index = {it.key: i for i, it in enumerate(items)}
    for p in problems:
        msg = p.message(lang)
        if p.item_key in index and p.field_id in form.by_id:
            marks.setdefault((p.item_key, p.field_id), []).append(msg)
            cell = f"{form.input_sheet}!" + generate.cell_of(
                form, index[p.item_key], p.field_id, references is not None)
        else:
            cell = p.where()
        level = "" if p.severity == "error" else book_text("feedback_reference", lang)
        rows.append((cell, p.field, level + msg))
    payload_key = ws.key()
    generate.build(
        path, form, issue["year"], group, items, key=payload_key, issue_id=issue["issue_id"],
        references=references,
        issued_at=issue["issued_at"], title=ws.title_for(issue["form"]),
        font=ws.config.get("font", DEFAULT_FONT),
        password=ws.password, values=values, marks=marks, feedback_rows=rows, lang=lang,
    )
    return path


def sheet_feedback(ws: Workspace, form: Form, issue: Any, data: Any,
                    problems: list[Problem], group: Group, path: Path,
                    lang: str = "ja") -> Path:
    """The feedback workbook of a form-style sheet. It is laid out again from the staff's
    values (lists as long as they filled them, plus spare rows), so each problem is listed at
    the address of its marked cell in THIS workbook, not the returned one, in sheet order."""
    issued = store.loads(issue["items"])[0]
    inputs = {f.id for f in form.input_fields}
    values: dict[str, Any] = {}
    if data is not None and getattr(data, "fields", None) is not None:
        values = {fid: _raw_text(c.raw) for fid, c in data.fields.items() if fid in inputs}
        for lid, rows in data.lists.items():
            if form.lists[lid].get("role") == "input":
                values[lid] = [{cid: _raw_text(c.raw) for cid, c in cells.items()}
                               for cells in rows]
    item = PlanItem(issued["key"], group.code, issued["record"])
    placed = sheet_generator.place(form, issue["year"], group, item, values=values)
    moved = _moved_cells(data, placed)
    marks: dict[tuple[str, str], list[str]] = {}
    listed: list[tuple[tuple[int, int], tuple[str, str, str]]] = []
    for p in problems:
        keys: list[tuple[str, str]] = []
        if p.field_id.count(":") == 2:
            lid, rest = p.field_id.split(":", 1)
            keys.append((lid, rest))
        elif p.field_id in inputs:
            # a rule over several cells (a budget that does not add up) marks all of them
            keys += [(fid, "") for fid in str(p.params.get("field_ids") or p.field_id).split(",")]
        p = _moved_problem(p, moved, data)
        msg = p.message(lang)
        for k in keys:
            marks.setdefault(k, []).append(msg)
        at = _cell_in(placed, *keys[0]) if keys else moved.get(p.cell) if p.cell else None
        where = p.where()
        if at is not None and p.sheet:
            where = f"{form.input_sheet}!{xl_rowcol_to_cell(*at)}"
        level = "" if p.severity == "error" else book_text("feedback_reference", lang)
        listed.append((at if at is not None else (-1, -1), (where, p.field, level + msg)))
    listed.sort(key=lambda x: x[0])  # stable: problems without a cell first, as found
    sheet_generator.build(
        path, form, issue["year"], group, item, key=ws.key(), issue_id=issue["issue_id"],
        issued_at=issue["issued_at"], title=ws.title_for(issue["form"]),
        font=ws.config.get("font", DEFAULT_FONT),
        password=ws.password, values=values, marks=marks,
        feedback_rows=[row for _, row in listed], lang=lang)
    return path


def _cell_in(placed: Any, field_id: str, rest: str) -> tuple[int, int] | None:
    if not rest:
        return cell_of(placed, field_id)
    index, column = rest.split(":", 1)
    return cell_of(placed, field_id, int(index), column)


def _moved_cells(data: Any, placed: Any) -> dict[str, tuple[int, int]]:
    """Address in the returned book -> (row, column) of the same cell in the feedback book."""
    out: dict[str, tuple[int, int]] = {}
    if data is None or getattr(data, "fields", None) is None:
        return out
    for fid, cell in data.fields.items():
        at = cell_of(placed, fid)
        if at is not None and cell.address:
            out[cell.address] = at
    for lid, rows in data.lists.items():
        for i, cells in enumerate(rows):
            for cid, cell in cells.items():
                at = cell_of(placed, lid, i, cid)
                if at is not None and cell.address:
                    out[cell.address] = at
        first = data.list_ranges.get(lid, "").split(":")[0]
        where = placed.lists.get(lid)
        if first and where is not None:
            out.setdefault(first, (where.first_row, 0))
    return out


_ADDRESS = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,3}[0-9]{1,7}(?![A-Za-z0-9])")
_VALUE_PARAMS = {"expected", "detail", "choices",  # what staff or the form wrote, not places
                 "message_ja", "message_en"}  # a rule's own message (issue 13)


def _moved_problem(p: Problem, moved: dict[str, tuple[int, int]], data: Any) -> Problem:
    """``p`` with the returned book's addresses in its message and place replaced by the
    feedback book's (only addresses of cells of this record; values stay as typed)."""
    if not moved or (p.sheet and p.sheet != getattr(data, "sheet", p.sheet)):
        return p

    def sub(text: str) -> str:
        return _ADDRESS.sub(lambda m: xl_rowcol_to_cell(*moved[m.group(0)])
                            if m.group(0) in moved else m.group(0), text)

    params = {k: sub(v) if isinstance(v, str) and k not in _VALUE_PARAMS else v
              for k, v in p.params.items()}
    return dataclasses.replace(p, params=params)
