"""The plan workbook: the template, reading it, and every refusal with its cell."""

from __future__ import annotations

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.core.errors import PlanError
from fujimi_xl.forms import load_form
from fujimi_xl.lifecycle.plan import read_plan

FORM = load_form("progress")
GROUPS = [("担当", "部", "グループ"), ("保育", "こども未来部", "保育グループ"),
          ("産業経済", "市民生活部", "産業経済グループ")]


def plan_book(path, rows, groups=GROUPS, header=("節", "項", "号", "計画", "担当")):
    wb = openpyxl.Workbook()
    wb.active.title = "計画"
    wb.active.append(list(header))
    for r in rows:
        wb.active.append(list(r))
    gs = wb.create_sheet("担当一覧")
    for g in groups:
        gs.append(list(g))
    st = wb.create_sheet("設定")
    st.append(["計画名", "テスト計画"])
    st.append(["市町村名", "富士見市"])
    wb.save(path)
    return path


def problems(exc):
    return [(p.sheet, p.cell, p.code) for p in exc.problems]


def test_template_has_sheets_headers_and_instructions(tmp_path):
    path = api.plan_template(tmp_path / "plan.xlsx", "progress")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["記入要領", "計画", "担当一覧", "設定"]
    assert [c.value for c in wb["計画"][1]] == ["節", "項", "号", "計画", "担当"]
    assert [c.value for c in wb["担当一覧"][1]] == ["担当", "部", "グループ", "メール"]
    assert "同じ節・項・号・計画の行を担当ごとに繰り返します" in "".join(
        str(c.value) for c in wb["記入要領"]["A"])


def test_read_plan_accepts_the_ways_people_write_numbers(tmp_path):
    path = plan_book(tmp_path / "p.xlsx", [
        ("第4節", "2", "①", "就労に向けた資格取得支援", "保育"),
        (None, None, None, None, "産業経済"),            # same item, another owner
        ("４", "２", "(2)", "別の項目", "保育"),          # full-width digits, (2)
        (None, 3, 1, "第4節3項1号", "産業経済"),          # 節 blank = same as above
    ])
    plan = read_plan(path, FORM)
    assert [(i.key, i.group, i.record["plan"]) for i in plan.items] == [
        ("4-2-1", "保育", "就労に向けた資格取得支援"),
        ("4-2-1", "産業経済", "就労に向けた資格取得支援"),
        ("4-2-2", "保育", "別の項目"),
        ("4-3-1", "産業経済", "第4節3項1号"),
    ]
    assert plan.title == "テスト計画" and plan.city == "富士見市"


def test_missing_column_is_refused_with_its_place(tmp_path):
    path = plan_book(tmp_path / "p.xlsx", [(1, 1, 1, "x")], header=("節", "項", "号", "計画"))
    with pytest.raises(PlanError) as exc:
        read_plan(path, FORM)
    assert problems(exc.value) == [("計画", "A1", "plan_column_missing")]
    assert exc.value.problems[0].message() == (
        "見出し「担当」の列がありません。ひな形の見出し行をそのまま使ってください。")


def test_unknown_group_duplicate_item_and_bad_number_each_name_their_cell(tmp_path):
    path = plan_book(tmp_path / "p.xlsx", [
        (1, 1, 1, "項目A", "保育"),
        (1, 1, 2, "項目B", "保育ぐるーぷ"),   # not on the group list
        (1, 1, 1, "項目A", "保育"),          # same item and owner twice
        ("一", 1, 3, "項目C", "保育"),        # 節 not a number
        (1, 1, 1, "違う文言", "産業経済"),     # same item, different plan text
    ])
    with pytest.raises(PlanError) as exc:
        read_plan(path, FORM)
    assert problems(exc.value) == [
        ("計画", "E3", "plan_unknown_group"),
        ("計画", "E4", "plan_duplicate_item"),
        ("計画", "A5", "plan_bad_number"),
        ("計画", "D6", "plan_plan_text_differs"),
    ]
    dup = exc.value.problems[1]
    assert dup.message() == "項目第1節 1 ①・担当「保育」が重複しています（計画!E2と同じ）。どちらかの行を削除してください。"


def test_init_refuses_a_bad_plan_and_creates_nothing(tmp_path):
    path = plan_book(tmp_path / "p.xlsx", [(1, 1, 1, "x", "誰か")])
    with pytest.raises(PlanError):
        api.init(tmp_path / "ws", path, "progress")
    assert not (tmp_path / "ws").exists()


def test_missing_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "計画"
    wb.save(tmp_path / "p.xlsx")
    with pytest.raises(PlanError) as exc:
        read_plan(tmp_path / "p.xlsx", FORM)
    assert [(p.code, p.params["expected"]) for p in exc.value.problems] == [
        ("plan_sheet_missing", "担当一覧")]


def test_duplicate_group_on_the_group_list(tmp_path):
    path = plan_book(tmp_path / "p.xlsx", [(1, 1, 1, "x", "保育")],
                     groups=[*GROUPS, ("保育", "こども未来部", "保育グループ")])
    with pytest.raises(PlanError) as exc:
        read_plan(path, FORM)
    assert problems(exc.value) == [("担当一覧", "A4", "plan_duplicate_group")]
