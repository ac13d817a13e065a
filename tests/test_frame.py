"""The master as a typed pandas DataFrame (``fujimi_xl.frame``), and the exports built on it.

Both shipped forms go through generate → fill → ingest → frame; a small list form defined
inline brings an integer and a date field; the exports of the shipped forms are compared with
golden files written by the export before it was built on the frame.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import fujimi_xl
from fujimi_xl import api
from fujimi_xl.demo import (
    fill_sheet_workbook,
    fill_workbook,
    sample_data,
    sample_programs_data,
    write_sample_plan,
    write_sample_programs,
)

from .conftest import use_master

GOLDEN = Path(__file__).parent / "golden"
PROGRESS_YEAR = 2017
ACTION_YEAR = 2018
# what 保育's second version holds: values a spreadsheet would run (H5 is its 理由・課題等)
FORMULAS = {"4-2-1": {"result": "-5件の減", "next_plan": "@担当者に確認"}}
NOT_BACK = "産業経済"  # a group whose file never comes back


def build_progress(root: Path) -> Any:
    """The sample plan, the workbooks of 2017 filled and accepted but one; 保育 twice (the
    second version with values starting = - @)."""
    for sub in ("returned", "returned2"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    ws = api.init(root / "ws", write_sample_plan(root / "plan.xlsx"), "progress")
    gen = api.generate(ws, "progress", PROGRESS_YEAR)
    responses = sample_data()["responses"]
    files = []
    for group, path, _ in gen.files:
        if group in responses and group != NOT_BACK:
            files.append(fill_workbook(path, responses[group], root / "returned" / path.name))
    assert all(f.outcome == "accepted" for f in api.ingest(ws, files).files)
    answers = {k: dict(v) for k, v in responses["保育"].items()}
    for k, v in FORMULAS.items():
        answers.setdefault(k, {}).update(v)
    src = next(p for g, p, _ in gen.files if g == "保育")
    v2 = fill_workbook(src, answers, root / "returned2" / src.name, messy=False)
    wb = openpyxl.load_workbook(v2)
    wb["入力"]["H5"].value = "=HYPERLINK(\"http://example.invalid\")"
    wb["入力"]["H5"].data_type = "s"
    wb.save(v2)
    assert [f.outcome for f in api.ingest(ws, [v2]).files] == ["accepted"]
    return ws


def build_action_plan(root: Path) -> Any:
    """The sample programs of 2018, programs 1-3 filled and accepted; program 2 twice."""
    for sub in ("returned", "returned2"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    ws = api.init(root / "ws", write_sample_plan(root / "plan.xlsx"), "progress")
    api.load_plan(ws, write_sample_programs(root / "programs.xlsx"), "action_plan")
    api.generate(ws, "action_plan", ACTION_YEAR)
    folder = ws.outbox / str(ACTION_YEAR) / "action_plan"
    outbox = {p.name.split("_")[2]: p for p in folder.glob("*.xlsx")}
    answers = sample_programs_data()["responses"]
    files = [fill_sheet_workbook(outbox[s], answers[s], root / "returned" / f"{s}.xlsx")
             for s in ("1", "2", "3")]
    assert all(f.outcome == "accepted" for f in api.ingest(ws, files).files)
    again = fill_sheet_workbook(outbox["2"], {**answers["2"], "notes": "+県補助金",
                                              "next_budget": "1,500"},
                                root / "returned2" / "2.xlsx")
    assert [f.outcome for f in api.ingest(ws, [again]).files] == ["accepted"]
    return ws


@pytest.fixture(scope="module")
def progress(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_progress(tmp_path_factory.mktemp("progress"))


@pytest.fixture(scope="module")
def action_plan(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_action_plan(tmp_path_factory.mktemp("action"))


def xlsx_cells(path: Path) -> list[list[list[Any]]]:
    """Every cell of the export's sheet as [value, data type], row by row."""
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["データ"]
    return [[[c.value, c.data_type] for c in row] for row in wb["データ"].iter_rows()]


def write_goldens(ws: Any, form: str, year: int, out: Path) -> None:
    """The golden files of one form (run once with the export as it was)."""
    for fmt in ("csv", "json"):
        shutil.copy(api.export(ws, form, year, out / f"x.{fmt}", fmt),
                    GOLDEN / f"export_{form}_{year}.{fmt}")
    cells = xlsx_cells(api.export(ws, form, year, out / "x.xlsx", "xlsx"))
    (GOLDEN / f"export_{form}_{year}.xlsx.json").write_text(
        json.dumps(cells, ensure_ascii=False, indent=0), encoding="utf-8")


# -- exports equal to today's ---------------------------------------------------------------

@pytest.mark.parametrize("form", ["progress", "action_plan"])
def test_exports_of_the_shipped_forms_are_unchanged(form, progress, action_plan, tmp_path):
    ws, year = (progress, PROGRESS_YEAR) if form == "progress" else (action_plan, ACTION_YEAR)
    use_master(ws)
    name = f"export_{form}_{year}"
    csv_out = api.export(ws, form, year, tmp_path / "out.csv", "csv")
    assert csv_out.read_bytes() == (GOLDEN / f"{name}.csv").read_bytes()
    json_out = api.export(ws, form, year, tmp_path / "out.json", "json")
    assert json_out.read_bytes() == (GOLDEN / f"{name}.json").read_bytes()
    cells = xlsx_cells(api.export(ws, form, year, tmp_path / "out.xlsx", "xlsx"))
    assert cells == json.loads((GOLDEN / f"{name}.xlsx.json").read_text(encoding="utf-8"))


# -- the frame of the shipped forms ---------------------------------------------------------

META = ["group", "group_name", "department", "version", "file_name", "received_at", "saved_at"]


def test_frame_is_part_of_the_package_api():
    assert "frame" in fujimi_xl.__all__
    assert fujimi_xl.frame is api.frame


def test_progress_frame_one_row_per_item_and_group_typed(progress):
    df = fujimi_xl.frame(progress, "progress", PROGRESS_YEAR)
    form = fujimi_xl.load_form("progress")
    assert list(df.columns) == [*META, *(f.id for f in form.fields)]
    conn = progress.connect()
    try:
        planned = conn.execute("SELECT count(*) FROM plan_items WHERE form = 'progress'"
                               ).fetchone()[0]
    finally:
        conn.close()
    assert len(df) == planned
    assert {c: str(df[c].dtype) for c in ("group", "group_name", "file_name", "version",
                                          "plan", "result", "grade")} == {
        "group": "string", "group_name": "string", "file_name": "string", "version": "Int64",
        "plan": "string", "result": "string", "grade": "category"}
    assert str(df["received_at"].dtype).endswith(", Asia/Tokyo]")
    assert str(df["saved_at"].dtype).endswith(", Asia/Tokyo]")
    assert df["grade"].cat.categories.tolist() == ["A", "B", "C", "D"]
    assert df.attrs["labels"]["result"] == "H29実施内容"
    row = df[(df["group"] == "保育") & (df["plan"] == "就労に向けた資格取得支援")].iloc[0]
    assert (row["group_name"], row["department"], row["version"]) == (
        "保育グループ", "こども未来部", 2)
    assert row["file_name"] == "平成29年度_進捗状況評価_保育グループ.xlsx"
    assert (row["section"], row["item"], row["number"]) == ("4", "2", "1")
    assert row["reason"] == "=HYPERLINK(\"http://example.invalid\")"  # as staff wrote it
    assert (row["result"], row["next_plan"]) == ("-5件の減", "@担当者に確認")
    assert row["grade"] == "A"
    # the times are those of the file the values come from, in Japan time
    conn = progress.connect()
    try:
        f = conn.execute("SELECT received_at, saved_at FROM files WHERE file_name = ? "
                         "AND outcome = 'accepted' ORDER BY id DESC LIMIT 1",
                         (row["file_name"],)).fetchone()
    finally:
        conn.close()
    assert row["received_at"] == pd.Timestamp(f["received_at"])
    assert row["saved_at"] == pd.Timestamp(f["saved_at"])
    assert row["received_at"].utcoffset() == dt.timedelta(hours=9)
    # every other group that came back: version 1; a group whose file never came: all NA
    back = df[df["group"] != "保育"]
    assert set(back["version"].dropna()) == {1}
    missing = df[df["group"] == NOT_BACK]
    assert len(missing) and missing["version"].isna().all()
    assert missing["file_name"].isna().all() and missing["received_at"].isna().all()
    assert missing["result"].isna().all() and missing["plan"].notna().all()


def test_action_plan_frame_one_row_per_program_typed(action_plan):
    df = fujimi_xl.frame(action_plan, "action_plan", ACTION_YEAR)
    form = fujimi_xl.load_form("action_plan")
    assert list(df.columns) == [*META, *(f.id for f in form.fields)]
    assert df["program"].tolist() == ["1", "2", "3"]
    kinds = {c: str(df[c].dtype) for c in (
        "base_year", "total_1", "next_budget", "kind_1", "strategy", "notes", "result_1",
        "do", "issues")}
    assert kinds == {"base_year": "Int64", "total_1": "Float64", "next_budget": "Float64",
                     "kind_1": "category", "strategy": "category", "notes": "string",
                     "result_1": "object",  # indicator: a number or 「-」, as stored
                     "do": "object", "issues": "string"}
    assert df["version"].tolist() == [1, 2, 1]
    two = df.iloc[1]
    assert (two["group"], two["file_name"]) == ("教育支援", "2.xlsx")
    assert two["total_1"] == 1200.0 and two["total_2"] == 1200.0  # １，２００ and 1,200
    assert two["next_budget"] == 1500.0  # version 2's value
    assert two["notes"] == "+県補助金"
    assert two["base_year"] == sample_programs_data()["programs"][1]["base_year"]
    assert df["result_1"].tolist()[1] == 92 and df["result_2"].tolist()[1] == "-"
    assert two["kind_1"] == "当初"
    assert df["kind_1"].cat.categories.tolist() == form.choice_values("budget_kind")
    assert isinstance(two["do"], list) and two["do"][0]["action"].startswith("◆学習教室")
    assert df["received_at"].notna().all()


# -- a list form of our own: an integer and a date ------------------------------------------

KIDS_FORM = {
    "name": "kids", "version": 1, "title": "居場所調査", "layout": "list", "input_sheet": "入力",
    "key": ["no"],
    "fields": [
        {"id": "no", "label": "番号", "role": "key", "display": "{n}", "width": 6},
        {"id": "topic", "label": "事業", "role": "locked", "width": 20},
        {"id": "count", "label": "実施回数", "role": "input", "type": "integer", "width": 8},
        {"id": "start", "label": "開始日", "role": "input", "type": "date", "width": 12},
        {"id": "memo", "label": "備考", "role": "input", "width": 20},
    ],
    "instructions": ["{group} の{year_long}の調査です。"],
}
KIDS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
    "properties": {"no": {"type": "integer"}, "topic": {"type": "string"},
                   "count": {"type": "integer", "minimum": 0},
                   "start": {"type": "string", "format": "date"},
                   "memo": {"type": "string"}},
    "required": ["no", "topic"], "additionalProperties": False,
}


def kids_workspace(root: Path, form: dict[str, Any] = KIDS_FORM,
                   schema: dict[str, Any] = KIDS_SCHEMA) -> tuple[Any, dict[str, Path]]:
    ws = api.init(root / "ws")
    folder = ws.root / "templates" / "kids"
    folder.mkdir(parents=True)
    (folder / "form.json").write_text(json.dumps(form, ensure_ascii=False), "utf-8")
    (folder / "schema.json").write_text(json.dumps(schema), "utf-8")
    wb = openpyxl.Workbook()
    wb.active.title = "計画"
    for r in [("番号", "事業", "担当"), (1, "学習教室", "総務"), (2, "こども食堂", "総務"),
              (3, "居場所", "企画")]:
        wb.active.append(list(r))
    gs = wb.create_sheet("担当一覧")
    for g in [("担当", "部", "グループ"), ("総務", "総務部", "総務グループ"),
              ("企画", "企画部", "企画グループ")]:
        gs.append(list(g))
    wb.create_sheet("設定").append(["計画名", "調査"])
    wb.save(root / "plan.xlsx")
    api.load_plan(ws, root / "plan.xlsx", "kids")
    gen = api.generate(ws, "kids", PROGRESS_YEAR)
    return ws, {g: p for g, p, _ in gen.files}


def kids_fill(src: Path, answers: dict[str, dict[str, Any]], out: Path) -> Path:
    from fujimi_xl.layouts.list.generator import HEADER_ROW

    wb = openpyxl.load_workbook(src)
    sheet = wb["入力"]
    head = {sheet.cell(HEADER_ROW + 1, c).value: c for c in range(1, sheet.max_column + 1)}
    for r in range(HEADER_ROW + 2, sheet.max_row + 1):
        for label, value in answers.get(str(sheet.cell(r, 1).value), {}).items():
            sheet.cell(r, head[label]).value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def store_typed(ws: Any, group: str, values: dict[str, dict[str, Any]]) -> None:
    """Put typed values into the current submission of ``group``, as typed ingest stores them
    (int, ISO date text); the cells are those the memo came from."""
    from fujimi_xl import store

    conn = ws.connect()
    try:
        sub = conn.execute("SELECT id FROM submissions WHERE form = 'kids' AND slot = ? AND "
                           "superseded_by IS NULL", (group,)).fetchone()["id"]
        with conn:
            for key, fields in values.items():
                for fid, value in fields.items():
                    conn.execute("INSERT INTO record_values (submission_id, item_key, field, "
                                 "value, sheet, cell) VALUES (?, ?, ?, ?, '入力', 'Z1') "
                                 "ON CONFLICT (submission_id, item_key, field) DO UPDATE "
                                 "SET value = excluded.value, sheet = excluded.sheet, "
                                 "cell = excluded.cell", (sub, key, fid, store.dumps(value)))
    finally:
        conn.close()


def test_list_form_of_our_own_integer_and_date_columns(tmp_path):
    ws, books = kids_workspace(tmp_path)
    returned = kids_fill(books["総務"], {"1": {"備考": "@未定"}, "2": {"備考": "週1回"}},
                         tmp_path / "in" / "soumu.xlsx")
    rep = api.ingest(ws, [returned])
    assert rep.ok, [p.message() for f in rep.files for p in f.problems]
    # a list form stores integers and dates typed once fieldtypes reads them; here the master
    # is given them as typed ingest writes them
    store_typed(ws, "総務", {"1": {"count": 12, "start": "2023-04-01"},
                             "2": {"count": 3, "start": "2024-10-15"}})
    df = fujimi_xl.frame(ws, "kids", PROGRESS_YEAR)
    assert [str(df[c].dtype) for c in ("no", "topic", "count", "memo")] == [
        "string", "string", "Int64", "string"]
    assert pd.api.types.is_datetime64_dtype(df["start"].dtype)  # naive: a date has no zone
    assert df["count"].tolist() == [12, 3, pd.NA]
    assert df["start"].tolist()[:2] == [pd.Timestamp(2023, 4, 1), pd.Timestamp(2024, 10, 15)]
    assert pd.isna(df["start"].iloc[2])
    assert df["version"].tolist() == [1, 1, pd.NA]
    assert df["count"].sum() == 15  # typed: pandas adds them up
    # the exports write the typed values: numbers as numbers, dates as ISO dates
    out = api.export(ws, "kids", PROGRESS_YEAR, tmp_path / "kids.csv", "csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["番号", "事業", "実施回数", "開始日", "備考", "担当", "部", "グループ", "提出"]
    assert rows[1] == ["1", "学習教室", "12", "2023-04-01", "'@未定", "総務", "総務部",
                       "総務グループ", "提出済"]
    assert rows[3][2:5] == ["", "", ""] and rows[3][-1] == "未提出"
    data = json.loads(api.export(ws, "kids", PROGRESS_YEAR, tmp_path / "k.json", "json")
                      .read_text(encoding="utf-8"))
    assert data["rows"][1]["実施回数"] == 3 and data["rows"][1]["開始日"] == "2024-10-15"
    x = openpyxl.load_workbook(api.export(ws, "kids", PROGRESS_YEAR, tmp_path / "k.xlsx",
                                          "xlsx"))["データ"]
    assert (x["C2"].value, x["C2"].data_type) == (12, "n")
    assert (x["E2"].value, x["E2"].data_type) == ("@未定", "s")


def test_values_not_of_the_type_are_kept_as_stored(tmp_path):
    """A master written before values were stored typed ("12", a date as typed): the column
    holds the values as they are, nothing dropped or guessed."""
    ws, books = kids_workspace(tmp_path)
    assert api.ingest(ws, [kids_fill(books["総務"], {"1": {"備考": "a"}},
                                     tmp_path / "in" / "s.xlsx")]).ok
    store_typed(ws, "総務", {"1": {"count": "12", "start": "R5.4.1"},
                             "2": {"count": 3, "start": "2023-04-01"}})
    df = fujimi_xl.frame(ws, "kids", PROGRESS_YEAR)
    assert str(df["count"].dtype) == "object" and str(df["start"].dtype) == "object"
    assert df["count"].tolist()[:2] == ["12", 3]
    assert df["start"].tolist()[:2] == ["R5.4.1", "2023-04-01"]


def test_a_field_named_like_a_frame_column_keeps_its_id(tmp_path):
    """A form may call a field ``version``: the field's column keeps the id, the frame's own
    column moves aside (``_version``) and says so in ``df.attrs["meta"]``."""
    form = {**KIDS_FORM, "fields": [*KIDS_FORM["fields"],
                                    {"id": "version", "label": "版", "role": "input"}]}
    schema = {**KIDS_SCHEMA, "properties": {**KIDS_SCHEMA["properties"],
                                            "version": {"type": "string"}}}
    ws, books = kids_workspace(tmp_path, form, schema)
    assert api.ingest(ws, [kids_fill(books["総務"], {"1": {"版": "第2版"}},
                                     tmp_path / "in" / "s.xlsx")]).ok
    df = fujimi_xl.frame(ws, "kids", PROGRESS_YEAR)
    assert df.attrs["meta"]["version"] == "_version"
    assert df["_version"].tolist() == [1, 1, pd.NA]
    assert df["version"].tolist() == ["第2版", pd.NA, pd.NA]
    rows = list(csv.reader(api.export(ws, "kids", PROGRESS_YEAR, tmp_path / "k.csv", "csv")
                           .read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][5] == "版" and rows[1][5] == "第2版"
    assert [r[-1] for r in rows[1:]] == ["提出済", "提出済", "未提出"]


@pytest.mark.skipif(importlib.util.find_spec("fujimi_xl.forms.fieldtypes") is None,
                    reason="integers and dates in a list form are read by fujimi_xl.forms.fieldtypes")
def test_list_form_of_our_own_typed_through_ingest(tmp_path):
    ws, books = kids_workspace(tmp_path)
    returned = kids_fill(books["総務"], {"1": {"実施回数": "１２", "開始日": "令和5年4月1日"},
                                         "2": {"実施回数": 3, "開始日": dt.datetime(2024, 10, 15)}},
                         tmp_path / "in" / "soumu.xlsx")
    rep = api.ingest(ws, [returned])
    assert rep.ok, [p.message() for f in rep.files for p in f.problems]
    df = fujimi_xl.frame(ws, "kids", PROGRESS_YEAR)
    assert str(df["count"].dtype) == "Int64" and df["count"].tolist() == [12, 3, pd.NA]
    assert str(df["start"].dtype).startswith("datetime64")
    assert df["start"].tolist()[:2] == [pd.Timestamp(2023, 4, 1), pd.Timestamp(2024, 10, 15)]


# -- exports: BOM, formula guard, strict JSON, xlsx -----------------------------------------

def test_exports_guard_formulas_and_write_strict_json(progress, action_plan, tmp_path):
    use_master(progress)
    raw = api.export(progress, "progress", PROGRESS_YEAR, tmp_path / "p.csv", "csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    hoiku = {r[3]: r for r in rows if r[8] == "保育"}
    assert hoiku["就労に向けた資格取得支援"][4:8] == [
        "'-5件の減", "A", "'=HYPERLINK(\"http://example.invalid\")", "'@担当者に確認"]
    not_back = [r[11] for r in rows if r[8] == NOT_BACK]
    assert not_back and set(not_back) == {"未提出"}
    use_master(action_plan)
    ap = list(csv.reader(api.export(action_plan, "action_plan", ACTION_YEAR, tmp_path / "a.csv",
                                    "csv").read_text(encoding="utf-8-sig").splitlines()))
    head = ap[0]
    two = ap[2]
    assert two[head.index("特記事項")] == "'+県補助金"
    assert two[head.index("次年度事業費予算")] == "1500"  # a whole amount, not 1500.0
    assert two[head.index("実績値（2年目）")] == "'-"

    def strict(name: str) -> Any:
        raise AssertionError(f"non-standard JSON constant {name}")

    conn = action_plan.connect()
    try:  # a master written before non-finite numbers were refused
        with conn:
            conn.execute("UPDATE record_values SET value = 'NaN' WHERE field = 'total_3'")
            conn.execute("UPDATE record_values SET value = 'Infinity' WHERE field = 'result_1'")
        data = json.loads(api.export(action_plan, "action_plan", ACTION_YEAR,
                                     tmp_path / "a.json", "json").read_text(encoding="utf-8"),
                          parse_constant=strict)
        x = openpyxl.load_workbook(api.export(action_plan, "action_plan", ACTION_YEAR,
                                              tmp_path / "a.xlsx", "xlsx"))["データ"]
    finally:
        with conn:
            conn.execute("UPDATE record_values SET value = '1200' WHERE field = 'total_3'")
        conn.close()
    assert [r["事業費総額（3年目）"] for r in data["rows"]] == [None, None, None]
    assert [r["実績値（1年目）"] for r in data["rows"]] == [None, None, None]
    assert data["rows"][1]["特記事項"] == "'+県補助金"
    assert data["rows"][1]["事業費総額（1年目）"] == 1200
    xhead = [c.value for c in x[1]]
    budget = x.cell(3, xhead.index("次年度事業費予算") + 1)
    assert (budget.value, budget.data_type) == (1500, "n")
    notes = x.cell(3, xhead.index("特記事項") + 1)
    assert (notes.value, notes.data_type) == ("+県補助金", "s")
