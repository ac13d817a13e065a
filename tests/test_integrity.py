"""What must never happen: a partial merge, a lost value, a crash that leaves the master
half-written, a file merged twice by two ingests at once. And `verify` proves it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fujimi_xl import api

from .conftest import YEAR, master_rows, master_snapshot, master_value, master_write


def all_filled(outbox, fill):
    return [fill(path, group) for group, path in sorted(outbox.items())]


def test_a_batch_with_a_bad_fifth_file_merges_exactly_the_good_ones(ws, outbox, fill):
    files = all_filled(outbox, fill)
    assert len(files) == 10
    bad_group = sorted(outbox)[4]
    key = next(iter(__import__("fujimi_xl.demo", fromlist=["x"]).sample_data()["responses"][
        bad_group]))
    files[4] = fill(outbox[bad_group], bad_group, {key: {"grade": "Z"}}, name="bad.xlsx")
    res = api.ingest(ws, files)
    assert [f.outcome for f in res.files] == ["accepted"] * 4 + ["rejected"] + ["accepted"] * 5
    st = {g.group: g.state for g in api.status(ws, "progress", YEAR).groups}
    assert st[bad_group] == "rejected"
    assert sum(1 for s in st.values() if s == "accepted") == 9
    assert api.verify(ws).ok


def test_verify_traces_every_value_and_finds_tampering(ws, outbox, fill):
    api.ingest(ws, all_filled(outbox, fill))
    rep = api.verify(ws)
    assert rep.ok, rep.problems
    assert rep.checked == {"submissions": 10, "files": 10, "values": 104, "slots": 10}
    master_write(ws, "UPDATE record_values SET value = '\"改ざん\"' WHERE item_key = '4-2-1' "
                     "AND field = 'result' AND submission_id = (SELECT min(submission_id) "
                     "FROM record_values WHERE item_key = '4-2-1' AND field = 'result')")
    rep = api.verify(ws)
    assert not rep.ok
    assert len(rep.problems) == 1 and "読み直した値がマスタと一致しません" in rep.problems[0]
    # a damaged archive copy is caught by its sha256
    archived = next(ws.archive.rglob("*.xlsx"))
    archived.write_bytes(archived.read_bytes() + b"x")
    assert any("sha256 が記録と一致しません" in p for p in api.verify(ws).problems)


def test_verify_command(ws, outbox, fill):
    from click.testing import CliRunner

    from fujimi_xl.cli import cli

    api.ingest(ws, [fill(outbox["保育"], "保育")])
    res = CliRunner().invoke(cli, ["verify", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "検査した範囲: 現在の版 1 件・保管ファイル 1 件・値 4 件（1 枠）",
        "異常はありません。すべての値が受理したファイル（sha256 一致）に遡れます。"]


def _ingest_process(ws_root: Path, files: list[Path], env: dict[str, str] | None = None):
    return subprocess.Popen(
        [sys.executable, "-m", "fujimi_xl", "ingest", *map(str, files), "-w", str(ws_root)],
        env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def test_kill_9_during_the_merge_leaves_the_master_as_it_was(ws, outbox, fill, tmp_path):
    api.ingest(ws, [fill(outbox["保育"], "保育")])
    before = master_snapshot(ws)
    target = fill(outbox["応援センター"], "応援センター")
    marker = tmp_path / "in_transaction"
    proc = _ingest_process(ws.root, [target], {"FUJIMI_FAULT": f"merge:{marker}"})
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # mid-write: the receipt and the new version are written
    proc.wait()
    assert master_snapshot(ws) == before
    assert master_value(ws, "SELECT count(*) FROM files WHERE file_name = ?",
                        (target.name,)) == 0
    assert api.verify(ws).ok
    # the same file, ingested again, goes in whole
    again = api.ingest(ws, [target]).files[0]
    assert (again.outcome, again.records) == ("accepted", 9)


def test_kill_9_within_a_batch_loses_its_uncommitted_files_whole_and_a_rerun_takes_them(
        ws, outbox, fill, tmp_path):
    """Merges are committed in batches: killed at the third file's merge, the files merged
    before it in the same batch are not in the master either (never half of one), and
    ingesting the same files again accepts what was not committed."""
    files = all_filled(outbox, fill)[:3]
    marker = tmp_path / "in_transaction"
    proc = _ingest_process(ws.root, files, {"FUJIMI_FAULT": f"merge@3:{marker}"})
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    committed = {r["group_code"] for r in master_rows(ws, "SELECT group_code FROM submissions")}
    assert api.verify(ws).ok  # whatever is in the master is whole and matches its file
    again = api.ingest(ws, files)
    # a batch is committed after 100 files or 1 second: on a quick machine nothing before the
    # third file is committed; on a slow one the first may be. Never the third.
    assert again.files[2].group not in committed
    assert [f.outcome for f in again.files] == [
        "unchanged" if f.group in committed else "accepted" for f in again.files]
    assert [f.outcome for f in api.ingest(ws, files).files] == ["unchanged"] * 3


def test_two_ingests_at_once_merge_every_file_once(ws, outbox, fill):
    files = all_filled(outbox, fill)
    a = _ingest_process(ws.root, files)
    b = _ingest_process(ws.root, list(reversed(files)))
    out_a, err_a = a.communicate(timeout=300)
    out_b, err_b = b.communicate(timeout=300)
    assert a.returncode == 0 and b.returncode == 0, (err_a, err_b)
    assert master_value(ws, "SELECT count(*) FROM submissions") == 10
    assert master_value(ws, "SELECT count(*) FROM files WHERE outcome = 'accepted'") == 10
    accepted = out_a.count("受理\t") + out_b.count("受理\t")
    assert accepted == 10
    assert api.verify(ws).ok
