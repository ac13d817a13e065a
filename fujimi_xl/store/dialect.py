"""The two databases the master can live in, and the little that differs between them.

SQL in ``store/`` is written once, with ``?`` placeholders and portable syntax
(``INSERT ... ON CONFLICT ... DO UPDATE``, ``RETURNING id``, ``CASE WHEN``). A dialect
converts the placeholders, opens a connection, takes the write lock, inserts many rows at
once, and turns the driver's errors into the secretariat's faults (a Japanese sentence,
exit 2, never a traceback). The drivers are imported here and nowhere else: ``sqlite3``
always, psycopg 3 only when a PostgreSQL URL is used.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from fujimi_xl.core.errors import WorkspaceFault

# How long a write waits for a master that another program holds (seconds); FUJIMI_LOCK_WAIT
# overrides it (the tests use a second or two).
LOCK_WAIT = 60.0
# Waits shorter than this pass in silence (our own concurrent ingests take turns this way).
QUIET_WAIT = 1.0
# The PostgreSQL advisory lock every write transaction of a master takes first: writers take
# turns (one key, so no deadlock between two ingests, whatever order they touch slots in).
ADVISORY_KEY = 0x66756A696D69  # "fujimi"


def lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("FUJIMI_LOCK_WAIT", LOCK_WAIT)))
    except ValueError:
        return LOCK_WAIT


def mask(url: str) -> str:
    """A URL as it may be printed: the password (if any) replaced by ``***``."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path)}"


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///path`` URL (``sqlite:////abs/path`` for an absolute one)."""
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):])
    return Path(url)


class Dialect:
    """What one database needs done its own way."""

    name = ""
    id_type = ""  # the type of an id column that numbers itself
    time_type = ""  # the type of a stored moment
    errors: tuple[type[BaseException], ...] = ()

    def sql(self, text: str) -> str:
        return text

    def connect(self, url: str, *, readonly: bool = False) -> Any:
        raise NotImplementedError

    def in_transaction(self, conn: Any) -> bool:
        raise NotImplementedError

    def begin_write(self, conn: Any, where: str) -> None:
        raise NotImplementedError

    def bulk_insert(self, conn: Any, table: str, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        conn.executemany(self.sql(f"INSERT INTO {table} ({', '.join(columns)}) "
                                  f"VALUES ({marks})"), rows)

    def fault(self, exc: BaseException, where: str) -> WorkspaceFault | None:
        """The secretariat's fault behind a driver error, None when it is not one."""
        return None

    def has_table(self, conn: Any, table: str) -> bool:
        raise NotImplementedError

    def columns(self, conn: Any, table: str) -> set[str]:
        raise NotImplementedError


# -- SQLite ------------------------------------------------------------------------------------

# Called once when a write has to wait for another program, with the seconds it will wait;
# the CLI prints "マスタを他のプログラムが使用中です。待っています…" through it (store.on_wait).
on_wait_hook: list[Callable[[float], None] | None] = [None]


def _busy(exc: sqlite3.OperationalError) -> bool:
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


class SQLite(Dialect):
    name = "sqlite"
    id_type = "INTEGER PRIMARY KEY"
    time_type = "TEXT"
    errors = (sqlite3.Error,)

    def connect(self, url: str, *, readonly: bool = False) -> sqlite3.Connection:
        path = sqlite_path(url)
        wait = lock_wait()
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
            conn.row_factory = sqlite3.Row
            return conn
        conn = sqlite3.connect(str(path), timeout=wait, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            # the first statement that needs the file: a program holding the master
            # exclusively (even for reading) is waited for with a message, then refused
            self.patient(conn, "PRAGMA journal_mode=WAL", str(path))
            # WAL with synchronous=NORMAL: a commit is atomic and survives the process being
            # killed; only a power cut can lose the last commits, never leave half of one
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        except BaseException:
            conn.close()
            raise
        return conn

    def in_transaction(self, conn: Any) -> bool:
        return bool(conn.in_transaction)

    def has_table(self, conn: Any, table: str) -> bool:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                            (table,)).fetchone() is not None

    def columns(self, conn: Any, table: str) -> set[str]:
        return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}

    def quick_check(self, conn: Any) -> list[str]:
        return [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)").fetchall()]

    def integrity_check(self, conn: Any) -> list[str]:
        return [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)").fetchall()]

    def begin_write(self, conn: Any, where: str) -> None:
        self.patient(conn, "BEGIN IMMEDIATE", where)

    def patient(self, conn: sqlite3.Connection, sql: str, where: str) -> None:
        """Run ``sql``; when another program holds the master, say so (on_wait) and wait up
        to lock_wait() seconds, then give up with the master_locked fault."""
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
        hook = on_wait_hook[0]
        if hook is not None:
            hook(wait)
        conn.execute(f"PRAGMA busy_timeout={int(rest * 1000)}")
        try:
            conn.execute(sql)
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise WorkspaceFault(code="master_locked", path=where,
                                     seconds=f"{wait:.0f}") from exc
            raise
        finally:
            conn.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")

    def fault(self, exc: BaseException, where: str) -> WorkspaceFault | None:
        if not isinstance(exc, sqlite3.Error):
            return None
        text = str(exc).lower()
        name = str(getattr(exc, "sqlite_errorname", "") or "")
        if "locked" in text or "busy" in text or name.startswith(("SQLITE_BUSY",
                                                                   "SQLITE_LOCKED")):
            return WorkspaceFault(code="master_locked", path=where, seconds="")
        if "readonly" in text or name.startswith("SQLITE_READONLY"):
            return WorkspaceFault(code="workspace_read_only", path=Path(where).parent)
        if "full" in text or name == "SQLITE_FULL":
            return WorkspaceFault(code="disk_full", path=where)
        if ("malformed" in text or "not a database" in text
                or name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))):
            return WorkspaceFault(code="master_corrupt", path=where, detail=str(exc))
        if "disk i/o" in text or name.startswith("SQLITE_IOERR"):
            if _nearly_full(Path(where).parent):
                return WorkspaceFault(code="disk_full", path=where)
            return WorkspaceFault(code="workspace_io", path=where, detail=str(exc))
        if "unable to open" in text or name.startswith("SQLITE_CANTOPEN"):
            folder = Path(where).parent
            if folder.is_dir() and not os.access(folder, os.W_OK):
                return WorkspaceFault(code="workspace_read_only", path=folder)
            return WorkspaceFault(code="master_unopenable", path=where)
        return WorkspaceFault(code="master_error", path=where, detail=str(exc)[:200])


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 256 * 1024
    except OSError:
        return False


# -- PostgreSQL --------------------------------------------------------------------------------

class Row:
    """A PostgreSQL row read like ``sqlite3.Row``: by position or by column name."""

    __slots__ = ("_keys", "_values")

    def __init__(self, keys: dict[str, int], values: Sequence[Any]) -> None:
        self._keys, self._values = keys, values

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._keys[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._keys)

    def __iter__(self) -> Any:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return tuple(self._values) == (tuple(other) if isinstance(other, Row | tuple)
                                       else other)

    def __hash__(self) -> int:
        return hash(tuple(self._values))

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._keys, self._values, strict=True))!r})"


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    keys = {c.name: i for i, c in enumerate(cursor.description or ())}
    return lambda values: Row(keys, values)


@functools.lru_cache(maxsize=512)
def _pg_sql(text: str) -> str:
    return text.replace("%", "%%").replace("?", "%s")


def _psycopg() -> Any:
    # deferred: psycopg is loaded only when a master on PostgreSQL is used
    import psycopg

    return psycopg


class PostgreSQL(Dialect):
    name = "postgresql"
    id_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    time_type = "TIMESTAMPTZ"

    def sql(self, text: str) -> str:
        return _pg_sql(text)

    def connect(self, url: str, *, readonly: bool = False) -> Any:
        pg = _psycopg()
        self.errors = (pg.Error,)
        try:
            conn = pg.connect(url, autocommit=True, row_factory=_row_factory,
                              connect_timeout=10, options="-c TimeZone=UTC")
        except pg.Error as exc:
            raise self.fault(exc, url) or WorkspaceFault(
                code="pg_error", where=_where(url), detail=_detail(exc)) from exc
        conn.adapters.register_loader("timestamptz", _utc_loader(pg))
        # the write lock (and any row lock) is waited for as long as a SQLite master's
        # (0 would mean "for ever" to PostgreSQL: at least a millisecond)
        conn.execute(f"SET lock_timeout = '{max(1, int(lock_wait() * 1000))}ms'")
        if readonly:
            conn.execute("SET default_transaction_read_only = on")
        return conn

    def in_transaction(self, conn: Any) -> bool:
        return bool(conn.info.transaction_status != _psycopg().pq.TransactionStatus.IDLE)

    def has_table(self, conn: Any, table: str) -> bool:
        return conn.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s "
                            "AND table_schema = current_schema()", (table,)).fetchone() \
            is not None

    def columns(self, conn: Any, table: str) -> set[str]:
        return {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND table_schema = current_schema()", (table,))}

    def begin_write(self, conn: Any, where: str) -> None:
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_KEY,))
        except BaseException as exc:
            conn.execute("ROLLBACK")
            pg = _psycopg()
            if isinstance(exc, pg.errors.LockNotAvailable):
                raise WorkspaceFault(code="pg_locked", path=mask(where),
                                     seconds=f"{lock_wait():.0f}") from exc
            raise

    def bulk_insert(self, conn: Any, table: str, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]]) -> None:
        with conn.cursor() as cur, cur.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def fault(self, exc: BaseException, where: str) -> WorkspaceFault | None:
        pg = _psycopg() if "psycopg" in sys.modules else None
        if pg is None or not isinstance(exc, pg.Error):
            return None
        text = str(exc)
        low = text.lower()
        place = _where(where)
        if isinstance(exc, pg.errors.LockNotAvailable):
            return WorkspaceFault(code="pg_locked", path=mask(where),
                                  seconds=f"{lock_wait():.0f}")
        if isinstance(exc, pg.errors.InsufficientPrivilege) or "permission denied" in low:
            return WorkspaceFault(code="pg_denied", where=place, user=_user(where),
                                  detail=_detail(exc))
        if ("password authentication failed" in low or "no password supplied" in low
                or ("role" in low and "does not exist" in low)
                or "no pg_hba.conf entry" in low):
            return WorkspaceFault(code="pg_auth", where=place, user=_user(where))
        if "does not exist" in low and "database" in low:
            return WorkspaceFault(code="pg_no_database", where=place, db=_dbname(where))
        if isinstance(exc, pg.OperationalError) and (
                "connection refused" in low or "could not connect" in low
                or "connection failed" in low or "timeout" in low
                or "server closed" in low or "no route" in low
                or "could not translate host" in low or "name or service" in low
                or "connection is lost" in low or "terminating connection" in low):
            return WorkspaceFault(code="pg_unreachable", where=place)
        if isinstance(exc, pg.errors.DiskFull):
            return WorkspaceFault(code="pg_error", where=place, detail=_detail(exc))
        return WorkspaceFault(code="pg_error", where=place, detail=_detail(exc))


def _utc_loader(pg: Any) -> Any:
    class UtcText(pg.adapt.Loader):  # type: ignore[misc]
        """A moment as the master's text: ISO 8601 in UTC to the second, ``+00:00`` (the
        session's time zone is UTC), as SQLite keeps it, so both compare alike."""

        def load(self, data: Any) -> str:
            text = bytes(data).decode()
            if text.endswith("+00"):
                text = text[:-3] + "+00:00"
            date, _, rest = text.partition(" ")
            if "." in rest:
                rest = rest[:rest.index(".")] + rest[rest.index("+"):] if "+" in rest else rest
            return f"{date}T{rest}"

    return UtcText


def _where(url: str) -> str:
    parts = urlsplit(url) if "://" in url else None
    if parts is None:
        return mask(url)
    host = parts.hostname or "localhost"
    return f"{host}:{parts.port or 5432}"


def _user(url: str) -> str:
    parts = urlsplit(url) if "://" in url else None
    return unquote(parts.username or "") if parts else ""


def _dbname(url: str) -> str:
    parts = urlsplit(url) if "://" in url else None
    return unquote(parts.path.lstrip("/")) if parts else ""


def _detail(exc: BaseException) -> str:
    """The driver's words, first line only, with any password masked."""
    return mask(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)[:200]


SQLITE = SQLite()
POSTGRESQL = PostgreSQL()


def for_url(url: str) -> Dialect:
    return POSTGRESQL if is_postgres(url) else SQLITE


def db_errors() -> tuple[type[BaseException], ...]:
    """The driver errors of every database this process has used (to catch them as faults)."""
    if "psycopg" in sys.modules:
        return (sqlite3.Error, sys.modules["psycopg"].Error)
    return (sqlite3.Error,)


def fault_of(exc: BaseException, where: str) -> WorkspaceFault | None:
    """The fault behind a driver error of either database, None when it is none of theirs."""
    return SQLITE.fault(exc, where) or POSTGRESQL.fault(exc, where)


def backup_sqlite(conn: Any, target: Path) -> None:
    dst = sqlite3.connect(str(target))
    try:
        conn.backup(dst)
    finally:
        dst.close()
