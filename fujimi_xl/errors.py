"""Exceptions (the program cannot go on) and problem records (something is wrong in the data).

Validation never raises on bad data: it returns :class:`Problem` records, each with its place
(file, sheet, cell, field), a stable code and a message from the catalogue in ``messages.py``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from typing import Any


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
                from .messages import error_text

                message = error_text(code, "ja", **params)
        super().__init__(message)
        self.params = params

    def message(self, lang: str = "ja") -> str:
        """The error's text in ``lang`` ("ja" or "en")."""
        if self.coded:
            from .messages import error_text

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
        from .messages import error_text

        return error_text("bad_year", lang, value=str(self))


class FormDefinitionError(FujimiError):
    """A form definition under templates/ is missing or malformed."""

    code = "bad_form"


class WorkspaceError(FujimiError):
    """The workspace is missing, incomplete or from an incompatible version."""

    code = "bad_workspace"


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
        from .messages import render

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
        from .messages import error_text

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
