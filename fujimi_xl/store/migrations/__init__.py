"""Numbered steps of the master's schema, each with its SQL per dialect; ``meta`` keeps
``schema_version``, the number of the last step applied. A master made by an older version
is brought up to date in place, one step at a time, on first use.

Step ``n`` (module ``m000n_*``) makes a version ``n - 1`` master a version ``n`` one; an empty
database is version 0. Each step's ``apply(st)`` runs inside the caller's write transaction.
"""

from __future__ import annotations

from typing import Any

from fujimi_xl.store.migrations import (
    m0001_initial,
    m0002_saved_time,
    m0003_one_current,
    m0004_access,
)

STEPS = [m0001_initial, m0002_saved_time, m0003_one_current, m0004_access]
SCHEMA_VERSION = len(STEPS)


def schema_version(st: Any) -> int:
    """The master's schema version: 0 for an empty database (no tables yet)."""
    if not st.dialect.has_table(st.conn, "meta"):
        return 0
    row = st.one("SELECT value FROM meta WHERE key = 'schema_version'")
    return int(row[0]) if row is not None else 1


def set_version(st: Any, version: int) -> None:
    st.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(version),))


def upgrade(st: Any, *, create: bool = False) -> None:
    """Apply the steps a master lacks. An empty database is left alone unless ``create``
    (opening a database that holds no master does not make one). A master that cannot be
    written (a read-only copy) is left as it is: what reads it still works; a command that
    writes stops on its own."""
    version = schema_version(st)
    if version >= SCHEMA_VERSION or (version == 0 and not create):
        return
    try:
        with st.write():
            version = schema_version(st)  # another process may have done it meanwhile
            while version < SCHEMA_VERSION:
                STEPS[version].apply(st)
                version += 1
                set_version(st, version)
    except st.dialect.errors:
        if create:
            raise
        if st.dialect.name != "sqlite":
            raise
        return
