"""The stored plan and the texts carried over by rollover: the SQL behind ``plan.py`` and
``rollover.py``, here so that reads of the master (``dataset``) need no stage."""

from __future__ import annotations

import json
from typing import Any

from fujimi_xl import store
from fujimi_xl.core.model import Group, Plan, PlanItem
from fujimi_xl.store.engine import Store


def save_plan(conn: Store, plan: Plan) -> None:
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


def load_plan(conn: Store, form: str) -> Plan:
    groups = [Group(r["code"], r["department"], r["name"])
              for r in conn.execute("SELECT * FROM groups ORDER BY seq")]
    rows = conn.tuples("SELECT item_key, group_code, data FROM plan_items WHERE form = ? "
                       "ORDER BY seq", (form,))
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


def plan_counts(conn: Store) -> tuple[int, int]:
    """How many plan rows and groups the master holds."""
    return (int(conn.scalar("SELECT count(*) FROM plan_items")),
            int(conn.scalar("SELECT count(*) FROM groups")))


def current_values(conn: Store, form: str, year: int) -> list[Any]:
    """Every current value of a form and year (item key, group, field, value JSON)."""
    return list(conn.execute("SELECT item_key, group_code, field, value FROM current_values "
                             "WHERE form = ? AND year = ?", (form, year)).fetchall())


def save_carry(conn: Store, form: str, year: int, rows: list[tuple[Any, ...]]) -> None:
    """Replace what is carried into ``year`` (inside the caller's transaction)."""
    conn.execute("DELETE FROM carry WHERE form = ? AND year = ?", (form, year))
    conn.executemany("INSERT INTO carry (form, year, item_key, group_code, data, from_year, "
                     "made_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def group_row(conn: Store, code: str) -> Any:
    """A group's row (department, name), or None."""
    return conn.one("SELECT * FROM groups WHERE code = ?", (code,))


def forms_planned(conn: Store) -> list[str]:
    """The forms the stored plan has rows of."""
    return [r[0] for r in conn.execute("SELECT DISTINCT form FROM plan_items ORDER BY form")]
