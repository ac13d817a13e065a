"""The group workbook: what staff see and what protects the data."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.core.errors import FujimiError
from fujimi_xl.layouts import manifest
from fujimi_xl.layouts.list.generator import CHOICE_SHEET, GUIDE_SHEET

from .conftest import YEAR


@pytest.fixture
def book(outbox):
    return openpyxl.load_workbook(outbox["応援センター"])


def test_one_workbook_per_group_with_only_its_items(ws, outbox):
    assert len(outbox) == 10
    conn = ws.connect()
    try:
        rows = {r["group_code"]: len(eval_json(r["items"])) for r in conn.execute(
            "SELECT group_code, items FROM issued")}
    finally:
        conn.close()
    assert rows["応援センター"] == 9 and rows["保育"] == 1 and rows["子育て支援"] == 5
    sheet = openpyxl.load_workbook(outbox["保育"])["入力"]
    assert [sheet.cell(5, c).value for c in range(1, 6)] == [
        "4-2-1", "第4節", "2", "①", "就労に向けた資格取得支援"]
    assert sheet.cell(6, 1).value is None


def eval_json(text):
    import json

    return json.loads(text)


def test_sheets_and_very_hidden_signed_manifest(ws, book):
    assert book.sheetnames == [GUIDE_SHEET, "入力", CHOICE_SHEET, manifest.SHEET]
    assert book[manifest.SHEET].sheet_state == "veryHidden"
    column = [c.value for c in book[manifest.SHEET]["A"]]
    payload, signature = manifest.from_cells(column)
    assert manifest.verify(payload, signature, ws.key())
    assert payload["form"] == "progress" and payload["year"] == YEAR
    assert payload["group"] == "応援センター"
    assert payload["keys"][:3] == ["1-1-1", "1-1-2", "1-1-3"]


def test_headers_carry_era_labels_of_the_year(book):
    sheet = book["入力"]
    assert [sheet.cell(4, c).value for c in range(1, 10)] == [
        "管理番号", "節", "項", "号", "計画", "H29実施内容", "評価", "理由・課題等", "H30計画内容"]


def test_locked_and_open_cells_and_protection(book):
    sheet = book["入力"]
    assert sheet.protection.sheet is True
    assert sheet.protection.formatRows is False  # False means "allowed" in openpyxl's terms
    for col in "ABCDE":
        assert sheet[f"{col}5"].protection.locked is True
    for col in "FGHI":
        assert sheet[f"{col}5"].protection.locked is False
    assert sheet["F5"].alignment.wrap_text is True
    assert sheet.freeze_panes == "A5"


def test_grade_dropdown_is_fed_from_a_list_range(book):
    sheet = book["入力"]
    dv = [d for d in sheet.data_validations.dataValidation if d.type == "list"]
    assert len(dv) == 1
    assert dv[0].formula1 == "fx_choice_grades"
    assert str(dv[0].sqref) == "G5:G13"
    ref = book.defined_names["fx_choice_grades"].attr_text
    assert ref == f"'{CHOICE_SHEET}'!$A$2:$A$5"
    assert [book[CHOICE_SHEET][f"A{r}"].value for r in range(2, 6)] == ["A", "B", "C", "D"]


def test_print_setup(book):
    sheet = book["入力"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True


def test_instructions_are_japanese_and_name_the_group(book):
    guide = book[GUIDE_SHEET]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "平成29年度 進捗状況評価 記入要領" in text
    assert "こども未来部 子ども未来応援センターグループ" in text
    assert "A：計画どおり実施・達成" in text


def test_generate_accepts_era_years_and_limits_groups(ws):
    res = api.generate(ws, "progress", 2018, ["保育"])
    assert [g for g, _, _ in res.files] == ["保育"]
    assert res.files[0][1].name == "平成30年度_進捗状況評価_保育グループ.xlsx"
    header = openpyxl.load_workbook(res.files[0][1])["入力"]
    assert header["F4"].value == "H30実施内容" and header["I4"].value == "H31計画内容"


def test_generate_unknown_group_is_an_error(ws):
    with pytest.raises(FujimiError, match="担当項目のない担当"):
        api.generate(ws, "progress", 2018, ["存在しない担当"])


def test_no_formulas_from_data(outbox):
    with zipfile.ZipFile(outbox["応援センター"]) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet2.xml").decode()
    # the only formula is the count of empty required cells, written by us
    assert sheet_xml.count("<f>") == 1
    assert "COUNTBLANK" in sheet_xml
