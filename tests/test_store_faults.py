"""Issue 14: a master on PostgreSQL that cannot be used is the secretariat's fault: a Japanese
sentence naming the server (never the password) and what to do, exit 2, never a traceback,
and no returned file refused because of it."""

from __future__ import annotations

import json
import socket

import pytest

from fujimi_xl import api, store
from fujimi_xl.core.messages import error_text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once the socket is closed


@pytest.fixture
def down_url() -> str:
    return f"postgresql://fx:s3cret-pw@127.0.0.1:{_closed_port()}/fujimi"


def test_init_on_a_server_that_is_down_says_so_and_creates_nothing(tmp_path, run, down_url):
    port = down_url.split(":")[-1].split("/")[0]
    res = run("init", tmp_path / "ws", "--db", down_url)
    assert res.exit_code == 2
    assert error_text("pg_unreachable", where=f"127.0.0.1:{port}") in res.output
    assert "Traceback" not in res.output and "s3cret-pw" not in res.output
    assert not (tmp_path / "ws").exists()


def test_init_db_takes_only_a_postgresql_url(tmp_path, run):
    res = run("init", tmp_path / "ws", "--db", "mysql://root:pw@host/db")
    assert res.exit_code == 2
    assert error_text("db_url_unknown", url="mysql://root:***@host/db") in res.output
    assert not (tmp_path / "ws").exists()


def test_a_workspace_whose_master_server_is_down_stops_every_command_in_words(
        ws, outbox, fill, run, down_url, monkeypatch):
    path = fill(outbox["保育"], "保育")
    ws.config["db"] = down_url
    ws.save_config()
    monkeypatch.delenv("FUJIMI_DB_URL", raising=False)
    assert api.open_workspace(ws.root).db_url == down_url  # no master.sqlite demanded
    port = down_url.split(":")[-1].split("/")[0]
    expected = error_text("pg_unreachable", where=f"127.0.0.1:{port}")
    for args in (("status", "progress", "--year", "H29", "-w", ws.root),
                 ("ingest", path, "-w", ws.root),
                 ("verify", "-w", ws.root)):
        res = run(*args)
        assert res.exit_code == 2, (args, res.output)
        assert expected in res.output, (args, res.output)
        assert "Traceback" not in res.output and "s3cret-pw" not in res.output
    assert not any(ws.feedback.rglob("*.xlsx"))  # no returned file was refused for it


def test_fujimi_db_url_overrides_the_workspace_config(ws, run, down_url, monkeypatch):
    monkeypatch.setenv("FUJIMI_DB_URL", down_url)
    assert api.open_workspace(ws.root).db_url == down_url
    res = run("status", "progress", "--year", "H29", "-w", ws.root)
    assert res.exit_code == 2 and "PostgreSQL" in res.output
    assert json.loads((ws.root / "fujimi.json").read_text("utf-8")).get("db") is None


@pytest.mark.parametrize(("text", "code"), [
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  '
     'password authentication failed for user "clerk"', "pg_auth"),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  '
     'database "fujimi" does not exist', "pg_no_database"),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: '
     'Connection refused', "pg_unreachable"),
    ("permission denied for table submissions", "pg_denied"),
])
def test_postgresql_errors_are_classified_as_workspace_faults(text, code):
    import psycopg  # the test builds the driver's own errors

    exc = (psycopg.errors.InsufficientPrivilege(text) if code == "pg_denied"
           else psycopg.OperationalError(text))
    fault = store.fault_from(exc, "postgresql://clerk:pw@10.0.0.5:5432/fujimi")
    assert fault.code == code
    message = str(fault)
    assert "10.0.0.5:5432" in message and ":pw@" not in message
