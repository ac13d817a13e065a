"""``fujimi-xl migrate WS --to postgresql://…``: a workspace built on SQLite through the real
cycle (generate → fill → ingest, a second version) moves to PostgreSQL; status, history and the
report's data answer the same after, verify passes, a new ingest works; refusals in words."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.core.messages import error_text, ui
from fujimi_xl.demo import fill_workbook, sample_data, write_sample_plan
from fujimi_xl.store import open_store

from .pgcluster import free_port

YEAR = 2017
ITEM = "1-2-4"


def invoke(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def fault_line(code: str, **params: Any) -> str:
    return ui("error", "ja", message=error_text(code, "ja", **params))


@pytest.fixture(scope="module")
def _sqlite_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose master is its own master.sqlite (whatever FUJIMI_DB_URL says)."""
    saved = os.environ.pop("FUJIMI_DB_URL", None)
    try:
        root = tmp_path_factory.mktemp("migrate")
        ws = api.init(root / "ws", write_sample_plan(root / "plan.xlsx"), "progress")
        api.generate(ws, "progress", YEAR)
    finally:
        if saved is not None:
            os.environ["FUJIMI_DB_URL"] = saved
    return root / "ws"


@pytest.fixture
def sqlite_ws(_sqlite_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("FUJIMI_DB_URL", raising=False)
    return api.open_workspace(shutil.copytree(_sqlite_base, tmp_path / "ws"))


def outbox_of(ws: Any) -> dict[str, Path]:
    folder = ws.outbox / str(YEAR) / "progress"
    with open_store(ws).read() as st:
        rows = st.query("SELECT group_code, file_name FROM issued")
    return {r["group_code"]: folder / r["file_name"] for r in rows}


def returned(ws: Any, tmp: Path, groups: list[str], changes: dict[str, Any] | None = None,
             prefix: str = "") -> list[Path]:
    data, books = sample_data(), outbox_of(ws)
    out = []
    for g in groups:
        answers = {k: dict(v) for k, v in data["responses"][g].items()}
        for k, v in (changes or {}).items():
            if k in answers:
                answers[k].update(v)
        out.append(fill_workbook(books[g], answers, tmp / f"{prefix}{books[g].name}"))
    return out


def answers_of(ws: Any) -> dict[str, Any]:
    """What a clerk sees: status, history of one item, the report's data, the versions."""
    with open_store(ws).read() as st:
        versions = st.query("SELECT id, group_code, version, superseded_by FROM submissions "
                            "ORDER BY id")
        values = st.query("SELECT submission_id, item_key, field, value, sheet, cell "
                          "FROM record_values ORDER BY submission_id, item_key, field")
    return {
        "status": invoke("status", "progress", "--year", YEAR, "-w", ws.root).output,
        "history": invoke("history", ITEM, "-w", ws.root).output,
        "frame": api.frame(ws, "progress", YEAR).to_dict("records"),
        "versions": versions,
        "values": values,
    }


def test_migrate_moves_the_master_and_every_answer_stays_the_same(sqlite_ws, tmp_path, pg_url):
    ws = sqlite_ws
    (tmp_path / "r").mkdir()
    first = returned(ws, tmp_path / "r", ["こども育成", "保育", "子育て支援"])
    assert all(f.outcome == "accepted" for f in api.ingest(ws, first).files)
    (tmp_path / "r2").mkdir()
    key = next(iter(sample_data()["responses"]["保育"]))
    again = returned(ws, tmp_path / "r2", ["保育"], {key: {"result": "第2版の実施内容"}})
    assert [f.version for f in api.ingest(ws, again).files] == [2]
    before = answers_of(ws)

    res = invoke("migrate", ws.root, "--to", pg_url)
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    assert "マスタを PostgreSQL" in res.output

    kept = list(ws.root.glob("master.sqlite.migrated-*"))
    assert len(kept) == 1 and kept[0].stat().st_size > 0  # kept, never deleted
    assert not (ws.root / "master.sqlite").exists()
    config = json.loads((ws.root / "fujimi.json").read_text(encoding="utf-8"))
    assert config["db"] == pg_url

    moved = api.open_workspace(ws.root)
    assert moved.db_url == pg_url
    with open_store(moved).read() as st:
        assert st.dialect.name == "postgresql"
    assert answers_of(moved) == before  # ids kept, same versions, same values, same words
    assert api.verify(moved).findings == []
    assert invoke("verify", "-w", ws.root).exit_code == 0

    # a new ingest works and numbers on from the copied ids (the sequences were advanced)
    (tmp_path / "r3").mkdir()
    new = returned(moved, tmp_path / "r3", ["教育支援"])
    rep = invoke("ingest", new[0], "-w", ws.root)
    assert rep.exit_code == 0, rep.output
    with open_store(moved).read() as st:
        last = st.query("SELECT id, group_code FROM submissions ORDER BY id DESC")[0]
        files = st.scalar("SELECT max(id) FROM files")
    assert last == {"id": before["versions"][-1]["id"] + 1, "group_code": "教育支援"}
    assert files == 5
    assert api.verify(moved).findings == []


def test_migrate_refuses_a_database_that_is_not_empty(sqlite_ws, pg_cluster, pg_url):
    db = pg_url.rsplit("/", 1)[1]
    pg_cluster.sql("CREATE TABLE someone_elses (x int)", db)
    before = (sqlite_ws.root / "fujimi.json").read_bytes()
    res = invoke("migrate", sqlite_ws.root, "--to", pg_url)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert "空ではありません" in res.output and "someone_elses" in res.output
    assert (sqlite_ws.root / "master.sqlite").is_file()
    assert (sqlite_ws.root / "fujimi.json").read_bytes() == before
    assert pg_cluster.sql("SELECT count(*) FROM information_schema.tables "
                          "WHERE table_schema = 'public'", db) == "1"


def test_migrate_refuses_an_unreachable_server(sqlite_ws):
    url = f"postgresql://fx@127.0.0.1:{free_port()}/nothing"
    before = (sqlite_ws.root / "fujimi.json").read_bytes()
    res = invoke("migrate", sqlite_ws.root, "--to", url)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert "接続できません" in res.output
    assert (sqlite_ws.root / "master.sqlite").is_file()
    assert (sqlite_ws.root / "fujimi.json").read_bytes() == before


def test_migrate_refuses_a_workspace_already_on_postgresql(sqlite_ws, pg_cluster, pg_url):
    assert invoke("migrate", sqlite_ws.root, "--to", pg_url).exit_code == 0
    other = pg_cluster.url(pg_cluster.create_db())
    res = invoke("migrate", sqlite_ws.root, "--to", other)
    assert res.exit_code == 2, res.output
    assert fault_line("migrate_already_pg", root=sqlite_ws.root, where=pg_url) in res.output


def test_migrate_refuses_a_url_that_is_not_postgresql(sqlite_ws, tmp_path):
    res = invoke("migrate", sqlite_ws.root, "--to", f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert res.exit_code == 2, res.output
    assert "PostgreSQL の URL ではありません" in res.output
    assert (sqlite_ws.root / "master.sqlite").is_file()


def test_the_password_is_never_printed(sqlite_ws, pg_cluster):
    url = f"postgresql://fx:hunter2@127.0.0.1:{free_port()}/nothing"
    res = invoke("migrate", sqlite_ws.root, "--to", url)
    assert res.exit_code == 2
    assert "hunter2" not in res.output
