"""Intake survives anything staff or an attacker can send: every hostile or odd file of the
corpus built by ``tests/hostile.py`` is refused with one clear problem (never a traceback), the
master is left exactly as it was, and a folder holding all of them still takes the good files."""

from __future__ import annotations

import faulthandler
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from fujimi_xl import api
from fujimi_xl.core.messages import text
from fujimi_xl.intake import isolate, reader
from fujimi_xl.output.pdf import libreoffice

from . import hostile
from .conftest import master_snapshot

TEMPLATE_GROUP = "保育"  # the hostile files are made from this group's workbook, as issued
VALID_GROUPS = ("応援センター", "子育て支援")

# name -> (code, words its Japanese message must hold)
EXPECTED: dict[str, tuple[str, list[str]]] = {
    "empty.xlsx": ("not_workbook", ["空のファイル"]),
    "truncated.xlsx": ("not_workbook", ["ZIP構造が壊れています"]),
    "csv_renamed.xlsx": ("other_format", ["CSV"]),
    "html_renamed.xlsx": ("other_format", ["HTML"]),
    "corrupt_deflate.xlsx": ("not_workbook", ["xl/worksheets/sheet2.xml", "壊れています"]),
    "missing_workbook_xml.xlsx": ("not_workbook", ["xl/workbook.xml がありません"]),
    "missing_sheet_part.xlsx": ("not_workbook", ["シート「入力」の部品", "がありません"]),
    "zip_bomb.xlsx": ("limit_exceeded", ["展開後サイズ", f"{reader.MAX_INFLATED_BYTES:,}バイト"]),
    "ratio_bomb.xlsx": ("limit_exceeded", ["圧縮率", f"上限 {reader.MAX_RATIO}倍"]),
    "lying_bomb.xlsx": ("limit_exceeded", ["展開後サイズ", "申告"]),
    "far_cell.xlsx": ("limit_exceeded", ["シート「入力」の使用範囲", "XFD1048576",
                                         f"{reader.MAX_CELLS:,}セル"]),
    "far_cell_other_namespace.xlsx": ("limit_exceeded", ["シート「入力」の使用範囲", "XFD1048576"]),
    "far_cell_alternate_content.xlsx": ("limit_exceeded", ["シート「入力」の使用範囲",
                                                           "XFD1048576"]),
    "million_rows.xlsx": ("limit_exceeded", ["シート「入力」の行数", f"上限 {reader.MAX_ROWS:,}行"]),
    "deep_xml.xlsx": ("limit_exceeded", ["入れ子", f"上限 {reader.MAX_XML_DEPTH}段"]),
    "laughs_workbook.xlsx": ("unsafe_xml", ["xl/workbook.xml", "DTD"]),
    "laughs_shared_strings.xlsx": ("unsafe_xml", ["xl/sharedStrings.xml", "DTD"]),
    "xxe_shared_strings.xlsx": ("unsafe_xml", ["xl/sharedStrings.xml", "DTD"]),
    "xxe_content_types.xlsx": ("unsafe_xml", ["[Content_Types].xml", "DTD"]),
    "encrypted_minimal.xlsx": ("encrypted", ["パスワードを解除"]),
    "encrypted.xlsx": ("encrypted", ["パスワードを解除"]),
    "encrypted.ods": ("encrypted", ["パスワードを解除"]),  # made from LibreOffice's .ods
    "encrypted_ods.xlsx": ("encrypted", ["パスワードを解除"]),
}
# made by LibreOffice from a workbook that is not ours: refused, the format named
FOREIGN: dict[str, str] = {
    "foreign.ods": "(.ods)", "foreign_ods.xlsx": "(.ods)",
    "foreign.xls": "(.xls)", "foreign_xls.xlsx": "(.xls)",
}
# our template in another format (as issued, nothing filled in): read, then refused for the
# empty inputs exactly like the .xlsx it was made from
OURS = ["template.xlsm", "template_xlsm.xlsx"]
OURS_LO = ["template.ods", "template_ods.xlsx", "template.xls", "template_xls.xlsx"]


# -- the corpus, built once per session -----------------------------------------------------------

@pytest.fixture(scope="session")
def template(_base_workspace: tuple[Path, dict[str, Path]]) -> Path:
    return _base_workspace[1][TEMPLATE_GROUP]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory, template: Path) -> dict[str, Path]:
    return hostile.make_corpus(tmp_path_factory.mktemp("hostile"), template)


@pytest.fixture(scope="session")
def lo_corpus(tmp_path_factory: pytest.TempPathFactory, template: Path,
              _base_workspace: tuple[Path, dict[str, Path]]) -> dict[str, Path]:
    """.ods and .xls of our template and of a foreign workbook (the plan), made by LibreOffice."""
    if libreoffice() is None:
        return {}
    plan = _base_workspace[0].parent / "plan.xlsx"
    return hostile.make_libreoffice_files(tmp_path_factory.mktemp("hostile_lo"), template, plan)


# -- helpers -----------------------------------------------------------------------------------

def ingest_refused(ws: Any, path: Path) -> Any:
    """Ingest one file that must be refused: nothing raised, the master unchanged."""
    before = master_snapshot(ws)
    report = api.ingest(ws, [path])
    assert [f.outcome for f in report.files] == ["rejected"], report.files[0].problems
    assert master_snapshot(ws) == before
    result = report.files[0]
    assert result.records == 0
    for p in result.problems:  # a message in both languages, never a traceback
        assert p.message() and p.message("en")
        assert "Traceback" not in p.message()
    return result


def problem_cells(result: Any) -> list[tuple[str, str, str]]:
    return [(p.where(), p.field, p.code) for p in result.problems]


# -- each file alone ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(EXPECTED))
def test_hostile_file_is_refused_with_one_clear_problem(ws, corpus, lo_corpus, name):
    files = {**corpus, **lo_corpus}
    if name not in files:
        pytest.skip(f"{name} needs an optional tool (msoffcrypto-tool, LibreOffice)")
    code, words = EXPECTED[name]
    res = ingest_refused(ws, files[name])
    assert [(p.file, p.code) for p in res.problems] == [(name, code)]
    message = res.problems[0].message()
    for word in words:
        assert word in message, message
    assert message == text(code, "ja", **res.problems[0].params)
    assert not res.feedback


@pytest.mark.parametrize("name", ["far_cell.xlsx", "far_cell_other_namespace.xlsx",
                                  "far_cell_alternate_content.xlsx"])
def test_a_far_cell_would_abort_python_calamine_and_is_refused_before_it(corpus, name):
    """The file is small, yet python-calamine aborts the whole process on it (SIGABRT): the
    checks must refuse it before calamine is called, in the same process. If calamine stops
    aborting, update the known traps in DESIGN.md."""
    path = str(corpus[name])
    raw = subprocess.run(
        [sys.executable, "-c", "import python_calamine as pc, sys\n"
         "wb = pc.CalamineWorkbook.from_path(sys.argv[1])\n"
         "[wb.get_sheet_by_name(n) for n in wb.sheet_names]", path],
        capture_output=True, timeout=60)
    assert raw.returncode == -signal.SIGABRT
    checked = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom fujimi_xl.intake.reader import read_book, ReadRefused\n"
         "try:\n    read_book(sys.argv[1])\nexcept ReadRefused as e:\n    print(e.code)", path],
        capture_output=True, text=True, timeout=60)
    assert (checked.returncode, checked.stdout.strip()) == (0, "limit_exceeded")


def test_the_parse_time_limit_is_checked_while_reading(corpus, monkeypatch):
    monkeypatch.setattr(reader, "MAX_SCAN_SECONDS", 0.0)
    monkeypatch.setattr(reader, "MAX_ROWS", 10_000_000)
    with pytest.raises(reader.ReadRefused) as info:
        reader.read_book(corpus["million_rows.xlsx"])
    assert info.value.code == "limit_exceeded"
    assert info.value.params["limit"].startswith("読み込み時間")


@pytest.mark.parametrize("name", OURS)
def test_xlsm_is_read_by_content_and_its_macros_are_never_kept(ws, corpus, outbox, name):
    plain = ingest_refused(ws, outbox[TEMPLATE_GROUP])  # as issued: inputs empty
    res = ingest_refused(ws, corpus[name])
    assert problem_cells(res) == problem_cells(plain)
    assert {p.code for p in res.problems} == {"required"}
    assert res.feedback.endswith(".xlsx")
    with zipfile.ZipFile(res.feedback) as zf:
        assert not [n for n in zf.namelist() if "vba" in n.lower()]
        assert b"macroEnabled" not in zf.read("[Content_Types].xml")


def test_filled_xlsm_is_accepted_with_the_values_of_the_xlsx(ws, outbox, fill, tmp_path):
    filled = fill(outbox[TEMPLATE_GROUP], TEMPLATE_GROUP, name="hoiku.xlsx")
    macro = hostile.xlsm(filled, tmp_path / "hoiku.xlsm")
    assert reader.sniff(macro) == "xlsm"
    res = api.ingest(ws, [macro]).files[0]
    assert (res.outcome, res.problems) == ("accepted", [])
    before = master_snapshot(ws)
    assert api.ingest(ws, [filled]).files[0].outcome == "unchanged"
    assert master_snapshot(ws) == before


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", list(FOREIGN))
def test_ods_and_xls_that_are_not_ours_are_refused_with_the_format_named(ws, lo_corpus, name):
    res = ingest_refused(ws, lo_corpus[name])
    assert [(p.file, p.code) for p in res.problems] == [(name, "other_format")]
    assert FOREIGN[name] in res.problems[0].message()


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", OURS_LO)
def test_ods_and_xls_of_our_template_are_converted_and_read(ws, lo_corpus, outbox, name):
    assert reader.sniff(lo_corpus[name]) == ("ods" if "ods" in name else "xls")
    plain = ingest_refused(ws, outbox[TEMPLATE_GROUP])
    res = ingest_refused(ws, lo_corpus[name])
    assert problem_cells(res) == problem_cells(plain)


@pytest.mark.libreoffice
def test_without_libreoffice_an_ods_of_ours_is_refused_with_its_format(lo_corpus, monkeypatch):
    monkeypatch.setattr(reader, "libreoffice", lambda: None)
    with pytest.raises(reader.ReadRefused) as info:
        reader.read_book(lo_corpus["template.ods"])
    ja, en = reader.FORMAT_NAMES["ods"]
    assert (info.value.code, info.value.params) == (
        "other_format", {"format": ja, "format_en": en})


@pytest.mark.libreoffice
def test_a_conversion_over_its_time_limit_is_stopped_and_named(lo_corpus, monkeypatch):
    monkeypatch.setattr(reader, "CONVERT_SECONDS", 0.2)
    with pytest.raises(reader.ReadRefused) as info:
        reader.read_book(lo_corpus["template.xls"])
    assert info.value.code == "limit_exceeded"
    assert info.value.params["limit"] == "変換時間 (LibreOffice)"


# -- a whole folder ----------------------------------------------------------------------------

def test_a_folder_of_hostile_files_still_takes_the_good_ones(ws, outbox, fill, corpus,
                                                             lo_corpus, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    hostile_names = {**corpus, **lo_corpus}
    for name, path in hostile_names.items():
        shutil.copyfile(path, folder / name)
    good = [fill(outbox[g], g, name=f"good_{i}.xlsx") for i, g in enumerate(VALID_GROUPS)]
    for path in good:
        shutil.copyfile(path, folder / path.name)
    locks = [hostile.excel_owner_file(folder, "good_0.xlsx").name,
             hostile.libreoffice_lock_file(folder, "good_1.xlsx").name]

    report = api.ingest(ws, [folder])

    outcome = {f.file_name: f.outcome for f in report.files}
    assert outcome == {**dict.fromkeys(hostile_names, "rejected"),
                       "good_0.xlsx": "accepted", "good_1.xlsx": "accepted",
                       **dict.fromkeys(locks, "skipped")}
    codes = {f.file_name: [p.code for p in f.problems] for f in report.files}
    for name, (code, _) in EXPECTED.items():
        if name in codes:
            assert codes[name] == [code], name
    for name in locks:
        assert codes[name] == ["skipped_lock_file"]
    conn = ws.connect()
    try:
        groups = sorted(r[0] for r in conn.execute("SELECT group_code FROM submissions"))
    finally:
        conn.close()
    assert groups == sorted(VALID_GROUPS)


# -- a reader that kills its own process ---------------------------------------------------------

def _abort() -> None:
    faulthandler.disable()  # pytest's fault handler would print the worker's stack on stderr
    os.abort()


def _abort_on_boom(path: str) -> Any:
    if Path(path).name.startswith("boom"):
        _abort()
    return isolate.read_in_process(path)


def test_a_reader_that_aborts_its_process_fails_only_that_file(outbox, tmp_path):
    paths = [outbox["保育"], tmp_path / "boom.xlsx", outbox["応援センター"], outbox["子育て支援"]]
    shutil.copyfile(outbox["保育"], paths[1])
    got = list(isolate.read_many([str(p) for p in paths], workers=2, reader=_abort_on_boom))
    assert [Path(p).name for p, _ in got] == [p.name for p in paths]
    outcomes = [o for _, o in got]
    assert isinstance(outcomes[1], reader.ReadRefused)
    assert outcomes[1].code == "read_failed"
    for o in (outcomes[0], outcomes[2], outcomes[3]):
        assert isinstance(o, reader.RawBook)
        assert o.sheet("_fujimi") is not None


@pytest.mark.parametrize("chunk", [3, 8])
def test_files_sent_in_chunks_still_fail_alone(outbox, tmp_path, chunk):
    """Workers take several files per task; when one aborts the process, the others of its
    chunk are read again one by one and only the culprit is refused."""
    good = [outbox["保育"], outbox["応援センター"], outbox["子育て支援"]]
    paths = [*good, *good]
    boom = tmp_path / "boom.xlsx"
    shutil.copyfile(good[0], boom)
    paths.insert(4, boom)
    got = list(isolate.read_many([str(p) for p in paths], workers=2, reader=_abort_on_boom,
                                 chunk=chunk))
    assert [Path(p).name for p, _ in got] == [p.name for p in paths]
    for (_, o), p in zip(got, paths, strict=True):
        if p == boom:
            assert isinstance(o, reader.ReadRefused) and o.code == "read_failed"
        else:
            assert isinstance(o, reader.RawBook) and o.sheet("_fujimi") is not None


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(),
                    reason="the patched reader reaches the workers through fork")
def test_ingest_goes_on_when_a_reader_aborts_the_worker(ws, outbox, fill, tmp_path,
                                                        monkeypatch):
    real = isolate.read_book

    def read_book(path: Any, *data: Any) -> Any:
        if Path(path).name.startswith("boom"):
            _abort()
        return real(path, *data)

    monkeypatch.setattr(isolate, "read_book", read_book)
    good = [fill(outbox[g], g, name=f"good_{i}.xlsx") for i, g in enumerate(VALID_GROUPS)]
    boom = good[0].parent / "boom.xlsx"
    shutil.copyfile(fill(outbox[TEMPLATE_GROUP], TEMPLATE_GROUP, name="x.xlsx"), boom)
    report = api.ingest(ws, [good[0], boom, good[1]])
    assert [(f.file_name, f.outcome) for f in report.files] == [
        ("good_0.xlsx", "accepted"), ("boom.xlsx", "rejected"), ("good_1.xlsx", "accepted")]
    assert [p.code for p in report.files[1].problems] == ["read_failed"]


def _hang_on_slow(path: str) -> Any:
    if Path(path).name.startswith("slow"):
        import time

        time.sleep(60)
    return isolate.read_in_process(path)


def test_a_reader_that_hangs_is_stopped_and_fails_only_that_file(outbox, tmp_path, monkeypatch):
    monkeypatch.setattr(isolate, "TIME_LIMIT", 1.5)
    paths = [outbox["保育"], tmp_path / "slow.xlsx", outbox["応援センター"]]
    shutil.copyfile(outbox["保育"], paths[1])
    got = dict(isolate.read_many([str(p) for p in paths], workers=2, reader=_hang_on_slow))
    slow = got[str(paths[1])]
    assert isinstance(slow, reader.ReadRefused)
    assert (slow.code, slow.params["limit"]) == ("limit_exceeded", "読み込み時間")
    assert all(isinstance(got[str(p)], reader.RawBook) for p in (paths[0], paths[2]))


_ORPHAN_SCRIPT = """
import os, sys, time
from fujimi_xl.intake import isolate

def reader(path):
    with open(path, "w") as fh:
        fh.write(str(os.getpid()))
    time.sleep(60)

list(isolate.read_many([sys.argv[1]], workers=1, reader=reader))
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "\\nState:\\tZ" not in fh.read()
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/status").exists() or "fork" not in
                    mp.get_all_start_methods(), reason="Linux /proc and fork")
def test_workers_exit_when_their_ingest_is_killed(tmp_path):
    import time

    marker = tmp_path / "worker.pid"
    proc = subprocess.Popen([sys.executable, "-c", _ORPHAN_SCRIPT, str(marker)])
    try:
        for _ in range(200):
            if marker.is_file() and marker.read_text():
                break
            time.sleep(0.05)
        worker = int(marker.read_text())
        assert _alive(worker)
    finally:
        proc.kill()
        proc.wait()
    for _ in range(100):
        if not _alive(worker):
            break
        time.sleep(0.05)
    assert not _alive(worker)
