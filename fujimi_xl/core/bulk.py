"""Building a workbook in bulk: the cyclic garbage collector paused meanwhile.

xlsxwriter keeps every cell of a workbook as a small object until it is closed, and the
layouts make many short-lived ones; almost none is part of a reference cycle (a few hundred a
workbook), so they are freed as they go out of use whatever the collector does. The collector
still runs every few hundred new objects, and every so often it goes through every object
the process holds, the workbook's tens of thousands and, in a long-running web server, all
of the server's: a pause it is not worth while one workbook is built. Paused for one
workbook at a time (one book of a generate, one report), the cycles that workbook made are
collected as soon as it is done.
"""

from __future__ import annotations

import gc
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
