"""The group's page for a form with one book per item (the sheet layout, issue 15): a link opens
one item's slot only, so another item's book of the same group is refused wrong_group too."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from fujimi_xl import api
from fujimi_xl.core.messages import text, web_text
from fujimi_xl.demo import (
    fill_sheet_workbook,
    sample_programs,
    sample_programs_data,
    write_sample_plan,
)
from fujimi_xl.forms import load_form
from fujimi_xl.lifecycle import access
from fujimi_xl.lifecycle.plan import write_plan_template
from fujimi_xl.web import create_app

from .conftest import master_snapshot
from .test_web_group import page_text, table, upload

FORM = "action_plan"
YEAR = 2018


@pytest.fixture
def ws(tmp_path: Path) -> Any:
    """Programs 1 and 2 both belong to こども育成: two slots of one group."""
    ws = api.init(tmp_path / "ws", write_sample_plan(tmp_path / "plan.xlsx"), "progress")
    plan = sample_programs()
    plan.items = [dataclasses.replace(it, group="こども育成") if it.key == "2" else it
                  for it in plan.items]
    programs = write_plan_template(tmp_path / "programs.xlsx", load_form(FORM), example=plan)
    api.load_plan(ws, programs, FORM)
    api.generate(ws, FORM, YEAR)
    return ws


def book(ws: Any, slot: str, tmp_path: Path) -> Path:
    issued = api.issued_book(ws, FORM, YEAR, slot)
    assert issued is not None
    answers = sample_programs_data()["responses"][slot]
    return fill_sheet_workbook(issued, answers, tmp_path / f"filled_{slot}.xlsx")


def test_a_book_of_another_item_of_the_same_group_is_wrong_group(ws, runner, tmp_path):
    links = {link.ref.slot: link for link in access.links(ws, FORM, YEAR)}
    assert links["1"].ref.group_code == links["2"].ref.group_code == "こども育成"
    client = create_app(ws.root, runner=runner).test_client()
    page = page_text(client.get(f"/g/{links['1'].token}"))
    assert "アクションプラン" in page and "居場所充実事業" in page
    before = master_snapshot(ws)
    body = page_text(upload(client, links["1"].token, book(ws, "2", tmp_path)))
    assert table(body) == [(web_text("whole_file"), "",
                            text("wrong_group", "ja", expected="1", found="2"))]
    assert master_snapshot(ws) == before
    body = page_text(upload(client, links["1"].token, book(ws, "1", tmp_path)))
    assert "受理しました" in body, body
    states = {g.slot: g.state for g in api.status(ws, FORM, YEAR).groups}
    assert states == {"1": "accepted", "2": "missing", "3": "missing"}
