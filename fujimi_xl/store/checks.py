"""The reads behind ``verify``: the database's own check, versions per slot, current values."""

from __future__ import annotations

from typing import Any

from fujimi_xl.store.engine import Store


def integrity(st: Store) -> list[str]:
    """The database's own integrity check: ["ok"] when whole (PostgreSQL checks its pages
    itself: nothing to ask)."""
    if st.dialect.name == "sqlite":
        return st.dialect.integrity_check(st.conn)  # type: ignore[attr-defined, no-any-return]
    return ["ok"]


def slots(st: Store) -> list[Any]:
    """Per slot: how many versions (n), how many current (cur), the highest number (top)."""
    return list(st.execute(
        "SELECT form, year, slot, count(*) AS n, "
        "sum(CASE WHEN superseded_by IS NULL THEN 1 ELSE 0 END) AS cur, "
        "max(version) AS top FROM submissions GROUP BY form, year, slot "
        "ORDER BY form, year, slot").fetchall())


def current_submissions(st: Store) -> list[Any]:
    """Every current submission with its receipt (sha256, file name, outcome, issue)."""
    return list(st.execute(
        "SELECT s.*, f.sha256, f.file_name, f.outcome, f.issue_id FROM submissions s "
        "LEFT JOIN files f ON f.id = s.file_id WHERE s.superseded_by IS NULL "
        "ORDER BY s.id").fetchall())


def current_value_rows(st: Store) -> Any:
    """Every value of every current submission."""
    return st.execute("SELECT v.* FROM record_values v JOIN submissions s "
                      "ON s.id = v.submission_id WHERE s.superseded_by IS NULL")


def cells_of(st: Store, submission_id: int) -> dict[tuple[str, str], str]:
    """(item key, field) -> the cell its value came from, for one submission."""
    return {(r[0], r[1]): r[2] for r in st.execute(
        "SELECT item_key, field, cell FROM record_values WHERE submission_id = ?",
        (submission_id,))}
