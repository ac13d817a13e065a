"""The plan: which items the form covers and which group owns each (one row per item and owner).

The secretariat keeps it in a workbook with three sheets: 計画 (the form's key and locked columns,
then 担当), 担当一覧 (担当 · 部 · グループ) and 設定 (計画名, 市町村名). ``write_plan_template``
makes an empty one; ``read_plan`` reads one and lists every cell at fault.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import fastjsonschema
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from fujimi_xl.core import fiscal, normalise
from fujimi_xl.core.errors import FiscalYearError, PlanError, Problem
from fujimi_xl.core.messages import BOOK, DEFAULT_FONT, book_text
from fujimi_xl.core.model import Group, Plan, PlanItem
from fujimi_xl.forms import Form, formcheck
from fujimi_xl.store.plans import load_plan, save_plan  # noqa: F401  (the plan's SQL, kept callable as plan.*)

PLAN_SHEET = "計画"
GROUP_SHEET = "担当一覧"
SETTINGS_SHEET = "設定"
OWNER = "担当"
GROUP_COLUMNS = ("担当", "部", "グループ")
EMAIL = "メール"  # optional 4th column of 担当一覧: where the group's link and reminders go


# one address: something@domain.part, no spaces, commas or angle brackets
_EMAIL = re.compile(r"[^@\s,;<>()\[\]\\\"]+@[^@\s,;<>()\[\]\\\"]+\.[^@\s,;<>()\[\]\\\".]+")


def _plan_columns(form: Form) -> list[tuple[str, str]]:
    """(field id, header) of the plan sheet: the key and locked fields, then 担当."""
    cols = [(f.id, f.label) for f in form.fields if f.role in ("key", "locked")]
    return [*cols, ("_owner", OWNER)]


def write_plan_template(path: Path, form: Form, example: Plan | None = None,
                        lang: str = "ja") -> Path:
    """An empty plan workbook (or one holding ``example``), with headers and instructions
    (in ``lang``; the sheet names and headers stay as the plan reader finds them)."""
    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    font = {"font_name": DEFAULT_FONT, "font_size": 10}
    head = wb.add_format({**font, "bold": True, "bg_color": "#D9E1F2", "border": 1,
                          "align": "center", "valign": "vcenter", "text_wrap": True})
    cell = wb.add_format({**font, "border": 1, "valign": "top", "text_wrap": True})
    note = wb.add_format({**font, "text_wrap": True, "valign": "top"})
    title = wb.add_format({**font, "bold": True, "font_size": 14})

    guide = wb.add_worksheet("記入要領")
    guide.set_column(0, 0, 100)
    guide.write_string(0, 0, book_text("plan_guide_title", lang), title)
    keys = form.key_fields  # the guide names the form's own key (節・項・号, 款・事業 …)
    guide_text = book_text("plan_guide", lang, keys="・".join(f.label for f in keys), form=form.name,
                           examples="・".join(f.show(1) for f in keys),
                           columns="・".join(f.label for f in form.locked_fields))
    for i, line in enumerate(guide_text.split("\n"), start=2):
        guide.write_string(i, 0, line, note)

    columns = _plan_columns(form)
    ws = wb.add_worksheet(PLAN_SHEET)
    for c, (fid, label) in enumerate(columns):
        ws.write_string(0, c, label, head)
        width = form.by_id[fid].width if fid in form.by_id else 22
        ws.set_column(c, c, max(width, 6) if fid != form.title_field else 40)
    ws.freeze_panes(1, 0)
    gs = wb.add_worksheet(GROUP_SHEET)
    for c, label in enumerate((*GROUP_COLUMNS, EMAIL)):
        gs.write_string(0, c, label, head)
    gs.set_column(0, 0, 22)
    gs.set_column(1, 2, 26)
    gs.set_column(3, 3, 30)
    gs.freeze_panes(1, 0)
    st = wb.add_worksheet(SETTINGS_SHEET)
    st.set_column(0, 0, 14)
    st.set_column(1, 1, 70)
    st.write_string(0, 0, "計画名", head)
    st.write_string(1, 0, "市町村名", head)
    st.write_string(0, 1, example.title if example else "", cell)
    st.write_string(1, 1, example.city if example else "", cell)
    if example:
        for r, item in enumerate(example.items, start=1):
            for c, (fid, _) in enumerate(columns):
                if fid == "_owner":
                    ws.write_string(r, c, item.group, cell)
                else:
                    ws.write_string(r, c, form.by_id[fid].show(item.record[fid]), cell)
        for r, g in enumerate(example.groups, start=1):
            for c, v in enumerate((g.code, g.department, g.name, g.email)):
                gs.write_string(r, c, v, cell)
    ws.activate()
    wb.close()
    return path


def _find_header(sheet: Any, labels: list[str]) -> tuple[int, dict[str, int]]:
    """Row (1-based) and column of each label, looking in the first ten rows."""
    best: tuple[int, dict[str, int]] = (0, {})
    for r, row in enumerate(sheet.iter_rows(min_row=1, max_row=10, values_only=True), start=1):
        found: dict[str, int] = {}
        for c, v in enumerate(row, start=1):
            if isinstance(v, str):
                t = normalise.nfkc(v).replace(" ", "").replace("　", "")
                for label in labels:
                    if t == label.replace(" ", "") and label not in found:
                        found[label] = c
        if len(found) > len(best[1]):
            best = (r, found)
    return best


def get_column_letter(col: int) -> str:
    """The letters of a 1-based column number (as openpyxl numbers them): 1 → A, 27 → AA."""
    return xl_col_to_name(col - 1)


def _plan_checker(form: Form) -> Any:
    """A validator of the plan's columns (the key and locked fields) by the form's schema:
    what the form would refuse at the locked cell of a returned book is refused here, at the
    plan's cell, before any book is issued. Blank cells are not checked here (the plan's own
    rules say which may be blank)."""
    props = form.schema.get("properties", {})
    mine = {f.id: props[f.id] for f in form.locked_fields
            if f.id in props and not _structured(props[f.id])}
    schema = {k: v for k, v in form.schema.items() if k not in ("required", "properties",
                                                                "additionalProperties")}
    schema["properties"] = mine
    return form.validator.__class__(schema)


def _structured(prop: Any) -> bool:
    """A property kept as a list or table (the plan gives it as lines, split later)."""
    kind = prop.get("type", "") if isinstance(prop, dict) else ""
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return bool(kinds & {"array", "object"})


def _number_types(checker: Any, fid: str) -> set[str]:
    kind = checker.schema["properties"].get(fid, {}).get("type", "")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return kinds & {"integer", "number"}


def _typed(text: str, checker: Any, fid: str) -> Any:
    """A plan cell's text as the number its schema asks for (12 for "１２"), else as it is."""
    kinds = _number_types(checker, fid)
    if not text or not kinds:
        return text
    n = normalise.parse_amount(text)
    if n is None:
        return text
    if "integer" in kinds and float(n) == int(n):
        return int(n)
    return float(n) if "number" in kinds else text


# schema keywords that say nothing about how one property's value bears on another's
_EACH_VALUE_ALONE = {"$schema", "$id", "$comment", "$defs", "definitions", "title",
                     "description", "type", "properties"}


def _values_pass(fast: Any, record: dict[str, Any], fields: list[str],
                 passed: set[tuple[str, type, Any]]) -> bool:
    """Whether each of ``record``'s values of ``fields`` passes ``fast`` (a validator of a
    schema of properties alone), checking only the values not in ``passed`` and adding them.
    False when one fails (or cannot be remembered): the caller checks the whole record."""
    try:
        for k in fields:
            v = record.get(k)
            if v is None or v == "":
                continue
            seen = (k, v.__class__, v)
            if seen not in passed:
                fast({k: v})
                passed.add(seen)
    except (fastjsonschema.JsonSchemaException, TypeError):
        return False
    return True


def _refusals(checker: Any, record: dict[str, Any]) -> list[tuple[str, Any]]:
    """(field id, jsonschema error) for each plan value its schema refuses, one per field."""
    present = {k: v for k, v in record.items() if v is not None and v != ""}
    out: dict[str, Any] = {}
    for err in checker.iter_errors(present):
        if err.path and str(err.path[0]) not in out:
            out[str(err.path[0])] = err
    return sorted(out.items(), key=lambda kv: list(record).index(kv[0]))


def read_plan(path: Path, form: Form) -> Plan:
    """Read a plan workbook; raise PlanError listing every problem if it cannot be used."""
    import openpyxl  # here, not at the top: every command would pay for loading it

    path = Path(path)
    name = path.name
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise PlanError(
            problems=[Problem("not_workbook", file=name, params={"detail": type(exc).__name__})],
            code="plan_unreadable", name=name, detail=str(exc),
        ) from exc
    problems: list[Problem] = []
    for sheet in (PLAN_SHEET, GROUP_SHEET):
        if sheet not in wb.sheetnames:
            problems.append(Problem("plan_sheet_missing", file=name, params={"expected": sheet}))
    if problems:
        raise PlanError(problems=problems, code="plan_no_sheets", name=name)

    # groups
    gs = wb[GROUP_SHEET]
    g_row, g_cols = _find_header(gs, [*GROUP_COLUMNS, EMAIL])
    for label in GROUP_COLUMNS:
        if label not in g_cols:
            problems.append(Problem("plan_column_missing", file=name, sheet=GROUP_SHEET,
                                    cell=f"A{max(g_row, 1)}", params={"expected": label}))
    groups: list[Group] = []
    seen_groups: dict[str, str] = {}
    if not problems:
        for r in range(g_row + 1, gs.max_row + 1):
            vals = [normalise.text(gs.cell(r, g_cols[lbl]).value)[0] for lbl in GROUP_COLUMNS]
            if not any(vals):
                continue
            code, dept, gname = vals
            where = f"{get_column_letter(g_cols['担当'])}{r}"
            if not code:
                problems.append(Problem("required", file=name, sheet=GROUP_SHEET, cell=where,
                                        field="担当"))
                continue
            if code in seen_groups:
                problems.append(Problem("plan_duplicate_group", file=name, sheet=GROUP_SHEET,
                                        cell=where, field="担当", value=code,
                                        params={"expected": seen_groups[code]}))
                continue
            seen_groups[code] = where
            email = ""
            if EMAIL in g_cols:
                email = normalise.nfkc(normalise.text(gs.cell(r, g_cols[EMAIL]).value)[0])
                email = email.removeprefix("mailto:").strip()
                if email and not _EMAIL.fullmatch(email):
                    problems.append(Problem(
                        "plan_bad_email", file=name, sheet=GROUP_SHEET, field=EMAIL,
                        cell=f"{get_column_letter(g_cols[EMAIL])}{r}", value=email))
            groups.append(Group(code, dept, gname or code, email))

    # items
    ps = wb[PLAN_SHEET]
    columns = _plan_columns(form)
    labels = [label for _, label in columns]
    p_row, p_cols = _find_header(ps, labels)
    missing = [lbl for lbl in labels if lbl not in p_cols]
    for label in missing:
        problems.append(Problem("plan_column_missing", file=name, sheet=PLAN_SHEET,
                                cell=f"A{max(p_row, 1)}", params={"expected": label}))
    items: list[PlanItem] = []
    checker = _plan_checker(form)
    if not missing:
        previous: dict[str, Any] = {}
        first_at: dict[tuple[str, str], str] = {}
        text_at: dict[str, tuple[str, str]] = {}
        for r in range(p_row + 1, ps.max_row + 1):
            raw = {fid: ps.cell(r, p_cols[label]).value for fid, label in columns}
            if all(v is None or str(v).strip() == "" for v in raw.values()):
                continue
            record: dict[str, Any] = {}
            bad = False
            for fid, label in columns:
                col = get_column_letter(p_cols[label])
                v = raw[fid]
                blank = v is None or str(v).strip() == ""
                if fid in form.key:
                    if blank and fid in previous:
                        record[fid] = previous[fid]
                        continue
                    n = form.by_id[fid].read_key(v)
                    if n is None:
                        problems.append(Problem(
                            "plan_bad_number", file=name, sheet=PLAN_SHEET, cell=f"{col}{r}",
                            field=label, value=v, params={"label": label,
                            "expected": form.by_id[fid].show(1)}))
                        bad = True
                    record[fid] = n
                elif fid == "_owner":
                    record[fid] = normalise.text(v)[0]
                elif form.by_id[fid].type == "year" and not blank:
                    try:
                        record[fid] = fiscal.parse_year(v)
                    except FiscalYearError:
                        problems.append(Problem(
                            "plan_bad_number", file=name, sheet=PLAN_SHEET, cell=f"{col}{r}",
                            field=label, value=v, params={"label": label,
                                                          "expected": BOOK["plan_year"][0],
                                                          "expected_en": BOOK["plan_year"][1]}))
                        bad = True
                else:
                    record[fid] = _typed(normalise.text(v)[0], checker, fid)
            if not bad:
                for fid, err in _refusals(checker, record):
                    label = form.by_id[fid].label
                    code, params = formcheck.schema_words(err)
                    problems.append(Problem(
                        code, file=name, sheet=PLAN_SHEET,
                        cell=f"{get_column_letter(p_cols[label])}{r}", field=label,
                        value=raw[fid], field_id=fid, params=params))
                    bad = True
            if bad:
                continue
            key = form.item_key(record)
            for fid in form.key:
                previous[fid] = record[fid]
            # plan text: blank means same as the row above for the same item
            locked_ids = [f.id for f in form.fields if f.role == "locked"]
            for fid in locked_ids:
                if not record[fid] and key in text_at:
                    record[fid] = items[-1].record[fid] if items and items[-1].key == key else ""
            owner = record.pop("_owner")
            owner_cell = f"{get_column_letter(p_cols[OWNER])}{r}"
            if not owner:
                problems.append(Problem("required", file=name, sheet=PLAN_SHEET,
                                        cell=owner_cell, field=OWNER))
                continue
            if owner not in seen_groups:
                problems.append(Problem("plan_unknown_group", file=name, sheet=PLAN_SHEET,
                                        cell=owner_cell, field=OWNER, value=owner))
                continue
            required = set(form.schema.get("required", []))
            for fid in locked_ids:
                if not record[fid] and fid in required:
                    col = get_column_letter(p_cols[form.by_id[fid].label])
                    problems.append(Problem("required", file=name, sheet=PLAN_SHEET,
                                            cell=f"{col}{r}", field=form.by_id[fid].label))
                    bad = True
            if bad:
                continue
            if (key, owner) in first_at:
                problems.append(Problem(
                    "plan_duplicate_item", file=name, sheet=PLAN_SHEET, cell=owner_cell,
                    field=OWNER, value=form.display_key(record), params={
                        "found": owner, "expected": first_at[(key, owner)]}))
                continue
            first_at[(key, owner)] = f"{PLAN_SHEET}!{owner_cell}"
            plan_text = "\n".join(str(record[f]) for f in locked_ids)
            plan_col = get_column_letter(p_cols[form.by_id[locked_ids[0]].label])
            if key in text_at and text_at[key][0] != plan_text:
                problems.append(Problem(
                    "plan_plan_text_differs", file=name, sheet=PLAN_SHEET, cell=f"{plan_col}{r}",
                    field=form.by_id[locked_ids[0]].label, value=form.display_key(record),
                    params={"expected": text_at[key][1]}))
                continue
            text_at.setdefault(key, (plan_text, f"{PLAN_SHEET}!{plan_col}{r}"))
            items.append(PlanItem(key, owner, record, r))
        if not items and not problems:
            problems.append(Problem("plan_empty", file=name, sheet=PLAN_SHEET))

    title = city = ""
    if SETTINGS_SHEET in wb.sheetnames:
        st = wb[SETTINGS_SHEET]
        for r in range(1, 10):
            label = normalise.text(st.cell(r, 1).value)[0]
            value = normalise.text(st.cell(r, 2).value)[0]
            if label == "計画名":
                title = value
            elif label == "市町村名":
                city = value
    if problems:
        raise PlanError(problems=problems, code="plan_problems", name=name, n=len(problems))
    return Plan(form.name, groups, items, title, city)


def check_stored(plan: Plan, form: Form) -> None:
    """Raise PlanError if a stored plan item is one the form now refuses (its definition was
    changed after the plan was loaded): nothing is issued that every returned book would be
    refused for, on a cell staff cannot change."""
    checker = _plan_checker(form)
    fast = fastjsonschema.compile(checker.schema)  # a sound item costs microseconds
    # a schema of properties alone judges each value by itself: a value passed once (the
    # same section number, the same text in many groups) passes again without a new check
    fields = list(checker.schema["properties"]) if set(checker.schema) <= _EACH_VALUE_ALONE \
        else None
    passed: set[tuple[str, type, Any]] = set()
    problems = []
    for it in plan.items:
        if fields is not None and _values_pass(fast, it.record, fields, passed):
            continue
        try:
            fast({k: v for k, v in it.record.items() if v is not None and v != ""})
            continue
        except fastjsonschema.JsonSchemaException:
            pass
        for fid, err in _refusals(checker, it.record):
            code, params = formcheck.schema_words(err)
            problems.append(Problem(code, file=form.display_key(it.record), sheet=PLAN_SHEET,
                                    field=form.by_id[fid].label, value=it.record.get(fid),
                                    field_id=fid, item_key=it.key, params=params))
    if problems:
        raise PlanError(problems=problems, code="plan_against_form", form=form.name,
                        n=len(problems))
