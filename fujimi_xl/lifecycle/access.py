"""Who may do what through the browser (issue 15): a link per slot for staff, accounts for the
secretariat, the log of actions, and each group's e-mail address.

Links. Each slot (a group's workbook, or one item's sheet) of a form and year gets a random
nonce kept in the master; its token is ``base64url(HMAC-SHA256(workspace key,
"access|form|year|slot|nonce"))`` (43 characters). The master keeps the nonce and the
sha256 of the token (to find the slot of a token): the same link can be printed again without
keeping it in clear, and a copy of the master without the key (``secret.key``) yields no
working link. ``revoke`` forgets the nonce (the link is dead); ``renew`` makes a new one (the
old link is dead, a new one works).

Accounts. ``hashlib.scrypt`` with a random salt per user; passwords compared in constant time.

The workspace's public address (``public_url`` in fujimi.json, set with ``fujimi-xl links
--public-url``) turns a token into a link staff can click: ``{public_url}/g/{token}``.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import xlsxwriter

from fujimi_xl import store
from fujimi_xl.core import outfile
from fujimi_xl.core.errors import FujimiError
from fujimi_xl.forms import load_form
from fujimi_xl.store import access as sql
from fujimi_xl.store.plans import load_plan
from fujimi_xl.store.workspace import Workspace

__all__ = [
    "Action",
    "SlotLink",
    "SlotRef",
    "actions",
    "add_user",
    "check_password",
    "contacts",
    "links",
    "log_action",
    "public_url",
    "remove_user",
    "revoke",
    "set_public_url",
    "slot_for_token",
    "users",
    "write_links",
]

PUBLIC_URL = "public_url"  # the key of the workspace config
LINK_PATH = "/g/"  # a group's page: {public_url}/g/{token}
TOKEN_LENGTH = 43  # base64url of 32 bytes, without padding
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")
MIN_PASSWORD = 8
MAX_NAME = 64
# scrypt: 16 MiB of memory and some 50 ms a check on this kind of machine
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
_SCRYPT_PARAMS = "scrypt:{n}:{r}:{p}".format(**_SCRYPT)
_DUMMY_SALT = bytes(16)

KEPT = 4  # connections a thread keeps (one per master it used last)
_LOCAL = threading.local()  # each thread's kept connections: (master, inode) -> connection


@dataclass(frozen=True)
class SlotRef:
    """One slot of a form and year: what a link opens."""

    form: str
    year: int
    slot: str
    group_code: str
    group_name: str  # 部 グループ, as the books' banner shows it
    label: str = ""  # the item's title when the form has a book per item, else ""


@dataclass(frozen=True)
class SlotLink:
    """A slot's link: ``token`` ("" when the link was revoked) and ``url`` (None when the
    workspace has no public address, or the link was revoked)."""

    ref: SlotRef
    token: str
    url: str | None


@dataclass(frozen=True)
class Action:
    """One line of the log: when (UTC, ISO), who, what, and its details."""

    at: str
    who: str
    action: str
    detail: str


def _utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _master_key(ws: Workspace) -> tuple[str, int]:
    """Which master a kept connection belongs to: its URL, and for a SQLite file its inode
    (a master restored from a backup is another file under the same name)."""
    url = ws.db_url
    try:
        return url, ws.db_path.stat().st_ino
    except OSError:
        return url, 0


@contextmanager
def _master(ws: Workspace) -> Iterator[Any]:
    """A connection to the master (its access tables come with the schema, step 4). Each
    thread keeps its connection for the next call: a server asks for a link's slot and notes
    an action on every request, and closing a SQLite master's last connection checkpoints its
    WAL (some 20 ms on this kind of disk) where a kept one costs nothing. A master on
    PostgreSQL is connected to for each call (a server restart would leave kept connections
    dead)."""
    if store.is_postgres(ws.db_url):
        conn = ws.connect()
        try:
            yield conn
        finally:
            conn.close()
        return
    seen = _master_key(ws)
    kept: dict[tuple[str, int], Any] = _LOCAL.__dict__.setdefault("conns", {})
    conn = kept.pop(seen, None)
    if conn is None:
        conn = ws.connect()
    try:
        yield conn
    except BaseException:
        conn.close()  # a connection that failed is not kept
        raise
    else:
        old = kept.pop(seen, None)  # a nested call kept its own meanwhile
        if old is not None:
            old.close()
        kept[seen] = conn
        while len(kept) > KEPT:  # the oldest other masters' connections are closed
            kept.pop(next(iter(kept))).close()


# -- the public address -----------------------------------------------------------------------
def public_url(ws: Workspace) -> str | None:
    """The address staff open the server at (``http://fujimi-srv01:8080``), or None."""
    return str(ws.config.get(PUBLIC_URL) or "") or None


def set_public_url(ws: Workspace, url: str) -> str:
    """Keep ``url`` as the workspace's public address ("" forgets it); returns it as kept."""
    url = url.strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
                or parts.fragment:
            raise FujimiError(code="access_bad_url", url=url)
        try:
            parts.port  # noqa: B018  (raises on a port that is not a number)
        except ValueError:
            raise FujimiError(code="access_bad_url", url=url) from None
        url = url.rstrip("/")
    if url:
        ws.config[PUBLIC_URL] = url
    else:
        ws.config.pop(PUBLIC_URL, None)
    ws.save_config()
    return url


def url_for(ws: Workspace, token: str) -> str | None:
    base = public_url(ws)
    return f"{base}{LINK_PATH}{token}" if base and token else None


# -- links ------------------------------------------------------------------------------------
def _token(key: bytes, form: str, year: int, slot: str, nonce: str) -> str:
    mac = hmac.new(key, f"access|{form}|{year}|{slot}|{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _slots(conn: Any, ws: Workspace, form: str, year: int,
           groups: Iterable[str] | None) -> list[SlotRef]:
    """The slots of the stored plan of ``form`` (of ``groups`` only, when given), in the
    plan's order: one a group for a book per group, one an item for a book per item."""
    f = load_form(form, ws.root)
    plan = load_plan(conn, form)
    wanted = set(groups) if groups is not None else None
    by_code = {g.code: g for g in plan.groups}
    out: list[SlotRef] = []
    if f.unit == "group":
        planned = {it.group for it in plan.items}
        for g in plan.groups:
            if g.code in planned and (wanted is None or g.code in wanted):
                out.append(SlotRef(form, year, g.code, g.code, g.full_name))
    else:
        for it in plan.items:
            owner = by_code.get(it.group)
            if owner is not None and (wanted is None or owner.code in wanted):
                out.append(SlotRef(form, year, it.key, owner.code, owner.full_name,
                                   f.item_title(it.record)))
    return out


def links(ws: Workspace, form: str, year: int, groups: Iterable[str] | None = None, *,
          renew: bool = False) -> list[SlotLink]:
    """One link per slot of the plan of ``form`` (of ``groups`` only, when given), made when
    the slot has none yet; the same link again on every call. ``renew`` gives each slot asked
    for a new link (the old one is dead). A revoked link stays revoked (token "") until
    renewed."""
    key = ws.key()
    out: list[SlotLink] = []
    with _master(ws) as conn, store.transaction(conn):
        rows = sql.link_rows(conn, form, year)
        stamp = _utc()
        for ref in _slots(conn, ws, form, year, groups):
            row = rows.get(ref.slot)
            token = ""
            if row is not None and row["nonce"] is not None and not renew:
                token = _token(key, form, year, ref.slot, row["nonce"])
                if not hmac.compare_digest(_hash(token), row["token_hash"] or ""):
                    token = ""  # made with another key: a new link below
                elif (row["group_code"], row["label"]) != (ref.group_code, ref.label):
                    # the item changed hands or names: the same link, told so
                    sql.put_link(conn, form, year, ref, row["nonce"], row["token_hash"],
                                 row["made_at"])
            if not token and (renew or row is None or row["nonce"] is not None):
                nonce = secrets.token_urlsafe(24)
                token = _token(key, form, year, ref.slot, nonce)
                sql.put_link(conn, form, year, ref, nonce, _hash(token), stamp)
            out.append(SlotLink(ref, token, url_for(ws, token)))
    return out


def revoke(ws: Workspace, form: str, year: int,
           groups: Iterable[str] | None) -> list[SlotRef]:
    """Kill the links of the slots of ``groups`` (every slot of the form and year when None);
    returns the slots whose link is now dead."""
    with _master(ws) as conn, store.transaction(conn):
        slots = _slots(conn, ws, form, year, groups)
        stamp = _utc()
        for ref in slots:
            sql.revoke_link(conn, form, year, ref, stamp)
    return slots


def slot_for_token(ws: Workspace, token: str) -> SlotRef | None:
    """The slot ``token`` opens, or None (unknown, revoked, renewed, malformed)."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    with _master(ws) as conn:
        row = sql.link_by_hash(conn, _hash(token))
        if row is None:
            return None
        expected = _token(ws.key(), row["form"], int(row["year"]), row["slot"], row["nonce"])
        if not hmac.compare_digest(expected, token):
            return None
    name = f"{row['department']} {row['name']}".strip()
    return SlotRef(row["form"], int(row["year"]), row["slot"], row["group_code"], name,
                   row["label"] or "")


# -- the secretariat's accounts ---------------------------------------------------------------
def _check_name(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name or len(name) > MAX_NAME or any(
            unicodedata.category(ch).startswith(("C", "Z")) and ch != " " for ch in name):
        raise FujimiError(code="access_bad_user_name", name=name, limit=MAX_NAME)
    return name


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, maxmem=64 * 2 ** 20,
                          **_SCRYPT)


def add_user(ws: Workspace, name: str, password: str) -> None:
    """Add a secretariat account, or give an existing one a new password."""
    name = _check_name(name)
    if len(password) < MIN_PASSWORD:
        raise FujimiError(code="access_short_password", n=MIN_PASSWORD)
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt)
    with _master(ws) as conn, store.transaction(conn):
        sql.put_user(conn, name, salt.hex(), digest.hex(), _SCRYPT_PARAMS, _utc())


def check_password(ws: Workspace, name: str, password: str) -> bool:
    """Whether ``password`` is ``name``'s (an unknown name costs the same time)."""
    try:
        name = _check_name(name)
    except FujimiError:
        name = ""
    with _master(ws) as conn:
        row = sql.user_row(conn, name) if name else None
    if row is None or row["params"] != _SCRYPT_PARAMS:
        _scrypt(password or "", _DUMMY_SALT)
        return False
    digest = _scrypt(password or "", bytes.fromhex(row["salt"]))
    return hmac.compare_digest(digest.hex(), row["hash"])


def users(ws: Workspace) -> list[str]:
    """The names of the secretariat's accounts, sorted."""
    with _master(ws) as conn:
        return sql.user_names(conn)


def remove_user(ws: Workspace, name: str) -> bool:
    """Remove an account; False when there was none of that name."""
    with _master(ws) as conn, store.transaction(conn):
        return sql.delete_user(conn, name.strip())


# -- the log ----------------------------------------------------------------------------------
def log_action(ws: Workspace, who: str, action: str, detail: str = "") -> None:
    """Note that ``who`` did ``action`` (with ``detail``), at the present time (UTC)."""
    with _master(ws) as conn, store.transaction(conn):
        sql.add_action(conn, uuid.uuid4().hex, _utc(), who, action, detail)


def actions(ws: Workspace, limit: int = 100) -> list[Action]:
    """The last ``limit`` lines of the log, newest first."""
    with _master(ws) as conn:
        return [Action(r["at"], r["who"], r["what"], r["detail"])
                for r in sql.last_actions(conn, max(0, int(limit)))]


# -- the file for mail merge -----------------------------------------------------------------
LINK_COLUMNS = ("担当コード", "担当名", "メール", "リンク")
LABEL_COLUMN = "対象"


def write_links(path: Path, found: list[SlotLink], emails: dict[str, str]) -> Path:
    """Write the links for mail merge: a .csv (UTF-8 with BOM, so Excel reads it) or an
    .xlsx, one row a slot: 担当コード, 担当名, メール, リンク (and 対象, the item, for a form
    with a book per item). Written under a temporary name, then put in place."""
    path = Path(path)
    with_label = any(link.ref.label for link in found)
    heads = [*LINK_COLUMNS[:2], *([LABEL_COLUMN] if with_label else []), *LINK_COLUMNS[2:]]
    rows = [[link.ref.group_code, link.ref.group_name,
             *([link.ref.label] if with_label else []),
             emails.get(link.ref.group_code, ""), link.url or ""] for link in found]
    xlsx = path.suffix.lower() == ".xlsx"
    with outfile.replacing(path) as tmp:
        if xlsx:
            wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                                "strings_to_urls": False,
                                                "strings_to_numbers": False})
            sheet = wb.add_worksheet("リンク")
            bold = wb.add_format({"bold": True})
            for c, head in enumerate(heads):
                sheet.write_string(0, c, head, bold)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    sheet.write_string(r, c, value)
            for c, width in enumerate([14, 30, *([30] if with_label else []), 30, 70]):
                sheet.set_column(c, c, width)
            sheet.freeze_panes(1, 0)
            wb.close()
        else:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                out = csv.writer(fh)
                out.writerow(heads)
                out.writerows(rows)
    return path


# -- contacts ---------------------------------------------------------------------------------
def contacts(ws: Workspace) -> dict[str, str]:
    """Group code -> e-mail address, for the groups whose address the plan gives (メール)."""
    with _master(ws) as conn:
        return sql.contact_rows(conn)


def save_contacts(conn: Any, emails: dict[str, str]) -> None:
    """Keep the plan's e-mail addresses (code -> address), inside the caller's transaction."""
    sql.save_contacts(conn, emails)
