"""The master dataset: SQLite in the workspace (standard SQL, so PostgreSQL can follow).

Tables:
- ``groups``, ``plan_items``: the plan (who owns which item).
- ``issued``: every workbook generated, with a snapshot of what was prefilled and locked.
- ``files``: every file received, accepted or not (the receipt log, with sha256).
- ``submissions``: every accepted file as a version of its slot (a group's workbook, or one
  program's sheet); a later one supersedes, never overwrites.
- ``record_values``: the values of each submission with the sheet and cell they came from.
- ``carry``: what a rollover carries into the next year (last year's plan for it, 実施内容, 評価),
  shown locked beside the new year's inputs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fujimi_xl.core.errors import WorkspaceFault

SCHEMA_VERSION = 2
# the steps that bring an older workspace's master up to SCHEMA_VERSION, in place:
# version -> statements that make it the next version (each run once, in one transaction)
UPGRADES: dict[int, list[str]] = {
    # 1 -> 2: the workbook's own saved time per received file (the newest answer wins), and
    # which version a restored version copies
    1: ["ALTER TABLE files ADD COLUMN saved_at TEXT",
        "ALTER TABLE submissions ADD COLUMN restored_from INTEGER"],
}

DDL = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS groups (
    code TEXT PRIMARY KEY,
    department TEXT NOT NULL,
    name TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_items (
    form TEXT NOT NULL,
    item_key TEXT NOT NULL,
    group_code TEXT NOT NULL REFERENCES groups(code),
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (form, item_key, group_code)
);
CREATE TABLE IF NOT EXISTS issued (
    issue_id TEXT PRIMARY KEY,
    form TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    year INTEGER NOT NULL,
    group_code TEXT NOT NULL,
    slot TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    locked_hash TEXT NOT NULL,
    items TEXT NOT NULL,
    file_name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issued_slot ON issued (form, year, slot, issued_at);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    form TEXT,
    year INTEGER,
    group_code TEXT,
    slot TEXT,
    issue_id TEXT,
    outcome TEXT NOT NULL,
    n_errors INTEGER NOT NULL DEFAULT 0,
    n_warnings INTEGER NOT NULL DEFAULT 0,
    problems TEXT NOT NULL DEFAULT '[]',
    saved_at TEXT
);
CREATE INDEX IF NOT EXISTS files_sha ON files (sha256);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id),
    form TEXT NOT NULL,
    year INTEGER NOT NULL,
    group_code TEXT NOT NULL,
    slot TEXT NOT NULL,
    version INTEGER NOT NULL,
    accepted_at TEXT NOT NULL,
    superseded_by INTEGER REFERENCES submissions(id),
    superseded_at TEXT,
    restored_from INTEGER,
    UNIQUE (form, year, slot, version)
);
CREATE TABLE IF NOT EXISTS record_values (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    item_key TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT,
    sheet TEXT NOT NULL,
    cell TEXT NOT NULL,
    PRIMARY KEY (submission_id, item_key, field)
);
CREATE TABLE IF NOT EXISTS carry (
    form TEXT NOT NULL,
    year INTEGER NOT NULL,
    item_key TEXT NOT NULL,
    group_code TEXT NOT NULL,
    data TEXT NOT NULL,
    from_year INTEGER NOT NULL,
    made_at TEXT NOT NULL,
    PRIMARY KEY (form, year, item_key, group_code)
);
CREATE VIEW IF NOT EXISTS current_values AS
    SELECT s.form, s.year, s.group_code, s.slot, s.id AS submission_id, s.version,
           v.item_key, v.field, v.value, v.sheet, v.cell
    FROM submissions s JOIN record_values v ON v.submission_id = s.id
    WHERE s.superseded_by IS NULL;
"""


def now() -> str:
    """The time stamps of the master: local time with its offset, to the second."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# -- connections and faults (issue 12) --------------------------------------------------------
# How long a write waits for a master that another program holds (seconds); FUJIMI_LOCK_WAIT
# overrides it (the tests use a second or two).
LOCK_WAIT = 60.0
# Waits shorter than this pass in silence (our own concurrent ingests take turns this way).
QUIET_WAIT = 1.0
# Called once when a write has to wait for another program, with the seconds it will wait;
# the CLI prints "マスタを他のプログラムが使用中です。待っています…" through it.
on_wait: Callable[[float], None] | None = None


def lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("FUJIMI_LOCK_WAIT", LOCK_WAIT)))
    except ValueError:
        return LOCK_WAIT


def connect(path: Path) -> sqlite3.Connection:
    wait = lock_wait()
    conn = sqlite3.connect(str(path), timeout=wait, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        # the first statement that needs the file: a program holding the master exclusively
        # (even for reading) is waited for with a message, then refused in words
        _patient(conn, "PRAGMA journal_mode=WAL")
        # WAL with synchronous=NORMAL: a commit is atomic and survives the process being
        # killed; only a power cut can lose the last commits, never leave half of one
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        upgrade(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _busy(exc: sqlite3.OperationalError) -> bool:
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


def _begin(conn: sqlite3.Connection) -> None:
    """Start a write transaction, waiting for another program's lock (see _patient)."""
    _patient(conn, "BEGIN IMMEDIATE")


def _patient(conn: sqlite3.Connection, sql: str) -> None:
    """Run ``sql``; when another program holds the master, say so (on_wait) and wait up to
    lock_wait() seconds, then give up with the master_locked fault."""
    wait = lock_wait()
    conn.execute(f"PRAGMA busy_timeout={int(min(QUIET_WAIT, wait) * 1000)}")
    try:
        conn.execute(sql)
        return
    except sqlite3.OperationalError as exc:
        if not _busy(exc):
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
    rest = max(0.0, wait - QUIET_WAIT)
    if on_wait is not None:
        on_wait(wait)
    conn.execute(f"PRAGMA busy_timeout={int(rest * 1000)}")
    try:
        conn.execute(sql)
    except sqlite3.OperationalError as exc:
        if _busy(exc):
            raise WorkspaceFault(code="master_locked", path=_path_of(conn),
                                 seconds=f"{wait:.0f}") from exc
        raise
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")


def _path_of(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row is not None else ""


def check(conn: sqlite3.Connection) -> None:
    """SQLite's quick check of the whole master: a damaged page raises the master_corrupt
    fault before anything is read from it or merged into it."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and _busy(exc):
            raise
        raise WorkspaceFault(code="master_corrupt", path=_path_of(conn),
                             detail=str(exc)) from exc
    if rows != ["ok"]:
        raise WorkspaceFault(code="master_corrupt", path=_path_of(conn),
                             detail="; ".join(map(str, rows))[:300])


def check_writable(conn: sqlite3.Connection) -> None:
    """Take the master's write lock and give it back: a master that is locked (waited for),
    read-only or unwritable is found before any file is read."""
    _begin(conn)
    conn.execute("ROLLBACK")


def backup_to(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of the master at ``target`` through SQLite's online backup."""
    dst = sqlite3.connect(str(target))
    try:
        conn.backup(dst)
    finally:
        dst.close()


def schema_version(conn: sqlite3.Connection) -> int | None:
    """The master's schema version (None before the tables exist)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        return None  # no meta table yet: a master being created
    return int(row[0]) if row is not None else 1


def upgrade(conn: sqlite3.Connection) -> None:
    """Bring an older workspace's master up to SCHEMA_VERSION in place, one step at a time.

    A master that cannot be written (a read-only copy) is left as it is: what reads it
    still works; a command that writes stops on its own."""
    version = schema_version(conn)
    if version is None or version >= SCHEMA_VERSION:
        return
    try:
        with transaction(conn):
            version = schema_version(conn) or SCHEMA_VERSION  # another process may have done it
            while version < SCHEMA_VERSION:
                for statement in UPGRADES.get(version, []):
                    table, column = statement.split()[2], statement.split()[5]
                    have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
                    if column not in have:
                        conn.execute(statement)
                version += 1
                conn.execute("INSERT OR REPLACE INTO meta (key, value) "
                             "VALUES ('schema_version', ?)", (str(version),))
    except sqlite3.OperationalError:
        return


def create(path: Path) -> None:
    conn = connect(path)
    try:
        with transaction(conn):
            for statement in DDL.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
    finally:
        conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: everything inside commits together or not at all. Inside a
    :class:`Batch` it is a savepoint of the batch's transaction: undone alone on an error."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT fx_unit")
        try:
            yield conn
        except BaseException:
            try:
                conn.execute("ROLLBACK TO fx_unit")
                conn.execute("RELEASE fx_unit")
            except sqlite3.Error:
                # the unit cannot be undone alone (SQLite may have ended the transaction
                # itself on a full disk): undo the whole batch, never commit half a unit
                _rollback(conn)
            raise
        else:
            conn.execute("RELEASE fx_unit")
        return
    _begin(conn)
    try:
        yield conn
    except BaseException:
        _rollback(conn)
        raise
    else:
        conn.execute("COMMIT")


def _rollback(conn: sqlite3.Connection) -> None:
    """Undo the open transaction; a failure to do so (none open any more) is not news."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


class Batch:
    """Many small transactions committed together: ingest merges each file as a savepoint of
    one write transaction and commits every ``every`` units or ``seconds``, so 500 files cost a
    handful of commits, not 500. Each file is still merged whole or not at all (its savepoint
    is undone on an error), and the batch's commit is atomic: a process killed before it
    leaves the master exactly as the last commit left it."""

    def __init__(self, conn: sqlite3.Connection, every: int = 100, seconds: float = 1.0) -> None:
        self.conn, self.every, self.seconds = conn, every, seconds
        self.units = 0
        self.started = 0.0

    def begin(self) -> None:
        """Open the batch's write transaction, if it is not open yet."""
        if not self.conn.in_transaction:
            _begin(self.conn)
            self.units, self.started = 0, time.monotonic()

    def done(self) -> None:
        """One unit is finished: commit when the batch is full or old enough."""
        self.units += 1
        if self.conn.in_transaction and (
                self.units >= self.every or time.monotonic() - self.started >= self.seconds):
            self.commit()

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        # what was merged whole before an error is kept, as if committed alone; a commit that
        # fails (a full disk) undoes the whole batch, and the error that stopped it is shown
        try:
            self.commit()
        except sqlite3.Error:
            _rollback(self.conn)
            if exc is None:
                raise


_encode_str = json.encoder.encode_basestring  # C-accelerated, keeps non-ASCII as it is


def dumps(value: Any) -> str:
    if type(value) is str:
        return _encode_str(value)
    return json.dumps(value, ensure_ascii=False)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def current_version(conn: sqlite3.Connection, form: str, year: int, slot: str) -> Any:
    """The current (not superseded) submission of a slot with its file's name and saved
    time, or None."""
    return conn.execute(
        "SELECT s.id, s.version, f.file_name, f.saved_at FROM submissions s "
        "LEFT JOIN files f ON f.id = s.file_id WHERE s.form = ? AND s.year = ? AND s.slot = ? "
        "AND s.superseded_by IS NULL", (form, year, slot)).fetchone()


def add_version(conn: sqlite3.Connection, *, file_id: int, form: str, year: int, group: str,
                slot: str, rows: list[tuple[str, str, str, str, str]], stamp: str,
                current: Any = None, history: bool = False,
                restored_from: int | None = None) -> tuple[int, int]:
    """Store an accepted file's values as the slot's next version, superseding (never
    overwriting) the current one; with ``history`` the version is kept as an earlier one
    and the current stays current. Inside the caller's transaction. Returns (id, version)."""
    top = conn.execute("SELECT max(version) FROM submissions WHERE form = ? AND year = ? "
                       "AND slot = ?", (form, year, slot)).fetchone()[0]
    version = (top or 0) + 1
    keep = history and current is not None
    sub = conn.execute(
        "INSERT INTO submissions (file_id, form, year, group_code, slot, version, accepted_at, "
        "superseded_by, superseded_at, restored_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (file_id, form, year, group, slot, version, stamp, current["id"] if keep else None,
         stamp if keep else None, restored_from),
    ).lastrowid
    if current is not None and not keep:
        conn.execute("UPDATE submissions SET superseded_by = ?, superseded_at = ? WHERE id = ?",
                     (sub, stamp, current["id"]))
    conn.executemany(
        "INSERT INTO record_values (submission_id, item_key, field, value, sheet, cell) "
        "VALUES (?, ?, ?, ?, ?, ?)", [(sub, *r) for r in rows])
    return int(sub or 0), version


JST = dt.timezone(dt.timedelta(hours=9))


def saved_stamp(moment: dt.datetime) -> str:
    """A saved time as the master keeps it: UTC, to the second (compares as text)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def jp_time(stamp: str | None) -> str:
    """A stored time as staff read it, in Japan time: 2026年12月1日 10:18 ("" when unknown)."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=JST)
    m = moment.astimezone(JST)
    return f"{m.year}年{m.month}月{m.day}日 {m.hour}:{m.minute:02d}"
