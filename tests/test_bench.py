"""The benchmark scripts still run (they call the package's stages directly): tiny sizes, and
the lines the README quotes are printed. Not a timing test."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench(script: str, *args: str) -> str:
    out = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_run_prints_every_ingest_goal_with_its_reference_and_ratio() -> None:
    text = bench("run.py", "--files", "4", "--scale", "4", "--runs", "1", "--quick")
    for goal in ("ingest 4 files, 1 worker", "ingest 4 files, 2 workers",
                 "fujimi-xl ingest 4 files (command, 2 workers)", "re-ingest 4 unchanged files"):
        line = next(x for x in text.splitlines() if goal in x)
        assert re.search(r"ours +[\d.]+ s +ref +[\d.]+ s +ratio +[\d.]+", line), line
    assert "'accepted': 4" in text  # the returned files were valid and merged
    assert "'unchanged': 4" in text  # and the second ingest only compared their sha256
    assert re.search(r"^ +4 files .* MB$", text, re.M)  # the scale line, with peak memory


def test_stages_prints_each_stage_and_the_budget() -> None:
    text = bench("stages.py", "--files", "4", "--passes", "1")
    figures = dict(re.findall(r"^  (\S.*?) +(\d+\.\d\d)", text, re.M))
    for stage in ("read and sha256", "safety checks", "python-calamine", "extract",
                  "normalise and validate", "archive copy", "per file"):
        assert stage in figures, stage
    assert float(figures["python-calamine"]) > 0
    assert "budget: 2 workers within 1.5 × the read" in text
    assert "budget: 1 worker within 2 × the read" in text
