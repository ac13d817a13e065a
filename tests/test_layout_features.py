"""Features every layout offers (issue 13 item 7): a list form's list_ref rule gives its
field a dropdown fed from the target column of the same book."""

from __future__ import annotations

import openpyxl

from .test_rules import COL, ROW, fill_list, list_book, refused


def _validations(book, sheet="入力"):
    ws = openpyxl.load_workbook(book)[sheet]
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def test_a_list_ref_field_gets_a_dropdown_of_the_target_column(tmp_path):
    ws, book = list_book(tmp_path, [{"type": "list_ref", "field": "code", "target_field": "no"}])
    dvs = _validations(book)
    first, last = ROW["1"], ROW["3"]
    dv = dvs[f"{COL['code']}{first}:{COL['code']}{last}"]
    assert dv.type == "list"
    assert dv.formula1 == f"${COL['no']}${first}:${COL['no']}${last}"
    assert dv.errorStyle in (None, "stop")  # stop is the default, left out of the XML
    assert dv.error == "一覧（▼）から選んでください。"
    # the values it offers are the target column's cells of the book
    sheet = openpyxl.load_workbook(book)["入力"]
    assert [sheet[f"{COL['no']}{r}"].value for r in range(first, last + 1)] == ["1", "2", "3"]
    # advisory only (pasting bypasses it): ingest still refuses a value that is not there
    res = refused(ws, fill_list(book, tmp_path / "in" / "b.xlsx", {"1": {"code": "4"}}))
    assert [p.code for p in res.problems] == ["rule_list_ref"]


def test_without_a_list_ref_rule_the_field_keeps_its_length_check(tmp_path):
    _, book = list_book(tmp_path, [])
    dv = _validations(book)[f"{COL['code']}{ROW['1']}:{COL['code']}{ROW['3']}"]
    assert dv.type == "textLength"


def test_generate_asks_the_layout_registry_not_the_unit():
    """api.generate picks the books' builder by layouts.get(form.layout): no test of the
    form's unit or layout name is left in it."""
    import ast
    import inspect
    import textwrap

    from fujimi_xl import api

    tree = ast.parse(textwrap.dedent(inspect.getsource(api.generate)))
    tested = [a.attr for c in ast.walk(tree) if isinstance(c, ast.Compare)
              for side in (c.left, *c.comparators) for a in ast.walk(side)
              if isinstance(a, ast.Attribute) and a.attr in ("unit", "layout")]
    assert tested == []
    called = [ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert "layouts.get(f.layout).generate" in called
