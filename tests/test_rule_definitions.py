"""One owner for rule checks at form load (issue 13 item 2): the rules registry checks every
parameter of every rule (each rule module declaring its own), the definition checks
(formcheck, the meta-schema) leave rules to it, and each fault is told in one wording: one
Japanese line naming the definition file and the JSON path."""

from __future__ import annotations

import copy

import pytest

from fujimi_xl import api
from fujimi_xl.core.errors import FormDefinitionError
from fujimi_xl.core.messages import error_text
from fujimi_xl.forms import check_form, load_form
from fujimi_xl.forms.rules import REGISTRY, RULE_TYPES

from .conftest import YEAR
from .test_rules import LIST_FORM, LIST_SCHEMA, SHEET_FORM, SHEET_SCHEMA, write_form

FIELDS = "no, topic, held, count, total, state, city, actual, target, code"
SHEET_FIELDS = "no, name, issues, held, count, total, state, city"


def _missing(rule: str, param: str, path: str = "rules[0]") -> str:
    return f"の {path}.{param} がありません。規則 {rule} には {param} の指定が必要です。"


# (form, rules, the line after "様式定義 <file>") for each rule type: a parameter missing, a
# parameter of the wrong type, a field the form does not have
CASES = [
    # required_if
    ("rl", [{"type": "required_if", "field": "count"}], _missing("required_if", "if_field")),
    ("rl", [{"type": "required_if", "field": 3, "if_field": "held"}],
     f"の rules[0].field: 「3」という項目はこの様式にありません。使える項目: {FIELDS}"),
    ("rl", [{"type": "required_if", "field": "count", "if_field": "helt"}],
     f"の rules[0].if_field: 「helt」という項目はこの様式にありません。使える項目: {FIELDS}"
     "（「held」の書き間違いではありませんか）"),
    # required_unless
    ("rl", [{"type": "required_unless", "field": "count", "unless_field": "held"}],
     _missing("required_unless", "unless_in")),
    ("rl", [{"type": "required_unless", "field": "count", "unless_field": "held",
             "unless_in": "無"}],
     "の rules[0].unless_in: 「無」は使えません。使える値: 値の一覧（例: [\"A\"]）"),
    ("rl", [{"type": "required_unless", "field": "cuont", "unless_field": "held",
             "unless_in": ["無"]}],
     f"の rules[0].field: 「cuont」という項目はこの様式にありません。使える項目: {FIELDS}"
     "（「count」の書き間違いではありませんか）"),
    # sum_equals
    ("rl", [{"type": "sum_equals", "total": "total"}], _missing("sum_equals", "parts")),
    ("rl", [{"type": "sum_equals", "total": "total", "parts": "state"}],
     "の rules[0].parts: 「state」は使えません。使える値: 項目IDの一覧（例: [\"a\", \"b\"]）"),
    ("rl", [{"type": "sum_equals", "total": "total", "parts": ["state", "citty"]}],
     f"の rules[0].parts[1]: 「citty」という項目はこの様式にありません。使える項目: {FIELDS}"
     "（「city」の書き間違いではありませんか）"),
    # list_ref (a list form: field and target_field)
    ("rl", [{"type": "list_ref", "field": "code"}], _missing("list_ref", "target_field")),
    ("rl", [{"type": "list_ref", "field": "code", "target_field": ["no"]}],
     f"の rules[0].target_field: 「['no']」という項目はこの様式にありません。使える項目: {FIELDS}"),
    ("rs", [{"type": "list_ref", "list": "taskss", "column": "ref", "target": "issue_list"}],
     "の rules[0].list: 「taskss」という表（lists）はこの様式にありません。使える表: "
     "issue_list, tasks（「tasks」の書き間違いではありませんか）"),
    # compare
    ("rl", [{"type": "compare", "field": "count", "value": 3}], _missing("compare", "op")),
    ("rl", [{"type": "compare", "field": "count", "op": "=<", "value": 3}],
     "の rules[0].op: 「=<」は使えません。使える値: <, <=, =, >=, >, !="),
    ("rl", [{"type": "compare", "field": "count", "op": "<", "value": [3]}],
     "の rules[0].value: 「[3]」は使えません。使える値: 数値・日付（例: 100, \"2024-04-01\"）"),
    ("rs", [{"type": "compare", "field": "state", "op": "<=", "other": "totl"}],
     f"の rules[0].other: 「totl」という項目はこの様式にありません。使える項目: {SHEET_FIELDS}"
     "（「total」の書き間違いではありませんか）"),
    # unique
    ("rl", [{"type": "unique"}],
     "の rules[0].field: 規則 unique には field, list, fields のうち1つだけを指定してください。"),
    ("rl", [{"type": "unique", "fields": "code"}],
     "の rules[0].fields: 「code」は使えません。使える値: 項目IDの一覧（例: [\"a\", \"b\"]）"),
    ("rl", [{"type": "unique", "field": "cdoe"}],
     f"の rules[0].field: 「cdoe」という項目はこの様式にありません。使える項目: {FIELDS}"
     "（「code」の書き間違いではありませんか）"),
    # what every rule shares: its type, code, each, message
    ("rl", [{"type": "compair", "field": "count"}],
     "の rules[0].type: 規則の種類「compair」はありません。使える種類: required_if, "
     "required_unless, sum_equals, list_ref, compare, unique（「compare」の書き間違いでは"
     "ありませんか）"),
    ("rl", [{"field": "count"}],
     "の rules[0].type: 規則の種類「」はありません。使える種類: required_if, "
     "required_unless, sum_equals, list_ref, compare, unique"),
    ("rl", [{"type": "unique", "field": "code", "code": 3}],
     "の rules[0].code: 「3」は使えません。使える値: 英小文字・数字・_ の名前（例: count_required）"),
    ("rl", [{"type": "unique", "field": "code", "each": "x"}],
     "の rules[0].each: 「x」は使えません。使える値: 値の一覧（例: [1, 2, 3]）"),
    ("rl", ["compare"], "の rules[0] は規則（{\"type\": …}）にしてください。"),
    ("rl", {"type": "compare"}, "の rules は規則の一覧（[ … ]）にしてください。"),
]


def _broken(tmp_path, name, rules):
    ws = api.init(tmp_path / "ws")
    base, schema = (LIST_FORM, LIST_SCHEMA) if name == "rl" else (SHEET_FORM, SHEET_SCHEMA)
    path = write_form(ws.root, {**copy.deepcopy(base), "rules": rules}, schema)
    return ws, path


@pytest.mark.parametrize(("name", "rules", "said"), CASES,
                         ids=[f"{i}-{c[1][0].get('type', '?') if isinstance(c[1], list) and isinstance(c[1][0], dict) else 'shape'}"
                              for i, c in enumerate(CASES)])
def test_a_broken_rule_is_one_line_from_the_registry(tmp_path, run, name, rules, said):
    ws, path = _broken(tmp_path, name, rules)
    line = f"様式定義 {path} {said}"
    with pytest.raises(FormDefinitionError) as exc:
        load_form(name, ws.root)
    assert str(exc.value) == error_text("form_definition_broken", first=line, more="")
    # `form check` lists that one problem, and nothing else says it in other words
    assert [p.message() for p in check_form(path)] == [line]
    res = run("generate", name, "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 2
    assert res.output == f"エラー: {exc.value!s}\n"


def test_every_rule_type_is_covered_above():
    covered = {r[0]["type"] for _, r, _ in CASES
               if isinstance(r, list) and isinstance(r[0], dict) and "type" in r[0]}
    assert set(RULE_TYPES) <= covered


def test_each_rule_module_checks_its_own_parameters():
    """Every parameter kind a module declares has its check (base.Param.faults); the kinds
    that need more (which parameters go together) are the module's definition_faults."""
    from fujimi_xl.forms.rules.base import PARAM_KINDS

    for kind, module in REGISTRY.items():
        for p in module.SPEC.params:
            assert p.kind in PARAM_KINDS, (kind, p.name, p.kind)


def test_the_definition_checks_leave_rules_to_the_registry():
    """formcheck and the meta-schema say nothing about a rule: no rule parameter names in
    formcheck, no rule properties in the meta-schema."""
    import inspect

    from fujimi_xl.forms import formcheck

    source = inspect.getsource(formcheck)
    assert "RULE_FIELD_KEYS" not in source and '"rules"' not in source
    meta = formcheck.meta_schema()
    assert "rule" not in meta.get("$defs", {})
    assert set(meta["properties"]["rules"]) <= {"description"}


def test_english_says_the_same_fault_in_english(tmp_path, run):
    ws, path = _broken(tmp_path, "rl", [{"type": "unique", "field": "code", "code": 3}])
    res = run("--lang", "en", "generate", "rl", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 2
    assert res.output.endswith(
        f"Form definition {path}, rules[0].code: '3' cannot be used. Allowed: a name of "
        "lower-case letters, digits and _ (e.g. count_required)\n")


def test_a_placeholder_typo_lists_the_placeholders_in_each_language(tmp_path):
    ws, path = _broken(tmp_path, "rl", [
        {"type": "required_if", "field": "count", "if_field": "held",
         "message": {"ja": "{held_lable}の場合は必要です"}}])
    with pytest.raises(FormDefinitionError) as exc:
        load_form("rl", ws.root)
    assert exc.value.message("ja").endswith(
        f"様式定義 {path} の rules[0].message.ja: 差し込み「{{held_lable}}」はありません。"
        "使える差し込み: value, label, other, other_label, other_name, <項目ID>, "
        "<項目ID>_label, <項目ID>_name")
    assert exc.value.message("en").endswith(
        f"Form definition {path}, rules[0].message.ja: there is no placeholder "
        "'{held_lable}'. Allowed: value, label, other, other_label, other_name, <field id>, "
        "<field id>_label, <field id>_name")
