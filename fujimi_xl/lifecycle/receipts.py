"""What the master remembers of one slot, for the pages that show it (issue 15): the files it
received (time, name, outcome), its latest issued book, the feedback workbook of one refused
receipt, the values of one accepted version, and the forms and years the workspace has.

Everything is looked up in the master by form, year, slot and id; nothing here takes a path
from a caller. (The lead folds these statements into the Store with the rest.)
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fujimi_xl import store


@dataclass(frozen=True)
class Receipt:
    """One file a slot received."""

    id: int
    file_name: str
    received_at: str
    outcome: str  # accepted | rejected | unchanged (as in the files table)
    errors: int
    warnings: int
    version: int | None
    current: bool


def slot_receipts(conn: sqlite3.Connection, form: str, year: int, slot: str,
                  limit: int = 50) -> list[Receipt]:
    """The files ``slot`` received, newest first."""
    rows = conn.execute(
        "SELECT f.id, f.file_name, f.received_at, f.outcome, f.n_errors, f.n_warnings, "
        "s.version, s.superseded_by IS NULL AS cur FROM files f "
        "LEFT JOIN submissions s ON s.file_id = f.id AND s.restored_from IS NULL "
        "WHERE f.form = ? AND f.year = ? AND f.slot = ? ORDER BY f.id DESC LIMIT ?",
        (form, year, slot, limit)).fetchall()
    return [Receipt(r["id"], r["file_name"], r["received_at"], r["outcome"], r["n_errors"],
                    r["n_warnings"], r["version"], bool(r["cur"]) if r["version"] else False)
            for r in rows]


def latest_issue(conn: sqlite3.Connection, form: str, year: int, slot: str) -> Any:
    """The slot's newest issue (file_name, issued_at), or None."""
    return conn.execute(
        "SELECT issue_id, file_name, issued_at FROM issued WHERE form = ? AND year = ? "
        "AND slot = ? ORDER BY issued_at DESC, rowid DESC LIMIT 1",
        (form, year, slot)).fetchone()


def issued_book(root: Path, conn: sqlite3.Connection, form: str, year: int,
                slot: str) -> Path | None:
    """The book of the slot's newest issue in the workspace's outbox, if it is there."""
    row = latest_issue(conn, form, year, slot)
    if row is None or not row["file_name"]:
        return None
    folder = root / "outbox" / str(year) / form
    path = folder / Path(row["file_name"]).name
    return path if path.is_file() else None


def feedback_book(root: Path, conn: sqlite3.Connection, file_id: int, form: str,
                  year: int, slot: str) -> Path | None:
    """The feedback workbook of the refused receipt ``file_id`` of ``slot``, if it is there
    and was last written for this slot (a later refusal of a file of the same name from
    another slot writes the same feedback file: then it is not this slot's to see)."""
    row = conn.execute("SELECT id, file_name, form, year, slot, outcome FROM files "
                       "WHERE id = ?", (file_id,)).fetchone()
    if row is None or row["outcome"] != "rejected" or row["slot"] != slot \
            or row["form"] != form or row["year"] != year:
        return None
    last = conn.execute("SELECT slot FROM files WHERE form = ? AND year = ? AND file_name = ? "
                        "AND outcome = 'rejected' ORDER BY id DESC LIMIT 1",
                        (form, year, row["file_name"])).fetchone()
    if last is None or last["slot"] != slot:
        return None
    path = root / "feedback" / str(year) / form / f"差戻し_{Path(row['file_name']).stem}.xlsx"
    return path if path.is_file() else None


def refused_receipt(root: Path, conn: sqlite3.Connection, form: str, year: int, slot: str,
                    sha256: str) -> int | None:
    """The id of the refused receipt of the file ``sha256`` on ``slot`` whose feedback
    workbook is there, or None."""
    row = conn.execute("SELECT id FROM files WHERE sha256 = ? AND outcome = 'rejected' AND "
                       "form = ? AND year = ? AND slot = ? ORDER BY id DESC LIMIT 1",
                       (sha256, form, year, slot)).fetchone()
    if row is None or feedback_book(root, conn, row["id"], form, year, slot) is None:
        return None
    return int(row["id"])


def form_years(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Every (form, year) that was issued or received, newest year first."""
    rows = conn.execute(
        "SELECT form, year FROM issued UNION SELECT form, year FROM submissions "
        "ORDER BY 2 DESC, 1").fetchall()
    return [(r[0], int(r[1])) for r in rows]


@dataclass(frozen=True)
class Value:
    item_key: str
    field: str
    value: Any
    sheet: str
    cell: str


def version_values(conn: sqlite3.Connection, form: str, year: int, slot: str,
                   version: int) -> list[Value] | None:
    """The values of one accepted version of a slot (None: no such version)."""
    sub = conn.execute("SELECT id FROM submissions WHERE form = ? AND year = ? AND slot = ? "
                       "AND version = ?", (form, year, slot, version)).fetchone()
    if sub is None:
        return None
    return [Value(r["item_key"], r["field"], store.loads(r["value"]), r["sheet"], r["cell"])
            for r in conn.execute("SELECT item_key, field, value, sheet, cell FROM "
                                  "record_values WHERE submission_id = ? ORDER BY rowid",
                                  (sub["id"],))]
