"""The fast path is correct: parallel workers and one process give the same master and the same
problem reports; the progress bar stays quiet when output is not a terminal."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import Progress, cli

from .conftest import OtherMaster, master_snapshot


def test_parallel_and_single_process_ingest_agree(ws, outbox, fill, tmp_path):
    files = [fill(p, g, messy=True) for g, p in sorted(outbox.items())]
    files[3] = fill(outbox["応援センター"], "応援センター",
                    {"1-1-1": {"grade": "Q"}, "1-2-3": {"result": ""}}, name="bad.xlsx")
    other_master = OtherMaster(copy=True)  # the copy's master (a database of its own on PG)
    other = api.open_workspace(shutil.copytree(ws.root, tmp_path / "other"))
    one = api.ingest(ws, files, workers=1)
    with other_master:
        two = api.ingest(other, files, workers=2)

    def shape(rep):
        return [(f.file_name, f.outcome, f.records, f.version,
                 [(p.where(), p.code, p.message()) for p in f.problems]) for f in rep.files]

    assert shape(one) == shape(two)
    assert [f.outcome for f in one.files].count("rejected") == 1
    assert len(one.files[3].problems) == 2
    with other_master:
        theirs = master_snapshot(other)
    assert master_snapshot(ws) == theirs


def test_progress_is_silent_without_a_terminal(ws, outbox, fill):
    bar = Progress("取込中", minimum=1)
    bar.start(5)  # CliRunner / CI: standard error is not a terminal
    assert bar.bar is None
    res = CliRunner().invoke(cli, ["ingest", str(fill(outbox["保育"], "保育")), "-w",
                                   str(ws.root)])
    assert res.exit_code == 0 and "取込中" not in res.output


def test_two_refused_files_of_one_name_leave_one_whole_feedback_workbook(ws, outbox, fill,
                                                                         tmp_path):
    """Workers build feedback workbooks at the same time; two refused files with the same name
    (from two folders) must not write one feedback file at once: it ends up whole."""
    import openpyxl

    a = fill(outbox["応援センター"], "応援センター", {"1-1-1": {"grade": "Q"}}, name="応援.xlsx")
    b_dir = tmp_path / "again"
    b_dir.mkdir()
    b = shutil.copyfile(fill(outbox["応援センター"], "応援センター", {"1-2-3": {"result": ""}},
                             name="other.xlsx"), b_dir / "応援.xlsx")
    rep = api.ingest(ws, [a, b], workers=2)
    assert [f.outcome for f in rep.files] == ["rejected", "rejected"]
    assert rep.files[0].feedback == rep.files[1].feedback
    wb = openpyxl.load_workbook(rep.files[0].feedback)  # a whole workbook, not a torn one
    assert "差戻し内容" in wb.sheetnames
    left = [p.name for p in (ws.root / "feedback").rglob("*") if ".tmp" in p.name]
    assert left == []
