"""Field types: one place says, for each type a form may declare, how a cell is read.

For every type: how a cell value (as the reader gives it: float, int, str, date, datetime,
bool) becomes the typed value stored in the master (int, float, an ISO date "2023-04-01", an int
fiscal year, str); what staff are told when it cannot be read (messages.TYPE_TEXTS: the kind of
value in words and examples of what is accepted, never the type's id); the Excel data validation
and hint a generated workbook gives the cell; and the number format the report prints it with.
Both layouts use it (validate.check for a list form, validate.check_sheet for a sheet form).

``FIELD_TYPES`` is the list of type names a definition may use (the definition checks import
it); ``kyen``, ``year`` and ``indicator`` are the names the action-plan form used first and stay
aliases of amount, fiscal year and a number-or-「-」.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fujimi_xl.core import fiscal, normalise
from fujimi_xl.core.errors import FiscalYearError
from fujimi_xl.core.normalise import NOT_YET

UNREADABLE: Any = object()  # what a parser returns for a value it cannot read

# a number a spreadsheet keeps exactly: 15 significant digits
NUMBER_LIMIT = 10**15



def _number(value: Any, units: tuple[str, ...] = ()) -> Any:
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        return UNREADABLE
    n = normalise.parse_number(value, units)
    return UNREADABLE if n is None else n


def parse_number(value: Any) -> Any:
    """A number: 12, 3.5, '１２', '1,200', '▲50'."""
    return _number(value)


def parse_integer(value: Any) -> Any:
    """A whole number: 12, '１２', '1,200', '▲5'; 2.5 is not one."""
    n = _number(value, ("人", "回", "件", "か所", "箇所"))
    return n if type(n) is int else UNREADABLE


def parse_amount(value: Any) -> Any:
    """An amount in thousands of yen: 1200, '１，２００', '1,200', '▲50', '158千円'. A value in
    yen ('1,200円') is not read: taken as 千円 it would be a thousand times too much."""
    return _number(value, ("千円",))


def parse_indicator(value: Any) -> Any:
    """An indicator result: a number, or '-' while it is not known yet."""
    if isinstance(value, str) and value.strip() in NOT_YET:
        return "-"
    return _number(value)


def parse_date(value: Any) -> Any:
    """A date: an Excel date cell, 2023/4/1, 2023-04-01, 2023年4月1日, 令和5年4月1日, R5.4.1,
    H30.6.18 → '2023-04-01'."""
    if isinstance(value, str):
        value = value.strip()
    day = fiscal.parse_date(value)
    return UNREADABLE if day is None else day.isoformat()


def parse_fiscal_year(value: Any) -> Any:
    """A fiscal year: 2018, '2018', 'H30', '平成30年度', 'R2', '令和元年度' → 2018."""
    if isinstance(value, float) and not math.isfinite(value):
        return UNREADABLE
    if isinstance(value, dt.date):
        return UNREADABLE
    try:
        return fiscal.parse_year(value.strip() if isinstance(value, str) else value)
    except FiscalYearError:
        return UNREADABLE


@dataclass(frozen=True)
class FieldType:
    """What the engine does with a field of one type."""

    id: str  # the canonical name (an alias points here)
    parse: Callable[[Any], Any] | None = None  # None: the value is text (or a choice)
    numeric: bool = False  # stored as a number (bounds, totals, right-aligned in reports)
    validate: str = ""  # the Excel data validation: integer | decimal | date | ""
    report_format: str = ""  # the default number format of the report
    cell_format: str = ""  # the number format of an input cell in a generated workbook


_TEXT = FieldType("text")
FIELD_TYPES: dict[str, FieldType] = {
    "text": _TEXT,
    "lines": FieldType("lines"),
    "choice": FieldType("choice"),
    "integer": FieldType("integer", parse_integer, True, "integer", "#,##0", "#,##0"),
    "number": FieldType("number", parse_number, True, "decimal", "#,##0.###", "General"),
    "amount": FieldType("amount", parse_amount, True, "decimal", "#,##0;▲#,##0", "#,##0"),
    "date": FieldType("date", parse_date, False, "date", "yyyy/m/d", "yyyy/m/d"),
    "fiscal_year": FieldType("fiscal_year", parse_fiscal_year, False, "", "", ""),
    # the first names of the action-plan form: aliases
    "kyen": FieldType("amount", parse_amount, True, "decimal", "#,##0;▲#,##0", "#,##0"),
    "year": FieldType("fiscal_year", parse_fiscal_year, False, "", "", ""),
    "indicator": FieldType("indicator", parse_indicator, False, "", "General", ""),
    # structure, not values: a repeating list, and the columns of a sheet form's lists
    "list": FieldType("list"),
    "issue_no": FieldType("issue_no"),
    "period": FieldType("period"),
}

# how a report may print a date (a field's "format"); anything else is an Excel number format
DATE_STYLES = ("wareki", "iso", "slash")


def of(type_name: str | None, has_choices: bool = False) -> FieldType:
    """The type of a field: its declared type, a choice when it has choices, else text."""
    if has_choices:
        return FIELD_TYPES["choice"]
    return FIELD_TYPES.get(type_name or "text", _TEXT)


def declared(spec: dict[str, Any], schema: dict[str, Any]) -> str:
    """The type of a field definition: its "type"; for an input without one, the schema's
    "integer" or "number" (a clerk who wrote the number in schema.json only), else text."""
    given = spec.get("type")
    if given:
        return str(given)
    prop = schema.get("properties", {}).get(spec.get("id"), {})
    if spec.get("role") == "input" and not spec.get("choices") and isinstance(prop, dict) \
            and prop.get("type") in ("integer", "number"):
        return str(prop["type"])
    return "text"


def is_typed(type_name: str | None, has_choices: bool = False) -> bool:
    """A field whose cell is read by a parser of its type (not as free text)."""
    return not has_choices and of(type_name).parse is not None


def wareki(iso: str) -> str:
    """'2023-04-01' → 令和5年4月1日 (元年 for the first year of an era)."""
    day = dt.date.fromisoformat(iso)
    for name, _, base in fiscal.ERAS:
        if day >= fiscal.ERA_START[name]:
            n = day.year - base + 1
            return f"{name}{'元' if n == 1 else n}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def show_date(iso: str, style: str) -> str:
    """A stored date as a report prints it in a text style."""
    day = dt.date.fromisoformat(iso)
    if style == "wareki":
        return wareki(iso)
    if style == "iso":
        return day.isoformat()
    return f"{day.year}/{day.month}/{day.day}"
