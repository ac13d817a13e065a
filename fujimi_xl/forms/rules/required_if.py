"""required_if: a field must be filled when another field holds one of some values (or, without
``if_in``, whenever the other field is filled). E.g. 実施回数 is required when 実施 is 有."""

from __future__ import annotations

from typing import Any

from fujimi_xl.core.errors import Problem
from fujimi_xl.forms import Form
from fujimi_xl.forms.rules.base import (
    DefinitionFault,
    Param,
    Row,
    Spec,
    blank,
    field_params,
    make,
    shown,
)

SPEC = Spec(
    type="required_if",
    params=(Param("field", "field"), Param("if_field", "field"),
            Param("if_in", "values", required=False)),
    code="rule_required_if",
    placeholders=("other", "other_label", "other_name"),
)


def definition_faults(rule: dict[str, Any], form: Form, path: str) -> list[DefinitionFault]:
    return known_values(form, rule, path, "if_field", "if_in")


def check(rule: dict[str, Any], form: Form, rows: list[Row]) -> list[Problem]:
    return required_when(SPEC, rule, form, rows, rule["if_field"], rule.get("if_in"), True)


def known_values(form: Form, rule: dict[str, Any], path: str, other: str,
                 values: str) -> list[DefinitionFault]:
    """The values a rule waits for must be choices of the other field, if it has choices:
    a typo there would make the rule never apply."""
    name, given = rule.get(other), rule.get(values)
    f = form.by_id.get(name) if isinstance(name, str) else None
    if f is None or not f.choices or not isinstance(given, list):
        return []
    choices = form.choice_values(f.choices)
    for j, v in enumerate(given):
        if v not in choices:
            return [DefinitionFault(f"{path}.{values}[{j}]", "rule_bad_value", {
                "value": v, "allowed": ", ".join(choices)})]
    return []


def required_when(spec: Spec, rule: dict[str, Any], form: Form, rows: list[Row], other_id: str,
                  values: list[Any] | None, inside: bool) -> list[Problem]:
    """``field`` is required when ``other_id``'s value is (``inside``) or is not in ``values``;
    a choice the form does not have is left to its own problem."""
    fid = rule["field"]
    other_field = form.by_id[other_id]
    known = form.choice_values(other_field.choices) if other_field.choices else None
    out: list[Problem] = []
    for row in rows:
        other = row.record.get(other_id)
        if blank(other) or not blank(row.record.get(fid)):
            continue
        if known is not None and other not in known:
            continue
        if values is not None and (other in values) != inside:
            continue
        params = field_params(form, row.record, (fid, other_id))
        out.append(make(rule, spec, row.place(fid), fields=params, other=shown(other),
                        other_label=params[f"{other_id}_label"],
                        other_name=other_field.label,
                        allowed="・".join(map(shown, values or []))))
    return out
