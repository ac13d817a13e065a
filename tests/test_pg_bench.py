"""bench/run.py prints the ingest on PostgreSQL beside SQLite (tiny sizes; not a timing test)."""

from __future__ import annotations

import re

from .pgcluster import bin_dir
from .test_bench import bench


def test_run_prints_the_ingest_on_postgresql_beside_sqlite() -> None:
    text = bench("run.py", "--files", "4", "--scale", "4", "--runs", "1", "--quick")
    if bin_dir() is None:
        assert "ingest 4 files on PostgreSQL: skipped" in text
        return
    line = next(x for x in text.splitlines() if "ingest 4 files on PostgreSQL, 2 workers" in x)
    assert re.search(r"ours +[\d.]+ s +ref +[\d.]+ s +ratio +[\d.]+ \(goal ≤ 1.5\)", line), line
