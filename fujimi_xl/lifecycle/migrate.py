"""``fujimi-xl migrate WS --to postgresql://…``: move a workspace's SQLite master into an empty
PostgreSQL database. Everything is copied in one transaction (ids kept, COPY for the big
tables), counted again before the commit, the URL is recorded in the workspace's config, and
``master.sqlite`` is kept, renamed ``master.sqlite.migrated-<date>`` (never deleted)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fujimi_xl.core.errors import WorkspaceFault
from fujimi_xl.store import copy
from fujimi_xl.store.dialect import is_postgres, mask, sqlite_url
from fujimi_xl.store.engine import Store
from fujimi_xl.store.workspace import Workspace


@dataclass
class MigrateResult:
    root: Path
    where: str  # the target, as it may be printed (no password)
    kept: Path  # the old SQLite master, renamed
    rows: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"workspace": str(self.root), "to": self.where, "kept": str(self.kept),
                "rows": dict(self.rows)}


def _kept_name(db: Path, today: dt.date) -> Path:
    """``master.sqlite.migrated-<date>``, numbered when one of that name already exists."""
    base = db.with_name(f"{db.name}.migrated-{today.isoformat()}")
    kept, n = base, 1
    while kept.exists():
        n += 1
        kept = base.with_name(f"{base.name}-{n}")
    return kept


def migrate(ws: Workspace, url: str, today: dt.date | None = None) -> MigrateResult:
    """Copy ``ws``'s SQLite master into the empty PostgreSQL database at ``url`` and make it
    the workspace's master. Refused in words (nothing changed): the workspace already on
    PostgreSQL, a URL that is not PostgreSQL, a target that is not empty, a server that
    cannot be reached (the store's own faults)."""
    if is_postgres(ws.db_url):
        raise WorkspaceFault(code="migrate_already_pg", root=ws.root, where=mask(ws.db_url))
    if not is_postgres(url):
        raise WorkspaceFault(code="migrate_not_pg", url=mask(url))
    src = Store(sqlite_url(ws.db_path.resolve()))  # brought up to the current schema first
    try:
        dst = Store(url, upgrade=False)
        try:
            tables = copy.target_tables(dst)
            if tables:
                raise WorkspaceFault(code="migrate_not_empty", where=dst.where,
                                     tables=", ".join(tables[:5]))
            ws.config.setdefault("workspace_id", secrets.token_hex(8))  # older workspaces
            rows = copy.copy_master(src, dst, {"workspace_id": ws.config["workspace_id"],
                                               "workspace_root": str(ws.root)})
            where = dst.where
        finally:
            dst.close()
    finally:
        src.close()
    # the config first: should the rename then fail, the workspace already uses the new
    # master and the old file is merely still there under its old name
    ws.config["db"] = url
    ws.save_config()
    kept = _kept_name(ws.db_path, today or dt.date.today())
    os.replace(ws.db_path, kept)
    for extra in ("-wal", "-shm"):  # SQLite's side files, if a crash left them
        side = ws.db_path.with_name(ws.db_path.name + extra)
        if side.exists():
            os.replace(side, kept.with_name(kept.name + extra))
    return MigrateResult(ws.root, where, kept, rows)
