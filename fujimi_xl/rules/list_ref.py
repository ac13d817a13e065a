"""list_ref: each value of a column of a sheet form's list names a row of another list (the
課題番号 of DO/CHECK/ACTION is one of the issues of Ⅲ). ``target_column`` defaults to the
target list's first column."""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from ..forms import Form, circled
from .base import Param, Row, Spec, make, shown

SPEC = Spec(
    type="list_ref",
    params=(Param("list", "list"), Param("column", "column", of="list"),
            Param("target", "list"), Param("target_column", "column", required=False,
                                               of="target")),
    code="rule_list_ref",
    placeholders=("choices", "target_name"),
    layouts=("sheet",),
)


def target_column(rule: dict[str, Any], form: Form) -> str:
    return str(rule.get("target_column") or form.lists[rule["target"]]["columns"][0]["id"])


def list_name(form: Form, lid: str) -> str:
    """What a list is called: its own label, else the label of the field it is or comes from."""
    spec = form.lists[lid]
    for fid in (lid, spec.get("source")):
        if spec.get("label"):
            return str(spec["label"])
        if isinstance(fid, str) and fid in form.by_id:
            return form.by_id[fid].label
    return lid


def check(rule: dict[str, Any], form: Form, rows: list[Row]) -> list[Problem]:
    lid, cid, target = rule["list"], rule["column"], rule["target"]
    kind = next((c.get("type", "") for c in form.lists[lid]["columns"] if c["id"] == cid), "")
    show = circled if kind == "issue_no" else shown
    tcol = target_column(rule, form)
    name = list_name(form, target)
    out: list[Problem] = []
    for row in rows:
        allowed = {r.get(tcol) for r in row.record.get(target, []) or []} - {None, ""}
        for i, item in enumerate(row.record.get(lid, []) or []):
            value = item.get(cid)
            if value is None or value == "" or value in allowed:
                continue
            out.append(make(rule, SPEC, row.place(lid, i, cid), value=show(value),
                            choices="・".join(show(x) for x in sorted(allowed, key=_order)),
                            target_name=name))
    return out


def _order(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int | float) else (1, str(value))
