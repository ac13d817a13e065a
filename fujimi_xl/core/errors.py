"""Exceptions (the program cannot go on) and problem records (something is wrong in the data).

Validation never raises on bad data: it returns :class:`Problem` records, each with its place
(file, sheet, cell, field), a stable code and a message from the catalogue in ``messages.py``.
"""

from __future__ import annotations

import errno
import shutil
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from fujimi_xl.core.messages import error_text, render


class FujimiError(Exception):
    """Base of every error the toolkit raises on purpose.

    Raise with a catalogue code and its parameters, ``FujimiError(code="no_workspace",
    root=path)``: ``str(exc)`` is the Japanese text and ``exc.message("en")`` the English one
    (the ``ERRORS`` catalogue in ``messages.py``). An error raised with a plain text keeps that
    text in both languages.
    """

    code = "error"

    def __init__(self, message: str = "", *, code: str | None = None, **params: Any) -> None:
        self.coded = code is not None
        if code is not None:
            self.code = code
            if not message:
                message = error_text(code, "ja", **params)
        super().__init__(message)
        self.params = params

    def message(self, lang: str = "ja") -> str:
        """The error's text in ``lang`` ("ja" or "en")."""
        if self.coded:
            return error_text(self.code, lang, **self.params)
        return str(self)


class FiscalYearError(FujimiError, ValueError):
    """A fiscal year that cannot be read (not 2018, H30, 平成30年度, R2 …).

    Raised with the value itself as its text; :meth:`message` explains it in either language.
    """

    code = "bad_year"

    def message(self, lang: str = "ja") -> str:
        if self.coded:
            return super().message(lang)
        return error_text("bad_year", lang, value=str(self))


class FormDefinitionError(FujimiError):
    """A form definition under templates/ is missing or malformed."""

    code = "bad_form"


class WorkspaceError(FujimiError):
    """The workspace is missing, incomplete or from an incompatible version."""

    code = "bad_workspace"


class WorkspaceFault(WorkspaceError):
    """The workspace cannot be used as it is now (read-only, full, a locked or corrupted
    master): the secretariat's to fix; no returned file is to blame."""

    code = "workspace_fault"

    def message(self, lang: str = "ja") -> str:
        if lang != "en" or not self.coded:
            return super().message(lang)
        params = {k: _REASON_EN.get(v, v) if isinstance(v, str) else v
                  for k, v in self.params.items()}
        return error_text(self.code, lang, **params)


class OutputError(WorkspaceFault):
    """A file the command writes cannot be written or replaced (open in Excel, a read-only
    folder, a full disk); the old file, if any, is left as it was."""

    code = "output_locked"


class PlanError(FujimiError):
    """The plan workbook cannot be used; ``problems`` lists every cell at fault."""

    code = "bad_plan"

    def __init__(self, message: str = "", problems: list[Problem] | None = None, *,
                 code: str | None = None, **params: Any) -> None:
        super().__init__(message, code=code, **params)
        self.problems = problems or []


class NothingToDoError(FujimiError):
    """The command has nothing to work on (no items for the year, no files)."""

    code = "nothing"


@dataclass
class Problem:
    """One thing wrong with one place in one file."""

    code: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    field: str = ""
    value: Any = None
    params: dict[str, Any] = dc_field(default_factory=dict)
    severity: str = "error"  # "error" refuses the file, "warning" is recorded and reported
    item_key: str = ""
    field_id: str = ""

    def message(self, lang: str = "ja") -> str:
        return render(self, lang)

    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.cell

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        data = asdict(self)
        data["value"] = None if self.value is None else str(self.value)
        data["params"] = {k: str(v) for k, v in self.params.items()}
        data["message"] = self.message(lang)
        return data


@dataclass
class Notice:
    """A message from the ``ERRORS`` catalogue with its parameters: a finding of ``verify``, a
    warning of ``report``, rendered in either language when it is shown. ``str()`` is the
    Japanese text."""

    code: str
    params: dict[str, Any] = dc_field(default_factory=dict)

    def message(self, lang: str = "ja") -> str:
        return error_text(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.message()

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {"code": self.code, "params": {k: str(v) for k, v in self.params.items()},
                "message": self.message(lang)}


class HasProblems:
    """For results that hold ``problems``: the ones that refuse, and the ones only reported."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


# -- workspace faults (issue 12) -------------------------------------------------------------
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


# why an OSError happened: (日本語, English), shown as a fault's ``reason`` or ``detail``
_REASONS: dict[str, tuple[str, str]] = {
    "full": ("ディスクの空きがありません", "the disk is full"),
    "read_only": ("読み取り専用の場所です", "a read-only place"),
    "denied": ("書き込みが許可されていないか、他のプログラムが使用中です",
               "no permission to write, or another program is using it"),
    "a_folder": ("同じ名前のフォルダがあります", "a folder of that name is in the way"),
    "no_folder": ("フォルダがありません", "the folder does not exist"),
    "a_file": ("フォルダのはずの場所がファイルになっています",
               "a file stands where a folder should be"),
}
_REASON_EN = dict(_REASONS.values())


def os_reason(exc: BaseException) -> str:
    """Why an OSError happened, as a short Japanese phrase (the catalogue's ``reason``;
    :meth:`WorkspaceFault.message` gives it in English with ``lang="en"``)."""
    code = getattr(exc, "errno", None)
    key = ("full" if code in _FULL else "read_only" if code == errno.EROFS
           else "denied" if code in (errno.EACCES, errno.EPERM)
           else "a_folder" if code == errno.EISDIR
           else "no_folder" if code == errno.ENOENT
           else "a_file" if code in (errno.EEXIST, errno.ENOTDIR) else "")
    if key:
        return _REASONS[key][0]
    return f"{type(exc).__name__}: {exc}"[:200]


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 256 * 1024
    except OSError:
        return False


def _cause(exc: BaseException) -> BaseException | None:
    return exc.__cause__ or exc.__context__


def fault_from(exc: BaseException, master: Path | str | None = None) -> WorkspaceFault:
    """The workspace fault behind a file-system error: a sentence for the secretariat instead
    of a traceback. ``master``: the master database's path, if known. (The database's own
    errors are classified by ``store.fault_from``, which calls this one for the rest.)"""
    if isinstance(exc, WorkspaceFault):
        return exc
    where = str(master) if master else "master.sqlite"
    if isinstance(exc, OSError):
        path = exc.filename or where
        if exc.errno in _FULL:
            return WorkspaceFault(code="disk_full", path=path)
        if exc.errno in _READ_ONLY:
            return WorkspaceFault(code="workspace_read_only", path=path)
        return WorkspaceFault(code="workspace_io", path=path, detail=os_reason(exc))
    cause = _cause(exc)
    if cause is not None and isinstance(cause, OSError):
        return fault_from(cause, master)
    return WorkspaceFault(code="workspace_io", path=where, detail=os_reason(exc))
