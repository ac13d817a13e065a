"""Form definitions checked as they load: every problem said in one Japanese line.

A definition folder holds ``form.json`` (checked against ``form_meta_schema.json``, shipped with
the package) and ``schema.json`` (a JSON Schema for one record). Beyond the meta-schema, the
names a definition uses must name something that is there: key, report columns, rule fields,
schema properties, choices, lists; and every ``{placeholder}`` must be one the engine fills.

Each problem names the definition file, the JSON path (``fields[3].role``), the wrong value
and what is allowed. A broken definition is the secretariat's to fix: ``forms.load_form``
raises it as a :class:`~fujimi_xl.core.errors.FormDefinitionError` (exit 2), never as a traceback
and never as a fault of a returned file. This module reads only dicts and files; it knows no
form.
"""

from __future__ import annotations

import difflib
import functools
import json
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from fujimi_xl.core.messages import GROUP_ATTRIBUTES, book_text, error_text
from fujimi_xl.forms import fieldtypes

FORM_FILE = "form.json"
SCHEMA_FILE = "schema.json"
META_SCHEMA_FILE = Path(__file__).resolve().parent / "form_meta_schema.json"

# placeholders the engine fills, by where they are written
LABEL_PLACEHOLDERS = ("year", "next_year", "prev_year")
DISPLAY_PLACEHOLDERS = ("n",)
SUBTITLE_PLACEHOLDERS = ("year_long", "first", "last")
INSTRUCTION_PLACEHOLDERS = ("group", "year_long", "input_labels", "grade_list")
INSTRUCTION_PLACEHOLDERS_BY_LAYOUT = {"sheet": ("program_name",)}
# report settings whose values name fields
REPORT_FIELD_LISTS = ("columns", "merge", "center", "carry_columns", "totals")
REPORT_FIELD_NAMES = ("group_by", "summary_field", "carry_after")
# a definition's rules are checked by the rules registry alone (forms.rules.check_rules)
# problems that leave a definition whole enough to build (a wrong name, a placeholder): its
# rules are checked too, so that one `form check` lists everything at once
NAMING_CODES = frozenset({"def_name_folder", "def_unknown_field", "def_placeholder",
                          "def_braces", "def_total_not_number", "def_format_not_number",
                          "def_format_not_date"})


def fault_text(code: str, lang: str, params: dict[str, Any]) -> str:
    """The words of a definition's fault ``code``: a parameter given in both languages
    (``allowed`` and ``allowed_en``) in ``lang``, and a likely meant name (``guess``) after."""
    params = dict(params)
    if lang == "en":  # words given in both languages: name_en replaces name
        params.update({k[:-3]: v for k, v in params.items() if k.endswith("_en")})
    text = error_text(code, lang, **params)
    if params.get("guess"):
        text += error_text("def_guess", lang, guess=params["guess"])
    return text


def guess(value: Any, known: Iterable[str]) -> str:
    """The name ``value`` was likely meant to be ("" when none is close)."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return close[0] if close else ""


@dataclass(frozen=True)
class DefinitionProblem:
    """One thing wrong in a definition file, at a JSON path."""

    file: str  # the definition file (…/templates/<form>/form.json)
    path: str  # JSON path inside it, "" for the file as a whole
    code: str  # a code of the ERRORS catalogue (def_…)
    params: dict[str, Any] = field(default_factory=dict)

    def detail(self, lang: str = "ja") -> str:
        """What is wrong and what to do, without the place."""
        return fault_text(self.code, lang, self.params)

    def message(self, lang: str = "ja") -> str:
        """The one line a clerk reads: the file, the JSON path, what is wrong, what to do."""
        where = f"{self.file} {self.path}" if self.path else self.file
        return error_text("def_line", lang, where=where, detail=self.detail(lang))

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {"file": self.file, "path": self.path, "code": self.code,
                "params": {k: str(v) for k, v in self.params.items()},
                "message": self.message(lang)}


# -- reading ---------------------------------------------------------------------------------

_JSON_REASONS = {
    "Expecting ',' delimiter": "def_json_comma",
    "Expecting ':' delimiter": "def_json_colon",
    "Expecting property name enclosed in double quotes": "def_json_name",
    "Expecting value": "def_json_value",
    "Extra data": "def_json_extra",
    "Unterminated string starting at": "def_json_string",
    "Invalid control character at": "def_json_control",
    "Invalid \\escape": "def_json_escape",
}


def read_json(path: Path) -> tuple[Any, list[DefinitionProblem]]:
    """The JSON in ``path`` (UTF-8, with or without a BOM), or the problem that stops it."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [DefinitionProblem(name, "", "def_no_file")]
    except OSError as exc:
        return None, [DefinitionProblem(name, "", "def_unreadable",
                                        {"detail": exc.strerror or type(exc).__name__})]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [DefinitionProblem(name, "", "def_not_utf8", {
            "encoding": _guess_encoding(data), "offset": exc.start})]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        code = _JSON_REASONS.get(exc.msg, "def_json_other")
        return None, [DefinitionProblem(name, "", "def_bad_json", {
            "line": exc.lineno, "column": exc.colno,
            "reason": error_text(code, "ja", detail=exc.msg),
            "reason_en": error_text(code, "en", detail=exc.msg)})]


def _guess_encoding(data: bytes) -> str:
    for enc in ("cp932", "euc_jp", "utf-16"):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        return "Shift_JIS" if enc == "cp932" else enc.upper().replace("_", "-")
    return book_text("encoding_other")


# -- the meta-schema -------------------------------------------------------------------------

@functools.lru_cache(maxsize=8)
def meta_schema(field_keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """form_meta_schema.json; a field or reference may also carry any of ``field_keys`` (the
    attributes of ``forms.Field``, so a new attribute needs no second edit here)."""
    schema = json.loads(META_SCHEMA_FILE.read_text(encoding="utf-8"))
    for name in ("field", "reference"):
        props = schema["$defs"][name]["properties"]
        for key in field_keys:
            props.setdefault(key, {})
    return schema


@functools.lru_cache(maxsize=8)
def _meta_validator(field_keys: tuple[str, ...]) -> Any:
    schema = meta_schema(field_keys)
    return jsonschema.Draft202012Validator(schema)


def json_path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_TYPE_WORDS = {"string": "def_t_string", "integer": "def_t_integer", "number": "def_t_number",
               "array": "def_t_array", "object": "def_t_object", "boolean": "def_t_boolean",
               "null": "def_t_null"}
_PATTERN_WORDS = {"^[A-Za-z0-9][A-Za-z0-9_-]*$": "def_p_name",
                  "^[A-Za-z_][A-Za-z0-9_]*$": "def_p_id"}


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)[:60]


def _words(code: str, lang: str = "ja") -> str:
    return error_text(code, lang)


def _types(expected: Any) -> tuple[str, str]:
    names = expected if isinstance(expected, list) else [expected]
    ja = "・".join(_words(_TYPE_WORDS.get(n) or str(n)) for n in names)
    en = " or ".join(_words(_TYPE_WORDS.get(n) or str(n), "en") for n in names)
    return ja, en


def translate(error: Any, file: str, base: Iterable[Any] = ()) -> list[DefinitionProblem]:
    """A jsonschema error (of the meta-schema, or of a schema's own meta-schema) as problems
    in words. ``base`` is prefixed to the error's path (a schema error's path)."""
    parts = [*base, *error.absolute_path]
    where = json_path(parts)
    kind = error.validator
    value = error.instance
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = sorted((error.schema.get("properties") or {}).keys())
        out = []
        for key in value:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            out.append(DefinitionProblem(file, json_path([*parts, key]), "def_unknown_key", {
                "value": key, "allowed": " / ".join(allowed),
                "guess": close[0] if close else ""}))
        return out
    if kind == "required" and isinstance(value, dict):
        return [DefinitionProblem(file, where, "def_required", {"value": k})
                for k in error.validator_value if k not in value]
    if kind == "enum":
        allowed = error.validator_value
        close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1, cutoff=0.6)
        return [DefinitionProblem(file, where, "def_enum", {
            "value": _shown(value), "allowed": " / ".join(map(str, allowed)),
            "guess": close[0] if close else ""})]
    if kind == "type":
        ja, en = _types(error.validator_value)
        return [DefinitionProblem(file, where, "def_type", {"value": _shown(value),
                                                            "expected": ja, "expected_en": en})]
    if kind in ("minLength", "minItems"):
        return [DefinitionProblem(file, where, "def_empty", {"value": _shown(value)})]
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "maxLength"):
        return [DefinitionProblem(file, where, f"def_{kind}", {
            "value": _shown(value), "limit": error.validator_value})]
    if kind == "pattern":
        return [DefinitionProblem(file, where, "def_pattern", {
            "value": _shown(value),
            "rule": _words(_PATTERN_WORDS.get(error.validator_value) or "def_p_other"),
            "rule_en": _words(_PATTERN_WORDS.get(error.validator_value) or "def_p_other", "en"),
            "pattern": error.validator_value})]
    return [DefinitionProblem(file, where, "def_schema_rule", {
        "value": _shown(value), "detail": error.message[:200]})]


# -- the checks ------------------------------------------------------------------------------

@dataclass
class Checked:
    """What reading a definition folder found: the two documents, if they could be read,
    and every problem."""

    folder: Path
    raw: Any = None
    schema: Any = None
    problems: list[DefinitionProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_folder(folder: Path, field_keys: tuple[str, ...] = ()) -> Checked:
    """Read and check ``folder``/form.json and schema.json; every problem, in file order."""
    folder = Path(folder)
    form_file, schema_file = folder / FORM_FILE, folder / SCHEMA_FILE
    out = Checked(folder)
    out.raw, problems = read_json(form_file)
    out.problems += problems
    out.schema, problems = read_json(schema_file)
    out.problems += problems
    if out.raw is not None:
        out.problems[:0] = list(check_form_json(out.raw, str(form_file), folder.name,
                                                field_keys))
    if out.schema is not None:
        out.problems += list(check_schema_json(out.schema, out.raw, str(schema_file)))
        out.problems += list(check_types(out.raw, out.schema, str(form_file)))
    return out


# the Excel number-format letters of a date (yyyy/m/d, ggge年m月d日)
_DATE_LETTERS = frozenset("ymdge")


def check_types(raw: Any, schema: Any, file: str) -> Iterator[DefinitionProblem]:
    """What the fields' types allow (form.json and schema.json together say the type): a
    report total of a field that holds no number (it printed 0), a date style as the format
    of a number (it printed ###) or a number format for a date (it printed the day's serial
    number)."""
    if not isinstance(raw, dict) or not isinstance(schema, dict):
        return
    kinds: dict[str, fieldtypes.FieldType] = {}
    for i, f in _items(raw.get("fields")):
        if not isinstance(f, dict) or not isinstance(f.get("id"), str):
            continue
        ft = fieldtypes.of(fieldtypes.declared(f, schema), bool(f.get("choices")))
        kinds[f["id"]] = ft
        fmt = f.get("format")
        if not isinstance(fmt, str) or not fmt:
            continue
        if ft.numeric and fmt in fieldtypes.DATE_STYLES:
            yield DefinitionProblem(file, f"fields[{i}].format", "def_format_not_number",
                                    {"value": fmt, "type": ft.id})
        elif ft.id == "date" and fmt not in fieldtypes.DATE_STYLES \
                and not _DATE_LETTERS & set(fmt.lower()):
            yield DefinitionProblem(file, f"fields[{i}].format", "def_format_not_date",
                                    {"value": fmt, "allowed": " / ".join(fieldtypes.DATE_STYLES)})
    numeric = [fid for fid, ft in kinds.items() if ft.numeric]
    for i, v in _items(_dict(raw, "report").get("totals")):
        if isinstance(v, str) and v in kinds and not kinds[v].numeric:
            yield DefinitionProblem(file, f"report.totals[{i}]", "def_total_not_number", {
                "value": v, "allowed": " / ".join(numeric) or "-"})


def check_form_json(raw: Any, file: str, folder_name: str = "",
                    field_keys: tuple[str, ...] = ()) -> Iterator[DefinitionProblem]:
    errors = sorted(_meta_validator(tuple(sorted(field_keys))).iter_errors(raw),
                    key=lambda e: [str(p) for p in e.absolute_path])
    shape = [p for e in errors for p in translate(e, file)]
    yield from shape
    if not isinstance(raw, dict):
        return
    yield from _cross_checks(raw, file, folder_name, bad_paths={p.path for p in shape})


def _dict(raw: Any, key: str) -> dict[str, Any]:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, dict) else {}


def _list(raw: Any, key: str) -> list[Any]:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _items(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


def _placeholders(text: str) -> list[str] | None:
    """The names of the ``{placeholders}`` in ``text``; None if its braces do not pair."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return None
    names = []
    for _, name, spec, _ in parsed:
        if name is None:
            continue
        names.append(name.split(".", 1)[0].split("[", 1)[0])
        if spec and ("{" in spec):
            names += _placeholders(spec) or []
    return names


def check_text(text: Any, allowed: Iterable[str] | None, file: str,
               where: str) -> Iterator[DefinitionProblem]:
    """A text that the engine fills in: braces that pair, and (``allowed`` given) only the
    placeholders it fills."""
    if not isinstance(text, str):
        return
    names = _placeholders(text)
    if names is None:
        yield DefinitionProblem(file, where, "def_braces", {"value": text})
        return
    if allowed is None:
        return
    allowed = list(allowed)
    for name in names:
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.5)
            yield DefinitionProblem(file, where, "def_placeholder", {
                "value": text, "name": "{" + name + "}",
                "allowed": " ".join("{" + a + "}" for a in allowed) or "-",
                "guess": "{" + close[0] + "}" if close else ""})


def _cross_checks(raw: dict[str, Any], file: str, folder_name: str,
                  bad_paths: set[str]) -> Iterator[DefinitionProblem]:
    fields = [f for f in _list(raw, "fields") if isinstance(f, dict)]
    refs = [r for r in _list(raw, "references") if isinstance(r, dict)]
    lists = _dict(raw, "lists")
    choices = _dict(raw, "choices")
    layout = raw.get("layout", "list")

    name = raw.get("name")
    if isinstance(name, str) and folder_name and name != folder_name and "name" not in bad_paths:
        yield DefinitionProblem(file, "name", "def_name_folder", {"value": name,
                                                                  "folder": folder_name})

    # ids: unique across fields and references
    seen: dict[str, str] = {}
    for group, entries in (("fields", raw.get("fields")), ("references", raw.get("references"))):
        for i, f in _items(entries):
            fid = f.get("id") if isinstance(f, dict) else None
            if not isinstance(fid, str):
                continue
            where = f"{group}[{i}].id"
            if fid in seen:
                yield DefinitionProblem(file, where, "def_duplicate_id", {
                    "value": fid, "first": seen[fid]})
            else:
                seen[fid] = where
    field_ids = [f["id"] for f in fields if isinstance(f.get("id"), str)]
    all_ids = [*field_ids, *(r["id"] for r in refs if isinstance(r.get("id"), str))]
    list_ids = list(lists)

    def unknown_field(value: Any, where: str, names: list[str] | None = None,
                      or_lists: bool = False) -> Iterator[DefinitionProblem]:
        known = list(names if names is not None else all_ids)
        if or_lists:
            known += list_ids
        if isinstance(value, str) and value not in known:
            yield DefinitionProblem(file, where, "def_unknown_field", {
                "value": value, "allowed": " / ".join(known) or "-",
                "guess": guess(value, known)})

    # the key: fields whose role is key, all of them
    key = _list(raw, "key")
    roles = {f["id"]: f.get("role") for f in fields if isinstance(f.get("id"), str)}
    for i, k in enumerate(key):
        where = f"key[{i}]"
        if k not in roles:
            yield from unknown_field(k, where, field_ids)
        elif roles[k] != "key":
            yield DefinitionProblem(file, where, "def_key_role", {"value": k,
                                                                  "role": roles[k]})
    for i, f in enumerate(_list(raw, "fields") if isinstance(raw.get("key"), list) else []):
        if isinstance(f, dict) and f.get("role") == "key" and f.get("id") not in key \
                and isinstance(f.get("id"), str):
            yield DefinitionProblem(file, f"fields[{i}].role", "def_key_missing",
                                    {"value": f["id"]})

    # texts with placeholders
    for group, entries in (("fields", raw.get("fields")), ("references", raw.get("references"))):
        for i, f in _items(entries):
            if not isinstance(f, dict):
                continue
            yield from check_text(f.get("label"), LABEL_PLACEHOLDERS, file, f"{group}[{i}].label")
            display = f.get("display")
            if isinstance(display, str) and display != "circled":
                yield from check_text(display, DISPLAY_PLACEHOLDERS, file,
                                      f"{group}[{i}].display")
            if isinstance(f.get("choices"), str) and f["choices"] not in choices:
                yield DefinitionProblem(file, f"{group}[{i}].choices", "def_unknown_choices", {
                    "value": f["choices"], "allowed": " / ".join(choices) or "-"})
            if group == "references":
                yield from unknown_field(f.get("from"), f"references[{i}].from", field_ids)
    allowed_instr = [*INSTRUCTION_PLACEHOLDERS,
                     *INSTRUCTION_PLACEHOLDERS_BY_LAYOUT.get(str(layout), ())]
    for group in ("instructions", "instructions_en"):
        for i, line in _items(raw.get(group)):
            yield from check_text(line, allowed_instr, file, f"{group}[{i}]")

    # the report
    report = _dict(raw, "report")
    if "subtitle" in report:
        yield from check_text(report["subtitle"], SUBTITLE_PLACEHOLDERS, file, "report.subtitle")
    for k in REPORT_FIELD_NAMES:
        if k == "group_by" and str(report.get(k, "")).startswith("@"):
            # a group's attribute (report by department): one of GROUP_ATTRIBUTES
            yield from unknown_field(report[k], f"report.{k}",
                                     names=[f"@{a}" for a in GROUP_ATTRIBUTES])
        elif k in report:
            yield from unknown_field(report[k], f"report.{k}")
    for k in REPORT_FIELD_LISTS:
        for i, v in _items(report.get(k)):
            yield from unknown_field(v, f"report.{k}[{i}]")
    if isinstance(report.get("widths"), dict):
        for k in report["widths"]:
            yield from unknown_field(k, f"report.widths.{k}")
    head = report.get("header_merge")
    if isinstance(head, dict):
        for i, v in _items(head.get("fields")):
            yield from unknown_field(v, f"report.header_merge.fields[{i}]")
    overview = report.get("overview")
    if isinstance(overview, dict):
        years = overview.get("budget_years", 1)
        each = list(range(1, years + 1)) if isinstance(years, int) else [1]
        for k, v in overview.items():
            for j, name in enumerate(_strings(v)):
                where = f"report.overview.{k}" + (f"[{j}]" if isinstance(v, list) else "")
                for n in _expand(name, each):
                    yield from unknown_field(n, where)

    # what the engine is told of the fields: real fields
    roles = _dict(raw, "roles")
    if "title" in roles:
        yield from unknown_field(roles["title"], "roles.title")
    for i, period in _items(_dict(raw, "sheet").get("periods")):
        if isinstance(period, dict) and "field" in period:
            yield from unknown_field(period["field"], f"sheet.periods[{i}].field")

    # a sheet layout: its lists and cells name fields and lists that are there
    for lid, spec in lists.items():
        if not isinstance(spec, dict):
            continue
        if "source" in spec:
            yield from unknown_field(spec["source"], f"lists.{lid}.source", field_ids)
        for j, col in _items(spec.get("columns")):
            if isinstance(col, dict):
                if "source" in col:
                    yield from unknown_field(col["source"], f"lists.{lid}.columns[{j}].source",
                                             field_ids)
                yield from check_text(col.get("label"), None, file,
                                      f"lists.{lid}.columns[{j}].label")
    sheet = _dict(raw, "sheet")
    for r, row in _items(sheet.get("rows")):
        for c, cell in _items(row):
            if not isinstance(cell, dict):
                continue
            where = f"sheet.rows[{r}][{c}]"
            if "field" in cell:
                yield from unknown_field(cell["field"], f"{where}.field", field_ids)
            if "list" in cell and cell["list"] not in lists:
                yield DefinitionProblem(file, f"{where}.list", "def_unknown_list", {
                    "value": _shown(cell["list"]), "allowed": " / ".join(list_ids) or "-"})
            for k in ("label", "value", "heading"):
                yield from check_text(cell.get(k), None, file, f"{where}.{k}")


def _expand(name: str, each: list[Any]) -> list[str]:
    """``total_{i}`` for each i of a rule's ``each`` (names without ``{i}`` as they are)."""
    if "{i}" not in name:
        return [name]
    return [name.replace("{i}", str(i)) for i in each if i is not None] or [name]


def check_schema_json(schema: Any, raw: Any, file: str) -> Iterator[DefinitionProblem]:
    """schema.json: a JSON Schema, whose properties are the form's fields (and lists)."""
    if not isinstance(schema, dict):
        yield DefinitionProblem(file, "", "def_type", {
            "value": _shown(schema), "expected": _words("def_t_object"),
            "expected_en": _words("def_t_object", "en")})
        return
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    meta = cls(cls.META_SCHEMA)
    bad = False
    for error in sorted(meta.iter_errors(schema), key=lambda e: [str(p) for p in e.path]):
        bad = True
        yield from translate(error, file)
    if bad or not isinstance(raw, dict):
        return
    props = schema.get("properties")
    if not isinstance(props, dict):
        return
    field_ids = [f["id"] for f in _list(raw, "fields")
                 if isinstance(f, dict) and isinstance(f.get("id"), str)]
    lists = list(_dict(raw, "lists"))
    known = [*field_ids, *lists]
    for fid in field_ids:
        if fid not in props:
            yield DefinitionProblem(file, "properties", "def_schema_no_property", {"value": fid})
    for p in props:
        if p not in known:
            close = difflib.get_close_matches(p, known, n=1, cutoff=0.6)
            yield DefinitionProblem(file, f"properties.{p}", "def_schema_extra_property", {
                "value": p, "allowed": " / ".join(known) or "-",
                "guess": close[0] if close else ""})
    choices = _dict(raw, "choices")
    for f in _list(raw, "fields"):
        if not isinstance(f, dict) or not isinstance(f.get("choices"), str):
            continue
        prop = props.get(f.get("id"))
        listed = choices.get(f["choices"])
        if not isinstance(prop, dict) or not isinstance(prop.get("enum"), list) \
                or not isinstance(listed, list):
            continue
        values = [c.get("value") for c in listed if isinstance(c, dict)]
        if set(map(str, values)) != set(map(str, prop["enum"])):
            yield DefinitionProblem(file, f"properties.{f['id']}.enum", "def_enum_choices", {
                "value": " / ".join(map(str, prop["enum"])), "choices": f["choices"],
                "listed": " / ".join(map(str, values))})
    for i, r in _items(schema.get("required")):
        if isinstance(r, str) and r not in props:
            yield DefinitionProblem(file, f"required[{i}]", "def_schema_required", {"value": r})



# -- a value against its schema, in words ----------------------------------------------------

_VALUE_CODES = {"minimum": "value_minimum", "maximum": "value_maximum",
                "exclusiveMinimum": "value_above", "exclusiveMaximum": "value_below",
                "maxLength": "value_too_long", "minLength": "value_too_short",
                "pattern": "value_pattern", "multipleOf": "value_multiple_of"}


def schema_words(err: Any) -> tuple[str, dict[str, Any]]:
    """(catalogue code, params) saying in words why a value breaks its schema (a jsonschema
    error of a record): what is allowed, never jsonschema's English. ``value`` is for the
    caller to give (the value as the clerk typed it)."""
    kind = err.validator
    limit = err.validator_value
    if kind in _VALUE_CODES:
        params: dict[str, Any] = {"limit": limit}
        if kind == "maxLength":
            params["found"] = len(str(err.instance))
        return _VALUE_CODES[kind], params
    if kind == "enum":
        return "value_enum", {"choices": "・".join(map(str, limit))}
    if kind == "const":
        return "value_enum", {"choices": str(limit)}
    if kind == "type":
        names = limit if isinstance(limit, list) else [limit]
        for name in ("string", "number", "integer"):  # the widest of the types allowed
            if name in names:
                return f"value_type_{name}", {}
    return "value_other", {}
