"""A Windows console in cp932 (PYTHONIOENCODING=cp932): every command prints every line; a
character cp932 lacks is printed as a readable substitute, never a UnicodeEncodeError."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fujimi_xl import api
from fujimi_xl.console import substitute

from .conftest import YEAR


def cp932(*args: object, lang: str | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "cp932"}
    env.pop("FUJIMI_LANG", None)
    if lang:
        env["FUJIMI_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "fujimi_xl", *map(str, args)],
                          capture_output=True, env=env, timeout=120, check=False)


def text(raw: bytes) -> str:
    return raw.decode("cp932")  # strict: every byte written is cp932


def test_substitutes_are_readable():
    assert substitute("↵", "cp932") == "〔改行〕"
    assert substitute("①", "cp932") == "①"  # in cp932 itself
    assert substitute("⑳", "cp932") == "⑳"
    assert substitute("㉑", "cp932") == "(21)"
    assert substitute("·", "cp932") == "・"
    assert substitute("〜", "cp932") == "〜"  # WAVE DASH: cp932 0x8160
    assert substitute("～", "cp932") == "～"
    assert substitute("—", "cp932") == "―"
    assert substitute("😀", "cp932") == "?"
    assert substitute("↵", "utf-8") == "↵"


def test_history_with_a_line_break_prints_in_cp932(ws, outbox, fill):
    path = fill(outbox["保育"], "保育", {"4-2-1": {"next_plan": "一行目\n二行目㉑"}})
    assert api.ingest(ws, [path]).files[0].outcome == "accepted"
    res = cp932("history", "4-2-1", "-w", ws.root)
    assert res.returncode == 0, text(res.stderr)
    out = text(res.stdout)
    assert "一行目〔改行〕二行目(21)" in out
    assert "Traceback" not in text(res.stderr)


def test_dry_run_status_and_errors_print_in_cp932(ws, outbox, fill, tmp_path):
    path = fill(outbox["保育"], "保育", {"4-2-1": {"reason": "理由\n—"}})
    res = cp932("ingest", path, "-w", ws.root, "--dry-run")
    assert res.returncode == 0, text(res.stderr)
    assert "理由〔改行〕―" in text(res.stdout)
    res = cp932("status", "progress", "--year", YEAR, "-w", ws.root)
    assert res.returncode == 0, text(res.stderr)
    assert "督促が必要な担当" in text(res.stdout)
    res = cp932("status", "progress", "--year", YEAR, "-w", tmp_path / "なし")
    assert res.returncode == 2
    assert "作業フォルダではありません" in text(res.stderr)


@pytest.mark.parametrize("args", [("--help",), ("ingest", "--help"), ("ingest", "受信なし/"),
                                  ("status", "progress", "-y", "2018")])
def test_help_and_usage_errors_print_in_cp932(args: tuple[str, ...], tmp_path: Path):
    res = cp932(*args)
    assert "Traceback" not in text(res.stderr)
    assert (text(res.stdout) + text(res.stderr)).startswith("使い方: ")
