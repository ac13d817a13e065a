"""``fujimi-xl serve`` (issue 15): the real command under waitress on 127.0.0.1 prints the
address to open in Japanese and serves the pages; a port in use is a sentence, exit 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from fujimi_xl.core.messages import error_text, web_text
from fujimi_xl.lifecycle import access

from .conftest import YEAR

FUJIMI = Path(sys.executable).with_name("fujimi-xl")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(ws: Any, port: int, *extra: str) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen([str(FUJIMI), *extra, "serve", "-w", str(ws.root), "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, encoding="utf-8", env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if "Ctrl+C" in line:
            break
    return proc, lines


def descendants(pid: int) -> set[int]:
    """Every process under ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def gone(pids: set[int], seconds: float = 10) -> set[int]:
    """Those of ``pids`` still running after ``seconds``."""
    deadline = time.monotonic() + seconds
    left = set(pids)
    while left and time.monotonic() < deadline:
        left = {p for p in left if Path(f"/proc/{p}").exists()
                and "Z" not in (Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[:1]
                                or ["Z"])}
        time.sleep(0.2)
    return left


def test_serve_prints_the_address_and_serves_the_pages(ws):
    token = access.links(ws, "progress", YEAR)[0].token
    port = free_port()
    proc, lines = start(ws, port)
    try:
        url = f"http://127.0.0.1:{port}"
        assert lines[:3] == [web_text("serve_started", url=url + "/"),
                             web_text("serve_admin", url=url + "/admin"),
                             web_text("serve_stop")], lines
        with urllib.request.urlopen(f"{url}/g/{token}", timeout=10) as resp:
            page = resp.read().decode("utf-8")
            assert resp.status == 200
            assert resp.headers["Server"] == "fujimi-xl"
        assert "進捗状況評価" in page and web_text("submit") in page
        try:
            urllib.request.urlopen(f"{url}/g/{'x' * 43}", timeout=10)
            raise AssertionError("an unknown token must be a 404")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
            assert web_text("not_found") in exc.read().decode("utf-8")
        workers = descendants(proc.pid)
        assert workers  # the ingest workers (and the forkserver) run beside the server
    finally:
        proc.terminate()  # SIGTERM, as a service manager stops it
        proc.wait(timeout=20)
    assert gone(workers) == set(), "processes left behind after the server stopped"


def test_killing_the_server_leaves_no_worker_behind(ws):
    proc, lines = start(ws, free_port())
    try:
        workers = descendants(proc.pid)
        assert workers, lines
    finally:
        proc.kill()
        proc.wait(timeout=20)
    assert gone(workers) == set()


def test_serve_on_a_port_in_use_says_so_and_exits_2(ws):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = held.getsockname()[1]
        proc = subprocess.run([str(FUJIMI), "serve", "-w", str(ws.root), "--port", str(port)],
                              capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 2
    start_of = error_text("web_port_busy", host="127.0.0.1", port=port, detail="")
    assert start_of.split("（")[0] in proc.stderr
    assert "Traceback" not in proc.stderr
