"""Normalise then validate the records of one file: JSON Schema per record, then the form's rules.

Returns problems, never raises on bad data. Each problem carries the cell the value came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import normalise
from .errors import Problem
from .extract import Cell
from .forms import Form, Record


@dataclass
class Checked:
    records: dict[str, Record]  # item key -> normalised record (inputs only, plus keys)
    problems: list[Problem]


def _value_for(form: Form, fid: str, raw: Any) -> tuple[Any, int]:
    f = form.by_id[fid]
    if f.choices:
        return normalise.choice(raw), 0
    return normalise.text(raw)


def check(form: Form, year: int, rows: dict[str, dict[str, Cell]],
          issued_items: list[dict[str, Any]], file_name: str, sheet: str) -> Checked:
    problems: list[Problem] = []
    records: dict[str, Record] = {}
    by_key = {it["key"]: it for it in issued_items}
    plan_records = {k: _plan_record(form, it) for k, it in by_key.items()}

    for key, cells in rows.items():
        record: Record = dict(plan_records[key])
        for f in form.input_fields:
            cell = cells[f.id]
            value, removed = _value_for(form, f.id, cell.raw)
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

        for err in form.validator.iter_errors(record):
            problems.append(_schema_problem(form, err, record, place))
        for rule in form.rules:
            p = _rule(form, rule, record, place)
            if p:
                problems.append(p)
    problems.sort(key=lambda p: (list(rows).index(p.item_key) if p.item_key in rows else -1,
                                 [f.id for f in form.fields].index(p.field_id)
                                 if p.field_id in form.by_id else -1))
    return Checked(records, problems)


def _plan_record(form: Form, issued: dict[str, Any]) -> Record:
    record: Record = {}
    for f in form.locked_fields:
        text = issued.get(f.id, "")
        if f.role == "key":
            record[f.id] = normalise.parse_index(text)
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
        return Problem("wrong_type", value=value, params={"expected": err.validator_value},
                       **place(fid))
    return Problem("schema", value=value, params={"detail": err.message}, **place(fid))


def _rule(form: Form, rule: dict[str, Any], record: Record, place: Any) -> Problem | None:
    kind = rule.get("type")
    if kind == "required_unless":
        fid = rule["field"]
        other = record.get(rule["unless_field"])
        if other is None or other in rule["unless_in"]:
            return None
        if other not in form.choice_values(form.by_id[rule["unless_field"]].choices or ""):
            return None  # the grade itself is already reported
        if record.get(fid):
            return None
        return Problem(rule.get("code", "required"), params={"grade": other}, **place(fid))
    return None
