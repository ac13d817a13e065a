"""The reads behind ``history``, ``diff`` and ``restore``: accepted versions and their values."""

from __future__ import annotations

from typing import Any

from fujimi_xl.store.engine import Store


def entries(st: Store, item: str, form: str | None = None,
            year: int | None = None) -> list[Any]:
    """Every accepted value of ``item``, oldest version first: form, year, slot, group,
    version, current (1/0), item key, field, value JSON, sheet, cell, file name, sha256,
    accepted at, and the version it restored (or None)."""
    sql = ("SELECT s.form, s.year, s.slot, s.group_code, s.version, "
           "CASE WHEN s.superseded_by IS NULL THEN 1 ELSE 0 END AS cur, "
           "v.item_key, v.field, v.value, v.sheet, v.cell, f.file_name, f.sha256, "
           "s.accepted_at, r.version FROM record_values v "
           "JOIN submissions s ON s.id = v.submission_id "
           "LEFT JOIN submissions r ON r.id = s.restored_from "
           "JOIN files f ON f.id = s.file_id WHERE v.item_key = ?")
    args: list[Any] = [item]
    if form:
        sql += " AND s.form = ?"
        args.append(form)
    if year:
        sql += " AND s.year = ?"
        args.append(year)
    sql += " ORDER BY s.form, s.year, s.slot, s.version, v.seq"
    return list(st.execute(sql, args).fetchall())


def by_sha(st: Store, sha: str, form: str, year: int) -> Any:
    return st.one("SELECT s.* FROM submissions s JOIN files f ON f.id = s.file_id "
                  "WHERE f.sha256 = ? AND s.form = ? AND s.year = ? ORDER BY s.id LIMIT 1",
                  (sha, form, year))


def by_version(st: Store, form: str, year: int, slot: str, version: int) -> Any:
    return st.one("SELECT * FROM submissions WHERE form = ? AND year = ? AND slot = ? "
                  "AND version = ?", (form, year, slot, version))


def by_file_name(st: Store, name: str, form: str, year: int) -> Any:
    """The latest version of a slot an accepted file of this name was (not a restore)."""
    return st.one(
        "SELECT s.* FROM submissions s JOIN files f ON f.id = s.file_id WHERE f.file_name = ? "
        "AND s.form = ? AND s.year = ? AND s.restored_from IS NULL ORDER BY s.id DESC LIMIT 1",
        (name, form, year))


def file_is_current(st: Store, file_id: int, slot: str) -> bool:
    """Whether the current version of ``slot`` holds the values of this file."""
    return st.one("SELECT 1 FROM submissions WHERE file_id = ? AND slot = ? "
                  "AND superseded_by IS NULL", (file_id, slot)) is not None
