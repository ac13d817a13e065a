"""Print never cuts silently (issue 12, item 10).

A long free text (a 1,900-character 実施内容, an action plan's long DO entry) used to be cut in
print: the row stopped at Excel's maximum height (409 pt) and the rest of the text was not
printed. Now the row grows over as many rows as the text needs (merged), an item that fits a page
is not split by a page break, and an item taller than a page is printed over several pages with a
warning naming the item and the report's sheet!cell (in the CLI output and in --json).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from fujimi_xl import api
from fujimi_xl.core.messages import error_text
from fujimi_xl.demo import (
    fill_sheet_workbook,
    sample_programs_data,
    write_sample_plan,
    write_sample_programs,
)
from fujimi_xl.layouts import layout
from fujimi_xl.output import pdf

from .conftest import YEAR, copy_workspace

GROUP, KEY = "応援センター", "1-1-1"


def marked_text(n: int, unit: str = "これは長い実施内容の文章です。") -> str:
    """About ``n`` characters of text, numbered so a missing piece can be named."""
    parts, i = [], 0
    while sum(map(len, parts)) < n:
        parts.append(f"【{i:03d}】{unit}")
        i += 1
    return "".join(parts)[:n]


def _block(sheet, top_row: int, col: int):
    """(first row, last row) of the merged range at (top_row, col), or the cell alone."""
    for rng in sheet.merged_cells.ranges:
        c1, r1, c2, r2 = range_boundaries(str(rng))
        if r1 == top_row and c1 <= col <= c2:
            return r1, r2
    return top_row, top_row


def _height(sheet, r1: int, r2: int) -> float:
    return sum(sheet.row_dimensions[r].height or 15 for r in range(r1, r2 + 1))


def _find(sheet, text: str):
    for row in sheet.iter_rows():
        for c in row:
            if c.value == text:
                return c
    raise KeyError(text[:20])


def _pdf_text(path) -> str:
    out = pdf.to_pdf(path)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    return "".join(text.split())


def _missing(text: str, printed: str) -> list[str]:
    """The numbered pieces of ``text`` the PDF does not hold, and its end if that is lost."""
    gone = [m for m in re.findall(r"【\d{3}】", text) if m not in printed]
    return gone + ([text[-8:]] if text[-8:] not in printed else [])


@pytest.fixture
def long_report(ws, outbox, fill, tmp_path):
    text = marked_text(1900)
    path = fill(outbox[GROUP], GROUP, {KEY: {"result": text}})
    res = api.ingest(ws, [path])
    assert res.files[0].outcome == "accepted", [p.code for p in res.files[0].problems]
    out = api.report(ws, "progress", YEAR, tmp_path / "結果.xlsx")
    return ws, text, out


def test_list_report_row_grows_to_hold_a_long_text(long_report):
    _, text, out = long_report
    sheet = openpyxl.load_workbook(out.path)["第1節"]
    cell = _find(sheet, text)
    r1, r2 = _block(sheet, cell.row, cell.column)
    width = sheet.column_dimensions[cell.column_letter].width
    need = layout.line_count(text, width - 0.71) * layout.LINE_POINTS  # openpyxl adds 0.71
    assert r2 > r1 and _height(sheet, r1, r2) >= need
    assert all((sheet.row_dimensions[r].height or 15) <= 409 for r in range(1, sheet.max_row + 1))
    # the other cells of the item span the same rows
    plan = sheet.cell(r1, cell.column - 1)
    assert _block(sheet, r1, plan.column) == (r1, r2) and plan.value


def test_list_report_warns_with_item_and_cell_when_the_text_is_taller_than_a_page(long_report):
    _, text, out = long_report
    sheet = openpyxl.load_workbook(out.path)["第1節"]
    cell = _find(sheet, text)
    where = f"第1節!{cell.coordinate}"
    notes = [n for n in out.notices if n.code == "print_spans_pages"]
    assert len(notes) == 1
    n = notes[0]
    assert (n.params["where"], n.params["item"]) == (where, KEY)
    assert out.warnings == [error_text("print_spans_pages", "ja", **n.params)]
    assert where in out.warnings[0] and KEY in out.warnings[0]


def test_cli_and_json_carry_the_warning(long_report, run, tmp_path):
    ws, _, _ = long_report
    res = run("report", "progress", "--year", YEAR, "-w", ws.root, "-o", tmp_path / "b.xlsx",
              "--json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert len(data["warnings"]) == 1 and "第1節!" in data["warnings"][0]
    res = run("report", "progress", "--year", YEAR, "-w", ws.root, "-o", tmp_path / "c.xlsx")
    assert res.exit_code == 0 and data["warnings"][0] in res.output


def test_short_texts_give_no_warning(ws, outbox, fill, tmp_path):
    path = fill(outbox[GROUP], GROUP, {KEY: {"result": marked_text(300)}})
    assert api.ingest(ws, [path]).files[0].outcome == "accepted"
    out = api.report(ws, "progress", YEAR, tmp_path / "r.xlsx")
    assert out.warnings == [] and out.notices == []


@pytest.mark.libreoffice
def test_list_report_pdf_holds_every_piece_of_the_text(long_report):
    _, text, out = long_report
    printed = _pdf_text(out.path)
    assert _missing(text, printed) == []


# -- the action-plan book (one program a page) ---------------------------------------------------

AP_YEAR = 2018


@pytest.fixture(scope="module")
def _ap(tmp_path_factory):
    root = tmp_path_factory.mktemp("ap_print")
    ws = api.init(root / "ws", write_sample_plan(root / "plan.xlsx"), "progress")
    api.load_plan(ws, write_sample_programs(root / "programs.xlsx"), "action_plan")
    api.generate(ws, "action_plan", AP_YEAR)
    return root / "ws"


def _ap_report(_ap, tmp_path, status: str):
    copy_workspace(_ap, tmp_path / "ws")
    ws = api.open_workspace(tmp_path / "ws")
    folder = ws.outbox / str(AP_YEAR) / "action_plan"
    src = next(p for p in folder.glob("*.xlsx") if p.name.split("_")[2] == "3")
    answers = sample_programs_data()["responses"]["3"]
    do = [list(r) for r in answers["do"]]
    do[0][2] = status
    returned = fill_sheet_workbook(src, {**answers, "do": do}, tmp_path / "r3.xlsx")
    res = api.ingest(ws, [returned])
    assert res.files[0].outcome == "accepted", [p.code for p in res.files[0].problems]
    return api.report(ws, "action_plan", AP_YEAR, tmp_path / "ap.xlsx")


def test_action_plan_long_do_entry_grows_and_is_not_cut(_ap, tmp_path):
    status = marked_text(1900, "上半期の進捗状況を詳しく書いた文章です。")
    out = _ap_report(_ap, tmp_path, status)
    wb = openpyxl.load_workbook(out.path)
    sheet = next(s for s in wb.worksheets if s.title.startswith("3_"))
    cell = _find(sheet, status)
    r1, r2 = _block(sheet, cell.row, cell.column)
    c1 = cell.column
    width = sum(sheet.column_dimensions[openpyxl.utils.get_column_letter(c)].width - 0.71
                for c in range(c1, c1 + 9))
    need = layout.line_count(status, width) * layout.LINE_POINTS
    assert r2 > r1 and _height(sheet, r1, r2) >= need
    assert all((sheet.row_dimensions[r].height or 15) <= 409 for r in range(1, sheet.max_row + 1))
    # the DO row's other cells span the same rows
    assert _block(sheet, r1, 1) == (r1, r2)


@pytest.mark.libreoffice
def test_action_plan_pdf_holds_every_piece_of_the_text(_ap, tmp_path):
    status = marked_text(1900, "上半期の進捗状況を詳しく書いた文章です。")
    out = _ap_report(_ap, tmp_path, status)
    printed = _pdf_text(out.path)
    assert _missing(status, printed) == []
