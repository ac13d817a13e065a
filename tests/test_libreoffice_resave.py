"""Staff who fill the workbook in LibreOffice Calc: the file Calc saves (as .xlsx or as .ods, its
default) is still our template and is accepted with the same values as the workbook it came
from. Real LibreOffice, headless: what it changes (very-hidden becomes hidden, defined names
lose their quotes, comment authors dropped) is checked to really be there."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.layouts import manifest

from . import hostile
from .conftest import master_snapshot

pytestmark = pytest.mark.libreoffice

GROUP = "応援センター"  # several items, so rows found by key matter
CALC_XLSX = "xlsx:Calc MS Excel 2007 XML"


def resave(src: Path, fmt: str, out_dir: Path) -> Path:
    hostile.soffice_convert([src], fmt, out_dir)
    return out_dir / f"{src.stem}.{fmt.split(':')[0]}"


def current_values(ws: Any) -> list[tuple[Any, ...]]:
    conn = ws.connect()
    try:
        return [tuple(r) for r in conn.execute(
            "SELECT group_code, item_key, field, value FROM current_values ORDER BY 1, 2, 3")]
    finally:
        conn.close()


def accepted_like(ws: Any, resaved: Path, original: Path) -> None:
    """``resaved`` is accepted; the workbook it came from then changes nothing."""
    res = api.ingest(ws, [resaved]).files[0]
    assert (res.outcome, [p.code for p in res.errors]) == ("accepted", [])
    assert res.records > 1
    values = current_values(ws)
    assert values and {v[0] for v in values} == {GROUP}
    before = master_snapshot(ws)
    again = api.ingest(ws, [original]).files[0]
    assert again.outcome == "unchanged", again.problems
    assert master_snapshot(ws) == before
    assert current_values(ws) == values


def test_workbook_resaved_by_calc_as_xlsx_is_accepted_with_the_same_values(ws, outbox, fill,
                                                                          tmp_path):
    filled = fill(outbox[GROUP], GROUP, name="filled.xlsx", messy=True)
    resaved = resave(filled, CALC_XLSX, tmp_path / "calc")
    with zipfile.ZipFile(resaved) as zf:
        book = zf.read("xl/workbook.xml").decode()
    # what Calc changed is really there
    assert re.search(r'<sheet name="_fujimi"[^>]*state="hidden"', book)
    assert "veryHidden" not in book
    assert re.search(r'name="fx_table"[^>]*>入力!\$A\$5', book)
    accepted_like(ws, resaved, filled)


def test_workbook_saved_by_calc_as_ods_is_accepted_with_the_same_values(ws, outbox, fill,
                                                                        tmp_path):
    filled = fill(outbox[GROUP], GROUP, name="filled.xlsx", messy=True)
    ods = resave(filled, "ods", tmp_path / "calc")
    with zipfile.ZipFile(ods) as zf:
        assert zf.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    renamed = ods.with_name("filled_as_ods.xlsx")  # saved as .ods, then renamed by hand
    renamed.write_bytes(ods.read_bytes())
    accepted_like(ws, renamed, filled)
    assert api.ingest(ws, [ods]).files[0].outcome == "unchanged"


def test_feedback_workbook_fixed_and_resaved_by_calc_is_accepted(ws, outbox, fill, tmp_path):
    """A rejected file's feedback workbook carries comments; Calc drops their authors. Fixed
    in Calc and sent back, it is accepted."""
    bad = fill(outbox[GROUP], GROUP, {"1-1-2": {"grade": "E"}}, name="bad.xlsx")
    res = api.ingest(ws, [bad]).files[0]
    assert [p.code for p in res.problems] == ["not_in_scale"]
    feedback = Path(res.feedback)
    cell = res.problems[0].cell

    wb = openpyxl.load_workbook(feedback)
    sheet = next(s for s in wb.worksheets if s.title == res.problems[0].sheet)
    assert sheet[cell].comment is not None
    assert sheet[cell].comment.author == "fujimi-xl"
    sheet[cell].value = "B"
    fixed = tmp_path / "fixed" / "fixed.xlsx"
    fixed.parent.mkdir()
    wb.save(fixed)

    resaved = resave(fixed, CALC_XLSX, tmp_path / "calc")
    with zipfile.ZipFile(resaved) as zf:
        comments = [n for n in zf.namelist() if "comments" in n]
        assert comments
        xml = zf.read(comments[0]).decode()
        book = zf.read("xl/workbook.xml").decode()
    assert "fujimi-xl" not in xml  # the author is gone
    assert re.search(rf'<sheet name="{manifest.SHEET}"[^>]*state="hidden"', book)
    after = api.ingest(ws, [resaved]).files[0]
    assert (after.outcome, after.problems) == ("accepted", [])


@pytest.mark.libreoffice
def test_in_workbook_check_still_works_after_libreoffice(ws, outbox, fill, tmp_path):
    """The count of empty required cells (a formula over the input range) and the yellow
    highlight of empty required cells survive LibreOffice, which recalculates the count."""
    import subprocess

    from fujimi_xl.output.pdf import libreoffice

    path = fill(outbox["応援センター"], "応援センター",
                {"1-1-1": {"result": "", "next_plan": ""}}, name="partial.xlsx")
    out = tmp_path / "lo"
    out.mkdir()
    subprocess.run([libreoffice(), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
            check=True, capture_output=True, timeout=180)
    saved = out / path.name
    values = openpyxl.load_workbook(saved, data_only=True)["入力"]
    formulas = openpyxl.load_workbook(saved)["入力"]
    assert "COUNTBLANK" in str(formulas["F2"].value)
    assert values["F2"].value == "未記入の必須欄：2件"
    rules = [r for rng in formulas.conditional_formatting for r in rng.rules]
    assert rules and all(r.type in ("containsBlanks", "expression") for r in rules)
