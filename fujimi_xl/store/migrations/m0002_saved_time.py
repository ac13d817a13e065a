"""Step 2: the workbook's own saved time per received file (the newest answer wins), and
which version a restored version copies."""

from __future__ import annotations

from typing import Any

REF = {"sqlite": "INTEGER", "postgresql": "BIGINT"}


def apply(st: Any) -> None:
    added = [("files", "saved_at", st.dialect.time_type),
             ("submissions", "restored_from", REF[st.dialect.name])]
    for table, column, kind in added:
        if column not in st.dialect.columns(st.conn, table):
            st.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
