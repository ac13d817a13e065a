"""Normalise what staff typed before it is validated: NFKC, trimming, line breaks, numbers.

Full-width letters and digits become half-width (Ａ→A, １２→12), CRLF and CR become LF, spaces at the
ends of the text and of each line go, control characters are removed (and counted, so the caller
can warn). Circled numbers (①②…) are kept: NFKC would turn ① into 1, and staff use them to
number their points.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from .forms import CIRCLED

_PROTECTED = re.compile(f"[{CIRCLED}]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INDEX = re.compile(r"^[第(（]?\s*(\d{1,3})\s*[)）節項号.]?$")


def nfkc(text: str) -> str:
    """NFKC, but leave circled numbers as they are."""
    if not _PROTECTED.search(text):
        return unicodedata.normalize("NFKC", text)
    out, pos = [], 0
    for m in _PROTECTED.finditer(text):
        out.append(unicodedata.normalize("NFKC", text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(unicodedata.normalize("NFKC", text[pos:]))
    return "".join(out)


def text(value: Any) -> tuple[str, int]:
    """A cell value as clean text, and how many control characters were removed."""
    if value is None:
        return "", 0
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
    s = "\n".join(line.strip() for line in s.split("\n")).strip()
    return s, removed


def choice(value: Any) -> str:
    """A choice typed or picked: ' ａ ' → 'A'."""
    s, _ = text(value)
    return s.upper()


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
