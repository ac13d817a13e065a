"""The stored plan and the texts carried over by rollover: the SQL behind ``plan.py`` and
``rollover.py``, here so that reads of the master (``dataset``) need no stage."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from fujimi_xl import store
from fujimi_xl.core.model import Group, Plan, PlanItem


def save_plan(conn: sqlite3.Connection, plan: Plan) -> None:
    """Replace the stored plan of ``plan.form`` (inside the caller's transaction)."""
    for seq, g in enumerate(plan.groups):
        conn.execute(
            "INSERT INTO groups (code, department, name, seq) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(code) DO UPDATE SET department=excluded.department, "
            "name=excluded.name, seq=excluded.seq",
            (g.code, g.department, g.name, seq),
        )
    conn.execute("DELETE FROM plan_items WHERE form = ?", (plan.form,))
    conn.executemany(
        "INSERT INTO plan_items (form, item_key, group_code, seq, data) VALUES (?, ?, ?, ?, ?)",
        [(plan.form, it.key, it.group, seq, store.dumps(it.record))
         for seq, it in enumerate(plan.items)],
    )


def load_plan(conn: sqlite3.Connection, form: str) -> Plan:
    groups = [Group(r["code"], r["department"], r["name"])
              for r in conn.execute("SELECT * FROM groups ORDER BY seq")]
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: thousands of rows
    rows = cur.execute("SELECT item_key, group_code, data FROM plan_items WHERE form = ? "
                       "ORDER BY seq", (form,)).fetchall()
    records = json.loads("[" + ",".join(r[2] for r in rows) + "]")  # one parse, not one a row
    items = [PlanItem(r[0], r[1], rec) for r, rec in zip(rows, records, strict=True)]
    return Plan(form, groups, items)


def carried(conn: Any, form: str, year: int) -> dict[tuple[str, str], dict[str, str]] | None:
    """(item key, group) -> reference texts for ``year``; None when no rollover was made."""
    rows = conn.execute("SELECT item_key, group_code, data FROM carry WHERE form = ? AND "
                        "year = ?", (form, year)).fetchall()
    if not rows:
        return None
    return {(r["item_key"], r["group_code"]): store.loads(r["data"]) for r in rows}
