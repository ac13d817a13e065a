"""list_ref: a value names a row of something else.

In a sheet form (``list``, ``column``, ``target``, ``target_column``): each value of a column of
a list is a row of another list (the 課題番号 of DO/CHECK/ACTION is one of the issues of Ⅲ);
``target_column`` defaults to the target list's first column. In a list form (``field``,
``target_field``): each row's value is the ``target_field`` of some row of the same file (a
関連番号 naming another row's 番号)."""

from __future__ import annotations

from typing import Any

from fujimi_xl.core import normalise
from fujimi_xl.core.errors import Problem
from fujimi_xl.forms import Form, circled
from fujimi_xl.forms.rules.base import DefinitionFault, Param, Row, Spec, blank, make, shown

SPEC = Spec(
    type="list_ref",
    params=(Param("list", "list", required=False),
            Param("column", "column", required=False, of="list"),
            Param("target", "list", required=False),
            Param("target_column", "column", required=False, of="target"),
            Param("field", "field", required=False),
            Param("target_field", "field", required=False)),
    code="rule_list_ref",
    placeholders=("choices", "target_name"),
)
# the parameters each layout needs, and the ones it cannot use
_NEEDS = {"sheet": ("list", "column", "target"), "list": ("field", "target_field")}


def definition_faults(rule: dict[str, Any], form: Form, path: str) -> list[DefinitionFault]:
    needs = _NEEDS[form.layout]
    for name, other in _NEEDS.items():
        if name == form.layout:
            continue
        for p in (*other, "target_column" if name == "sheet" else ""):
            if p in rule:
                return [DefinitionFault(f"{path}.{p}", "rule_bad_layout", {
                    "value": p, "layout": form.layout, "allowed": name})]
    for p in needs:
        if p not in rule:
            return [DefinitionFault(f"{path}.{p}", "rule_missing_param", {
                "rule": SPEC.type, "param": p})]
    return []


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
    if "field" in rule:
        return _rows(rule, form, rows)
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


def _rows(rule: dict[str, Any], form: Form, rows: list[Row]) -> list[Problem]:
    """A list form: each row's ``field`` is the ``target_field`` of a row of the file."""
    fid, tid = rule["field"], rule["target_field"]
    target = form.by_id[tid]
    allowed = {_ref(r.record.get(tid)): r.record.get(tid) for r in rows
               if not blank(r.record.get(tid))}
    choices = "・".join(target.show(v) if target.role == "key" else shown(v)
                       for v in sorted(allowed.values(), key=_order))
    out: list[Problem] = []
    for row in rows:
        value = row.record.get(fid)
        if blank(value) or _ref(value) in allowed:
            continue
        out.append(make(rule, SPEC, row.place(fid), value=shown(value), choices=choices,
                        target_name=target.label))
    return out


def _ref(value: Any) -> Any:
    """A value as a reference: a number however it is written (1, １, ①, 第1節), else its text."""
    n = normalise.parse_index(value)
    return n if n is not None else normalise.nfkc(shown(value)).strip()
