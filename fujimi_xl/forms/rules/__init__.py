"""The rules of a form, from one registry, checked the same way in the list and sheet layouts.

A rule is data in form.json (``{"type": "compare", "field": "actual", "op": "<=", "other":
"target"}``). Each type lives in its own module declaring its parameters; a definition's rules
are checked when the form loads (:func:`check_definition`), so an unknown type, a missing
parameter or a field the form does not have is the secretariat's error at load, never a file
silently accepted or a staff member told their file is broken.

Every rule may carry ``code`` (the problem code), ``message`` (``{"ja": …, "en": …}``; the
placeholders are ``{value}``, ``{label}``, each field's ``{id}`` (its value), ``{id_label}`` (the
form's label for that value, e.g. a choice's label) and ``{id_name}`` (the field's label), and
the rule's own, listed in its module's ``SPEC``), ``each`` (the rule once per value, ``{i}``
replaced) and ``description``. Without a message, the catalogue's text for the code is used.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

from fujimi_xl.core.errors import Problem
from fujimi_xl.core.messages import BOOK, RULE_ALLOWED
from fujimi_xl.forms import Form
from fujimi_xl.forms.formcheck import guess
from fujimi_xl.forms.rules import (
    compare,
    list_ref,
    required_if,
    required_unless,
    sum_equals,
    unique,
)
from fujimi_xl.forms.rules.base import COMMON, DefinitionFault, Row, Spec, expand, placeholders

__all__ = ["RULE_TYPES", "DefinitionFault", "Row", "check_definition", "check_rules",
           "evaluate", "spec"]

_MODULES: tuple[ModuleType, ...] = (required_if, required_unless, sum_equals, list_ref, compare,
                                    unique)
REGISTRY: dict[str, ModuleType] = {m.SPEC.type: m for m in _MODULES}
RULE_TYPES: tuple[str, ...] = tuple(REGISTRY)

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def spec(kind: str) -> Spec:
    """The declared parameters of a rule type."""
    return REGISTRY[kind].SPEC  # type: ignore[no-any-return]


def evaluate(form: Form, rows: list[Row]) -> list[Problem]:
    """The problems of every rule of ``form`` over ``rows`` (the records of one file)."""
    out: list[Problem] = []
    for rule in form.rules:
        module = REGISTRY[rule["type"]]
        for one in expand(rule):
            out.extend(module.check(one, form, rows))
    return out


def check_rules(form: Form) -> list[DefinitionFault]:
    """Every fault of the rules of a definition, each at its JSON path (``rules[2].field``)."""
    if not isinstance(form.rules, list):
        return [DefinitionFault("rules", "rule_not_list")]
    out: list[DefinitionFault] = []
    for i, rule in enumerate(form.rules):
        out.extend(check_definition(rule, form, path=f"rules[{i}]"))
    if not out:
        out.extend(_check_cells(form))
    return out


def _check_cells(form: Form) -> list[DefinitionFault]:
    """A sheet's ``{"check": "total"}`` cell must name the total of a sum rule."""
    sums = sum_equals.totals(form)
    rows = form.sheet.get("rows", []) if isinstance(form.sheet, dict) else []
    for r, row in enumerate(rows if isinstance(rows, list) else []):
        for c, cell in enumerate(row if isinstance(row, list) else []):
            if isinstance(cell, dict) and "check" in cell and not (
                    isinstance(cell["check"], str) and cell["check"] in sums):
                return [DefinitionFault(f"sheet.rows[{r}][{c}].check", "rule_bad_check", {
                    "value": cell["check"], "allowed": ", ".join(sums) or RULE_ALLOWED["none"][0],
                    "allowed_en": ", ".join(sums) or RULE_ALLOWED["none"][1]})]
    return []


def check_definition(rule: Any, form: Form, path: str = "rules[0]") -> list[DefinitionFault]:
    """The faults of one rule of ``form`` (empty when it can be used): an unknown type, an
    unknown or missing parameter, a field, list or column the form does not have, a bad
    operator, code, message or placeholder. Each names its JSON path under ``path``."""
    if not isinstance(rule, dict):
        return [DefinitionFault(path, "rule_not_object")]
    kind = rule.get("type")
    if not isinstance(kind, str) or kind not in REGISTRY:
        return [DefinitionFault(f"{path}.type", "rule_unknown_type", {
            "value": "" if kind is None else kind, "allowed": ", ".join(RULE_TYPES),
            "guess": guess(kind, RULE_TYPES)})]
    s = spec(kind)
    out: list[DefinitionFault] = []
    if form.layout not in s.layouts:
        out.append(DefinitionFault(f"{path}.type", "rule_bad_layout", {
            "value": kind, "layout": form.layout, "allowed": ", ".join(s.layouts)}))
    allowed = [*s.names, *COMMON]
    for key in rule:
        if key not in allowed:
            out.append(DefinitionFault(f"{path}.{key}", "rule_unknown_param", {
                "value": key, "rule": kind, "allowed": ", ".join(allowed)}))
    for p in s.params:
        if p.required and p.name not in rule:
            out.append(DefinitionFault(f"{path}.{p.name}", "rule_missing_param", {
                "rule": kind, "param": p.name}))
    out += _common(rule, form, path, s)
    if out:
        return out
    out += _specific(rule, form, path, kind)  # which parameters go together, first
    if out:
        return out
    for one in expand(rule):
        for p in s.params:  # each parameter checks its own value (base.Param.faults)
            if p.name in one:
                out += p.faults(one, form, f"{path}.{p.name}")
            if out:  # the first: a column of a list that is not there says nothing more
                return out
    return out


def _allowed(key: str) -> dict[str, str]:
    ja, en = RULE_ALLOWED[key]
    return {"allowed": ja, "allowed_en": en}


def _common(rule: dict[str, Any], form: Form, path: str, s: Spec) -> list[DefinitionFault]:
    out: list[DefinitionFault] = []
    code = rule.get("code")
    if code is not None and not (isinstance(code, str) and _CODE.match(code)):
        out.append(DefinitionFault(f"{path}.code", "rule_bad_value", {
            "value": code, **_allowed("code")}))
    each = rule.get("each")
    if each is not None and not (isinstance(each, list) and each
                                 and all(isinstance(x, int | str) for x in each)):
        out.append(DefinitionFault(f"{path}.each", "rule_bad_value", {
            "value": each, **_allowed("each")}))
    if "message" in rule:
        message = rule["message"]
        if not (isinstance(message, dict) and isinstance(message.get("ja"), str)
                and set(message) <= {"ja", "en"}
                and all(isinstance(v, str) for v in message.values())):
            out.append(DefinitionFault(f"{path}.message", "rule_bad_value", {
                "value": message, "allowed": '{"ja": "…", "en": "…"}'}))
            return out
        names = {"value", "label", *s.placeholders}
        for fid in form.by_id:
            names.update((fid, f"{fid}_label", f"{fid}_name"))
        for lang, template in message.items():
            for name in placeholders(template):
                if name not in names:
                    out.append(DefinitionFault(f"{path}.message.{lang}", "rule_bad_placeholder", {
                        "value": name, **{key: ", ".join(
                            ["value", "label", *s.placeholders, field_id,
                             f"{field_id}_label", f"{field_id}_name"])
                            for key, field_id in zip(("allowed", "allowed_en"),
                                                     BOOK["field_id"], strict=True)}}))
    return out


def _specific(rule: dict[str, Any], form: Form, path: str, kind: str) -> list[DefinitionFault]:
    """What a rule type checks beyond its declared parameters (which of them go together).
    Runs before the parameters' own checks: it must take any JSON value."""
    check = getattr(REGISTRY[kind], "definition_faults", None)
    return [] if check is None else list(check(rule, form, path))
