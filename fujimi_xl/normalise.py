"""Normalise what staff typed before it is validated: NFKC, trimming, line breaks, numbers.

Full-width letters and digits become half-width (Ａ→A, １２→12), half-width katakana full-width,
CRLF and CR become LF, spaces at the ends of the text and of each line go, control characters are
removed (and counted, so the caller can warn). Japanese punctuation (～（）！) and circled numbers
(①②…) are kept as typed: a full NFKC would turn ～ into ~ and ① into 1 in the printed report.
Choices and numbers get the full NFKC.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from .forms import CIRCLED

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INDEX = re.compile(r"^[第(（]?\s*(\d{1,3})\s*[)）節項号.]?$")
# what NFKC may touch in free text: full-width letters and digits, the ideographic space and
# half-width katakana (as runs, so ｶﾞ becomes ガ). Everything else (～（）！①, kanji variants)
# stays as the writer typed it: NFKC would turn ～ into ~ and ① into 1.
_WIDE = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]+|[\uff61-\uff9f]+")


_WIDE_TABLE = {cp: cp - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
               for cp in range(r[0], r[1] + 1)} | {0x3000: 0x20}
_HALF_KANA = re.compile(r"[\uff61-\uff9f]+")


def nfkc(text: str) -> str:
    """Full-width letters/digits to half-width, half-width katakana to full-width; no more."""
    text = text.translate(_WIDE_TABLE)  # what NFKC does to these, at C speed
    if _HALF_KANA.search(text):  # ｶﾞ → ガ needs composition: NFKC on those runs only
        text = _HALF_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return text


# anything text() would change; clean text (most of it) is returned as it is, at once
_DIRTY = re.compile(
    r"[\r\u2028\x00-\x08\x0b\x0c\x0e-\x1f\x7f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
    r"\u3000\uff61-\uff9f]|^\s|\s$|[ \t]\n|\n[ \t\u3000]")


_AROUND_NEWLINE = re.compile(r"[^\S\n]*\n[^\S\n]*")


def text(value: Any) -> tuple[str, int]:
    """A cell value as clean text, and how many control characters were removed."""
    if value is None:
        return "", 0
    if type(value) is str and not _DIRTY.search(value):
        return value, 0
    if isinstance(value, bool):
        s = "TRUE" if value else "FALSE"
    elif isinstance(value, float):
        s = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        s = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date):
        s = value.isoformat()
    else:
        s = str(value)
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    s, removed = _CONTROL.subn("", s)
    s = nfkc(s)
    if "\n" in s:
        s = _AROUND_NEWLINE.sub("\n", s)  # the ends of every line, at C speed
    return s.strip(), removed


def choice(value: Any) -> str:
    """A choice typed or picked: ' ａ ' → 'A' (full NFKC: a choice is a code, not prose)."""
    s, _ = text(value)
    return unicodedata.normalize("NFKC", s).strip().upper()


def parse_index(value: Any) -> int | None:
    """第1節, 1, １, ①, (1), （１）, 1) → 1; None when it is not such a number."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value > 0 else None
    s = str(value).strip()
    if len(s) == 1 and s in CIRCLED:
        return CIRCLED.index(s) + 1
    s = unicodedata.normalize("NFKC", s).replace(" ", "")
    m = _INDEX.match(s)
    if m and int(m.group(1)) > 0:
        return int(m.group(1))
    return None


_NUMBER = re.compile(r"^(?P<neg>[▲△\-−])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?$")


def parse_amount(value: Any) -> int | float | None:
    """A money or count cell: 158, '１５８', '1,200', '▲50' (negative), '158千円'; else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    s = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    for unit in ("千円", "円"):
        if s.endswith(unit):
            s = s[: -len(unit)]
    s = s.replace("，", ",")
    m = _NUMBER.match(s)
    if not m:
        return None
    digits = m.group("num").replace(",", "")
    number: int | float = int(digits) if not m.group("frac") else float(
        f"{digits}.{m.group('frac')}")
    return -number if m.group("neg") else number


NOT_YET = {"-", "－", "ー", "‐", "―", "—", "未確定"}


def parse_indicator(value: Any) -> int | float | str | None:
    """An indicator result: a number, or '-' when not yet known."""
    if isinstance(value, str) and value.strip() in NOT_YET:
        return "-"
    return parse_amount(value)
