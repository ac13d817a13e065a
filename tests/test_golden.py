"""Generated workbooks compared with reviewed golden files, part by part (XlsxWriter style).

The XML of every part must be identical, except docProps/core.xml (it holds timestamps).
Set FUJIMI_REGEN_GOLDEN=1 to rewrite the golden files after a reviewed change, then look at
them (convert to PDF with LibreOffice) before committing.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import pytest

from fujimi_xl.demo import sample_data, sample_plan
from fujimi_xl.forms import load_form
from fujimi_xl.layouts.list import generator
from fujimi_xl.layouts.list.reporting import write_report
from fujimi_xl.store.dataset import Row, Table

GOLDEN = Path(__file__).parent / "golden"
VOLATILE = {"docProps/core.xml"}
KEY = bytes(range(32))


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n not in VOLATILE}


def compare(made: Path, name: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("FUJIMI_REGEN_GOLDEN"):
        golden.write_bytes(made.read_bytes())
    got, want = parts(made), parts(golden)
    assert sorted(got) == sorted(want)
    for part in want:
        assert got[part] == want[part], f"{name}: {part} differs from the golden file"


def test_input_workbook_matches_golden(tmp_path):
    form = load_form("progress")
    plan = sample_plan()
    group = plan.group("応援センター")
    items = [it for it in plan.items if it.group == group.code]
    path = tmp_path / "input.xlsx"
    generator.build(path, form, 2017, group, items, key=KEY, issue_id="0" * 32,
                    issued_at="2017-04-01T09:00:00+09:00", title=plan.title, password="pw")
    compare(path, "progress_input_2017.xlsx")


def test_report_matches_golden(tmp_path):
    form = load_form("progress")
    data = sample_data()
    plan = sample_plan(data)
    rows = [Row(it.key, plan.group(it.group),
                {**it.record, **data["responses"][it.group][it.key]}, True)
            for it in plan.items]
    table = Table("progress", 2017, rows, plan.groups, [])
    path = tmp_path / "report.xlsx"
    write_report(path, form, table, title=data["title"], created=dt.datetime(2018, 5, 1))
    compare(path, "progress_report_2017.xlsx")


@pytest.mark.parametrize("name", ["progress_input_2017.xlsx", "progress_report_2017.xlsx",
                                  "action_plan_input_2018.xlsx", "action_plan_book_2018.xlsx"])
def test_golden_files_exist(name):
    assert (GOLDEN / name).is_file()


def _programs():
    from fujimi_xl.demo import sample_programs, sample_programs_data

    return sample_programs(), sample_programs_data()


def test_action_plan_workbook_matches_golden(tmp_path):
    from fujimi_xl.layouts.sheet import sheet_generator

    form = load_form("action_plan")
    plan, _ = _programs()
    item = plan.items[0]
    path = tmp_path / "ap.xlsx"
    sheet_generator.build(path, form, 2018, sample_plan().group(item.group), item, key=KEY,
                          issue_id="0" * 32, issued_at="2018-04-01T09:00:00+09:00",
                          title="富士見市", password="pw")
    compare(path, "action_plan_input_2018.xlsx")


def test_action_plan_book_matches_golden(tmp_path):
    from fujimi_xl.core.normalise import parse_amount
    from fujimi_xl.layouts.sheet.reporting_sheet import write_book

    form = load_form("action_plan")
    plan, data = _programs()
    groups = sample_plan().groups
    rows = []
    for it in plan.items:
        answers = data["responses"][it.key]
        record = dict(it.record)
        for k, v in answers.items():
            if isinstance(v, list):
                cols = [c["id"] for c in form.lists[k]["columns"]]
                record[k] = [{c: (int("①②③".index(x) + 1) if c == "issue" else x)
                              for c, x in zip(cols, row, strict=True)} for row in v]
            elif form.by_id[k].type == "kyen":
                record[k] = parse_amount(v)
            else:
                record[k] = v
        rows.append(Row(it.key, next(g for g in groups if g.code == it.group), record, True))
    table = Table("action_plan", 2018, rows, groups, [])
    path = tmp_path / "book.xlsx"
    write_book(path, form, table, title="富士見市", created=dt.datetime(2018, 11, 1))
    compare(path, "action_plan_book_2018.xlsx")
