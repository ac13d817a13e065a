"""The receipt log (every file received, accepted or not) and the reads of accepted values
that ingest, restore and verify need."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fujimi_xl.store.engine import Store

RECEIPT_SQL = ("INSERT INTO files (sha256, file_name, size, received_at, form, year, "
               "group_code, slot, issue_id, outcome, n_errors, n_warnings, problems, saved_at) "
               "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")


def record_receipt(st: Store, row: tuple[Any, ...]) -> int:
    """One received file (the 14 columns of ``RECEIPT_SQL``), inside the caller's transaction;
    its id."""
    return st.insert(RECEIPT_SQL, row)


def seen(st: Store, sha: str, outcome: str) -> bool:
    """Whether a file of this sha256 was already received with ``outcome``."""
    return st.one("SELECT 1 FROM files WHERE sha256 = ? AND outcome = ?",
                  (sha, outcome)) is not None


def accepted_version(st: Store, sha: str) -> Any:
    """The version (and slot) a file of this sha256 was last accepted as, or None."""
    return st.one(
        "SELECT f.form, f.year, f.group_code, f.slot, f.saved_at, s.version, s.superseded_by, "
        "s.superseded_at FROM files f JOIN submissions s ON s.file_id = f.id "
        "WHERE f.sha256 = ? AND f.outcome = 'accepted' ORDER BY s.id DESC LIMIT 1", (sha,))


def accepted_versions(st: Store, shas: Iterable[str]) -> dict[str, Any]:
    """``accepted_version`` of many files at once: sha256 -> its row, for those accepted
    (a few queries for a whole folder instead of one per file)."""
    return _newest_by_sha(
        st, shas, "SELECT f.sha256, f.form, f.year, f.group_code, f.slot, f.saved_at, "
        "s.version, s.superseded_by, s.superseded_at FROM files f "
        "JOIN submissions s ON s.file_id = f.id "
        "WHERE f.sha256 IN ({marks}) AND f.outcome = 'accepted' ORDER BY s.id")


def last_refusals(st: Store, shas: Iterable[str]) -> dict[str, Any]:
    """The last refusal of many files at once: sha256 -> its row of the receipt log, for
    those refused before (a few queries for a whole folder instead of one per file)."""
    return _newest_by_sha(st, shas, "SELECT * FROM files WHERE sha256 IN ({marks}) "
                                    "AND outcome = 'rejected' ORDER BY id")


_CHUNK = 500  # placeholders per query (SQLite allows 32766; PostgreSQL 65535)


def _newest_by_sha(st: Store, shas: Iterable[str], sql: str) -> dict[str, Any]:
    """sha256 -> the last row ``sql`` gives for it (``sql``: a query whose rows have a
    sha256 column, ordered oldest first, with ``{marks}`` for the placeholders of its IN
    list), asked in chunks of _CHUNK files."""
    found: dict[str, Any] = {}
    wanted = sorted(set(shas))
    for i in range(0, len(wanted), _CHUNK):
        part = wanted[i:i + _CHUNK]
        for row in st.execute(sql.format(marks=", ".join("?" * len(part))), part).fetchall():
            found[row["sha256"]] = row  # oldest first, so the one kept is the newest
    return found


def values_of(st: Store, submission_id: int) -> dict[tuple[str, str], Any]:
    """(item key, field) -> stored value JSON of one submission."""
    return {(r[0], r[1]): r[2] for r in st.execute(
        "SELECT item_key, field, value FROM record_values WHERE submission_id = ?",
        (submission_id,))}


def value_rows(st: Store, submission_id: int) -> list[Any]:
    """Every value row of one submission, in the order they were written."""
    return list(st.execute("SELECT * FROM record_values WHERE submission_id = ? "
                           "ORDER BY seq", (submission_id,)).fetchall())


def file_of(st: Store, file_id: int) -> Any:
    return st.one("SELECT * FROM files WHERE id = ?", (file_id,))


def last_of_slot(st: Store, form: str, year: int, slot: str) -> Any:
    """The last file received for a slot (its name, time and outcome), or None."""
    return st.one("SELECT file_name, received_at, outcome FROM files WHERE form = ? AND "
                  "year = ? AND slot = ? ORDER BY id DESC LIMIT 1", (form, year, slot))


def current_of_slot(st: Store, form: str, year: int, slot: str) -> Any:
    """The current submission's version and time of a slot, or None."""
    return st.one("SELECT version, accepted_at FROM submissions WHERE form = ? AND year = ? "
                  "AND slot = ? AND superseded_by IS NULL", (form, year, slot))


def merge_state(st: Store, sha: str, issue: Any) -> tuple[str | None, bool, Any, int]:
    """What a merge of a file answering ``issue`` needs to know, in one query (one round
    trip to a PostgreSQL master): the id of a newer issue of the same slot (None when
    ``issue`` is the latest), whether a file of this sha256 was accepted already, the slot's
    current version (id, version, file_name, saved_at; None when none) and its highest
    version number (0 when none)."""
    form, year, slot = issue["form"], issue["year"], issue["slot"]
    row = st.one(
        "SELECT (SELECT n.issue_id FROM issued n WHERE n.form = ? AND n.year = ? AND "
        "n.slot = ? AND (n.issued_at > ? OR (n.issued_at = ? AND n.seq > "
        "(SELECT o.seq FROM issued o WHERE o.issue_id = ?))) "
        "ORDER BY n.issued_at DESC, n.seq DESC LIMIT 1) AS newer, "
        "(SELECT count(*) FROM files WHERE sha256 = ? AND outcome = 'accepted') "
        "AS again, (SELECT max(version) FROM submissions WHERE form = ? AND year = ? "
        "AND slot = ?) AS top, s.id, s.version, f.file_name, f.saved_at "
        "FROM (SELECT 1 AS one) x LEFT JOIN submissions s ON s.form = ? AND s.year = ? "
        "AND s.slot = ? AND s.superseded_by IS NULL LEFT JOIN files f ON f.id = s.file_id",
        (form, year, slot, issue["issued_at"], issue["issued_at"], issue["issue_id"],
         sha, form, year, slot, form, year, slot))
    return (row["newer"], bool(row["again"]), (row if row["id"] is not None else None),
            int(row["top"] or 0))
