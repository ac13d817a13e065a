"""unique: a field's values differ from row to row of a list form (``field``), or a column's
values differ within a list of a sheet form (``list`` + ``column``). Each repeat is reported at
its cell, naming the cells that hold the same value."""

from __future__ import annotations

from typing import Any

from .. import normalise
from ..errors import Problem
from ..forms import Form
from .base import Param, Row, Spec, blank, make, shown

SPEC = Spec(
    type="unique",
    params=(Param("field", "field", required=False), Param("list", "list", required=False),
            Param("column", "column", required=False, of="list")),
    code="rule_unique",
    placeholders=("cells", "first_cell"),
)


def check(rule: dict[str, Any], form: Form, rows: list[Row]) -> list[Problem]:
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
