"""The action-plan (sheet layout) feedback workbook lists each problem at the address of the
marked cell in that same workbook, in sheet order, with a link to the cell (issue 12, item 11).

The feedback workbook is laid out again from the staff's values: its DO/CHECK/ACTION tables have
as many rows as staff filled plus the spare ones, so a cell below them is not where it was in
the returned book. Staff who follow the list must land on the marked cell, never on a valid one.
"""

from __future__ import annotations

import re

import openpyxl
import pytest
from xlsxwriter.utility import xl_cell_to_rowcol

from fujimi_xl import api
from fujimi_xl.demo import (
    fill_sheet_workbook,
    sample_programs_data,
    write_sample_plan,
    write_sample_programs,
)
from fujimi_xl.layouts.layout import display_width
from fujimi_xl.layouts.list.generator import FEEDBACK_SHEET

from .conftest import copy_workspace, master_snapshot

YEAR = 2018
SHEET = "アクションプラン"


@pytest.fixture(scope="module")
def _base(tmp_path_factory):
    root = tmp_path_factory.mktemp("fb_addr")
    ws = api.init(root / "ws", write_sample_plan(root / "plan.xlsx"), "progress")
    api.load_plan(ws, write_sample_programs(root / "programs.xlsx"), "action_plan")
    api.generate(ws, "action_plan", YEAR)
    return root / "ws"


@pytest.fixture
def ws(_base, tmp_path):
    copy_workspace(_base, tmp_path / "ws")
    return api.open_workspace(tmp_path / "ws")


@pytest.fixture
def outbox(ws):
    folder = ws.outbox / str(YEAR) / "action_plan"
    return {p.name.split("_")[2]: p for p in folder.glob("*.xlsx")}


@pytest.fixture
def answers():
    return sample_programs_data()["responses"]


def _listed(feedback):
    """(cell, field, message, link) of every row of the feedback list."""
    sheet = openpyxl.load_workbook(feedback)[FEEDBACK_SHEET]
    out = []
    for r in range(5, sheet.max_row + 1):
        cell = sheet.cell(r, 1)
        if cell.value:
            link = cell.hyperlink.location if cell.hyperlink is not None else None
            out.append((cell.value, sheet.cell(r, 2).value, sheet.cell(r, 3).value, link))
    return out


def _check(res, returned, tmp_path):
    """Every listed address holds the highlighted cell with what staff typed there."""
    assert res.outcome == "rejected"
    fb_book = openpyxl.load_workbook(res.feedback)
    fb = fb_book[SHEET]
    typed = openpyxl.load_workbook(returned)[SHEET]
    listed = _listed(res.feedback)
    assert len(listed) == len(res.problems)
    by_message = {m: (c, link) for c, _, m, link in listed}
    for p in res.problems:
        where, link = by_message[p.message()]
        sheet, cell = where.split("!")
        assert sheet == SHEET
        target = fb[cell]
        assert target.comment is not None and p.message() in target.comment.text, (where, p.code)
        assert target.fill.fgColor.rgb != "00000000", where  # highlighted
        assert str(target.value or "") == str(typed[p.cell].value or ""), (where, p.cell)
        assert link == f"'{SHEET}'!{cell}"
    # in sheet order: top to bottom, then left to right
    places = [xl_cell_to_rowcol(c.split("!")[1]) for c, _, _, _ in listed]
    assert places == sorted(places)
    # the セル column is wide enough for the longest address (Excel width units)
    width = openpyxl.load_workbook(res.feedback)[FEEDBACK_SHEET].column_dimensions["A"].width
    assert width >= max(display_width(c) for c, _, _, _ in listed) + 1
    return listed


def test_errors_below_the_tables_are_listed_where_the_feedback_marks_them(
        ws, outbox, answers, tmp_path):
    before = master_snapshot(ws)
    a = {**answers["3"], "next_budget": "たくさん",
         "do": [["⑨", "会議を開く。", "開いた。"], ["②", "方法を検討する。", "開設した。"]],
         "action": [["①", "平成31年度", "研修を開く。"], ["②", "来年度", "続ける。"]]}
    returned = fill_sheet_workbook(outbox["3"], a, tmp_path / "r3.xlsx")
    res = api.ingest(ws, [returned]).files[0]
    assert {p.code for p in res.problems} == {"type_unreadable", "wrong_type",
                                                  "bad_issue_ref"}
    listed = _check(res, returned, tmp_path)
    # the returned book's next_budget cell is not the feedback book's
    p = next(p for p in res.problems if p.field_id == "next_budget")
    fb_cell = next(c for c, f, _, _ in listed if f == p.field)
    assert fb_cell != p.where()
    assert master_snapshot(ws) == before


def test_inserted_rows_errors_in_and_below_the_action_table(ws, outbox, answers, tmp_path):
    before = master_snapshot(ws)
    action = [list(r) for r in answers["1"]["action"]]
    action[8][1] = "いつか"
    a = {**answers["1"], "next_budget": "百", "action": action}
    returned = fill_sheet_workbook(outbox["1"], a, tmp_path / "r1.xlsx")  # inserts 4 rows
    res = api.ingest(ws, [returned]).files[0]
    assert [p.code for p in res.problems] == ["type_unreadable", "wrong_type"]
    _check(res, returned, tmp_path)
    assert master_snapshot(ws) == before


def test_budget_rule_message_names_the_feedback_cells(ws, outbox, answers, tmp_path):
    returned = fill_sheet_workbook(outbox["2"], {**answers["2"], "specific_2": "500"},
                                   tmp_path / "r2.xlsx")
    res = api.ingest(ws, [returned]).files[0]
    listed = _listed(res.feedback)
    assert len(listed) == 1
    cell, _, message, link = listed[0]
    fb = openpyxl.load_workbook(res.feedback)[SHEET]
    named = re.findall(r"[A-Z]+\d+", message.split("）と一致しません")[1])
    assert sorted(named) == sorted(c.coordinate for row in fb.iter_rows() for c in row
                                   if c.comment)
    assert cell == f"{SHEET}!{named[0]}" and link == f"'{SHEET}'!{named[0]}"
