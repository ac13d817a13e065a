"""Normalise then validate the records of one file: JSON Schema per record, then the form's rules.

Returns problems, never raises on bad data. Each problem carries the cell the value came from.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from fujimi_xl.core import fiscal, normalise
from fujimi_xl.core.errors import Problem
from fujimi_xl.core.messages import BOOK, PATTERN_HINT, TYPE_TEXTS
from fujimi_xl.forms import Form, Record, fieldtypes, formcheck
from fujimi_xl.forms.fieldtypes import NUMBER_LIMIT
from fujimi_xl.forms.rules import Row, evaluate
from fujimi_xl.layouts.list.extract import Cell
from fujimi_xl.layouts.sheet.sheet_layout import list_rows


def _expected(key: str) -> dict[str, str]:
    """wrong_type's {expected}, in both languages (a text of the catalogue)."""
    ja, en = BOOK[key]
    return {"expected": ja, "expected_en": en}


@dataclass
class Checked:
    records: dict[str, Record]  # item key -> normalised record (inputs only, plus keys)
    problems: list[Problem]


def check(form: Form, year: int, rows: dict[str, dict[str, Cell]],
          issued_items: list[dict[str, Any]], file_name: str, sheet: str) -> Checked:
    problems: list[Problem] = []
    records: dict[str, Record] = {}
    by_key = {it["key"]: it for it in issued_items}
    plan_records = {k: _plan_record(form, it) for k, it in by_key.items()}

    # the free texts of the whole file normalised in one pass; choices and typed values (a
    # number, a date: fieldtypes) one by one
    typed = {f.id: fieldtypes.of(f.type) for f in form.input_fields
             if fieldtypes.is_typed(f.type, bool(f.choices))}
    free = [f for f in form.input_fields if not f.choices and f.id not in typed]
    narrow = _narrow_fields(form)
    cleaned = iter(normalise.texts([cells[f.id].raw for cells in rows.values() for f in free]))
    # cells with a problem of their own (their XML, a value that is no number): nothing
    # else is said about them
    refused = {c.address for cells in rows.values() for c in cells.values() if c.refused}
    own: list[Problem] = []
    checked: list[Row] = []
    for key, cells in rows.items():
        record: Record = dict(plan_records[key])
        for f in form.input_fields:
            cell = cells[f.id]
            ft = typed.get(f.id) if typed else None
            if ft is not None:
                value, removed = "", 0
                if not cell.refused:
                    value, p = read_typed(ft, f, cell, year, file_name, sheet, key)
                    if p is not None:
                        own.append(p)
                        refused.add(cell.address)
                        continue
            else:
                value, removed = (normalise.choice(cell.raw), 0) if f.choices else next(cleaned)
                if narrow and value and f.id in narrow:
                    value = unicodedata.normalize("NFKC", value)
            if type(cell.raw) is float and not math.isfinite(cell.raw) and not cell.refused \
                    and ft is None:
                own.append(Problem("not_finite", file=file_name, sheet=sheet,
                                   cell=cell.address, field=f.label_for(year), field_id=f.id,
                                   item_key=key, value=_num(cell.raw)))
                refused.add(cell.address)
            if removed:
                problems.append(Problem("control_chars", file=file_name, sheet=sheet,
                                        cell=cell.address, field=f.label_for(year),
                                        field_id=f.id, item_key=key, severity="warning",
                                        params={"found": removed}))
            if value != "":
                record[f.id] = value
        records[key] = record

        def place(fid: str, _key: str = key, _cells: dict[str, Cell] = cells) -> dict[str, Any]:
            f = form.by_id[fid]
            return {"file": file_name, "sheet": sheet, "cell": _cells[fid].address,
                    "field": f.label_for(year), "field_id": fid, "item_key": _key}

        if not form.is_valid(record):
            for err in form.validator.iter_errors(record):
                problems.append(_schema_problem(form, err, record, place))
        if form.rules:
            checked.append(Row(record, _row_places(place, cells)))
    if checked:
        problems.extend(evaluate(form, checked))
    if refused:
        problems = [p for p in problems if p.cell not in refused] + own
    problems.sort(key=lambda p: (list(rows).index(p.item_key) if p.item_key in rows else -1,
                                 [f.id for f in form.fields].index(p.field_id)
                                 if p.field_id in form.by_id else -1))
    return Checked(records, problems)


def _narrow_fields(form: Form) -> set[str]:
    """The text fields the schema gives a pattern (a code, a phone number, an address): their
    values are compared and kept in half-width, ０４９－２５１ as 049-251 (other free text
    keeps its full-width punctuation as typed)."""
    props = form.schema.get("properties", {})
    return {f.id for f in form.input_fields
            if isinstance(props.get(f.id), dict) and "pattern" in props[f.id]}


def read_typed(ft: fieldtypes.FieldType, f: Any, cell: Cell, year: int, file_name: str,
               sheet: str, key: str) -> tuple[Any, Problem | None]:
    """The typed value of a cell of a typed field ("" when blank), or the problem saying why
    it cannot be read: what kind of value is wanted and examples of what is accepted."""
    raw = cell.raw
    if raw is None or (type(raw) is str and (raw == "" or raw.isspace())):
        return "", None
    assert ft.parse is not None
    value = ft.parse(raw)  # a few µs: the place of a problem is only made for a problem
    if value is not fieldtypes.UNREADABLE and (
            type(value) is str or abs(value) < NUMBER_LIMIT):
        return value, None
    place = {"file": file_name, "sheet": sheet, "cell": cell.address,
             "field": f.label_for(year), "field_id": f.id, "item_key": key}
    if normalise.non_finite(raw):
        return "", Problem("not_finite", value=_num(raw) if type(raw) is float else raw,
                           **place)
    if value is fieldtypes.UNREADABLE:
        return "", Problem("type_unreadable", value=normalise.text(raw)[0],
                           params=type_params(ft.id), **place)
    return "", Problem("out_of_range", value=_num(value), params={
        "allowed": f"{-(NUMBER_LIMIT - 1):,} ～ {NUMBER_LIMIT - 1:,}"}, **place)


def type_params(type_id: str) -> dict[str, str]:
    """The parameters of type_unreadable: the kind of value in words (ja, en), examples."""
    kind, kind_en, examples = TYPE_TEXTS[type_id]
    return {"kind": kind, "kind_en": kind_en, "examples": examples,
            "examples_en": examples.replace("、", ", ")}


def _pattern_params(f: Any) -> dict[str, str]:
    """The message a definition gives a pattern (pattern_message), or a default one: never
    the regular expression itself."""
    given = f.pattern_message or {}
    return {"hint": given.get("ja") or PATTERN_HINT[0],
            "hint_en": given.get("en") or given.get("ja") or PATTERN_HINT[1]}


def _plan_record(form: Form, issued: dict[str, Any]) -> Record:
    record: Record = {}
    for f in form.locked_fields:
        text = issued.get(f.id, "")
        if f.role == "key":
            record[f.id] = f.read_key(text)
        elif text != "" and fieldtypes.is_typed(f.type, bool(f.choices)):
            # a locked typed field (a planned amount, a start year): typed like an input
            parse = fieldtypes.of(f.type).parse
            assert parse is not None
            value = parse(text)
            record[f.id] = text if value is fieldtypes.UNREADABLE else value
        else:
            record[f.id] = text
    return record


def _schema_problem(form: Form, err: Any, record: Record, place: Any) -> Problem:
    validator = err.validator
    if validator == "required":
        missing = [p for p in err.validator_value if p not in record]
        named = [p for p in missing if err.message.startswith(repr(p))]
        fid = (named or missing or [""])[0]
        return Problem("required", **place(fid)) if fid in form.by_id else Problem(
            "schema", params={"detail": err.message})
    fid = str(err.path[0]) if err.path else ""
    if fid not in form.by_id:
        return Problem("schema", params={"detail": err.message})
    value = record.get(fid)
    if validator == "enum":
        return Problem("not_in_scale", value=value,
                       params={"choices": "・".join(map(str, err.validator_value))},
                       **place(fid))
    if validator == "maxLength":
        return Problem("too_long", value=value,
                       params={"found": len(str(value)), "allowed": err.validator_value},
                       **place(fid))
    if validator == "minLength":
        return Problem("required", **place(fid))
    if validator == "type":
        wanted = err.validator_value
        if wanted in ("integer", "number"):
            return Problem("type_unreadable", value=value, params=type_params(wanted),
                           **place(fid))
        return Problem("wrong_type", value=value, params={"expected": err.validator_value},
                       **place(fid))
    if validator == "pattern":
        return Problem("pattern_mismatch", value=value,
                       params=_pattern_params(form.by_id[fid]), **place(fid))
    if validator in _BOUNDS:
        return Problem("out_of_range", value=value, params={
            "allowed": f"{_BOUNDS[validator]} {_num(err.validator_value)}"}, **place(fid))
    code, params = formcheck.schema_words(err)  # in words, never jsonschema's English
    return Problem(code, value=value, params=params, **place(fid))


def _row_places(place: Any, cells: dict[str, Cell]) -> Any:
    """Where a rule finds the cell of a field of this row (a list form has no inner lists)."""

    def places(path: tuple[Any, ...]) -> dict[str, Any] | None:
        return place(path[0]) if len(path) == 1 and path[0] in cells else None

    return places


# the bounds of JSON Schema, as the message shows them (the same in both languages)
_BOUNDS = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}


# -- form-style sheets -----------------------------------------------------------------------

def check_sheet(form: Form, year: int, data: Any, issued: dict[str, Any], file_name: str) -> \
        Checked:
    """Normalise and validate the one record of a form-style sheet (see sheet_extract)."""
    key = issued["key"]
    problems: list[Problem] = []
    places: dict[tuple[Any, ...], dict[str, Any]] = {}
    record: Record = {}
    for f in form.locked_fields:
        value = issued["record"].get(f.id)
        if value not in (None, ""):
            record[f.id] = value
    for lid, spec in form.lists.items():
        if spec.get("role") == "locked":
            record[lid] = list_rows(form, lid, issued["record"])

    def place(path: tuple[Any, ...], cell: Cell, label: str, fid: str) -> dict[str, Any]:
        p = {"file": file_name, "sheet": data.sheet, "cell": cell.address, "field": label,
             "field_id": fid, "item_key": key}
        places[path] = p
        return p

    bad: set[tuple[Any, ...]] = set()
    for f in form.input_fields:
        if f.type == "list" or f.id not in data.fields:
            continue
        cell = data.fields[f.id]
        p = place((f.id,), cell, f.label, f.id)
        if cell.refused:  # its own problem is already said
            bad.add((f.id,))
            continue
        if normalise.non_finite(cell.raw):
            problems.append(Problem("not_finite", value=_num(cell.raw), **p))
            bad.add((f.id,))
            continue
        text, _ = normalise.text(cell.raw)
        if text == "":
            continue
        if fieldtypes.is_typed(f.type, bool(f.choices)):
            value, problem = read_typed(fieldtypes.of(f.type), f, cell, year, file_name,
                                        data.sheet, key)
            if problem is not None:
                problems.append(Problem(problem.code, value=problem.value,
                                        params=problem.params, **p))
                bad.add((f.id,))
                continue
        elif f.choices:
            value = normalise.choice(cell.raw)
        elif f.id in _narrow_fields(form):
            value = unicodedata.normalize("NFKC", text)
        else:
            value = text
        record[f.id] = value

    for lid, spec in form.lists.items():
        if spec.get("role") != "input":
            continue
        types = {c["id"]: c.get("type", "") for c in spec["columns"]}
        labels = {c["id"]: c.get("label", c["id"]) for c in spec["columns"]}
        items = []
        for i, cells in enumerate(data.lists.get(lid, [])):
            item: dict[str, Any] = {}
            for cid, cell in cells.items():
                p = place((lid, i, cid), cell, labels[cid], f"{lid}:{i}:{cid}")
                if cell.refused:
                    bad.add((lid, i, cid))
                    continue
                if type(cell.raw) is float and not math.isfinite(cell.raw):
                    problems.append(Problem("not_finite", value=_num(cell.raw), **p))
                    bad.add((lid, i, cid))
                    continue
                text, _ = normalise.text(cell.raw)
                if text == "":
                    continue
                if types.get(cid) == "issue_no":
                    n = normalise.parse_index(text)
                    if n is None:
                        problems.append(Problem("wrong_type", value=text,
                                                params=_expected("expected_issue_no"), **p))
                        bad.add((lid, i, cid))
                        continue
                    item[cid] = n
                elif types.get(cid) == "period":
                    if fiscal.parse_period(text) is None:
                        problems.append(Problem(
                            "wrong_type", value=text,
                            params=_expected("expected_period"), **p))
                        bad.add((lid, i, cid))
                        continue
                    item[cid] = normalise.nfkc(text).replace(" ", "")
                else:
                    item[cid] = text
            items.append(item)
        record[lid] = items
        if lid in data.list_ranges and not items:
            first = data.list_ranges[lid].split(":")[0]
            places[(lid,)] = {"file": file_name, "sheet": data.sheet, "cell": first,
                              "field": form.by_id[lid].label if lid in form.by_id else lid,
                              "field_id": lid, "item_key": key}

    errors = [] if form.is_valid(record) else form.validator.iter_errors(record)
    for err in errors:
        path = tuple(err.absolute_path)
        if err.validator == "required":
            missing = [m for m in err.validator_value
                       if not (isinstance(err.instance, dict) and m in err.instance)]
            named = [m for m in missing if err.message.startswith(repr(m))]
            path = (*path, (named or missing or [""])[0])
        if any(path[:len(b)] == b for b in bad):
            continue
        p = places.get(path) or places.get(path[:1]) or {
            "file": file_name, "sheet": data.sheet, "field": str(path[0]) if path else "",
            "item_key": key}
        value = _get(record, path)
        if err.validator in ("required", "minLength", "minItems"):
            label = p.get("field") or (form.by_id[path[0]].label if path and path[0] in
                                       form.by_id else "")
            problems.append(Problem("required", **{**p, "field": label}))
        elif err.validator == "enum":
            problems.append(Problem("not_in_scale", value=value, params={
                "choices": "・".join(map(str, err.validator_value))}, **p))
        elif err.validator == "maxLength":
            problems.append(Problem("too_long", value=value, params={
                "found": len(str(value)), "allowed": err.validator_value}, **p))
        elif err.validator in ("type", "oneOf"):
            problems.append(Problem("type_unreadable", value=value,
                                    params=type_params("number"), **p))
        elif err.validator == "pattern" and path and path[0] in form.by_id:
            problems.append(Problem("pattern_mismatch", value=value,
                                    params=_pattern_params(form.by_id[path[0]]), **p))
        elif err.validator in _BOUNDS:
            problems.append(Problem("out_of_range", value=value, params={
                "allowed": f"{_BOUNDS[err.validator]} {_num(err.validator_value)}"}, **p))
        else:
            code, params = formcheck.schema_words(err)
            problems.append(Problem(code, value=value, params=params, **p))

    if form.rules:
        problems.extend(evaluate(form, [Row(record, places.get)]))
    return Checked({key: record}, problems)


def _get(record: Record, path: tuple[Any, ...]) -> Any:
    value: Any = record
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _num(v: Any) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return {True: "NaN"}.get(math.isnan(v), "∞" if v > 0 else "-∞")
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
