"""The one object that owns a connection to the master and its transactions (the model is
sqlite-utils' ``Database``): ``with st.write():`` is a write transaction with the master's
write lock, or a savepoint inside an open one (so a :class:`Batch` of files commits together
while each file is merged whole or not at all)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from fujimi_xl.store import migrations
from fujimi_xl.store.dialect import Dialect, for_url, mask, sqlite_path


class Store:
    """A connection to the master at ``url`` (``sqlite:///path`` or ``postgresql://…``).

    SQL is written with ``?`` placeholders; the dialect converts them. Opening brings an
    older master up to the current schema (numbered migrations) unless ``upgrade`` is off."""

    def __init__(self, url: str, *, readonly: bool = False, upgrade: bool = True) -> None:
        self.url = url
        self.dialect: Dialect = for_url(url)
        # where the master is, as it may be printed (a file's path, or host and database)
        self.where = (str(sqlite_path(url)) if self.dialect.name == "sqlite" else mask(url))
        self.conn: Any = self.dialect.connect(url, readonly=readonly)
        self._sql = self.dialect.sql
        if upgrade and not readonly:
            try:
                migrations.upgrade(self)
            except BaseException:
                self.close()
                raise

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Store:
        return cls(url, **kwargs)

    # -- statements ----------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; the cursor (iterate it, or fetchone / fetchall)."""
        return self.conn.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if self.dialect.name == "sqlite":
            self.conn.executemany(sql, rows)
            return
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql), list(rows))

    def tuples(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row as a plain tuple (cheaper for thousands of rows)."""
        if self.dialect.name == "sqlite":
            cur = self.conn.cursor()
            cur.row_factory = None
            return list(cur.execute(sql, params).fetchall())
        with self.conn.cursor(row_factory=_tuple_row) as cur:
            return list(cur.execute(self._sql(sql), params).fetchall())

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Every row as a dict of column -> value."""
        cur = self.execute(sql, params)
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first row (read by position or by name), or None."""
        return self.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an ``INSERT`` into a table with an ``id`` column; the new row's id."""
        return int(self.execute(sql + " RETURNING id", params).fetchone()[0])

    def bulk_insert(self, table: str, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]]) -> None:
        """Many rows at once (PostgreSQL: COPY)."""
        self.dialect.bulk_insert(self.conn, table, columns, rows)

    # -- transactions --------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self.dialect.in_transaction(self.conn)

    def begin(self) -> None:
        """Open a write transaction with the master's write lock (waits for another writer)."""
        self.dialect.begin_write(self.conn, self.where)

    def commit(self) -> None:
        if self.in_transaction:
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        """Undo the open transaction; a failure to do so (none open any more) is not news."""
        try:
            if self.in_transaction:
                self.conn.execute("ROLLBACK")
        except self.dialect.errors:
            pass

    @contextmanager
    def write(self) -> Iterator[Store]:
        """One write transaction: everything inside commits together or not at all. Inside an
        open one (a :class:`Batch`) it is a savepoint: undone alone on an error."""
        if self.in_transaction:
            self.conn.execute("SAVEPOINT fx_unit")
            try:
                yield self
            except BaseException:
                try:
                    self.conn.execute("ROLLBACK TO SAVEPOINT fx_unit")
                    self.conn.execute("RELEASE SAVEPOINT fx_unit")
                except self.dialect.errors:
                    # the unit cannot be undone alone (SQLite may have ended the transaction
                    # itself on a full disk): undo the whole batch, never commit half a unit
                    self.rollback()
                raise
            else:
                self.conn.execute("RELEASE SAVEPOINT fx_unit")
            return
        self.begin()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Store]:
        """The store for reading (a context that closes it at the end)."""
        try:
            yield self
        finally:
            self.close()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        """As a ``sqlite3`` connection does: an open transaction is committed (undone on an
        error); the store stays open (``read()`` closes it)."""
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


def _tuple_row(cursor: Any) -> Any:
    return tuple


class Batch:
    """Many small transactions committed together: ingest merges each file as a savepoint of
    one write transaction and commits every ``every`` units or ``seconds``, so 500 files cost a
    handful of commits, not 500. Each file is still merged whole or not at all (its savepoint
    is undone on an error), and the batch's commit is atomic: a process killed before it
    leaves the master exactly as the last commit left it."""

    def __init__(self, st: Store, every: int = 100, seconds: float = 1.0) -> None:
        self.st, self.every, self.seconds = st, every, seconds
        self.units = 0
        self.started = 0.0

    def begin(self) -> None:
        """Open the batch's write transaction, if it is not open yet."""
        if not self.st.in_transaction:
            self.st.begin()
            self.units, self.started = 0, time.monotonic()

    def done(self) -> None:
        """One unit is finished: commit when the batch is full or old enough."""
        self.units += 1
        if self.st.in_transaction and (
                self.units >= self.every or time.monotonic() - self.started >= self.seconds):
            self.commit()

    def commit(self) -> None:
        self.st.commit()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        # what was merged whole before an error is kept, as if committed alone; a commit that
        # fails (a full disk) undoes the whole batch, and the error that stopped it is shown
        try:
            self.commit()
        except self.st.dialect.errors:
            self.st.rollback()
            if exc is None:
                raise
