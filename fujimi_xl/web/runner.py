"""Ingest started from a web request, outside the web server's process.

The server is threaded (waitress): forking it would copy a process whose other threads hold
locks (DESIGN "Known traps"), and ingest's reader pool forks. So each upload is ingested by a
long-lived worker process started with "forkserver" (or "spawn" where there is none): the
worker is single-threaded, so the reader pool it forks for the file is safe, and a reader that
aborts takes down at most that worker, never the server. A broken pool is rebuilt and the
upload is answered with a page, not a traceback.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fujimi_xl import api
from fujimi_xl.core.errors import FujimiError, fault_from
from fujimi_xl.intake.ingest import FileResult


@dataclass
class Failure:
    """Why an ingest could not run (sent back from the worker as plain data)."""

    fault: bool  # the workspace's (the secretariat's); False: the worker died on the file
    code: str
    texts: tuple[str, str]  # ja, en


@dataclass
class Job:
    root: str
    path: str
    form: str
    year: int
    group: str
    slot: str
    dry_run: bool
    lang: str


def run_job(job: Job) -> FileResult | Failure:
    """In the worker: ingest one uploaded file for one slot (workers=1: one file)."""
    try:
        ws = api.open_workspace(Path(job.root))
        report = api.ingest(ws, [job.path], form=job.form, year=job.year, group=job.group,
                            slot=job.slot, workers=1, dry_run=job.dry_run, lang=job.lang)
    except FujimiError as exc:  # a file's problems come back as problems: this is not one
        return Failure(True, exc.code, (exc.message("ja"), exc.message("en")))
    except OSError as exc:
        fault = fault_from(exc, Path(job.root) / "master.sqlite")
        return Failure(True, fault.code, (fault.message("ja"), fault.message("en")))
    if not report.files:
        return Failure(True, "nothing", ("", ""))
    return report.files[0]


def watch_server(server: int, every: float = 1.0) -> None:
    """In each worker: exit once the server is gone (killed, even with -9), so no worker
    outlives it. The watching thread only sleeps and asks whether a process exists, holding
    no lock a fork of the reader pool could copy half-taken."""
    def alive() -> bool:
        if os.name != "posix":  # spawn: the server is the parent (os.kill would end it)
            return os.getppid() == server
        try:
            os.kill(server, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True
        return True

    def watch() -> None:
        while True:
            time.sleep(every)
            if not alive():
                os._exit(0)

    threading.Thread(target=watch, name="fujimi-web-server-watch", daemon=True).start()


def warm() -> bool:
    """Imports the package in a worker ahead of the first upload."""
    return True


def _context() -> Any:
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


class Runner:
    """A small pool of ingest workers shared by the server's threads."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or max(2, os.cpu_count() or 1)
        self.lock = threading.Lock()
        self.pool: ProcessPoolExecutor | None = None

    def executor(self) -> ProcessPoolExecutor:
        with self.lock:
            if self.pool is None:
                ctx = _context()
                if ctx.get_start_method() == "forkserver":
                    ctx.set_forkserver_preload(["fujimi_xl.web.runner"])
                self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                                initializer=watch_server,
                                                initargs=(os.getpid(),))
            return self.pool

    def start(self) -> None:
        """Start the workers now (the first upload then does not wait for them)."""
        pool = self.executor()
        for _ in range(self.workers):
            pool.submit(warm)

    def run(self, job: Job) -> FileResult | Failure:
        pool = self.executor()
        try:
            return pool.submit(run_job, job).result()
        except BrokenProcessPool:
            with self.lock:  # a worker died (a reader aborted): a new pool for the next one
                if self.pool is pool:
                    self.pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            return Failure(False, "read_failed", ("", ""))  # the file killed its reader

    def close(self) -> None:
        with self.lock:
            pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
