"""Read the master back as tables: current values per item and owner, in plan order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fujimi_xl import store
from fujimi_xl.core.model import Group
from fujimi_xl.store.engine import Store
from fujimi_xl.store.plans import carried, load_plan


@dataclass
class Row:
    key: str
    group: Group
    record: dict[str, Any]  # plan fields and current values
    returned: bool
    cells: dict[str, str] = field(default_factory=dict)  # field -> "sheet!cell" provenance
    submission: int | None = None  # the current submission its values come from


@dataclass
class Table:
    form: str
    year: int
    rows: list[Row]
    groups: list[Group]
    missing: list[Group]  # groups with items but no accepted file


def current_table(conn: Store, form: str, year: int) -> Table:
    plan = load_plan(conn, form)
    groups = {g.code: g for g in plan.groups}
    values: dict[tuple[str, str], dict[str, Any]] = {}
    cells: dict[tuple[str, str], dict[str, str]] = {}
    submissions: dict[tuple[str, str], int] = {}
    for r in conn.execute(
        "SELECT group_code, item_key, field, value, sheet, cell, submission_id "
        "FROM current_values WHERE form = ? AND year = ?", (form, year),
    ):
        slot = (r["item_key"], r["group_code"])
        values.setdefault(slot, {})[r["field"]] = store.loads(r["value"])
        cells.setdefault(slot, {})[r["field"]] = f"{r['sheet']}!{r['cell']}"
        submissions[slot] = r["submission_id"]
    returned_groups = {r["group_code"] for r in conn.execute(
        "SELECT DISTINCT group_code FROM submissions WHERE form = ? AND year = ?", (form, year))}
    carry = carried(conn, form, year) or {}
    rows = []
    for it in plan.items:
        slot = (it.key, it.group)
        record = {**it.record, **carry.get(slot, {}), **values.get(slot, {})}
        rows.append(Row(it.key, groups[it.group], record, slot in values, cells.get(slot, {}),
                        submissions.get(slot)))
    owners = []
    for it in plan.items:
        if it.group not in owners:
            owners.append(it.group)
    missing = [groups[g] for g in owners if g not in returned_groups]
    return Table(form, year, rows, [groups[g] for g in owners], missing)


@dataclass(frozen=True)
class Version:
    """Where a current submission came from: its version number and its file."""

    version: int
    file_name: str
    received_at: str | None  # as the master keeps it: ISO 8601 with its offset
    saved_at: str | None  # the workbook's own saved time, UTC; None when it had none


def current_versions(conn: Store, form: str, year: int) -> dict[int, Version]:
    """submission id -> its version and file, for the current submissions of a form and year."""
    return {r["id"]: Version(r["version"], r["file_name"], r["received_at"], r["saved_at"])
            for r in conn.execute(
                "SELECT s.id, s.version, f.file_name, f.received_at, f.saved_at "
                "FROM submissions s JOIN files f ON f.id = s.file_id "
                "WHERE s.form = ? AND s.year = ? AND s.superseded_by IS NULL", (form, year))}


def latest_record(conn: Store, form: str, slot: str, year: int) -> dict[str, Any]:
    """The values of the last accepted version of ``slot`` up to ``year`` (prefill)."""
    row = conn.execute(
        "SELECT id FROM submissions WHERE form = ? AND slot = ? AND year <= ? "
        "AND superseded_by IS NULL ORDER BY year DESC LIMIT 1", (form, slot, year)).fetchone()
    if row is None:
        return {}
    return {r["field"]: store.loads(r["value"]) for r in conn.execute(
        "SELECT field, value FROM record_values WHERE submission_id = ?", (row["id"],))}
