"""The safety checks of a zip package, before any native reader sees it.

Every part is inflated here by our own code (declared sizes, real sizes, compression ratio, CRC)
and every XML part is checked: ordinary parts by C-speed byte scans, anything unusual streamed
through expat with DTDs and entities forbidden, counting rows and cells, so that the limits below
are known to hold before python-calamine reads the cells (it aborts the whole process on a cell
at XFD1048576). A limit that is hit is named in the refusal.
"""

from __future__ import annotations

import io
import os
import re
import struct
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from xlsxwriter.utility import xl_col_to_name

from fujimi_xl.core.messages import intake_words as words

# -- limits checked before and during reading ---------------------------------------------------
MiB = 1024 * 1024
MAX_FILE_BYTES = 50 * MiB  # size of the file as sent
MAX_MEMBERS = 2000  # parts inside a zip package
MAX_INFLATED_BYTES = 200 * MiB  # all parts together once inflated (declared and real)
MAX_RATIO = 200  # inflated / compressed, for parts inflating to more than RATIO_FLOOR
RATIO_FLOOR = 1 * MiB
MAX_BOOK_PART_BYTES = 10 * MiB  # xl/workbook.xml and its relationships
MAX_ROWS = 100_000  # highest row holding a value, and <row> elements of one sheet
MAX_CELLS = 2_000_000  # A1-based used range of one sheet (rows x columns) and of all sheets
MAX_CELL_ELEMENTS = 2_000_000  # <c> elements of one sheet, styled empty ones included
MAX_XML_DEPTH = 256  # nesting of XML elements
MAX_SCAN_SECONDS = 15.0  # parse time of the checks of one package
READ_SECONDS = 45.0  # one whole read, conversion included (below isolate.TIME_LIMIT)
CONVERT_SECONDS = 30.0  # one LibreOffice conversion

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
MAIN_NS = {"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main"}  # where <sheet> is looked for
REL_NS = {"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           "http://purl.oclc.org/ooxml/officeDocument/relationships"}
_ODS_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_SEP = "\x1f"  # expat's namespace separator: "uri<SEP>local"


Words = tuple[str, str]  # a text in Japanese and English (core.messages.intake_words)


class ReadRefused(Exception):
    """The file cannot be read; ``code`` and ``params`` say why (a message catalogue entry).
    A parameter given as Words is kept in both languages: ``name`` in Japanese and
    ``name_en`` in English (the catalogue's render takes the one of its language)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, tuple):
                self.params[key], self.params[f"{key}_en"] = value
            else:
                self.params[key] = value

    def __reduce__(self) -> tuple[Any, ...]:  # survives pickling between processes
        return (_refused, (self.code, self.params))


def _refused(code: str, params: dict[str, Any]) -> ReadRefused:
    return ReadRefused(code, **params)


def excess(limit: Words | str, found: Words | Any, allowed: Words | Any) -> ReadRefused:
    """The refusal of a file that goes over a limit (named in both languages)."""
    return ReadRefused("limit_exceeded", limit=limit, found=found, allowed=allowed)


def corrupt(detail: Words | str) -> ReadRefused:
    """The refusal of a file that is not a readable workbook (what is broken, in both
    languages)."""
    return ReadRefused("not_workbook", detail=detail)


class Clock:
    """A deadline for one step; ``check()`` refuses the file once it has passed."""

    def __init__(self, seconds: float, label: Words | str, until: float | None = None) -> None:
        end = time.monotonic() + seconds
        self.end = min(end, until) if until is not None else end
        self.seconds = seconds
        self.label = label

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.end:
            n = f"{self.seconds:.0f}"
            raise excess(self.label, words("seconds_over", n=n), words("seconds", n=n))


# -- zip parts: inflated by us, checked as they inflate --------------------------------------

Source = Path | bytes  # a file on disk, or its bytes when the caller has already read them


def _open(src: Source) -> Any:
    return io.BytesIO(src) if isinstance(src, bytes) else open(src, "rb")


def zip_infos(src: Source, infos: list[zipfile.ZipInfo] | None = None) -> \
        list[zipfile.ZipInfo]:
    """The zip directory (``infos`` when the caller has read it), checked against the limits."""
    size = len(src) if isinstance(src, bytes) else src.stat().st_size
    if size > MAX_FILE_BYTES:
        raise excess(words("file_size"), words("bytes", n=f"{size:,}"),
                     words("bytes", n=f"{MAX_FILE_BYTES:,}"))
    if infos is None:
        try:
            with zipfile.ZipFile(io.BytesIO(src) if isinstance(src, bytes) else src) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
                NotImplementedError, RuntimeError) as exc:
            ja, en = words("zip_broken", error=exc)
            raise corrupt((ja[:120], en[:120])) from exc
    if len(infos) > MAX_MEMBERS:
        raise excess(words("part_count"), f"{len(infos):,}", f"{MAX_MEMBERS:,}")
    seen: set[str] = set()
    for i in infos:
        if i.filename in seen:
            raise corrupt(words("zip_same_name", part=i.filename[:60]))
        seen.add(i.filename)
    total = sum(i.file_size for i in infos)
    if total > MAX_INFLATED_BYTES:
        raise excess(words("inflated_size"), words("bytes", n=f"{total:,}"),
                     words("bytes", n=f"{MAX_INFLATED_BYTES:,}"))
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise excess(words("ratio_of", part=i.filename[:40]),
                         words("times", n=f"{i.file_size // max(i.compress_size, 1):,}"),
                         words("times", n=MAX_RATIO))
    return infos


def _inflate(fh: Any, info: zipfile.ZipInfo, clock: Clock) -> Iterator[bytes]:
    """The inflated bytes of one part, never more than it declares; CRC checked at the end."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise ReadRefused("encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise corrupt(words("part_method", part=name[:60], method=info.compress_type))
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise corrupt(words("part_header", part=name[:60]))
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    raw_name = fh.read(name_len)
    enc = "utf-8" if info.flag_bits & 0x800 else "cp437"
    if raw_name.decode(enc, "replace") != info.orig_filename:
        raise corrupt(words("part_name_differs", part=name[:60]))
    fh.seek(extra_len, os.SEEK_CUR)
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced = 0
    crc = 0
    try:
        while left > 0 and not (inflater is not None and inflater.eof):
            raw = fh.read(min(1 << 16, left))
            if not raw:
                raise corrupt(words("part_cut", part=name[:60]))
            left -= len(raw)
            for out in (_drain(inflater, raw) if inflater is not None else (raw,)):
                produced += len(out)
                if produced > info.file_size:
                    _overrun(fh, inflater, left, produced, info, clock)
                crc = zlib.crc32(out, crc)
                yield out
            clock.check()
    except zlib.error as exc:
        raise corrupt(words("part_data_broken", part=name[:60])) from exc
    if inflater is not None and not inflater.eof:
        raise corrupt(words("part_data_cut", part=name[:60]))
    if produced != info.file_size or crc != info.CRC:
        raise corrupt(words("part_crc", part=name[:60]))


OVERRUN_SLACK = 1 * MiB  # past the declared size, how far damaged data may inflate


def _overrun(fh: Any, inflater: Any, left: int, produced: int, info: zipfile.ZipInfo,
             clock: Any) -> None:
    """A part inflating past its declared size: damaged data (it soon ends, or breaks) is a
    broken workbook; data that keeps inflating is a bomb whose header lies, a limit."""
    name = info.filename
    broken = corrupt(words("part_size_differs", part=name[:60]))
    if inflater is None:
        raise broken
    try:
        for out in _drain(inflater, inflater.unconsumed_tail):  # what the caller left
            produced += len(out)
            if produced > info.file_size + OVERRUN_SLACK:
                raise _overran(info)
        while left > 0 and not inflater.eof:
            raw = fh.read(min(1 << 16, left))
            if not raw:
                raise broken
            left -= len(raw)
            for out in _drain(inflater, raw):
                produced += len(out)
                if produced > info.file_size + OVERRUN_SLACK:
                    raise _overran(info)
            clock.check()
    except zlib.error as exc:
        raise broken from exc
    raise broken


def _overran(info: zipfile.ZipInfo) -> ReadRefused:
    """The refusal of a part that inflates well past the size it declares (a bomb)."""
    declared = f"{info.file_size:,}"
    return excess(words("inflated_size_of", part=info.filename[:40]),
                  words("over_declared", n=declared), words("bytes", n=declared))


def _drain(inflater: Any, raw: bytes, step: int = 1 << 20) -> Iterator[bytes]:
    """Inflate ``raw`` in pieces of at most ``step`` bytes, so a bomb is seen as it grows."""
    buf = raw
    while not inflater.eof:
        out = inflater.decompress(buf, step)
        if out:
            yield out
        buf = inflater.unconsumed_tail
        if not buf and len(out) < step:
            break


class _XmlScan:
    """Stream one XML part through expat: no DTD, no entities, bounded depth; counts the rows
    and cells of a worksheet and the tables of an .ods ``content.xml``."""

    def __init__(self, part: str, sheet: str | None) -> None:
        self.part = part
        self.sheet = sheet  # sheet name for messages (None when the part is not a sheet)
        self.depth = 0
        self.sheet_data = 0  # depth of the open <sheetData>, 0 outside it
        self.row_elements = 0
        self.cell_elements = 0
        self.row = 0  # 1-based current row
        self.col = 0  # 1-based current column
        self.row_element = 0  # 1-based row of the open <row> (its r, or the one before + 1)
        self.open_cell: tuple[tuple[int, int], ...] | None = None
        self.max_row = 0
        self.max_col = 0
        self.tables: list[str] = []
        p = expat.ParserCreate(namespace_separator=_SEP)
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self._doctype
        p.EntityDeclHandler = self._entity
        p.ExternalEntityRefHandler = self._external
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        self.parser = p

    # expat handlers -----------------------------------------------------------------
    def _doctype(self, *_: Any) -> None:
        raise ReadRefused("unsafe_xml", part=self.part, detail="DTD (<!DOCTYPE>)")

    def _entity(self, *_: Any) -> None:
        raise ReadRefused("unsafe_xml", part=self.part, detail=words("xml_entity"))

    def _external(self, *_: Any) -> int:
        raise ReadRefused("unsafe_xml", part=self.part, detail=words("xml_external"))

    def _where(self) -> Words:
        return _where(self.part, self.sheet)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise excess(words("xml_depth_of", where=self._where()),
                         words("levels_over", n=self.depth), words("levels", n=MAX_XML_DEPTH))
        ns, _, local = name.rpartition(_SEP)
        if self.open_cell is not None:  # a child of <c>: the cell holds something
            for row, col in self.open_cell:
                self._valued(row, col)
            self.open_cell = None
        # python-calamine takes <row> and <c> by local name anywhere inside <sheetData>, in any
        # namespace or none, whatever their parent: they are counted the same way here
        if self.sheet_data:
            if local == "row":
                self.row_elements += 1
                if self.row_elements > MAX_ROWS:
                    raise excess(words("rows_of", where=self._where()),
                                 words("rows_over", n=f"{MAX_ROWS:,}"),
                                 words("rows", n=f"{MAX_ROWS:,}"))
                r = self._ref_attr(attrs)
                if r is not None and not r.isdigit():
                    raise corrupt(words("bad_row_number", where=self._where(), ref=r[:20]))
                # a row without r follows the row before it; whether a reader counts from
                # that <row> or from the last addressed cell in it, the higher is counted
                self.row = int(r) if r else max(self.row, self.row_element) + 1
                self.row_element = self.row
                self.col = 0
            elif local == "c":
                self.cell_elements += 1
                if self.cell_elements > MAX_CELL_ELEMENTS:
                    raise excess(words("cells_of", where=self._where()),
                                 words("over", n=f"{MAX_CELL_ELEMENTS:,}"),
                                 f"{MAX_CELL_ELEMENTS:,}")
                r = self._ref_attr(attrs)
                if r is None:
                    # a reader may place a cell without an address on the row of its <row>
                    # or on the row of the cell before it: both are counted
                    self.col += 1
                    self.open_cell = ((self.row, self.col), (self.row_element, self.col))
                else:
                    ref = _parse_ref(r)
                    if ref is None:
                        raise corrupt(words("bad_cell_ref", where=self._where(), ref=r[:20]))
                    self.row, self.col = ref[0] or self.row, ref[1]
                    self.open_cell = ((self.row, self.col),)
        elif local == "sheetData":
            self.sheet_data = self.depth
        if ns == _ODS_TABLE_NS and local == "table":
            self.tables.append(attrs.get(f"{_ODS_TABLE_NS}{_SEP}name", ""))

    def _ref_attr(self, attrs: dict[str, str]) -> str | None:
        """The ``r`` attribute, whatever its prefix; two of them are refused as ambiguous."""
        found = [v for k, v in attrs.items() if k.rpartition(_SEP)[2] == "r"]
        if len(found) > 1:
            raise corrupt(words("two_refs", where=self._where()))
        return found[0] if found else None

    def _end(self, name: str) -> None:
        if self.sheet_data == self.depth:
            self.sheet_data = 0
        self.depth -= 1
        self.open_cell = None

    def _valued(self, row: int, col: int) -> None:
        """A cell at (row, col), 1-based, holds a value: the used range reaches it."""
        if row > self.max_row or col > self.max_col:
            self.max_row = max(self.max_row, row)
            self.max_col = max(self.max_col, col)
            area = self.max_row * self.max_col
            if area > MAX_CELLS or self.max_row > MAX_ROWS:
                corner = f"A1:{xl_col_to_name(max(self.max_col, 1) - 1)}{self.max_row}"
                raise excess(words("used_range_of", where=self._where()),
                             words("range_area", range=corner, rows=f"{self.max_row:,}",
                                   cols=f"{self.max_col:,}"),
                             words("cells", n=f"{MAX_CELLS:,}"))

    # feeding ------------------------------------------------------------------------
    def feed(self, data: bytes, final: bool = False) -> None:
        self.parser.Parse(data, final)

    @property
    def area(self) -> int:
        return self.max_row * self.max_col


def _where(part: str, sheet: str | None) -> Words:
    """Where in the package, for a refusal: the sheet (an unnamed one said so), or the part."""
    if sheet is None:
        return words("where_part", part=part[:40])
    return words("where_sheet", sheet=sheet or words("unnamed_sheet"))


_REF_RE = re.compile(r"^\$?([A-Za-z]+)\$?(\d*)$")


def _parse_ref(ref: str) -> tuple[int, int] | None:
    """(1-based row or 0 when absent, 1-based column) of an A1 reference; None if it is not one."""
    m = _REF_RE.match(ref)
    if not m or len(ref) > 40:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return (int(m.group(2)) if m.group(2) else 0), col


def _looks_xml(name: str, first: bytes) -> bool:
    if name.lower().endswith((".xml", ".rels", ".vml")):
        return True
    head = first[:64].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
    return head.startswith(b"<")


@dataclass
class _Package:
    """What the checks found in a zip package."""

    infos: list[zipfile.ZipInfo]
    tables: list[str] = field(default_factory=list)  # .ods only
    kept: dict[str, bytes] = field(default_factory=dict)  # inflated parts the caller asked for
    tags: dict[str, Counter[bytes]] = field(default_factory=dict)  # of kept sheets, by name


def read_part(src: Source, info: zipfile.ZipInfo, clock: Clock, limit: int) -> bytes:
    """One small part, inflated and XML-checked, for parsing afterwards. A part with no
    markup declaration at all (no DTD, no entity, no comment: what Excel writes) needs no
    careful pass: without a DTD there is nothing to expand, and its size is limited."""
    if info.file_size > limit:
        raise excess(words("size_of", part=info.filename), words("bytes", n=f"{info.file_size:,}"),
                     words("bytes", n=f"{limit:,}"))
    with _open(src) as fh:
        data = b"".join(_inflate(fh, info, clock))
    if b"<!" not in data:
        return data
    scan = _XmlScan(info.filename, None)
    try:
        scan.feed(data, True)
    except expat.ExpatError as exc:
        raise _xml_broken(info, exc) from exc
    return data


def _xml_broken(info: zipfile.ZipInfo, exc: expat.ExpatError) -> ReadRefused:
    return corrupt(words("part_xml_broken", part=info.filename[:60],
                         error=expat.ErrorString(exc.code)))


FAST_SCAN_BYTES = 8 * MiB  # parts up to this size are checked by the fast scan first
# what Excel, LibreOffice and xlsxwriter write in a worksheet part: nothing in it can nest
# without bound, so a part made of these names has a small depth by construction
_SHEET_NAMES = frozenset(
    b"worksheet sheetPr tabColor outlinePr pageSetUpPr dimension sheetViews sheetView pane "
    b"selection sheetFormatPr cols col sheetData row c v f is t r rPr rFont b i u sz color "
    b"family scheme charset vertAlign strike outline shadow condense extend rPh phoneticPr "
    b"sheetCalcPr sheetProtection protectedRanges protectedRange mergeCells mergeCell "
    b"phoneticPr conditionalFormatting cfRule formula dataValidations dataValidation "
    b"formula1 formula2 hyperlinks hyperlink printOptions pageMargins pageSetup headerFooter "
    b"oddHeader oddFooter evenHeader evenFooter firstHeader firstFooter rowBreaks colBreaks "
    b"brk drawing legacyDrawing legacyDrawingHF picture oleObjects controls tableParts "
    b"tablePart extLst ext autoFilter sortState filterColumn customSheetViews ignoredErrors "
    b"ignoredError colorScale dataBar iconSet cfvo x14:id".split())
# the shared strings part: rich text runs, nothing that nests without bound
_SST_NAMES = frozenset(
    b"sst si t r rPr rFont b i u sz color family scheme charset vertAlign strike outline "
    b"shadow condense extend rPh phoneticPr extLst ext".split())


_TAG = re.compile(rb"<(?![/?])([^\s/>]*)")  # the name of every start tag ('' if none)
_PREFIX = re.compile(rb"^[A-Za-z_][\w.-]*:")
# a whole start tag of a cell (of a row) with exactly one plain r="…" among its attributes, each
# attribute matched with its quoted value: an r="…" typed inside a text or inside another
# attribute's value is never taken for an address. A part whose <c>/<row> tags do not all
# match (no r, two r, an r with a prefix or in single quotes, a value with $ or lower case)
# goes the exact way (expat).
_NAME = rb"[A-Za-z_][\w.-]*"
_OTHER_ATTR = (rb"\s+(?!(?:" + _NAME + rb":)?r\s*=)(?:" + _NAME + rb":)?" + _NAME +
               rb"\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_CELL_TAG = re.compile(rb"<(?:" + _NAME + rb":)?c(?:" + _OTHER_ATTR + rb')*\s+r="([A-Z]{1,3})'
                       rb'([0-9]{1,7})"(?:' + _OTHER_ATTR + rb")*\s*/?>")
_ROW_TAG = re.compile(rb"<(?:" + _NAME + rb":)?row(?:" + _OTHER_ATTR + rb')*\s+r="([0-9]{1,7})"'
                      rb"(?:" + _OTHER_ATTR + rb")*\s*/?>")
# what Excel, LibreOffice, openpyxl and xlsxwriter write: the address as the tag's first
# attribute. Outside comments, CDATA and processing instructions (which send a part the exact
# way) a '<' always starts a tag, so each match is a real tag and its address: when the
# matches are as many as the tags, every tag has been read (a literal search, at C speed)
_CELL_FIRST = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_FIRST = re.compile(rb'<row r="([0-9]{1,7})"')

def _local_names(names: frozenset[bytes]) -> frozenset[bytes]:
    return frozenset(n.split(b":")[-1] for n in names)


_SHEET_LOCAL = _local_names(_SHEET_NAMES)
_SST_LOCAL = _local_names(_SST_NAMES)


def _tags(data: bytes, known: frozenset[bytes]) -> Counter[bytes] | None:
    """How many start tags of each local name; None when one is not in ``known`` (or is not
    a well-formed name at all)."""
    counts: Counter[bytes] = Counter()
    for name, n in Counter(_TAG.findall(data)).items():
        if b":" in name:
            m = _PREFIX.match(name)
            if m is None:
                return None
            name = name[m.end():]
        if name not in known:
            return None
        counts[name] += n
    return counts


class _Fast:
    """The counts of the fast scan, shaped like _XmlScan's for its caller."""

    def __init__(self, area: int, tags: Counter[bytes] | None = None) -> None:
        self.area = area
        self.tables: list[str] = []
        self.tags = tags  # start tags by local name (a sheet part)


def _fast_scan(data: bytes, sheet: str | None) -> _Fast | None:
    """The same limits as _XmlScan, checked with C-speed byte scans, for the parts Excel and
    its kind write. Returns None (use expat) when the part has anything unusual: a DTD, an
    entity, a comment, CDATA or a processing instruction, unknown element names in a sheet, a
    cell or row whose start tag does not carry its own plain address, or (outside sheets)
    more elements than the depth limit.

    It counts what the XML holds, not what text can imitate: the addresses are read from the
    start tags themselves (a '<' outside those constructs always starts a tag; an attribute
    value is skipped whole), so ' r="A1"' typed in a text or hidden in another attribute is
    never taken for a cell, and a cell without an address sends the part to expat."""
    if sheet is None:
        if data[:200].find(b"<sst") >= 0:  # a start tag '<!…' is not a known name either
            sst = _tags(data, _SST_LOCAL)
            return _Fast(0, sst) if sst is not None else None
        if b"<!" in data:
            return None
        # depth can be no more than the number of elements
        if data.count(b"<") - data.count(b"</") - data.count(b"<?") <= MAX_XML_DEPTH:
            return _Fast(0)
        return None
    if data.count(b"<?") > 1:  # a processing instruction besides the XML declaration
        return None
    tags = _tags(data, _SHEET_LOCAL)  # '<!' (DTD, comment, CDATA) is an unknown name too
    if tags is None:
        return None
    cells, rows = tags[b"c"], tags[b"row"]
    # every <c> and <row> start tag must carry its own address, read from the tag itself
    refs = _CELL_FIRST.findall(data)
    if len(refs) != cells:
        refs = _CELL_TAG.findall(data)
        if len(refs) != cells:
            return None
    row_refs = _ROW_FIRST.findall(data)
    if len(row_refs) != rows:
        row_refs = _ROW_TAG.findall(data)
        if len(row_refs) != rows:
            return None
    if rows > MAX_ROWS:
        raise excess(words("rows_of", where=_where("", sheet)),
                     words("rows_over", n=f"{MAX_ROWS:,}"), words("rows", n=f"{MAX_ROWS:,}"))
    if cells > MAX_CELL_ELEMENTS:
        raise excess(words("cells_of", where=_where("", sheet)),
                     words("over", n=f"{MAX_CELL_ELEMENTS:,}"), f"{MAX_CELL_ELEMENTS:,}")
    columns, numbers = zip(*refs, strict=True) if refs else ((), ())
    max_row = max(map(int, {*numbers, *row_refs}), default=0)
    max_col = 0
    for letters in set(columns):
        n = 0
        for ch in letters:
            n = n * 26 + ch - 64
        max_col = max(max_col, n)
    # conservative: every addressed cell counts, valued or not
    if max_row > MAX_ROWS or max_row * max_col > MAX_CELLS:
        return None  # let the careful pass measure the cells that hold values, and name them
    return _Fast(max_row * max_col, tags)


def _all_sheets(area: int) -> ReadRefused:
    return excess(words("all_sheets_area"), words("cells_over", n=f"{area:,}"),
                  words("cells", n=f"{MAX_CELLS:,}"))


def check_package(src: Source, clock: Clock, sheet_parts: dict[str, str] | None = None,
                   ods: bool = False, infos: list[zipfile.ZipInfo] | None = None,
                   checked: frozenset[str] = frozenset(),
                   keep: frozenset[str] = frozenset()) -> _Package:
    """Inflate and check every part; XML parts are parsed with the limits above. ``infos``
    is the zip directory when the caller already read it; ``checked`` parts were already
    inflated and checked by the caller and are not done twice. The bytes of the ``keep``
    parts that were inflated whole (up to FAST_SCAN_BYTES) are kept in ``kept``."""
    infos = infos if infos is not None else zip_infos(src)
    pkg = _Package(infos)
    # a sheet whose name is empty is still a sheet (calamine reads it): never checked as a
    # mere part (its sheet name is '', a part that is no sheet has None)
    sheet_parts = sheet_parts or {}
    total_area = 0
    with _open(src) as fh:
        for info in infos:
            if info.is_dir() or info.filename in checked:
                continue
            scan: Any = None
            tolerant = info.filename.lower().endswith(".vml")  # Excel writes sloppy VML
            first = True
            if not ods and info.file_size <= FAST_SCAN_BYTES:
                data = b"".join(_inflate(fh, info, clock))
                if info.filename in keep:
                    pkg.kept[info.filename] = data
                if _looks_xml(info.filename, data[:64]):
                    scan = _fast_scan(data, sheet_parts.get(info.filename))
                    if scan is None:  # anything unusual: the careful expat pass
                        scan = _XmlScan(info.filename, sheet_parts.get(info.filename))
                        try:
                            scan.feed(data, True)
                        except expat.ExpatError as exc:
                            if not tolerant:
                                raise _xml_broken(info, exc) from exc
                            scan = None
                    if info.filename in keep and getattr(scan, "tags", None) is not None:
                        pkg.tags[info.filename] = scan.tags
                    if scan is not None:
                        total_area += scan.area
                        if total_area > MAX_CELLS:
                            raise _all_sheets(total_area)
                continue
            try:
                for chunk in _inflate(fh, info, clock):
                    if first:
                        first = False
                        if _looks_xml(info.filename, chunk):
                            scan = _XmlScan(info.filename, sheet_parts.get(info.filename))
                    if scan is not None:
                        try:
                            scan.feed(chunk)
                        except expat.ExpatError:
                            if not tolerant:
                                raise
                            scan = None
                if scan is not None:
                    scan.feed(b"", True)
            except expat.ExpatError as exc:
                raise _xml_broken(info, exc) from exc
            if scan is not None:
                total_area += scan.area
                if total_area > MAX_CELLS:
                    raise _all_sheets(total_area)
                if ods and info.filename == "content.xml":
                    pkg.tables = scan.tables
    return pkg

