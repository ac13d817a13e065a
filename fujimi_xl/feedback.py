"""The feedback workbook for a rejected file: built from our own template, not by re-saving theirs.

Re-saving the staff's file with openpyxl would lose what it does not support (data validations
stored as x14 extensions, for one), so the group's workbook is generated again with the same
signed manifest, their values put back into the input cells, every bad cell highlighted with a
comment, and a first sheet listing what to fix. Sent back as it is, it is accepted once fixed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import generator as generate
from . import normalise, outfile, store
from .errors import Problem
from .forms import Form
from .messages import book_text
from .plan import Group, PlanItem

if TYPE_CHECKING:
    from .workspace import Workspace


def _raw_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return normalise.text(value)[0]


def write_feedback(ws: Workspace, form: Form, issue: Any, ex: Any,
                   problems: list[Problem], file_name: str, lang: str = "ja") -> Path:
    """Write the feedback workbook of a refused file; ``lang`` ("ja" or "en") is the language
    of its fixed texts and of the messages (the file name stays 差戻し_…)."""
    conn = ws.connect()
    try:
        g = conn.execute("SELECT * FROM groups WHERE code = ?", (issue["group_code"],)).fetchone()
    finally:
        conn.close()
    group = Group(issue["group_code"], g["department"] if g else "", g["name"] if g else "")
    out_dir = ws.feedback / str(issue["year"]) / issue["form"]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"差戻し_{Path(file_name).stem}.xlsx"
    # written under a temporary name, then renamed: workers build feedback workbooks in
    # parallel, and two refused files of the same name must not write one file at once
    # (a feedback workbook open in Excel is named in an OutputError, and left whole)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.xlsx")
    if form.layout == "sheet":
        return outfile.commit(tmp, path, lambda: _sheet_feedback(ws, form, issue, ex, problems,
                                                                 group, tmp, lang))
    return outfile.commit(tmp, path, lambda: _list_feedback(ws, form, issue, ex, problems,
                                                            group, tmp, lang))


def _list_feedback(ws: Workspace, form: Form, issue: Any, ex: Any, problems: list[Problem],
                   group: Group, path: Path, lang: str) -> Path:
    issued_items = store.loads(issue["items"])
    items = []
    for it in issued_items:
        record: dict[str, Any] = {}
        for f in form.locked_fields:
            text = it.get(f.id, "")
            record[f.id] = normalise.parse_index(text) if f.role == "key" else text
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
        font=ws.config.get("font", "ＭＳ ゴシック"),
        password=ws.password, values=values, marks=marks, feedback_rows=rows, lang=lang,
    )
    return path


def _sheet_feedback(ws: Workspace, form: Form, issue: Any, data: Any,
                    problems: list[Problem], group: Group, path: Path,
                    lang: str = "ja") -> Path:
    from . import sheet_generator

    issued = store.loads(issue["items"])[0]
    inputs = {f.id for f in form.input_fields}
    values: dict[str, Any] = {}
    if data is not None and getattr(data, "fields", None) is not None:
        values = {fid: _raw_text(c.raw) for fid, c in data.fields.items() if fid in inputs}
        for lid, rows in data.lists.items():
            if form.lists[lid].get("role") == "input":
                values[lid] = [{cid: _raw_text(c.raw) for cid, c in cells.items()}
                               for cells in rows]
    marks: dict[tuple[str, str], list[str]] = {}
    rows = []
    for p in problems:
        msg = p.message(lang)
        if p.field_id.count(":") == 2:
            lid, rest = p.field_id.split(":", 1)
            marks.setdefault((lid, rest), []).append(msg)
        elif p.field_id in inputs:
            # a rule over several cells (a budget that does not add up) marks all of them
            for fid in str(p.params.get("field_ids") or p.field_id).split(","):
                marks.setdefault((fid, ""), []).append(msg)
        level = "" if p.severity == "error" else book_text("feedback_reference", lang)
        rows.append((p.where(), p.field, level + msg))
    item = PlanItem(issued["key"], group.code, issued["record"])
    sheet_generator.build(
        path, form, issue["year"], group, item, key=ws.key(), issue_id=issue["issue_id"],
        issued_at=issue["issued_at"], title=ws.title_for(issue["form"]),
        font=ws.config.get("font", "ＭＳ ゴシック"),
        password=ws.password, values=values, marks=marks, feedback_rows=rows, lang=lang)
    return path
