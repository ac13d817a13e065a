"""What the master remembers of one slot, for the pages that show it (issue 15): the files it
received (time, name, outcome), its latest issued book, the feedback workbook of one refused
receipt, the values of one accepted version, and the forms and years the workspace has.

Everything is looked up in the master by form, year, slot and id; nothing here takes a path
from a caller. (The lead folds these statements into the Store with the rest.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fujimi_xl import store
from fujimi_xl.store import issued as issued_sql
from fujimi_xl.store import receipts as sql
from fujimi_xl.store.engine import Store


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


def slot_receipts(conn: Store, form: str, year: int, slot: str,
                  limit: int = 50) -> list[Receipt]:
    """The files ``slot`` received, newest first."""
    rows = sql.slot_files(conn, form, year, slot, limit)
    return [Receipt(r["id"], r["file_name"], r["received_at"], r["outcome"], r["n_errors"],
                    r["n_warnings"], r["version"], bool(r["cur"]) if r["version"] else False)
            for r in rows]


def latest_issue(conn: Store, form: str, year: int, slot: str) -> Any:
    """The slot's newest issue (file_name, issued_at), or None."""
    return issued_sql.last(conn, form, year, slot)


def issued_book(root: Path, conn: Store, form: str, year: int,
                slot: str) -> Path | None:
    """The book of the slot's newest issue in the workspace's outbox, if it is there."""
    row = latest_issue(conn, form, year, slot)
    if row is None or not row["file_name"]:
        return None
    folder = root / "outbox" / str(year) / form
    path = folder / Path(row["file_name"]).name
    return path if path.is_file() else None


def feedback_book(root: Path, conn: Store, file_id: int, form: str,
                  year: int, slot: str) -> Path | None:
    """The feedback workbook of the refused receipt ``file_id`` of ``slot``, if it is there
    and was last written for this slot (a later refusal of a file of the same name from
    another slot writes the same feedback file: then it is not this slot's to see)."""
    row = sql.file_row(conn, file_id)
    if row is None or row["outcome"] != "rejected" or row["slot"] != slot \
            or row["form"] != form or row["year"] != year:
        return None
    if sql.last_refusal_slot(conn, form, year, row["file_name"]) != slot:
        return None
    path = root / "feedback" / str(year) / form / f"差戻し_{Path(row['file_name']).stem}.xlsx"
    return path if path.is_file() else None


def refused_receipt(root: Path, conn: Store, form: str, year: int, slot: str,
                    sha256: str) -> int | None:
    """The id of the refused receipt of the file ``sha256`` on ``slot`` whose feedback
    workbook is there, or None."""
    found = sql.refused_id(conn, form, year, slot, sha256)
    if found is None or feedback_book(root, conn, found, form, year, slot) is None:
        return None
    return found


def form_years(conn: Store) -> list[tuple[str, int]]:
    """Every (form, year) that was issued or received, newest year first."""
    return sql.form_years(conn)


@dataclass(frozen=True)
class Value:
    item_key: str
    field: str
    value: Any
    sheet: str
    cell: str


def version_values(conn: Store, form: str, year: int, slot: str,
                   version: int) -> list[Value] | None:
    """The values of one accepted version of a slot (None: no such version)."""
    rows = sql.version_rows(conn, form, year, slot, version)
    if rows is None:
        return None
    return [Value(r["item_key"], r["field"], store.loads(r["value"]), r["sheet"], r["cell"])
            for r in rows]
