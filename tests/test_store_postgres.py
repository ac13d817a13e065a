"""Issue 14: the master on PostgreSQL, end to end: ``init --db`` makes the schema there, the
workspace folder keeps everything else, and generate → fill → ingest → status → verify →
report work as on SQLite. Needs a throwaway server: the ``pg_url`` fixture of
tests/conftest.py (or FUJIMI_TEST_PG_URL, an empty database, for one test at a time)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from fujimi_xl import api, store
from fujimi_xl.core.messages import error_text
from fujimi_xl.demo import fill_workbook, sample_data, write_sample_plan

YEAR = 2017


@pytest.fixture
def pg(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The URL of an empty PostgreSQL database; FUJIMI_DB_URL is unset, so that what the
    workspace says (its config) is what is used."""
    try:
        url = str(request.getfixturevalue("pg_url"))
    except pytest.FixtureLookupError:
        url = os.environ.get("FUJIMI_TEST_PG_URL", "")
        if not url:
            pytest.skip("no PostgreSQL test server (pg_url fixture or FUJIMI_TEST_PG_URL)")
    monkeypatch.delenv("FUJIMI_DB_URL", raising=False)
    return url


def _workspace(tmp_path: Path, url: str) -> tuple[Any, dict[str, Path]]:
    plan = write_sample_plan(tmp_path / "plan.xlsx")
    ws = api.init(tmp_path / "ws", plan, "progress", db=url)
    gen = api.generate(ws, "progress", YEAR)
    return ws, {g: p for g, p, _ in gen.files}


def test_init_db_puts_the_master_on_postgresql_and_the_cycle_works(tmp_path, pg, run):
    ws, books = _workspace(tmp_path, pg)
    assert not (ws.root / "master.sqlite").exists()
    assert api.open_workspace(ws.root).db_url == pg
    for folder in ("outbox", "feedback", "reports", "archive"):
        assert (ws.root / folder).is_dir()
    answers = sample_data()["responses"]
    (tmp_path / "in").mkdir()
    for g in ("保育", "応援センター"):
        fill_workbook(books[g], answers[g], tmp_path / "in" / books[g].name)
    rep = api.ingest(ws, [tmp_path / "in"])
    assert [f.outcome for f in rep.files] == ["accepted", "accepted"], [
        p.message() for f in rep.files for p in f.problems]
    again = api.ingest(ws, [tmp_path / "in"])
    assert [f.outcome for f in again.files] == ["unchanged", "unchanged"]
    with store.open_store(ws).read() as st:
        assert st.dialect.name == "postgresql"
        assert st.scalar("SELECT value FROM meta WHERE key = 'schema_version'") \
            == str(store.SCHEMA_VERSION)
        assert st.scalar("SELECT count(*) FROM submissions WHERE superseded_by IS NULL") == 2
        received = st.scalar("SELECT received_at FROM files ORDER BY id LIMIT 1")
        kinds = {r["column_name"]: r["data_type"] for r in st.query(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'files'")}
    assert received.endswith("+00:00") and len(received) == 25
    assert kinds["received_at"] == kinds["saved_at"] == "timestamp with time zone"
    assert api.verify(ws).ok
    res = run("status", "progress", "--year", "H29", "-w", ws.root)
    assert res.exit_code == 0, res.output
    out = tmp_path / "report.xlsx"
    res = run("report", "progress", "--year", "H29", "-w", ws.root, "-o", out)
    assert res.exit_code == 0, res.output
    assert out.is_file()


def test_a_database_holding_another_workspaces_master_is_refused(tmp_path, pg, run):
    (tmp_path / "a").mkdir()
    first, books = _workspace(tmp_path / "a", pg)
    res = run("init", tmp_path / "b", "--db", pg)
    assert res.exit_code == 2
    where = store.mask(pg)
    assert error_text("db_other_master", where=where, root=str(first.root.resolve())) \
        in res.output
    assert not (tmp_path / "b").exists()
    with store.open_store(first).read() as st:  # the first master is untouched
        assert st.scalar("SELECT value FROM meta WHERE key = 'workspace_id'") \
            == first.config["workspace_id"]
        assert st.scalar("SELECT count(*) FROM issued") == len(books)


def test_an_empty_master_left_by_a_failed_init_is_taken_over(tmp_path, pg):
    store.claim_master(pg, "someone-else", "/nowhere")  # schema made, nothing in it
    ws = api.init(tmp_path / "ws", None, None, db=pg)
    with store.open_store(ws).read() as st:
        assert st.scalar("SELECT value FROM meta WHERE key = 'workspace_id'") \
            == ws.config["workspace_id"]


def test_a_new_version_supersedes_the_current_one_inside_one_transaction(tmp_path, pg):
    ws, books = _workspace(tmp_path, pg)
    answers = sample_data()["responses"]["保育"]
    (tmp_path / "in").mkdir()
    first = fill_workbook(books["保育"], answers, tmp_path / "in" / "a.xlsx")
    api.ingest(ws, [first])
    changed = {k: dict(v) for k, v in answers.items()}
    changed["4-2-1"]["result"] = "訂正版"
    second = fill_workbook(books["保育"], changed, tmp_path / "b.xlsx")
    rep = api.ingest(ws, [second])
    assert rep.files[0].outcome == "accepted" and rep.files[0].version == 2
    with store.open_store(ws).read() as st:
        assert st.query("SELECT version, superseded_by FROM submissions ORDER BY version") \
            == [{"version": 1, "superseded_by": st.scalar(
                "SELECT id FROM submissions WHERE version = 2")},
                {"version": 2, "superseded_by": None}]
        assert st.scalar("SELECT count(*) FROM record_values") > 0
    assert [e.value for e in api.history(ws, "4-2-1") if e.field == "result"][-1] == "訂正版"
    assert api.verify(ws).ok


def test_backup_of_a_workspace_whose_master_is_on_postgresql_says_to_use_pg_dump(
        tmp_path, pg, run):
    ws = api.init(tmp_path / "ws", None, None, db=pg)
    out = tmp_path / "backup.zip"
    res = run("backup", "-w", ws.root, "-o", out)
    assert res.exit_code == 2
    assert error_text("pg_backup", where=store.mask(pg)) in res.output
    assert "Traceback" not in res.output and not out.exists()


def test_a_workspace_made_with_fujimi_db_url_keeps_its_master_url(tmp_path, pg, monkeypatch, run):
    monkeypatch.setenv("FUJIMI_DB_URL", pg)
    res = run("init", tmp_path / "ws")
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "ws" / "master.sqlite").exists()
    monkeypatch.delenv("FUJIMI_DB_URL")
    ws = api.open_workspace(tmp_path / "ws")  # found again without the variable
    assert ws.db_url == pg
    with store.open_store(ws).read() as st:
        assert st.dialect.name == "postgresql"
        assert st.scalar("SELECT value FROM meta WHERE key = 'workspace_id'") \
            == ws.config["workspace_id"]


def test_a_master_held_by_another_writer_is_waited_for_then_refused_in_words(
        tmp_path, pg, monkeypatch):
    from fujimi_xl.core.errors import WorkspaceFault

    ws = api.init(tmp_path / "ws", None, None, db=pg)
    monkeypatch.setenv("FUJIMI_LOCK_WAIT", "1")
    holder = store.open_store(ws)
    try:
        holder.begin()  # another writer's transaction holds the master's write lock
        with pytest.raises(WorkspaceFault) as caught:
            ws.check_writable()
        assert caught.value.code == "pg_locked"
        assert "SQLite" not in caught.value.message("ja")
        assert "Traceback" not in str(caught.value)
    finally:
        holder.rollback()
        holder.close()
    ws.check_writable()  # free again
