"""Run the reader where a crash cannot take ingest down: worker processes with limits.

A native reader can abort the process (python-calamine does on some crafted files) or hang. Each
file is read in a worker process with a memory cap and no core dumps; a worker that dies or
overruns its time fails its own file, never the run: the pool is rebuilt and the files that were
in flight are retried one at a time, so only the culprit is refused. Whatever goes wrong between
the processes (a result that cannot be sent back, a pool that breaks on submit) also becomes a
refusal of that file, never an exception out of :func:`read_many`. A worker whose ingest was
killed exits by itself.

Time: the reader gives up by itself after ``reader.READ_SECONDS`` (and stops a LibreOffice
conversion it started after ``reader.CONVERT_SECONDS``), below ``TIME_LIMIT``, so a worker is
normally never killed while LibreOffice runs for it.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from fujimi_xl.core.bulk import GC_THRESHOLD
from fujimi_xl.core.messages import intake_words as words
from fujimi_xl.intake.package import excess
from fujimi_xl.intake.reader import RawBook, ReadRefused, read_book

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per worker
TIME_LIMIT = 60.0  # seconds per file (the reader gives up by itself after READ_SECONDS)

Outcome = RawBook | ReadRefused


def limit_process() -> None:
    """The limits of a reading worker (memory cap, no core file on an abort)."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no core file
    except (ImportError, ValueError, OSError):  # not on every platform
        pass


def _init_worker() -> None:
    limit_process()
    _exit_with_parent()
    gc.freeze()  # what the worker inherited from its parent: never garbage
    gc.set_threshold(*GC_THRESHOLD)


def _exit_with_parent(every: float = 0.5) -> None:
    """A worker outlives an ingest killed with -9 (its pipes never close, they were inherited):
    it watches its parent and exits once it is gone."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="fujimi-parent-watch", daemon=True).start()


def _read(path: str, data: bytes | None = None) -> Outcome:
    try:
        return read_book(path, data)
    except ReadRefused as exc:
        return exc
    except MemoryError:
        return excess(words("memory"), words("over_limit"), f"{MEMORY_LIMIT // 1024**2}MB")
    except RecursionError:
        return excess(words("nesting_depth"), words("over_limit"), words("recursion_limit"))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # whatever a reader raises becomes one clear refusal
        return ReadRefused("not_workbook", detail=f"{type(exc).__name__}: {exc}"[:200])


def read_in_process(path: str, data: bytes | None = None) -> Outcome:
    """Read without a worker (for callers that isolate themselves); ``data``: the file's
    bytes when the caller has read them already."""
    return _read(path, data)


def _crashed() -> ReadRefused:
    return ReadRefused("read_failed", detail=words("reader_crashed"))


def _timed_out() -> ReadRefused:
    n = f"{TIME_LIMIT:.0f}"
    return excess(words("time_read"), words("seconds_over", n=n), words("seconds", n=n))


def _failed(exc: BaseException) -> ReadRefused:
    """What a reader raised, or a result that could not be sent back, as one refusal."""
    return ReadRefused("read_failed", detail=f"{type(exc).__name__}: {exc}"[:200])


def _pool(workers: int) -> ProcessPoolExecutor:
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method),
                               initializer=_init_worker)


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _chunk(reader: Callable[[str], Outcome], paths: list[str]) -> list[Outcome]:
    """Several files in one task (fewer round trips between the processes); what goes wrong
    with one file becomes its own refusal, never the others'."""
    out: list[Outcome] = []
    for path in paths:
        try:
            result = reader(path)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            result = _failed(exc)
        out.append(result if result is not None else
                   ReadRefused("read_failed", detail=words("reader_no_result")))
    return out


def read_here(paths: Iterable[str],
              reader: Callable[[str], Outcome] = _read) -> Iterator[tuple[str, Outcome]]:
    """Yield (path, outcome) read in this very process, what goes wrong with a file becoming
    its refusal as in a worker: for a caller that is itself an isolated worker process (the
    web server's ingest workers), where a crash takes down only that process."""
    for path in paths:
        yield path, _chunk(reader, [path])[0]


def read_many(paths: Iterable[str], workers: int | None = None,
              reader: Callable[[str], Outcome] = _read,
              chunk: int | None = None) -> Iterator[tuple[str, Outcome]]:
    """Yield (path, RawBook or ReadRefused) for every path, in the order given.

    Files go to the workers a few at a time (``chunk``); when a worker dies, every file that
    was in flight is read again alone, so only the culprit is refused."""
    todo = list(paths)
    if not todo:
        return
    workers = workers or default_workers()
    size = chunk or max(1, min(8, len(todo) // (workers * 16)))
    window = workers * 4
    results: dict[int, Outcome] = {}
    next_out = 0
    suspects: list[int] = []
    queue = deque(range(0, len(todo), size))  # the first index of each chunk
    pending: dict[Future[list[Outcome]], list[int]] = {}
    pool = _pool(workers)

    def restart() -> None:
        nonlocal pool
        for idx in pending.values():
            suspects.extend(idx)
        pending.clear()
        _kill(pool)
        pool = _pool(workers)

    try:
        while queue or pending or suspects:
            broken = False
            while queue and len(pending) < window:
                first = queue[0]
                idx = list(range(first, min(first + size, len(todo))))
                try:
                    fut = pool.submit(_chunk, reader, [todo[i] for i in idx])
                except (BrokenProcessPool, RuntimeError):
                    broken = True
                    break
                queue.popleft()
                pending[fut] = idx
            if broken:
                restart()
                continue
            if pending:
                done, _ = wait(pending, timeout=TIME_LIMIT * size, return_when=FIRST_COMPLETED)
                if not done:  # nothing finished in time: every file in flight is a suspect
                    restart()
                for fut in done:
                    idx = pending.pop(fut)
                    try:
                        outs = _outcomes(fut, len(idx))
                    except BrokenProcessPool:
                        suspects.extend(idx)
                        broken = True
                        continue
                    if outs is None:  # could not be sent back: each is tried again alone
                        suspects.extend(idx)
                        continue
                    for i, o in zip(idx, outs, strict=True):
                        results[i] = o
                if broken:
                    restart()
            # retry suspects alone, once nothing else is waiting, so only the culprit fails
            if suspects and not queue and not pending:
                for i in sorted(suspects):
                    results[i] = _alone(todo[i], reader)
                suspects.clear()
            while next_out in results:
                yield todo[next_out], results.pop(next_out)
                next_out += 1
    finally:
        if queue or pending:  # stopped early: do not wait for workers still reading
            _kill(pool)
        else:
            pool.shutdown(wait=True)


def _outcomes(fut: Future[list[Outcome]], n: int) -> list[Outcome] | None:
    """The results of a finished chunk; None when they could not be sent back (one of them,
    say, cannot be pickled); raises BrokenProcessPool when its worker died."""
    try:
        result = fut.result()
    except BrokenProcessPool:
        raise
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return None
    if not isinstance(result, list) or len(result) != n:
        return None
    return result


def _alone(path: str, reader: Callable[[str], Outcome]) -> Outcome:
    pool = _pool(1)
    try:
        fut = pool.submit(_chunk, reader, [path])
        wait([fut], timeout=TIME_LIMIT)
        if not fut.done():
            return _timed_out()
        outs = _outcomes(fut, 1)
        if outs is None:
            return ReadRefused("read_failed", detail=words("result_not_sent"))
        return outs[0]
    except BrokenProcessPool:
        return _crashed()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return _failed(exc)
    finally:
        _kill(pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    procs: dict[Any, Any] = getattr(pool, "_processes", None) or {}
    for p in list(procs.values()):
        try:
            p.kill()
        except (OSError, AttributeError, ValueError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
