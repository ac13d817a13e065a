"""compare: a field against another field or a constant (<, <=, =, >=, >, !=): 実績 ≤ 目標,
開始日 ≤ 終了日. Numbers compare as numbers, dates as dates; a blank or unreadable value is left
to its own check."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from fujimi_xl.core.errors import Problem
from fujimi_xl.core.messages import OP_TEXT
from fujimi_xl.forms import Form
from fujimi_xl.forms.rules.base import (
    DefinitionFault,
    Param,
    Row,
    Spec,
    comparable,
    field_params,
    make,
    shown,
)

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, "=": operator.eq, ">=": operator.ge, ">": operator.gt,
    "!=": operator.ne,
}

SPEC = Spec(
    type="compare",
    params=(Param("field", "field"), Param("op", "choice", allowed=tuple(OPS)),
            Param("other", "field", required=False),
            Param("value", "scalar", required=False)),
    code="rule_compare",
    placeholders=("op", "op_ja", "op_en", "other", "other_name", "other_cell", "other_desc"),
)


def definition_faults(rule: dict[str, Any], form: Form, path: str) -> list[DefinitionFault]:
    if ("other" in rule) == ("value" in rule):
        return [DefinitionFault(f"{path}.other", "rule_one_of", {
            "rule": SPEC.type, "params": "other, value"})]
    return []


def check(rule: dict[str, Any], form: Form, rows: list[Row]) -> list[Problem]:
    fid, op, other_id = rule["field"], rule["op"], rule.get("other")
    test = OPS[op]
    ids = (fid, other_id) if other_id else (fid,)
    out: list[Problem] = []
    for row in rows:
        left = comparable(row.record.get(fid))
        raw_right = row.record.get(other_id) if other_id else rule.get("value")
        right = comparable(raw_right)
        if left is None or right is None or type(left) is not type(right):
            continue
        if test(left, right):
            continue
        if other_id:
            at = row.place(other_id) or {}
            name, cell = form.by_id[other_id].label, at.get("cell", "")
            desc = f"{name}（{cell}: {shown(raw_right)}）"
        else:
            name, cell, desc = "", "", shown(raw_right)
        out.append(make(rule, SPEC, row.place(fid), value=shown(row.record.get(fid)),
                        op=op, op_ja=OP_TEXT[op][0], op_en=OP_TEXT[op][1],
                        other=shown(raw_right), other_name=name, other_cell=cell,
                        other_desc=desc, field_ids=",".join(ids),
                        fields=field_params(form, row.record, ids)))
    return out
