"""A workspace: one folder holding the config, the signing key, the master database (or the
URL of the PostgreSQL database that holds it) and the files that go out (outbox), come back
(feedback) and get printed (reports)."""

from __future__ import annotations

import errno
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fujimi_xl import store
from fujimi_xl.core.errors import WorkspaceError

_CHECKED: set[tuple[str, int, int]] = set()  # masters this process has quick-checked

DB_URL_ENV = "FUJIMI_DB_URL"
CONFIG = "fujimi.json"
KEY = "secret.key"
DB = "master.sqlite"


@dataclass
class Workspace:
    root: Path
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        """The SQLite master's file (when the master is in the workspace)."""
        return self.root / DB

    @property
    def db_url(self) -> str:
        """Where the master is: ``FUJIMI_DB_URL``, else the config's ``db``, else
        ``master.sqlite`` in the workspace."""
        return os.environ.get(DB_URL_ENV) or str(self.config.get("db") or "") \
            or store.sqlite_url(self.db_path.resolve())

    @property
    def db_where(self) -> str:
        """The master as it may be printed: the file's path, or the URL without password."""
        url = self.db_url
        return store.mask(url) if store.is_postgres(url) else str(self.db_path)

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def archive(self) -> Path:
        """Every accepted file, kept under its sha256 (verify re-reads them)."""
        return self.root / "archive"

    @property
    def title(self) -> str:
        return str(self.config.get("title", ""))

    def title_for(self, form: str) -> str:
        """The plan title printed on a form's workbooks and reports."""
        return str(self.config.get("titles", {}).get(form) or self.title)

    @property
    def city(self) -> str:
        return str(self.config.get("city", ""))

    @property
    def password(self) -> str:
        return str(self.config.get("sheet_password", ""))

    def key(self) -> bytes:
        try:
            return bytes.fromhex((self.root / KEY).read_text().strip())
        except (OSError, ValueError) as exc:
            raise WorkspaceError(code="key_unreadable", path=self.root / KEY) from exc

    def connect(self) -> store.Store:
        """The store of the master, checked (SQLite's quick check) the first time this
        process opens it and again whenever the file changed on disk since: a corrupted
        master stops the command with the master_corrupt fault before it is used."""
        conn = store.Store(self.db_url)
        if conn.dialect.name != "sqlite":
            return conn
        try:
            st = self.db_path.stat()
            seen = (str(self.db_path.resolve()), st.st_mtime_ns, st.st_size)
            if seen not in _CHECKED:
                store.check(conn)
                _CHECKED.add(seen)
        except BaseException:
            conn.close()
            raise
        return conn

    def check_writable(self) -> None:
        """Find a read-only or full workspace, or a master another program holds, before
        any returned file is read: the folders ingest writes to must be folders and
        writable, a small file must fit on the disk, and the master's write lock is taken
        and given back."""
        probe = self.root / f".fujimi-probe.{os.getpid()}.tmp"
        try:
            with open(probe, "wb") as fh:
                fh.write(b"0" * 4096)  # a full disk refuses the blocks at write()
        except OSError as exc:  # named by the folder, not by the probe
            raise OSError(exc.errno, exc.strerror, str(self.root)) from exc
        finally:
            try:
                probe.unlink(missing_ok=True)
            except OSError:
                pass
        for folder in (self.archive, self.feedback):
            if not folder.is_dir():  # a file where a folder should be: named as it is
                folder.mkdir(parents=True)
            if not os.access(folder, os.W_OK):
                raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
        conn = self.connect()
        try:
            store.check_writable(conn)
        finally:
            conn.close()

    def save_config(self) -> None:
        tmp = self.root / (CONFIG + ".tmp")
        tmp.write_text(json.dumps(self.config, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.root / CONFIG)


def create_workspace(root: Path, title: str = "", city: str = "", db: str = "") -> Workspace:
    """A new workspace at ``root``; its master in ``master.sqlite`` there, or in the database
    at ``db`` (a PostgreSQL URL; ``FUJIMI_DB_URL`` when not given)."""
    root = Path(root)
    if (root / CONFIG).exists():
        raise WorkspaceError(code="already_workspace", root=root, config=CONFIG)
    url = db or os.environ.get(DB_URL_ENV, "")
    workspace_id = secrets.token_hex(8)
    if store.is_postgres(url):
        # the schema is made (or an empty master taken over) before anything is written
        # here; a database holding another workspace's master is refused in words
        store.claim_master(url, workspace_id, str(root.resolve()))
    root.mkdir(parents=True, exist_ok=True)
    key_path = root / KEY
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    ws = Workspace(
        root,
        {
            "format": 1,
            "title": title,
            "city": city,
            # protects the sheets against accidental edits; the secretariat may use it to
            # unlock a workbook. Tampering is detected by the signed hash, not by this.
            "sheet_password": secrets.token_hex(4),
            "font": "ＭＳ ゴシック",
        },
    )
    if store.is_postgres(url):  # given with --db, or by FUJIMI_DB_URL: kept with the workspace
        ws.config["db"] = url
    ws.config["workspace_id"] = workspace_id
    ws.save_config()
    if not store.is_postgres(url):
        store.create(ws.db_path).close()
    for sub in (ws.outbox, ws.feedback, ws.reports, ws.archive):
        sub.mkdir(exist_ok=True)
    return ws


def open_workspace(root: Path) -> Workspace:
    root = Path(root)
    path = root / CONFIG
    if not path.is_file():
        raise WorkspaceError(code="no_workspace", root=root, config=CONFIG)
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise WorkspaceError(code="config_unreadable", path=path, detail=str(exc)) from exc
    ws = Workspace(root, config)
    if not store.is_postgres(ws.db_url) and not (root / DB).is_file():
        raise WorkspaceError(code="no_master", path=root / DB)
    return ws
