"""generate → fill (as staff would, messy values included) → ingest → report, checking the
printed values in their cells."""

from __future__ import annotations

import openpyxl

from fujimi_xl import api

from .conftest import YEAR, master_snapshot


def _report_rows(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if not ws.title.startswith("第"):
            continue
        out[ws.title] = ws
    return wb, out


def test_all_groups_round_trip_into_the_report(ws, outbox, fill, tmp_path, sample):
    files = [fill(path, group, messy=True) for group, path in outbox.items()]
    result = api.ingest(ws, files)
    assert [f.outcome for f in result.files] == ["accepted"] * len(files), [
        (f.file_name, [(p.where(), p.code) for p in f.problems]) for f in result.files]
    assert sum(f.records for f in result.files) == 26

    rep = api.report(ws, "progress", YEAR, tmp_path / "report.xlsx")
    assert rep.rows == 26 and rep.missing == []
    _, sections = _report_rows(rep.path)
    assert list(sections) == ["第1節", "第2節", "第3節", "第4節"]
    s1 = sections["第1節"]
    # title, subtitle and the header row of the seed's layout
    assert s1["A1"].value == sample["title"]
    assert s1["A2"].value == "(平成29年度進捗状況評価結果・第1～4節)"
    assert [s1.cell(4, c).value for c in range(1, 9)] == [
        "項 目", None, None, "計画", "H29実施内容", "評価", "理由・課題等", "H30計画内容"]
    # first item, as the staff typed it (full-width Ａ, spaces and CRLF normalised)
    assert [s1.cell(5, c).value for c in range(1, 9)] == [
        "第1節", "1", "①", "子ども未来応援センター(子育て世代包括支援センター)の設置",
        "平成29年10月に子ども未来応援センターを設置", "A", "センター機能の充実と支援体制の確立",
        "ネットワークの構築"]
    # 第4節 2 ① has three owners: three rows, 項目 and 計画 merged over them
    s4 = sections["第4節"]
    merged = {str(r) for r in s4.merged_cells.ranges}
    assert {"A9:A11", "B9:B11", "C9:C11", "D9:D11"} <= merged
    assert s4["E9"].value.startswith("「就学又は技能取得のための職業訓練")
    assert s4["E10"].value == "ハローワークと連携した情報提供"
    assert s4["E11"].value == "県で実施している職業訓練の講座等の配布及び案内をした"
    # print setup: A4 landscape, header repeated, fit to width
    assert s4.page_setup.orientation == "landscape"
    assert s4.page_setup.paperSize == 9
    assert s4.print_title_rows == "$4:$4"
    assert s4.sheet_properties.pageSetUpPr.fitToPage is True
    assert s4.page_setup.fitToWidth in (None, 1)  # 1 is the default and not written
    assert s4.page_setup.fitToHeight == 0


def test_same_file_twice_changes_nothing(ws, outbox, fill):
    path = fill(outbox["保育"], "保育")
    first = api.ingest(ws, [path])
    assert first.files[0].outcome == "accepted"
    before = master_snapshot(ws)
    again = api.ingest(ws, [path])
    assert again.files[0].outcome == "unchanged"
    assert master_snapshot(ws) == before


def test_resubmission_supersedes_and_keeps_history(ws, outbox, fill, tmp_path):
    v1 = fill(outbox["保育"], "保育", name="v1.xlsx")
    v2 = fill(outbox["保育"], "保育", {"4-2-1": {"result": "第2版の実施内容"}}, name="v2.xlsx")
    assert api.ingest(ws, [v1]).files[0].version == 1
    res = api.ingest(ws, [v2]).files[0]
    assert (res.outcome, res.version) == ("accepted", 2)
    conn = ws.connect()
    try:
        hist = conn.execute(
            "SELECT s.version, s.superseded_by IS NULL AS cur, v.value, v.cell, f.file_name "
            "FROM submissions s JOIN record_values v ON v.submission_id = s.id "
            "JOIN files f ON f.id = s.file_id "
            "WHERE v.item_key = '4-2-1' AND v.field = 'result' ORDER BY s.version").fetchall()
    finally:
        conn.close()
    assert [tuple(r) for r in hist] == [
        (1, 0, '"「就学又は技能取得のための職業訓練を受けている場合」については、保育を必要とする理由に'
               '該当するため、現状においても受入れ可能である"', "F5", "v1.xlsx"),
        (2, 1, '"第2版の実施内容"', "F5", "v2.xlsx"),
    ]
    rep = api.report(ws, "progress", YEAR, tmp_path / "r.xlsx")
    s4 = openpyxl.load_workbook(rep.path)["第4節"]
    assert s4["E9"].value == "第2版の実施内容"


def test_report_lists_missing_groups_and_marks_their_rows(ws, outbox, fill, tmp_path):
    api.ingest(ws, [fill(outbox["保育"], "保育")])
    rep = api.report(ws, "progress", YEAR, tmp_path / "r.xlsx")
    assert "保育" not in rep.missing and "応援センター" in rep.missing
    wb = openpyxl.load_workbook(rep.path)
    assert wb["第1節"]["E5"].value == "（未提出）子ども未来応援センターグループ"
    summary = wb["集計"]
    missing = [summary.cell(r, 1).value for r in range(1, summary.max_row + 1)]
    assert "応援センター" in missing and "保育" not in missing


def test_formula_like_text_stays_text_in_the_report(ws, outbox, fill, tmp_path):
    # typed as text (Excel: a leading apostrophe), so the workbook holds strings, not formulas
    path = fill(outbox["保育"], "保育")
    wb = openpyxl.load_workbook(path)
    sheet = wb["入力"]
    for ref, text in (("F5", "=1+1"), ("H5", "@SUM(A1)"), ("I5", "-引き続き実施")):
        sheet[ref].value = text
        sheet[ref].data_type = "s"
    wb.save(path)
    assert api.ingest(ws, [path]).files[0].outcome == "accepted"
    rep = api.report(ws, "progress", YEAR, tmp_path / "r.xlsx")
    s4 = openpyxl.load_workbook(rep.path)["第4節"]
    assert (s4["E9"].value, s4["E9"].data_type) == ("=1+1", "s")
    assert (s4["G9"].value, s4["G9"].data_type) == ("@SUM(A1)", "s")
    assert (s4["H9"].value, s4["H9"].data_type) == ("-引き続き実施", "s")
