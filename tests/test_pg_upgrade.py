"""A workspace made by the last release's code (commit d0a6840: master schema 1, local times
+09:00; see tests/data/README.md) is upgraded in place by the current code on first use: the
data intact, times in UTC, verify passes, a new ingest works; and it migrates to PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.demo import fill_workbook, sample_data
from fujimi_xl.store import migrations, open_store

OLD = Path(__file__).parent / "data" / "release_d0a6840" / "ws"
YEAR = 2017


def invoke(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def old_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the old workspace; its master is its own master.sqlite."""
    monkeypatch.delenv("FUJIMI_DB_URL", raising=False)
    return Path(shutil.copytree(OLD, tmp_path / "ws"))


def content(ws: Any) -> dict[str, Any]:
    with open_store(ws).read() as st:
        return {
            "versions": st.query("SELECT id, group_code, slot, version, superseded_by, file_id "
                                 "FROM submissions ORDER BY id"),
            "values": st.query("SELECT submission_id, item_key, field, value, sheet, cell "
                               "FROM record_values ORDER BY submission_id, item_key, field"),
            "files": st.query("SELECT id, sha256, file_name, received_at FROM files "
                              "ORDER BY id"),
            "groups": st.scalar("SELECT count(*) FROM groups"),
            "issued": st.scalar("SELECT count(*) FROM issued"),
        }


def check_old_data(c: dict[str, Any]) -> None:
    assert [(v["id"], v["group_code"], v["version"], v["superseded_by"]) for v in c["versions"]] \
        == [(1, "こども育成", 1, 4), (2, "保育", 1, None), (3, "子育て支援", 1, None),
            (4, "こども育成", 2, None)]
    assert len(c["values"]) == 48
    assert c["groups"] == 10 and c["issued"] == 10
    first = {(v["item_key"], v["field"]): v["value"] for v in c["values"]
             if v["submission_id"] == 1}
    assert first[("1-2-4", "grade")] == '"B"'
    # stored at 23:14 Japan time on 2026-12-01 by the old code: 14:14 UTC now
    assert [f["received_at"][:16] for f in c["files"]] == ["2026-12-01T14:14"] * 4
    assert all(f["received_at"].endswith("+00:00") for f in c["files"])


def new_ingest(ws: Any, tmp_path: Path) -> None:
    book = next((ws.outbox / str(YEAR) / "progress").glob("*教育支援*.xlsx"))
    filled = fill_workbook(book, sample_data()["responses"]["教育支援"], tmp_path / book.name)
    res = invoke("ingest", filled, "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output


def test_the_last_release_workspace_upgrades_in_place(old_ws, tmp_path):
    ws = api.open_workspace(old_ws)
    c = content(ws)  # the first use upgrades the master
    check_old_data(c)
    with open_store(ws).read() as st:
        assert int(st.scalar("SELECT value FROM meta WHERE key = 'schema_version'")) \
            == migrations.SCHEMA_VERSION
    assert api.verify(ws).findings == []
    status = invoke("status", "progress", "--year", YEAR, "-w", old_ws)
    assert status.exit_code == 0 and "保育" in status.output
    new_ingest(ws, tmp_path)
    assert content(ws)["versions"][-1]["group_code"] == "教育支援"
    assert api.verify(ws).findings == []


def test_the_last_release_workspace_migrates_to_postgresql(old_ws, pg_url, tmp_path):
    res = invoke("migrate", old_ws, "--to", pg_url)
    assert res.exit_code == 0, res.output
    ws = api.open_workspace(old_ws)
    assert json.loads((old_ws / "fujimi.json").read_text(encoding="utf-8"))["db"] == pg_url
    check_old_data(content(ws))
    assert api.verify(ws).findings == []
    new_ingest(ws, tmp_path)
    assert content(ws)["versions"][-1] == {**content(ws)["versions"][-1], "id": 5}
    assert api.verify(ws).findings == []
