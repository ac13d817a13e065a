"""Files the tool writes for people (reports, PDFs, feedback workbooks, exports, backups):
written under a temporary name in the same folder and renamed into place, so a file that
cannot be replaced (open in Excel, a read-only folder, a full disk) is named in a sentence and
the old file is left whole; a half-written file never appears under the real name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xlsxwriter.exceptions import FileCreateError

from fujimi_xl.core.errors import OutputError, os_reason

_FAILURES = (OSError, FileCreateError)


def temp_for(path: Path) -> Path:
    """The temporary name ``path`` is written under: hidden, beside it, same suffix."""
    path = Path(path)
    return path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")


def refused(path: Path, exc: BaseException) -> OutputError:
    """The output_locked error naming ``path``, with the reason behind ``exc``."""
    cause = exc if isinstance(exc, OSError) else (exc.__cause__ or exc.__context__ or exc)
    reason = os_reason(cause)
    if Path(path).is_dir():
        reason = os_reason(IsADirectoryError(21, ""))
    return OutputError(code="output_locked", path=Path(path), reason=reason)


def commit(tmp: Path, path: Path, write: Callable[[], Any] | None = None) -> Path:
    """Run ``write`` (which writes ``tmp``), then rename ``tmp`` to ``path``. Any failure of
    either raises :class:`OutputError` naming ``path``; the temporary file is removed."""
    try:
        if write is not None:
            write()
        os.replace(tmp, path)
    except _FAILURES as exc:
        raise refused(path, exc) from exc
    finally:
        _remove(tmp)
    return Path(path)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """``with replacing(path) as tmp:`` write ``tmp``; on leaving, it becomes ``path``."""
    path = Path(path)
    tmp = temp_for(path)
    try:
        yield tmp
    except _FAILURES as exc:
        _remove(tmp)
        raise refused(path, exc) from exc
    except BaseException:
        _remove(tmp)
        raise
    commit(tmp, path)


def _remove(tmp: Path) -> None:
    try:
        Path(tmp).unlink(missing_ok=True)
    except OSError:
        pass
