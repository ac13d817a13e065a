"""The master dataset: SQLite in the workspace by default, or PostgreSQL (``db`` in the
workspace config, or ``FUJIMI_DB_URL``). Every SQL statement of the toolkit is in this package;
:class:`Store` owns the connection and its transactions, ``dialect`` what differs between the
two databases, ``migrations`` the numbered schema steps.

Tables:
- ``groups``, ``plan_items``: the plan (who owns which item).
- ``issued``: every workbook generated, with a snapshot of what was prefilled and locked.
- ``files``: every file received, accepted or not (the receipt log, with sha256).
- ``submissions``: every accepted file as a version of its slot (a group's workbook, or one
  program's sheet); a later one supersedes, never overwrites; at most one is current.
- ``record_values``: the values of each submission with the sheet and cell they came from.
- ``carry``: what a rollover carries into the next year (last year's plan for it, 実施内容, 評価),
  shown locked beside the new year's inputs.

Moments are stored in UTC (SQLite: ISO text ``YYYY-MM-DDTHH:MM:SS+00:00``; PostgreSQL:
``timestamptz``, read back as the same text) and printed in Japan time (:func:`jp_time`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fujimi_xl.core.errors import WorkspaceFault
from fujimi_xl.core.errors import fault_from as _os_fault_from
from fujimi_xl.store import dialect as _dialect
from fujimi_xl.store import files
from fujimi_xl.store.dialect import (
    LOCK_WAIT,
    QUIET_WAIT,
    db_errors,
    is_postgres,
    lock_wait,
    mask,
    sqlite_url,
)
from fujimi_xl.store.engine import Batch, Store
from fujimi_xl.store.migrations import SCHEMA_VERSION
from fujimi_xl.store.migrations import schema_version as _schema_version
from fujimi_xl.store.migrations import upgrade as _upgrade

if TYPE_CHECKING:
    from fujimi_xl.store.workspace import Workspace

__all__ = ["LOCK_WAIT", "QUIET_WAIT", "SCHEMA_VERSION", "Batch", "Store", "db_errors",
           "is_postgres", "lock_wait", "mask", "sqlite_url"]


def now() -> str:
    """The time stamps of the master: UTC, to the second (text order is time order)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def set_on_wait(hook: Callable[[float], None] | None) -> None:
    """Called once when a write has to wait for another program, with the seconds it will
    wait; the CLI prints "マスタを他のプログラムが使用中です。待っています…" through it."""
    _dialect.on_wait_hook[0] = hook


def open_store(ws: Workspace) -> Store:
    """The store of a workspace's master (checked on first use: see Workspace.connect)."""
    return ws.connect()


def connect(target: Path | str, *, readonly: bool = False) -> Store:
    """A store on a master given by URL or by the path of a SQLite file (no quick check)."""
    url = str(target) if "://" in str(target) else sqlite_url(target)
    return Store(url, readonly=readonly)


def fault_from(exc: BaseException, where: Path | str | None = None) -> WorkspaceFault:
    """The workspace fault behind a database or file-system error: a sentence for the
    secretariat instead of a traceback. ``where``: the master (its path, or its URL)."""
    if isinstance(exc, WorkspaceFault):
        return exc
    place = mask(str(where)) if where else "master.sqlite"
    found = _dialect.fault_of(exc, place)
    if found is not None:
        return found
    cause = exc.__cause__ or exc.__context__
    if cause is not None and isinstance(cause, db_errors()):
        return fault_from(cause, where)
    return _os_fault_from(exc, place)


def check(st: Store) -> None:
    """SQLite's quick check of the whole master: a damaged page raises the master_corrupt
    fault before anything is read from it or merged into it (PostgreSQL checks its own)."""
    if st.dialect.name != "sqlite":
        return
    try:
        rows = st.dialect.quick_check(st.conn)  # type: ignore[attr-defined]
    except st.dialect.errors as exc:
        found = st.dialect.fault(exc, st.where)
        if found is not None and found.code == "master_locked":
            raise
        raise WorkspaceFault(code="master_corrupt", path=st.where, detail=str(exc)) from exc
    if rows != ["ok"]:
        raise WorkspaceFault(code="master_corrupt", path=st.where,
                             detail="; ".join(map(str, rows))[:300])


def check_writable(st: Store) -> None:
    """Take the master's write lock and give it back: a master that is locked (waited for),
    read-only or unwritable is found before any file is read."""
    st.begin()
    st.rollback()


def backup_to(st: Store, target: Path) -> None:
    """A consistent copy of a SQLite master at ``target`` through SQLite's online backup."""
    if st.dialect.name != "sqlite":
        raise WorkspaceFault(code="pg_backup", where=st.where)
    _dialect.backup_sqlite(st.conn, target)


def schema_version(st: Store) -> int | None:
    """The master's schema version (None before the tables exist)."""
    return _schema_version(st) or None


def upgrade(st: Store) -> None:
    """Bring an older workspace's master up to SCHEMA_VERSION in place, one step at a time."""
    _upgrade(st)


def create(target: Path | str) -> Store:
    """Make the master's tables at ``target`` (a SQLite path or a database URL); the store."""
    url = str(target) if "://" in str(target) else sqlite_url(target)
    st = Store(url, upgrade=False)
    try:
        _upgrade(st, create=True)
    except BaseException:
        st.close()
        raise
    return st


@contextmanager
def transaction(st: Store) -> Iterator[Store]:
    """One write transaction (or a savepoint inside an open one): see :meth:`Store.write`."""
    with st.write() as tx:
        yield tx


_encode_str = json.encoder.encode_basestring  # C-accelerated, keeps non-ASCII as it is


def dumps(value: Any) -> str:
    if type(value) is str:
        return _encode_str(value)
    return json.dumps(value, ensure_ascii=False)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def current_version(st: Store, form: str, year: int, slot: str) -> Any:
    """The current (not superseded) submission of a slot with its file's name and saved
    time, or None."""
    return st.one(
        "SELECT s.id, s.version, f.file_name, f.saved_at FROM submissions s "
        "LEFT JOIN files f ON f.id = s.file_id WHERE s.form = ? AND s.year = ? AND s.slot = ? "
        "AND s.superseded_by IS NULL", (form, year, slot))


VALUE_COLUMNS = ("submission_id", "item_key", "field", "value", "sheet", "cell", "seq")


def add_version(st: Store, *, file_id: int, form: str, year: int, group: str,
                slot: str, rows: list[tuple[str, str, str, str, str]], stamp: str,
                current: Any = None, history: bool = False,
                restored_from: int | None = None, top: int | None = None) -> tuple[int, int]:
    """Store an accepted file's values as the slot's next version, superseding (never
    overwriting) the current one; with ``history`` the version is kept as an earlier one
    and the current stays current. Inside the caller's transaction. Returns (id, version).
    ``top``: the slot's highest version number when the caller read it already.

    At no moment are two versions of the slot current (the one_current_version index): a new
    current version is written as superseded by the old one, the old one is then superseded
    by it, and only then does it become current."""
    if top is None:  # the slot's highest version number, unless the caller has it
        top = st.scalar("SELECT max(version) FROM submissions WHERE form = ? AND year = ? "
                        "AND slot = ?", (form, year, slot))
    version = (top or 0) + 1
    keep = history and current is not None
    sub = st.insert(
        "INSERT INTO submissions (file_id, form, year, group_code, slot, version, accepted_at, "
        "superseded_by, superseded_at, restored_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (file_id, form, year, group, slot, version, stamp,
         current["id"] if current is not None else None, stamp if keep else None,
         restored_from),
    )
    if current is not None and not keep:
        st.execute("UPDATE submissions SET superseded_by = ?, superseded_at = ? WHERE id = ?",
                   (sub, stamp, current["id"]))
        st.execute("UPDATE submissions SET superseded_by = NULL WHERE id = ?", (sub,))
    st.bulk_insert("record_values", VALUE_COLUMNS,
                   [(sub, *r, i) for i, r in enumerate(rows)])
    return sub, version


def add_received_version(st: Store, receipt: tuple[Any, ...], **version: Any) -> \
        tuple[int, int]:
    """The receipt of an accepted file (``files.record_receipt``'s row) and its values as the
    slot's next version (``add_version``'s keywords but ``file_id``), inside the caller's
    transaction. Returns (submission id, version).

    On PostgreSQL, the first version of a slot (nothing to supersede) is written by one
    statement, receipt, version and values together: one round trip to the server instead of
    four (the usual case of an ingest); everything else as on SQLite, statement by statement."""
    rows = version["rows"]
    if st.dialect.name != "postgresql" or version.get("current") is not None or not rows \
            or version.get("restored_from") is not None:
        file_id = files.record_receipt(st, receipt)
        return add_version(st, file_id=file_id, **version)
    top = version.get("top")
    if top is None:
        top = st.scalar("SELECT max(version) FROM submissions WHERE form = ? AND year = ? "
                        "AND slot = ?", (version["form"], version["year"], version["slot"]))
    number = (top or 0) + 1
    keys, fields, values, sheets, cells = (list(c) for c in zip(*rows, strict=True))
    row = st.one(
        f"WITH f AS ({files.RECEIPT_SQL} RETURNING id), "
        "s AS (INSERT INTO submissions (file_id, form, year, group_code, slot, version, "
        "accepted_at) SELECT f.id, ?::text, ?::integer, ?::text, ?::text, ?::integer, "
        "?::timestamptz FROM f RETURNING id), "
        "v AS (INSERT INTO record_values (submission_id, item_key, field, value, sheet, cell, "
        "seq) SELECT s.id, u.k, u.f, u.v, u.sh, u.c, u.n - 1 FROM s, "
        "unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) "
        "WITH ORDINALITY AS u(k, f, v, sh, c, n)) "
        "SELECT s.id FROM s",
        (*receipt, version["form"], version["year"], version["group"], version["slot"],
         number, version["stamp"], keys, fields, values, sheets, cells))
    return int(row[0]), number


JST = dt.timezone(dt.timedelta(hours=9))


def saved_stamp(moment: dt.datetime) -> str:
    """A moment as the master keeps it: UTC, to the second (compares as text)."""
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


def set_meta(st: Store, key: str, value: str) -> None:
    st.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def claim_master(url: str, workspace_id: str, root: str) -> None:
    """Make the master's schema in the database at ``url`` for a new workspace. A database
    that already holds another workspace's master with anything in it is refused in words
    (its data is never mixed with this one's); an empty master is taken over."""
    st = Store(url, upgrade=False)
    try:
        with st.write():
            if _schema_version(st) > 0:
                owner = st.scalar("SELECT value FROM meta WHERE key = 'workspace_id'")
                held = any(st.scalar(f"SELECT count(*) FROM {table}")
                           for table in ("groups", "issued", "files"))
                if owner != workspace_id and held:
                    where = st.scalar("SELECT value FROM meta WHERE key = 'workspace_root'")
                    raise WorkspaceFault(code="db_other_master", where=st.where,
                                         root=where or "?")
            _upgrade(st, create=True)
            set_meta(st, "workspace_id", workspace_id)
            set_meta(st, "workspace_root", root)
    finally:
        st.close()
