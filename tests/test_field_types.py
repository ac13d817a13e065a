"""Field types in a list form defined inline in a workspace (issue 13, item 1): generate → fill
as staff type (full-width digits, 和暦 dates, 1,200, ▲50, numbers and dates typed as such) →
ingest → the master holds typed values → the report prints numbers as numbers, with totals.
Each type's refusal: the exact Japanese message at the cell."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.forms import fieldtypes, load_form
from fujimi_xl.layouts.list.generator import FIRST_ROW, HEADER_ROW
from fujimi_xl.lifecycle.plan import Group, Plan, PlanItem, write_plan_template
from fujimi_xl.store import dataset

from .conftest import master_snapshot

YEAR = 2023
GROUPS = [Group("G1", "こども未来部", "保育グループ"), Group("G2", "健康福祉部", "福祉グループ")]
# item key, department (the report groups by it), owner
ITEMS = [("1", "こども未来部", "G1"), ("2", "こども未来部", "G1"), ("3", "健康福祉部", "G2")]


def make_form(ws: Any, name: str, field: dict[str, Any], prop: dict[str, Any],
              required: bool = False, report: dict[str, Any] | None = None) -> None:
    """A small list form in the workspace: key 番号, locked 部 and 事業名, one input field."""
    folder = Path(ws.root) / "templates" / name
    folder.mkdir(parents=True)
    form = {
        "name": name, "version": 1, "title": f"試験{name}", "layout": "list",
        "input_sheet": "入力", "key": ["no"],
        "fields": [
            {"id": "no", "label": "番号", "role": "key", "display": "{n}", "width": 5},
            {"id": "dept", "label": "部", "role": "locked", "width": 14},
            {"id": "title", "label": "事業名", "role": "locked", "width": 20},
            {"role": "input", "width": 12, **field},
        ],
        "instructions": ["{group} の記入用です。"],
        "report": {"group_by": "dept", "columns": ["no", "dept", "title", field["id"]],
                   **(report or {})},
    }
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
        "properties": {"no": {"type": "integer"}, "dept": {"type": "string"},
                       "title": {"type": "string"}, field["id"]: prop},
        "required": ["no", "dept", "title", *([field["id"]] if required else [])],
        "additionalProperties": False,
    }
    (folder / "form.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    (folder / "schema.json").write_text(json.dumps(schema, ensure_ascii=False),
                                        encoding="utf-8")


@pytest.fixture
def blank_ws(tmp_path: Path) -> Any:
    return api.init(tmp_path / "ws")


def issue(ws: Any, name: str, tmp_path: Path) -> dict[str, Path]:
    """Load the plan of the inline form and generate its workbooks: group -> workbook."""
    form = load_form(name, Path(ws.root))
    plan = Plan(name, GROUPS, [PlanItem(k, g, {"no": int(k), "dept": d, "title": f"事業{k}"})
                               for k, d, g in ITEMS], title="試験計画", city="富士見市")
    path = write_plan_template(tmp_path / f"plan_{name}.xlsx", form, example=plan)
    api.load_plan(ws, path, form=name)
    gen = api.generate(ws, name, YEAR)
    return {g: p for g, p, _ in gen.files}


def fill(src: Path, values: dict[str, Any], out: Path, header: str) -> Path:
    """Type ``values`` (item key -> value) into the column headed ``header``."""
    wb = openpyxl.load_workbook(src)
    sh = wb["入力"]
    col = next(c for c in range(1, sh.max_column + 1)
               if sh.cell(HEADER_ROW + 1, c).value == header)
    for r in range(FIRST_ROW + 1, sh.max_row + 1):
        key = sh.cell(r, 1).value
        if key in values:
            sh.cell(r, col).value = values[key]
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def stored(ws: Any, name: str, fid: str) -> dict[str, Any]:
    conn = ws.connect()
    try:
        table = dataset.current_table(conn, name, YEAR)
    finally:
        conn.close()
    return {r.key: r.record.get(fid) for r in table.rows}


def ingest_all(ws: Any, books: dict[str, Path], values: dict[str, Any], header: str,
               tmp_path: Path) -> list[Any]:
    paths = [fill(books[g], {k: v for k, v in values.items()
                             if next(o for kk, _, o in ITEMS if kk == k) == g},
                  tmp_path / "returned" / books[g].name, header) for g in books]
    return api.ingest(ws, paths).files


# -- each type, as staff type it --------------------------------------------------------------

CASES = [
    # type, extra field keys, schema property, what staff type (item -> value), stored
    ("integer", {}, {"type": "integer", "minimum": 0},
     {"1": "１２", "2": 10, "3": "1,200"}, {"1": 12, "2": 10, "3": 1200}),
    ("number", {}, {"type": "number"},
     {"1": "３.５", "2": 2.25, "3": "1,200"}, {"1": 3.5, "2": 2.25, "3": 1200}),
    ("amount", {}, {"type": "number"},
     {"1": "１，２００", "2": "▲50", "3": "158千円"}, {"1": 1200, "2": -50, "3": 158}),
    ("kyen", {}, {"type": "number"},
     {"1": "1,200", "2": 300.0, "3": "▲１"}, {"1": 1200, "2": 300, "3": -1}),
    ("date", {}, {"type": "string", "format": "date"},
     {"1": "令和5年4月1日", "2": "R5.4.1", "3": dt.datetime(2023, 4, 1)},
     {"1": "2023-04-01", "2": "2023-04-01", "3": "2023-04-01"}),
    ("date", {}, {"type": "string"},
     {"1": "2023/4/1", "2": "H30.6.18", "3": "令和元年5月1日"},
     {"1": "2023-04-01", "2": "2018-06-18", "3": "2019-05-01"}),
    ("fiscal_year", {}, {"type": "integer"},
     {"1": 2018, "2": "平成30年度", "3": "R2"}, {"1": 2018, "2": 2018, "3": 2020}),
    ("year", {}, {"type": "integer"},
     {"1": "H30", "2": "２０１９", "3": "令和元年度"}, {"1": 2018, "2": 2019, "3": 2019}),
]


@pytest.mark.parametrize(("ftype", "extra", "prop", "typed", "want"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_values_are_stored_typed(blank_ws: Any, tmp_path: Path, ftype: str,
                                 extra: dict[str, Any], prop: dict[str, Any],
                                 typed: dict[str, Any], want: dict[str, Any]) -> None:
    make_form(blank_ws, "t", {"id": "v", "label": "値", "type": ftype, **extra}, prop)
    books = issue(blank_ws, "t", tmp_path)
    files = ingest_all(blank_ws, books, typed, "値", tmp_path)
    assert [(f.outcome, [p.message() for p in f.problems]) for f in files] == \
        [("accepted", [])] * 2
    got = stored(blank_ws, "t", "v")
    assert got == want
    assert [type(v) for v in got.values()] == [type(v) for v in want.values()]


# -- refusals: the kind of value in words and examples, at the cell ---------------------------

REFUSALS = [
    ("integer", "十二", "「十二」は整数として読めません。12、１２、1,200のように記入してください。"),
    ("integer", 2.5, "「2.5」は整数として読めません。12、１２、1,200のように記入してください。"),
    ("number", "約3", "「約3」は数値として読めません。12、3.5、1,200のように記入してください。"),
    ("amount", "五百", "「五百」は金額（千円）として読めません。1,200、▲50、158千円のように記入してください。"),
    ("date", "4月1日頃",
     "「4月1日頃」は日付として読めません。2023/4/1、令和5年4月1日、R5.4.1のように記入してください。"),
    ("date", "2023/2/30",
     "「2023/2/30」は日付として読めません。2023/4/1、令和5年4月1日、R5.4.1のように記入してください。"),
    ("fiscal_year", "来年度",
     "「来年度」は年度として読めません。2018、H30、平成30年度、R2のように記入してください。"),
]


@pytest.mark.parametrize(("ftype", "bad", "message"), REFUSALS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(REFUSALS)])
def test_a_value_its_type_cannot_read_is_refused_at_its_cell(
        blank_ws: Any, tmp_path: Path, ftype: str, bad: Any, message: str) -> None:
    make_form(blank_ws, "t", {"id": "v", "label": "値", "type": ftype},
              {"type": "string"} if ftype == "date" else {"type": "number"}, required=True)
    books = issue(blank_ws, "t", tmp_path)
    before = master_snapshot(blank_ws)
    good = {"date": "R5.4.1", "fiscal_year": "R2"}.get(ftype, "1")
    path = fill(books["G1"], {"1": bad, "2": good},
                tmp_path / "r.xlsx", "値")
    res = api.ingest(blank_ws, [path]).files[0]
    assert res.outcome == "rejected"
    assert [(p.where(), p.field, p.code) for p in res.problems] == [
        (f"入力!E{FIRST_ROW + 1}", "値", "type_unreadable")]
    assert res.problems[0].message() == message
    assert "integer" not in res.problems[0].message("en")
    if ftype == "amount":
        assert res.problems[0].message("en") == (
            "'五百' cannot be read as an amount in thousands of yen. Enter it like 1,200, ▲50, "
            "158千円.")
    assert master_snapshot(blank_ws) == before


def test_number_typed_in_an_integer_field_is_not_refused_as_text(blank_ws: Any,
                                                                 tmp_path: Path) -> None:
    """The issue's example: 10 typed as a number was refused 「10」はintegerとして読めません."""
    make_form(blank_ws, "t", {"id": "v", "label": "回数", "type": "integer"},
              {"type": "integer", "minimum": 0})
    books = issue(blank_ws, "t", tmp_path)
    res = api.ingest(blank_ws, [fill(books["G1"], {"1": 10, "2": 10.0}, tmp_path / "r.xlsx",
                                     "回数")]).files[0]
    assert res.outcome == "accepted", [p.message() for p in res.problems]
    assert stored(blank_ws, "t", "v")["1"] == 10


def test_bounds_of_the_schema_apply_to_the_typed_value(blank_ws: Any, tmp_path: Path) -> None:
    make_form(blank_ws, "t", {"id": "v", "label": "回数", "type": "integer"},
              {"type": "integer", "minimum": 0, "maximum": 99})
    books = issue(blank_ws, "t", tmp_path)
    res = api.ingest(blank_ws, [fill(books["G1"], {"1": "１５０", "2": "▲1"},
                                     tmp_path / "r.xlsx", "回数")]).files[0]
    assert [(p.where(), p.code, p.message()) for p in res.problems] == [
        ("入力!E5", "out_of_range", "「150」は記入できる範囲（≤ 99）の外です。範囲内の値を記入して"
                                    "ください（桁やマイナス・▲も確かめてください）。"),
        ("入力!E6", "out_of_range", "「-1」は記入できる範囲（≥ 0）の外です。範囲内の値を記入して"
                                    "ください（桁やマイナス・▲も確かめてください）。"),
    ]


def test_a_pattern_is_refused_with_the_definitions_message(blank_ws: Any,
                                                           tmp_path: Path) -> None:
    make_form(blank_ws, "t", {"id": "v", "label": "電話番号", "pattern_message": {
        "ja": "市外局番から「049-000-0000」のように記入してください。",
        "en": "Write it with the area code, like 049-000-0000."}},
        {"type": "string", "pattern": r"^\d{2,4}-\d{2,4}-\d{4}$", "maxLength": 13})
    books = issue(blank_ws, "t", tmp_path)
    res = api.ingest(blank_ws, [fill(books["G1"], {"1": "049-111-2222", "2": "内線123"},
                                     tmp_path / "r.xlsx", "電話番号")]).files[0]
    assert [(p.where(), p.code) for p in res.problems] == [("入力!E6", "pattern_mismatch")]
    p = res.problems[0]
    assert p.message() == "「内線123」は記入の形式に合いません。市外局番から「049-000-0000」のように記入してください。"
    assert p.message("en") == ("'内線123' is not in the form this cell needs. Write it with the "
                               "area code, like 049-000-0000.")


def test_a_pattern_without_its_message_never_shows_the_regex(blank_ws: Any,
                                                             tmp_path: Path) -> None:
    make_form(blank_ws, "t", {"id": "v", "label": "コード"},
              {"type": "string", "pattern": r"^[A-Z]\d{3}$"})
    books = issue(blank_ws, "t", tmp_path)
    res = api.ingest(blank_ws, [fill(books["G1"], {"1": "x1"}, tmp_path / "r.xlsx",
                                     "コード")]).files[0]
    assert [p.message() for p in res.problems] == [
        "「x1」は記入の形式に合いません。記入要領の例のとおりに書き直してください。"]


def test_field_types_constant_names_every_type() -> None:
    for name in ("text", "lines", "integer", "number", "amount", "date", "fiscal_year",
                 "choice", "kyen", "year", "indicator"):
        assert name in fieldtypes.FIELD_TYPES
    assert fieldtypes.FIELD_TYPES["kyen"].id == "amount"
    assert fieldtypes.FIELD_TYPES["year"].id == "fiscal_year"


# -- the generated workbook: Excel validation and a Japanese hint per type --------------------

@pytest.mark.parametrize(("ftype", "prop", "kind", "low", "high", "hint", "number_format"), [
    ("integer", {"type": "integer", "minimum": 0, "maximum": 99}, "whole", "0", "99",
     "整数で記入してください（例: 12、１２、1,200）。（0～99）", "#,##0"),
    ("amount", {"type": "number"}, "decimal", "-999999999999999", "999999999999999",
     "千円単位の金額を記入してください（例: 1,200、▲50、158千円）。", "#,##0"),
    ("number", {"type": "number", "minimum": 0}, "decimal", "0", "999999999999999",
     "数値で記入してください（例: 12、3.5、1,200）。（0以上）", "General"),
    ("date", {"type": "string"}, "date", None, None,
     "日付を記入してください（例: 2023/4/1、令和5年4月1日、R5.4.1）。", "yyyy/m/d"),
])
def test_generated_workbook_validates_typed_columns_with_a_hint(
        blank_ws: Any, tmp_path: Path, ftype: str, prop: dict[str, Any], kind: str,
        low: str | None, high: str | None, hint: str, number_format: str) -> None:
    make_form(blank_ws, "t", {"id": "v", "label": "値", "type": ftype}, prop)
    books = issue(blank_ws, "t", tmp_path)
    sh = openpyxl.load_workbook(books["G1"])["入力"]
    dv = next(d for d in sh.data_validations.dataValidation if "E5" in d.sqref)
    assert str(dv.sqref) == "E5:E6"
    assert (dv.type, dv.operator or "between", dv.errorStyle) == (kind, "between", "warning")
    if low is not None:
        assert (dv.formula1, dv.formula2) == (low, high)
    assert dv.prompt == hint
    assert "として読めない値です" in dv.error
    assert sh["E5"].number_format == number_format
    assert sh["E5"].protection.locked is False


def test_fiscal_year_column_gets_a_hint(blank_ws: Any, tmp_path: Path) -> None:
    make_form(blank_ws, "t", {"id": "v", "label": "開始年度", "type": "fiscal_year",
                              "hint": "事業を始めた年度"}, {"type": "integer"})
    books = issue(blank_ws, "t", tmp_path)
    sh = openpyxl.load_workbook(books["G1"])["入力"]
    dv = next(d for d in sh.data_validations.dataValidation if "E5" in d.sqref)
    assert dv.prompt == "事業を始めた年度\n年度を記入してください（例: 2018、H30、平成30年度、R2）。"


# -- the report: numbers as numbers, dates in the definition's style, totals -------------------

def make_report_form(ws: Any) -> None:
    folder = Path(ws.root) / "templates" / "survey_t"
    folder.mkdir(parents=True)
    form = {
        "name": "survey_t", "version": 1, "title": "実施状況調査", "layout": "list",
        "key": ["no"],
        "fields": [
            {"id": "no", "label": "番号", "role": "key", "display": "{n}", "width": 5},
            {"id": "dept", "label": "部", "role": "locked", "width": 14},
            {"id": "title", "label": "事業名", "role": "locked", "width": 20},
            {"id": "count", "label": "実施回数", "role": "input", "type": "integer",
             "format": "#,##0\"回\""},
            {"id": "amount", "label": "事業費（千円）", "role": "input", "type": "amount",
             "format": "#,##0"},
            {"id": "start", "label": "開始日", "role": "input", "type": "date",
             "format": "wareki"},
            {"id": "opened", "label": "開設日", "role": "input", "type": "date"},
            {"id": "since", "label": "開始年度", "role": "input", "type": "fiscal_year"},
        ],
        "report": {"group_by": "dept", "totals": ["count", "amount"]},
    }
    schema = {"type": "object", "properties": {
        "no": {"type": "integer"}, "dept": {"type": "string"}, "title": {"type": "string"},
        "count": {"type": "integer", "minimum": 0}, "amount": {"type": "number"},
        "start": {"type": "string"}, "opened": {"type": "string"},
        "since": {"type": "integer"}}, "required": ["no", "count"]}
    (folder / "form.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    (folder / "schema.json").write_text(json.dumps(schema), encoding="utf-8")


def test_report_prints_numbers_dates_and_totals(blank_ws: Any, tmp_path: Path) -> None:
    make_report_form(blank_ws)
    books = issue(blank_ws, "survey_t", tmp_path)
    answers = {
        "1": {"実施回数": "１２", "事業費（千円）": "１，２００", "開始日": "令和5年4月1日",
              "開設日": dt.datetime(2023, 4, 1), "開始年度": "H30"},
        "2": {"実施回数": 3, "事業費（千円）": "▲50", "開始日": "R5.4.1",
              "開設日": "2023/4/1", "開始年度": 2020},
        "3": {"実施回数": "1,000", "事業費（千円）": "158千円", "開始日": "H30.6.18",
              "開設日": "H30.6.18", "開始年度": "令和2年度"},
    }
    paths = []
    for src in books.values():
        wb = openpyxl.load_workbook(src)
        sh = wb["入力"]
        heads = {sh.cell(HEADER_ROW + 1, c).value: c for c in range(1, sh.max_column + 1)}
        for r in range(FIRST_ROW + 1, sh.max_row + 1):
            for label, v in answers.get(sh.cell(r, 1).value, {}).items():
                sh.cell(r, heads[label]).value = v
        out = tmp_path / "returned" / src.name
        out.parent.mkdir(exist_ok=True)
        wb.save(out)
        paths.append(out)
    files = api.ingest(blank_ws, paths).files
    assert [(f.outcome, [p.message() for p in f.problems]) for f in files] == \
        [("accepted", [])] * 2
    assert stored(blank_ws, "survey_t", "amount") == {"1": 1200, "2": -50, "3": 158}
    assert stored(blank_ws, "survey_t", "start") == {"1": "2023-04-01", "2": "2023-04-01",
                                                     "3": "2018-06-18"}
    assert stored(blank_ws, "survey_t", "since") == {"1": 2018, "2": 2020, "3": 2020}

    out = api.report(blank_ws, "survey_t", YEAR, tmp_path / "report.xlsx").path
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["こども未来部", "健康福祉部"]
    first, second = wb["こども未来部"], wb["健康福祉部"]
    heads = {first.cell(4, c).value: c for c in range(1, first.max_column + 1)}
    count, amount = heads["実施回数"], heads["事業費（千円）"]
    start, opened, since = heads["開始日"], heads["開設日"], heads["開始年度"]
    row1 = [first.cell(5, c) for c in (count, amount, start, opened, since)]
    assert [c.value for c in row1] == [12, 1200, "令和5年4月1日", dt.datetime(2023, 4, 1),
                                       "平成30年度"]
    assert [c.number_format for c in row1[:2]] == ['#,##0"回"', "#,##0"]
    assert row1[3].number_format == "yyyy/m/d"
    assert row1[0].alignment.horizontal == "right"
    assert first.cell(6, amount).value == -50
    # a total row per group, and after the last group the overall total
    assert [first.cell(7, c).value for c in (1, count, amount)] == ["小計（こども未来部）", 15, 1150]
    assert first.cell(7, amount).number_format == "#,##0"
    assert [second.cell(6, c).value for c in (1, count, amount)] == ["小計（健康福祉部）", 1000, 158]
    assert [second.cell(7, c).value for c in (1, count, amount)] == ["合計", 1015, 1308]
    assert second.cell(5, start).value == "平成30年6月18日"


# -- the sheet layout: the same types, read by the same module ---------------------------------

def make_sheet_form(ws: Any) -> None:
    folder = Path(ws.root) / "templates" / "sheet_t"
    folder.mkdir(parents=True)
    inputs = [("count", "実施回数", "integer"), ("amount", "事業費（千円）", "amount"),
              ("start", "開始日", "date"), ("since", "開始年度", "fiscal_year"),
              ("ratio", "達成率", "number")]
    form = {
        "name": "sheet_t", "version": 1, "title": "事業調書", "layout": "sheet",
        "unit": "item", "input_sheet": "調書", "key": ["no"],
        "fields": [
            {"id": "no", "label": "番号", "role": "key", "display": "{n}", "width": 5},
            {"id": "dept", "label": "部", "role": "locked", "width": 14},
            {"id": "title", "label": "事業名", "role": "locked", "width": 20},
            *({"id": i, "label": lbl, "role": "input", "type": t, "width": 10}
              for i, lbl, t in inputs),
        ],
        "sheet": {"columns": [12, 12, 12, 12], "rows": [
            [{"heading": "事業"}],
            [{"label": "事業名"}, {"field": "title", "span": 3}],
            *([{"label": lbl}, {"field": i, "span": 3}] for i, lbl, _ in inputs),
        ]},
        "instructions": ["{group} の記入用です。"],
        "report": {"paper": "A4", "orientation": "portrait"},
    }
    schema = {"type": "object", "properties": {
        "no": {"type": "integer"}, "dept": {"type": "string"}, "title": {"type": "string"},
        "count": {"type": "integer", "minimum": 0}, "amount": {"type": "number"},
        "start": {"type": "string"}, "since": {"type": "integer"},
        "ratio": {"type": "number"}}, "required": ["no", "title"]}
    (folder / "form.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    (folder / "schema.json").write_text(json.dumps(schema), encoding="utf-8")


def fill_named(src: Path, values: dict[str, Any], out: Path) -> Path:
    """Type ``values`` (field id -> value) into the cells the sheet names fx_f_<field>."""
    wb = openpyxl.load_workbook(src)
    for fid, value in values.items():
        dest = next(iter(wb.defined_names[f"fx_f_{fid}"].destinations))
        wb[dest[0]][dest[1].replace("$", "")].value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def named_cell(src: Path, fid: str) -> str:
    wb = openpyxl.load_workbook(src)
    return next(iter(wb.defined_names[f"fx_f_{fid}"].destinations))[1].replace("$", "")


def test_sheet_layout_reads_every_type(blank_ws: Any, tmp_path: Path) -> None:
    make_sheet_form(blank_ws)
    books = issue(blank_ws, "sheet_t", tmp_path)
    src = next(iter(books.values()))
    path = fill_named(src, {"count": "１２", "amount": "▲50", "start": "令和5年4月1日",
                            "since": "H30", "ratio": 0.5}, tmp_path / "r" / src.name)
    res = api.ingest(blank_ws, [path]).files[0]
    assert (res.outcome, [p.message() for p in res.problems]) == ("accepted", [])
    key = res.slot.split("-")[-1] if res.slot else "1"
    got = {fid: stored(blank_ws, "sheet_t", fid)[key]
           for fid in ("count", "amount", "start", "since", "ratio")}
    assert got == {"count": 12, "amount": -50, "start": "2023-04-01", "since": 2018,
                   "ratio": 0.5}


def test_sheet_layout_refuses_with_the_same_messages(blank_ws: Any, tmp_path: Path) -> None:
    make_sheet_form(blank_ws)
    books = issue(blank_ws, "sheet_t", tmp_path)
    src = next(iter(books.values()))
    before = master_snapshot(blank_ws)
    path = fill_named(src, {"count": "十二", "start": "4月頃", "since": "来年度"},
                      tmp_path / "r" / src.name)
    res = api.ingest(blank_ws, [path]).files[0]
    assert res.outcome == "rejected"
    assert [(p.where(), p.code, p.message()) for p in res.problems] == [
        (f"調書!{named_cell(src, 'count')}", "type_unreadable",
         "「十二」は整数として読めません。12、１２、1,200のように記入してください。"),
        (f"調書!{named_cell(src, 'start')}", "type_unreadable",
         "「4月頃」は日付として読めません。2023/4/1、令和5年4月1日、R5.4.1のように記入してください。"),
        (f"調書!{named_cell(src, 'since')}", "type_unreadable",
         "「来年度」は年度として読めません。2018、H30、平成30年度、R2のように記入してください。"),
    ]
    assert master_snapshot(blank_ws) == before


def test_a_locked_typed_field_is_read_as_its_type(blank_ws: Any, tmp_path: Path) -> None:
    """A planned number (locked, typed) is checked as a number, not refused as text."""
    folder = Path(blank_ws.root) / "templates" / "t"
    make_form(blank_ws, "t", {"id": "v", "label": "実績", "type": "integer"},
              {"type": "integer"})
    form = json.loads((folder / "form.json").read_text(encoding="utf-8"))
    form["fields"][1] = {"id": "dept", "label": "部", "role": "locked", "type": "integer"}
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    schema["properties"]["dept"] = {"type": "integer"}
    (folder / "form.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    (folder / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    loaded = load_form("t", Path(blank_ws.root))
    plan = Plan("t", GROUPS[:1], [PlanItem("1", "G1", {"no": 1, "dept": "1,000",
                                                       "title": "事業1"})])
    api.load_plan(blank_ws, write_plan_template(tmp_path / "p.xlsx", loaded, example=plan),
                  form="t")
    books = {g: p for g, p, _ in api.generate(blank_ws, "t", YEAR).files}
    res = api.ingest(blank_ws, [fill(books["G1"], {"1": "５"}, tmp_path / "r.xlsx",
                                     "実績")]).files[0]
    assert (res.outcome, [p.message() for p in res.problems]) == ("accepted", [])
    assert stored(blank_ws, "t", "v") == {"1": 5}


def test_export_json_holds_the_typed_values(blank_ws: Any, tmp_path: Path) -> None:
    make_form(blank_ws, "t", {"id": "v", "label": "事業費", "type": "amount"},
              {"type": "number"})
    books = issue(blank_ws, "t", tmp_path)
    ingest_all(blank_ws, books, {"1": "１，２００", "2": "▲50", "3": 158.5}, "事業費", tmp_path)
    out = api.export(blank_ws, "t", YEAR, tmp_path / "out.json", "json")
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    assert [r["事業費"] for r in rows] == [1200, -50, 158.5]


def test_a_number_declared_only_in_the_schema_is_read_as_a_number(blank_ws: Any,
                                                                  tmp_path: Path) -> None:
    """The issue's example: no "type" on the field, "integer" in schema.json; 10 typed as a
    number was refused 「10」はintegerとして読めません."""
    make_form(blank_ws, "t", {"id": "v", "label": "回数"}, {"type": "integer", "minimum": 0})
    books = issue(blank_ws, "t", tmp_path)
    res = api.ingest(blank_ws, [fill(books["G1"], {"1": 10, "2": "１２"}, tmp_path / "r.xlsx",
                                     "回数")]).files[0]
    assert (res.outcome, [p.message() for p in res.problems]) == ("accepted", [])
    assert stored(blank_ws, "t", "v") == {"1": 10, "2": 12, "3": None}
