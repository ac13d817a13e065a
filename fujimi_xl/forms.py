"""Form definitions: data under ``templates/<form>/`` (form.json + schema.json), not code.

The engine reads a definition and does the rest; the two seeded forms are its first two
definitions. Definitions are found, in order, in a workspace's own ``templates/`` folder, in the
installed package (``fujimi_xl/templates``, put there by the wheel) and in the source checkout.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema

from . import fiscal
from .errors import FormDefinitionError

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿"

Record = dict[str, Any]


def template_dirs(workspace: Path | None = None) -> list[Path]:
    here = Path(__file__).resolve().parent
    dirs = []
    if workspace is not None:
        dirs.append(Path(workspace) / "templates")
    dirs += [here / "templates", here.parent / "templates"]
    return [d for d in dirs if d.is_dir()]


def circled(n: int) -> str:
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else f"({n})"


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    role: str  # "key" | "locked" | "input"
    width: float = 12
    display: str = ""
    choices: str = ""
    hint: str = ""
    type: str = "text"  # text | year | kyen | indicator | lines | list

    def label_for(self, year: int) -> str:
        return render_label(self.label, year)

    def show(self, value: Any) -> str:
        """How a key value is written in a workbook: 第1節, 1, ①."""
        if value is None or value == "":
            return ""
        if type(value) is int:  # the usual case, asked for again and again: cached
            return _shown(self.display, value)
        return _shown.__wrapped__(self.display, value)


@functools.lru_cache(maxsize=4096)
def _shown(display: str, value: Any) -> str:
    if display == "circled":
        return circled(int(value))
    if display:
        return display.format(n=value)
    return str(value)


@functools.lru_cache(maxsize=1024)
def render_label(label: str, year: int) -> str:
    return label.format(
        year=fiscal.short_label(year),
        next_year=fiscal.short_label(year + 1),
        prev_year=fiscal.short_label(year - 1),
    )


@dataclass
class Form:
    name: str
    version: int
    title: str
    layout: str
    input_sheet: str
    key: list[str]
    fields: list[Field]
    choices: dict[str, list[dict[str, str]]]
    rules: list[dict[str, Any]]
    instructions: list[str]
    report: dict[str, Any]
    schema: dict[str, Any]
    path: Path
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    unit: str = "group"  # one workbook per "group", or per plan "item"
    lists: dict[str, Any] = field(default_factory=dict)
    sheet: dict[str, Any] = field(default_factory=dict)
    references: list[Field] = field(default_factory=list)  # shown after a rollover
    carry: dict[str, str] = field(default_factory=dict)  # reference id -> last year's field
    instructions_en: list[str] = field(default_factory=list)  # --lang en; else instructions

    @cached_property
    def by_id(self) -> dict[str, Field]:
        return {f.id: f for f in [*self.fields, *self.references]}

    @cached_property
    def key_fields(self) -> list[Field]:
        return [self.by_id[k] for k in self.key]

    @cached_property
    def locked_fields(self) -> list[Field]:
        return [f for f in self.fields if f.role in ("key", "locked")]

    @cached_property
    def input_fields(self) -> list[Field]:
        return [f for f in self.fields if f.role == "input"]

    @cached_property
    def fast_check(self) -> Any:
        """The schema compiled to Python once (fastjsonschema): a valid record costs ~2 µs.
        Only a record it refuses goes through jsonschema, which lists every error."""
        import fastjsonschema

        return fastjsonschema.compile(self.schema)

    def is_valid(self, record: Record) -> bool:
        import fastjsonschema

        try:
            self.fast_check(record)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    @cached_property
    def validator(self) -> jsonschema.protocols.Validator:
        cls = jsonschema.validators.validator_for(self.schema)
        return cls(self.schema)

    def item_key(self, record: Record) -> str:
        return "-".join(str(record[k]) for k in self.key)

    def display_key(self, record: Record) -> str:
        return " ".join(self.by_id[k].show(record[k]) for k in self.key)

    def choice_values(self, name: str) -> list[str]:
        return [c["value"] for c in self.choices.get(name, [])]

    def required_inputs(self) -> list[str]:
        req = set(self.schema.get("required", []))
        return [f.id for f in self.input_fields if f.id in req]


def load_form(name: str, workspace: Path | None = None) -> Form:
    for base in template_dirs(workspace):
        folder = base / name
        if (folder / "form.json").is_file():
            return _parse(folder)
    raise FormDefinitionError(code="form_not_found", name=name)


def available_forms(workspace: Path | None = None) -> list[str]:
    names: set[str] = set()
    for base in template_dirs(workspace):
        names.update(p.parent.name for p in base.glob("*/form.json"))
    return sorted(names)


def _parse(folder: Path) -> Form:
    try:
        raw = json.loads((folder / "form.json").read_text(encoding="utf-8"))
        schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FormDefinitionError(code="form_unreadable", folder=folder, detail=str(exc)) from exc
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
        fields = [Field(**f) for f in raw["fields"]]
        form = Form(
            name=raw["name"],
            version=int(raw["version"]),
            title=raw.get("title", raw["name"]),
            layout=raw.get("layout", "list"),
            input_sheet=raw.get("input_sheet", "入力"),
            key=list(raw["key"]),
            fields=fields,
            choices=raw.get("choices", {}),
            rules=raw.get("rules", []),
            instructions=raw.get("instructions", []),
            instructions_en=list(raw.get("instructions_en", [])),
            report=raw.get("report", {}),
            schema=schema,
            path=folder,
            raw=raw,
            unit=raw.get("unit", "group"),
            lists=raw.get("lists", {}),
            sheet=raw.get("sheet", {}),
            references=[Field(**{k: v for k, v in r.items() if k != "from"}, role="reference")
                        for r in raw.get("references", [])],
        )
        form.carry = {r["id"]: r["from"] for r in raw.get("references", [])}
    except (KeyError, TypeError, jsonschema.SchemaError) as exc:
        raise FormDefinitionError(code="form_invalid", folder=folder, detail=str(exc)) from exc
    if form.layout not in ("list", "sheet") or form.unit not in ("group", "item"):
        raise FormDefinitionError(code="form_bad_layout", folder=folder)
    unknown = [k for k in form.key if k not in form.by_id]
    if unknown:
        raise FormDefinitionError(code="form_bad_key", folder=folder, unknown=str(unknown))
    for f in form.fields:
        if f.choices and f.choices not in form.choices:
            raise FormDefinitionError(code="form_bad_choices", folder=folder, choices=f.choices)
    # deferred: the rule modules import this module (Form, circled)
    from .rules import check_rules

    faults = check_rules(form)
    if faults:
        first = faults[0]
        raise FormDefinitionError(code=first.code, file=folder / "form.json", path=first.path,
                                  **first.params)
    return form
