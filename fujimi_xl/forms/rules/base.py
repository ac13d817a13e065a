"""What every rule shares: its declared parameters, the rows it is checked on, the faults of a
definition and the problem it reports (code and message from the definition, else the catalogue).

A rule module declares ``SPEC`` (its type, parameters, catalogue code and placeholders) and a
``check(rule, form, rows)`` returning problems. ``rows`` are the records of one file: every row
of a list form, or the one record of a sheet form; each row knows where its values came from.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fujimi_xl.core import normalise
from fujimi_xl.core.errors import Problem
from fujimi_xl.core.messages import CATALOGUE, RULE_ALLOWED
from fujimi_xl.forms import Form, Record
from fujimi_xl.forms.formcheck import fault_text, guess

# a path into a record: ("field",) or ("list", row index, "column")
Path = tuple[Any, ...]
Place = dict[str, Any]


@dataclass(frozen=True)
class Param:
    """One declared parameter of a rule, which checks its own value (:meth:`faults`).

    kind: ``field`` (a field id of the form), ``fields`` (a list of field ids), ``list`` (a list
    id of a sheet form), ``column`` (a column of the rule's ``list``), ``values`` (a list of
    values), ``choice`` (one of ``allowed``, e.g. a comparison), ``scalar`` (a number or a
    text)."""

    name: str
    kind: str
    required: bool = True
    of: str = ""  # a ``column``: the parameter naming its list
    allowed: tuple[str, ...] = ()  # a ``choice``: the values it may take

    def faults(self, rule: dict[str, Any], form: Form, path: str) -> list[DefinitionFault]:
        """The fault of this parameter's value in ``rule`` (one rule, ``each`` expanded), at
        ``path`` (``rules[0].field``); empty when it can be used."""
        return PARAM_KINDS[self.kind](self, rule, form, path, rule[self.name])


def _allowed(key: str) -> dict[str, str]:
    """``allowed`` words of the catalogue, in both languages."""
    ja, en = RULE_ALLOWED[key]
    return {"allowed": ja, "allowed_en": en}


def _bad_field(value: Any, path: str, fields: list[str]) -> DefinitionFault:
    return DefinitionFault(path, "rule_bad_field", {
        "value": value, "allowed": ", ".join(fields), "guess": guess(value, fields)})


def _plain_fields(form: Form) -> list[str]:
    return [f.id for f in [*form.fields, *form.references] if f.type != "list"]


def _field(p: Param, rule: dict[str, Any], form: Form, path: str,
           value: Any) -> list[DefinitionFault]:
    fields = _plain_fields(form)
    if not isinstance(value, str) or value not in fields:
        return [_bad_field(value, path, fields)]
    return []


def _fields(p: Param, rule: dict[str, Any], form: Form, path: str,
            value: Any) -> list[DefinitionFault]:
    if not isinstance(value, list) or not value:
        return [DefinitionFault(path, "rule_bad_value", {"value": value, **_allowed("fields")})]
    fields = _plain_fields(form)
    for j, v in enumerate(value):
        if not isinstance(v, str) or v not in fields:
            return [_bad_field(v, f"{path}[{j}]", fields)]
    return []


def _list(p: Param, rule: dict[str, Any], form: Form, path: str,
          value: Any) -> list[DefinitionFault]:
    if not isinstance(value, str) or value not in form.lists:
        return [DefinitionFault(path, "rule_bad_list", {
            "value": value, "allowed": ", ".join(form.lists) or RULE_ALLOWED["none"][0],
            "allowed_en": ", ".join(form.lists) or RULE_ALLOWED["none"][1],
            "guess": guess(value, form.lists)})]
    return []


def _column(p: Param, rule: dict[str, Any], form: Form, path: str,
            value: Any) -> list[DefinitionFault]:
    lid = rule.get(p.of)
    columns = [c.get("id") for c in form.lists.get(lid, {}).get("columns", [])] \
        if isinstance(lid, str) else []
    if value not in columns:
        return [DefinitionFault(path, "rule_bad_column", {
            "value": value, "list": lid, "allowed": ", ".join(map(str, columns))})]
    return []


def _values(p: Param, rule: dict[str, Any], form: Form, path: str,
            value: Any) -> list[DefinitionFault]:
    if not isinstance(value, list) or not value \
            or not all(isinstance(v, str | int | float) for v in value):
        return [DefinitionFault(path, "rule_bad_value", {"value": value, **_allowed("values")})]
    return []


def _choice(p: Param, rule: dict[str, Any], form: Form, path: str,
            value: Any) -> list[DefinitionFault]:
    if not isinstance(value, str) or value not in p.allowed:
        return [DefinitionFault(path, "rule_bad_value", {
            "value": value, "allowed": ", ".join(p.allowed)})]
    return []


def _scalar(p: Param, rule: dict[str, Any], form: Form, path: str,
            value: Any) -> list[DefinitionFault]:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return [DefinitionFault(path, "rule_bad_value", {"value": value, **_allowed("scalar")})]
    return []


# the check of each kind of parameter a rule module may declare
PARAM_KINDS: dict[str, Callable[..., list[DefinitionFault]]] = {
    "field": _field, "fields": _fields, "list": _list, "column": _column, "values": _values,
    "choice": _choice, "scalar": _scalar,
}


@dataclass(frozen=True)
class Spec:
    type: str
    params: tuple[Param, ...]
    code: str  # the catalogue code (and generic message) when the definition gives none
    placeholders: tuple[str, ...] = ()  # names its message may use besides the fields'
    layouts: tuple[str, ...] = ("list", "sheet")

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]


# parameters every rule may carry
COMMON = ("type", "code", "message", "each", "description")


@dataclass
class Row:
    """One record being checked and where its values came from."""

    record: Record
    places: Callable[[Path], Place | None]

    def place(self, *path: Any) -> Place | None:
        return self.places(tuple(path))


@dataclass(frozen=True)
class DefinitionFault:
    """A rule of a definition that cannot be used: the JSON path, an ``ERRORS`` code and its
    parameters (``value`` the wrong value, ``allowed`` what is allowed)."""

    path: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "ja", file: str = "") -> str:
        return fault_text(self.code, lang, {"file": file, "path": self.path, **self.params})

    def __str__(self) -> str:
        return self.message()


def expand(rule: dict[str, Any]) -> list[dict[str, Any]]:
    """A rule with ``each`` as one rule per value, ``{i}`` in its texts replaced."""
    each = rule.get("each")
    if not isinstance(each, list) or not each:
        return [rule]
    return [_fill(rule, i) for i in each]


def _fill(value: Any, i: Any) -> Any:
    if isinstance(value, str):
        return value.replace("{i}", str(i))
    if isinstance(value, list):
        return [_fill(v, i) for v in value]
    if isinstance(value, dict):
        return {k: v if k in ("message", "each") else _fill(v, i) for k, v in value.items()}
    return value


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or value == []


def number(value: Any) -> float | None:
    """A value as a number (typed, or text such as 1,200 / １２ / ▲50), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    n = normalise.parse_amount(value)
    return None if n is None else float(n)


def comparable(value: Any) -> Any:
    """A value two rules can order: a number, a date (typed or ISO text), else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    n = number(value)
    if n is not None:
        return n
    if isinstance(value, str):
        m = _YMD.match(normalise.nfkc(value).strip())
        if m:
            try:
                return dt.date(*map(int, m.groups()))
            except ValueError:
                return None
    return None


# a date written as text: 2024-04-01, 2024/4/1, 2024.4.1 (typed dates come as dates)
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value)


def field_params(form: Form, record: Record, fids: Iterable[str]) -> dict[str, Any]:
    """Placeholders for the fields a rule involves: ``{id}`` the value, ``{id_label}`` the
    form's label for that value (a choice's label, else the value), ``{id_name}`` the field's
    own label."""
    out: dict[str, Any] = {}
    for fid in fids:
        f = form.by_id.get(fid)
        value = record.get(fid)
        out[fid] = shown(value)
        label = shown(value)
        if f is not None and f.choices:
            label = next((c.get("label", label) for c in form.choices.get(f.choices, [])
                          if c.get("value") == value), label)
        out[f"{fid}_label"] = label
        out[f"{fid}_name"] = f.label if f is not None else fid
    return out


def make(rule: dict[str, Any], spec: Spec, place: Place | None, value: Any = None,
         fields: dict[str, Any] | None = None, **params: Any) -> Problem:
    """The problem a rule reports at ``place``: the definition's code and message if it gives
    them, else the rule's catalogue code. ``fields``: the placeholders of the fields involved
    (the rule's own ``params`` win over a field of the same name)."""
    where = dict(place or {})
    params = {**(fields or {}), **params}
    message = rule.get("message")
    code = rule.get("code") or spec.code
    if not isinstance(message, dict) and code not in CATALOGUE:
        # a code of the definition's own without a message: the rule type's generic words
        message = dict(zip(("ja", "en"), CATALOGUE[spec.code], strict=True))
    if isinstance(message, dict):
        for lang in ("ja", "en"):
            if isinstance(message.get(lang), str):
                params[f"message_{lang}"] = message[lang]
    return Problem(code, value=value, params=params, **where)


def placeholders(template: str) -> list[str]:
    """The names a message template uses: '{a}と{b_label}' → ['a', 'b_label']."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError:
        return ["{"]
