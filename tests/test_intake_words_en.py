"""The details of the refusals of odd files (what is broken, which limit, which format) come
from the catalogue in Japanese and English (issue 13 item 11): ``--lang en`` says them in
English, and the Japanese stays word for word what it was."""

from __future__ import annotations

import pickle
import string
import time
from pathlib import Path
from typing import Any

import pytest

from fujimi_xl import api
from fujimi_xl.core.errors import Problem
from fujimi_xl.core.messages import FILE_FORMATS, INTAKE
from fujimi_xl.intake import isolate, reader

from . import hostile
from .conftest import master_snapshot

TEMPLATE_GROUP = "保育"


def refused(ws: Any, path: Path) -> Problem:
    """Ingest one file that must be refused; its one problem (the master unchanged)."""
    before = master_snapshot(ws)
    report = api.ingest(ws, [path])
    assert [f.outcome for f in report.files] == ["rejected"]
    assert master_snapshot(ws) == before
    (problem,) = report.files[0].problems
    assert problem.file == path.name
    return problem


def test_an_empty_file_is_said_in_english_on_the_command_line(run, ws, tmp_path):
    path = hostile.empty(Path(), tmp_path / "empty.xlsx")
    en = run("--lang", "en", "ingest", path, "-w", ws.root)
    assert ("Not a readable Excel workbook (an empty file (0 bytes)). Check that it opens in "
            "Excel, save it as 'Excel Workbook (*.xlsx)' and send it again.") in en.output
    assert "空のファイル" not in en.output
    ja = run("ingest", path, "-w", ws.root)
    assert "Excelブック(.xlsx)として読めません（空のファイル (0バイト)）。" in ja.output
    again = run("--lang", "en", "ingest", path, "-w", ws.root)  # the stored refusal, in English
    assert "(an empty file (0 bytes))" in again.output


def test_a_truncated_zip(ws, outbox, tmp_path):
    p = refused(ws, hostile.truncated(outbox[TEMPLATE_GROUP], tmp_path / "cut.xlsx"))
    assert p.code == "not_workbook"
    assert p.message("ja").startswith(
        "Excelブック(.xlsx)として読めません（ZIP構造が壊れています (途中で切れている可能性があります)）。")
    assert p.message("en").startswith(
        "Not a readable Excel workbook (the ZIP structure is broken (the file may be cut "
        "short)).")


def test_a_missing_sheet_part_names_the_sheet_and_the_part(ws, outbox, tmp_path):
    src = outbox[TEMPLATE_GROUP]
    part = hostile.input_sheet_part(src)
    p = refused(ws, hostile.missing_sheet_part(src, tmp_path / "no_sheet.xlsx"))
    assert p.message("ja").startswith(
        f"Excelブック(.xlsx)として読めません（シート「入力」の部品 {part} がありません）。")
    assert p.message("en").startswith(
        f"Not a readable Excel workbook (part {part} of sheet '入力' is missing).")


def test_broken_compressed_data_names_the_part_in_english(ws, outbox, tmp_path):
    src = outbox[TEMPLATE_GROUP]
    part = hostile.input_sheet_part(src)
    p = refused(ws, hostile.corrupt_deflate(src, tmp_path / "broken.xlsx"))
    # the flipped bytes break the deflate stream, or end it early, or inflate to other bytes
    # (the CRC), or to more than the part declares: which one depends on the bytes
    said = {f"部品 {part} の圧縮データが壊れています": f"part {part}: broken compressed data",
            f"部品 {part} の圧縮データが途中で切れています": f"part {part}: compressed data cut short",
            f"部品 {part} が途中で切れています": f"part {part} is cut short",
            f"部品 {part} が壊れています (CRC/サイズ不一致)": f"part {part}: CRC/size mismatch",
            f"部品 {part} が壊れています (展開後のサイズが申告と違います)":
                f"part {part}: not the declared size"}
    assert p.params["detail"] in said, p.params
    assert p.message("ja").startswith(
        f"Excelブック(.xlsx)として読めません（{p.params['detail']}）。")
    assert p.message("en").startswith(
        f"Not a readable Excel workbook ({said[p.params['detail']]}).")


def test_a_far_cell_names_the_limit_in_english(ws, outbox, tmp_path):
    p = refused(ws, hostile.far_cell(outbox[TEMPLATE_GROUP], tmp_path / "far.xlsx"))
    assert p.code == "limit_exceeded"
    assert p.message("ja").startswith(
        "ファイルが上限を超えています（シート「入力」の使用範囲: A1:XFD1048576 "
        "(1,048,576行×16,384列)、上限 2,000,000セル）。")
    assert p.message("en").startswith(
        "The file exceeds a limit (used range of sheet '入力': A1:XFD1048576 (1,048,576 rows "
        "× 16,384 columns), allowed 2,000,000 cells).")


def test_a_deep_xml_part_names_the_part_in_english(ws, outbox, tmp_path):
    p = refused(ws, hostile.deep_xml(outbox[TEMPLATE_GROUP], tmp_path / "deep.xlsx"))
    depth = reader.MAX_XML_DEPTH
    assert p.message("ja").startswith(
        f"ファイルが上限を超えています（部品 customXml/item1.xml のXMLの入れ子: {depth + 1}段超、"
        f"上限 {depth}段）。")
    assert p.message("en").startswith(
        f"The file exceeds a limit (XML nesting in part customXml/item1.xml: over {depth + 1} "
        f"levels, allowed {depth} levels).")


def test_a_renamed_csv_names_its_format_in_english(ws, outbox, tmp_path):
    p = refused(ws, hostile.csv_renamed(outbox[TEMPLATE_GROUP], tmp_path / "table.xlsx"))
    assert p.code == "other_format"
    assert p.message("ja").startswith("このファイルはCSV/テキスト形式です。")
    assert p.message("en").startswith("This file is in CSV/text format.")


def _hang_on_slow(path: str) -> Any:
    if Path(path).name.startswith("slow"):
        time.sleep(60)
    return isolate.read_in_process(path)


def test_a_reader_over_its_time_is_said_in_english(outbox, tmp_path, monkeypatch):
    monkeypatch.setattr(isolate, "TIME_LIMIT", 1.5)
    slow = tmp_path / "slow.xlsx"
    slow.write_bytes(outbox[TEMPLATE_GROUP].read_bytes())
    (_, got), = isolate.read_many([str(slow)], workers=1, reader=_hang_on_slow)
    assert isinstance(got, reader.ReadRefused)
    p = Problem(got.code, file=slow.name, params=got.params)
    assert p.message("ja").startswith("ファイルが上限を超えています（読み込み時間: 2秒超、上限 2秒）。")
    assert p.message("en").startswith(
        "The file exceeds a limit (reading time: over 2 s, allowed 2 s).")


def test_a_refusal_keeps_both_languages_when_pickled():
    """A refusal crosses from a worker process pickled."""
    got = pickle.loads(pickle.dumps(reader.corrupt(INTAKE["no_sheets"])))
    assert got.params == {"detail": "シートが1枚もありません", "detail_en": "there is no sheet"}


@pytest.mark.parametrize("table", [INTAKE, FILE_FORMATS])
def test_every_intake_word_has_both_languages_with_the_same_placeholders(table):
    def names(s: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(s) if f}

    for key, (ja, en) in table.items():
        assert ja and en, key
        assert names(ja) == names(en), key
