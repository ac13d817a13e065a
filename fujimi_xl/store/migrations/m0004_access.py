"""Step 4: the browser's access tables: a link per slot (its nonce and the sha256 of its token,
never the token), the secretariat's accounts (scrypt), the log of who did what, and each
group's e-mail address (the plan's optional メール column)."""

from __future__ import annotations

from typing import Any

TABLES = (
    """CREATE TABLE IF NOT EXISTS access_links (
    form TEXT NOT NULL,
    year INTEGER NOT NULL,
    slot TEXT NOT NULL,
    group_code TEXT NOT NULL,
    label TEXT NOT NULL,
    nonce TEXT,
    token_hash TEXT,
    made_at TEXT NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (form, year, slot)
)""",
    "CREATE INDEX IF NOT EXISTS access_links_hash ON access_links (token_hash)",
    """CREATE TABLE IF NOT EXISTS access_users (
    name TEXT PRIMARY KEY,
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    params TEXT NOT NULL,
    made_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS access_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    what TEXT NOT NULL,
    detail TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS access_log_at ON access_log (at)",
    """CREATE TABLE IF NOT EXISTS access_contacts (
    group_code TEXT PRIMARY KEY,
    email TEXT NOT NULL
)""",
)


def apply(st: Any) -> None:
    for statement in TABLES:
        st.execute(statement)
