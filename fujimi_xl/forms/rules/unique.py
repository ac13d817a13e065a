"""unique: a field's values differ from row to row of a list form (``field``); a column's
values differ within a list of a sheet form (``list`` + ``column``); or, in either layout, the
values of some fields of one record differ from each other (``fields``: a grid such as 第1希望・
第2希望・第3希望). Each repeat is reported at its cell, naming the cells that hold the same
value."""

from __future__ import annotations

from typing import Any

from fujimi_xl.core import normalise
from fujimi_xl.core.errors import Problem
from fujimi_xl.forms import Form
from fujimi_xl.forms.rules.base import DefinitionFault, Param, Row, Spec, blank, make, shown

SPEC = Spec(
    type="unique",
    params=(Param("field", "field", required=False), Param("list", "list", required=False),
            Param("column", "column", required=False, of="list"),
            Param("fields", "fields", required=False)),
    code="rule_unique",
    placeholders=("cells", "first_cell"),
)


def definition_faults(rule: dict[str, Any], form: Form, path: str) -> list[DefinitionFault]:
    """One of: ``field`` (a list form), ``list`` with ``column`` (a sheet form), ``fields``."""
    given = [k for k in ("field", "list", "fields") if k in rule]
    if len(given) != 1:
        return [DefinitionFault(f"{path}.{given[1] if given[1:] else 'field'}", "rule_one_of",
                                {"rule": SPEC.type, "params": "field, list, fields"})]
    if "list" in rule and "column" not in rule:
        return [DefinitionFault(f"{path}.column", "rule_missing_param", {
            "rule": SPEC.type, "param": "column"})]
    layout = "list" if "field" in rule else "sheet" if "list" in rule else form.layout
    if layout != form.layout:
        return [DefinitionFault(f"{path}.{given[0]}", "rule_bad_layout", {
            "value": given[0], "layout": form.layout, "allowed": layout})]
    return []


def check(rule: dict[str, Any], form: Form, rows: list[Row]) -> list[Problem]:
    if rule.get("fields"):
        return _within(rule, rows)
    seen: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
    if rule.get("field"):
        fid = rule["field"]
        for row in rows:
            value = row.record.get(fid)
            if not blank(value):
                seen.setdefault(_key(value), []).append((value, row.place(fid) or {}))
    else:
        lid, cid = rule["list"], rule["column"]
        for row in rows:
            for i, item in enumerate(row.record.get(lid, []) or []):
                value = item.get(cid)
                if not blank(value):
                    seen.setdefault(_key(value), []).append((value, row.place(lid, i, cid) or {}))
    return _repeats(rule, seen)


def _within(rule: dict[str, Any], rows: list[Row]) -> list[Problem]:
    out: list[Problem] = []
    for row in rows:
        seen: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
        for fid in rule["fields"]:
            value = row.record.get(fid)
            if not blank(value):
                seen.setdefault(_key(value), []).append((value, row.place(fid) or {}))
        out += _repeats(rule, seen)
    return out


def _repeats(rule: dict[str, Any], seen: dict[str, list[tuple[Any, dict[str, Any]]]]) \
        -> list[Problem]:
    out: list[Problem] = []
    for found in seen.values():
        if len(found) < 2:
            continue
        cells = "・".join(p.get("cell", "") for _, p in found)
        for value, place in found[1:]:
            out.append(make(rule, SPEC, place, value=shown(value), cells=cells,
                            first_cell=found[0][1].get("cell", "")))
    return out


def _key(value: Any) -> str:
    return normalise.nfkc(shown(value)).strip()
