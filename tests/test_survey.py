"""The third shipped form, survey (庁内照会「子どもの居場所・学習支援 実施状況調査」), through the
whole cycle as a clerk and staff meet it: plan → generate → fill (full-width digits, 和暦 dates,
1,200, ▲50, 158千円, an Excel date; one book with a blank required cell and a wrong choice) →
ingest (refused, at its cells) → feedback → fixed and sent again → status → report grouped by
部 with totals → export json with typed values."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api, demo
from fujimi_xl.cli import cli
from fujimi_xl.core.messages import text
from fujimi_xl.forms import check_form, find_form, load_form
from fujimi_xl.layouts.list.generator import ERROR_FILL, FEEDBACK_SHEET

from .conftest import master_snapshot

YEAR = 2023
COUNT_REQUIRED = ("実施の有無が「有」のため、実施回数の記入が必要です。"
                  "年度内に実施した回数を数字で記入してください。")


def test_the_survey_ships_and_its_definition_is_sound(run: Any) -> None:
    folder = find_form("survey")
    assert folder is not None and check_form(folder) == []
    form = load_form("survey")
    assert form.title == "子どもの居場所・学習支援 実施状況調査" and form.layout == "list"
    assert [(f.id, f.type) for f in form.input_fields] == [
        ("held", "choice"), ("count", "integer"), ("participants", "integer"),
        ("start", "date"), ("cost", "amount"), ("note", "text")]
    res = run("forms")
    assert res.exit_code == 0 and "survey" in res.output and "子どもの居場所" in res.output


@pytest.fixture
def cycle(tmp_path: Path) -> dict[str, Any]:
    """A workspace made from the survey's sample plan, its workbooks issued for 令和5年度."""
    plan = demo.write_sample_survey(tmp_path / "照会対象事業.xlsx")
    ws = api.init(tmp_path / "ws", plan, form="survey")
    issued = {group: path for group, path, _ in api.generate(ws, "survey", YEAR).files}
    return {"ws": ws, "issued": issued, "data": demo.sample_survey_data(), "tmp": tmp_path}


def answers_of(data: dict[str, Any], group: str) -> dict[str, dict[str, Any]]:
    owner = {str(p["no"]): p["group"] for p in data["programs"]}
    out = {k: dict(v) for k, v in data["responses"].items() if owner[k] == group}
    if "3" in out:  # an Excel date cell, as Excel stores a typed 2023/5/10
        out["3"]["start"] = dt.datetime(2023, 5, 10)
    return out


def fill_all(c: dict[str, Any], bad: dict[str, dict[str, Any]] | None = None) -> list[Path]:
    out = []
    for group, path in c["issued"].items():
        answers = answers_of(c["data"], group)
        if bad and group == "教育支援":
            answers = {k: {**v, **bad.get(k, {})} for k, v in answers.items()}
        out.append(demo.fill_list_workbook(path, "survey", YEAR, answers,
                                           c["tmp"] / "returned" / path.name, c["ws"].root))
    return out


def master(ws: Any) -> dict[str, dict[str, Any]]:
    df = api.frame(ws, "survey", YEAR)
    return {str(r["no"]): r for r in df.to_dict("records")}


def test_the_whole_cycle_of_the_survey(cycle: dict[str, Any]) -> None:
    ws, data = cycle["ws"], cycle["data"]
    assert sorted(cycle["issued"]) == sorted(
        ["応援センター", "こども育成", "子育て支援", "生活支援", "福祉政策", "教育支援"])
    (cycle["tmp"] / "returned").mkdir()

    # first return: 教育支援 leaves 実施回数 blank while 有, and types あり for a choice
    bad = data["first_return"]["responses"]
    assert bad == {"7": {"count": ""}, "8": {"held": "あり"}}
    first = api.ingest(ws, fill_all(cycle, bad))
    outcome = {Path(f.path).name: f.outcome for f in first.files}
    refused = [f for f in first.files if f.outcome == "rejected"]
    assert len(refused) == 1 and list(outcome.values()).count("accepted") == 5
    got = [(p.sheet, p.cell, p.code) for p in refused[0].problems]
    assert got == [("入力", "E5", "count_required"), ("入力", "D6", "not_in_scale")]
    assert [p.field for p in refused[0].problems] == ["実施回数", "実施の有無"]
    assert refused[0].problems[0].message() == COUNT_REQUIRED
    assert refused[0].problems[1].message() == text("not_in_scale", value="あり",
                                                    choices="有・無")
    before = master_snapshot(ws)
    assert "7" not in master(ws) or master(ws)["7"]["count"] is None

    # the feedback workbook: the two cells coloured and commented, listed with their messages
    fb = openpyxl.load_workbook(refused[0].feedback)
    listed = [tuple(fb[FEEDBACK_SHEET].cell(r, c).value for c in (1, 2, 3))
              for r in range(5, fb[FEEDBACK_SHEET].max_row + 1)]
    assert listed == [("入力!E5", "実施回数", COUNT_REQUIRED),
                      ("入力!D6", "実施の有無", text("not_in_scale", value="あり",
                                                    choices="有・無"))]
    assert fb["入力"]["E5"].fill.fgColor.rgb.endswith(ERROR_FILL.lstrip("#"))
    assert fb["入力"]["E5"].comment.text == COUNT_REQUIRED

    # fixed in the feedback workbook itself and sent again
    fixed = demo.fill_list_workbook(Path(refused[0].feedback), "survey", YEAR,
                                    answers_of(data, "教育支援"),
                                    cycle["tmp"] / "2回目_教育支援.xlsx", ws.root)
    again = api.ingest(ws, [fixed])
    assert [(f.outcome, f.problems) for f in again.files] == [("accepted", [])]
    assert master_snapshot(ws) != before
    st = api.status(ws, "survey", YEAR)
    assert [g.state for g in st.groups] == ["accepted"] * 6

    # typed values in the master: full-width digits, 1,200, ▲50, 158千円, 和暦 and Excel dates
    m = master(ws)
    assert {k: m[k]["count"] for k in "1234567"} == {
        "1": 24, "2": 190, "3": 48, "4": None, "5": 96, "6": 36, "7": 70}
    assert {k: m[k]["cost"] for k in ("1", "2", "3", "6", "8")} == {
        "1": 1200, "2": 1200, "3": 158, "6": -50, "8": 0}
    assert {k: m[k]["start"].date() for k in ("1", "2", "3", "5", "6")} == {
        "1": dt.date(2023, 4, 1), "2": dt.date(2023, 4, 3), "3": dt.date(2023, 5, 10),
        "5": dt.date(2023, 4, 1), "6": dt.date(2023, 6, 1)}
    assert m["1"]["participants"] == 1056 and m["8"]["held"] == "有"

    # the report: one sheet per 部 (in the plan's order), a subtotal per 部, the overall total
    rep = api.report(ws, "survey", YEAR).path
    wb = openpyxl.load_workbook(rep)
    assert wb.sheetnames == ["こども未来部", "健康福祉部", "教育委員会", "集計"]
    heads = {wb["こども未来部"].cell(4, c).value: c for c in range(1, 9)}
    count, people, cost = heads["実施回数"], heads["参加者数（延べ）"], heads["事業費（千円）"]

    def total_rows(sheet: Any) -> list[list[Any]]:
        return [[sheet.cell(r, c).value for c in (1, count, people, cost)]
                for r in range(5, sheet.max_row + 1)
                if str(sheet.cell(r, 1).value or "").startswith(("小計", "合計"))]

    assert total_rows(wb["こども未来部"]) == [["小計（こども未来部）", 262, 5088, 2558]]
    assert total_rows(wb["健康福祉部"]) == [["小計（健康福祉部）", 132, 1392, 3430]]
    assert total_rows(wb["教育委員会"]) == [["小計（教育委員会）", 90, 2980, 2640],
                                       ["合計", 484, 9460, 8628]]
    first_row = wb["こども未来部"]
    assert first_row.cell(5, count).value == 24
    assert first_row.cell(5, count).alignment.horizontal == "right"
    assert first_row.cell(5, heads["開始日"]).value == "令和5年4月1日"
    assert wb["健康福祉部"].cell(6, cost).value == -50
    # the summary sheet counts 有/無 per 部
    summary = wb["集計"]
    assert [summary.cell(4, c).value for c in range(1, 6)] == ["部", "有", "無", "未提出", "計"]
    assert [[summary.cell(r, c).value for c in range(1, 6)] for r in (5, 6, 7, 8)] == [
        ["こども未来部", 3, 1, 0, 4], ["健康福祉部", 2, 0, 0, 2], ["教育委員会", 2, 0, 0, 2],
        ["合計", 7, 1, 0, 8]]

    # the export: typed values (numbers as numbers, dates as ISO dates)
    out = api.export(ws, "survey", YEAR, cycle["tmp"] / "survey.json", fmt="json")
    rows = {r["事業番号"]: r for r in json.loads(out.read_text(encoding="utf-8"))["rows"]}
    assert rows["1"]["実施回数"] == 24 and rows["1"]["事業費（千円）"] == 1200
    assert rows["6"]["事業費（千円）"] == -50 and rows["3"]["開始日"] == "2023-05-10"
    assert rows["4"]["実施回数"] is None and rows["4"]["実施の有無"] == "無"
    assert rows["1"]["部"] == "こども未来部"


def test_a_group_by_typo_in_the_report_is_the_definitions_error(tmp_path: Path) -> None:
    """report.group_by "@departmant": named at its JSON path, with what is allowed."""
    src = find_form("survey")
    assert src is not None
    folder = tmp_path / "templates" / "survey"
    folder.mkdir(parents=True)
    raw = json.loads((src / "form.json").read_text(encoding="utf-8"))
    raw["report"]["group_by"] = "@departmant"
    (folder / "form.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    (folder / "schema.json").write_bytes((src / "schema.json").read_bytes())
    lines = [p.message() for p in check_form(folder)]
    assert len(lines) == 1
    assert lines[0].startswith(f"様式定義 {folder / 'form.json'} report.group_by: ")
    assert "@department" in lines[0]


def test_the_demo_runs_the_survey(tmp_path: Path) -> None:
    from click.testing import CliRunner

    res = CliRunner().invoke(cli, ["demo", str(tmp_path / "d"), "--no-pdf"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    out = res.output
    root = tmp_path / "d"
    assert f"庁内照会の対象事業(サンプル): {root / '照会対象事業_サンプル.xlsx'}" in out
    assert "庁内照会の様式を 6 件作成" in out
    assert "実施の有無が「有」のため、実施回数の記入が必要です。" in out
    report = root / "workspace" / "reports" / "令和5年度_子どもの居場所・学習支援 実施状況調査結果.xlsx"
    assert f"庁内照会の集計表（部別・合計つき）: {report}" in out
    assert report.is_file()
    assert f"庁内照会の書き出し（JSON）: {root / '照会結果_令和5年度.json'}" in out


@pytest.mark.libreoffice
def test_the_survey_report_prints_one_page_per_department_and_the_summary(
        cycle: dict[str, Any]) -> None:
    """The PDF (LibreOffice): a page per 部 (A4 landscape, fitted to the width), then 集計."""
    import re

    (cycle["tmp"] / "returned").mkdir()
    assert all(f.outcome == "accepted" for f in api.ingest(cycle["ws"], fill_all(cycle)).files)
    rep = api.report(cycle["ws"], "survey", YEAR, want_pdf=True)
    assert rep.pdf is not None and rep.pdf.is_file()
    pages = re.findall(rb"/Type\s*/Page[^s]", rep.pdf.read_bytes())
    assert len(pages) == 4


def test_a_clerk_copies_the_survey_into_a_workspace_and_uses_it(tmp_path: Path,
                                                                run: Any) -> None:
    """Data only, as the README's guide says: a copy of the survey in the workspace under a
    name of its own, checked, listed, its plan template filled in Excel, loaded, issued."""
    import shutil

    ws_root = tmp_path / "ws"
    assert run("init", ws_root).exit_code == 0
    src = find_form("survey")
    assert src is not None
    folder = ws_root / "templates" / "shoukai"
    shutil.copytree(src, folder)
    raw = json.loads((folder / "form.json").read_text(encoding="utf-8"))
    raw.update(name="shoukai", title="放課後の居場所調査")
    (folder / "form.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert run("form", "check", folder).exit_code == 0
    listed = run("forms", "-w", ws_root).output
    assert f"shoukai\t放課後の居場所調査\tlist\t作業フォルダ {folder}" in listed

    plan = tmp_path / "計画.xlsx"
    assert run("plan-template", plan, "--form", "放課後の居場所調査", "-w", ws_root).exit_code == 0
    wb = openpyxl.load_workbook(plan)
    assert [c.value for c in wb["計画"][1]] == ["事業番号", "事業名", "担当"]
    for row in ([1, "子ども食堂への運営支援", "応援"], [2, "放課後子ども教室", "教育"]):
        wb["計画"].append(row)
    for row in (["応援", "こども未来部", "子ども未来応援センターグループ"],
                ["教育", "教育委員会", "教育支援グループ"]):
        wb["担当一覧"].append(row)
    wb["設定"]["B1"], wb["設定"]["B2"] = "庁内照会", "富士見市"
    wb.save(plan)
    res = run("plan", plan, "-w", ws_root, "--form", "shoukai")
    assert res.exit_code == 0, res.output
    res = run("generate", "shoukai", "--year", YEAR, "-w", ws_root)
    assert res.exit_code == 0, res.output
    books = sorted((ws_root / "outbox" / str(YEAR) / "shoukai").glob("*.xlsx"))
    assert [b.name for b in books] == [
        "令和5年度_放課後の居場所調査_子ども未来応援センターグループ.xlsx",
        "令和5年度_放課後の居場所調査_教育支援グループ.xlsx"]
