"""required_unless: a field must be filled unless another field holds one of some values.
E.g. 理由 is required unless 評価 is A."""

from __future__ import annotations

from typing import Any

from fujimi_xl.core.errors import Problem
from fujimi_xl.forms import Form
from fujimi_xl.forms.rules.base import DefinitionFault, Param, Row, Spec
from fujimi_xl.forms.rules.required_if import known_values, required_when

SPEC = Spec(
    type="required_unless",
    params=(Param("field", "field"), Param("unless_field", "field"),
            Param("unless_in", "values")),
    code="rule_required_unless",
    placeholders=("other", "other_label", "other_name", "allowed"),
)


def definition_faults(rule: dict[str, Any], form: Form, path: str) -> list[DefinitionFault]:
    return known_values(form, rule, path, "unless_field", "unless_in")


def check(rule: dict[str, Any], form: Form, rows: list[Row]) -> list[Problem]:
    return required_when(SPEC, rule, form, rows, rule["unless_field"], rule["unless_in"], False)
