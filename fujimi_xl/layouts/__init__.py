"""Workbook layouts: one interface, two implementations, picked by name.

A form's ``layout`` ("list": one row per plan item; "sheet": one form-style sheet per program)
names a :class:`Layout`; the stages ask :func:`get` for it instead of testing the name. Each
Layout exposes, with one signature for both variants:

- ``generate``: the workbook builder of the variant (its own arguments: a group's items for a
  list, one item for a sheet; the generate stage knows which by ``form.unit``);
- ``extract(book, form, year, payload, items, file_name)``: the entered cells of a returned book;
- ``check(form, year, data, items, file_name)``: normalise and validate them (a ``Checked``);
- ``read(data)``: whether anything was read at all (else there is nothing to check);
- ``stored(form, checked, data, items)``: the master's rows of the checked records;
- ``feedback(ws, form, issue, data, problems, file_name, lang)``: the feedback workbook;
- ``report(path, form, table, *, title, font, warnings, notices)``: the consolidated report.

Shared workbook building (book, print setup, measure) is in ``layout``, ``print_fit`` and
``manifest``; the variants in ``list/`` and ``sheet/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from fujimi_xl import store
from fujimi_xl.core.errors import FormDefinitionError
from fujimi_xl.forms import Form
from fujimi_xl.layouts import validate
from fujimi_xl.layouts.list import extract as list_extract
from fujimi_xl.layouts.list import feedback, reporting
from fujimi_xl.layouts.list import generator as list_generator
from fujimi_xl.layouts.sheet import reporting_sheet, sheet_extract, sheet_generator


@dataclass(frozen=True)
class Layout:
    """One layout variant: what each stage calls for a form of this layout."""

    name: str
    generate: Callable[..., Any]
    extract: Callable[..., Any]
    check: Callable[..., Any]
    read: Callable[[Any], bool]
    stored: Callable[..., list[tuple[str, str, str, str, str]]]
    feedback: Callable[..., Any]
    report: Callable[..., Any]


def _list_extract(book: Any, form: Form, year: int, payload: dict[str, Any],
                  items: list[dict[str, Any]], file_name: str) -> Any:
    return list_extract.extract(book, form, year, payload, items, file_name)


def _list_check(form: Form, year: int, data: Any, items: list[dict[str, Any]],
                file_name: str) -> Any:
    return validate.check(form, year, data.rows, items, file_name, data.sheet)


def _list_stored(form: Form, checked: Any, data: Any,
                 items: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    return [(k, fld.id, store.dumps(rec.get(fld.id)), data.sheet, data.rows[k][fld.id].address)
            for k, rec in checked.records.items() for fld in form.input_fields]


def _sheet_extract(book: Any, form: Form, year: int, payload: dict[str, Any],
                   items: list[dict[str, Any]], file_name: str) -> Any:
    return sheet_extract.extract_sheet(book, form, payload, items[0], file_name)


def _sheet_check(form: Form, year: int, data: Any, items: list[dict[str, Any]],
                 file_name: str) -> Any:
    return validate.check_sheet(form, year, data, items[0], file_name)


def _sheet_stored(form: Form, checked: Any, data: Any,
                  items: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    key = items[0]["key"]
    record = checked.records[key]
    rows = []
    for fld in form.input_fields:
        if fld.type == "list":
            where = data.list_ranges.get(fld.id, "")
        elif fld.id in data.fields:
            where = data.fields[fld.id].address
        else:
            continue
        rows.append((key, fld.id, store.dumps(record.get(fld.id)), data.sheet, where))
    return rows


LAYOUTS: dict[str, Layout] = {
    "list": Layout(
        name="list",
        generate=list_generator.build,
        extract=_list_extract,
        check=_list_check,
        read=lambda data: bool(data.rows),
        stored=_list_stored,
        feedback=partial(feedback.write_feedback, build=feedback.list_feedback),
        report=reporting.write_report,
    ),
    "sheet": Layout(
        name="sheet",
        generate=sheet_generator.build,
        extract=_sheet_extract,
        check=_sheet_check,
        read=lambda data: bool(data.sheet),
        stored=_sheet_stored,
        feedback=partial(feedback.write_feedback, build=feedback.sheet_feedback),
        report=reporting_sheet.write_book,
    ),
}


def get(name: str) -> Layout:
    """The Layout called ``name``; a definition naming no known layout is the secretariat's
    fault (the meta-schema refuses it when the form loads, so this is a last guard)."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise FormDefinitionError(code="form_bad_layout", folder=name) from None
