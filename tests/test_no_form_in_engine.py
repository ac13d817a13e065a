"""The engine knows no form (issue 13, item 6): no default form name and no shipped field id in
engine code; what the engine needs the definition says, and a command without --form uses the
only form there is or asks for one, listing them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fujimi_xl import api
from fujimi_xl.demo import write_sample_plan
from fujimi_xl.messages import error_text

YEAR = 2017
BOTH = "action_plan（アクションプラン） / progress（進捗状況評価）"


def test_plan_template_without_form_asks_for_one_listing_the_forms(run: Any,
                                                                     tmp_path: Path) -> None:
    res = run("plan-template", tmp_path / "plan.xlsx")
    assert res.exit_code == 2
    assert error_text("form_needed", "ja", forms=BOTH) in res.output
    assert not (tmp_path / "plan.xlsx").exists()


def test_init_with_a_plan_and_without_form_asks_for_one_and_creates_nothing(
        run: Any, tmp_path: Path) -> None:
    plan = write_sample_plan(tmp_path / "plan.xlsx")
    res = run("init", tmp_path / "ws", "--plan", plan)
    assert res.exit_code == 2
    assert error_text("form_needed", "ja", forms=BOTH) in res.output
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
    fresh = api.init(tmp_path / "fresh")
    res = run("import-report", table, "-w", fresh.root)
    assert res.exit_code == 2
    assert error_text("form_needed", "ja", forms=BOTH) in res.output


def test_the_api_without_form_refuses_in_words(tmp_path: Path) -> None:
    from fujimi_xl.errors import FujimiError

    try:
        api.plan_template(tmp_path / "plan.xlsx")
    except FujimiError as exc:
        assert exc.message("en") == error_text("form_needed", "en", forms=BOTH)
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
    "check": ({"sheet_generator.py", "sheet_layout.py", "cli.py"},
              "a sheet cell kind (the sum check cell) and the `form check` command"),
    "item": ({"cli.py", "intake.py", "reporting.py", "reporting_sheet.py"},
             "the unit 'item' of a form and the place of a report warning"),
    "status": ({"__init__.py", "api.py", "cli.py"}, "the status command"),
    "plan": ({"cli.py"}, "the plan command"),
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
    for path in sorted((ROOT / "fujimi_xl").glob("*.py")):
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
    assert len(GENERIC) <= 12
    assert all(reason for _, reason in GENERIC.values())
    ids = _shipped_ids()
    assert not {"progress", "action_plan"} & set(GENERIC)
    # a word no shipped form uses any more is not kept allowed
    assert set(GENERIC) <= set(ids)
