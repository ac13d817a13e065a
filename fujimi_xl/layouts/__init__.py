"""Workbook layouts: one interface, two implementations, picked by name.

A form's ``layout`` ("list": one row per plan item; "sheet": one form-style sheet per program)
names a :class:`Layout`; the stages ask :func:`get` for it instead of testing the name. Each
Layout exposes, with one signature for both variants:

- ``generate(conn, form, year, plan, groups, target, common)``: the books to write, one job
  per slot (``(slot, path, items, build)``, ``build(tmp, issue_id, issued_at)`` writing it):
  a group's items per book for a list, one item per book for a sheet;
- ``extract(book, form, year, payload, items, file_name)``: the entered cells of a returned book;
- ``check(form, year, data, items, file_name)``: normalise and validate them (a ``Checked``);
- ``read(data)``: whether anything was read at all (else there is nothing to check);
- ``stored(form, checked, data, items)``: the master's rows of the checked records;
- ``feedback(ws, form, issue, data, problems, file_name, lang)``: the feedback workbook;
- ``report(path, form, table, *, title, font, warnings, notices)``: the consolidated report;
- ``slots(form, plan)``: the slots of a year, what status lists (``(slot, group, items,
  label)``): a list form's groups, a sheet form's programs named by their title field;
- ``report_suffix``: what follows the form's title in the report's default file name.

Shared workbook building (book, print setup, measure) is in ``layout``, ``print_fit`` and
``manifest``; the variants in ``list/`` and ``sheet/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from fujimi_xl import store
from fujimi_xl.core.errors import FormDefinitionError
from fujimi_xl.core.messages import REPORT_FILE_SUFFIX
from fujimi_xl.core.model import Group, Plan, PlanItem
from fujimi_xl.forms import Form
from fujimi_xl.layouts import validate
from fujimi_xl.layouts.list import extract as list_extract
from fujimi_xl.layouts.list import feedback, reporting
from fujimi_xl.layouts.list import generator as list_generator
from fujimi_xl.layouts.sheet import reporting_sheet, sheet_extract, sheet_generator
from fujimi_xl.store import dataset
from fujimi_xl.store.plans import carried

# one book to write: slot, file path, number of items, build(tmp path, issue id, issued at)
Job = tuple[str, Path, int, Callable[[Path, str, str], Any]]
# one slot of a year (a workbook issued, returned, reminded): slot, its group, items, label
Slot = tuple[str, Group, int, str]


@dataclass(frozen=True)
class Layout:
    """One layout variant: what each stage calls for a form of this layout."""

    name: str
    generate: Callable[..., list[Job]]
    extract: Callable[..., Any]
    check: Callable[..., Any]
    read: Callable[[Any], bool]
    stored: Callable[..., list[tuple[str, str, str, str, str]]]
    feedback: Callable[..., Any]
    report: Callable[..., Any]
    slots: Callable[[Form, Plan], list[Slot]]
    report_suffix: str = ""


def _links(common: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """The slots' links (``common["links"]``: slot -> the address of its page, written in
    its book's instructions), and the rest of ``common``."""
    rest = dict(common)
    return rest.pop("links", None) or {}, rest


def _list_generate(conn: store.Store, form: Form, year: int, plan: Plan,
                   groups: list[Group], target: Path, common: dict[str, Any]) -> list[Job]:
    """One book per group, with the group's items (and what the last year carried)."""
    carry = carried(conn, form.name, year)
    links, common = _links(common)
    by_group: dict[str, list[PlanItem]] = {g.code: [] for g in groups}
    for it in plan.items:  # one pass, in plan order (not one pass per group)
        if it.group in by_group:
            by_group[it.group].append(it)
    jobs: list[Job] = []
    for g in groups:
        items = by_group[g.code]
        refs = None if carry is None else {
            it.key: carry.get((it.key, g.code), {}) for it in items}

        def build(p: Path, i: str, t: str, g: Group = g, items: list[PlanItem] = items,
                  refs: dict[str, Any] | None = refs) -> Any:
            return list_generator.build(p, form, year, g, items, issue_id=i, issued_at=t,
                                        references=refs, link=links.get(g.code, ""), **common)

        jobs.append((g.code, target / list_generator.file_name(form, year, g), len(items),
                     build))
    return jobs


def _sheet_generate(conn: store.Store, form: Form, year: int, plan: Plan,
                    groups: list[Group], target: Path, common: dict[str, Any]) -> list[Job]:
    """One book per item, prefilled with its last accepted record."""
    codes = {g.code for g in groups}
    links, common = _links(common)
    jobs: list[Job] = []
    for it in plan.items:
        if it.group not in codes:
            continue
        prefill = dataset.latest_record(conn, form.name, it.key, year)

        def build(p: Path, i: str, t: str, it: PlanItem = it,
                  pre: dict[str, Any] | None = prefill) -> Any:
            return sheet_generator.build(p, form, year, plan.group(it.group), it, issue_id=i,
                                         issued_at=t, prefill=pre, link=links.get(it.key, ""),
                                         **common)

        jobs.append((it.key, target / sheet_generator.file_name(form, year, it), 1, build))
    return jobs


def _list_slots(form: Form, plan: Plan) -> list[Slot]:
    """One slot per group with items, labelled by the group's name."""
    counts: dict[str, int] = {}
    for it in plan.items:
        counts[it.group] = counts.get(it.group, 0) + 1
    return [(g.code, g, counts[g.code], g.name) for g in plan.groups if g.code in counts]


def _sheet_slots(form: Form, plan: Plan) -> list[Slot]:
    """One slot per item, labelled by its title field."""
    return [(it.key, plan.group(it.group), 1, form.item_title(it.record))
            for it in plan.items]


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
        generate=_list_generate,
        extract=_list_extract,
        check=_list_check,
        read=lambda data: bool(data.rows),
        stored=_list_stored,
        feedback=partial(feedback.write_feedback, build=feedback.list_feedback),
        report=reporting.write_report,
        slots=_list_slots,
        report_suffix=REPORT_FILE_SUFFIX,
    ),
    "sheet": Layout(
        name="sheet",
        generate=_sheet_generate,
        extract=_sheet_extract,
        check=_sheet_check,
        read=lambda data: bool(data.sheet),
        stored=_sheet_stored,
        feedback=partial(feedback.write_feedback, build=feedback.sheet_feedback),
        report=reporting_sheet.write_book,
        slots=_sheet_slots,
    ),
}


def get(name: str) -> Layout:
    """The Layout called ``name``; a definition naming no known layout is the secretariat's
    fault (the meta-schema refuses it when the form loads, so this is a last guard)."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise FormDefinitionError(code="form_bad_layout", folder=name) from None
