"""The SQL of access (issue 15): links per slot, the secretariat's accounts, the log of what
was done and by whom, and each group's e-mail address.

Written portably (``?`` placeholders, ``INSERT ... ON CONFLICT ... DO UPDATE``, TEXT and
INTEGER columns, no rowid, no PRAGMA, times as UTC ISO text) so that the PostgreSQL master
can take the same statements. The tables are made by migration step 4
(``store/migrations/m0004_access.py``).

What is kept of a link is its slot's nonce and the sha256 of its token: the token itself is
derived from the workspace's key (``lifecycle.access``), so a copy of the master alone never
yields a working link.
"""

from __future__ import annotations

from typing import Any


# -- links ------------------------------------------------------------------------------------
def link_rows(conn: Any, form: str, year: int) -> dict[str, Any]:
    """slot -> its row (nonce, token_hash, group_code, revoked_at) for ``form`` and ``year``."""
    rows = conn.execute(
        "SELECT slot, group_code, label, nonce, token_hash, made_at, revoked_at FROM access_links "
        "WHERE form = ? AND year = ?", (form, year)).fetchall()
    return {r["slot"]: r for r in rows}


def put_link(conn: Any, form: str, year: int, ref: Any, nonce: str, token_hash: str,
             stamp: str) -> None:
    """Give the slot of ``ref`` (a SlotRef) a nonce and token hash (a link it had before with
    another nonce is dead)."""
    conn.execute(
        "INSERT INTO access_links (form, year, slot, group_code, label, nonce, token_hash, "
        "made_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL) "
        "ON CONFLICT (form, year, slot) DO UPDATE SET group_code = excluded.group_code, "
        "label = excluded.label, nonce = excluded.nonce, token_hash = excluded.token_hash, "
        "made_at = excluded.made_at, revoked_at = NULL",
        (form, year, ref.slot, ref.group_code, ref.label, nonce, token_hash, stamp))


def revoke_link(conn: Any, form: str, year: int, ref: Any, stamp: str) -> None:
    """Forget the nonce and token hash of the slot of ``ref`` (a SlotRef): its link opens
    nothing any more."""
    conn.execute(
        "INSERT INTO access_links (form, year, slot, group_code, label, nonce, token_hash, "
        "made_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?) "
        "ON CONFLICT (form, year, slot) DO UPDATE SET nonce = NULL, token_hash = NULL, "
        "revoked_at = excluded.revoked_at",
        (form, year, ref.slot, ref.group_code, ref.label, stamp, stamp))


def link_by_hash(conn: Any, token_hash: str) -> Any:
    """The link row whose token hashes to ``token_hash``, with its group's names, or None."""
    return conn.execute(
        "SELECT l.form, l.year, l.slot, l.group_code, l.label, l.nonce, l.token_hash, "
        "g.department, g.name FROM access_links l JOIN groups g ON g.code = l.group_code "
        "WHERE l.token_hash = ? AND l.nonce IS NOT NULL", (token_hash,)).fetchone()


# -- users ------------------------------------------------------------------------------------
def put_user(conn: Any, name: str, salt: str, digest: str, params: str, stamp: str) -> None:
    conn.execute(
        "INSERT INTO access_users (name, salt, hash, params, made_at, changed_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET salt = excluded.salt, "
        "hash = excluded.hash, params = excluded.params, changed_at = excluded.changed_at",
        (name, salt, digest, params, stamp, stamp))


def user_row(conn: Any, name: str) -> Any:
    return conn.execute("SELECT name, salt, hash, params FROM access_users WHERE name = ?",
                        (name,)).fetchone()


def user_names(conn: Any) -> list[str]:
    return [r["name"] for r in conn.execute("SELECT name FROM access_users ORDER BY name")]


def delete_user(conn: Any, name: str) -> bool:
    return bool(conn.execute("DELETE FROM access_users WHERE name = ?", (name,)).rowcount)


# -- the log ----------------------------------------------------------------------------------
def add_action(conn: Any, entry_id: str, stamp: str, who: str, action: str,
               detail: str) -> None:
    conn.execute("INSERT INTO access_log (id, at, who, what, detail) VALUES (?, ?, ?, ?, ?)",
                 (entry_id, stamp, who, action, detail))


def last_actions(conn: Any, limit: int) -> list[Any]:
    return conn.execute("SELECT at, who, what, detail FROM access_log "
                        "ORDER BY at DESC, id DESC LIMIT ?", (limit,)).fetchall()


# -- contacts ---------------------------------------------------------------------------------
def save_contacts(conn: Any, emails: dict[str, str]) -> None:
    """Set each group's e-mail address (code -> address; "" forgets it), inside the caller's
    transaction. Groups not named keep theirs."""
    for code, email in emails.items():
        if email:
            conn.execute(
                "INSERT INTO access_contacts (group_code, email) VALUES (?, ?) "
                "ON CONFLICT (group_code) DO UPDATE SET email = excluded.email", (code, email))
        else:
            conn.execute("DELETE FROM access_contacts WHERE group_code = ?", (code,))


def contact_rows(conn: Any) -> dict[str, str]:
    return {r["group_code"]: r["email"]
            for r in conn.execute("SELECT group_code, email FROM access_contacts")}
