"""Fixtures: a workspace built from the bundled sample plan, its generated workbooks, and a
helper that fills a workbook as staff would (openpyxl, rows found by 管理番号).

Both databases: ``FUJIMI_TEST_DB=postgresql`` runs the suite with every master on a throwaway
PostgreSQL cluster (tests/pgcluster.py): each test gets a fresh database through
``FUJIMI_DB_URL``; a workspace built once per module or session gets a database of its own, and
``copy_workspace`` copies the folder and that database together. Tests marked ``sqlite_only``
(the SQLite file itself is what they test) are skipped there.
"""

from __future__ import annotations

import json
import os
import shutil
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
from fujimi_xl.store import open_store

from . import pgcluster

YEAR = 2017

ON_POSTGRESQL = os.environ.get("FUJIMI_TEST_DB", "sqlite").lower() in ("postgresql", "postgres", "pg")


# -- the PostgreSQL cluster ----------------------------------------------------------------------

_CLUSTER: list[pgcluster.Cluster] = []  # started at most once per session
_BASE_DBS: dict[Path, str] = {}  # workspace folder built by a module/session fixture -> its database
_BASE_OF_FIXTURE: dict[str, str] = {}  # such a fixture's name -> its database (the latest)
_CURRENT_DB: list[str] = []  # the database of the running test (PostgreSQL run)
_FRESH_COPY_OF: dict[str, str] = {}  # test database -> base database it is an untouched copy of
_EXTRA_DBS: list[str] = []  # databases of second workspaces (OtherMaster), dropped after the test


def cluster() -> pgcluster.Cluster:
    """The session's PostgreSQL cluster, started on first use. Without the server binaries
    the test skips, except in CI (``CI`` set), where a missing PostgreSQL fails."""
    if _CLUSTER:
        return _CLUSTER[0]
    bindir = pgcluster.bin_dir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL (initdb) must be installed in CI", pytrace=False)
        pytest.skip("PostgreSQL is not installed on this machine (no initdb)")
    c = pgcluster.Cluster(bindir)
    try:
        c.start()
    except BaseException:
        c.cleanup()
        raise
    _CLUSTER.append(c)
    return c


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    while _CLUSTER:
        _CLUSTER.pop().cleanup()


@pytest.fixture(scope="session")
def pg_cluster() -> pgcluster.Cluster:
    return cluster()


@pytest.fixture
def pg_url(pg_cluster: pgcluster.Cluster) -> Any:
    """The URL of a fresh, empty PostgreSQL database (dropped after the test)."""
    name = pg_cluster.create_db()
    yield pg_cluster.url(name)
    pg_cluster.drop_db(name)


@pytest.fixture(autouse=True)
def _master_db(request: Any) -> Any:
    """PostgreSQL run: every workspace this test creates has its master in a fresh database.
    (A MonkeyPatch of its own: a test's ``monkeypatch.undo()`` must not undo this.)"""
    if not ON_POSTGRESQL:
        yield None
        return
    monkeypatch = pytest.MonkeyPatch()
    c = cluster()
    # a test that uses a workspace built once per module or session (and not copied, e.g.
    # read only) starts with a copy of its master; otherwise with an empty database
    bases = {_BASE_OF_FIXTURE[n] for n in request.fixturenames if n in _BASE_OF_FIXTURE}
    base = bases.pop() if len(bases) == 1 else None
    name = c.create_db(template=base)
    if base is not None:
        _FRESH_COPY_OF[name] = base
    monkeypatch.setenv("FUJIMI_DB_URL", c.url(name))
    _CURRENT_DB.append(name)
    try:
        yield name
    finally:
        monkeypatch.undo()
        _CURRENT_DB.remove(name)
        _FRESH_COPY_OF.pop(name, None)
        c.drop_db(name)
        while _EXTRA_DBS:
            c.drop_db(_EXTRA_DBS.pop())


def _workspace_dirs(value: Any, depth: int = 0) -> list[Path]:
    """Workspace folders (holding fujimi.json) in a fixture's value."""
    if depth > 2:
        return []
    if isinstance(value, Path):
        return [value] if (value / "fujimi.json").is_file() else []
    root = getattr(value, "root", None)
    if isinstance(root, Path):
        return _workspace_dirs(root, depth + 1)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [p for v in value for p in _workspace_dirs(v, depth + 1)]
    return []


class _BaseDatabases:
    """PostgreSQL run: a fixture built once per module or session (a base workspace that tests
    copy) builds its master in a database of its own, recorded for ``copy_workspace``.
    Registered as a plugin (pytest_configure): a session fixture's hooks are the session's,
    which a conftest below the root folder does not take part in."""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: Any) -> Any:
        if fixturedef.scope == "function" or fixturedef.argname == "pg_cluster":
            return (yield)
        c = cluster()
        name = c.create_db(c.new_name("base"))
        old = os.environ.get("FUJIMI_DB_URL")
        os.environ["FUJIMI_DB_URL"] = c.url(name)
        try:
            result = yield
        finally:
            if old is None:
                os.environ.pop("FUJIMI_DB_URL", None)
            else:
                os.environ["FUJIMI_DB_URL"] = old
        made = _workspace_dirs(result)
        for root in made:
            _BASE_DBS[root.resolve()] = name
        if made:
            _BASE_OF_FIXTURE[fixturedef.argname] = name
        else:
            _BASE_OF_FIXTURE.pop(fixturedef.argname, None)
            c.drop_db(name)
        return result


def copy_workspace(src: Path, dst: Path) -> Path:
    """A copy of the workspace folder ``src`` at ``dst``; on the PostgreSQL run, the running
    test's database becomes a copy of ``src``'s master too."""
    shutil.copytree(src, dst)
    if ON_POSTGRESQL:
        base = _BASE_DBS.get(Path(src).resolve())
        if base is None:
            raise AssertionError(f"{src} was not built by a module or session fixture")
        current = _CURRENT_DB[-1]
        if _FRESH_COPY_OF.pop(current, None) != base:  # not already an untouched copy of it
            cluster().replace_db(current, base)
    return Path(dst)


def use_master(ws: Any) -> Any:
    """PostgreSQL run: the running test's database becomes a copy of the master of ``ws`` (a
    workspace built once per module or session, used as it is); a no-op on SQLite."""
    if ON_POSTGRESQL:
        base = _BASE_DBS[Path(ws.root).resolve()]
        current = _CURRENT_DB[-1]
        if _FRESH_COPY_OF.pop(current, None) != base:
            cluster().replace_db(current, base)
    return ws


class OtherMaster:
    """A second workspace in the same test: on the PostgreSQL run FUJIMI_DB_URL names one
    database at a time, so the second workspace's master is a database of its own, named for
    the commands inside ``with other:`` (empty, or a copy of the running test's database with
    ``copy=True``). A no-op on SQLite, where each workspace holds its own master.sqlite."""

    def __init__(self, copy: bool = False) -> None:
        self.name = ""
        if ON_POSTGRESQL:
            c = cluster()
            template = _CURRENT_DB[-1] if copy else None
            if template:
                c.sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      f"WHERE datname = '{template}' AND pid <> pg_backend_pid()")
            self.name = c.create_db(template=template)
            _EXTRA_DBS.append(self.name)
        self.saved: list[str | None] = []

    def __enter__(self) -> OtherMaster:
        if self.name:
            self.saved.append(os.environ.get("FUJIMI_DB_URL"))
            os.environ["FUJIMI_DB_URL"] = cluster().url(self.name)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.name:
            old = self.saved.pop()
            if old is None:
                os.environ.pop("FUJIMI_DB_URL", None)
            else:
                os.environ["FUJIMI_DB_URL"] = old


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): tests the SQLite file itself (skipped on the PostgreSQL run)")
    if ON_POSTGRESQL:
        config.pluginmanager.register(_BaseDatabases(), "fujimi-base-databases")


@pytest.fixture
def run() -> Any:
    """run(*args) -> the result of the command line ``fujimi-xl args…`` (click's runner)."""
    runner = CliRunner()

    def _run(*args: Any) -> Any:
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return _run


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests marked libreoffice skip without it locally; in CI a missing LibreOffice fails.
    On the PostgreSQL run, tests marked sqlite_only skip."""
    from fujimi_xl.output.pdf import libreoffice

    if ON_POSTGRESQL:
        for item in items:
            mark = item.get_closest_marker("sqlite_only")
            if mark is not None:
                why = mark.kwargs.get("reason") or (mark.args[0] if mark.args else "")
                item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))

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
    return api.open_workspace(copy_workspace(src, tmp_path / "ws"))


@pytest.fixture
def outbox(ws: Any) -> dict[str, Path]:
    """group code -> generated workbook (inside this test's workspace)."""
    folder = ws.outbox / str(YEAR) / "progress"
    rows = master_rows(ws, "SELECT group_code, file_name FROM issued")
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
    copy_workspace(_ap_base, tmp_path / "ws")
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


def master_rows(ws: Any, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """The rows of a query on the workspace's master, read through the library (either
    database)."""
    with open_store(ws).read() as st:
        return st.query(sql, params)


def master_value(ws: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """The first column of the first row of a query on the workspace's master."""
    with open_store(ws).read() as st:
        return st.scalar(sql, params)


def master_write(ws: Any, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Change the master behind the library's back (tampering tests), in one transaction."""
    with open_store(ws).read() as st, st.write():
        st.execute(sql, params)


def master_snapshot(ws: Any) -> list[tuple[Any, ...]]:
    """Everything accepted in the master, to compare before and after a refusal."""
    subs = master_rows(ws, "SELECT id, form, year, group_code, version, superseded_by "
                           "FROM submissions ORDER BY id")
    vals = master_rows(ws, "SELECT * FROM record_values "
                           "ORDER BY submission_id, item_key, field")
    return [tuple(r.values()) for r in [*subs, *vals]]


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


@pytest.fixture(scope="module")
def runner() -> Any:
    """The web app's pool of ingest workers, one per test module (a module may define its own)."""
    from fujimi_xl.web.runner import Runner  # only the web tests start a pool

    r = Runner(workers=2)
    yield r
    r.close()


def write_form(root: Path, form: dict[str, Any], schema: dict[str, Any]) -> Path:
    """A form defined in workspace ``root`` (templates/<name>/): its form.json."""
    folder = root / "templates" / form["name"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "form.json").write_text(json.dumps(form, ensure_ascii=False), "utf-8")
    (folder / "schema.json").write_text(json.dumps(schema), "utf-8")
    return folder / "form.json"


def write_plan(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    """A plan workbook: 計画 (``header`` and 担当, then ``rows``), one group 総務, a setting."""
    wb = openpyxl.Workbook()
    wb.active.title = "計画"
    wb.active.append([*header, "担当"])
    for r in rows:
        wb.active.append(r)
    gs = wb.create_sheet("担当一覧")
    for g in [("担当", "部", "グループ"), ("総務", "総務部", "総務グループ")]:
        gs.append(list(g))
    wb.create_sheet("設定").append(["計画名", "照会"])
    wb.save(path)
    return path
