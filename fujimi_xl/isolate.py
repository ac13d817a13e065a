"""Run the reader where a crash cannot take ingest down: worker processes with limits.

A native reader can abort the process (python-calamine does on some crafted files) or hang. Each
file is read in a worker process with a memory cap; a worker that dies or overruns its time fails
its own file, never the run: the pool is rebuilt and the files that were in flight are retried
one at a time, so only the culprit is refused.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .reader import RawBook, ReadRefused, read_book

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per worker
TIME_LIMIT = 60.0  # seconds per file

Outcome = RawBook | ReadRefused


def _init_worker() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # not on every platform
        pass


def _read(path: str) -> Outcome:
    try:
        return read_book(path)
    except ReadRefused as exc:
        return exc
    except MemoryError:
        return ReadRefused("limit_exceeded", limit="メモリ", found="上限超過",
                           allowed=f"{MEMORY_LIMIT // 1024**2}MB")
    except Exception as exc:  # whatever a reader raises becomes one clear refusal
        return ReadRefused("not_workbook", detail=f"{type(exc).__name__}: {exc}"[:200])


def read_in_process(path: str) -> Outcome:
    """Read without a worker (for callers that isolate themselves)."""
    return _read(path)


def _pool(workers: int) -> ProcessPoolExecutor:
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method),
                               initializer=_init_worker)


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def read_many(paths: Iterable[str], workers: int | None = None,
              reader: Callable[[str], Outcome] = _read) -> Iterator[tuple[str, Outcome]]:
    """Yield (path, RawBook or ReadRefused) for every path, in the order given."""
    todo = list(paths)
    if not todo:
        return
    workers = workers or default_workers()
    window = workers * 4
    results: dict[int, Outcome] = {}
    next_out = 0
    suspects: list[int] = []
    pool = _pool(workers)
    try:
        pending: dict[Future[Outcome], int] = {}
        it = iter(range(len(todo)))
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                i = next(it, None)
                if i is None:
                    exhausted = True
                    break
                pending[pool.submit(reader, todo[i])] = i
            if not pending:
                break
            done, _ = wait(pending, timeout=TIME_LIMIT, return_when=FIRST_COMPLETED)
            if not done:  # nothing finished in time: every file in flight is a suspect
                suspects.extend(pending.values())
                pending.clear()
                _kill(pool)
                pool = _pool(workers)
                continue
            broken = False
            for fut in done:
                i = pending.pop(fut)
                try:
                    results[i] = fut.result()
                except BrokenProcessPool:
                    suspects.append(i)
                    broken = True
            if broken:
                suspects.extend(pending.values())
                pending.clear()
                _kill(pool)
                pool = _pool(workers)
            while next_out in results:
                yield todo[next_out], results.pop(next_out)
                next_out += 1
            # retry suspects alone so only the culprit fails
            if suspects and (exhausted or len(suspects) > window):
                for i in sorted(suspects):
                    results[i] = _alone(todo[i], reader)
                suspects.clear()
                while next_out in results:
                    yield todo[next_out], results.pop(next_out)
                    next_out += 1
        for i in sorted(suspects):
            results[i] = _alone(todo[i], reader)
        while next_out in results:
            yield todo[next_out], results.pop(next_out)
            next_out += 1
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _alone(path: str, reader: Callable[[str], Outcome]) -> Outcome:
    pool = _pool(1)
    fut = pool.submit(reader, path)
    try:
        return fut.result(timeout=TIME_LIMIT)
    except BrokenProcessPool:
        return ReadRefused("read_failed", detail="読み込み処理が異常終了しました")
    except TimeoutError:
        return ReadRefused("limit_exceeded", limit="読み込み時間", found=f"{TIME_LIMIT:.0f}秒超",
                           allowed=f"{TIME_LIMIT:.0f}秒")
    finally:
        _kill(pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    procs: dict[Any, Any] = getattr(pool, "_processes", None) or {}
    for p in list(procs.values()):
        try:
            p.kill()
        except (OSError, AttributeError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
