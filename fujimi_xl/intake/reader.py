"""Read a returned file: tell what it really is, check it against limits (package.py), read
its cells.

Content decides, never the extension: a .xlsx may really be .xls, .ods, .xlsm, an encrypted
package, a CSV or an HTML page. Before any native reader sees a zip package, every part of it is
inflated here by our own code (declared sizes, real sizes, compression ratio, CRC) and every XML
part is streamed through expat with DTDs and entities forbidden, counting rows and cells, so
that the limits below are known to hold before python-calamine reads the cells (fast, keeps
values under merged ranges; but it aborts the whole process on a cell at XFD1048576). The sheet
list and the defined names come from ``xl/workbook.xml`` parsed with defusedxml.

.ods and .xls files that carry our identity sheet are converted to .xlsx by LibreOffice
(headless, own profile, time limit) and the converted file goes through the same checks; any
other .ods/.xls is refused with its format named. Macros of an .xlsm are never read or kept.

Everything here runs inside a worker process (``isolate.py``): whatever slips through cannot take
ingest down with it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import posixpath
import shutil
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET  # only for parts without a DTD (see _parse_small)
import zipfile
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET

from fujimi_xl.core import cell_xml
from fujimi_xl.core.messages import FILE_FORMATS
from fujimi_xl.core.messages import intake_words as words
from fujimi_xl.core.model import RawBook, RawSheet
from fujimi_xl.intake.package import (  # noqa: F401  (the limits are part of the reader's interface)
    CONVERT_SECONDS,
    MAIN_NS,
    MAX_BOOK_PART_BYTES,
    MAX_CELL_ELEMENTS,
    MAX_CELLS,
    MAX_FILE_BYTES,
    MAX_INFLATED_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_SCAN_SECONDS,
    MAX_XML_DEPTH,
    NS,
    READ_SECONDS,
    REL_NS,
    Clock,
    ReadRefused,
    Source,
    check_package,
    corrupt,
    excess,
    read_part,
    zip_infos,
)
from fujimi_xl.layouts.manifest import SHEET as MANIFEST_SHEET
from fujimi_xl.output.pdf import libreoffice


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- what is it ---------------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole_has(path: Path, *names: str) -> str | None:
    """The first of ``names`` found as a UTF-16 directory entry name in a compound file."""
    wanted = [(n, n.encode("utf-16-le")) for n in names]
    keep = max(len(b) for _, b in wanted)
    tail = b""
    with open(path, "rb") as fh:
        read = 0
        while read < MAX_FILE_BYTES:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            read += len(chunk)
            blob = tail + chunk
            for name, enc in wanted:
                if enc in blob:
                    return name
            tail = blob[-keep:]
    return None


def sniff(path: Path, data: bytes | None = None) -> str:
    """What the content is: xlsx, xlsm, xlsb, ods, xls, encrypted, empty, csv, html, text, zip,
    docx, pptx, odf, doc, ppt, ole, broken_zip or unknown. Reads no zip part but ``mimetype``.
    ``data``: the file's bytes when the caller has read them already."""
    return sniff_zip(path, data)[0]


def sniff_zip(path: Path, data: bytes | None = None) -> tuple[str, list[zipfile.ZipInfo] | None]:
    """sniff(), and the zip directory of an .xlsx/.xlsm (read once, reused by the checks)."""
    if data is not None:
        head = data[:8192]
    else:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    if not head:
        return "empty", None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        try:
            with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
                infos = zf.infolist()
                names = {i.filename for i in infos}
                if "mimetype" in names:
                    with zf.open("mimetype") as m:
                        mt = m.read(100)
                    if b"opendocument.spreadsheet" in mt:
                        return "ods", None
                    return ("odf" if b"opendocument" in mt else "zip"), None
                if "xl/workbook.xml" in names:
                    return ("xlsm" if "xl/vbaProject.bin" in names else "xlsx"), infos
                if "xl/workbook.bin" in names:
                    return "xlsb", None
                if "word/document.xml" in names:
                    return "docx", None
                if "ppt/presentation.xml" in names:
                    return "pptx", None
                if "[Content_Types].xml" in names or any(n.startswith("xl/") for n in names):
                    return "broken_zip", None
                return "zip", None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError,
                EOFError, NotImplementedError, RuntimeError):
            return "broken_zip", None
    return _sniff_other(path, head), None


def _sniff_other(path: Path, head: bytes) -> str:
    """What a file that is not a zip package is, from its first bytes."""
    if head.startswith(_OLE_MAGIC):
        found = _ole_has(path, "EncryptedPackage", "Workbook", "Book", "WordDocument",
                         "PowerPoint Document")
        return {"EncryptedPackage": "encrypted", "Workbook": "xls", "Book": "xls",
                "WordDocument": "doc", "PowerPoint Document": "ppt"}.get(found or "", "ole")
    if head.startswith(b"%PDF"):
        return "pdf"
    lower = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lower.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table", b"<")):
        return "html"
    if b"\x00" in head:
        return "unknown"
    for enc in ("utf-8", "cp932"):
        try:
            text = head.decode(enc)
        except UnicodeDecodeError:
            continue
        return "csv" if ("," in text or "\t" in text) else "text"
    return "unknown"


# the formats named when a file is not an .xlsx: kind -> (Japanese, English)
FORMAT_NAMES = FILE_FORMATS


# -- limits and deadlines ---------------------------------------------------------------------
BOOK_PARTS = frozenset({"xl/workbook.xml", "xl/_rels/workbook.xml.rels"})
STYLES = "xl/styles.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"


def book_parts(src: Source, clock: Clock, listing: list[zipfile.ZipInfo]) -> \
        tuple[list[tuple[str, str]], dict[str, str], dict[str, str], bool]:
    """Sheets (name, state) in order, defined names, sheet part -> sheet name, and whether
    dates count from 1904, read from xl/workbook.xml and its relationships (both checked
    before they are parsed)."""
    infos = {i.filename: i for i in listing}
    if "xl/workbook.xml" not in infos:
        raise corrupt(words("part_missing", part="xl/workbook.xml"))
    data = read_part(src, infos["xl/workbook.xml"], clock, MAX_BOOK_PART_BYTES)
    rels_info = infos.get("xl/_rels/workbook.xml.rels")
    if rels_info is None:
        raise corrupt(words("part_missing", part="xl/_rels/workbook.xml.rels"))
    rels = read_part(src, rels_info, clock, MAX_BOOK_PART_BYTES)
    try:
        root, rel_root = _parse_small(data), _parse_small(rels)
    except Exception as exc:  # ParseError and defusedxml's refusals
        raise corrupt(f"workbook.xml: {type(exc).__name__}") from exc
    targets = {}
    for rel in rel_root:
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
        targets[rel.get("Id", "")] = full
    sheets: list[tuple[str, str]] = []
    parts: dict[str, str] = {}
    for s in root.iter():
        if s.tag.rpartition("}")[2] != "sheet" or s.tag.rpartition("}")[0].lstrip("{") \
                not in MAIN_NS:
            continue
        name = s.get("name", "")
        sheets.append((name, s.get("state", "visible")))
        rid = next((v for k, v in s.attrib.items()
                    if k.rpartition("}")[2] == "id" and k.rpartition("}")[0].lstrip("{")
                    in REL_NS), "")
        part = targets.get(rid)
        if part is None or part not in infos:
            raise corrupt(words("sheet_part_missing", sheet=name[:30], part=(part or rid)[:50]))
        parts[part] = name
    if not sheets:
        raise corrupt(words("no_sheets"))
    names: dict[str, str] = {}
    date1904 = False
    for d in root.iter():
        local = d.tag.rpartition("}")[2]
        if local == "definedName" and d.get("localSheetId") is None:
            names[d.get("name", "")] = (d.text or "").strip()
        elif local == "workbookPr":
            date1904 = d.get("date1904", "").lower() in ("1", "true")
    return sheets, names, parts, date1904


def _parse_small(data: bytes) -> Any:
    """A small checked part as a tree: C ElementTree when it declares nothing (no DTD, so no
    entity can be defined), defusedxml otherwise."""
    if b"<!" not in data:
        return ET.fromstring(data)
    return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _native(exc: BaseException) -> None:
    """Re-raise what must never be swallowed; everything else a native reader raises (pyo3's
    PanicException is a BaseException) becomes a refusal."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc


def read_cells(src: Source, kind: str, order: list[tuple[str, str]],
                names: dict[str, str], xml: dict[str, bytes] | None = None,
                tags: dict[str, Any] | None = None,
                odd_strings: frozenset[int] = frozenset()) -> RawBook:
    """The cells of every sheet; ``xml``: sheet name -> its part, for the notes of each,
    ``tags`` its start tags by local name (when the checks counted them), ``odd_strings`` the
    shared strings noted wherever they show."""
    import python_calamine as pc

    try:
        wb = (pc.CalamineWorkbook.from_filelike(io.BytesIO(src)) if isinstance(src, bytes)
              else pc.CalamineWorkbook.from_path(str(src)))
    except BaseException as exc:  # calamine raises its own error types
        _native(exc)
        raise corrupt(f"{type(exc).__name__}: {exc}"[:200]) from exc
    states = dict(order)
    sheets = []
    try:
        for name in wb.sheet_names:
            try:
                sh = wb.get_sheet_by_name(name)
                end = sh.end
                if end is not None:
                    rows, cols = end[0] + 1, end[1] + 1
                    if rows > MAX_ROWS or rows * cols > MAX_CELLS:
                        raise excess(
                            words("used_range_of", where=words("where_sheet", sheet=name)),
                            words("rows_by_cols", rows=f"{rows:,}", cols=f"{cols:,}"),
                            words("cells", n=f"{MAX_CELLS:,}"))
                    grid = sh.to_python(skip_empty_area=False)
                    for i, row in enumerate(grid):  # 12.0 → 12, only in rows holding a float
                        if float in map(type, row):
                            grid[i] = [_plain(v) for v in row]
                else:
                    grid = []
                merged = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or [])]
            except ReadRefused:
                raise
            except BaseException as exc:  # a broken sheet part
                _native(exc)
                raise corrupt(words("sheet_error", sheet=name, error=type(exc).__name__)) \
                    from exc
            sheet = RawSheet(name, states.get(name, "visible"), grid, merged)
            if xml and name in xml:
                sheet.xml = xml[name]
                sheet.tags = (tags or {}).get(name)
                sheet.odd_strings = odd_strings
            sheets.append(sheet)
    finally:
        with contextlib.suppress(Exception):
            wb.close()
    return RawBook(kind, sheets, names)


def _read_xlsx(src: Source, kind: str, until: float,
               infos: list[zipfile.ZipInfo] | None = None) -> RawBook:
    """Check an .xlsx/.xlsm package part by part, then read its cells. ``infos``: its zip
    directory, when the caller has read it already."""
    clock = Clock(MAX_SCAN_SECONDS, words("time_scan"), until)
    listing = zip_infos(src, infos)  # the zip directory, read once
    order, names, parts, date1904 = book_parts(src, clock, listing)
    sst = next((i.filename for i in listing if i.filename == SHARED_STRINGS), None) or next(
        (i.filename for i in listing if i.filename.lower().endswith("sharedstrings.xml")), "")
    pkg = check_package(src, clock, parts, infos=listing, checked=BOOK_PARTS,
                         keep=frozenset({*parts, STYLES, sst}))
    kept = pkg.kept
    missing = [p for p in (*parts, sst) if p and p not in kept]
    if missing:  # parts too big to be kept by the checks: inflated again (limits known)
        with zipfile.ZipFile(io.BytesIO(src) if isinstance(src, bytes) else src) as zf:
            kept = {**kept, **{p: zf.read(p) for p in missing}}
    odd = cell_xml.odd_strings(kept.get(sst, b""), pkg.tags.get(sst))
    book = read_cells(src, kind, order, names, {parts[p]: kept[p] for p in parts},
                       {parts[p]: t for p, t in pkg.tags.items() if p in parts}, odd)
    book.styles_xml = kept.get(STYLES, b"")
    book.date1904 = date1904
    return book


# -- .ods and .xls: converted by LibreOffice when they carry our identity -------------------

def _convert(path: Path, kind: str, work: Path, until: float) -> Path:
    """Convert ``path`` to .xlsx with LibreOffice headless in ``work``; refuses on failure."""
    exe = libreoffice()
    if exe is None:
        raise ReadRefused("other_format", format=FORMAT_NAMES[kind])
    src_dir, out_dir, profile = work / "in", work / "out", work / "profile"
    for d in (src_dir, out_dir, profile):
        d.mkdir()
    src = src_dir / f"returned.{kind}"
    shutil.copyfile(path, src)
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
           "--norestore", "--nologo", "--nodefault", "--nolockcheck",
           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), str(src)]
    env = {**os.environ, "HOME": str(profile)}
    seconds = max(0.1, min(CONVERT_SECONDS, until - time.monotonic()))
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env, cwd=str(work),
                            start_new_session=True)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        n = f"{seconds:.3g}"
        raise excess(words("time_convert"), words("seconds_over", n=n),
                     words("seconds", n=n)) from exc
    out = out_dir / "returned.xlsx"
    if proc.returncode != 0 or not out.is_file():
        raise ReadRefused("other_format", format=FORMAT_NAMES[kind])
    return out


def _xls_may_be_ours(path: Path) -> bool:
    """A sheet named _fujimi is stored in the .xls as 8-bit or UTF-16 text."""
    wanted = (MANIFEST_SHEET.encode("latin-1"), MANIFEST_SHEET.encode("utf-16-le"))
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            blob = tail + chunk
            if any(w in blob for w in wanted):
                return True
            tail = blob[-16:]
    return False


def _read_converted(path: Path, kind: str, until: float) -> RawBook:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise excess(words("file_size"), words("bytes", n=f"{size:,}"),
                     words("bytes", n=f"{MAX_FILE_BYTES:,}"))
    if kind == "ods":
        clock = Clock(MAX_SCAN_SECONDS, words("time_scan"), until)
        # a password-protected .ods lists how each part is encrypted in its manifest; its
        # parts are not XML any more, so this is asked first
        man = next((i for i in zip_infos(path) if i.filename == "META-INF/manifest.xml"), None)
        if man is not None and b"encryption-data" in read_part(path, man, clock,
                                                                MAX_BOOK_PART_BYTES):
            raise ReadRefused("encrypted")
        pkg = check_package(path, clock, ods=True)
        ours = MANIFEST_SHEET in pkg.tables
    else:
        ours = _xls_may_be_ours(path)
    if not ours:
        raise ReadRefused("other_format", format=FORMAT_NAMES[kind])
    work = Path(tempfile.mkdtemp(prefix="fujimi-convert-"))
    try:
        converted = _convert(path, kind, work, until)
        book = _read_xlsx(converted, kind, until)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if book.sheet(MANIFEST_SHEET) is None:
        raise ReadRefused("other_format", format=FORMAT_NAMES[kind])
    return book


# -- the entry point ------------------------------------------------------------------------

def read_book(path: str | Path, data: bytes | None = None) -> RawBook:
    """Read every sheet of a returned workbook. Raises ReadRefused for anything unreadable.
    ``data``: the file's bytes when the caller has read them already (an .xlsx is then read
    from memory, not opened again)."""
    path = Path(path)
    until = time.monotonic() + READ_SECONDS
    kind, infos = sniff_zip(path, data)
    if kind == "empty":
        raise corrupt(words("empty_file"))
    if kind == "encrypted":
        raise ReadRefused("encrypted")
    if kind in ("ods", "xls"):
        return _read_converted(path, kind, until)
    if kind in FORMAT_NAMES:
        raise ReadRefused("other_format", format=FORMAT_NAMES[kind])
    if kind == "broken_zip":
        try:
            with zipfile.ZipFile(path) as zf:
                zf.infolist()
        except Exception:  # any failure to open is the same refusal
            raise corrupt(words("zip_truncated")) from None
        raise corrupt(words("part_missing", part="xl/workbook.xml"))
    if kind not in ("xlsx", "xlsm"):
        raise corrupt(words("not_excel"))
    return _read_xlsx(path if data is None else data, kind, until, infos)
