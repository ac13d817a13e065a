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
