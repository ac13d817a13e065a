"""The demo: the whole cycle on bundled sample data built from the seed table.

plan workbook → workspace → one workbook per group → filled as staff would (full-width letters,
stray spaces, Windows line breaks, one file with mistakes that is refused, then corrected and
sent again) → ingest → status → consolidated report and its PDF.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl

from fujimi_xl import api
from fujimi_xl.core.messages import ui
from fujimi_xl.forms import load_form
from fujimi_xl.layouts.list import generator as gen
from fujimi_xl.layouts.sheet.sheet_layout import list_columns
from fujimi_xl.lifecycle.plan import Group, Plan, PlanItem, write_plan_template

SAMPLE = "progress.json"


def sample_data() -> dict[str, Any]:
    text = resources.files("fujimi_xl").joinpath("sample", SAMPLE).read_text(encoding="utf-8")
    return json.loads(text)


def sample_plan(data: dict[str, Any] | None = None) -> Plan:
    data = data or sample_data()
    form = load_form("progress")
    groups = [Group(g["code"], g["department"], g["name"]) for g in data["groups"]]
    items = []
    for it in data["items"]:
        record = {k: it[k] for k in ("section", "item", "number", "plan")}
        for owner in it["owners"]:
            items.append(PlanItem(form.item_key(record), owner, record))
    return Plan("progress", groups, items, data["title"], data["city"])


def sample_programs_data() -> dict[str, Any]:
    text = resources.files("fujimi_xl").joinpath("sample", "action_plan.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def sample_programs(data: dict[str, Any] | None = None) -> Plan:
    """The program list (registration) of the action-plan form, from the sample data."""
    data = data or sample_programs_data()
    form = load_form("action_plan")
    groups = sample_plan().groups
    items = []
    for p in data["programs"]:
        record = {f.id: p.get(f.id, "") for f in form.locked_fields}
        items.append(PlanItem(form.item_key(record), p["group"], record))
    return Plan("action_plan", groups, items, "富士見市", "富士見市")


def write_sample_programs(path: Path) -> Path:
    return write_plan_template(path, load_form("action_plan"), example=sample_programs())


def write_sample_plan(path: Path) -> Path:
    return write_plan_template(path, load_form("progress"), example=sample_plan())


def fill_workbook(path: Path, answers: dict[str, dict[str, str]], out: Path | None = None,
                  messy: bool = True) -> Path:
    """Fill a generated workbook as staff would, with openpyxl (rows found by 管理番号)."""
    wb = openpyxl.load_workbook(path)
    form_sheet = next(ws for ws in wb.worksheets
                      if ws.cell(gen.HEADER_ROW + 1, 1).value == gen.KEY_HEADER)
    header = {form_sheet.cell(gen.HEADER_ROW + 1, c).value: c
              for c in range(1, form_sheet.max_column + 1)}
    form = load_form("progress")
    year_cols = {}
    for f in form.input_fields:
        for label, c in header.items():
            if isinstance(label, str) and label.endswith(f.label.split("}")[-1]):
                year_cols[f.id] = c
    for r in range(gen.FIRST_ROW + 1, form_sheet.max_row + 1):
        key = form_sheet.cell(r, 1).value
        if key not in answers:
            continue
        for fid, value in answers[key].items():
            if messy and fid == "grade" and value == "A":
                value = "Ａ"  # full-width, typed with the IME on
            if messy and fid == "result" and value:
                value = " " + value.replace("\n", "\r\n") + "　"
            form_sheet.cell(r, year_cols[fid]).value = value
    target = out or path
    wb.save(target)
    return target


@dataclass
class SurveyDemo:
    """The files of the survey (庁内照会) part of the demo."""

    plan: Path
    outbox: list[Path]
    returned: list[Path]
    feedback: list[str]
    report: Path
    pdf: Path | None
    export: Path


@dataclass
class DemoResult:
    root: Path
    workspace: Path
    plan: Path
    outbox: list[Path]
    returned: list[Path]
    feedback: list[str]
    report: Path
    pdf: Path | None
    pdf_message: str
    action_plan_book: Path | None = None
    second_year_report: Path | None = None
    survey: SurveyDemo | None = None
    log: list[str] = field(default_factory=list)


def _teller(say: Any, lang: str) -> Any:
    """``line(key, **params)`` hands the catalogue line ``key`` in ``lang`` to ``say``."""
    def line(key: str, **params: Any) -> None:
        say(ui(key, lang, **params))

    return line


def run_demo(root: Path | str, want_pdf: bool = True, say: Any = print,
             lang: str = "ja") -> DemoResult:
    """Run the whole cycle in ``root``; progress lines go to ``say`` in ``lang`` ("ja"/"en"),
    which is also the language of the workbooks' texts."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    line = _teller(say, lang)
    data = sample_data()
    year = int(data["year"])
    plan_path = write_sample_plan(root / "計画_サンプル.xlsx")
    line("demo_plan", path=plan_path)
    ws_root = root / "workspace"
    ws = api.init(ws_root, plan_path, "progress")
    line("demo_workspace", path=ws_root)
    generated = api.generate(ws, "progress", year, lang=lang)
    line("demo_generated", n=len(generated.files), folder=generated.files[0][1].parent)

    returned_dir = root / "returned"
    returned_dir.mkdir(exist_ok=True)
    returned = []
    responses: dict[str, dict[str, dict[str, str]]] = data["responses"]
    bad_group = "保育"
    for group, path, _ in generated.files:
        answers = responses.get(group, {})
        out = returned_dir / path.name
        if group == bad_group:
            # the first return: a grade outside the scale and a missing reason and next plan
            wrong = {k: {**v, "grade": "E", "next_plan": ""} for k, v in answers.items()}
            fill_workbook(path, wrong, returned_dir / f"1回目_{path.name}")
            returned.append(returned_dir / f"1回目_{path.name}")
            continue
        fill_workbook(path, answers, out)
        returned.append(out)

    first = api.ingest(ws, [returned_dir], lang=lang)
    feedback = [f.feedback for f in first.files if f.feedback]
    line("demo_first_ingest", accepted=first.count("accepted"), rejected=first.count("rejected"))
    for fb in feedback:
        line("demo_feedback", path=fb)

    # the group fixes the feedback workbook itself and sends it again
    second_paths = []
    for fb in feedback:
        name = gen.file_name(load_form("progress"), year, Group(bad_group, "", "保育グループ"))
        fixed = returned_dir / f"2回目_{name}"
        fill_workbook(Path(fb), responses[bad_group], fixed)
        second_paths.append(fixed)
    resent = api.ingest(ws, second_paths, lang=lang)
    line("demo_second_ingest", accepted=resent.count("accepted"),
         rejected=resent.count("rejected"))
    again = api.ingest(ws, [returned_dir], lang=lang)
    line("demo_again", unchanged=again.count("unchanged"), accepted=again.count("accepted"))

    st = api.status(ws, "progress", year)
    accepted = sum(1 for g in st.groups if g.state == "accepted")
    line("demo_status", accepted=accepted, n=len(st.groups))
    rep = api.report(ws, "progress", year, want_pdf=want_pdf)
    line("demo_report", path=rep.path)
    if rep.pdf:
        line("demo_report_pdf", path=rep.pdf)
    elif rep.pdf_text(lang):
        say(rep.pdf_text(lang))
    book = _action_plan_demo(ws, root, want_pdf, line, lang)
    second_report = _second_year(ws, root, year, responses, want_pdf, line, lang)
    survey = _survey_demo(ws, root, want_pdf, line, lang)
    return DemoResult(root, ws_root, plan_path, [p for _, p, _ in generated.files],
                      returned + second_paths, feedback, rep.path, rep.pdf, rep.pdf_message,
                      action_plan_book=book, second_year_report=second_report, survey=survey)


def _second_year(ws: Any, root: Path, year: int, responses: dict[str, Any], want_pdf: bool,
                 line: Any, lang: str) -> Path:
    """The next year: roll the plan over, regenerate (last year's plan for this year shown,
    locked), staff report what they did, and the second year's table."""
    nxt = year + 1
    res = api.rollover(ws, "progress", year, nxt)
    line("demo_rollover", n=res.carried, year=year, next=nxt)
    generated = api.generate(ws, "progress", nxt, lang=lang)
    folder = root / f"returned_{nxt}"
    folder.mkdir(exist_ok=True)
    for group, path, _ in generated.files:
        answers = {k: {"result": f"{v['next_plan']}（実施済み）", "grade": "A",
                       "reason": "計画どおり実施した", "next_plan": "継続して実施する"}
                   for k, v in responses.get(group, {}).items()}
        fill_workbook(path, answers, folder / path.name, messy=False)
    second = api.ingest(ws, [folder], lang=lang)
    line("demo_next_ingest", year=nxt, accepted=second.count("accepted"),
         rejected=second.count("rejected"))
    rep = api.report(ws, "progress", nxt, want_pdf=want_pdf)
    line("demo_next_report", year=nxt, path=rep.path)
    if rep.pdf:
        line("demo_next_report_pdf", year=nxt, path=rep.pdf)
    return rep.path


def _action_plan_demo(ws: Any, root: Path, want_pdf: bool, line: Any, lang: str) -> Path:
    """The action-plan form: register programs, one workbook per program, staff fill them
    (rows inserted in a list, full-width numbers), one budget that does not add up is refused
    and corrected, then the printed book."""
    data = sample_programs_data()
    year = int(data["year"])
    programs = write_sample_programs(root / "事業一覧_サンプル.xlsx")
    api.load_plan(ws, programs, "action_plan")
    line("demo_programs", path=programs)
    generated = api.generate(ws, "action_plan", year, lang=lang)
    line("demo_action_plans", n=len(generated.files), folder=generated.files[0][1].parent)
    returned = root / "returned_action_plan"
    returned.mkdir(exist_ok=True)
    paths = []
    for slot, path, _ in generated.files:
        answers = dict(data["responses"][slot])
        if slot == "2":  # the first return: 一般財源 + 特定財源 does not add up
            answers["specific_2"] = "500"
        paths.append(fill_sheet_workbook(path, answers, returned / path.name))
    first = api.ingest(ws, paths, lang=lang)
    line("demo_first_ingest", accepted=first.count("accepted"), rejected=first.count("rejected"))
    for f in first.files:
        for p in f.errors:
            line("demo_problem", file=f.file_name, where=p.where(), message=p.message(lang))
        if f.feedback:
            line("demo_feedback", path=f.feedback)
            fixed = fill_sheet_workbook(Path(f.feedback), data["responses"]["2"],
                                        returned / f"2回目_{Path(f.path).name}")
            again = api.ingest(ws, [fixed], lang=lang)
            line("demo_second_accepted", accepted=again.count("accepted"))
    rep = api.report(ws, "action_plan", year, want_pdf=want_pdf)
    line("demo_book", path=rep.path)
    if rep.pdf:
        line("demo_book_pdf", path=rep.pdf)
    return rep.path


# -- the survey (庁内照会): a third form, defined as data only ---------------------------------

SURVEY = "survey"


def sample_survey_data() -> dict[str, Any]:
    text = resources.files("fujimi_xl").joinpath("sample", f"{SURVEY}.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def sample_survey(data: dict[str, Any] | None = None) -> Plan:
    """The programs the survey asks about (one row per program, owned by a group)."""
    data = data or sample_survey_data()
    form = load_form(SURVEY)
    items = []
    for p in data["programs"]:
        record = {f.id: p[f.id] for f in [*form.key_fields, *form.locked_fields]}
        items.append(PlanItem(form.item_key(record), p["group"], record))
    return Plan(SURVEY, sample_plan().groups, items, data["plan_title"], data["city"])


def write_sample_survey(path: Path) -> Path:
    return write_plan_template(path, load_form(SURVEY), example=sample_survey())


def fill_list_workbook(path: Path, form_name: str, year: int,
                       answers: dict[str, dict[str, Any]], out: Path | None = None,
                       workspace: Path | None = None) -> Path:
    """Fill a list-form workbook as staff would, with openpyxl: the row of each 管理番号 in
    ``answers``, the column of each field id found by its label in the header row."""
    form = load_form(form_name, workspace)
    wb = openpyxl.load_workbook(path)
    sheet = next(ws for ws in wb.worksheets
                 if ws.cell(gen.HEADER_ROW + 1, 1).value == gen.KEY_HEADER)
    header = {sheet.cell(gen.HEADER_ROW + 1, c).value: c
              for c in range(1, sheet.max_column + 1)}
    cols = {f.id: header[f.label_for(year)] for f in form.input_fields}
    for r in range(gen.FIRST_ROW + 1, sheet.max_row + 1):
        for fid, value in answers.get(str(sheet.cell(r, 1).value), {}).items():
            sheet.cell(r, cols[fid]).value = value
    wb.save(out or path)
    return out or path


def _survey_demo(ws: Any, root: Path, want_pdf: bool, line: Any, lang: str) -> SurveyDemo:
    """The 庁内照会: its plan (the programs asked about), one workbook per group, staff fill
    them (full-width digits, 和暦 dates, 1,200, ▲50, 158千円); one book with a blank required
    cell and a wrong choice is refused, fixed in its feedback workbook and sent again; then
    status, the report grouped by 部 with totals (and its PDF), and the export."""
    data = sample_survey_data()
    year = int(data["year"])
    plan = write_sample_survey(root / "照会対象事業_サンプル.xlsx")
    api.load_plan(ws, plan, SURVEY)
    line("demo_survey_plan", path=plan)
    generated = api.generate(ws, SURVEY, year, lang=lang)
    line("demo_survey_generated", n=len(generated.files), folder=generated.files[0][1].parent)
    folder = root / "returned_survey"
    folder.mkdir(exist_ok=True)
    owner = {str(p["no"]): p["group"] for p in data["programs"]}
    bad = data["first_return"]
    returned = []
    for group, path, _ in generated.files:
        answers = {k: v for k, v in data["responses"].items() if owner[k] == group}
        if group == bad["group"]:
            answers = {k: {**v, **bad["responses"].get(k, {})} for k, v in answers.items()}
            out = folder / f"1回目_{path.name}"
        else:
            out = folder / path.name
        returned.append(fill_list_workbook(path, SURVEY, year, answers, out, ws.root))
    first = api.ingest(ws, returned, lang=lang)
    line("demo_first_ingest", accepted=first.count("accepted"), rejected=first.count("rejected"))
    feedback = []
    for f in first.files:
        for p in f.errors:
            line("demo_problem", file=f.file_name, where=p.where(), message=p.message(lang))
        if f.feedback:
            feedback.append(f.feedback)
            line("demo_feedback", path=f.feedback)
            answers = {k: v for k, v in data["responses"].items() if owner[k] == bad["group"]}
            fixed = fill_list_workbook(Path(f.feedback), SURVEY, year, answers,
                                       folder / f"2回目_{Path(f.path).name[len('1回目_'):]}",
                                       ws.root)
            returned.append(fixed)
            again = api.ingest(ws, [fixed], lang=lang)
            line("demo_second_accepted", accepted=again.count("accepted"))
    st = api.status(ws, SURVEY, year)
    line("demo_status", accepted=sum(1 for g in st.groups if g.state == "accepted"),
         n=len(st.groups))
    rep = api.report(ws, SURVEY, year, want_pdf=want_pdf)
    line("demo_survey_report", path=rep.path)
    if rep.pdf:
        line("demo_survey_report_pdf", path=rep.pdf)
    exported = api.export(ws, SURVEY, year, root / "照会結果_令和5年度.json", fmt="json")
    line("demo_survey_export", path=exported)
    return SurveyDemo(plan, [p for _, p, _ in generated.files], returned, feedback, rep.path,
                      rep.pdf, exported)


# -- filling a form-style sheet as staff would ---------------------------------------------

def _ref(wb: Any, name: str) -> tuple[Any, int, int, int, int]:
    from fujimi_xl.layouts.sheet.sheet_extract import parse_ref

    parsed = parse_ref(wb.defined_names[name].attr_text)
    assert parsed is not None, name
    sheet, r1, c1, r2, c2 = parsed
    return wb[sheet], r1 + 1, c1 + 1, r2 + 1, c2 + 1


def insert_rows_like_excel(wb: Any, sheet: Any, idx: int, amount: int = 1) -> None:
    """Insert rows at ``idx`` (1-based) the way Excel does: cells, merged ranges and defined
    names below move down, and a name whose range spans ``idx`` grows. (openpyxl's own
    insert_rows only moves cells.)"""
    from xlsxwriter.utility import xl_rowcol_to_cell

    from fujimi_xl.layouts.sheet.sheet_extract import parse_ref

    merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in sheet.merged_cells.ranges]
    for m in list(sheet.merged_cells.ranges):
        sheet.unmerge_cells(str(m))
    sheet.insert_rows(idx, amount)
    for r1, c1, r2, c2 in merged:
        if r1 >= idx:
            r1, r2 = r1 + amount, r2 + amount
        elif r2 >= idx:
            r2 += amount
        sheet.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    for dn in list(wb.defined_names.values()):
        parsed = parse_ref(dn.attr_text)
        if not parsed or parsed[0] != sheet.title:
            continue
        _, r1, c1, r2, c2 = parsed
        r1, r2 = r1 + 1, r2 + 1
        if r1 >= idx:
            r1, r2 = r1 + amount, r2 + amount
        elif r2 >= idx:
            r2 += amount
        a = xl_rowcol_to_cell(r1 - 1, c1, True, True)
        b = xl_rowcol_to_cell(r2 - 1, c2, True, True)
        dn.attr_text = f"'{sheet.title}'!{a}" + (f":{b}" if (r1, c1) != (r2, c2) else "")


def fill_sheet_workbook(path: Path, answers: dict[str, Any], out: Path | None = None) -> Path:
    """Fill a form-style workbook by its defined names, inserting rows inside a list when the
    answers need more rows than it has (as staff would)."""
    form = load_form("action_plan")
    wb = openpyxl.load_workbook(path)
    for fid, value in answers.items():
        if fid in form.lists:
            continue
        sheet, r, c, _, _ = _ref(wb, f"fx_f_{fid}")
        sheet.cell(r, c).value = value
    for lid, rows in answers.items():
        if lid not in form.lists:
            continue
        sheet, r1, _, r2, _ = _ref(wb, f"fx_l_{lid}")
        cols, lines, captions = list_columns(form.lists[lid])
        height = max(lines.values(), default=0) + 1
        have = r2 - r1 + 1
        if len(rows) * height > have:  # insert inside the list, above its last entry
            insert_rows_like_excel(wb, sheet, r2 + 1 - height, len(rows) * height - have)
            sheet, r1, _, r2, _ = _ref(wb, f"fx_l_{lid}")
        fixed = {c["id"] for c in form.lists[lid]["columns"] if "fixed" in c}
        offsets = {cid: off for cid, off, _ in cols if cid not in fixed}
        for i, row in enumerate(rows):
            for line, caption in captions.items():  # as a copied entry brings its caption
                if caption and not sheet.cell(r1 + i * height + line, 1).value:
                    sheet.cell(r1 + i * height + line, 1).value = caption
            for cid, value in zip(offsets, row, strict=False):
                sheet.cell(r1 + i * height + lines[cid], offsets[cid] + 1).value = value
    wb.save(out or path)
    return out or path
