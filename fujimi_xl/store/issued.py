"""The workbooks issued: one row per book generated, with what it prefilled and locked."""

from __future__ import annotations

from typing import Any

from fujimi_xl.store.engine import Store


def record(st: Store, issued: Any, slot: str, items_json: str) -> None:
    """One issue, inside the caller's transaction (``seq``: the order of issue)."""
    st.execute(
        "INSERT INTO issued (issue_id, form, form_version, year, group_code, slot, "
        "issued_at, locked_hash, items, file_name, seq) VALUES (?,?,?,?,?,?,?,?,?,?,"
        "(SELECT coalesce(max(seq), 0) + 1 FROM issued))",
        (issued.issue_id, issued.form, issued.form_version, issued.year, issued.group, slot,
         issued.issued_at, issued.locked_hash, items_json, issued.file_name))


def last(st: Store, form: str, year: int, slot: str) -> Any:
    """The slot's last issue, or None."""
    return st.one(
        "SELECT * FROM issued WHERE form = ? AND year = ? AND slot = ? "
        "ORDER BY issued_at DESC, seq DESC LIMIT 1", (form, year, slot))


def by_id(st: Store, issue_id: Any) -> Any:
    return st.one("SELECT * FROM issued WHERE issue_id = ?", (issue_id,))


def newer(st: Store, issue: Any) -> Any:
    """The newest issue of the same slot issued after ``issue``, or None."""
    return st.one(
        "SELECT * FROM issued WHERE form = ? AND year = ? AND slot = ? "
        "AND (issued_at > ? OR (issued_at = ? AND seq > "
        "(SELECT seq FROM issued WHERE issue_id = ?))) "
        "ORDER BY issued_at DESC, seq DESC LIMIT 1",
        (issue["form"], issue["year"], issue["slot"], issue["issued_at"],
         issue["issued_at"], issue["issue_id"]))


def last_time(st: Store, form: str, year: int, slot: str) -> Any:
    """When the slot was last issued, or None."""
    return st.scalar("SELECT max(issued_at) FROM issued WHERE form = ? AND year = ? "
                     "AND slot = ?", (form, year, slot))


def group_files(st: Store) -> list[Any]:
    """(group_code, file_name) of every issue."""
    return list(st.execute("SELECT group_code, file_name FROM issued").fetchall())


def last_by_slot(st: Store, form: str, year: int) -> dict[str, Any]:
    """Every slot's last issue of a form's year (slot -> the row :func:`last` gives), in one
    query: a generate asks it once, not once per book."""
    rows = st.execute(
        "SELECT * FROM (SELECT i.*, row_number() OVER (PARTITION BY slot "
        "ORDER BY issued_at DESC, seq DESC) AS fx_rank FROM issued i "
        "WHERE form = ? AND year = ?) ranked WHERE fx_rank = 1", (form, year))
    return {row["slot"]: row for row in rows}
