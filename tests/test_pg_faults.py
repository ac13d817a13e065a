"""Workspace faults on PostgreSQL: the server down, a wrong password, the database missing. Each
is the secretariat's: a Japanese sentence and exit 2, never a traceback, no returned file
blamed, no password printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.core.messages import error_text, ui
from fujimi_xl.demo import fill_workbook, sample_data, write_sample_plan

from . import pgcluster

YEAR = 2017


def invoke(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def fault_line(code: str, **params: Any) -> str:
    return ui("error", "ja", message=error_text(code, "ja", **params))


def point_at(root: Path, url: str) -> None:
    """The workspace's config names ``url`` as its master."""
    path = root / "fujimi.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["db"] = url
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")


def make_ws(root: Path, url: str) -> Any:
    ws = api.init(root / "ws", write_sample_plan(root / "plan.xlsx"), "progress", db=url)
    api.generate(ws, "progress", YEAR)
    return ws


def one_returned(ws: Any, out: Path) -> Path:
    book = next((ws.outbox / str(YEAR) / "progress").glob("*保育*.xlsx"))
    return fill_workbook(book, sample_data()["responses"]["保育"], out / book.name)


def assert_said_in_words(res: Any, line: str, ws: Any) -> None:
    assert res.exit_code == 2, res.output
    assert line in res.output, res.output
    assert "Traceback" not in res.output
    assert "差戻し\t" not in res.output  # no returned file is blamed
    assert not list(ws.feedback.rglob("*.xlsx"))


COMMANDS = [("status", "progress", "--year", YEAR), ("verify",),
            ("history", "1-2-4"), ("report", "progress", "--year", YEAR)]


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workspace's own config says where its master is."""
    monkeypatch.delenv("FUJIMI_DB_URL", raising=False)
    monkeypatch.delenv("PGPASSWORD", raising=False)


def test_a_stopped_server_is_told_in_words(no_env, tmp_path):
    bindir = pgcluster.bin_dir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed on this machine")
    server = pgcluster.Cluster(bindir)
    try:
        server.start()
        ws = make_ws(tmp_path, server.url(server.create_db()))
        returned = one_returned(ws, tmp_path)
        server.stop()
        line = fault_line("pg_unreachable", where=f"127.0.0.1:{server.port}")
        for args in [*COMMANDS, ("ingest", returned)]:
            assert_said_in_words(invoke(*args, "-w", ws.root), line, ws)
    finally:
        server.cleanup()


def test_a_wrong_password_is_told_in_words_and_never_printed(no_env, tmp_path, pg_cluster,
                                                              pg_url):
    ws = make_ws(tmp_path, pg_url)
    db = pg_url.rsplit("/", 1)[1]
    pg_cluster.sql(f"GRANT ALL ON DATABASE {db} TO {pgcluster.PW_USER}")
    point_at(ws.root, pg_cluster.url(db, pgcluster.PW_USER, "not-the-secret"))
    line = fault_line("pg_auth", where=f"127.0.0.1:{pg_cluster.port}", user=pgcluster.PW_USER)
    for args in [*COMMANDS, ("ingest", one_returned(ws, tmp_path))]:
        res = invoke(*args, "-w", ws.root)
        assert_said_in_words(res, line, ws)
        assert "not-the-secret" not in res.output


def test_a_missing_database_is_told_in_words(no_env, tmp_path, pg_cluster, pg_url):
    ws = make_ws(tmp_path, pg_url)
    point_at(ws.root, pg_cluster.url("no_such_master"))
    line = fault_line("pg_no_database", where=f"127.0.0.1:{pg_cluster.port}",
                      db="no_such_master")
    for args in [*COMMANDS, ("ingest", one_returned(ws, tmp_path))]:
        assert_said_in_words(invoke(*args, "-w", ws.root), line, ws)


def test_a_subprocess_against_a_stopped_server_exits_2_without_a_traceback(no_env, tmp_path):
    """The real command line (not click's runner): exit status 2 and the sentence on stderr
    or stdout, nothing from Python's internals."""
    url = f"postgresql://fx@127.0.0.1:{pgcluster.free_port()}/gone"
    root = tmp_path / "ws"
    root.mkdir()
    (root / "fujimi.json").write_text(json.dumps({"format": 1, "db": url}), encoding="utf-8")
    (root / "secret.key").write_text("00" * 32)
    out = subprocess.run([sys.executable, "-m", "fujimi_xl", "status", "progress", "--year",
                          str(YEAR), "-w", str(root)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 2, out
    assert "Traceback" not in out.stdout + out.stderr
    assert "接続できません" in out.stdout + out.stderr


def test_backup_of_a_master_on_postgresql_points_to_pg_dump(no_env, tmp_path, pg_url):
    ws = make_ws(tmp_path, pg_url)
    res = invoke("backup", "-w", ws.root, "-o", tmp_path / "b.zip")
    assert res.exit_code == 2, res.output
    assert "pg_dump" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "b.zip").exists()
