"""Forms a new secretariat user defined from the README alone (issue 13's last line): each
defect found by running them through generate → fill (openpyxl, as staff err) → ingest →
report → export, with the small form defined inline. Every test here failed before its fix."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.core.errors import PlanError

from .conftest import OtherMaster, master_snapshot, write_form, write_plan

SCHEMA_URL = "https://json-schema.org/draft/2020-12/schema"
YEAR = 2023

# -- a budget form: a key of two parts, the first shown as 「1款」 -------------------------------

BUDGET_FORM: dict[str, Any] = {
    "name": "nb", "version": 1, "title": "予算執行状況", "layout": "list", "input_sheet": "入力",
    "key": ["kan", "jigyo"],
    "fields": [
        {"id": "kan", "label": "款", "role": "key", "display": "{n}款", "width": 6},
        {"id": "jigyo", "label": "事業", "role": "key", "display": "{n}", "width": 5},
        {"id": "jname", "label": "事業名", "role": "locked", "width": 20},
        {"id": "yosan", "label": "予算額", "role": "input", "type": "amount", "width": 10},
        {"id": "biko", "label": "説明", "role": "input", "type": "lines", "width": 20},
    ],
    "instructions": ["{group} の{year_long}の予算執行状況です。"],
    "report": {"group_by": "kan", "columns": ["kan", "jigyo", "jname", "yosan", "biko"],
               "totals": ["yosan"]},
}
BUDGET_SCHEMA: dict[str, Any] = {
    "$schema": SCHEMA_URL, "type": "object",
    "properties": {"kan": {"type": "integer", "minimum": 1, "maximum": 20},
                   "jigyo": {"type": "integer", "minimum": 1, "maximum": 99},
                   "jname": {"type": "string"}, "yosan": {"type": "number", "minimum": 0},
                   "biko": {"type": "string"}},
    "required": ["kan", "jigyo", "jname", "yosan"], "additionalProperties": False,
}
# the 入力 sheet: 管理番号, then the fields in order; items from row 5
BUDGET_COL = {"kan": "B", "jigyo": "C", "jname": "D", "yosan": "E", "biko": "F"}


def budget_ws(tmp_path: Path, plan_rows: list[list[Any]] | None = None) -> Any:
    ws = api.init(tmp_path / "ws")
    write_form(ws.root, BUDGET_FORM, BUDGET_SCHEMA)
    rows = plan_rows or [["1款", 1, "庁舎管理", "総務"], [None, 2, "職員研修", "総務"],
                         ["２款", 1, "財政調整", "総務"]]
    api.load_plan(ws, write_plan(tmp_path / "plan.xlsx", ["款", "事業", "事業名"], rows), "nb")
    return ws


def fill(src: Path, out: Path, values: dict[int, dict[str, Any]]) -> Path:
    wb = openpyxl.load_workbook(src)
    sheet = wb["入力"]
    for row, change in values.items():
        for fid, v in change.items():
            sheet[f"{BUDGET_COL[fid]}{row}"].value = v
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def accepted(ws: Any, path: Path) -> Any:
    result = api.ingest(ws, [path]).files[0]
    assert result.outcome == "accepted", [(p.cell, p.message()) for p in result.problems]
    return result


def test_a_key_shown_with_a_suffix_of_the_form_is_read_back(tmp_path):
    """A key displayed "{n}款": the plan may say 「2款」 as the book shows it, the issued
    book's locked 「1款」 is read back as 1 (it was refused at a cell staff cannot change, as
    「」は整数として読めません), and the report and export show 1款 again."""
    ws = budget_ws(tmp_path)
    book = api.generate(ws, "nb", YEAR).files[0][1]
    sheet = openpyxl.load_workbook(book)["入力"]
    assert [sheet[f"B{r}"].value for r in (5, 6, 7)] == ["1款", "1款", "2款"]
    filled = fill(book, tmp_path / "back" / "b.xlsx",
                  {5: {"yosan": "1,200"}, 6: {"yosan": "▲0"}, 7: {"yosan": "１５８千円"}})
    accepted(ws, filled)
    df = api.frame(ws, "nb", YEAR)
    assert df["yosan"].tolist() == [1200, 0, 158]
    out = api.export(ws, "nb", YEAR, tmp_path / "x.csv", "csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r[:2] for r in rows[1:]] == [["1款", "1"], ["1款", "2"], ["2款", "1"]]


def test_a_refused_book_keeps_its_key_cells_in_the_feedback_workbook(tmp_path):
    ws = budget_ws(tmp_path)
    book = api.generate(ws, "nb", YEAR).files[0][1]
    filled = fill(book, tmp_path / "back" / "b.xlsx",
                  {5: {"yosan": "abc"}, 6: {"yosan": 1}, 7: {"yosan": 2}})
    before = master_snapshot(ws)
    result = api.ingest(ws, [filled]).files[0]
    assert result.outcome == "rejected"
    assert [(p.cell, p.code) for p in result.problems] == [("E5", "type_unreadable")]
    assert master_snapshot(ws) == before
    fb = openpyxl.load_workbook(result.feedback)["入力"]
    assert [fb[f"B{r}"].value for r in (5, 6, 7)] == ["1款", "1款", "2款"]
    assert fb["E5"].comment is not None


def test_a_plan_key_not_written_as_the_form_shows_it_is_refused_at_its_cell(tmp_path):
    with pytest.raises(PlanError) as exc:
        budget_ws(tmp_path, [["1款", 1, "庁舎管理", "総務"], ["二款", 1, "財政調整", "総務"]])
    assert [(p.cell, p.code, p.message()) for p in exc.value.problems] == [
        ("A3", "plan_bad_number", "「二款」は款として読めません。1款の形で記入してください。")]


def test_export_keeps_a_lines_field(tmp_path):
    """A `lines` field (text with line breaks) was left out of every export format."""
    ws = budget_ws(tmp_path)
    book = api.generate(ws, "nb", YEAR).files[0][1]
    accepted(ws, fill(book, tmp_path / "back" / "b.xlsx",
                      {5: {"yosan": 1, "biko": "一行目\n二行目"}, 6: {"yosan": 2},
                       7: {"yosan": 3}}))
    out = api.export(ws, "nb", YEAR, tmp_path / "x.csv", "csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert "説明" in rows[0]
    data = json.loads(api.export(ws, "nb", YEAR, tmp_path / "x.json", "json")
                      .read_text("utf-8"))
    assert [r["説明"] for r in data["rows"]] == ["一行目\n二行目", "", ""]


def test_an_amount_in_yen_is_not_read_as_thousands(tmp_path):
    """「1,200円」 in a 千円 field was stored as 1,200 (千円): a thousand times too much."""
    ws = budget_ws(tmp_path)
    book = api.generate(ws, "nb", YEAR).files[0][1]
    filled = fill(book, tmp_path / "back" / "b.xlsx",
                  {5: {"yosan": "1,200円"}, 6: {"yosan": "158千円"}, 7: {"yosan": 3}})
    before = master_snapshot(ws)
    result = api.ingest(ws, [filled]).files[0]
    assert result.outcome == "rejected"
    assert [(p.sheet, p.cell, p.code, p.message()) for p in result.problems] == [
        ("入力", "E5", "type_unreadable",
         "「1,200円」は金額（千円）として読めません。1,200、▲50、158千円のように記入してください。")]
    assert master_snapshot(ws) == before


# -- broken definitions: one Japanese line naming the file and the JSON path ---------------------

def invoke(*args: Any) -> Any:
    return CliRunner(env={"FUJIMI_LANG": ""}).invoke(cli, [str(a) for a in args],
                                                     catch_exceptions=False)


def check_lines(folder: Path) -> list[str]:
    res = invoke("form", "check", folder)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    out = res.output.splitlines()
    assert out[-1] == f"様式定義 {folder} に{len(out) - 1}件の問題があります。"
    return out[:-1]


def budget_def(tmp_path: Path, change: Any, name: str = "nb") -> Path:
    form, schema = json.loads(json.dumps(BUDGET_FORM)), json.loads(json.dumps(BUDGET_SCHEMA))
    change(form, schema)
    folder = tmp_path / "ws" / "templates" / name
    folder.mkdir(parents=True)
    (folder / "form.json").write_text(json.dumps(form, ensure_ascii=False), "utf-8")
    (folder / "schema.json").write_text(json.dumps(schema), "utf-8")
    return folder


def test_a_total_of_a_text_field_is_refused(tmp_path):
    """It was accepted, and the report printed 0 as the 小計 of 事業名."""
    folder = budget_def(tmp_path, lambda f, s: f["report"].update(totals=["jname", "yosan"]))
    assert check_lines(folder) == [
        f"様式定義 {folder / 'form.json'} report.totals[0]: 「jname」は数値の項目ではないため"
        "合計できません。totals には type が integer・number・amount の項目を書いてください: yosan"]


def test_a_date_style_as_the_format_of_a_number_is_refused(tmp_path):
    """"format": "wareki" on an amount was accepted, and the report printed ###."""
    def change(f: dict[str, Any], s: dict[str, Any]) -> None:
        f["fields"][3]["format"] = "wareki"
    folder = budget_def(tmp_path, change)
    assert check_lines(folder) == [
        f"様式定義 {folder / 'form.json'} fields[3].format: 「wareki」は日付の書き方のため、amount の"
        "項目の format には使えません。Excel の表示形式（例: #,##0、0.0）を書くか、format を消して"
        "ください。"]


def test_a_number_format_for_a_date_is_refused(tmp_path):
    def change(f: dict[str, Any], s: dict[str, Any]) -> None:
        f["fields"].append({"id": "day", "label": "日付", "role": "input", "type": "date",
                            "format": "#,##0"})
        s["properties"]["day"] = {"type": "string"}
    folder = budget_def(tmp_path, change)
    assert check_lines(folder) == [
        f"様式定義 {folder / 'form.json'} fields[5].format: 「#,##0」は日付の項目の format に使えません。"
        "wareki / iso / slash のどれか、または Excel の日付の表示形式（例: yyyy/m/d）を書いて"
        "ください。"]


def test_form_check_lists_a_rule_typo_beside_another_problem(tmp_path):
    """With the form's name unlike its folder, the typo in a rule was not listed until the
    name was fixed (one `form check` should list everything)."""
    def change(f: dict[str, Any], s: dict[str, Any]) -> None:
        f["rules"] = [{"type": "compare", "field": "yosan", "op": ">=", "value": 0},
                      {"type": "unique", "field": "jnam"}]
    folder = budget_def(tmp_path, change, name="nb2")
    out = check_lines(folder)
    assert out[0] == (f"様式定義 {folder / 'form.json'} name: 様式名「nb」がフォルダ名「nb2」と違います。"
                      "同じ名前にしてください。")
    assert out[1].startswith(f"様式定義 {folder / 'form.json'} の rules[1].field: 「jnam」という項目は"
                             "この様式にありません。")
    assert len(out) == 2


def test_an_empty_list_of_values_of_a_rule_is_refused(tmp_path):
    """"unless_in": [] was accepted and made the field required whenever the other field was
    filled: the opposite of what the clerk meant."""
    def change(f: dict[str, Any], s: dict[str, Any]) -> None:
        f["rules"] = [{"type": "required_unless", "field": "biko", "unless_field": "jname",
                       "unless_in": []}]
    folder = budget_def(tmp_path, change)
    assert check_lines(folder) == [
        f"様式定義 {folder / 'form.json'} の rules[0].unless_in: 「[]」は使えません。"
        "使える値: 値の一覧（例: [\"A\"]）"]


def test_a_key_shown_with_a_prefix_is_read_in_either_case(tmp_path):
    """A key displayed "U-{n}": the plan's 「u-3」 is unit 3, as 「U-3」 is."""
    form = json.loads(json.dumps(BUDGET_FORM))
    form["fields"][0]["display"] = "U-{n}"
    ws = api.init(tmp_path / "ws")
    write_form(ws.root, form, BUDGET_SCHEMA)
    plan = write_plan(tmp_path / "plan.xlsx", ["款", "事業", "事業名"],
                      [["U-1", 1, "a", "総務"], ["u-3", 1, "b", "総務"]])
    loaded = api.load_plan(ws, plan, "nb")
    assert [it.key for it in loaded.items] == ["1-1", "3-1"]


# -- a sheet form: one workbook per training, a date, a count, a cost, a log of rows -------------

TRAINING_FORM: dict[str, Any] = {
    "name": "nt", "version": 1, "title": "研修実施報告", "layout": "sheet", "unit": "item",
    "input_sheet": "報告", "key": ["no"], "roles": {"title": "title"},
    "fields": [
        {"id": "no", "label": "研修番号", "role": "key", "display": "{n}", "width": 8},
        {"id": "title", "label": "研修名", "role": "locked", "width": 30},
        {"id": "goals", "label": "到達目標", "role": "locked", "type": "lines", "width": 40},
        {"id": "held_on", "label": "実施日", "role": "input", "type": "date",
         "format": "wareki"},
        {"id": "count", "label": "受講者数", "role": "input", "type": "integer"},
        {"id": "cost", "label": "経費（千円）", "role": "input", "type": "amount"},
        {"id": "log", "label": "実施記録", "role": "input", "type": "list"},
    ],
    "lists": {
        "goals": {"source": "goals", "role": "locked", "columns": [
            {"id": "no", "label": "番号", "type": "issue_no", "span": 1},
            {"id": "text", "label": "到達目標", "span": 3}]},
        "log": {"role": "input", "spare": 2, "columns": [
            {"id": "goal", "label": "目標番号", "type": "issue_no", "span": 1},
            {"id": "text", "label": "内容", "span": 3}]},
    },
    "sheet": {"columns": [10, 10, 10, 10], "rows": [
        [{"heading": "1. 研修の概要"}],
        [{"label": "研修名"}, {"field": "title", "span": 3}],
        [{"label": "実施日"}, {"field": "held_on"}, {"label": "受講者数"}, {"field": "count"}],
        [{"label": "経費（千円）"}, {"field": "cost"}],
        [{"heading": "2. 到達目標"}],
        [{"list": "goals"}],
        [{"heading": "3. 実施記録"}],
        [{"list": "log"}]]},
    "rules": [{"type": "list_ref", "list": "log", "column": "goal", "target": "goals"}],
    "instructions": ["{group} の「{program_name}」の報告です。"],
}
TRAINING_SCHEMA: dict[str, Any] = {
    "$schema": SCHEMA_URL, "type": "object",
    "properties": {"no": {"type": "integer"}, "title": {"type": "string"},
                   "goals": {"type": "array"}, "held_on": {"type": "string"},
                   "count": {"type": "integer", "minimum": 1, "maximum": 500},
                   "cost": {"type": "number", "minimum": 0}, "log": {"type": "array"}},
    "required": ["no", "title", "held_on", "count"], "additionalProperties": False,
}


def training_ws(tmp_path: Path) -> tuple[Any, Path]:
    ws = api.init(tmp_path / "ws")
    write_form(ws.root, TRAINING_FORM, TRAINING_SCHEMA)
    plan = write_plan(tmp_path / "plan.xlsx", ["研修番号", "研修名", "到達目標"],
                      [[1, "新任職員研修", "①組織を理解する\n②接遇の基本", "総務"]])
    api.load_plan(ws, plan, "nt")
    return ws, api.generate(ws, "nt", YEAR).files[0][1]


def named(wb: Any, name: str) -> tuple[str, str]:
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return sheet, ref.replace("$", "").split(":")[0]


def validations(book: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(book)
    sheet = wb["報告"]
    return {str(rng): dv for dv in sheet.data_validations.dataValidation
            for rng in dv.sqref.ranges}


def test_typed_cells_of_a_sheet_form_get_their_validation(tmp_path):
    """A date, a count and an amount of a sheet form got the text-length check of a text
    cell (「32767文字以内で記入してください。」) instead of their type's validation and hint."""
    _, book = training_ws(tmp_path)
    wb = openpyxl.load_workbook(book)
    dvs = validations(book)
    cells = {fid: named(wb, f"fx_f_{fid}")[1] for fid in ("held_on", "count", "cost")}
    kinds = {fid: (dvs[c].type, dvs[c].formula1, dvs[c].formula2) for fid, c in cells.items()}
    assert kinds["count"] == ("whole", "1", "500")
    assert kinds["cost"][:2] == ("decimal", "0")
    assert kinds["held_on"][0] == "date"
    assert "千円単位の金額を記入してください" in dvs[cells["cost"]].prompt
    assert all("32767" not in (dvs[c].error or "") for c in cells.values())


def test_a_list_reference_dropdown_names_the_list_it_refers_to(tmp_path):
    """The dropdown of a column referring to another list said 「Ⅲの課題の番号を選んで
    ください。」 (the action plan's section) in every form."""
    _, book = training_ws(tmp_path)
    wb = openpyxl.load_workbook(book)
    first = named(wb, "fx_l_log")[1]
    dv = validations(book)[first]
    assert dv.type == "list"
    assert dv.prompt == "「2. 到達目標」の番号を選んでください。"
    assert dv.error == "「2. 到達目標」の番号（一覧にある番号）を選んでください。"


def test_a_sheet_report_prints_dates_in_their_style_and_numbers_as_numbers(tmp_path):
    """The printed page showed 2023-04-03 for a date whose format is wareki, 1200 for an
    amount, and named the item 「事業番号」 whatever the form calls it."""
    ws, book = training_ws(tmp_path)
    wb = openpyxl.load_workbook(book)
    sheet = wb["報告"]
    values = {"held_on": "令和5年4月3日", "count": "１２０", "cost": "1,200"}
    for fid, v in values.items():
        sheet[named(wb, f"fx_f_{fid}")[1]].value = v
    top = sheet[named(wb, "fx_l_log")[1]].row
    sheet.cell(top, 1).value, sheet.cell(top, 2).value = "②", "接遇演習"
    out = tmp_path / "back" / "1.xlsx"
    out.parent.mkdir()
    wb.save(out)
    accepted(ws, out)
    report = openpyxl.load_workbook(api.report(ws, "nt", YEAR, tmp_path / "r.xlsx").path)
    page = report[report.sheetnames[1]]
    cells = {c.value for row in page.iter_rows() for c in row if c.value}
    assert {"令和5年4月3日", "120", "1,200"} <= cells
    assert "2023-04-03" not in cells and "1200" not in cells
    assert page["A2"].value == "研修番号 1\u3000担当：総務部 総務グループ"
    overview = report[report.sheetnames[0]]
    assert [overview["A3"].value, overview["B3"].value] == ["研修番号", "研修名"]
    # the action plan's indicator columns (指標名 … 達成率): not printed for a form without one
    hidden = {c for d in overview.column_dimensions.values() if d.hidden
              for c in range(d.min, d.max + 1)}
    assert hidden == {4, 5, 6, 7, 8}  # D:H


def test_the_plan_template_guide_names_the_forms_own_key(tmp_path):
    """The guide of every plan template spoke of the progress form's 節・項・号 (「第1節」,
    「①」) and its init command had no --form, which a workspace with several forms needs."""
    ws = api.init(tmp_path / "ws")
    write_form(ws.root, BUDGET_FORM, BUDGET_SCHEMA)
    path = api.plan_template(tmp_path / "plan.xlsx", "nb", ws.root)
    guide = openpyxl.load_workbook(path)["記入要領"]
    text = "\n".join(str(c.value) for c in guide["A"] if c.value)
    assert "節" not in text and "①" not in text
    assert guide["A5"].value == ("3. 「計画」シートに、計画の項目を1行ずつ記入します。款・事業は番号で、"
                                 "「1款・1」のようにも数字だけでも書けます。")
    assert guide["A9"].value == ("7. 記入が済んだら `fujimi-xl init 作業フォルダ --plan このファイル "
                                 "--form nb` で取り込みます。")


def test_a_code_typed_in_full_width_meets_its_pattern(tmp_path):
    """「０４９－２５１－２７１１」 typed with the IME in full-width was refused by the pattern of a
    phone number (only letters and digits were made half-width, not the hyphens)."""
    schema = json.loads(json.dumps(BUDGET_SCHEMA))
    schema["properties"]["biko"]["pattern"] = "^0[0-9]{1,4}-[0-9]{1,4}-[0-9]{4}$"
    ws = api.init(tmp_path / "ws")
    write_form(ws.root, BUDGET_FORM, schema)
    api.load_plan(ws, write_plan(tmp_path / "plan.xlsx", ["款", "事業", "事業名"],
                                 [[1, 1, "a", "総務"], [1, 2, "b", "総務"]]), "nb")
    book = api.generate(ws, "nb", YEAR).files[0][1]
    accepted(ws, fill(book, tmp_path / "b" / "b.xlsx",
                      {5: {"yosan": 1, "biko": "０４９－２５１－２７１１"},
                       6: {"yosan": 2, "biko": "049-251-2711"}}))
    assert api.frame(ws, "nb", YEAR)["biko"].tolist() == ["049-251-2711", "049-251-2711"]


# -- a list form with English-ish ids, text fields only, no subtitle, no summary field ------------

CONTACT_FORM: dict[str, Any] = {
    "name": "nc", "version": 1, "title": "Emergency contacts", "layout": "list",
    "input_sheet": "Input", "key": ["unit_no"],
    "fields": [
        {"id": "unit_no", "label": "Unit No.", "role": "key", "display": "U-{n}", "width": 8},
        {"id": "unit_name", "label": "Unit", "role": "locked", "width": 20},
        {"id": "contact_name", "label": "Contact person", "role": "input", "width": 20},
        {"id": "shift", "label": "Shift", "role": "input", "width": 10},
        {"id": "deputy", "label": "Deputy", "role": "input", "width": 20},
    ],
    "rules": [{"type": "required_unless", "field": "deputy", "unless_field": "shift",
               "unless_in": ["day"]}],
    "instructions": ["Emergency contacts of {group} for {year_long}."],
    "report": {"columns": ["unit_no", "unit_name", "contact_name", "shift", "deputy"]},
}
CONTACT_SCHEMA: dict[str, Any] = {
    "$schema": SCHEMA_URL, "type": "object",
    "properties": {"unit_no": {"type": "integer"}, "unit_name": {"type": "string"},
                   "contact_name": {"type": "string"}, "shift": {"type": "string"},
                   "deputy": {"type": "string"}},
    "required": ["unit_no", "unit_name", "contact_name"], "additionalProperties": False,
}


def contact_ws(tmp_path: Path, form: dict[str, Any] = CONTACT_FORM) -> tuple[Any, Path]:
    ws = api.init(tmp_path / "ws")
    write_form(ws.root, form, CONTACT_SCHEMA)
    plan = write_plan(tmp_path / "plan.xlsx", ["Unit No.", "Unit"],
                      [["U-1", "Front desk", "総務"], ["u-2", "Night shift", "総務"]])
    wb = openpyxl.load_workbook(plan)
    wb["設定"]["B1"] = None  # no plan title
    wb.save(plan)
    api.load_plan(ws, plan, "nc")
    return ws, api.generate(ws, "nc", YEAR, lang="en").files[0][1]


def test_a_report_without_plan_title_or_subtitle_still_says_what_and_when(tmp_path):
    """Without a plan title (設定 left blank) and a subtitle, the report's pages said neither
    the form nor the year; its summary sheet was headed 「の集計」 over a blank where a chart goes."""
    ws, book = contact_ws(tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["Input"]["D5"], wb["Input"]["E5"], wb["Input"]["F5"] = "Ａｌｉｃｅ", "night", "Dave"
    wb["Input"]["D6"], wb["Input"]["E6"] = "Bob", "ｄａｙ"
    out = tmp_path / "back" / "b.xlsx"
    out.parent.mkdir()
    wb.save(out)
    accepted(ws, out)
    report = openpyxl.load_workbook(api.report(ws, "nc", YEAR, tmp_path / "r.xlsx").path)
    page, summary = report.worksheets[0], report.worksheets[-1]
    assert page["A2"].value == "（令和5年度\u3000Emergency contacts）"
    assert summary["A3"].value == "提出状況の集計"
    heads = [c.value for c in summary[4] if c.value]
    assert heads[-2:] == ["未提出", "計"]
    assert summary["A8"].value == "未提出の担当"  # right below the table: no chart to leave room for


def test_a_new_book_for_a_changed_definition_says_so_not_that_the_plan_changed(tmp_path):
    """Adding a field to the definition re-issued the books 「計画が変わったため…（項目の追加:
    —／削除: —／内容の変更: —）」: the plan had not changed."""
    ws, _ = contact_ws(tmp_path)
    form = json.loads(json.dumps(CONTACT_FORM))
    form["fields"].append({"id": "note", "label": "Note", "role": "input"})
    schema = json.loads(json.dumps(CONTACT_SCHEMA))
    schema["properties"]["note"] = {"type": "string"}
    write_form(ws.root, form, schema)
    res = invoke("generate", "nc", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert "計画が変わった" not in res.output
    assert "  総務: 前回の発行から様式の定義（項目・見出し）または担当名・計画名が変わったため新しい" \
           "ブックを発行します。" in res.output
    again = api.generate(ws, "nc", YEAR)  # issued now: nothing more to do
    assert [(slot, state) for slot, state, _ in again.slots] == [("総務", "unchanged")]


def test_a_value_below_the_minimum_is_told_how_to_fix(tmp_path):
    """▲50 in an amount whose minimum is 0 was told 「記入できる範囲を超えています（≥ 0）。
    桁を確かめて入力し直してください。」: it is below the range, and the digits are right."""
    ws = budget_ws(tmp_path)
    book = api.generate(ws, "nb", YEAR).files[0][1]
    result = api.ingest(ws, [fill(book, tmp_path / "b" / "b.xlsx",
                                  {5: {"yosan": "▲50"}, 6: {"yosan": 1}, 7: {"yosan": 2}})]).files[0]
    assert [(p.cell, p.code, p.message()) for p in result.problems] == [
        ("E5", "out_of_range", "「-50」は記入できる範囲（≥ 0）の外です。範囲内の値を記入してください"
                               "（桁やマイナス・▲も確かめてください）。")]


# -- import-report of a typed list form's own report -----------------------------------------------

def test_the_report_of_a_typed_form_with_totals_imports_back(tmp_path):
    """import-report refused the tool's own report of a form with numbers and totals: its
    小計・合計 rows as keys it cannot read, and every number as
    「入力規則に合いません（'1200' is not of type 'number'）」 (jsonschema's English)."""
    ws = budget_ws(tmp_path / "a")
    book = api.generate(ws, "nb", YEAR).files[0][1]
    accepted(ws, fill(book, tmp_path / "back" / "b.xlsx",
                      {5: {"yosan": "1,200"}, 6: {"yosan": "9876.5"}, 7: {"yosan": "▲0"}}))
    report = api.report(ws, "nb", YEAR, tmp_path / "r.xlsx").path
    with OtherMaster():  # a second workspace
        fresh = api.init(tmp_path / "b" / "ws")
        write_form(fresh.root, BUDGET_FORM, BUDGET_SCHEMA)
        res = api.import_report(fresh, report, "nb")
        assert res.ok, [(p.cell, p.message()) for p in res.problems]
        assert api.frame(fresh, "nb", YEAR)["yosan"].tolist() == [1200, 9876.5, 0]
        assert api.verify(fresh).ok


def test_an_imported_value_its_schema_refuses_is_told_in_japanese(tmp_path):
    ws = budget_ws(tmp_path / "a")
    book = api.generate(ws, "nb", YEAR).files[0][1]
    accepted(ws, fill(book, tmp_path / "back" / "b.xlsx",
                      {5: {"yosan": 1}, 6: {"yosan": 2}, 7: {"yosan": 3}}))
    report = api.report(ws, "nb", YEAR, tmp_path / "r.xlsx").path
    wb = openpyxl.load_workbook(report)
    wb.worksheets[0]["D5"].value = -5  # typed over in the printed table
    wb.save(report)
    with OtherMaster():  # a second workspace
        fresh = api.init(tmp_path / "b" / "ws")
        write_form(fresh.root, BUDGET_FORM, BUDGET_SCHEMA)
        res = api.import_report(fresh, report, "nb")
    assert [(p.sheet, p.cell, p.code, p.message()) for p in res.problems] == [
        ("1款", "D5", "value_minimum", "「-5」は小さすぎます。0 以上にしてください。")]


def test_output_cut_short_by_its_reader_is_not_blamed_on_the_master(tmp_path):
    """`fujimi-xl history 1-1 -w WS | more`, the reader closed early: the command said
    「作業フォルダの …/master.sqlite を読み書きできません（BrokenPipeError…）…バックアップから
    復元してください」 and exit 2."""

    ws = budget_ws(tmp_path)
    book = api.generate(ws, "nb", YEAR).files[0][1]
    accepted(ws, fill(book, tmp_path / "back" / "b.xlsx",
                      {5: {"yosan": 1}, 6: {"yosan": 2}, 7: {"yosan": 3}}))
    reader = subprocess.Popen([sys.executable, "-c", "pass"], stdin=subprocess.PIPE)
    reader.wait()  # gone before anything is written to it
    done = subprocess.run([sys.executable, "-m", "fujimi_xl", "history", "1-1", "-w",
                           str(ws.root)], stdout=reader.stdin, stderr=subprocess.PIPE,
                          env={**os.environ, "FUJIMI_LANG": ""}, timeout=120)
    reader.stdin.close()
    assert "master.sqlite" not in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()
    assert done.returncode == 1


def test_an_english_book_lists_its_examples_the_english_way(tmp_path):
    """--lang en: the error of a typed cell read 「Enter it like 1,200、▲50、158千円.」."""
    ws = budget_ws(tmp_path)
    book = api.generate(ws, "nb", YEAR, lang="en").files[0][1]
    dv = next(dv for dv in openpyxl.load_workbook(book)["入力"].data_validations.dataValidation
              if str(dv.sqref) == "E5:E7")
    assert dv.error == ("This cannot be read as an amount in thousands of yen. Enter it like "
                        "1,200, ▲50, 158千円.")


def test_plan_template_in_english(tmp_path):
    """`fujimi-xl --lang en plan-template` wrote its guide in Japanese."""
    ws = api.init(tmp_path / "ws")
    write_form(ws.root, BUDGET_FORM, BUDGET_SCHEMA)
    res = invoke("--lang", "en", "plan-template", tmp_path / "p.xlsx", "--form", "nb",
                 "-w", ws.root)
    assert res.exit_code == 0, res.output
    guide = openpyxl.load_workbook(tmp_path / "p.xlsx")["記入要領"]
    assert guide["A1"].value == "How to fill in the plan workbook"
    assert guide["A9"].value == ("7. When done, load it with `fujimi-xl init WORKSPACE --plan "
                                 "THIS_FILE --form nb`.")
