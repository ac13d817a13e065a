"""Fixtures: a workspace built from the bundled sample plan, its generated workbooks, and a
helper that fills a workbook as staff would (openpyxl, rows found by 管理番号)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.demo import (
    fill_workbook,
    sample_data,
    sample_programs_data,
    write_sample_plan,
    write_sample_programs,
)
from fujimi_xl.layouts.list.generator import FIRST_ROW, HEADER_ROW, KEY_HEADER

YEAR = 2017


@pytest.fixture
def run() -> Any:
    """run(*args) -> the result of the command line ``fujimi-xl args…`` (click's runner)."""
    runner = CliRunner()

    def _run(*args: Any) -> Any:
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return _run


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests marked libreoffice skip without it locally; in CI a missing LibreOffice fails."""
    from fujimi_xl.output.pdf import libreoffice

    if libreoffice():
        return
    if os.environ.get("CI"):
        for item in items:
            if "libreoffice" in item.keywords:
                item.add_marker(pytest.mark.xfail(
                    reason="LibreOffice must be installed in CI", strict=True, run=False))
        return
    skip = pytest.mark.skip(reason="LibreOffice is not installed on this machine")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sample() -> dict[str, Any]:
    return sample_data()


@pytest.fixture(scope="session")
def _base_workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """Built once: a workspace with the sample plan and the 2017 workbooks generated."""
    root = tmp_path_factory.mktemp("base")
    plan = write_sample_plan(root / "plan.xlsx")
    ws = api.init(root / "ws", plan, "progress")
    gen = api.generate(ws, "progress", YEAR)
    return root / "ws", {g: p for g, p, _ in gen.files}


@pytest.fixture
def ws(tmp_path: Path, _base_workspace: tuple[Path, dict[str, Path]]) -> Any:
    """A fresh copy of the base workspace for each test."""
    src, _ = _base_workspace
    dst = tmp_path / "ws"
    shutil.copytree(src, dst)
    return api.open_workspace(dst)


@pytest.fixture
def outbox(ws: Any) -> dict[str, Path]:
    """group code -> generated workbook (inside this test's workspace)."""
    folder = ws.outbox / str(YEAR) / "progress"
    conn = ws.connect()
    try:
        rows = conn.execute("SELECT group_code, file_name FROM issued").fetchall()
    finally:
        conn.close()
    return {r["group_code"]: folder / r["file_name"] for r in rows}


# -- the action-plan workspace (a sheet form: one book per program) ----------------------------
AP_YEAR = 2018


@pytest.fixture(scope="session")
def _ap_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: the sample plan, the sample programs and their 2018 books generated."""
    root = tmp_path_factory.mktemp("ap")
    ws = api.init(root / "ws", write_sample_plan(root / "plan.xlsx"), "progress")
    api.load_plan(ws, write_sample_programs(root / "programs.xlsx"), "action_plan")
    api.generate(ws, "action_plan", AP_YEAR)
    return root / "ws"


@pytest.fixture
def ap_ws(_ap_base: Path, tmp_path: Path) -> Any:
    """A fresh copy of the action-plan workspace for each test."""
    shutil.copytree(_ap_base, tmp_path / "ws")
    return api.open_workspace(tmp_path / "ws")


@pytest.fixture
def ap_outbox(ap_ws: Any) -> dict[str, Path]:
    """program number -> its generated book (inside this test's workspace)."""
    folder = ap_ws.outbox / str(AP_YEAR) / "action_plan"
    return {p.name.split("_")[2]: p for p in folder.glob("*.xlsx")}


@pytest.fixture
def ap_answers() -> dict[str, Any]:
    """program number -> what its staff write (the demo's sample answers)."""
    return sample_programs_data()["responses"]  # type: ignore[no-any-return]


@pytest.fixture
def fill(tmp_path: Path, sample: dict[str, Any]) -> Any:
    """fill(src, group, changes=None, name=None) -> path of a filled copy.

    ``changes`` maps item key -> {field: value} overriding the sample answers.
    """

    def _fill(src: Path, group: str, changes: dict[str, dict[str, Any]] | None = None,
              name: str | None = None, messy: bool = False) -> Path:
        answers = {k: dict(v) for k, v in sample["responses"][group].items()}
        for k, v in (changes or {}).items():
            answers.setdefault(k, {}).update(v)
        out = tmp_path / "returned" / (name or src.name)
        out.parent.mkdir(parents=True, exist_ok=True)
        return fill_workbook(src, answers, out, messy=messy)

    return _fill


def master_snapshot(ws: Any) -> list[tuple[Any, ...]]:
    """Everything accepted in the master, to compare before and after a refusal."""
    conn = sqlite3.connect(ws.db_path)
    try:
        subs = conn.execute("SELECT id, form, year, group_code, version, superseded_by "
                            "FROM submissions ORDER BY id").fetchall()
        vals = conn.execute("SELECT * FROM record_values ORDER BY 1, 2, 3").fetchall()
    finally:
        conn.close()
    return [*subs, *vals]


def input_sheet(wb: openpyxl.Workbook) -> Any:
    return next(s for s in wb.worksheets if s.cell(HEADER_ROW + 1, 1).value == KEY_HEADER)


def row_of(sheet: Any, key: str) -> int:
    for r in range(FIRST_ROW + 1, sheet.max_row + 1):
        if sheet.cell(r, 1).value == key:
            return r
    raise KeyError(key)


def col_of(sheet: Any, header_suffix: str) -> int:
    for c in range(1, sheet.max_column + 1):
        v = sheet.cell(HEADER_ROW + 1, c).value
        if isinstance(v, str) and v.endswith(header_suffix):
            return c
    raise KeyError(header_suffix)
