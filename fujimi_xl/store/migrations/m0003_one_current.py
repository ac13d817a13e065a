"""Step 3: one current version per slot, enforced by the database; an order of issue and of
values that needs no SQLite ``rowid``; every stored moment in UTC.

- a partial unique index: at most one submission of a slot is not superseded;
- ``issued.seq`` and ``record_values.seq``: the order rows were written in (SQLite masters
  take it from their ``rowid``);
- SQLite keeps moments as ISO text: those written with a local offset (``+09:00``) become
  UTC (``+00:00``), so that text order is time order. PostgreSQL keeps ``timestamptz``.
"""

from __future__ import annotations

from typing import Any

TIMES = [("issued", "issued_at"), ("files", "received_at"), ("files", "saved_at"),
         ("submissions", "accepted_at"), ("submissions", "superseded_at"),
         ("carry", "made_at")]


def apply(st: Any) -> None:
    sqlite = st.dialect.name == "sqlite"
    for table in ("issued", "record_values"):
        if "seq" not in st.dialect.columns(st.conn, table):
            st.execute(f"ALTER TABLE {table} ADD COLUMN seq BIGINT")
            if sqlite:
                st.execute(f"UPDATE {table} SET seq = rowid")
    st.execute("CREATE UNIQUE INDEX IF NOT EXISTS one_current_version "
               "ON submissions (form, year, slot) WHERE superseded_by IS NULL")
    if sqlite:
        for table, column in TIMES:
            st.execute(f"UPDATE {table} SET {column} = "
                       f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {column}) "
                       f"WHERE {column} IS NOT NULL AND {column} NOT LIKE '%+00:00' "
                       f"AND strftime('%Y', {column}) IS NOT NULL")
