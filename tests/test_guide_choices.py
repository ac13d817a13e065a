"""The instructions sheet lists the choices of the input fields as {grade_list} when its layout
asks for them (the list layout), not because the engine tests the form's layout name
(issue 13 item 11: the engine asks the Layout)."""

from __future__ import annotations

import ast
import copy
import inspect
import textwrap
from pathlib import Path

import openpyxl

from fujimi_xl.core.messages import book_text
from fujimi_xl.demo import sample_plan, sample_programs
from fujimi_xl.forms import load_form
from fujimi_xl.layouts.list import generator
from fujimi_xl.layouts.list.generator import GUIDE_SHEET
from fujimi_xl.layouts.sheet import sheet_generator

KEY = bytes(range(32))


def guide_lines(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path)[GUIDE_SHEET]
    return [row[1] for row in sheet.iter_rows(min_row=4, values_only=True) if row[1]]


def test_a_list_form_lists_the_choices_of_its_input_fields(outbox):
    form = load_form("progress")
    (field,) = [f for f in form.fields if f.choices and f.role == "input"]
    listed = book_text("grade_sep").join(
        book_text("choice_item", value=c["value"], label=c["label"])
        for c in form.choices[field.choices])
    line = form.instructions[2].replace("{grade_list}", "")
    assert line + listed in guide_lines(outbox["保育"])


def test_a_sheet_form_leaves_the_choice_list_empty(tmp_path):
    form = copy.copy(load_form("action_plan"))
    assert [f for f in form.fields if f.choices and f.role == "input"]  # it has some
    form.instructions = [*form.instructions, "選択肢: [{grade_list}]"]
    item = sample_programs().items[0]
    path = tmp_path / "ap.xlsx"
    sheet_generator.build(path, form, 2018, sample_plan().group(item.group), item, key=KEY,
                          issue_id="0" * 32, issued_at="2018-04-01T09:00:00+09:00",
                          title="富士見市", password="pw")
    assert guide_lines(path)[-1] == "選択肢: []"


def test_the_guide_does_not_test_the_form_layout_name():
    tree = ast.parse(textwrap.dedent(inspect.getsource(generator.Book.guide)))
    read = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "layout"]
    assert read == []
