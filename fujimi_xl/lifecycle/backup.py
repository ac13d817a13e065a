"""Back up a workspace to one .zip and restore it into a new folder.

The backup holds a consistent copy of the master made with SQLite's online backup (a commit
that happens meanwhile is either wholly in it or not at all), then every other file of the
workspace: the archived copies of accepted files, the signing key, the config, the form
definitions, outbox, feedback and reports. Archived copies are written before the master refers
to them and never changed after, so every copy the master's snapshot names is in the backup.

A restore never overwrites: it unpacks into a hidden folder beside the target, checks the
master there, and only then renames the folder into place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from fujimi_xl import store
from fujimi_xl.core import outfile
from fujimi_xl.core.errors import WorkspaceError
from fujimi_xl.store.workspace import CONFIG, DB, KEY, Workspace, open_workspace

MARK = "fujimi-backup.json"
FORMAT = 1
_SKIP_SUFFIXES = (".tmp", "-wal", "-shm", "-journal")


@dataclass
class BackupResult:
    path: Path
    files: int  # files in the zip besides the master and the mark
    archived: int  # archived copies of accepted files among them

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "files": self.files, "archived": self.archived}


def backup(ws: Workspace, out: Path | str) -> BackupResult:
    """Write the workspace ``ws`` to the zip ``out`` (under a temporary name, then renamed)."""
    out = Path(out).resolve()
    root = ws.root.resolve()
    with tempfile.TemporaryDirectory(prefix="fujimi-backup-") as work:
        master = Path(work) / DB
        conn = ws.connect()  # quick-checked: a damaged master is not backed up as if whole
        try:
            store.backup_to(conn, master)
        finally:
            conn.close()
        n = archived = 0
        with outfile.replacing(out) as tmp:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(MARK, json.dumps({
                    "format": FORMAT, "made_at": store.now(), "workspace": root.name},
                    ensure_ascii=False))
                zf.write(master, DB)
                for path in sorted(root.rglob("*")):
                    if not path.is_file() or _skipped(path, root, out, tmp):
                        continue
                    rel = path.relative_to(root).as_posix()
                    zf.write(path, rel)
                    n += 1
                    archived += rel.startswith("archive/")
    return BackupResult(out, n, archived)


def _skipped(path: Path, root: Path, out: Path, tmp: Path) -> bool:
    if path.name == DB and path.parent == root:
        return True  # the online copy stands for it
    if path.name.endswith(_SKIP_SUFFIXES) or ".tmp." in path.name:
        return True
    return path.resolve() in (out, tmp.resolve())


def restore(backup_file: Path | str, root: Path | str) -> Workspace:
    """Make the workspace ``root`` from a backup; ``root`` must not exist or be empty."""
    backup_file, root = Path(backup_file), Path(root)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise WorkspaceError(code="restore_target_exists", root=root)
    try:
        zf = zipfile.ZipFile(backup_file)
    except (OSError, zipfile.BadZipFile) as exc:
        raise WorkspaceError(code="backup_unreadable", path=backup_file,
                             detail=str(exc)[:200]) from exc
    with zf:
        names = zf.namelist()
        missing = [n for n in (MARK, DB, KEY, CONFIG) if n not in names]
        if missing:
            raise WorkspaceError(code="backup_unreadable", path=backup_file,
                                 detail="、".join(missing) + " がありません")
        for name in names:
            pure = PurePosixPath(name)
            if pure.is_absolute() or ".." in pure.parts or "\\" in name or ":" in name:
                raise WorkspaceError(code="backup_unreadable", path=backup_file,
                                     detail=f"不正な名前 {name}")
        root.parent.mkdir(parents=True, exist_ok=True)
        staging = root.parent / f".{root.name}.restoring-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            try:
                zf.extractall(staging)
            except zipfile.BadZipFile as exc:  # a damaged member (its CRC)
                raise WorkspaceError(code="backup_unreadable", path=backup_file,
                                     detail=str(exc)[:200]) from exc
            (staging / MARK).unlink()
            ws = open_workspace(staging)
            ws.connect().close()  # quick-checked: a damaged master is refused here
            if root.exists():
                root.rmdir()  # empty, checked above
            os.replace(staging, root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return open_workspace(root)

