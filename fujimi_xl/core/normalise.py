"""Normalise what staff typed before it is validated: NFKC, trimming, line breaks, numbers.

Full-width letters and digits become half-width (Ａ→A, １２→12), half-width katakana full-width,
CRLF and CR become LF, spaces at the ends of the text and of each line go, control characters are
removed (and counted, so the caller can warn). Japanese punctuation (～（）！) and circled numbers
(①②…) are kept as typed: a full NFKC would turn ～ into ~ and ① into 1 in the printed report.
Choices and numbers get the full NFKC.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from typing import Any

# the circled numbers ①… that mark numbered entries (forms.circled writes them)
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INDEX = re.compile(r"^[第(（]?\s*(\d{1,3})\s*[)）節項号.]?$")
# what NFKC may touch in free text: full-width letters and digits, the ideographic space and
# half-width katakana (as runs, so ｶﾞ becomes ガ). Everything else (～（）！①, kanji variants)
# stays as the writer typed it: NFKC would turn ～ into ~ and ① into 1.
_WIDE = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]+|[\uff61-\uff9f]+")


_HALF_KANA = re.compile(r"[\uff61-\uff9f]+")
@functools.lru_cache(maxsize=10000)
def _nfkc_run(run: str) -> str:
    """NFKC of one run: ＡＢ１２ → AB12, the ideographic space → ' ', ｶﾞ → ガ."""
    return unicodedata.normalize("NFKC", run)


def _run(m: re.Match[str]) -> str:
    return _nfkc_run(m.group())


def nfkc(text: str) -> str:
    """Full-width letters/digits to half-width, half-width katakana to full-width; no more.
    Only the runs of such characters are touched (a regex finds them at C speed)."""
    return _WIDE.sub(_run, text)


# anything text() would change; clean text (most of it) is returned as it is, at once
_DIRTY = re.compile(
    r"[\r\u2028\x00-\x08\x0b\x0c\x0e-\x1f\x7f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
    r"\u3000\uff61-\uff9f]|^\s|\s$|[^\S\n]\n|\n[^\S\n]")


_AROUND_NEWLINE = re.compile(r"[^\S\n]*\n[^\S\n]*")


def text(value: Any) -> tuple[str, int]:
    """A cell value as clean text, and how many control characters were removed."""
    if value is None:
        return "", 0
    if type(value) is str:
        if not _DIRTY.search(value):
            return value, 0
        s = value
    elif isinstance(value, bool):
        s = "TRUE" if value else "FALSE"
    elif isinstance(value, float):
        s = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        s = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date):
        s = value.isoformat()
    else:
        s = str(value)
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in s:
        s = s.replace("\u2028", "\n")
    removed = 0
    if _CONTROL.search(s):
        s, removed = _CONTROL.subn("", s)
    s = _WIDE.sub(_run, s)
    if "\n" in s:
        s = _AROUND_NEWLINE.sub("\n", s)  # the ends of every line, at C speed
    return s.strip(), removed


_SEP = "\ue000"  # a private-use character between the texts of a batch


def warm() -> None:
    """Load numpy now (about 0.1 s), before the worker processes are forked, so that they
    share it instead of each loading it on its first file; commands that never normalise a
    batch of texts do not load it at all."""
    _tables()


_LUT: Any = None  # UTF-16 code unit -> what it becomes (numpy, built on first use)
_FLAGS: Any = None  # UTF-16 code unit -> 1 for a control character, 2 for half-width katakana
_CONTROL_FLAG, _KANA_FLAG = 1, 2


def _tables() -> tuple[Any, Any]:
    global _LUT, _FLAGS
    if _LUT is None:
        import numpy as np  # loaded once (see warm)

        lut = np.arange(0x10000, dtype=np.uint16)
        for first, last in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)):
            lut[first:last + 1] -= 0xFEE0  # Ａ → A, １ → 1
        lut[0x3000] = 0x20  # the ideographic space
        flags = np.zeros(0x10000, dtype=np.uint8)
        for first, last in ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x7F)):
            flags[first:last + 1] = _CONTROL_FLAG  # what _CONTROL matches
        flags[0xFF61:0xFF9F + 1] = _KANA_FLAG  # what _HALF_KANA matches
        _LUT, _FLAGS = lut, flags
    return _LUT, _FLAGS


def _units(s: str) -> Any:
    import numpy as np  # loaded once (see warm)

    return np.frombuffer(s.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)


def _wide_bulk(s: str, units: Any = None, kana: bool | None = None) -> str:
    """What _WIDE.sub(_run, s) does, on a long text at once: full-width letters and digits and
    the ideographic space through a numpy lookup table (one pass over the UTF-16 code units,
    whatever the number of runs; surrogates map to themselves), then the rare half-width
    katakana runs (they compose: ｶﾞ → ガ) by NFKC. ``units``: the text's UTF-16 code units
    and ``kana`` whether it holds half-width katakana, when the caller has them."""
    lut, flags = _tables()
    if units is None:
        units = _units(s)
    if kana is None:
        kana = bool(flags.take(units).any())
    s = lut.take(units).tobytes().decode("utf-16-le", "surrogatepass")
    if kana:
        s = _HALF_KANA.sub(_run, s)
    return s


def texts(values: list[Any]) -> list[tuple[str, int]]:
    """text() of many values: the same results, with the long work done once for all of them
    (what a returned workbook's 150 free-text cells cost in one pass instead of 150).

    Every text goes through the same steps joined in one string, clean or not: on a clean
    text they change nothing, and asking first would cost more than doing. Control
    characters and half-width katakana are looked for in the same pass over the code units
    as the full-width letters are mapped (regex searches for them scan the whole text)."""
    out = [("", 0) if type(v) is str else text(v) for v in values]
    strs = [i for i, v in enumerate(values) if type(v) is str]
    big = _SEP.join([values[i] for i in strs])
    one_by_one = len(strs) < 8 or big.count(_SEP) != len(strs) - 1
    if not one_by_one:
        _, flags = _tables()
        units = _units(big)
        found = flags.take(units)
        kana = False
        if found.any():
            # control characters (counted per cell): one at a time
            one_by_one = bool((found & _CONTROL_FLAG).any())
            kana = bool((found & _KANA_FLAG).any())
    if one_by_one:  # a few texts, the separator typed in one, or control characters
        for i in strs:
            out[i] = text(values[i])
        return out
    big = _wide_bulk(big, units, kana)
    if "\r" in big:
        big = big.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in big:
        big = big.replace("\u2028", "\n")
    if "\n" in big:
        # the ends of every line: str.strip() removes what [^\S\n]* matches (both are
        # Python's isspace), and no line holds a newline
        big = "\n".join([line.strip() for line in big.split("\n")])
    for i, part in zip(strs, big.split(_SEP), strict=True):
        out[i] = (part.strip(), 0)
    return out


def choice(value: Any) -> str:
    """A choice typed or picked: ' ａ ' → 'A' (full NFKC: a choice is a code, not prose)."""
    if type(value) is str and len(value) <= 40:
        return _choice_text(value)  # a book's few distinct choices, worked out once each
    s, _ = text(value)
    return unicodedata.normalize("NFKC", s).strip().upper()


@functools.lru_cache(maxsize=4096)
def _choice_text(value: str) -> str:
    s, _ = text(value)
    return unicodedata.normalize("NFKC", s).strip().upper()


def parse_index(value: Any) -> int | None:
    """第1節, 1, １, ①, (1), （１）, 1) → 1; None when it is not such a number."""
    if type(value) is str:
        return _parse_index_text(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value > 0 else None
    return _parse_index_text(str(value))


@functools.lru_cache(maxsize=4096)
def _parse_index_text(value: str) -> int | None:
    s = value.strip()
    if len(s) == 1 and s in CIRCLED:
        return CIRCLED.index(s) + 1
    s = unicodedata.normalize("NFKC", s).replace(" ", "")
    m = _INDEX.match(s)
    if m and int(m.group(1)) > 0:
        return int(m.group(1))
    return None


_NUMBER = re.compile(r"^(?P<neg>[▲△\-−])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?$")


_NON_FINITE = re.compile(r"^[+\-−▲△]?(?:nan|inf|infinity|\d*\.?\d+e[+\-]?\d+)$")


def non_finite(value: Any) -> bool:
    """A value that is no usable number: NaN or an infinity stored in the cell, or typed as
    text (nan, inf, -INF, Infinity, 1e309: anything a float() would take as such)."""
    if type(value) is float:
        return not math.isfinite(value)
    if type(value) is not str or len(value) > 40:
        return False
    s = unicodedata.normalize("NFKC", value).strip().lower().replace("−", "-")
    if not _NON_FINITE.match(s):
        return False
    try:
        return not math.isfinite(float(s.lstrip("▲△")))
    except ValueError:
        return False


def parse_number(value: Any, units: tuple[str, ...] = ()) -> int | float | None:
    """A number cell or a number as typed: 158, '１５８', '1,200', '１，２００', '▲50' (negative),
    '-3.5', with one of ``units`` as a suffix ('158千円'); else None (and None for NaN and the
    infinities). The one reading of numbers: field types and the sheet layout both use it."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    s = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "").replace("，", ",")
    for unit in units:
        if s.endswith(unit):
            s = s[: -len(unit)]
            break
    m = _NUMBER.match(s)
    if not m:
        return None
    digits = m.group("num").replace(",", "")
    number: int | float = int(digits) if not m.group("frac") else float(
        f"{digits}.{m.group('frac')}")
    return -number if m.group("neg") else number


def parse_amount(value: Any) -> int | float | None:
    """A money or count cell: 158, '１５８', '1,200', '▲50' (negative), '158千円'; else None."""
    return parse_number(value, ("千円", "円"))


NOT_YET = {"-", "－", "ー", "‐", "―", "—", "未確定"}
