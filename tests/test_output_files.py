"""Output files (issue 12, item 9): every file the tool writes for people (report, PDF,
feedback workbook, export) is written under a temporary name beside it and renamed into place;
one that cannot be replaced (open in Excel: here a folder of that name, or a read-only folder)
is named with "Excel で開いている場合は閉じてから", the exit status is not 0 and the old file is
intact. `report --pdf` never claims a PDF it did not write."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.core.errors import OutputError
from fujimi_xl.core.messages import error_text, ui
from fujimi_xl.output import pdf

from .conftest import YEAR, master_snapshot, master_value
from .mounts import read_only

CLOSE_IT = "Excel で開いている場合は閉じてから"
A_FOLDER = "同じ名前のフォルダがあります"


def invoke(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def refused_line(path: Path, reason: str) -> str:
    return ui("error", "ja", message=error_text("output_locked", path=path, reason=reason))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name or "fujimi-pdf" in p.name)


@pytest.fixture
def accepted(ws, outbox, fill):
    files = [fill(path, group) for group, path in sorted(outbox.items())]
    assert api.ingest(ws, files[:5]).ok
    return ws


def test_report_over_a_file_that_cannot_be_replaced_names_it(accepted):
    # the report's own place in the workspace; a folder of that name stands for the file
    # Excel holds open on Windows: it cannot be replaced
    out = accepted.reports / "平成29年度_進捗状況評価結果.xlsx"
    out.mkdir(parents=True)
    res = invoke("report", "progress", "-y", YEAR, "-w", accepted.root)
    assert res.exit_code == 2, res.output
    assert refused_line(out, A_FOLDER) in res.output
    assert CLOSE_IT in res.output and "Traceback" not in res.output
    assert out.is_dir() and leftovers(accepted.reports) == []


def test_report_into_a_read_only_folder_keeps_the_old_file(accepted, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "結果.xlsx"
    assert invoke("report", "progress", "-y", YEAR, "-w", accepted.root, "-o", out
                  ).exit_code == 0
    old = out.read_bytes()
    with read_only(folder):
        res = invoke("report", "progress", "-y", YEAR, "-w", accepted.root, "-o", out)
    assert res.exit_code == 2, res.output
    assert refused_line(out, "読み取り専用の場所です") in res.output
    assert out.read_bytes() == old and leftovers(folder) == []


def test_report_replaces_the_old_file_whole(accepted, tmp_path):
    out = tmp_path / "結果.xlsx"
    out.write_bytes(b"an old report")
    res = invoke("report", "progress", "-y", YEAR, "-w", accepted.root, "-o", out)
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:2] == b"PK" and leftovers(tmp_path) == []


def test_the_action_plan_book_is_written_aside_and_renamed(tmp_path):
    """The sheet-layout book (reporting_sheet) goes through the same rename."""
    from fujimi_xl.demo import run_demo

    r = run_demo(tmp_path / "demo", want_pdf=False, say=lambda *a, **k: None)
    ws = api.open_workspace(r.workspace)
    out = ws.reports / "平成30年度_アクションプラン.xlsx"
    assert out.is_file()
    old = out.read_bytes()
    with read_only(ws.reports):
        res = invoke("report", "action_plan", "-y", "H30", "-w", ws.root)
    assert res.exit_code == 2, res.output
    assert refused_line(out, "読み取り専用の場所です") in res.output
    assert out.read_bytes() == old and leftovers(ws.reports) == []


def _fake_libreoffice(tmp_path: Path, writes: bool) -> str:
    """A stand-in for LibreOffice that exits 0, writing a PDF or (as a stuck one can) not."""
    exe = tmp_path / "fake-soffice"
    body = ('out=""; prev=""; for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; '
            'prev="$a"; src="$a"; done\n'
            'name=$(basename "$src" .xlsx)\n')
    if writes:
        body += 'printf "%%PDF-1.4 fake" > "$out/$name.pdf"\n'
    exe.write_text("#!/bin/sh\n" + body + "exit 0\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return str(exe)


def test_pdf_never_claims_an_old_pdf_that_was_not_replaced(accepted, tmp_path, monkeypatch):
    out = tmp_path / "結果.xlsx"
    old_pdf = tmp_path / "結果.pdf"
    old_pdf.write_bytes(b"%PDF-1.4 last year's")
    monkeypatch.setattr(pdf, "libreoffice", lambda: _fake_libreoffice(tmp_path, False))
    res = invoke("report", "progress", "-y", YEAR, "-w", accepted.root, "-o", out, "--pdf")
    assert res.exit_code == 2, res.output
    assert "PDF: " not in res.output
    assert "LibreOffice の PDF 変換に失敗しました" in res.output
    assert old_pdf.read_bytes() == b"%PDF-1.4 last year's"
    assert leftovers(tmp_path) == []


def test_pdf_that_cannot_replace_the_old_one_is_named(accepted, tmp_path, monkeypatch):
    out = tmp_path / "結果.xlsx"
    (tmp_path / "結果.pdf").mkdir()  # the old PDF, open in a viewer
    monkeypatch.setattr(pdf, "libreoffice", lambda: _fake_libreoffice(tmp_path, True))
    res = invoke("report", "progress", "-y", YEAR, "-w", accepted.root, "-o", out, "--pdf")
    assert res.exit_code == 2, res.output
    assert refused_line(tmp_path / "結果.pdf", A_FOLDER) in res.output
    assert "PDF: " not in res.output and CLOSE_IT in res.output
    assert leftovers(tmp_path) == []


def test_pdf_replaces_the_old_one(accepted, tmp_path, monkeypatch):
    out = tmp_path / "結果.xlsx"
    old_pdf = tmp_path / "結果.pdf"
    old_pdf.write_bytes(b"%PDF-1.4 last year's")
    monkeypatch.setattr(pdf, "libreoffice", lambda: _fake_libreoffice(tmp_path, True))
    res = invoke("report", "progress", "-y", YEAR, "-w", accepted.root, "-o", out, "--pdf")
    assert res.exit_code == 0, res.output
    assert f"PDF: {old_pdf}" in res.output
    assert old_pdf.read_bytes() == b"%PDF-1.4 fake"
    assert leftovers(tmp_path) == []


@pytest.mark.libreoffice
def test_real_pdf_over_a_locked_old_one_is_not_claimed(accepted, tmp_path):
    out = tmp_path / "結果.xlsx"
    (tmp_path / "結果.pdf").mkdir()
    res = invoke("report", "progress", "-y", YEAR, "-w", accepted.root, "-o", out, "--pdf")
    assert res.exit_code == 2, res.output
    assert refused_line(tmp_path / "結果.pdf", A_FOLDER) in res.output
    assert "PDF: " not in res.output


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_over_a_file_that_cannot_be_replaced_names_it(accepted, tmp_path, fmt):
    out = tmp_path / f"書き出し.{fmt}"
    out.mkdir()
    with pytest.raises(OutputError) as err:
        api.export(accepted, "progress", YEAR, out, fmt)
    assert err.value.message() == error_text("output_locked", path=out, reason=A_FOLDER)
    assert CLOSE_IT in err.value.message()
    assert out.is_dir() and leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_into_a_read_only_folder_keeps_the_old_file(accepted, tmp_path, fmt):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / f"書き出し.{fmt}"
    out.write_bytes(b"old")
    with read_only(folder):
        res = invoke("export", "progress", "-y", YEAR, "-w", accepted.root, "--format", fmt,
                     "-o", out)
    assert res.exit_code == 2, res.output
    assert refused_line(out, "読み取り専用の場所です") in res.output
    assert out.read_bytes() == b"old" and leftovers(folder) == []


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_replaces_the_old_file_whole(accepted, tmp_path, fmt):
    out = tmp_path / f"書き出し.{fmt}"
    out.write_bytes(b"old")
    res = invoke("export", "progress", "-y", YEAR, "-w", accepted.root, "--format", fmt,
                 "-o", out)
    assert res.exit_code == 0, res.output
    assert out.read_bytes() != b"old" and leftovers(tmp_path) == []


def test_a_feedback_workbook_that_cannot_be_replaced_stops_ingest_and_blames_no_file(
        ws, outbox, fill, sample):
    group = sorted(outbox)[0]
    key = next(iter(sample["responses"][group]))
    bad = fill(outbox[group], group, {key: {"grade": "Z"}}, name="bad.xlsx")
    locked = ws.feedback / str(YEAR) / "progress" / "差戻し_bad.xlsx"
    locked.mkdir(parents=True)
    before = master_snapshot(ws)
    res = invoke("ingest", bad, "-w", ws.root)
    assert res.exit_code == 2, res.output
    assert refused_line(locked, A_FOLDER) in res.output
    assert "Traceback" not in res.output and "壊れている可能性" not in res.output
    assert master_value(ws, "SELECT count(*) FROM files") == 0
    assert master_snapshot(ws) == before
    assert [p.name for p in locked.parent.iterdir()] == ["差戻し_bad.xlsx"]
    # closed: the same file now gets its refusal and its feedback workbook
    locked.rmdir()
    res = invoke("ingest", bad, "-w", ws.root)
    assert res.exit_code == 1, res.output
    assert locked.is_file()
    assert os.listdir(locked.parent) == ["差戻し_bad.xlsx"]
