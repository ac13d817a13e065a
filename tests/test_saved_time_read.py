"""The saved time is read straight from a zip's bytes in the common case, and by Python's
zipfile in every other: both give the same time (issue 13 item 12: the main process reads it
for every file before any is read)."""

from __future__ import annotations

import io
import zipfile

from fujimi_xl.intake.ingest import _core_part, saved_time

CORE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        b'xmlns:cp="x" xmlns:dcterms="y"><dcterms:modified xsi:type="dcterms:W3CDTF">'
        b"2026-12-01T01:18:00Z</dcterms:modified></cp:coreProperties>")
WANT = "2026-12-01T01:18:00+00:00"


def _book(method: int, core: bytes = CORE, before: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/workbook.xml", b"<workbook/>" * 50)
        zf.writestr("docProps/core.xml", core)
    return before + buf.getvalue()


def test_a_deflated_or_stored_part_is_read_from_the_bytes(tmp_path):
    for method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        data = _book(method)
        assert _core_part(data) == CORE
        path = tmp_path / f"book{method}.xlsx"
        path.write_bytes(data)
        assert saved_time(path) == WANT
        assert saved_time(path, data) == WANT


def test_anything_unusual_goes_to_zipfile_with_the_same_time(tmp_path):
    # bytes before the zip (zipfile finds the parts by the offset it works out): not read
    # from the bytes, still the workbook's own time
    data = _book(zipfile.ZIP_DEFLATED, before=b"\0" * 100)
    assert _core_part(data) is None
    path = tmp_path / "prefixed.xlsx"
    path.write_bytes(data)
    assert saved_time(path) == WANT
    # another compression method (bzip2): zipfile reads it
    data = _book(zipfile.ZIP_BZIP2)
    assert _core_part(data) is None
    path.write_bytes(data)
    assert saved_time(path) == WANT
    # a cut file: neither finds the part; the file's own time is used
    data = _book(zipfile.ZIP_DEFLATED)[:-40]
    assert _core_part(data) is None
    path.write_bytes(data)
    assert saved_time(path) != WANT and saved_time(path) != ""
