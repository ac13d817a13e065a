"""The safety checks count what the XML really holds: a file made to look ordinary to a byte
scan (cells without addresses, the literal ` r="A1"` typed inside a text) is refused by the
checks themselves with ``limit_exceeded``, before python-calamine (which aborts its process on
such a file) ever sees it. A manifest with a non-ASCII signature is ``bad_signature``."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.intake import reader

from . import hostile
from .conftest import master_snapshot

FAKE = b' r="A1"'


def _rewrite(src: Path, out: Path, change: Any) -> Path:
    name = hostile.input_sheet_part(src)
    xml = hostile.parts(src)[name]
    return hostile.with_parts(src, out, {name: change(xml)})


def _far_row_without_addresses(xml: bytes) -> bytes:
    """Row 1048576 holding cells without r, and a cell at XFD1 with an address: as many fake
    ` r="A1"` inside inline texts as there are cells without one, so a count of the byte
    pattern matches the count of <c> elements."""
    far = (b'<row r="1048576"><c t="inlineStr"><is><t>' + FAKE + b'</t></is></c>'
           b'<c t="inlineStr"><is><t>x' + FAKE + b'</t></is></c></row>')
    xml = xml.replace(b"</sheetData>", far + b"</sheetData>", 1)
    # one real cell far to the right on an early row: the range calamine builds is huge
    head, sep, tail = xml.partition(b"</row>")
    return head + b'<c r="XFD1" t="inlineStr"><is><t>y</t></is></c>' + sep + tail


def _far_row_unaddressed_only(xml: bytes) -> bytes:
    """Row 1048576 whose one cell has no r and no fake text: the byte scan sees no cell
    address at row 1048576 at all."""
    far = b'<row r="1048576"><c r="XFD5" t="inlineStr"><is><t>y</t></is></c>' \
          b'<c t="inlineStr"><is><t>z</t></is></c></row>'
    return xml.replace(b"</sheetData>", far + b"</sheetData>", 1)


def _fake_refs_in_text(xml: bytes) -> bytes:
    """A far cell whose real address is hidden: cells without r, and the text holding the
    ` r="…"` the counts expect."""
    texts = FAKE * 3
    far = (b'<row r="1048576"><c t="inlineStr"><is><t>' + texts + b'</t></is></c>'
           b'<c t="inlineStr"><is><t>w</t></is></c><c t="inlineStr"><is><t>v</t></is></c>'
           b'</row>')
    xml = xml.replace(b"</sheetData>", far + b"</sheetData>", 1)
    head, sep, tail = xml.partition(b"</row>")
    return head + b'<c r="XFD1" t="inlineStr"><is><t>y</t></is></c>' + sep + tail


def _attr_hides_ref(xml: bytes) -> bytes:
    """An attribute value holding ` r="A1"` before the real, far address of the cell."""
    far = (b'<row r="1048576"><c foo=\' r="A1"\'\tr="XFD1048576" t="inlineStr"><is><t>y</t>'
           b'</is></c></row>')
    return xml.replace(b"</sheetData>", far + b"</sheetData>", 1)


CASES = {
    "no_r_on_last_row": _far_row_without_addresses,
    "no_r_only": _far_row_unaddressed_only,
    "fake_refs_in_text": _fake_refs_in_text,
    "attribute_hides_ref": _attr_hides_ref,
}


@pytest.fixture
def template(outbox: dict[str, Path]) -> Path:
    return outbox["保育"]


def _calamine_status(path: Path) -> int:
    raw = subprocess.run(
        [sys.executable, "-c", "import python_calamine as pc, sys\n"
         "wb = pc.CalamineWorkbook.from_path(sys.argv[1])\n"
         "[wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]", str(path)],
        capture_output=True, timeout=120)
    return raw.returncode


def _checked(path: Path) -> tuple[int, str]:
    """read_book in a process of its own (a check that fails lets calamine abort it): the
    exit status and what it printed (the refusal's code and message)."""
    checked = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom fujimi_xl.intake.reader import read_book, ReadRefused\n"
         "from fujimi_xl.core.messages import text\n"
         "try:\n    read_book(sys.argv[1])\nexcept ReadRefused as e:\n"
         "    print(e.code, text(e.code, 'ja', **e.params))", str(path)],
        capture_output=True, text=True, timeout=120)
    return checked.returncode, checked.stdout.strip()


@pytest.mark.parametrize("case", list(CASES))
def test_the_checks_refuse_what_a_byte_scan_would_pass(template, tmp_path, case):
    path = _rewrite(template, tmp_path / f"{case}.xlsx", CASES[case])
    status, out = _checked(path)
    assert status == 0, out
    code, _, message = out.partition(" ")
    assert code == "limit_exceeded", out
    assert "シート「入力」" in message and "1048576" in message, message


@pytest.mark.parametrize("case", ["no_r_on_last_row", "fake_refs_in_text"])
def test_python_calamine_would_abort_on_these_files(template, tmp_path, case):
    """Why the checks matter: python-calamine aborts its whole process on the same file. If it
    stops aborting, update the known traps in DESIGN.md (the checks stay all the same)."""
    path = _rewrite(template, tmp_path / f"{case}.xlsx", CASES[case])
    assert _calamine_status(path) == -signal.SIGABRT


def test_ingest_refuses_the_file_by_its_limit_not_as_a_crash(ws, template, tmp_path):
    path = _rewrite(template, tmp_path / "bypass.xlsx", _far_row_without_addresses)
    before = master_snapshot(ws)
    report = api.ingest(ws, [path])
    [res] = report.files
    assert res.outcome == "rejected"
    assert [(p.file, p.code) for p in res.problems] == [("bypass.xlsx", "limit_exceeded")]
    assert "1048576" in res.problems[0].message()
    assert master_snapshot(ws) == before


def test_an_ordinary_sheet_still_takes_the_fast_path(template):
    """The generated workbook's sheets are checked by the byte scan, not by expat."""
    from fujimi_xl.intake import package

    for name, xml in hostile.parts(template).items():
        if name.startswith("xl/worksheets/sheet"):
            assert package._fast_scan(xml, "入力") is not None, name


def test_text_that_looks_like_an_address_goes_the_exact_way(template, tmp_path):
    """A plain text holding ` r="A1"` in an input cell is read all the same (exact path)."""
    path = _rewrite(template, tmp_path / "odd_text.xlsx", lambda xml: xml.replace(
        b"</sheetData>", b'<row r="200"><c r="B200" t="inlineStr"><is><t>a r="A1" b</t></is>'
        b"</c></row></sheetData>", 1))
    book = reader.read_book(path)
    assert book.sheet("入力").value(199, 1) == 'a r="A1" b'


def test_a_non_ascii_signature_is_bad_signature(ws, outbox, fill, tmp_path):
    src = fill(outbox["保育"], "保育")
    wb = openpyxl.load_workbook(src)
    wb["_fujimi"]["A2"] = "署名" + wb["_fujimi"]["A2"].value[2:]
    out = tmp_path / "sig.xlsx"
    wb.save(out)
    before = master_snapshot(ws)
    report = api.ingest(ws, [out])
    [res] = report.files
    assert (res.outcome, [(p.file, p.sheet, p.code) for p in res.problems]) == (
        "rejected", [("sig.xlsx", "_fujimi", "bad_signature")])
    assert master_snapshot(ws) == before


@pytest.mark.libreoffice
def test_a_sheet_saved_by_calc_still_takes_the_fast_path(template, tmp_path):
    from fujimi_xl.intake import package

    out_dir = tmp_path / "calc"
    hostile.soffice_convert([template], "xlsx:Calc MS Excel 2007 XML", out_dir)
    saved = out_dir / template.name
    sheets = [n for n in hostile.parts(saved) if n.startswith("xl/worksheets/sheet")]
    assert sheets
    for name in sheets:
        assert package._fast_scan(hostile.parts(saved)[name], "入力") is not None, name
    reader.read_book(saved)  # and it reads


@pytest.mark.parametrize(("cells", "odd"), [
    # an empty inline string beside one with two <t>: as many <t> as <is>, still found
    ('<c r="A1" t="inlineStr"><is/></c><c r="B1" t="inlineStr"><is><t>a</t><t>b</t></is></c>',
     {(0, 1)}),
    ('<c r="A1" t="inlineStr"><v>1</v><is><t>a</t></is></c>', {(0, 0)}),
    ('<c r="A1" t="inlineStr"><is><t>a</t></is><v>1</v></c>', {(0, 0)}),
    ('<c r="A1" t="inlineStr"><is><t>a</t><r><t>b</t></r></is></c>', {(0, 0)}),
    ('<c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c>',
     set()),
    # an empty cell beside one with two <v>: as many <v> as valued cells, still found
    ('<c r="A1"/><c r="B1"><v>1</v><v>2</v></c>', {(0, 1)}),
    ('<c r="A1" t="s"><is><t>a</t></is></c>', {(0, 0)}),
    ('<c r="A1"><v>1</v></c><c r="B1" t="str"><f>A1</f><v>1</v></c>', set()),
    ('<c r="A1"><v>1</v><f>B1</f></c>', {(0, 0)}),
])
def test_odd_inline_strings_are_found_whatever_the_counts_say(cells, odd):
    from fujimi_xl.core import cell_xml
    from fujimi_xl.intake import package

    xml = (b'<?xml version="1.0"?><worksheet><sheetData><row r="1">' + cells.encode()
           + b"</row></sheetData></worksheet>")
    fast = package._fast_scan(xml, "入力")
    notes = cell_xml.scan(xml, fast.tags if fast is not None else None)
    assert {k for k, n in notes.items() if n.kind == "odd"} == odd
