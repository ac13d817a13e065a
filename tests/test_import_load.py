"""import-report into a workspace: start from last year's table, and read our own report back."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli

from .conftest import YEAR, OtherMaster, master_snapshot


def section_cells(path):
    wb = openpyxl.load_workbook(path)
    return {name: [[c.value for c in row] for row in wb[name].iter_rows()]
            for name in wb.sheetnames if name.startswith("第")}


def test_report_import_report_gives_the_same_cells(ws, outbox, fill, tmp_path):
    api.ingest(ws, [fill(p, g, messy=True) for g, p in outbox.items()])
    first = api.report(ws, "progress", YEAR, tmp_path / "first.xlsx").path
    with OtherMaster():
        fresh = api.init(tmp_path / "fresh")  # a city starting from its table alone
        res = api.import_report(fresh, first, "progress")
        assert res.ok and (res.year, res.rows, res.created_plan) == (2017, 26, True)
        assert res.versions == 3  # 未割当1..3: the 4-2-1 item has three owners
        second = api.report(fresh, "progress", YEAR, tmp_path / "second.xlsx").path
        assert section_cells(second) == section_cells(first)
        assert api.verify(fresh).ok
    # and round again: the second report reads back to the same cells as well
    with OtherMaster():
        again = api.init(tmp_path / "again")
        api.import_report(again, second, "progress")
        third = api.report(again, "progress", YEAR, tmp_path / "third.xlsx").path
    assert section_cells(third) == section_cells(first)


def hand_typed(path):
    wb = openpyxl.Workbook()
    s = wb.active
    s.title = "進捗"
    rows = [
        ["夢つなぐ富士見プロジェクト+"], ["(平成29年度進捗状況評価結果)"], [],
        ["項 目", None, None, "計 画", "H29実施内容", "評価", "理由・課題等", "H30計画内容"],
        ["第１節", "1", "(1)", "子ども未来応援センター(子育て世代包括支援センター)の設置",
         "平成29年10月に設置", "Ａ", "", "ネットワークの構築"],
        [None, None, "2)", "子ども未来相談窓口の設置", "相談窓口を設置", "a", "", "周知"],
        ["第4節", "2", "①", "就労に向けた資格取得支援", "保育所の案内", "A", "", "継続"],
        [None, None, None, None, "ハローワークと連携", "A", "", "継続"],
        [None, None, None, None, "県の講座を案内", "b", "理由あり", "継続"],
    ]
    for r in rows:
        s.append(r)
    wb.save(path)
    return path


def test_hand_typed_table_goes_to_the_plan_owners_in_order(ws, tmp_path):
    res = api.import_report(ws, hand_typed(tmp_path / "hand.xlsx"), "progress")
    assert res.ok, [(p.where(), p.code) for p in res.problems]
    conn = ws.connect()
    try:
        got = {(r["group_code"], r["item_key"], r["field"]): (r["value"], r["cell"])
               for r in conn.execute("SELECT s.group_code, v.item_key, v.field, v.value, v.cell "
                                     "FROM current_values v JOIN submissions s "
                                     "ON s.id = v.submission_id WHERE v.field = 'result'")}
    finally:
        conn.close()
    # 4-2-1 belongs to 保育, 産業経済 and 子育て支援 in plan order
    assert got[("保育", "4-2-1", "result")] == ('"保育所の案内"', "E7")
    assert got[("産業経済", "4-2-1", "result")] == ('"ハローワークと連携"', "E8")
    assert got[("子育て支援", "4-2-1", "result")] == ('"県の講座を案内"', "E9")
    assert got[("応援センター", "1-1-2", "result")] == ('"相談窓口を設置"', "E6")


def test_a_row_with_no_owner_in_the_plan_refuses_the_whole_table(ws, tmp_path):
    path = hand_typed(tmp_path / "hand.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active.append([None, None, None, None, "4人目の担当", "A", "", "継続"])
    wb.save(path)
    before = master_snapshot(ws)
    res = api.import_report(ws, path, "progress")
    assert not res.ok
    assert [(p.where(), p.code) for p in res.problems] == [("進捗!A7", "import_not_in_plan")]
    assert master_snapshot(ws) == before


def test_import_report_command(tmp_path, ws, outbox, fill):
    api.ingest(ws, [fill(outbox["保育"], "保育")])
    first = api.report(ws, "progress", YEAR, tmp_path / "r.xlsx").path
    runner = CliRunner()
    with OtherMaster():
        assert runner.invoke(cli, ["init", str(tmp_path / "new")]).exit_code == 0
        res = runner.invoke(cli, ["import-report", str(first), "-w", str(tmp_path / "new"),
                                  "--form", "progress"])
        assert res.exit_code == 0, res.output
        assert "取り込みました: r.xlsx（2017年度、1 行、1 担当分）" in res.output
        assert "担当は「未割当1」「未割当2」… です" in res.output
        # the rows not yet returned are still items of the new plan, without values
        st = api.status(api.open_workspace(tmp_path / "new"), "progress", YEAR)
    assert sum(g.items for g in st.groups) == 26


def test_hand_typed_table_report_import_report_property(tmp_path):
    # the hand-typed table (blank 節 cells, (1) and 2) numbering, full-width digits, ａ/b
    # grades, a blank 計画 for a second owner) goes into a new workspace; its report read back
    # gives the same report again, cell for cell
    first_ws = api.init(tmp_path / "a")
    res = api.import_report(first_ws, hand_typed(tmp_path / "hand.xlsx"), "progress")
    assert res.ok and res.rows == 5 and res.created_plan
    first = api.report(first_ws, "progress", YEAR, tmp_path / "first.xlsx").path
    cells = section_cells(first)
    assert cells["第1節"][4][:6] == ["第1節", "1", "①",
                                     "子ども未来応援センター(子育て世代包括支援センター)の設置",
                                     "平成29年10月に設置", "A"]
    assert cells["第1節"][5][:6] == ["第1節", "1", "②", "子ども未来相談窓口の設置",
                                     "相談窓口を設置", "A"]
    assert [r[4] for r in cells["第4節"][4:7]] == ["保育所の案内", "ハローワークと連携",
                                                   "県の講座を案内"]
    with OtherMaster():
        second_ws = api.init(tmp_path / "b")
        assert api.import_report(second_ws, first, "progress").ok
        second = api.report(second_ws, "progress", YEAR, tmp_path / "second.xlsx").path
    assert section_cells(second) == cells
