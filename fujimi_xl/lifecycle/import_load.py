"""Load a consolidated table (read by :mod:`import_report`) into a workspace: plan and master.

A city starts with last year's results. Rows are matched to plan items by their key; the n-th row
of an item is its n-th owner in plan order (the printed table has no owner column; a hand-typed
one may, and then the owner's name decides). A workspace with no plan yet gets one from the
table, its owners as placeholder groups 未割当1, 未割当2 … (the n-th row of each item) for the
secretariat to rename in the plan workbook. The values become one accepted version per owner,
with the table file as their provenance (kept under archive/ like any accepted file), all in one
transaction: the whole table or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fujimi_xl import store
from fujimi_xl.core.errors import HasProblems, Problem
from fujimi_xl.core.model import Group, Plan, PlanItem
from fujimi_xl.forms import Form, formcheck
from fujimi_xl.intake.ingest import archive, now
from fujimi_xl.intake.reader import sha256_of
from fujimi_xl.lifecycle.import_report import ImportedTable, read_report
from fujimi_xl.store import files as received
from fujimi_xl.store.plans import load_plan, save_plan
from fujimi_xl.store.workspace import Workspace

IMPORT_ISSUE = "import"  # files.issue_id of an imported table
PLACEHOLDER = "未割当"


@dataclass
class ImportResult(HasProblems):
    path: str
    year: int
    rows: int = 0
    versions: int = 0
    created_plan: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {"path": self.path, "year": self.year, "rows": self.rows,
                "versions": self.versions, "created_plan": self.created_plan, "ok": self.ok,
                "problems": [p.to_dict(lang) for p in self.problems]}


def import_table(ws: Workspace, path: Path, form: Form, year: int | None = None) -> ImportResult:
    table = read_report(path, form)
    y = year or table.year
    result = ImportResult(str(path), y, problems=list(table.problems))
    if not y:
        return result
    conn = ws.connect()
    try:
        plan = load_plan(conn, form.name)
        created = not plan.items
        # every row is an item of the plan; only a returned row carries values
        slots = _match(form, plan, table.rows, result, path.name, created)
        if not result.ok:
            return result
        records: dict[str, list[tuple[str, str, str, str, str]]] = {}
        for group, row in slots:
            if not row.returned:
                continue
            record = {**row.record}
            filled = {k: v for k, v in row.values.items() if v != ""}
            record = {**{k: record[k] for k in form.key}, form.title_field: row.title, **filled}
            if not form.is_valid(record):
                for err in form.validator.iter_errors(record):
                    fid = str(err.path[0]) if err.path else ""
                    cell = row.cells.get(fid, "")
                    sheet, _, a1 = cell.rpartition("!")
                    code, params = formcheck.schema_words(err)  # in words, not jsonschema's
                    result.problems.append(Problem(
                        code, file=path.name, sheet=sheet, cell=a1,
                        field=form.by_id[fid].label_for(y) if fid in form.by_id else fid,
                        value=record.get(fid), params=params))
                continue
            for f in form.input_fields:
                sheet, _, a1 = row.cells.get(f.id, "!").rpartition("!")
                records.setdefault(group, []).append(
                    (row.key, f.id, store.dumps(filled.get(f.id)), sheet, a1))
        if not result.ok:
            return result
        sha = sha256_of(path)
        archive(ws, path, sha)
        with store.transaction(conn):
            if created:
                save_plan(conn, slots_plan(form, slots, table.title))
            stamp = now()
            for group, version_rows in records.items():
                file_id = received.record_receipt(conn, (
                    sha, path.name, path.stat().st_size, stamp, form.name, y, group, group,
                    IMPORT_ISSUE, "accepted", 0, 0, "[]", None))
                store.add_version(conn, file_id=file_id, form=form.name,
                                  year=y, group=group, slot=group, rows=version_rows, stamp=stamp,
                                  current=store.current_version(conn, form.name, y, group))
                result.versions += 1
        result.rows = sum(1 for _, row in slots if row.returned)
        result.created_plan = created
        if created and table.title and not ws.config.get("title"):
            ws.config["title"] = table.title
            ws.save_config()
        return result
    finally:
        conn.close()


def _match(form: Form, plan: Plan, rows: list[Any], result: ImportResult, name: str,
           create: bool) -> list[tuple[str, Any]]:
    """(group code, row) for every row: by owner name, else the n-th owner of the item."""
    owners: dict[str, list[str]] = {}
    for it in plan.items:
        owners.setdefault(it.key, []).append(it.group)
    by_name = {g.name: g.code for g in plan.groups} | {g.code: g.code for g in plan.groups}
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        n = seen.get(row.key, 0)
        seen[row.key] = n + 1
        if create:
            out.append((f"{PLACEHOLDER}{n + 1}", row))
            continue
        if row.owner and row.owner in by_name:
            out.append((by_name[row.owner], row))
            continue
        if row.key not in owners or n >= len(owners[row.key]):
            sheet, _, a1 = row.cells.get(form.key[0], "!").rpartition("!")
            result.problems.append(Problem(
                "import_not_in_plan", file=name, sheet=sheet, cell=a1,
                value=form.display_key(row.record),
                params={"expected": len(owners.get(row.key, []))}))
            continue
        out.append((owners[row.key][n], row))
    return out


def slots_plan(form: Form, slots: list[tuple[str, Any]], title: str) -> Plan:
    groups: dict[str, Group] = {}
    items = []
    for code, row in slots:
        groups.setdefault(code, Group(code, "", f"{code}（取込）"))
        record = {**row.keys, form.title_field: row.title}
        items.append(PlanItem(row.key, code, record))
    return Plan(form.name, list(groups.values()), items, title)


def reread(path: Path, form: Form) -> ImportedTable:
    return read_report(path, form)
