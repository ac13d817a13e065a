"""Generated workbooks compared with reviewed golden files, part by part (XlsxWriter style).

Both files are unzipped and every XML part is compared as a list of normalised elements (tag,
sorted attributes, text), the way XlsxWriter's own tests do (`_compare_xlsx_files` in its
test/helperfunctions.py). Volatile values are blanked first: the times in docProps/core.xml and
anything shaped like a UUID. The order of entries in [Content_Types].xml and *.rels carries no
meaning, so those are sorted. A failure names the golden file, the part, the position and the
first element that differs. Non-XML parts (images) must be byte-identical.

Set FUJIMI_REGEN_GOLDEN=1 to rewrite the golden files after a reviewed change, then look at
them (convert to PDF with LibreOffice) before committing.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from fujimi_xl.demo import sample_data, sample_plan
from fujimi_xl.forms import load_form
from fujimi_xl.layouts.list import generator
from fujimi_xl.layouts.list.reporting import write_report
from fujimi_xl.store.dataset import Row, Table

GOLDEN = Path(__file__).parent / "golden"
KEY = bytes(range(32))

XML_SUFFIXES = (".xml", ".rels", ".vml")
# the order of entries in these parts means nothing (Excel and XlsxWriter write them differently)
UNORDERED = re.compile(r"(^\[Content_Types\]\.xml$|\.rels$)")
# times the writer stamps into the document properties, whatever the test passes
VOLATILE_TAGS = {
    "{http://purl.org/dc/terms/}created",
    "{http://purl.org/dc/terms/}modified",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastPrinted",
}
UUID = re.compile(r"\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?")

# (tag, sorted attributes, text, tail)
Element = tuple[str, tuple[tuple[str, str], ...], str, str]


def _clean(text: str | None) -> str:
    """Whitespace-only text between tags is layout, not content (XlsxWriter splits on `>\\s*<`)."""
    if text is None or not text.strip():
        return ""
    return UUID.sub("{UUID}", text)


def xml_elements(part: str, data: bytes) -> list[Element]:
    """One XML part as a list of (tag, sorted attributes, text) in document order."""
    root = ElementTree.fromstring(data)
    out: list[Element] = []
    for el in root.iter():
        attrs = tuple(sorted((k, UUID.sub("{UUID}", v)) for k, v in el.attrib.items()))
        text = "" if el.tag in VOLATILE_TAGS else _clean(el.text)
        out.append((el.tag, attrs, text, _clean(el.tail)))
    if UNORDERED.search(part):
        out = out[:1] + sorted(out[1:])
    return out


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _show(el: Element | None) -> str:
    if el is None:
        return "(nothing)"
    tag, attrs, text, tail = el
    shown = "".join(f' {_local(k)}="{v}"' for k, v in attrs)
    return f"<{_local(tag)}{shown}>{text}</{_local(tag)}>{tail}"


def _where(elements: list[Element], i: int) -> str:
    """The nearest element at or before i with a cell or row reference (r="B5")."""
    for tag, attrs, _, _ in reversed(elements[: i + 1]):
        ref = dict(attrs).get("r")
        if ref:
            return f" (in <{_local(tag)} r=\"{ref}\">)"
    return ""


def xlsx_differences(got: bytes, want: bytes) -> str | None:
    """None when both workbooks are the same after normalising, else the first difference."""
    g, w = parts(got), parts(want)
    if sorted(g) != sorted(w):
        return (f"parts differ: missing {sorted(set(w) - set(g))}, "
                f"unexpected {sorted(set(g) - set(w))}")
    for part in sorted(w):
        if not part.endswith(XML_SUFFIXES):
            if g[part] != w[part]:
                return f"{part}: bytes differ"
            continue
        ge, we = xml_elements(part, g[part]), xml_elements(part, w[part])
        for i in range(max(len(ge), len(we))):
            a = ge[i] if i < len(ge) else None
            b = we[i] if i < len(we) else None
            if a != b:
                return (f"{part}: element {i}{_where(we if b else ge, i)} differs\n"
                        f"  got:  {_show(a)}\n  want: {_show(b)}")
    return None


def compare(made: Path, name: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("FUJIMI_REGEN_GOLDEN"):
        golden.write_bytes(made.read_bytes())
    diff = xlsx_differences(made.read_bytes(), golden.read_bytes())
    assert diff is None, f"{name}: {diff}"


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


# -- the comparison itself: what it forgives and what it reports --------------------------------

XLSX_GOLDEN = sorted(p.name for p in GOLDEN.glob("*.xlsx"))


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same workbook with some parts replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def test_every_golden_workbook_has_its_own_test():
    source = Path(__file__).read_text(encoding="utf-8")
    for name in XLSX_GOLDEN:
        assert source.count(f'compare(path, "{name}")') == 1, name


@pytest.mark.parametrize("name", XLSX_GOLDEN)
def test_core_times_and_zip_details_do_not_count(name):
    want = (GOLDEN / name).read_bytes()
    core = part(want, "docProps/core.xml").decode()
    later = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "2031-12-31T23:59:59Z", core)
    assert later != core
    got = rezip(want, {"docProps/core.xml": later.encode()})
    assert got != want
    assert xlsx_differences(got, want) is None


@pytest.mark.parametrize("name", XLSX_GOLDEN)
def test_a_changed_string_names_the_part_and_the_element(name):
    want = (GOLDEN / name).read_bytes()
    strings = part(want, "xl/sharedStrings.xml").decode()
    changed = strings.replace("<t>", "<t>X", 1)
    assert changed != strings
    diff = xlsx_differences(rezip(want, {"xl/sharedStrings.xml": changed.encode()}), want)
    assert diff is not None
    assert diff.startswith("xl/sharedStrings.xml: element ")
    assert "got:  <t>X" in diff


def test_a_changed_title_in_core_properties_still_counts():
    want = (GOLDEN / "progress_input_2017.xlsx").read_bytes()
    core = part(want, "docProps/core.xml").decode().replace("進捗状況評価", "進捗評価")
    diff = xlsx_differences(rezip(want, {"docProps/core.xml": core.encode()}), want)
    assert diff is not None and diff.startswith("docProps/core.xml: element ")
    assert "進捗評価" in diff


def test_a_changed_attribute_names_the_cell():
    want = (GOLDEN / "progress_input_2017.xlsx").read_bytes()
    sheet = part(want, "xl/worksheets/sheet2.xml").decode()
    cell = re.search(r'<c r="([A-Z]+\d+)" s="(\d+)"', sheet)
    assert cell
    changed = sheet.replace(cell.group(0), f'<c r="{cell.group(1)}" s="{int(cell.group(2)) + 1}"', 1)
    diff = xlsx_differences(rezip(want, {"xl/worksheets/sheet2.xml": changed.encode()}), want)
    assert diff is not None and diff.startswith("xl/worksheets/sheet2.xml: element ")
    assert f'r="{cell.group(1)}"' in diff


def test_order_of_content_types_and_relationships_does_not_count():
    want = (GOLDEN / "progress_report_2017.xlsx").read_bytes()
    types = part(want, "[Content_Types].xml").decode()
    entries = re.findall(r"<(?:Default|Override) [^>]*/>", types)
    assert len(entries) > 2
    shuffled = types.replace("".join(entries), "".join(reversed(entries)))
    assert shuffled != types
    got = rezip(want, {"[Content_Types].xml": shuffled.encode()})
    assert xlsx_differences(got, want) is None


def test_uuid_like_ids_do_not_count():
    a = b'<r xmlns="urn:x"><e id="{00000000-1111-2222-3333-444444444444}">x</e></r>'
    b = b'<r xmlns="urn:x"><e id="{ABCDEF01-2345-6789-ABCD-EF0123456789}">x</e></r>'
    assert xml_elements("p.xml", a) == xml_elements("p.xml", b)


def test_a_missing_part_is_named():
    want = (GOLDEN / "progress_report_2017.xlsx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(want)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != "xl/charts/chart1.xml":
                dst.writestr(info.filename, src.read(info.filename))
    diff = xlsx_differences(out.getvalue(), want)
    assert diff == "parts differ: missing ['xl/charts/chart1.xml'], unexpected []"
