"""Work in bulk and the cyclic garbage collector: paused while one workbook is built
(gc_paused), collecting less often over a batch of returned files (fewer_collections).

xlsxwriter keeps every cell of a workbook as a small object until it is closed, and the
layouts make many short-lived ones; almost none is part of a reference cycle (a few hundred a
workbook), so they are freed as they go out of use whatever the collector does. The collector
still runs every few hundred new objects, and every so often it goes through every object
the process holds, the workbook's tens of thousands and, in a long-running web server, all
of the server's: a pause it is not worth while one workbook is built. Paused for one
workbook at a time (one book of a generate, one report), the cycles that workbook made are
collected as soon as it is done.

An ingest reads hundreds of files in a row, too long to pause the collector for: over the
batch, what is alive when it starts is set aside and the youngest objects are collected less
often (fewer_collections); its worker processes do the same for their life.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (also a decorator); it runs again
    after, unless it was already paused (by the caller, or by another thread meanwhile)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# the cyclic garbage collector during a batch of files: the objects alive when the batch starts
# (every module, the forms) are set aside (gc.freeze), so a collection does not walk them again
# and again, and the youngest generation is collected every GC_THRESHOLD allocations instead
# of every 700 (a file makes thousands of small objects, nearly all freed by reference
# counting). About 5 % of a worker's time per file; memory stays bounded per file.
GC_THRESHOLD = (5000, 20, 20)


class _Batches:
    open = 0  # batches running in this process
    before: tuple[int, ...] = gc.get_threshold()  # the thresholds before the first


_BATCHES_LOCK = threading.Lock()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """GC_THRESHOLD and the objects alive now set aside, for the time of a batch of files in
    this process; the collector as it was once the last batch running in it (batches may
    overlap in threads) is over."""
    with _BATCHES_LOCK:
        if _Batches.open == 0:
            _Batches.before = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLD)
        _Batches.open += 1
    try:
        yield
    finally:
        with _BATCHES_LOCK:
            _Batches.open -= 1
            if _Batches.open == 0:
                gc.set_threshold(*_Batches.before)
                gc.unfreeze()
