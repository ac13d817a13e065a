"""Faults of the workspace are the secretariat's (issue 12, item 7): a read-only folder, a full
disk, a missing, locked or damaged master, a missing archived copy. Every command stops with a
Japanese sentence that says what happened and what to do, exit 2, no traceback; no returned
file is refused or called broken because of it; nothing is half-merged, and once the fault is
cleared `verify` passes and ingest takes the rest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.core.errors import WorkspaceFault
from fujimi_xl.core.messages import error_text, text, ui
from fujimi_xl.intake import ingest as intake
from fujimi_xl.store import open_store

from .conftest import YEAR, master_snapshot, master_value
from .mounts import fill_up, read_only, small_disk

READ_COMMANDS = [
    ("status", "progress", "-y", YEAR),
    ("history", "4-2-1"),
    ("report", "progress", "-y", YEAR),
    ("export", "progress", "-y", YEAR, "--format", "csv", "-o", "{tmp}/out.csv"),
    ("generate", "progress", "-y", YEAR),
]


def invoke(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def fault_line(code: str, **params: Any) -> str:
    return ui("error", "ja", message=error_text(code, "ja", **params))


def receipts(ws: Any) -> int:
    return int(master_value(ws, "SELECT count(*) FROM files"))


def returned(outbox: dict[str, Path], fill: Any) -> tuple[Path, list[Path]]:
    files = [fill(path, group) for group, path in sorted(outbox.items())]
    return files[0].parent, files


def assert_no_blame(res: Any, ws: Any) -> None:
    """Nothing in the output blames a returned file, and no feedback workbook was made."""
    assert "Traceback" not in res.output
    assert text("read_failed") not in res.output
    assert "壊れている可能性" not in res.output
    assert "差戻し\t" not in res.output
    assert not list(ws.feedback.rglob("*.xlsx"))


def assert_all_taken_after(ws: Any, folder: Path, n: int) -> None:
    """Once the fault is cleared: the rest is taken, nothing refused, verify passes."""
    res = invoke("ingest", folder, "-w", ws.root)
    assert res.exit_code == 0, res.output
    st = api.status(ws, "progress", YEAR)
    assert sum(g.state == "accepted" for g in st.groups) == n
    assert master_value(ws, "SELECT count(*) FROM files WHERE outcome = 'rejected'") == 0
    assert invoke("verify", "-w", ws.root).exit_code == 0


# -- read-only ---------------------------------------------------------------------------------

def test_ingest_into_a_read_only_workspace_refuses_no_file(ws, outbox, fill):
    folder, files = returned(outbox, fill)
    api.ingest(ws, files[:2])
    before, n_receipts = master_snapshot(ws), receipts(ws)
    with read_only(ws.root):
        res = invoke("ingest", folder, "-w", ws.root)
    assert res.exit_code == 2, res.output
    assert fault_line("workspace_read_only", path=ws.root) in res.output
    assert_no_blame(res, ws)
    assert master_snapshot(ws) == before and receipts(ws) == n_receipts
    assert_all_taken_after(ws, folder, len(files))


@pytest.mark.sqlite_only(reason="the read-only bind mount holds master.sqlite; a master on "
                                "PostgreSQL is still read, and outputs are refused one by one")
@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: a[0])
def test_every_command_on_a_read_only_workspace_says_so(ws, outbox, fill, tmp_path, args):
    api.ingest(ws, returned(outbox, fill)[1][:3])
    before = master_snapshot(ws)
    args = tuple(str(a).format(tmp=tmp_path) for a in args)
    with read_only(ws.root):
        res = invoke(*args, "-w", ws.root)
    assert res.exit_code == 2, res.output
    assert fault_line("workspace_read_only", path=ws.root) in res.output
    assert "Traceback" not in res.output
    assert master_snapshot(ws) == before


def test_an_archive_folder_that_is_a_file_stops_ingest_before_reading(ws, outbox, fill):
    folder, files = returned(outbox, fill)
    shutil.rmtree(ws.archive)
    ws.archive.write_text("not a folder")
    n_receipts = receipts(ws)
    res = invoke("ingest", folder, "-w", ws.root)
    assert res.exit_code == 2, res.output
    assert fault_line("workspace_io", path=ws.archive,
                      detail="フォルダのはずの場所がファイルになっています") in res.output
    assert_no_blame(res, ws)
    assert receipts(ws) == n_receipts
    ws.archive.unlink()
    ws.archive.mkdir()
    assert_all_taken_after(ws, folder, len(files))


def test_a_worker_that_cannot_write_the_archive_reports_a_fault_not_a_refusal(ws, outbox, fill):
    """What a worker meets when the workspace fails under it mid-ingest (the folder turned
    into a file after the start): the stage "fault", never the file's refusal."""
    _, files = returned(outbox, fill)
    shutil.rmtree(ws.archive)
    ws.archive.write_text("not a folder")
    intake._MADE.discard(str(ws.archive))
    ctx = intake.Context(str(ws.root), ws.key())
    analysis = intake.analyse(ctx, str(files[0]))
    assert analysis.stage == "fault" and analysis.result.problems == []
    assert analysis.fault is not None and analysis.fault[1] == "workspace_io"
    conn = ws.connect()
    try:
        with pytest.raises(WorkspaceFault) as err:
            intake.settle(ws, conn, files[0], "", analysis)
    finally:
        conn.close()
    assert err.value.code == "workspace_io"
    assert receipts(ws) == 0


def test_a_workspace_that_fails_after_the_start_stops_ingest_in_the_workers(
        ws, outbox, fill, monkeypatch):
    """The archive turns unwritable after ingest's own checks passed (here: those checks are
    skipped, and the archive is a file): the worker processes meet the fault, and ingest
    stops with it (exit 2) instead of refusing every good file as read_failed."""
    folder, files = returned(outbox, fill)
    monkeypatch.setattr(type(ws), "check_writable", lambda self: None)
    intake._MADE.clear()
    shutil.rmtree(ws.archive)
    ws.archive.write_text("not a folder")
    before, n_receipts = master_snapshot(ws), receipts(ws)
    res = invoke("ingest", folder, "-w", ws.root, "--workers", "2")
    assert res.exit_code == 2, res.output
    assert "作業フォルダの" in res.output and "を読み書きできません" in res.output
    assert_no_blame(res, ws)
    assert master_snapshot(ws) == before and receipts(ws) == n_receipts
    monkeypatch.undo()
    ws.archive.unlink()
    ws.archive.mkdir()
    intake._MADE.clear()
    assert_all_taken_after(ws, folder, len(files))


# -- full disk ---------------------------------------------------------------------------------

def _on_small_disk(ws: Any, disk: Path) -> Any:
    dst = disk / "ws"
    shutil.copytree(ws.root, dst)
    return api.open_workspace(dst)


def test_a_full_disk_stops_ingest_with_a_sentence(ws, outbox, fill, tmp_path):
    folder, files = returned(outbox, fill)
    with small_disk(tmp_path / "disk", 4096) as disk:
        small = _on_small_disk(ws, disk)
        before, n_receipts = master_snapshot(small), receipts(small)
        filler = fill_up(disk)
        res = invoke("ingest", folder, "-w", small.root)
        assert res.exit_code == 2, res.output
        assert "ディスクの空きがない" in res.output
        assert fault_line("disk_full", path=small.root) in res.output
        assert_no_blame(res, small)
        for args in READ_COMMANDS[:2]:  # reading needs a little room too (the WAL index)
            res = invoke(*args, "-w", small.root)
            assert res.exit_code in (0, 2) and "Traceback" not in res.output
            assert res.exit_code == 0 or "ディスクの空きがない" in res.output, res.output
        filler.unlink()
        assert master_snapshot(small) == before and receipts(small) == n_receipts
        assert_all_taken_after(small, folder, len(files))


@pytest.mark.sqlite_only(reason="the SQLite master's commit on the full disk")
def test_a_disk_that_fills_during_ingest_merges_nothing_by_halves(ws, outbox, fill, tmp_path):
    folder, files = returned(outbox, fill)
    with small_disk(tmp_path / "disk", 4096) as disk:
        small = _on_small_disk(ws, disk)
        before = master_snapshot(small)
        # room for the checks and the files' archived copies, not for the master's commit
        filler = fill_up(disk, leave_kb=160)
        res = invoke("ingest", folder, "-w", small.root)
        assert res.exit_code == 2, res.output
        assert "ディスクの空きがない" in res.output
        assert_no_blame(res, small)
        filler.unlink()
        assert master_snapshot(small) == before  # the batch was undone whole
        assert api.verify(small).ok
        assert_all_taken_after(small, folder, len(files))


# -- a master locked by another program -------------------------------------------------------

def _hold_lock(db: Path, readers_too: bool = False) -> subprocess.Popen[str]:
    """Another program holding the master: ``BEGIN EXCLUSIVE`` (WAL lets others read), or
    with ``readers_too`` in exclusive locking mode after a write (nobody else may even read)."""
    mode = ("c.execute('PRAGMA locking_mode=EXCLUSIVE')\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "c.execute('CREATE TABLE IF NOT EXISTS other_program (x)')\n") if readers_too \
        else "c.execute('BEGIN EXCLUSIVE')\n"
    code = ("import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            + mode +
            "print('locked', flush=True)\n"
            "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.sqlite_only(reason="another program holding the SQLite file's lock")
def test_a_locked_master_is_waited_for_with_a_message_then_refused_in_words(
        ws, outbox, fill, monkeypatch):
    folder, files = returned(outbox, fill)
    monkeypatch.setenv("FUJIMI_LOCK_WAIT", "2")
    before, n_receipts = master_snapshot(ws), receipts(ws)
    holder = _hold_lock(ws.db_path)
    try:
        started = time.monotonic()
        res = invoke("ingest", folder, "-w", ws.root)
        took = time.monotonic() - started
        # reading is not blocked: status still answers meanwhile
        assert invoke("status", "progress", "-y", YEAR, "-w", ws.root).exit_code == 0
    finally:
        holder.kill()
        holder.wait()
    assert res.exit_code == 2, res.output
    assert ui("master_waiting", "ja", seconds="2") in res.stderr
    assert fault_line("master_locked", path=ws.db_path, seconds="2") in res.stderr
    assert took < 15
    assert_no_blame(res, ws)
    assert master_snapshot(ws) == before and receipts(ws) == n_receipts
    assert_all_taken_after(ws, folder, len(files))


@pytest.mark.sqlite_only(reason="another program holding the SQLite file's lock")
@pytest.mark.parametrize("args", READ_COMMANDS[:3], ids=lambda a: a[0])
def test_a_master_held_even_against_readers_is_waited_for_then_refused(
        ws, outbox, fill, monkeypatch, args):
    api.ingest(ws, returned(outbox, fill)[1][:2])
    before = master_snapshot(ws)
    monkeypatch.setenv("FUJIMI_LOCK_WAIT", "2")
    holder = _hold_lock(ws.db_path, readers_too=True)
    try:
        started = time.monotonic()
        res = invoke(*args, "-w", ws.root)
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert res.exit_code == 2, res.output
    assert ui("master_waiting", "ja", seconds="2") in res.stderr
    assert fault_line("master_locked", path=ws.db_path, seconds="2") in res.stderr
    assert "Traceback" not in res.output and took < 15
    assert master_snapshot(ws) == before


@pytest.mark.sqlite_only(reason="another program holding the SQLite file's lock")
def test_a_short_lock_is_waited_out(ws, outbox, fill, monkeypatch):
    folder, _ = returned(outbox, fill)
    monkeypatch.setenv("FUJIMI_LOCK_WAIT", "20")
    holder = _hold_lock(ws.db_path)
    releaser = subprocess.Popen([sys.executable, "-c",
                                 f"import os, time; time.sleep(2); os.kill({holder.pid}, 9)"])
    try:
        res = invoke("ingest", folder, "-w", ws.root)
    finally:
        releaser.wait()
        holder.wait()
    assert res.exit_code == 0, res.output
    assert ui("master_waiting", "ja", seconds="20") in res.stderr
    assert api.verify(ws).ok


# -- a damaged or missing master ----------------------------------------------------------------

def _checkpoint(ws: Any) -> None:
    with open_store(ws).read() as st:
        st.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _scribble_last_page(ws: Any) -> None:
    _checkpoint(ws)
    size = ws.db_path.stat().st_size
    with open(ws.db_path, "r+b") as fh:
        fh.seek(size - 4096)
        fh.write(bytes(range(256)) * 16)


def _bad_header(ws: Any) -> None:
    _checkpoint(ws)
    with open(ws.db_path, "r+b") as fh:
        fh.write(b"this is no db!!\0")


DAMAGES = {"last_page": _scribble_last_page, "header": _bad_header}


@pytest.mark.sqlite_only(reason="damage to the SQLite file itself")
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_master_stops_every_command_and_merges_nothing(
        ws, outbox, fill, tmp_path, damage):
    folder, files = returned(outbox, fill)
    api.ingest(ws, files[:3])
    DAMAGES[damage](ws)
    damaged = ws.db_path.read_bytes()
    for args in [*READ_COMMANDS, ("ingest", folder)]:
        args = tuple(str(a).format(tmp=tmp_path) for a in args)
        res = invoke(*args, "-w", ws.root)
        assert res.exit_code == 2, (args, res.output)
        assert "マスタ" in res.output and "が壊れています" in res.output, (args, res.output)
        assert "--from-backup" in res.output and "fujimi-xl backup" in res.output
        assert "Traceback" not in res.output
        assert_no_blame(res, ws)
    assert ws.db_path.read_bytes() == damaged


@pytest.mark.sqlite_only(reason="damage to the SQLite file itself")
@pytest.mark.parametrize("damage", DAMAGES)
def test_verify_reports_a_damaged_master_as_a_finding(ws, outbox, fill, damage):
    api.ingest(ws, returned(outbox, fill)[1][:3])
    DAMAGES[damage](ws)
    res = invoke("verify", "-w", ws.root)
    assert res.exit_code == 1, res.output
    assert "マスタの整合性検査で異常があります（マスタが壊れています）" in res.output
    assert "--from-backup" in res.output
    assert "Traceback" not in res.output
    rep = api.verify(ws)
    assert [n.code for n in rep.findings] == ["verify_database"]


@pytest.mark.sqlite_only(reason="the missing master.sqlite file")
def test_a_missing_master_says_how_to_restore(ws):
    ws.db_path.unlink()
    res = invoke("status", "progress", "-y", YEAR, "-w", ws.root)
    assert res.exit_code == 2
    assert fault_line("no_master", path=ws.db_path) in res.output
    assert "--from-backup" in res.output


# -- a missing archive copy --------------------------------------------------------------------

def test_reingesting_an_accepted_file_restores_its_missing_archive_copy(ws, outbox, fill):
    _, files = returned(outbox, fill)
    assert invoke("ingest", files[0], "-w", ws.root).exit_code == 0
    copy = next(ws.archive.rglob("*.xlsx"))
    kept = copy.read_bytes()
    copy.unlink()
    res = invoke("verify", "-w", ws.root)
    assert res.exit_code == 1
    assert "保管コピーがありません" in res.output and "もう一度取り込む" in res.output
    before = master_snapshot(ws)
    res = invoke("ingest", files[0], "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert text("archive_restored") in res.output
    assert copy.read_bytes() == kept
    assert master_snapshot(ws) == before
    assert invoke("verify", "-w", ws.root).exit_code == 0
    # once restored, a further ingest of it says nothing more
    again = invoke("ingest", files[0], "-w", ws.root)
    assert again.exit_code == 0 and text("archive_restored") not in again.output


def test_no_probe_or_temporary_files_are_left_behind(ws, outbox, fill):
    folder, _ = returned(outbox, fill)
    assert invoke("ingest", folder, "-w", ws.root).exit_code == 0
    left = [p for p in ws.root.rglob("*") if ".tmp" in p.name or "fujimi-probe" in p.name]
    assert left == []
    assert os.listdir(ws.feedback) == [] or not list(ws.feedback.rglob("*.xlsx"))


def test_a_fault_is_said_in_english_with_lang_en(ws, outbox, fill):
    folder, _ = returned(outbox, fill)
    shutil.rmtree(ws.archive)
    ws.archive.write_text("not a folder")
    res = invoke("--lang", "en", "ingest", folder, "-w", ws.root)
    assert res.exit_code == 2
    assert ui("error", "en", message=error_text(
        "workspace_io", "en", path=ws.archive,
        detail="a file stands where a folder should be")) in res.output
    assert "Traceback" not in res.output
