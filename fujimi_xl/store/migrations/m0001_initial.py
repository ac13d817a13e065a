"""Step 1: the master as the first release made it."""

from __future__ import annotations

from typing import Any

# {ID}: an id that numbers itself; {REF}: a column holding such an id; {TIME}: a moment
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
    issued_at {TIME} NOT NULL,
    locked_hash TEXT NOT NULL,
    items TEXT NOT NULL,
    file_name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issued_slot ON issued (form, year, slot, issued_at);
CREATE TABLE IF NOT EXISTS files (
    id {ID},
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at {TIME} NOT NULL,
    form TEXT,
    year INTEGER,
    group_code TEXT,
    slot TEXT,
    issue_id TEXT,
    outcome TEXT NOT NULL,
    n_errors INTEGER NOT NULL DEFAULT 0,
    n_warnings INTEGER NOT NULL DEFAULT 0,
    problems TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS files_sha ON files (sha256);
CREATE TABLE IF NOT EXISTS submissions (
    id {ID},
    file_id {REF} NOT NULL REFERENCES files(id),
    form TEXT NOT NULL,
    year INTEGER NOT NULL,
    group_code TEXT NOT NULL,
    slot TEXT NOT NULL,
    version INTEGER NOT NULL,
    accepted_at {TIME} NOT NULL,
    superseded_by {REF} REFERENCES submissions(id),
    superseded_at {TIME},
    UNIQUE (form, year, slot, version)
);
CREATE TABLE IF NOT EXISTS record_values (
    submission_id {REF} NOT NULL REFERENCES submissions(id),
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
    made_at {TIME} NOT NULL,
    PRIMARY KEY (form, year, item_key, group_code)
);
CREATE VIEW current_values AS
    SELECT s.form, s.year, s.group_code, s.slot, s.id AS submission_id, s.version,
           v.item_key, v.field, v.value, v.sheet, v.cell
    FROM submissions s JOIN record_values v ON v.submission_id = s.id
    WHERE s.superseded_by IS NULL
"""

REF = {"sqlite": "INTEGER", "postgresql": "BIGINT"}


def statements(dialect: Any) -> list[str]:
    text = DDL.replace("{ID}", dialect.id_type).replace("{REF}", REF[dialect.name]) \
        .replace("{TIME}", dialect.time_type)
    return [s for s in text.split(";") if s.strip()]


def apply(st: Any) -> None:
    for statement in statements(st.dialect):
        st.execute(statement)
