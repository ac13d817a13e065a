"""The secretariat's second year: roll over, regenerate with last year's text, ingest, report."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.demo import fill_workbook

from .conftest import YEAR, master_snapshot

NEXT = YEAR + 1


def first_year(ws, outbox, fill):
    api.ingest(ws, [fill(p, g) for g, p in outbox.items()])


def test_rollover_carries_plan_result_and_grade_and_changes_nothing_old(ws, outbox, fill):
    first_year(ws, outbox, fill)
    before = master_snapshot(ws)
    res = api.rollover(ws, "progress", YEAR, NEXT)
    assert (res.carried, res.added, res.retired) == (26, [], [])
    assert master_snapshot(ws) == before  # nothing of the old year changes
    gen = api.generate(ws, "progress", NEXT, ["保育"])
    sheet = openpyxl.load_workbook(gen.files[0][1])["入力"]
    assert [sheet.cell(4, c).value for c in range(1, 13)] == [
        "管理番号", "節", "項", "号", "計画", "H30計画内容（前年度記入）", "H29実施内容", "H29評価",
        "H30実施内容", "評価", "理由・課題等", "H31計画内容"]
    assert sheet["F5"].value.startswith("引き続き、就学等を理由とする入所希望について")
    assert sheet["H5"].value == "A"
    assert all(sheet[f"{c}5"].protection.locked for c in "FGH")
    assert not any(sheet[f"{c}5"].protection.locked for c in "IJKL")


def test_second_year_round_trip_and_report_shows_the_carried_plan(ws, outbox, fill, tmp_path):
    first_year(ws, outbox, fill)
    api.rollover(ws, "progress", YEAR, NEXT)
    gen = api.generate(ws, "progress", NEXT, ["保育"])
    answers = {"4-2-1": {"result": "案内を継続した", "grade": "B", "reason": "空きが少ない",
                         "next_plan": "継続"}}
    path = fill_workbook(gen.files[0][1], answers, tmp_path / "y2.xlsx", messy=False)
    res = api.ingest(ws, [path]).files[0]
    assert res.outcome == "accepted", [(p.where(), p.code) for p in res.problems]
    conn = ws.connect()
    try:
        cell = conn.execute("SELECT cell FROM current_values WHERE year = ? AND field = 'grade'",
                            (NEXT,)).fetchone()["cell"]
    finally:
        conn.close()
    assert cell == "J5"  # found by its header, three columns to the right of last year's
    rep = api.report(ws, "progress", NEXT, tmp_path / "y2r.xlsx")
    s4 = openpyxl.load_workbook(rep.path)["第4節"]
    assert [s4.cell(4, c).value for c in range(4, 10)] == [
        "計画", "H30計画内容（前年度記入）", "H30実施内容", "評価", "理由・課題等", "H31計画内容"]
    assert s4["E9"].value.startswith("引き続き、就学等を理由とする入所希望について")
    assert s4["F9"].value == "案内を継続した"


def test_an_edited_reference_cell_is_refused_and_the_feedback_keeps_it(ws, outbox, fill,
                                                                       tmp_path):
    first_year(ws, outbox, fill)
    api.rollover(ws, "progress", YEAR, NEXT)
    gen = api.generate(ws, "progress", NEXT, ["保育"])
    answers = {"4-2-1": {"result": "x", "grade": "A", "reason": "", "next_plan": "y"}}
    path = fill_workbook(gen.files[0][1], answers, tmp_path / "edit.xlsx", messy=False)
    wb = openpyxl.load_workbook(path)
    wb["入力"]["H5"].value = "S"
    wb.save(path)
    res = api.ingest(ws, [path]).files[0]
    assert [(p.where(), p.code) for p in res.problems] == [("入力!H5", "locked_changed")]
    fixed = openpyxl.load_workbook(res.feedback)["入力"]
    assert fixed["H5"].value == "A" and fixed["F4"].value == "H30計画内容（前年度記入）"
    assert api.ingest(ws, [res.feedback]).files[0].outcome == "accepted"


def test_items_added_and_retired_in_the_plan(ws, outbox, fill, tmp_path):
    from fujimi_xl.core.model import PlanItem
    from fujimi_xl.store import transaction
    from fujimi_xl.store.plans import load_plan, save_plan

    first_year(ws, outbox, fill)
    conn = ws.connect()
    try:
        plan = load_plan(conn, "progress")
        plan.items = [it for it in plan.items if it.key != "2-2-1"]  # retired
        plan.items.append(PlanItem("2-3-1", "建築指導", {"section": 2, "item": 3, "number": 1,
                                                       "plan": "新しい取り組み"}))
        with transaction(conn):
            save_plan(conn, plan)
    finally:
        conn.close()
    res = api.rollover(ws, "progress", YEAR, NEXT)
    assert res.carried == 25
    assert res.added == ["2-3-1 建築指導"] and res.retired == ["2-2-1 福祉政策"]
    out = CliRunner().invoke(cli, ["rollover", "progress", "--from", "H29", "--to", "H30",
                                   "-w", str(ws.root)])
    assert out.exit_code == 0
    assert "平成29年度 → 平成30年度: 25 件を繰り越しました。" in out.output
    assert "新しい項目（前年度の記入なし）: 1 件: 2-3-1 建築指導" in out.output
