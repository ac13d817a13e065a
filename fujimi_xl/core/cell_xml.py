"""What python-calamine does not say about a cell, read from the sheet's own XML.

- formulas: calamine gives a formula's cached value as if it had been typed; a cell holding a
  formula is noted, with its formula, and whether a cached value was saved at all;
- cell XML that Excel never writes, which readers take in different ways: several ``<t>``
  directly inside ``<is>`` (calamine joins them: the text doubled), ``<v>`` and ``<is>`` in one
  cell, ``t="d"`` holding something that is not an ISO date;
- the text a number or date was shown with (its number format in ``xl/styles.xml``), asked for
  one cell at a time, only for a text field that holds a number (rare: nothing is parsed for
  the cells of an ordinary file).

The sheet parts were checked by ``package.py`` before anything here reads them; the scans are
byte searches that start only where a trigger (``<f``, ``<is``, ``t="d"``) occurs.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import defusedxml.ElementTree as SafeET
from xlsxwriter.utility import xl_rowcol_to_cell

from fujimi_xl.core import numfmt

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix
_F = re.compile(rb"<" + _P + rb"f[\s/>]")
_V_TAG = re.compile(rb"<" + _P + rb"v[\s/>]")
_IS = re.compile(rb"<" + _P + rb"is[\s/>]")
_T_DATE = re.compile(rb"""<""" + _P + rb"""c\s[^>]*?\bt\s*=\s*["']d["']""")
_C_OPEN = re.compile(rb"<" + _P + rb"c(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_C_CLOSE = re.compile(rb"</" + _P + rb"c\s*>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})["']""")
_T_ATTR = re.compile(rb"""(?:^|\s)t\s*=\s*["']([^"']*)["']""")
_S_ATTR = re.compile(rb"""(?:^|\s)s\s*=\s*["']([0-9]{1,6})["']""")
_V = re.compile(rb"<" + _P + rb"v(?:\s[^>]*)?(?:/>|>([^<]*)</" + _P + rb"v\s*>)")
_F_TEXT = re.compile(rb"<" + _P + rb"f(?:\s[^>]*)?>([^<]*)</" + _P + rb"f\s*>")
_RUN = re.compile(rb"<" + _P + rb"r[\s>].*?</" + _P + rb"r\s*>", re.S)
_PHONETIC = re.compile(rb"<" + _P + rb"rPh[\s>].*?</" + _P + rb"rPh\s*>", re.S)
_T = re.compile(rb"<" + _P + rb"t[\s/>]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
                       r"(?:Z|[+-]\d{2}:\d{2})?$|^T?\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_BACK = 4096  # how far back from a trigger its cell's start tag is looked for


@dataclass(frozen=True, slots=True)
class Note:
    """Something about one cell: ``kind`` is ``formula`` (its cached value is read),
    ``formula_no_value`` or ``odd`` (XML that Excel never writes; ``detail`` says what)."""

    kind: str
    detail: str = ""


def _text(raw: bytes) -> str:
    """The text of an XML text node: the five predefined entities replaced (&amp; last), as
    xml.sax.saxutils.unescape does (that module's import pulls in urllib and http: a tenth
    of every command's start)."""
    text = raw.decode("utf-8", "replace")
    if "&" not in text:
        return text
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1


def _has(xml: bytes, name: bytes) -> bool:
    """Whether a start tag ``name`` (with or without a prefix) may occur: literal searches,
    at C speed, before any regex."""
    return any(lead + name + end in xml for lead in (b"<", b":") for end in (b">", b" ", b"/",
                                                                            b"\t", b"\n", b"\r"))


def _positions(xml: bytes, name: bytes, trigger: re.Pattern[bytes], count: int | None) -> \
        list[int]:
    """Where the start tags ``name`` are: by a literal search when the checks' count of them
    (``count``) says they all have no prefix, else by ``trigger``."""
    if count is not None:
        found, pos, lead = [], xml.find(b"<" + name), len(name) + 1
        while pos >= 0:
            if xml[pos + lead:pos + lead + 1] in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                found.append(pos)
                if len(found) == count:
                    return found
            pos = xml.find(b"<" + name, pos + lead)
        if len(found) == count:
            return found
    return [m.start() for m in trigger.finditer(xml)]


_SI = re.compile(rb"<" + _P + rb"si(?:\s[^>]*)?(?:/>|>(.*?)</" + _P + rb"si\s*>)", re.S)
_SHARED_CELL = re.compile(rb"<" + _P + rb"c\s((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>\s*<" + _P +
                          rb"v\s*>\s*([0-9]+)\s*</")


def odd_strings(sst: bytes, tags: Any = None) -> frozenset[int]:
    """The indexes of the shared strings that Excel never writes so: several <t> directly
    inside one <si>, or a <t> beside rich-text runs (a reader joins them: the text doubled).
    ``tags``: the part's start tags by local name, when the checks counted them."""
    if not sst:
        return frozenset()
    if tags is not None:
        n = tags.get(b"si", 0)
        # every <si> opens with its own <t>, and there are no more <t> than <si>: one each
        if tags.get(b"t", 0) == n and not tags.get(b"r") and sst.count(b"<si><t") == n:
            return frozenset()
    odd = set()
    for i, m in enumerate(_SI.finditer(sst)):
        body = _PHONETIC.sub(b"", m.group(1) or b"")
        runs = _RUN.findall(body)
        direct = len(_T.findall(_RUN.sub(b"", body)))
        if direct > 1 or (direct and runs):
            odd.add(i)
    return frozenset(odd)


def scan(xml: bytes, tags: Any = None, odd: frozenset[int] = frozenset()) -> \
        dict[tuple[int, int], Note]:
    """The notes of a sheet part: 0-based (row, col) -> Note; empty for an ordinary sheet
    without formulas, inline strings or date cells. ``tags``: the part's start tags counted
    by local name (the safety checks'), when known; ``odd``: the shared strings that are
    noted wherever a cell shows them (see odd_strings)."""
    notes: dict[tuple[int, int], Note] = {}
    if odd:
        for m in _SHARED_CELL.finditer(xml):
            t = _T_ATTR.search(m.group(1))
            ref = _R_ATTR.search(m.group(1))
            if t and t.group(1) == b"s" and ref and int(m.group(2)) in odd:
                notes[(int(ref.group(2)) - 1, _col(ref.group(1)))] = Note("odd", "several_t")
    starts: set[int] = set()
    for name, trigger in ((b"f", _F), (b"is", _IS)):
        count = None if tags is None else tags.get(name, 0)
        if count == 0 or (count is None and not _has(xml, name)):
            continue
        if name == b"is" and _plain_inline(xml, tags):
            continue
        for pos in _positions(xml, name, trigger, count):
            cell = _cell_before(xml, pos)
            if cell is not None:
                starts.add(cell)
    if not _one_value_each(xml, tags):
        for m in _V_TAG.finditer(xml):
            cell = _cell_before(xml, m.start())
            if cell is not None:
                starts.add(cell)
    if tags is None or b't="d"' in xml or (b"'" in xml and b"t='d'" in xml):
        for m in _T_DATE.finditer(xml):
            starts.add(m.start())
    for start in sorted(starts):
        opened = _C_OPEN.match(xml, start)
        if opened is None or opened.group(1).rstrip().endswith(b"/"):
            continue
        attrs = opened.group(1)
        ref = _R_ATTR.search(attrs)
        closed = _C_CLOSE.search(xml, opened.end())
        if ref is None or closed is None:
            continue  # no address (the checks sent the part the exact way) or no end
        note = _note(attrs, xml[opened.end():closed.start()])
        if note is not None:
            notes[(int(ref.group(2)) - 1, _col(ref.group(1)))] = note
    return notes


def _one_value_each(xml: bytes, tags: Any) -> bool:
    """Whether no cell can hold two <v>: every <v> is the last thing in its cell (right before
    '</c>'), so there is at most one to a cell. Literal counts (what every writer does)."""
    if tags is None:
        return False
    n = tags.get(b"v", 0)
    found = xml.count(b"</v></c>")
    if found < n:
        found += xml.count(b"<v/></c>") + xml.count(b"<v /></c>")
    return found == n


def _plain_inline(xml: bytes, tags: Any) -> bool:
    """Whether every inline string is one plain <t> right inside its cell and nothing else
    (what openpyxl writes): as many <t> as <is>, no runs, each <is> opening with its <t> right
    after its cell's start tag and closing with it right before the cell's end. Literal
    counts, so a file of many inline strings is not looked at cell by cell."""
    if tags is None:
        return False
    n = tags.get(b"is", 0)
    return (tags.get(b"t", 0) == n and not tags.get(b"r") and not tags.get(b"rPh")
            and xml.count(b't="inlineStr"><is><t') == n and xml.count(b"</t></is></c>") == n
            and b"</v><is>" not in xml and b"/><is>" not in xml)


def _cell_before(xml: bytes, pos: int) -> int | None:
    """The start of the <c> tag that holds the element at ``pos``: the last '<c ' (or '<x:c ')
    before it. Nothing inside a cell's tag and children can look like one (a '<' in text is
    always escaped, and no child's name starts with c)."""
    for back in (256, _BACK):  # a cell's start tag is short: a near look first
        found = _cell_within(xml, pos, max(0, pos - back))
        if found is not None or back >= pos:
            return found
    return None


def _cell_within(xml: bytes, pos: int, lo: int) -> int | None:
    best = -1
    for needle in (b"<c ", b"<c>", b"<c\t", b"<c\n", b"<c\r"):
        best = max(best, xml.rfind(needle, lo, pos))
    for needle in (b":c ", b":c>", b":c\t", b":c\n", b":c\r"):
        colon = xml.rfind(needle, lo, pos)
        if colon > best:
            lt = xml.rfind(b"<", lo, colon)
            if lt > best and _C_OPEN.match(xml, lt):
                best = lt
    return best if best >= 0 and _C_OPEN.match(xml, best) else None


def _note(attrs: bytes, content: bytes) -> Note | None:
    t = _T_ATTR.search(attrs)
    kind = t.group(1) if t else b"n"
    value = _V.search(content)
    inline = _IS.search(content)
    if len(_V_TAG.findall(content)) > 1:
        return Note("odd", "several_v")
    if len(_F.findall(content)) > 1:
        return Note("odd", "several_f")
    if inline is not None:
        if value is not None or _V_TAG.search(content):
            return Note("odd", "v_and_is")
        if kind != b"inlineStr" or _F.search(content):
            return Note("odd", "is_type")
        body = _PHONETIC.sub(b"", content[inline.start():])
        runs = _RUN.findall(body)
        direct = len(_T.findall(_RUN.sub(b"", body)))
        if direct > 1 or (direct and runs):
            return Note("odd", "several_t")
    if kind == b"inlineStr" and inline is None and value is not None:
        return Note("odd", "is_type")  # a value where its inline string should be
    if kind == b"d":
        shown = _text(value.group(1) or b"").strip() if value else ""
        if not _ISO_DATE.match(shown):
            return Note("odd", "date_text")
    f = _F.search(content)
    if f is not None:
        if value is not None and value.start() < f.start():
            return Note("odd", "f_after_v")  # readers disagree on what such a cell holds
        formula = _F_TEXT.search(content)
        text = "=" + _text(formula.group(1)) if formula and formula.group(1) else ""
        # an empty <v> is a saved result only for a text result (="" gives one)
        cached = inline is not None or (value is not None and (
            bool(value.group(1)) or kind == b"str"))
        return Note("formula" if cached else "formula_no_value", text)
    return None


# -- the text a number was shown with ---------------------------------------------------------

@dataclass
class Styles:
    """The number format id of each cell style (cellXfs) and the workbook's own format codes."""

    formats: list[int] = field(default_factory=list)
    custom: dict[int, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: bytes) -> Styles:
        if not data:
            return cls()
        try:
            root = ET.fromstring(data) if b"<!" not in data else SafeET.fromstring(
                data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except Exception:  # a broken styles part: every cell is shown as General
            return cls()
        out = cls()
        for el in root:
            local = el.tag.rpartition("}")[2]
            if local == "numFmts":
                for nf in el:
                    try:
                        out.custom[int(nf.get("numFmtId", ""))] = nf.get("formatCode", "")
                    except ValueError:
                        continue
            elif local == "cellXfs":
                for xf in el:
                    try:
                        out.formats.append(int(xf.get("numFmtId", "0")))
                    except ValueError:
                        out.formats.append(0)
        return out

    def code(self, style: int) -> str | None:
        if not 0 <= style < len(self.formats):
            return None
        return numfmt.code_of(self.formats[style], self.custom)


def shown(xml: bytes, row: int, col: int, styles: Styles, date1904: bool = False) -> \
        str | None:
    """The text the number or date at 0-based (row, col) is shown with, from its number
    format; None when it is not a number, has no format or the format is General."""
    address = xl_rowcol_to_cell(row, col).encode()
    pattern = re.compile(rb"<" + _P + rb"c\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*?\br\s*=\s*[\"']"
                         + address + rb"[\"']((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
    m = pattern.search(xml)
    if m is None:
        return None
    start = xml.rfind(b"<", 0, m.start() + 1)
    opened = _C_OPEN.match(xml, start)
    closed = _C_CLOSE.search(xml, m.end())
    if opened is None or closed is None:
        return None
    attrs = opened.group(1)
    style = _S_ATTR.search(attrs)
    code = styles.code(int(style.group(1))) if style else None
    if code is None:
        return None
    t = _T_ATTR.search(attrs)
    kind = t.group(1) if t else b"n"
    value = _V.search(xml, opened.end(), closed.start())
    if value is None:
        return None
    raw = _text(value.group(1) or b"").strip()
    try:
        if kind == b"n":
            number = float(raw)
        elif kind == b"d":
            when = dt.datetime.fromisoformat(raw.rstrip("Z"))
            base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
            number = (when - base).total_seconds() / 86400
        else:
            return None
    except ValueError:
        return None
    return numfmt.render(number, code, date1904)
