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

from fujimi_xl import generator
from fujimi_xl.dataset import Row, Table
from fujimi_xl.demo import sample_data, sample_plan
from fujimi_xl.forms import load_form
from fujimi_xl.reporting import write_report

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


@pytest.mark.parametrize("name", ["progress_input_2017.xlsx", "progress_report_2017.xlsx"])
def test_golden_files_exist(name):
    assert (GOLDEN / name).is_file()
