"""Form definitions: data under ``templates/<form>/`` (form.json + schema.json), not code.

The engine reads a definition and does the rest; the two seeded forms are its first two
definitions. Definitions are found, in order, in a workspace's own ``templates/`` folder, in the
installed package (``fujimi_xl/templates``, put there by the wheel) and in the source checkout.
"""

from __future__ import annotations

import functools
import importlib
import re
import string
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema

from fujimi_xl.core import fiscal, normalise
from fujimi_xl.core.errors import FormDefinitionError
from fujimi_xl.core.messages import error_text
from fujimi_xl.core.normalise import CIRCLED
from fujimi_xl.forms import fieldtypes, formcheck

Record = dict[str, Any]


def template_dirs(workspace: Path | None = None) -> list[Path]:
    here = Path(__file__).resolve().parent.parent  # the package root, above forms/
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
    type: str = "text"  # a name of fieldtypes.FIELD_TYPES
    # issue 13: the refusal of a schema "pattern", {"ja": ..., "en": ...}; how a report prints
    # the value (a number format such as "#,##0", or a date style: wareki / iso / slash)
    pattern_message: dict[str, str] | None = field(default=None, hash=False, compare=False)
    format: str = ""

    def label_for(self, year: int) -> str:
        return render_label(self.label, year)

    def show(self, value: Any) -> str:
        """How a key value is written in a workbook: 第1節, 1, ①."""
        if value is None or value == "":
            return ""
        if type(value) is int:  # the usual case, asked for again and again: cached
            return _shown(self.display, value)
        return _shown.__wrapped__(self.display, value)

    def read_key(self, value: Any) -> int | None:
        """A key cell's number, read back from what ``show`` wrote (1款, 第1節, ①, No.3) or
        typed bare (1, １); None when it is neither."""
        n = normalise.parse_index(value)
        if n is None and type(value) is str and self.display not in ("", "circled"):
            return _unshown(self.display, value)
        return n


@functools.lru_cache(maxsize=4096)
def _unshown(display: str, text: str) -> int | None:
    """The number in ``text`` written the way ``display`` writes it ("{n}款" and "2款" → 2)."""
    try:
        parts = list(string.Formatter().parse(normalise.nfkc(display)))
    except ValueError:
        return None
    pattern = "".join(re.escape(lit) + (r"\s*(\d+)\s*" if name is not None else "")
                      for lit, name, _, _ in parts)
    m = re.fullmatch(pattern.replace(r"\ ", r"\s*"), normalise.nfkc(text).strip(), re.IGNORECASE)
    return int(m.group(1)) if m and m.groups() and int(m.group(1)) > 0 else None


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
    def title_field(self) -> str:
        """The field that names an item (in file names, headings, the plan book's wide
        column): the definition's ``roles.title``, else the first locked field that is not
        part of the key ("" when there is none)."""
        roles = self.raw.get("roles") or {}
        if roles.get("title"):
            return str(roles["title"])
        return next((f.id for f in self.fields if f.role == "locked"), "")

    def item_title(self, record: Record) -> str:
        """The name of the item ``record`` (its title field), "" when it has none."""
        value = record.get(self.title_field) if self.title_field else None
        return "" if value is None else str(value)

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
    folder = find_form(name, workspace)
    if folder is None:
        raise FormDefinitionError(code="form_not_found", name=name)
    return _parse(folder)


def load_dir(path: Path) -> Form:
    """The form defined in the folder ``path`` (or by the form.json ``path``), checked."""
    return _parse(definition_folder(path))


def definition_folder(path: Path) -> Path:
    """The definition folder of ``path``: the folder itself, or the folder of its form.json."""
    path = Path(path)
    return path.parent if path.suffix.lower() == ".json" and not path.is_dir() else path


def _same_definition(a: Path, b: Path) -> bool:
    names = (formcheck.FORM_FILE, formcheck.SCHEMA_FILE)
    try:
        return all((a / n).read_bytes() == (b / n).read_bytes() for n in names)
    except OSError:
        return False


def check_copy(form: Form, root: Path) -> None:
    """Refuse, before anything is made, to copy ``form``'s definition into the workspace
    ``root`` when a different definition of the same name is already there."""
    there = Path(root) / "templates" / form.name
    if (there / formcheck.FORM_FILE).exists() and not _same_definition(form.path, there):
        raise FormDefinitionError(code="form_dir_conflict", name=form.name, there=there,
                                  given=form.path)


def copy_definition(form: Form, root: Path) -> Path:
    """Copy ``form``'s definition (form.json, schema.json) into ``root``/templates/<name>/,
    where every command of the workspace finds it first."""
    there = Path(root) / "templates" / form.name
    if there.resolve() == Path(form.path).resolve():
        return there
    there.mkdir(parents=True, exist_ok=True)
    for n in (formcheck.FORM_FILE, formcheck.SCHEMA_FILE):
        (there / n).write_bytes((Path(form.path) / n).read_bytes())
    return there


def find_form(name: str, workspace: Path | None = None) -> Path | None:
    """The folder of form ``name``: the workspace's own ``templates/<name>/`` first."""
    for base in template_dirs(workspace):
        folder = base / name
        if (folder / "form.json").is_file():
            return folder
    return None


def available_forms(workspace: Path | None = None) -> list[str]:
    names: set[str] = set()
    for base in template_dirs(workspace):
        names.update(p.parent.name for p in base.glob("*/form.json"))
    return sorted(names)


@dataclass
class FormEntry:
    """A form there is, as ``fujimi-xl forms`` lists it."""

    name: str
    folder: Path
    source: str  # "workspace" or "package"
    title: str = ""
    layout: str = ""
    problems: list[formcheck.DefinitionProblem] = field(default_factory=list)

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "layout": self.layout,
                "source": self.source, "folder": str(self.folder), "ok": not self.problems,
                "problems": [p.to_dict(lang) for p in self.problems]}


def list_forms(workspace: Path | None = None) -> list[FormEntry]:
    """Every form there is, with where its definition comes from (the workspace's own
    definition hides the package's of the same name) and whether it is sound."""
    ws_dir = (Path(workspace) / "templates").resolve() if workspace is not None else None
    out = []
    for name in available_forms(workspace):
        folder = find_form(name, workspace)
        assert folder is not None
        source = "workspace" if ws_dir is not None and folder.resolve().parent == ws_dir \
            else "package"
        entry = FormEntry(name, folder, source)
        entry.problems = check_form(folder)
        raw = _checked(folder).raw
        if isinstance(raw, dict):
            entry.title = str(raw.get("title", raw.get("name", name)))
            entry.layout = str(raw.get("layout", "list"))
        out.append(entry)
    return out


FIELD_KEYS = tuple(sorted(f.name for f in fields(Field)))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


_CHECKED: dict[Path, tuple[Any, formcheck.Checked]] = {}


def _checked(folder: Path) -> formcheck.Checked:
    """The definition in ``folder``, read and checked once while its files are unchanged
    (a command may load a form many times)."""
    folder = Path(folder).resolve()
    stamp = (_stamp(folder / formcheck.FORM_FILE), _stamp(folder / formcheck.SCHEMA_FILE))
    hit = _CHECKED.get(folder)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    checked = formcheck.check_folder(folder, FIELD_KEYS)
    _CHECKED[folder] = (stamp, checked)
    return checked


def definition_title(name: str, workspace: Path | None = None) -> str:
    """The title a definition gives itself, read even when the definition is broken (so a
    clerk can still name the form by its title and be told what is wrong with it)."""
    folder = find_form(name, workspace)
    raw = _checked(folder).raw if folder is not None else None
    title = raw.get("title") if isinstance(raw, dict) else None
    return title if isinstance(title, str) else ""


def check_form(path: Path) -> list[formcheck.DefinitionProblem]:
    """Every problem of the definition at ``path`` (its folder, or its form.json), in words;
    an empty list when it is sound. Also asks the rules registry about each rule."""
    folder = definition_folder(path)
    checked = _checked(folder)
    if checked.problems:
        return _all_problems(folder, checked)
    form = _build(folder, checked.raw, checked.schema)
    return _rule_problems(form)


def _all_problems(folder: Path, checked: formcheck.Checked) -> list[formcheck.DefinitionProblem]:
    """The problems of a definition that has some, with those of its rules when it can be
    built all the same (a form name unlike its folder hid a typo in a rule until fixed)."""
    problems = list(checked.problems)
    if all(p.code in formcheck.NAMING_CODES for p in problems):
        try:
            form = _build(folder, checked.raw, checked.schema)
        except FormDefinitionError:
            return problems
        problems += _rule_problems(form)
    return problems


def _rule_problems(form: Form) -> list[formcheck.DefinitionProblem]:
    """Problems the rules registry (``fujimi_xl.rules``) finds in the rules of a definition:
    an unknown type, a missing or unknown parameter, a field the form does not have."""
    # deferred: the registry imports this module (its rules take a Form)
    rules = importlib.import_module(f"{__package__}.rules")
    file = str(form.path / formcheck.FORM_FILE)
    return [RuleProblem(file, fault.path, fault.code, dict(fault.params))
            for fault in rules.check_rules(form)]


class RuleProblem(formcheck.DefinitionProblem):
    """A fault of a rule: its catalogue text already names the file and the JSON path."""

    def detail(self, lang: str = "ja") -> str:
        return self.message(lang)

    def message(self, lang: str = "ja") -> str:
        return formcheck.fault_text(self.code, lang, {"file": self.file, "path": self.path,
                                                      **self.params})


def _raise(problems: list[formcheck.DefinitionProblem], folder: Path) -> None:
    n = len(problems) - 1
    more, more_en = (error_text("form_definition_more", lg, n=n, folder=folder) if n else ""
                     for lg in ("ja", "en"))
    exc = DefinitionBroken(code="form_definition_broken", first=problems[0].message("ja"),
                           more=more, first_en=problems[0].message("en"), more_en=more_en,
                           folder=str(folder))
    exc.problems = problems
    raise exc


class DefinitionBroken(FormDefinitionError):
    """A definition that does not pass its checks: the first problem in words, the count of
    the others and the command that lists them all (``problems`` has them)."""

    code = "form_definition_broken"
    problems: list[formcheck.DefinitionProblem]

    def message(self, lang: str = "ja") -> str:
        if lang != "en" or "first_en" not in self.params:
            return super().message(lang)
        return error_text(self.code, "en", first=self.params["first_en"],
                          more=self.params.get("more_en", ""))


def _parse(folder: Path) -> Form:
    checked = _checked(folder)
    if checked.problems:
        _raise(_all_problems(folder, checked), folder)
    form = _build(folder, checked.raw, checked.schema)
    problems = _rule_problems(form)
    if problems:
        _raise(problems, folder)
    return form


def _build(folder: Path, raw: dict[str, Any], schema: dict[str, Any]) -> Form:
    """The Form of a definition that passed its checks."""
    try:
        fields_ = [Field(**{**f, "type": fieldtypes.declared(f, schema)}) for f in raw["fields"]]
        form = Form(
            name=raw["name"],
            version=int(raw["version"]),
            title=raw.get("title", raw["name"]),
            layout=raw.get("layout", "list"),
            input_sheet=raw.get("input_sheet", "入力"),
            key=list(raw["key"]),
            fields=fields_,
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
    except (KeyError, TypeError, ValueError) as exc:  # only if the checks missed something
        raise FormDefinitionError(code="form_invalid", folder=folder, detail=str(exc)) from exc
    return form
