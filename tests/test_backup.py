"""`fujimi-xl backup -w WS -o FILE` and `fujimi-xl init NEW --from-backup FILE` (issue 12,
item 8): a consistent copy of the workspace that restores into a new folder, never over an
existing one, and that `verify` passes; the fault messages name these commands."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.core.messages import error_text, ui
from fujimi_xl.store import open_store

from .conftest import YEAR, master_snapshot

# fujimi-xl backup copies the SQLite master through SQLite's online backup; a master on
# PostgreSQL is backed up with pg_dump, and backup says so (tests/test_pg_faults.py)
pytestmark = pytest.mark.sqlite_only(reason="backup and restore of the SQLite master file")


def invoke(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def accepted_workspace(ws: Any, outbox: dict[str, Path], fill: Any) -> list[Path]:
    files = [fill(path, group) for group, path in sorted(outbox.items())]
    assert api.ingest(ws, files[:6]).ok
    return files


def test_backup_then_restore_gives_the_same_workspace_and_verify_passes(
        ws, outbox, fill, tmp_path):
    files = accepted_workspace(ws, outbox, fill)
    out = tmp_path / "バックアップ.zip"
    res = invoke("backup", "-w", ws.root, "-o", out)
    assert res.exit_code == 0, res.output
    assert ui("backup_done", "ja", path=out.resolve(), n=6) in res.output
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
    assert {"master.sqlite", "secret.key", "fujimi.json", "fujimi-backup.json"} <= names
    assert sum(n.startswith("archive/") for n in names) == 6
    assert not any(n.endswith(("-wal", "-shm", ".tmp")) for n in names)

    new = tmp_path / "復元"
    res = invoke("init", new, "--from-backup", out)
    assert res.exit_code == 0, res.output
    assert ui("backup_restored", "ja", backup=out, root=new) in res.output
    restored = api.open_workspace(new)
    assert master_snapshot(restored) == master_snapshot(ws)
    assert restored.key() == ws.key()
    assert invoke("verify", "-w", new).exit_code == 0
    # the restored workspace goes on working: the rest is taken, signed by the same key
    assert api.ingest(restored, files).ok
    st = api.status(restored, "progress", YEAR)
    assert all(g.state == "accepted" for g in st.groups)
    assert not list(tmp_path.glob(".*restoring*"))


def test_backup_holds_every_commit_made_before_it(ws, outbox, fill, tmp_path):
    """The master's copy is taken through SQLite's online backup: what the WAL holds (not yet
    checkpointed into the file) is in it."""
    with open_store(ws).read() as st:  # keeps the WAL from being checkpointed away
        st.scalar("SELECT count(*) FROM files")
        accepted_workspace(ws, outbox, fill)
        wal = Path(str(ws.db_path) + "-wal")
        assert wal.exists() and wal.stat().st_size > 0
        assert api.backup(ws, tmp_path / "b.zip").archived == 6
    restored = api.restore_backup(tmp_path / "b.zip", tmp_path / "r")
    assert master_snapshot(restored) == master_snapshot(ws)


def test_restore_never_overwrites_a_workspace(ws, outbox, fill, tmp_path):
    accepted_workspace(ws, outbox, fill)
    out = tmp_path / "b.zip"
    assert invoke("backup", "-w", ws.root, "-o", out).exit_code == 0
    before = master_snapshot(ws)
    res = invoke("init", ws.root, "--from-backup", out)
    assert res.exit_code == 2
    assert ui("error", "ja", message=error_text("restore_target_exists", root=ws.root)) \
        in res.output
    assert master_snapshot(ws) == before
    # an empty folder may be restored into
    (tmp_path / "empty").mkdir()
    assert invoke("init", tmp_path / "empty", "--from-backup", out).exit_code == 0


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"PK not really")
    res = invoke("init", tmp_path / "new", "--from-backup", bogus)
    assert res.exit_code == 2
    assert "fujimi-xl のバックアップとして読めません" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "new").exists()
    with zipfile.ZipFile(tmp_path / "partial.zip", "w") as zf:
        zf.writestr("fujimi.json", "{}")
    res = invoke("init", tmp_path / "new", "--from-backup", tmp_path / "partial.zip")
    assert res.exit_code == 2 and "master.sqlite" in res.output
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as zf:
        for name in ("fujimi-backup.json", "master.sqlite", "secret.key", "fujimi.json",
                     "../outside.txt"):
            zf.writestr(name, "x")
    res = invoke("init", tmp_path / "new", "--from-backup", tmp_path / "evil.zip")
    assert res.exit_code == 2 and "不正な名前" in res.output
    assert not (tmp_path / "outside.txt").exists()


def test_restore_refuses_a_backup_whose_master_is_damaged(ws, outbox, fill, tmp_path):
    accepted_workspace(ws, outbox, fill)
    out = tmp_path / "b.zip"
    api.backup(ws, out)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "master.sqlite":
                data = b"this is no db!!\0" + data[16:]
            dst.writestr(item, data)
    res = invoke("init", tmp_path / "new", "--from-backup", damaged)
    assert res.exit_code == 2
    assert "が壊れています" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "new").exists()


def test_a_damaged_master_is_not_backed_up_as_if_whole(ws, tmp_path):
    with open_store(ws).read() as st:
        st.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(ws.db_path, "r+b") as fh:
        fh.write(b"this is no db!!\0")
    res = invoke("backup", "-w", ws.root, "-o", tmp_path / "b.zip")
    assert res.exit_code == 2
    assert "が壊れています" in res.output
    assert not (tmp_path / "b.zip").exists()


def test_backup_while_another_process_writes_is_consistent(ws, outbox, fill, tmp_path):
    """A backup taken while an ingest runs holds whole versions only: verify passes on it."""
    files = [fill(path, group) for group, path in sorted(outbox.items())]
    proc = subprocess.Popen([sys.executable, "-m", "fujimi_xl", "ingest", *map(str, files),
                             "-w", str(ws.root)], stdout=subprocess.DEVNULL)
    try:
        out = tmp_path / "b.zip"
        api.backup(ws, out)
    finally:
        proc.wait(timeout=120)
    restored = api.restore_backup(out, tmp_path / "r")
    assert api.verify(restored).ok


@pytest.mark.parametrize("code", ["master_corrupt", "no_master", "verify_database",
                                  "master_unopenable"])
def test_the_fault_messages_name_backup_and_restore(code):
    for lang in ("ja", "en"):
        text = error_text(code, lang, path="p", detail="d", result="r")
        assert "fujimi-xl backup" in text and "--from-backup" in text, text


def test_from_backup_and_plan_together_are_refused(tmp_path):
    plan = tmp_path / "plan.xlsx"
    assert invoke("plan-template", plan, "--form", "progress").exit_code == 0
    b = tmp_path / "b.zip"
    b.write_bytes(b"")
    res = invoke("init", tmp_path / "new", "--from-backup", b, "--plan", plan, "--form", "progress")
    assert res.exit_code == 2
    assert error_text("backup_and_plan") in res.output
