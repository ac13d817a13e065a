"""The action-plan input book and printed book follow the seed (000_…txt): DO as pairs of
取り組み / 状況 rows, ACTION grouped under its 課題 with the periods beneath; the input book has
what the list book has (required marks, a counter of empty required cells, a check cell per sum
rule, a dropdown for 課題番号); the printed book keeps one paper size and says which periods are
printed as typed."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from fujimi_xl import api
from fujimi_xl.demo import (
    fill_sheet_workbook,
    insert_rows_like_excel,
)
from fujimi_xl.layouts.sheet.sheet_extract import parse_ref

from . import hostile

YEAR = 2018
SHEET = "アクションプラン"


def ref(wb, name):
    """(first row, first col, last row, last col), 1-based, of a defined name."""
    _, r1, c1, r2, c2 = parse_ref(wb.defined_names[name].attr_text)
    return r1 + 1, c1 + 1, r2 + 1, c2 + 1


def stored(ap_ws, key, field):
    conn = ap_ws.connect()
    try:
        row = conn.execute("SELECT value FROM current_values WHERE form='action_plan' AND "
                           "item_key=? AND field=?", (key, field)).fetchone()
    finally:
        conn.close()
    return json.loads(row["value"])


def recalculated(path: Path, out_dir: Path) -> Path:
    """The workbook as LibreOffice saves it, every formula recalculated."""
    hostile.soffice_convert([path], "xlsx:Calc MS Excel 2007 XML", out_dir)
    return out_dir / path.name


# -- the input book: layout ------------------------------------------------------------------

def test_do_entries_are_pairs_of_action_and_status_rows(ap_outbox):
    wb = openpyxl.load_workbook(ap_outbox["1"])
    sheet = wb[SHEET]
    r1, _, r2, _ = ref(wb, "fx_l_do")
    assert (r2 - r1 + 1) % 2 == 0  # whole entries
    for top in range(r1, r2 + 1, 2):
        assert sheet.cell(top, 1).value is None  # 課題番号, to fill
        assert sheet.cell(top, 1).protection.locked is False
        assert sheet.cell(top + 1, 1).value == "状況"  # the caption of the status row
        assert sheet.cell(top + 1, 1).protection.locked is True
        assert sheet.cell(top, 2).protection.locked is False  # 取り組み
        assert sheet.cell(top + 1, 2).protection.locked is False  # 状況
    head = ref(wb, "fx_l_do_head")[0]
    assert sheet.cell(head, 1).value == "IIIと対応する課題"


def test_do_pairs_and_action_blocks_are_read_back(ap_ws, ap_outbox, ap_answers, tmp_path):
    a = dict(ap_answers["1"])
    # ACTION as on the seed: the 課題 written once, its periods on the rows beneath
    a["action"] = [["①", "平成30年度下半期", "・研修会の開催。"], ["", "平成31年度", "・年間を通じ開催。"],
                   ["", "平成32年度", "・引き続き開催。"], ["①", "平成30年度下半期", "・情報共有。"],
                   ["", "平成31年度", "・事業を実施する。"]]
    path = fill_sheet_workbook(ap_outbox["1"], a, tmp_path / "filled.xlsx")
    wb = openpyxl.load_workbook(path)
    r1 = ref(wb, "fx_l_do")[0]
    assert wb[SHEET].cell(r1 + 1, 2).value == a["do"][0][2]  # the status under its action
    res = api.ingest(ap_ws, [path]).files[0]
    assert res.outcome == "accepted", [(p.where(), p.code) for p in res.problems]
    do = stored(ap_ws, "1", "do")
    assert do[0] == {"issue": 1, "action": a["do"][0][1], "status": a["do"][0][2]}
    assert len(do) == 3
    action = stored(ap_ws, "1", "action")
    assert [(x["issue"], x["period"]) for x in action] == [
        (1, "平成30年度下半期"), (1, "平成31年度"), (1, "平成32年度"), (1, "平成30年度下半期"),
        (1, "平成31年度")]


def test_a_status_left_blank_is_refused_at_its_own_cell(ap_ws, ap_outbox, ap_answers, tmp_path):
    a = dict(ap_answers["3"])
    a["do"] = [[a["do"][0][0], a["do"][0][1], ""], *a["do"][1:]]
    path = fill_sheet_workbook(ap_outbox["3"], a, tmp_path / "filled.xlsx")
    wb = openpyxl.load_workbook(path)
    r1 = ref(wb, "fx_l_do")[0]
    res = api.ingest(ap_ws, [path]).files[0]
    assert res.outcome == "rejected"
    assert [(p.where(), p.code) for p in res.problems] == [(f"{SHEET}!B{r1 + 1}", "required")]


def test_a_do_pair_inserted_inside_the_list_is_read(ap_ws, ap_outbox, ap_answers, tmp_path):
    path = fill_sheet_workbook(ap_outbox["3"], ap_answers["3"], tmp_path / "filled.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet = wb[SHEET]
    r1 = ref(wb, "fx_l_do")[0]
    insert_rows_like_excel(wb, sheet, r1 + 2, 2)  # between the two entries
    sheet.cell(r1 + 2, 1).value = "②"
    sheet.cell(r1 + 2, 2).value = "挿入した取り組み"
    sheet.cell(r1 + 3, 1).value = "状況"  # a copied pair brings its caption along
    sheet.cell(r1 + 3, 2).value = "挿入した状況"
    wb.save(path)
    res = api.ingest(ap_ws, [path]).files[0]
    assert res.outcome == "accepted", [(p.where(), p.code) for p in res.problems]
    do = [(x["issue"], x["action"], x["status"]) for x in stored(ap_ws, "3", "do")]
    given = [(int("①②".index(i)) + 1, a, s) for i, a, s in ap_answers["3"]["do"]]
    assert do == [given[0], (2, "挿入した取り組み", "挿入した状況"), given[1]]


def test_issue_number_dropdown_is_fed_from_section_iii(ap_outbox):
    wb = openpyxl.load_workbook(ap_outbox["2"])  # program 2 has the issues ① and ②
    sheet = wb[SHEET]
    issues = ref(wb, "fx_l_issues")
    source = f"$A${issues[0]}:$A${issues[2]}"
    assert [sheet.cell(r, 1).value for r in range(issues[0], issues[2] + 1)] == ["①", "②"]
    lists = {lid: ref(wb, f"fx_l_{lid}") for lid in ("do", "check", "action")}
    fed = {}
    for dv in sheet.data_validations.dataValidation:
        if dv.type == "list" and dv.formula1 == source:
            for rng in dv.sqref.ranges:
                fed[rng.coord] = dv
    for lid, (r1, _, r2, _) in lists.items():
        step = 2 if lid == "do" else 1
        for r in range(r1, r2 + 1, step):
            assert f"A{r}" in fed, (lid, r)
            assert fed[f"A{r}"].showErrorMessage
    first_action = fed[f"A{lists['action'][0]}"]
    later_action = fed[f"A{lists['action'][0] + 1}"]
    assert first_action.prompt == "「Ⅲ. 課題」の番号を選んでください。"
    assert later_action.prompt == "「Ⅲ. 課題」の番号を選んでください。空欄は上の行と同じです。"


def test_sum_check_cells_hold_a_formula_per_year(ap_outbox):
    wb = openpyxl.load_workbook(ap_outbox["1"])
    sheet = wb[SHEET]
    total = {i: ref(wb, f"fx_f_total_{i}") for i in range(1, 5)}
    general = {i: ref(wb, f"fx_f_general_{i}") for i in range(1, 5)}
    specific = {i: ref(wb, f"fx_f_specific_{i}") for i in range(1, 5)}
    row = specific[1][0] + 1
    assert sheet.cell(row, 1).value == "一般＋特定＝総額の確認（○／×）"
    for i, col in zip(range(1, 5), (3, 5, 7, 9), strict=True):
        cell = sheet.cell(row, col)
        t = sheet.cell(*total[i][:2]).coordinate
        g = sheet.cell(*general[i][:2]).coordinate
        s = sheet.cell(*specific[i][:2]).coordinate
        def amount(ref):
            return f'VALUE(SUBSTITUTE(SUBSTITUTE(ASC({ref}),"▲","-"),"千円",""))'

        assert cell.value == (
            f'=IF(COUNTBLANK({t})+COUNTBLANK({g})+COUNTBLANK({s})>0,"",'
            f'IFERROR(IF(ROUND({amount(g)}+{amount(s)}-{amount(t)},6)=0,"○","×"),"？"))')
        assert cell.protection.locked is True
    hints = [dv for dv in sheet.data_validations.dataValidation
             if dv.promptTitle == "合計の確認"]
    assert hints and hints[0].prompt.startswith("○：内訳の合計が総額と一致しています。×：")


def test_required_cells_are_marked_yellow_while_blank(ap_outbox):
    wb = openpyxl.load_workbook(ap_outbox["1"])
    sheet = wb[SHEET]
    rules = {str(rng.sqref): [r for r in rng.rules] for rng in sheet.conditional_formatting}
    for fid in ("result_1", "kind_1", "total_1", "general_4", "specific_4", "next_budget"):
        r, c, _, _ = ref(wb, f"fx_f_{fid}")
        coord = sheet.cell(r, c).coordinate
        hit = [k for k in rules if k.split(":")[0] == coord]
        assert hit and rules[hit[0]][0].type == "containsBlanks", fid
        assert rules[hit[0]][0].dxf.fill.bgColor.rgb.endswith("FFF2CC")
    assert not any(k.split(":")[0] == "E7" for k in rules)  # a locked cell is not marked
    a1, _, _, _ = ref(wb, "fx_l_action")
    first = next(r for k, r in rules.items() if k == f"B{a1}:C{a1}")[0]  # 時期 of entry 1
    assert first.formula == [f"AND(TRUE,LEN(B{a1})=0)"]
    second = next(r for k, r in rules.items() if k == f"B{a1 + 1}:C{a1 + 1}")[0]
    assert second.formula == [f"AND(COUNTA($A${a1 + 1}:$J${a1 + 1})>0,LEN(B{a1 + 1})=0)"]
    # a 課題 left blank below the first ACTION row means "the same as above": not marked
    assert f"A{a1}" in rules and f"A{a1 + 1}" not in rules


def test_counter_of_blank_required_cells_at_the_top(ap_outbox):
    wb = openpyxl.load_workbook(ap_outbox["1"])
    sheet = wb[SHEET]
    formula = sheet["H2"].value
    assert formula.startswith('="未記入の必須欄："&(COUNTBLANK(')
    assert formula.count("COUNTBLANK(") == 20  # results, kinds, totals, funds, next budget
    assert formula.count("COUNTA(") == 3  # DO, CHECK, ACTION: no entry at all
    do = ref(wb, "fx_l_do")
    assert f"IF(COUNTA(B{do[0]}:B{do[2]})=0,1,0)" in formula  # not column A: 状況 is there
    assert sheet["H2"].value is not None


@pytest.mark.libreoffice
def test_sum_check_and_counter_after_a_fill(ap_ws, ap_outbox, ap_answers, tmp_path):
    a = {**ap_answers["2"], "specific_2": "500", "result_3": ""}
    path = fill_sheet_workbook(ap_outbox["2"], a, tmp_path / "filled.xlsx")
    fresh = recalculated(ap_outbox["2"], tmp_path / "fresh")
    saved = recalculated(path, tmp_path / "lo")
    wb = openpyxl.load_workbook(saved)
    values = openpyxl.load_workbook(saved, data_only=True)[SHEET]
    row = ref(wb, "fx_f_specific_1")[0] + 1
    assert [values.cell(row, c).value for c in (3, 5, 7, 9)] == ["○", "×", "○", "○"]
    assert values["H2"].value == "未記入の必須欄：1件"
    blank = openpyxl.load_workbook(fresh, data_only=True)[SHEET]
    assert [blank.cell(row, c).value for c in (3, 5, 7, 9)] == [None] * 4
    assert blank["H2"].value == "未記入の必須欄：23件"
    # the refusal says the same as the × did
    res = api.ingest(ap_ws, [path]).files[0]
    assert [p.code for p in res.problems] == ["required", "sum_mismatch"]


def test_feedback_book_shows_the_check_as_computed(ap_ws, ap_outbox, ap_answers, tmp_path):
    a = {**ap_answers["2"], "specific_2": "500"}
    res = api.ingest(ap_ws, [fill_sheet_workbook(ap_outbox["2"], a, tmp_path / "f.xlsx")]).files[0]
    assert res.outcome == "rejected"
    fb = openpyxl.load_workbook(res.feedback)
    row = ref(fb, "fx_f_specific_1")[0] + 1
    cached = openpyxl.load_workbook(res.feedback, data_only=True)[SHEET]
    assert [cached.cell(row, c).value for c in (3, 5, 7, 9)] == ["○", "×", "○", "○"]
    assert cached["H2"].value == "未記入の必須欄：0件"


# -- the printed book ------------------------------------------------------------------------

@pytest.fixture
def book(ap_ws, ap_outbox, ap_answers, tmp_path):
    files = [fill_sheet_workbook(ap_outbox[s], ap_answers[s], tmp_path / f"f{s}.xlsx")
             for s in ("1", "2", "3")]
    assert [f.outcome for f in api.ingest(ap_ws, files).files] == ["accepted"] * 3
    return openpyxl.load_workbook(api.report(ap_ws, "action_plan", YEAR, tmp_path / "b.xlsx").path)


def _merged(sheet, coord):
    for rng in sheet.merged_cells.ranges:
        c1, r1, _c2, _r2 = range_boundaries(str(rng))
        if sheet[coord].row == r1 and sheet[coord].column == c1:
            return str(rng)
    return coord


def test_action_rows_print_grouped_under_their_issue(book):
    p1 = book["1_居場所充実事業"]
    head = next(r for r in range(1, p1.max_row + 1)
                if p1.cell(r, 1).value == "IIIと対応する課題" and
                str(p1.cell(r, 2).value).startswith("時期"))
    rows = range(head + 1, head + 10)
    assert [p1.cell(r, 1).value for r in rows] == ["①", None, None] * 3
    assert [_merged(p1, f"A{r}") for r in (head + 1, head + 4, head + 7)] == [
        f"A{head + 1}:A{head + 3}", f"A{head + 4}:A{head + 6}", f"A{head + 7}:A{head + 9}"]
    assert [p1.cell(r, 2).value for r in rows] == ["平成30年度下半期", "平成31年度",
                                                   "平成32年度"] * 3


def test_do_prints_as_pairs(book):
    p2 = book["2_家庭学習応援事業"]
    top = next(r for r in range(1, p2.max_row + 1) if p2.cell(r, 1).value == "状況") - 1
    assert p2.cell(top, 1).value == "①"
    assert p2.cell(top, 2).value == "◆学習教室で家庭学習の課題を出し、取り組み状況を確認する。"
    assert p2.cell(top + 2, 1).value == "②" and p2.cell(top + 3, 1).value == "状況"
    assert _merged(p2, f"B{top + 1}") == f"B{top + 1}:J{top + 1}"


def test_one_paper_size_through_the_book(book):
    sizes = {s.title: (s.page_setup.paperSize, s.page_setup.fitToWidth or 1,
                       1 if s.page_setup.fitToHeight is None else s.page_setup.fitToHeight)
             for s in book.worksheets}
    assert all(s.sheet_properties.pageSetUpPr.fitToPage for s in book.worksheets)
    assert {int(v[0]) for v in sizes.values()} == {9}  # A4 everywhere, never A3 (8)
    p1 = book["1_居場所充実事業"]
    assert sizes[p1.title][1:] == (1, 0)  # too long for one page: fitted to the width
    assert p1.row_breaks.brk  # …and broken before a section, not inside it
    starts = {b.id + 1 for b in p1.row_breaks.brk}
    assert all(str(p1.cell(r, 1).value).startswith(("【", "Ⅰ", "Ⅱ", "Ⅲ")) for r in starts)
    assert sizes["2_家庭学習応援事業"][1:] == (1, 1)


def test_typed_periods_are_labelled_as_typed_beside_the_definitions_years(book):
    p1 = book["1_居場所充実事業"]
    cells = {c.value: c.coordinate for row in p1.iter_rows() for c in row if c.value}
    assert "時期（記入どおり）" in cells
    assert "2020(令和2年度)" in cells  # the year as the definition prints it
    assert "平成32年度" in cells  # the period as staff typed it, under the heading above
