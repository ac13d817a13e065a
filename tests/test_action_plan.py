"""The action-plan sheet: a form-style workbook on the same engine, round trip and printed book."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.core.messages import text
from fujimi_xl.demo import (
    fill_sheet_workbook,
    insert_rows_like_excel,
)
from fujimi_xl.output import pdf

from .conftest import master_snapshot

YEAR = 2018


def filled(ap_outbox, ap_answers, slot, tmp_path, **changes):
    a = {**ap_answers[slot], **changes}
    return fill_sheet_workbook(ap_outbox[slot], a, tmp_path / f"filled_{slot}.xlsx")


def test_round_trip_with_inserted_rows_and_full_width_numbers(ap_ws, ap_outbox, ap_answers, tmp_path):
    # program 1 has 9 ACTION rows: the list has 5, so staff insert 4 rows inside it;
    # program 2 types its budget as １，２００ and 1,200
    files = [filled(ap_outbox, ap_answers, s, tmp_path) for s in ("1", "2", "3")]
    res = api.ingest(ap_ws, files)
    assert [f.outcome for f in res.files] == ["accepted"] * 3, [
        [(p.where(), p.code) for p in f.problems] for f in res.files]
    conn = ap_ws.connect()
    try:
        stored = {(r["item_key"], r["field"]): (r["value"], r["cell"]) for r in conn.execute(
            "SELECT item_key, field, value, cell FROM current_values WHERE form='action_plan'")}
    finally:
        conn.close()
    assert stored[("2", "total_1")] == ("1200", "D21")
    assert stored[("1", "result_1")] == ('"-"', "D9")
    assert stored[("1", "action")][1] == "A49:J57"  # the list grew from 5 to 9 rows

    book = api.report(ap_ws, "action_plan", YEAR, tmp_path / "book.xlsx").path
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["一覧", "1_居場所充実事業", "2_家庭学習応援事業",
                             "3_子ども未来応援ネットワーク事業"]
    p1 = wb["1_居場所充実事業"]
    cells = {c.coordinate: c.value for row in p1.iter_rows() for c in row if c.value}
    assert cells["A4"] == "Ⅰ. 事業の基礎情報"
    assert cells["B5"] == "居場所充実事業"
    assert cells["H5"] == "こども未来部 こども育成グループ"
    assert cells["B10"] == "☑該当する　□該当しない"
    assert [cells[f"{c}17"] for c in "CEGI"] == [
        "2018(平成30年度)", "2019(平成31年度)", "2020(令和2年度)", "2021(令和3年度)"]
    assert [cells[f"{c}26"] for c in "CDEF"] == ["当初", "158", "見込", "158"]
    actions = [(p1[f"A{r}"].value, p1[f"B{r}"].value, p1[f"D{r}"].value) for r in range(45, 54)]
    assert actions[0] == ("①", "平成30年度下半期", "・地域の子どもに関わる大人向け研修会の開催。")
    assert actions[8] == (None, "平成32年度", "・引き続き、情報提供を行う。")  # under its 課題
    assert p1["D54"].value == "158" and p1["A54"].value == "平成31年度 事業費予算"
    p2 = wb["2_家庭学習応援事業"]
    assert [p2[f"{c}21"].value for c in "CDEF"] == ["当初", "1,200", "見込", "1,200"]
    overview = wb["一覧"]
    assert [overview.cell(5, c).value for c in range(1, 14)] == [
        "2", "家庭学習応援事業", "教育委員会 教育支援グループ", "家庭学習応援事業の参加者の出席率",
        "90", "92", "95", "40%", "1200（当初）", "1200（見込）", "1200（見込）", "1200（見込）",
        "提出済"]


def test_budget_that_does_not_add_up_names_the_three_cells(ap_ws, ap_outbox, ap_answers, tmp_path):
    before = master_snapshot(ap_ws)
    path = filled(ap_outbox, ap_answers, "2", tmp_path, specific_2="500")
    res = api.ingest(ap_ws, [path]).files[0]
    assert res.outcome == "rejected"
    assert [(p.where(), p.code) for p in res.problems] == [("アクションプラン!F21", "sum_mismatch")]
    p = res.problems[0]
    assert p.params["cells"] == "F21・E22・E23"
    assert p.message() == (
        "一般財源（2年目）（E22: 600）＋特定財源（2年目）（E23: 500）＝1100 が"
        "事業費総額（2年目）（F21: 1200）と一致しません（F21・E22・E23）。金額を見直してください。")
    assert master_snapshot(ap_ws) == before
    # the feedback workbook marks all three cells, and once fixed it is accepted
    fb = openpyxl.load_workbook(res.feedback)["アクションプラン"]
    marked = sorted(c.coordinate for row in fb.iter_rows() for c in row if c.comment)
    assert marked == ["E22", "E23", "F21"]
    fixed = fill_sheet_workbook(Path(res.feedback), ap_answers["2"], tmp_path / "fixed.xlsx")
    assert api.ingest(ap_ws, [fixed]).files[0].outcome == "accepted"


def test_value_rules(ap_ws, ap_outbox, ap_answers, tmp_path):
    path = filled(ap_outbox, ap_answers, "3", tmp_path, result_2="たくさん", total_3="五百",
                  action=[["⑨", "平成31年度", "x"], ["②", "来年度", "y"], ["①", "", "z"]])
    res = api.ingest(ap_ws, [path]).files[0]
    got = [(p.where(), p.field, p.code) for p in res.problems]
    assert got == [
        ("アクションプラン!F9", "実績値（2年目）", "type_unreadable"),
        ("アクションプラン!H21", "事業費総額（3年目）", "type_unreadable"),
        ("アクションプラン!B45", "時期", "wrong_type"),
        ("アクションプラン!B46", "時期", "required"),
        ("アクションプラン!A44", "IIIと対応する課題", "bad_issue_ref"),
    ]
    assert res.problems[-1].message() == text("bad_issue_ref", value="⑨", choices="①・②")
    # a type's refusal says the kind of value in words, with examples (issue 13)
    assert res.problems[1].message() == (
        "「五百」は金額（千円）として読めません。1,200、▲50、158千円のように記入してください。")


def test_negative_amounts_with_triangle_and_units(ap_ws, ap_outbox, ap_answers, tmp_path):
    path = filled(ap_outbox, ap_answers, "3", tmp_path, total_4="▲100", general_4="▲１００",
                  specific_4="0", next_budget="500千円")
    res = api.ingest(ap_ws, [path]).files[0]
    assert res.outcome == "accepted", [(p.where(), p.code) for p in res.problems]


def test_locked_cell_edited_is_refused(ap_ws, ap_outbox, ap_answers, tmp_path):
    path = filled(ap_outbox, ap_answers, "1", tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["アクションプラン"]["B5"].value = "別の事業名"
    wb["アクションプラン"]["B15"].value = "勝手に書き換えた課題"
    wb.save(path)
    res = api.ingest(ap_ws, [path]).files[0]
    assert [(p.where(), p.code) for p in res.problems] == [
        ("アクションプラン!B5", "locked_changed"), ("アクションプラン!B15", "locked_changed")]
    assert res.problems[1].params["expected"].startswith("身近な場所で、子育て中の親子や児童")


def test_inserted_row_inside_a_list_is_read_not_lost(ap_ws, ap_outbox, ap_answers, tmp_path):
    wb = openpyxl.load_workbook(ap_outbox["3"])
    sheet = wb["アクションプラン"]
    insert_rows_like_excel(wb, sheet, 30, 2)  # two rows inside the DO list
    path = tmp_path / "inserted.xlsx"
    wb.save(path)
    a = dict(ap_answers["3"])
    a["do"] = [*a["do"], ["①", "追加した取り組み", "挿入した行に書いた状況"]]
    fill_sheet_workbook(path, a, path)
    res = api.ingest(ap_ws, [path]).files[0]
    assert res.outcome == "accepted", [(p.where(), p.code) for p in res.problems]
    conn = ap_ws.connect()
    try:
        value = conn.execute("SELECT value FROM current_values WHERE item_key='3' AND "
                             "field='do'").fetchone()["value"]
    finally:
        conn.close()
    assert "挿入した行に書いた状況" in value


def test_regenerated_workbook_is_prefilled_from_the_last_accepted_version(ap_ws, ap_outbox, ap_answers,
                                                                          tmp_path):
    api.ingest(ap_ws, [filled(ap_outbox, ap_answers, "2", tmp_path)])
    again = api.generate(ap_ws, "action_plan", YEAR, ["教育支援"], reissue=True)
    sheet = openpyxl.load_workbook(again.files[0][1])["アクションプラン"]
    assert sheet["D21"].value == "1200"
    assert sheet["D9"].value == "92"
    assert sheet["B28"].value == "◆学習教室で家庭学習の課題を出し、取り組み状況を確認する。"


def test_status_lists_programs(ap_ws, ap_outbox, ap_answers, tmp_path):
    api.ingest(ap_ws, [filled(ap_outbox, ap_answers, "1", tmp_path)])
    st = api.status(ap_ws, "action_plan", YEAR)
    assert [(g.slot, g.label, g.state) for g in st.groups] == [
        ("1", "居場所充実事業", "accepted"), ("2", "家庭学習応援事業", "missing"),
        ("3", "子ども未来応援ネットワーク事業", "missing")]


@pytest.mark.libreoffice
def test_book_prints_on_a4_only_a_long_program_over_two_pages(ap_ws, ap_outbox, ap_answers, tmp_path):
    api.ingest(ap_ws, [filled(ap_outbox, ap_answers, s, tmp_path) for s in ("1", "2", "3")])
    book = api.report(ap_ws, "action_plan", YEAR, tmp_path / "book.xlsx").path
    out = pdf.to_pdf(book)
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    # the list, then one page per program, the longest fitted to A4's width over two A4
    # pages (one paper size through the book, never A3)
    assert "Pages:           5" in info
    assert "A3" not in subprocess.run(["pdfinfo", "-f", "1", "-l", "5", str(out)],
                                      capture_output=True, text=True).stdout


def test_program_names_that_excel_cannot_use_as_sheet_names_are_warned(ap_ws, tmp_path):
    from fujimi_xl.layouts import layout

    used = {"一覧"}
    wanted = "4_子ども[食堂]/学習支援?事業:令和の新しい取り組みと地域の連携"  # 34 characters
    name, warning = layout.sheet_name(wanted, used)
    assert name == "4_子ども_食堂__学習支援_事業_令和の新しい取り組みと地域"
    assert len(name) == 31
    assert warning.startswith(f"シート名「{wanted}」は Excel で使えないため「{name}」にしました")
    again, _ = layout.sheet_name(wanted, used)  # the same name twice stays unique
    assert again == "4_子ども_食堂__学習支援_事業_令和の新しい取り組み(2)"
    long, cut = layout.cell_text("あ" * 40000)
    assert len(long) == 32767 and long.endswith("…（以下省略）") and "40000文字" in cut
