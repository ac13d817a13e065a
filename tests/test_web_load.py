"""20 concurrent uploads through ``fujimi-xl serve`` (issue 15), by the load bench's own code:
every upload answers with its result page, every file is merged exactly once, and verify
passes. Not a timing test (bench/web_load.py prints the times)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "web_load.py"


def test_twenty_concurrent_uploads_all_merge_once_and_verify(tmp_path):
    out = tmp_path / "load.json"
    # the bench's reference ingests the same books into a copy of the workspace folder: two
    # masters, so it keeps its masters in the workspaces (SQLite) on the PostgreSQL run too;
    # concurrent web uploads on PostgreSQL are covered by test_web_group's double post and
    # test_concurrency's overlapping ingests
    env = {k: v for k, v in os.environ.items() if k != "FUJIMI_DB_URL"}
    res = subprocess.run([sys.executable, str(BENCH), "--uploads", "20", "--items", "5",
                          "--json", str(out)], capture_output=True, text=True, timeout=600,
                         env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["failed"] == []
    assert (figures["merged_once"], figures["groups"]) == (20, 20)
    assert figures["verify_ok"] is True
    assert figures["p95"] > 0 and figures["ref_median"] > 0
    lines = res.stdout.splitlines()
    assert "web upload, 20 concurrent (5 items a book)  median" in lines[0]
    assert "p95" in lines[0] and "reference: api.ingest in-process" in lines[1]
    assert lines[2].strip().startswith("merged once: 20/20  verify: ok  failed uploads: 0")
