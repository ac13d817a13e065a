"""The SQL of what the pages show of one slot (issue 15): the files it received, one
refused receipt, the forms and years the workspace has, the values of one version."""

from __future__ import annotations

from typing import Any

from fujimi_xl.store.engine import Store


def slot_files(st: Store, form: str, year: int, slot: str, limit: int) -> list[Any]:
    """The files ``slot`` received, newest first, each with its version (if accepted)."""
    return list(st.execute(
        "SELECT f.id, f.file_name, f.received_at, f.outcome, f.n_errors, f.n_warnings, "
        "s.version, s.superseded_by IS NULL AS cur FROM files f "
        "LEFT JOIN submissions s ON s.file_id = f.id AND s.restored_from IS NULL "
        "WHERE f.form = ? AND f.year = ? AND f.slot = ? ORDER BY f.id DESC LIMIT ?",
        (form, year, slot, limit)).fetchall())


def file_row(st: Store, file_id: int) -> Any:
    return st.one("SELECT id, file_name, form, year, slot, outcome FROM files WHERE id = ?",
                  (file_id,))


def last_refusal_slot(st: Store, form: str, year: int, file_name: str) -> Any:
    """The slot of the last refused file named ``file_name`` (whose feedback book is the
    one on disk), or None."""
    return st.scalar("SELECT slot FROM files WHERE form = ? AND year = ? AND file_name = ? "
                     "AND outcome = 'rejected' ORDER BY id DESC LIMIT 1",
                     (form, year, file_name))


def refused_id(st: Store, form: str, year: int, slot: str, sha256: str) -> int | None:
    found = st.scalar("SELECT id FROM files WHERE sha256 = ? AND outcome = 'rejected' AND "
                      "form = ? AND year = ? AND slot = ? ORDER BY id DESC LIMIT 1",
                      (sha256, form, year, slot))
    return None if found is None else int(found)


def form_years(st: Store) -> list[tuple[str, int]]:
    """Every (form, year) that was issued or received, newest year first."""
    rows = st.tuples("SELECT form, year FROM issued UNION SELECT form, year FROM submissions "
                     "ORDER BY 2 DESC, 1")
    return [(r[0], int(r[1])) for r in rows]


def version_rows(st: Store, form: str, year: int, slot: str, version: int) -> list[Any] | None:
    """The stored values of one version of a slot, in the order written (None: no such
    version)."""
    sub = st.scalar("SELECT id FROM submissions WHERE form = ? AND year = ? AND slot = ? "
                    "AND version = ?", (form, year, slot, version))
    if sub is None:
        return None
    return list(st.execute("SELECT item_key, field, value, sheet, cell FROM record_values "
                           "WHERE submission_id = ? ORDER BY seq", (sub,)).fetchall())
