"""Values that would change meaning are refused at their cell, and a text field holds what the
person saw: non-finite numbers, numbers out of range, cell XML that Excel never writes,
formulas in input cells, and numbers or dates that Excel or Calc formatted (50%, 1月2日, 1,200).

Every workbook here goes the real way: generated, filled with openpyxl as staff would, then one
cell's XML rewritten in the zip as a hostile or odd writer would leave it."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.core.messages import text
from fujimi_xl.demo import (
    fill_sheet_workbook,
    sample_programs_data,
    write_sample_plan,
    write_sample_programs,
)

from . import hostile
from .conftest import col_of, copy_workspace, input_sheet, master_snapshot, row_of

KEY = "4-2-1"  # an item of the group 保育 in the sample plan
AP_YEAR = 2018


# -- helpers ---------------------------------------------------------------------------------

def set_cell_xml(src: Path, out: Path, sheet: str, address: str, xml: str) -> Path:
    """A copy of ``src`` whose cell ``address`` on ``sheet`` is the XML ``xml`` (the cell's
    style kept): what a writer other than Excel could leave in the file."""
    part = hostile.input_sheet_part(src, sheet)
    data = hostile.parts(src)[part]
    cell = re.compile(rb'<c r="' + address.encode() + rb'"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)',
                      re.S)
    m = cell.search(data)
    assert m, f"no cell {address} in {part}"
    style = re.search(rb'\ss="\d+"', m.group("attrs"))
    new = xml.encode().replace(b"<c ", b"<c " + (style.group().strip() + b" " if style else b""),
                               1)
    return hostile.with_parts(src, out, {part: data[:m.start()] + new + data[m.end():]})


def refused(ws: Any, path: Path) -> Any:
    before = master_snapshot(ws)
    report = api.ingest(ws, [path])
    [res] = report.files
    assert res.outcome == "rejected", [(p.where(), p.code) for p in res.problems]
    assert master_snapshot(ws) == before
    return res


def accepted(ws: Any, path: Path) -> Any:
    report = api.ingest(ws, [path])
    [res] = report.files
    assert res.outcome == "accepted", [(p.where(), p.code, p.message()) for p in res.problems]
    return res


def stored(ws: Any, form: str, key: str, field: str) -> Any:
    conn = ws.connect()
    try:
        row = conn.execute("SELECT value, cell FROM current_values WHERE form = ? AND "
                           "item_key = ? AND field = ?", (form, key, field)).fetchone()
    finally:
        conn.close()
    return None if row is None else (json.loads(row["value"]), row["cell"])


def errors_at(res: Any) -> list[tuple[str, str, str]]:
    return [(p.where(), p.field, p.code) for p in res.problems if p.severity == "error"]


# -- the list layout (progress) -------------------------------------------------------------

@pytest.fixture
def progress_file(outbox, fill, tmp_path) -> tuple[Path, str, str, str]:
    """A valid filled workbook of 保育, the input sheet's name, the 実施内容 cell of KEY and
    its header label."""
    path = fill(outbox["保育"], "保育")
    wb = openpyxl.load_workbook(path)
    sheet = input_sheet(wb)
    cell = sheet.cell(row_of(sheet, KEY), col_of(sheet, "実施内容"))
    return path, sheet.title, cell.coordinate, sheet.cell(4, cell.column).value


@pytest.mark.parametrize("v", ["NaN", "inf", "-INF", "1e309"])
def test_a_non_finite_number_in_a_text_cell_is_refused_there(ws, progress_file, tmp_path, v):
    path, sheet, cell, label = progress_file
    bad = set_cell_xml(path, tmp_path / "bad.xlsx", sheet, cell, f'<c r="{cell}"><v>{v}</v></c>')
    res = refused(ws, bad)
    assert errors_at(res) == [(f"{sheet}!{cell}", label, "not_finite")]
    msg = res.problems[0].message()
    assert msg == text("not_finite", "ja", **{"value": res.problems[0].value,
                                              **res.problems[0].params})
    assert "数として扱えない" in msg and "入力し直して" in msg


@pytest.mark.parametrize(("name", "xml"), [
    ("two_t", '<c r="{a}" t="inlineStr"><is><t>保育</t><t>保育</t></is></c>'),
    ("v_and_is", '<c r="{a}" t="inlineStr"><v>1</v><is><t>保育</t></is></c>'),
    ("date_text", '<c r="{a}" t="d"><v>保育所の案内</v></c>'),
    ("two_v", '<c r="{a}" t="str"><v>保育</v><v>保育所</v></c>'),
    ("is_in_a_string_cell", '<c r="{a}" t="str"><is><t>保育</t></is></c>'),
])
def test_cell_xml_that_excel_never_writes_is_refused_at_the_cell(ws, progress_file, tmp_path,
                                                                 name, xml):
    path, sheet, cell, label = progress_file
    bad = set_cell_xml(path, tmp_path / f"{name}.xlsx", sheet, cell, xml.format(a=cell))
    res = refused(ws, bad)
    assert errors_at(res) == [(f"{sheet}!{cell}", label, "odd_cell_xml")]
    assert "Excel" in res.problems[0].message()


def doubled_shared_string(src: Path, out: Path, sheet: str, address: str, text_: str) -> Path:
    """A copy whose cell ``address`` shows a shared string holding its <t> twice (a reader
    joins them). openpyxl writes inline strings: the shared strings part is added as Excel
    has it (content type, relationship)."""
    members = hostile.parts(src)
    assert "xl/sharedStrings.xml" not in members
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
           'schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           f"<si><t>{text_}</t><t>{text_}</t></si></sst>").encode()
    types = members["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    rels = members["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    tmp = hostile.with_parts(src, out.with_suffix(".tmp.xlsx"), {
        "xl/sharedStrings.xml": sst, "[Content_Types].xml": types,
        "xl/_rels/workbook.xml.rels": rels})
    return set_cell_xml(tmp, out, sheet, address, f'<c r="{address}" t="s"><v>0</v></c>')


def test_a_shared_string_with_two_t_is_refused_where_it_shows(ws, progress_file, tmp_path):
    path, sheet, cell, label = progress_file
    bad = doubled_shared_string(path, tmp_path / "sst.xlsx", sheet, cell, "保育所の空き状況")
    res = refused(ws, bad)
    assert errors_at(res) == [(f"{sheet}!{cell}", label, "odd_cell_xml")]


def test_a_run_of_rich_text_is_read_once(ws, progress_file, tmp_path):
    """Runs (<r>) are what Excel writes for rich text: read, joined, accepted."""
    path, sheet, cell, _ = progress_file
    good = set_cell_xml(path, tmp_path / "runs.xlsx", sheet, cell,
                        f'<c r="{cell}" t="inlineStr"><is><r><t>保育所の</t></r><r><rPr><b/></rPr>'
                        '<t>案内</t></r></is></c>')
    accepted(ws, good)
    assert stored(ws, "progress", KEY, "result") == ("保育所の案内", cell)


def test_a_formula_with_a_cached_value_is_read_with_a_warning(ws, progress_file, tmp_path):
    path, sheet, cell, label = progress_file
    f = set_cell_xml(path, tmp_path / "formula.xlsx", sheet, cell,
                     f'<c r="{cell}" t="str"><f>"A"</f><v>B</v></c>')
    res = accepted(ws, f)
    assert [(p.where(), p.field, p.code, p.severity) for p in res.problems] == [
        (f"{sheet}!{cell}", label, "formula_input", "warning")]
    assert "B" in res.problems[0].message() and '="A"' in res.problems[0].message()
    assert stored(ws, "progress", KEY, "result") == ("B", cell)
    checked = api.verify(ws)  # the accepted file reads back to the same values
    assert checked.ok, checked.messages()


def test_a_formula_without_a_cached_value_is_refused(ws, progress_file, tmp_path):
    path, sheet, cell, label = progress_file
    f = set_cell_xml(path, tmp_path / "formula.xlsx", sheet, cell,
                     f'<c r="{cell}" t="str"><f>"A"</f></c>')
    res = refused(ws, f)
    assert errors_at(res) == [(f"{sheet}!{cell}", label, "formula_no_value")]
    assert "Excel で開いて保存し直してください" in res.problems[0].message()


@pytest.mark.parametrize(("value", "fmt", "shown"), [
    (0.5, "0%", "50%"),
    (dt.datetime(2026, 1, 2), 'm"月"d"日"', "1月2日"),
    (1200, "#,##0", "1,200"),
    (0.125, "0.0%", "12.5%"),
    (dt.datetime(2018, 6, 18), 'yyyy"年"m"月"d"日"', "2018年6月18日"),
])
def test_a_text_field_holds_what_the_cell_showed(ws, progress_file, tmp_path, value, fmt,
                                                 shown):
    path, sheet, cell, _ = progress_file
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell].value = value
    wb[sheet][cell].number_format = fmt
    out = tmp_path / "shown.xlsx"
    wb.save(out)
    accepted(ws, out)
    assert stored(ws, "progress", KEY, "result") == (shown, cell)


# -- the sheet layout (action_plan) ---------------------------------------------------------

@pytest.fixture(scope="module")
def _ap_base(tmp_path_factory):
    root = tmp_path_factory.mktemp("values_ap")
    ws = api.init(root / "ws", write_sample_plan(root / "plan.xlsx"), "progress")
    api.load_plan(ws, write_sample_programs(root / "programs.xlsx"), "action_plan")
    api.generate(ws, "action_plan", AP_YEAR)
    return root / "ws"


@pytest.fixture
def ap(_ap_base, tmp_path) -> tuple[Any, Path]:
    """A fresh action-plan workspace and program 3's workbook filled with the sample answers."""
    copy_workspace(_ap_base, tmp_path / "ws")
    ws = api.open_workspace(tmp_path / "ws")
    src = next((ws.outbox / str(AP_YEAR) / "action_plan").glob("*_3_*.xlsx"))
    answers = sample_programs_data()["responses"]["3"]
    return ws, fill_sheet_workbook(src, answers, tmp_path / "filled_3.xlsx")


def named(path: Path, name: str) -> tuple[str, str]:
    wb = openpyxl.load_workbook(path)
    dest = next(iter(wb.defined_names[name].destinations))
    return dest[0], dest[1].replace("$", "").split(":")[0]


def ap_label(ws: Any, fid: str) -> str:
    from fujimi_xl.forms import load_form

    return load_form("action_plan").by_id[fid].label


@pytest.mark.parametrize("fid", ["next_budget", "result_1"])
@pytest.mark.parametrize(("how", "v"), [("number", "NaN"), ("number", "1e309"),
                                         ("number", "-INF"), ("text", "NaN"),
                                         ("text", "-INF"), ("text", "1e309"), ("text", "inf")])
def test_a_non_finite_amount_or_result_is_refused_there(ap, tmp_path, fid, how, v):
    ws, path = ap
    sheet, cell = named(path, f"fx_f_{fid}")
    xml = (f'<c r="{cell}"><v>{v}</v></c>' if how == "number" else
           f'<c r="{cell}" t="inlineStr"><is><t>{v}</t></is></c>')
    res = refused(ws, set_cell_xml(path, tmp_path / "bad.xlsx", sheet, cell, xml))
    assert errors_at(res) == [(f"{sheet}!{cell}", ap_label(ws, fid), "not_finite")]


@pytest.mark.parametrize("v", ["1e20", "-1e16"])
def test_an_amount_out_of_range_is_refused_there(ap, tmp_path, v):
    ws, path = ap
    sheet, cell = named(path, "fx_f_next_budget")
    res = refused(ws, set_cell_xml(path, tmp_path / "big.xlsx", sheet, cell,
                                   f'<c r="{cell}"><v>{v}</v></c>'))
    assert errors_at(res) == [(f"{sheet}!{cell}", ap_label(ws, "next_budget"), "out_of_range")]
    assert "999,999,999,999,999" in res.problems[0].message()


@pytest.mark.parametrize(("name", "xml"), [
    ("two_t", '<c r="{a}" t="inlineStr"><is><t>特記</t><t>特記</t></is></c>'),
    ("v_and_is", '<c r="{a}" t="inlineStr"><v>1</v><is><t>特記</t></is></c>'),
    ("date_text", '<c r="{a}" t="d"><v>特記事項</v></c>'),
])
def test_odd_cell_xml_in_the_sheet_layout_is_refused_at_the_cell(ap, tmp_path, name, xml):
    ws, path = ap
    sheet, cell = named(path, "fx_f_notes")
    res = refused(ws, set_cell_xml(path, tmp_path / f"{name}.xlsx", sheet, cell,
                                   xml.format(a=cell)))
    assert errors_at(res) == [(f"{sheet}!{cell}", ap_label(ws, "notes"), "odd_cell_xml")]


def test_a_shared_string_with_two_t_in_the_sheet_layout(ap, tmp_path):
    ws, path = ap
    sheet, cell = named(path, "fx_f_notes")
    bad = doubled_shared_string(path, tmp_path / "sst.xlsx", sheet, cell, "特記事項")
    res = refused(ws, bad)
    assert errors_at(res) == [(f"{sheet}!{cell}", ap_label(ws, "notes"), "odd_cell_xml")]


def test_formulas_in_the_sheet_layout(ap, tmp_path):
    ws, path = ap
    sheet, cell = named(path, "fx_f_notes")
    res = refused(ws, set_cell_xml(path, tmp_path / "nf.xlsx", sheet, cell,
                                   f'<c r="{cell}"><f>1+1</f></c>'))
    assert errors_at(res) == [(f"{sheet}!{cell}", ap_label(ws, "notes"), "formula_no_value")]
    res = accepted(ws, set_cell_xml(path, tmp_path / "f.xlsx", sheet, cell,
                                    f'<c r="{cell}" t="str"><f>"A"</f><v>B</v></c>'))
    assert [(p.where(), p.code, p.severity) for p in res.problems] == [
        (f"{sheet}!{cell}", "formula_input", "warning")]
    assert stored(ws, "action_plan", "3", "notes") == ("B", cell)


def test_the_sheet_layout_text_holds_what_was_shown_and_amounts_keep_their_number(ap, tmp_path):
    ws, path = ap
    wb = openpyxl.load_workbook(path)
    sheet, notes = named(path, "fx_f_notes")
    _, budget = named(path, "fx_f_next_budget")
    _, do_first = named(path, "fx_l_do")
    wb[sheet][notes].value = 0.5
    wb[sheet][notes].number_format = "0%"
    wb[sheet][budget].value = 1200
    wb[sheet][budget].number_format = "#,##0"
    # the DO list's second column (取り組み): a date that Calc made of 1/2
    first = openpyxl.utils.cell.coordinate_from_string(do_first)
    action_cell = wb[sheet].cell(first[1], openpyxl.utils.column_index_from_string(first[0]) + 1)
    action_cell.value = dt.datetime(2026, 1, 2)
    action_cell.number_format = 'm"月"d"日"'
    out = tmp_path / "shown.xlsx"
    wb.save(out)
    accepted(ws, out)
    assert api.verify(ws).ok
    assert stored(ws, "action_plan", "3", "notes") == ("50%", notes)
    assert stored(ws, "action_plan", "3", "next_budget") == (1200, budget)
    do = stored(ws, "action_plan", "3", "do")[0]
    assert do[0]["action"] == "1月2日"


# -- exports --------------------------------------------------------------------------------

def test_json_export_is_strict_json_even_from_an_old_master(ws, outbox, fill, tmp_path):
    accepted(ws, fill(outbox["保育"], "保育"))
    conn = ws.connect()
    try:  # a master written before non-finite numbers were refused
        conn.execute("UPDATE record_values SET value = 'NaN' WHERE field = 'result'")
        conn.commit()
    finally:
        conn.close()
    out = api.export(ws, "progress", 2017, tmp_path / "out.json", "json")

    def strict(name: str) -> Any:
        raise AssertionError(f"non-standard JSON constant {name}")

    data = json.loads(Path(out).read_text(encoding="utf-8"), parse_constant=strict)
    assert data["rows"]


# -- as LibreOffice Calc saves it -----------------------------------------------------------

@pytest.mark.libreoffice
def test_calc_saves_the_formatted_cells_and_the_text_field_holds_what_it_showed(
        ws, progress_file, tmp_path):
    """The cells go through real LibreOffice Calc (headless, saved as .xlsx): its own number
    format codes and styles, as a clerk's colleague would send them back."""
    path, sheet, cell, _ = progress_file
    wb = openpyxl.load_workbook(path)
    s = wb[sheet]
    reason = s.cell(s[cell].row, col_of(s, "理由・課題等"))
    s[cell].value = dt.datetime(2026, 1, 2)
    s[cell].number_format = 'm"月"d"日"'
    reason.value = 0.5
    reason.number_format = "0%"
    src = tmp_path / "calc_in" / "calc.xlsx"
    src.parent.mkdir()
    wb.save(src)
    out_dir = tmp_path / "calc_out"
    hostile.soffice_convert([src], "xlsx:Calc MS Excel 2007 XML", out_dir)
    saved = out_dir / "calc.xlsx"
    styles = hostile.parts(saved)["xl/styles.xml"].decode()
    assert "月" in styles  # Calc wrote its own format code for the date
    accepted(ws, saved)
    assert stored(ws, "progress", KEY, "result") == ("1月2日", cell)
    assert stored(ws, "progress", KEY, "reason")[0] == "50%"


def test_a_bound_of_the_forms_schema_is_out_of_range_at_the_cell(ap, tmp_path):
    """Forms are data: a maximum in the workspace's own schema.json is enforced at the cell."""
    ws, path = ap
    own = ws.root / "templates" / "action_plan"
    shutil.copytree(Path(__file__).parent.parent / "templates" / "action_plan", own)
    schema = json.loads((own / "schema.json").read_text(encoding="utf-8"))
    schema["properties"]["next_budget"]["maximum"] = 1000
    (own / "schema.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    sheet, cell = named(path, "fx_f_next_budget")
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell].value = 1200
    wb.save(tmp_path / "big.xlsx")
    res = refused(ws, tmp_path / "big.xlsx")
    assert errors_at(res) == [(f"{sheet}!{cell}", ap_label(ws, "next_budget"), "out_of_range")]
    assert "≤ 1000" in res.problems[0].message()
