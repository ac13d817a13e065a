"""sum_equals: the parts add up to the total (一般財源＋特定財源＝事業費総額); the problem names
the cells of all of them. Blank or unreadable values are left to their own checks."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from fujimi_xl.core.errors import Problem
from fujimi_xl.forms import Form
from fujimi_xl.forms.rules.base import (
    Param,
    Row,
    Spec,
    expand,
    field_params,
    make,
    number,
    shown,
)

SPEC = Spec(
    type="sum_equals",
    params=(Param("total", "field"), Param("parts", "fields")),
    code="rule_sum",
    placeholders=("terms", "sum", "total_cell", "cells", "total_label"),
)


def check(rule: dict[str, Any], form: Form, rows: list[Row]) -> list[Problem]:
    total_id, part_ids = rule["total"], list(rule["parts"])
    ids = (total_id, *part_ids)
    out: list[Problem] = []
    for row in rows:
        values = [number(row.record.get(fid)) for fid in ids]
        if any(v is None for v in values):
            continue
        total, parts = float(values[0] or 0), [float(v or 0) for v in values[1:]]
        if abs(sum(parts) - total) < 1e-9:
            continue
        places = [row.place(fid) or {} for fid in ids]
        where = [p.get("cell", "") for p in places]
        labels = [form.by_id[fid].label for fid in part_ids]
        terms = "＋".join(f"{lbl}（{c}: {shown(v)}）"
                         for lbl, c, v in zip(labels, where[1:], parts, strict=True))
        out.append(make(rule, SPEC, places[0], value=shown(total),
                        terms=terms, sum=shown(sum(parts)), total_cell=where[0],
                        cells="・".join(where), total_label=form.by_id[total_id].label,
                        field_ids=",".join(ids),
                        fields=field_params(form, row.record, ids)))
    return out


def totals(form: Form) -> dict[str, list[str]]:
    """total field id -> its parts, for every sum rule of the form (``each`` expanded)."""
    out: dict[str, list[str]] = {}
    for rule in form.rules:
        if isinstance(rule, dict) and rule.get("type") == SPEC.type:
            for one in expand(rule):
                if isinstance(one.get("total"), str) and isinstance(one.get("parts"), list):
                    out[one["total"]] = [str(p) for p in one["parts"]]
    return out


def check_formula(form: Form, total_id: str, cells: dict[str, tuple[int, int]]) -> str:
    """The formula of a check cell beside a total: blank until every amount is written, then
    ○ when the parts add up to the total and × when they do not (a hint to staff; ingest
    checks the rule itself)."""
    ids = [total_id, *totals(form)[total_id]]
    refs = [xl_rowcol_to_cell(*cells[fid]) for fid in ids]
    parts = "+".join(f"VALUE({r})" for r in refs[1:])
    return (f'=IF(COUNTA({",".join(refs)})<{len(refs)},"",'
            f'IFERROR(IF(ABS(VALUE({refs[0]})-({parts}))<0.0001,"○","×"),""))')
