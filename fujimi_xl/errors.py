"""Exceptions (the program cannot go on) and problem records (something is wrong in the data).

Validation never raises on bad data: it returns :class:`Problem` records, each with its place
(file, sheet, cell, field), a stable code and a message from the catalogue in ``messages.py``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from typing import Any


class FujimiError(Exception):
    """Base of every error the toolkit raises on purpose."""

    code = "error"

    def __init__(self, message: str = "", **params: Any) -> None:
        super().__init__(message)
        self.params = params


class FiscalYearError(FujimiError, ValueError):
    """A fiscal year that cannot be read (not 2018, H30, 平成30年度, R2 …)."""

    code = "bad_year"


class FormDefinitionError(FujimiError):
    """A form definition under templates/ is missing or malformed."""

    code = "bad_form"


class WorkspaceError(FujimiError):
    """The workspace is missing, incomplete or from an incompatible version."""

    code = "bad_workspace"


class PlanError(FujimiError):
    """The plan workbook cannot be used; ``problems`` lists every cell at fault."""

    code = "bad_plan"

    def __init__(self, message: str = "", problems: list[Problem] | None = None) -> None:
        super().__init__(message)
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
