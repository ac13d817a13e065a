"""A list form with a sum_equals rule gets a read-only ○/× check column on its input sheet
(issue 13 item 7: every feature in both layouts). The column is a hint to staff: ingest never
reads, refuses on or stores it; the feedback workbook keeps it."""

from __future__ import annotations

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.core.messages import book_text

from .conftest import YEAR
from .test_rules import ROW, accepted, fill_list, list_book, refused, rows

SUM = {"type": "sum_equals", "total": "total", "parts": ["state", "city"]}
CHECK = "L"  # the column after the last field (code, K)
HEAD = 4  # Excel row of the header


def _sheet(book, data_only=False):
    return openpyxl.load_workbook(book, data_only=data_only)["入力"]


def test_a_sum_rule_gives_the_list_sheet_a_check_column(tmp_path):
    _, book = list_book(tmp_path, [SUM])
    sheet = _sheet(book)
    assert sheet[f"{CHECK}{HEAD}"].value == book_text("sum_check_column", "ja", label="事業費")
    assert sheet[f"{CHECK}{HEAD}"].value == "確認（事業費）"
    for key, r in ROW.items():
        formula = sheet[f"{CHECK}{r}"].value
        assert formula == (
            f'=IF(COUNTBLANK(F{r})+COUNTBLANK(G{r})+COUNTBLANK(H{r})>0,"",IFERROR(IF(ROUND('
            f'VALUE(SUBSTITUTE(SUBSTITUTE(ASC(G{r}),"▲","-"),"千円",""))+'
            f'VALUE(SUBSTITUTE(SUBSTITUTE(ASC(H{r}),"▲","-"),"千円",""))-'
            f'VALUE(SUBSTITUTE(SUBSTITUTE(ASC(F{r}),"▲","-"),"千円","")),6)=0,"○","×"),"？"))'
        ), key
        assert sheet[f"{CHECK}{r}"].protection.locked
    assert sheet.protection.sheet
    # blank while the row is empty: the value the book opens with
    assert {_sheet(book, data_only=True)[f"{CHECK}{r}"].value or "" for r in ROW.values()} \
        == {""}
    dvs = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    hint = dvs[f"{CHECK}{ROW['1']}:{CHECK}{ROW['3']}"]
    assert hint.prompt == book_text("sum_check_hint", "ja")


def test_each_expands_to_one_check_column_per_total(tmp_path):
    rule = {"type": "sum_equals", "total": "{i}", "parts": ["state", "city"],
            "each": ["total", "count"]}
    _, book = list_book(tmp_path, [rule])
    sheet = _sheet(book)
    assert [sheet[f"{c}{HEAD}"].value for c in ("L", "M", "N")] == [
        "確認（事業費）", "確認（実施回数）", None]
    assert sheet[f"M{ROW['1']}"].value.startswith(
        f'=IF(COUNTBLANK(E{ROW["1"]})+COUNTBLANK(G{ROW["1"]})')


def test_without_a_sum_rule_there_is_no_check_column(tmp_path):
    _, book = list_book(tmp_path, [{"type": "compare", "field": "actual", "op": "<=",
                                    "other": "target"}])
    sheet = _sheet(book)
    assert sheet[f"{CHECK}{HEAD}"].value is None
    assert [sheet[f"{CHECK}{r}"].value for r in ROW.values()] == [None, None, None]


def test_ingest_ignores_the_check_column(tmp_path):
    ws, book = list_book(tmp_path, [SUM])
    good = fill_list(book, tmp_path / "in" / "a.xlsx", rows(
        _1={"total": "1,200", "state": "1000", "city": "200"}))
    res = accepted(ws, good)
    assert res.problems == []  # not even a warning about the formula column
    table = api.frame(ws, "rl", YEAR)
    fields = {"held", "count", "total", "state", "city", "actual", "target", "code"}
    assert fields <= set(table.columns)
    assert not [c for c in table.columns if "確認" in str(c)]
    assert not [v for v in table.astype(str).to_numpy().ravel() if v in ("○", "×", "？")]


def test_a_bad_sum_is_refused_by_the_rule_not_the_check_column(tmp_path):
    ws, book = list_book(tmp_path, [SUM])
    bad = fill_list(book, tmp_path / "in" / "a.xlsx", rows(
        _2={"total": "1200", "state": "1000", "city": "300"}))
    res = refused(ws, bad)
    assert [(p.sheet, p.cell, p.code) for p in res.problems] == [("入力", "F6", "rule_sum")]
    # the feedback workbook keeps the check column, showing × on the bad row
    fb = _sheet(res.feedback)
    assert fb[f"{CHECK}{HEAD}"].value == "確認（事業費）"
    assert fb[f"{CHECK}6"].value.startswith('=IF(COUNTBLANK(F6)+COUNTBLANK(G6)+COUNTBLANK(H6)')
    shown = _sheet(res.feedback, data_only=True)
    assert [shown[f"{CHECK}{r}"].value or "" for r in (5, 6, 7)] == ["", "×", ""]


def test_the_check_column_in_english(tmp_path):
    assert book_text("sum_check_column", "en", label="Cost") == "Check: Cost"


@pytest.mark.libreoffice
def test_the_check_column_computes_and_the_recalculated_book_is_accepted(tmp_path):
    from .hostile import soffice_convert

    ws, book = list_book(tmp_path, [SUM])
    good = fill_list(book, tmp_path / "in" / "good.xlsx", rows(
        _1={"total": "１，２００", "state": "1000", "city": "200"}))
    bad = fill_list(book, tmp_path / "in" / "bad.xlsx", rows(
        _1={"total": "1200", "state": "1000", "city": "300"}))
    out = tmp_path / "calc"
    soffice_convert([good, bad], "xlsx:Calc MS Excel 2007 XML", out)
    got = [[_sheet(out / n, data_only=True)[f"{CHECK}{r}"].value or ""
            for r in ROW.values()] for n in ("good.xlsx", "bad.xlsx")]
    assert got == [["○", "", ""], ["×", "", ""]]
    res = accepted(ws, out / "good.xlsx")
    assert [p.code for p in res.problems] == []
