"""The engine knows no form (issue 13, item 6): no default form name and no shipped field id in
engine code; what the engine needs the definition says, and a command without --form uses the
only form there is or asks for one, listing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fujimi_xl import api
from fujimi_xl.core.messages import error_text
from fujimi_xl.demo import write_sample_plan

from .conftest import OtherMaster

YEAR = 2017


def _listing() -> str:
    """The package's forms as form_needed lists them (a form shipped later is listed too)."""
    from fujimi_xl.lifecycle.names import SEP, form_choices

    return SEP.join(f"{n}（{'・'.join(ts)}）" if ts else n for n, ts in form_choices(None))


FORMS = _listing()
assert "action_plan（アクションプラン）" in FORMS and "progress（進捗状況評価）" in FORMS


def test_plan_template_without_form_asks_for_one_listing_the_forms(run: Any,
                                                                     tmp_path: Path) -> None:
    res = run("plan-template", tmp_path / "plan.xlsx")
    assert res.exit_code == 2
    assert error_text("form_needed", "ja", forms=FORMS) in res.output
    assert not (tmp_path / "plan.xlsx").exists()


def test_init_with_a_plan_and_without_form_asks_for_one_and_creates_nothing(
        run: Any, tmp_path: Path) -> None:
    plan = write_sample_plan(tmp_path / "plan.xlsx")
    res = run("init", tmp_path / "ws", "--plan", plan)
    assert res.exit_code == 2
    assert error_text("form_needed", "ja", forms=FORMS) in res.output
    assert not (tmp_path / "ws").exists()


def test_an_empty_workspace_needs_no_form(run: Any, tmp_path: Path) -> None:
    assert run("init", tmp_path / "ws").exit_code == 0


def test_plan_and_import_report_use_the_only_form_of_the_plan(run: Any, ws: Any,
                                                              tmp_path: Path) -> None:
    # the workspace's plan has items of one form only: that is the form meant
    plan = write_sample_plan(tmp_path / "plan.xlsx")
    res = run("plan", plan, "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert "計画を更新しました" in res.output
    table = api.report(ws, "progress", YEAR, tmp_path / "r.xlsx").path
    res = run("import-report", table, "-w", ws.root)
    assert res.exit_code == 0, res.output


def test_import_report_into_an_empty_workspace_asks_for_the_form(run: Any, ws: Any,
                                                                 tmp_path: Path) -> None:
    table = api.report(ws, "progress", YEAR, tmp_path / "r.xlsx").path
    with OtherMaster():
        fresh = api.init(tmp_path / "fresh")
        res = run("import-report", table, "-w", fresh.root)
    assert res.exit_code == 2
    assert error_text("form_needed", "ja", forms=FORMS) in res.output


def test_the_api_without_form_refuses_in_words(tmp_path: Path) -> None:
    from fujimi_xl.core.errors import FujimiError

    try:
        api.plan_template(tmp_path / "plan.xlsx")
    except FujimiError as exc:
        assert exc.message("en") == error_text("form_needed", "en", forms=FORMS)
    else:
        raise AssertionError("a plan template without a form was written")


# -- no shipped form in engine code ----------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
# Words that are ids of a shipped form's fields and also the engine's own words for something
# else. Each is allowed only where said, with the reason; a field id never is.
GENERIC: dict[str, tuple[set[str] | None, str]] = {
    "name": (None, "a definition's key (form name, period name), a group's name, chart options"),
    "label": (None, "a definition's key: a field's or sheet cell's label"),
    "text": (None, "a field type of the meta-schema (and a reader cell type)"),
    "number": (None, "a field type of the meta-schema"),
    "indicator": (None, "a field type of the meta-schema"),
    "period": (None, "a list column type of the meta-schema"),
    "check": ({"sheet_generator.py", "sheet_layout.py", "cli.py", "__init__.py"},
              "a sheet cell kind (the sum check cell, checked by the rules registry) and the "
              "`form check` command"),
    "item": ({"cli.py", "ingest.py", "reporting.py", "reporting_sheet.py"},
             "the unit 'item' of a form and the place of a report warning"),
    "status": ({"__init__.py", "api.py", "cli.py"}, "the status command"),
    "plan": ({"cli.py"}, "the plan command"),
    "start": ({"api.py", "ingest.py"}, "the start() of a progress callback"),
    "count": ({"sheet_layout.py"}, "the count of a sheet form's period placeholders"),
    "reason": ({"formcheck.py"}, "the reason of a definition problem"),
}


def _shipped_ids() -> dict[str, set[str]]:
    """Every form name and id of a shipped definition (fields, references, lists and their
    columns, choices) -> the forms it comes from."""
    import json

    out: dict[str, set[str]] = {}

    def walk(o: Any, form: str) -> None:
        if isinstance(o, dict):
            if isinstance(o.get("id"), str):
                out.setdefault(o["id"], set()).add(form)
            for v in o.values():
                walk(v, form)
        elif isinstance(o, list):
            for v in o:
                walk(v, form)

    for path in sorted((ROOT / "templates").glob("*/form.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        out.setdefault(raw["name"], set()).add(raw["name"])
        walk(raw.get("fields"), raw["name"])
        walk(raw.get("references"), raw["name"])
        for lid, spec in (raw.get("lists") or {}).items():
            out.setdefault(lid, set()).add(raw["name"])
            walk(spec, raw["name"])
    return out


def test_no_shipped_form_name_or_field_id_in_engine_code() -> None:
    import ast

    ids = _shipped_ids()
    assert {"progress", "action_plan", "plan", "grade", "section", "start_year"} <= set(ids)
    found = []
    for path in sorted((ROOT / "fujimi_xl").rglob("*.py")):  # subpackages too
        if path.name == "demo.py":  # the demo builds the shipped forms' sample data
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if node.value not in ids:
                continue
            where, _ = GENERIC.get(node.value, (set(), ""))
            if where is None or path.name in where:
                continue
            found.append(f"{path.name}:{node.lineno}: {node.value!r} "
                         f"({'・'.join(sorted(ids[node.value]))})")
    assert not found, "engine code names a shipped form or field:\n" + "\n".join(found)


def test_the_generic_words_are_few_and_each_has_a_reason() -> None:
    assert len(GENERIC) <= 14
    assert all(reason for _, reason in GENERIC.values())
    ids = _shipped_ids()
    assert not {"progress", "action_plan"} & set(GENERIC)
    # a word no shipped form uses any more is not kept allowed
    assert set(GENERIC) <= set(ids)


# -- forms of our own, named differently, through the whole engine -----------------------------

def _write(folder: Path, raw: dict[str, Any], schema: dict[str, Any]) -> Path:
    import json

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "form.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    (folder / "schema.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    return folder


CLUBS = {
    "name": "clubs", "version": 1, "title": "居場所調べ", "layout": "list", "input_sheet": "記入",
    "key": ["bu", "seq"],
    "roles": {"title": "program"},
    "fields": [
        {"id": "bu", "label": "部", "role": "key", "display": "{n}", "width": 5},
        {"id": "seq", "label": "番", "role": "key", "display": "{n}", "width": 5},
        {"id": "program", "label": "取組名", "role": "locked", "width": 24},
        {"id": "done", "label": "{year}の様子", "role": "input", "width": 30},
        {"id": "held", "label": "開催", "role": "input", "width": 6, "choices": "yn"},
        {"id": "memo", "label": "備考", "role": "input", "width": 20},
    ],
    "references": [{"id": "was", "label": "{prev_year}の様子", "from": "done", "width": 20}],
    "choices": {"yn": [{"value": "有", "label": "開催した"}, {"value": "無", "label": "しなかった"}]},
    "instructions": ["{group} の{year_long}の記入用ブックです。"],
    "report": {"group_by": "bu", "columns": ["bu", "seq", "program", "done", "held", "memo"],
               "carry_columns": ["was"], "carry_after": "program", "summary_field": "held",
               "merge": ["bu", "seq", "program"]},
}
CLUBS_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {"bu": {"type": "integer", "minimum": 1}, "seq": {"type": "integer", "minimum": 1},
                   "program": {"type": "string"}, "done": {"type": "string", "minLength": 1},
                   "held": {"enum": ["有", "無"]}, "memo": {"type": "string"}},
    "required": ["bu", "seq", "program", "done", "held"],
}


def _list_plan(path: Path, ws_root: Path) -> Path:
    import openpyxl

    api.plan_template(path, "clubs", workspace=ws_root)
    wb = openpyxl.load_workbook(path)
    wb["計画"].append([1, 1, "こども食堂", "G1"])
    wb["計画"].append([1, 2, "学習支援教室", "G1"])
    wb["計画"].append([2, 1, "放課後の居場所", "G2"])
    wb["担当一覧"].append(["G1", "こども部", "こどもグループ"])
    wb["担当一覧"].append(["G2", "教育部", "学びグループ"])
    wb["設定"]["B1"] = "居場所の計画"
    wb.save(path)
    return path


def _fill_list(book: Path, answers: dict[str, dict[str, str]], form: Any, year: int) -> Path:
    import openpyxl

    from fujimi_xl.layouts.list.generator import FIRST_ROW, HEADER_ROW, KEY_HEADER

    wb = openpyxl.load_workbook(book)
    sheet = wb[form.input_sheet]
    head = {sheet.cell(HEADER_ROW + 1, c).value: c for c in range(1, sheet.max_column + 1)}
    assert head[KEY_HEADER] == 1
    for r in range(FIRST_ROW + 1, sheet.max_row + 1):
        for fid, value in answers.get(sheet.cell(r, 1).value, {}).items():
            sheet.cell(r, head[form.by_id[fid].label_for(year)]).value = value
    wb.save(book)
    return book


def test_a_list_form_of_our_own_goes_through_the_whole_engine(tmp_path: Path) -> None:
    import shutil

    import openpyxl

    from fujimi_xl.forms import load_form

    root = tmp_path / "ws"
    _write(root / "templates" / "clubs", CLUBS, CLUBS_SCHEMA)
    ws = api.init(root, _list_plan(tmp_path / "plan.xlsx", root), "clubs")
    form = load_form("clubs", root)
    assert form.title_field == "program"
    gen = api.generate(ws, "clubs", YEAR)
    books = {g: p for g, p, _ in gen.files}
    assert sorted(books) == ["G1", "G2"]
    answers = {"G1": {"1-1": {"done": "毎週土曜に開催", "held": "有"},
                      "1-2": {"done": "夏休みに5回", "held": "有", "memo": "講師2名"}},
               "G2": {"2-1": {"done": "準備中", "held": "無"}}}
    keys = {}
    for g, book in books.items():
        sheet = openpyxl.load_workbook(book)[form.input_sheet]
        keys[g] = [sheet.cell(r, 1).value for r in range(5, sheet.max_row + 1)
                   if sheet.cell(r, 1).value]
    assert keys == {"G1": ["1-1", "1-2"], "G2": ["2-1"]}
    res = api.ingest(ws, [_fill_list(books[g], answers[g], form, YEAR) for g in books])
    assert [f.outcome for f in res.files] == ["accepted", "accepted"], [
        [(p.where(), p.code) for p in f.problems] for f in res.files]

    out = api.report(ws, "clubs", YEAR, tmp_path / "report.xlsx").path
    wb = openpyxl.load_workbook(out)
    texts = {c.value for s in wb.worksheets for row in s.iter_rows() for c in row if c.value}
    assert {"こども食堂", "毎週土曜に開催", "夏休みに5回", "講師2名", "準備中"} <= texts

    # import-report of its own report, into a new workspace that has the definition
    with OtherMaster():
        fresh = api.init(tmp_path / "fresh")
        shutil.copytree(root / "templates", fresh.root / "templates")
        got = api.import_report(fresh, out, "clubs")
        assert got.ok, [(p.where(), p.code) for p in got.problems]
        # a new workspace: each item's first owner is the placeholder group 未割当1
        assert (got.year, got.rows, got.versions, got.created_plan) == (YEAR, 3, 1, True)
        df = api.frame(fresh, "clubs", YEAR)
    assert sorted(zip(df["program"], df["done"], df["held"], strict=True)) == [
        ("こども食堂", "毎週土曜に開催", "有"), ("学習支援教室", "夏休みに5回", "有"),
        ("放課後の居場所", "準備中", "無")]

    # rollover: last year's 様子 is beside the title field in next year's report
    roll = api.rollover(ws, "clubs", YEAR, YEAR + 1)
    assert roll.carried == 3
    nxt = api.report(ws, "clubs", YEAR + 1, tmp_path / "next.xlsx").path
    sheet = openpyxl.load_workbook(nxt).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    head = next(r for r in rows if "取組名" in r)
    assert head[head.index("取組名") + 1] == form.by_id["was"].label_for(YEAR + 1)
    assert any("毎週土曜に開催" in r for r in rows)


SHEETFORM = {
    "name": "budget_sheet", "version": 1, "title": "事業シート", "layout": "sheet", "unit": "item",
    "input_sheet": "事業シート", "key": ["pid"],
    "roles": {"title": "pname"},
    "fields": [
        {"id": "pid", "label": "番号", "role": "key", "display": "{n}", "width": 6},
        {"id": "pname", "label": "名称", "role": "locked", "width": 20},
        {"id": "since", "label": "開始年度", "role": "locked", "type": "year", "width": 8},
        {"id": "cost_a", "label": "費用（初年度）", "role": "input", "type": "kyen", "width": 8},
        {"id": "cost_b", "label": "費用（次年度）", "role": "input", "type": "kyen", "width": 8},
        {"id": "remark", "label": "所見", "role": "input", "width": 40},
    ],
    "sheet": {
        "columns": [10, 10, 10, 10],
        "periods": [{"name": "p", "field": "since", "default": 0, "count": 2, "style": "full"},
                    {"name": "from", "field": "since", "default": 0}],
        "rows": [
            [{"heading": "事業の概要（{from}年度から）"}],
            [{"label": "名称"}, {"field": "pname", "span": 3}],
            [{"label": "費用 {p1}"}, {"field": "cost_a"}, {"label": "費用 {p2}"}, {"field": "cost_b"}],
            [{"label": "所見"}, {"field": "remark", "span": 3}],
        ],
    },
    "instructions": ["{group} の{year_long}の「{program_name}」の事業シートです。"],
    "report": {"paper": "A4", "orientation": "portrait",
               "overview": {"title": "pname", "budget": "cost_a", "budget_years": 1}},
}
SHEET_SCHEMA = {
    "type": "object",
    "properties": {"pid": {"type": "integer", "minimum": 1}, "pname": {"type": "string"},
                   "since": {"type": "integer"}, "cost_a": {"type": "number"},
                   "cost_b": {"type": "number"}, "remark": {"type": "string"}},
    "required": ["pid", "pname"],
}


def test_a_sheet_form_of_our_own_with_its_own_period_placeholders(tmp_path: Path) -> None:
    import openpyxl

    from fujimi_xl.core import fiscal
    from fujimi_xl.forms import load_form

    root = tmp_path / "ws"
    _write(root / "templates" / "budget_sheet", SHEETFORM, SHEET_SCHEMA)
    plan = tmp_path / "plan.xlsx"
    api.plan_template(plan, "budget_sheet", workspace=root)
    wb = openpyxl.load_workbook(plan)
    wb["計画"].append([7, "水辺の散策路", 2015, "G1"])
    wb["担当一覧"].append(["G1", "まち部", "みどりグループ"])
    wb.save(plan)
    ws = api.init(root, plan, "budget_sheet")
    gen = api.generate(ws, "budget_sheet", YEAR)
    ((slot, book, _),) = gen.files
    assert slot == "7"  # one book per item
    assert "水辺の散策路" in book.name  # the title field names the book
    wb = openpyxl.load_workbook(book)
    sheet = wb["事業シート"]
    texts = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    # the definition's own placeholders, from the item's 開始年度 (2015)
    assert {f"費用 {fiscal.full_label(2015)}", f"費用 {fiscal.full_label(2016)}",
            "事業の概要（2015年度から）"} <= texts
    for fid, value in {"cost_a": "1,200", "cost_b": 300, "remark": "順調"}.items():
        dest = wb.defined_names[f"fx_f_{fid}"].destinations
        title, ref = next(iter(dest))
        wb[title][ref.replace("$", "")].value = value
    wb.save(book)
    res = api.ingest(ws, [book])
    assert [f.outcome for f in res.files] == ["accepted"], [
        [(p.where(), p.code) for p in f.problems] for f in res.files]
    df = api.frame(ws, "budget_sheet", YEAR)
    assert (float(df["cost_a"][0]), float(df["cost_b"][0]), df["remark"][0]) == (
        1200.0, 300.0, "順調")

    out = api.report(ws, "budget_sheet", YEAR, tmp_path / "book.xlsx").path
    rep = openpyxl.load_workbook(out)
    assert rep.sheetnames == ["一覧", "7_水辺の散策路"]
    overview = [[c.value for c in row] for row in rep["一覧"].iter_rows()]
    row = next(r for r in overview if r[0] == "7")
    assert row[1] == "水辺の散策路" and "1200" in str(row[8])
    page = {c.value for r in rep["7_水辺の散策路"].iter_rows() for c in r if c.value}
    assert f"費用 {fiscal.full_label(2015)}" in page and "順調" in page
    assert load_form("budget_sheet", root).title_field == "pname"


def test_import_report_into_a_sheet_form_is_refused_in_words(run: Any, ws: Any,
                                                             tmp_path: Path) -> None:
    table = api.report(ws, "progress", YEAR, tmp_path / "r.xlsx").path
    res = run("import-report", table, "-w", ws.root, "--form", "action_plan")
    assert res.exit_code == 2
    assert error_text("not_a_list_form", "ja", form="action_plan") in res.output
    assert "Traceback" not in res.output


def test_a_typo_in_what_the_definition_tells_the_engine_is_said_in_one_line(
        tmp_path: Path) -> None:
    import copy

    raw = copy.deepcopy(CLUBS)
    raw["roles"] = {"title": "progam"}
    raw["report"] = {**CLUBS["report"], "carry_after": "progrm"}
    folder = _write(tmp_path / "clubs", raw, CLUBS_SCHEMA)
    res = api.check_form(folder)
    where = sorted(p.to_dict()["path"] for p in res.problems)
    assert where == ["report.carry_after", "roles.title"]
    sheet = copy.deepcopy(SHEETFORM)
    sheet["sheet"]["periods"][0]["field"] = "sinse"
    folder = _write(tmp_path / "budget_sheet", sheet, SHEET_SCHEMA)
    assert [p.to_dict()["path"] for p in api.check_form(folder).problems] == [
        "sheet.periods[0].field"]
