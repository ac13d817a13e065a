"""api.status asks the form's Layout for the slots of a year (issue 13 item 7: one Layout
interface, no test of the unit or layout name in the stages): a list form's slots are its
groups, a sheet form's its programs, labelled by the definition's title field whatever its id."""

from __future__ import annotations

import ast
import copy
import inspect
import json
from pathlib import Path

from fujimi_xl import api, layouts

from .conftest import YEAR
from .test_rules import (
    SHEET_FORM,
    SHEET_SCHEMA,
    list_book,
    write_form,
    write_plan,
)


def test_api_has_no_test_of_the_forms_unit_or_layout():
    """No comparison anywhere in api.py looks at a form's ``unit`` or ``layout``."""
    tree = ast.parse(Path(inspect.getfile(api)).read_text("utf-8"))
    tested = [f"line {c.lineno}: {ast.unparse(c)}" for c in ast.walk(tree)
              if isinstance(c, ast.Compare)
              for side in (c.left, *c.comparators) for a in ast.walk(side)
              if isinstance(a, ast.Attribute) and a.attr in ("unit", "layout")]
    assert tested == []
    source = inspect.getsource(api.status)
    assert "layouts.get(f.layout).slots(" in source


def test_every_layout_says_the_slots_of_a_year():
    for name, lay in layouts.LAYOUTS.items():
        assert callable(lay.slots), name
        assert lay.report_suffix is not None, name


def test_status_of_a_list_form_has_one_slot_per_group(tmp_path):
    ws, _ = list_book(tmp_path, [])
    rep = api.status(ws, "rl", YEAR)
    assert [(g.slot, g.items, g.label, g.state) for g in rep.groups] == [
        ("総務", 3, "総務グループ", "missing")]


def _renamed_title(tmp_path: Path):
    """The sheet form of test_rules with its title field called ``program``, not ``name``."""
    form = json.loads(json.dumps(SHEET_FORM).replace('"name": "rs"', '"name": "rp"')
                      .replace('"id": "name"', '"id": "program"')
                      .replace('"field": "name"', '"field": "program"'))
    schema = copy.deepcopy(SHEET_SCHEMA)
    schema["properties"]["program"] = schema["properties"].pop("name")
    schema["required"] = ["no", "program"]
    ws = api.init(tmp_path / "ws")
    write_form(ws.root, form, schema)
    plan = write_plan(tmp_path / "plan.xlsx", ["番号", "事業名", "課題"],
                      [[1, "学習支援", "①講師の確保", "総務"],
                       [2, "子ども食堂", "①食材の確保", "総務"]])
    api.load_plan(ws, plan, "rp")
    return ws


def test_status_of_a_sheet_form_labels_each_program_by_its_title_field(tmp_path):
    ws = _renamed_title(tmp_path)
    before = api.status(ws, "rp", YEAR)
    assert [(g.slot, g.items, g.label, g.state) for g in before.groups] == [
        ("1", 1, "学習支援", "not_issued"), ("2", 1, "子ども食堂", "not_issued")]
    api.generate(ws, "rp", YEAR)
    after = api.status(ws, "rp", YEAR)
    assert [(g.slot, g.label, g.state) for g in after.groups] == [
        ("1", "学習支援", "missing"), ("2", "子ども食堂", "missing")]
    assert after.to_dict()["missing"] == ["1", "2"]


def test_report_file_names_keep_their_words(tmp_path):
    """The report's default name, asked of the layout now: 結果 after a list form's title."""
    assert layouts.get("list").report_suffix == "結果"
    assert layouts.get("sheet").report_suffix == ""
