"""Ingest started from a web request, outside the web server's process.

The server is threaded (waitress): forking it would copy a process whose other threads hold
locks (DESIGN "Known traps"). So each upload is ingested by a long-lived worker process
started with "forkserver" (or "spawn" where there is none), with the reader's limits (memory
cap, no core file). The worker is itself the isolation a reader needs, so it reads the file in
its own process (``isolated=False``): no reader pool is started per upload (measured here:
about 0.10 s a file with a pool of one, 0.01 s without), and the worker keeps the form and the
master's read connection from one upload to the next. A reader that aborts takes down only
its worker: the pool is rebuilt and every upload that was in it is tried again once, alone in
a fresh process, so only the file at fault is refused (read_failed), as ingest's own pool does.
A worker that overruns the time limit is handled the same way.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fujimi_xl import api
from fujimi_xl.core.errors import FujimiError, fault_from
from fujimi_xl.intake import isolate
from fujimi_xl.intake.ingest import FileResult, forget_forms
from fujimi_xl.store.workspace import DB_URL_ENV


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
    db: str = ""  # the master's URL as the server sees it (a worker's environment is older)


_SEEN: dict[str, tuple[tuple[str, int, int], ...]] = {}


def definitions_stamp(root: Path) -> tuple[tuple[str, int, int], ...]:
    """The workspace's form definitions as (file, mtime, size): changes when one is edited."""
    found = []
    for path in sorted((root / "templates").glob("*/*.json")):
        try:
            st = path.stat()
        except OSError:
            continue
        found.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(found)


def run_job(job: Job) -> FileResult | Failure:
    """In the worker: ingest one uploaded file for one slot, read in this process. The worker
    keeps the forms it read from one upload to the next, until a definition of the workspace
    changes (the secretariat edited one while the server runs)."""
    stamp = definitions_stamp(Path(job.root))
    if _SEEN.get(job.root) != stamp:
        forget_forms()
        _SEEN[job.root] = stamp
    try:
        if job.db:  # the server's view of the master wins over what the worker started with
            os.environ[DB_URL_ENV] = job.db
        else:
            os.environ.pop(DB_URL_ENV, None)
        ws = api.open_workspace(Path(job.root))
        report = api.ingest(ws, [job.path], form=job.form, year=job.year, group=job.group,
                            slot=job.slot, dry_run=job.dry_run, lang=job.lang,
                            isolated=False)
    except FujimiError as exc:  # a file's problems come back as problems: this is not one
        return Failure(True, exc.code, (exc.message("ja"), exc.message("en")))
    except OSError as exc:
        fault = fault_from(exc, job.root)
        return Failure(True, fault.code, (fault.message("ja"), fault.message("en")))
    if not report.files:
        return Failure(True, "nothing", ("", ""))
    return report.files[0]


def start_worker(server: int) -> None:
    """Each worker: the reader's limits, and gone when the server is."""
    isolate.limit_process()
    watch_server(server)


def watch_server(server: int, every: float = 1.0) -> None:
    """In each worker: exit once the server is gone (killed, even with -9), so no worker
    outlives it. The watching thread only sleeps and asks whether a process exists."""
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


TIME_LIMIT = isolate.TIME_LIMIT + 30  # seconds an upload may take, merge included


def alone(job: Job, fn: Callable[[Job], FileResult | Failure] = run_job) -> FileResult | Failure:
    """Ingest ``job`` in a process of its own; a crash or overrun there is the file's."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=start_worker,
                               initargs=(os.getpid(),))
    try:
        return pool.submit(fn, job).result(timeout=TIME_LIMIT)
    except BrokenProcessPool:
        return Failure(False, "read_failed", ("", ""))  # the file killed its reader
    except TimeoutError:
        return Failure(False, "limit_exceeded", ("", ""))
    finally:
        kill(pool)


def kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now, its workers too (one may be stuck in a reader)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, AttributeError, ValueError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)


def _context() -> Any:
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


class Runner:
    """A small pool of ingest workers shared by the server's threads."""

    def __init__(self, workers: int | None = None,
                 job: Callable[[Job], FileResult | Failure] = run_job) -> None:
        self.workers = workers or max(2, os.cpu_count() or 1)
        self.job = job  # run in the worker (a module-level function, sent by name)
        self.lock = threading.Lock()
        self.pool: ProcessPoolExecutor | None = None

    def executor(self) -> ProcessPoolExecutor:
        with self.lock:
            if self.pool is None:
                ctx = _context()
                if ctx.get_start_method() == "forkserver":
                    ctx.set_forkserver_preload(["fujimi_xl.web.runner"])
                self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                                initializer=start_worker,
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
            return pool.submit(self.job, job).result(timeout=TIME_LIMIT)
        except (BrokenProcessPool, TimeoutError):
            # a worker died (a reader aborted) or overran: every upload that was in the pool
            # sees this; each is tried again alone, so only the file at fault is refused
            self.discard(pool)
            return alone(job, self.job)

    def discard(self, pool: ProcessPoolExecutor) -> None:
        with self.lock:
            if self.pool is pool:
                self.pool = None
        kill(pool)

    def close(self) -> None:
        with self.lock:
            pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
