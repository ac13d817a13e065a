"""Every line prints, whatever the console's encoding (a Windows console is often cp932).

A character the console cannot encode is written as a readable substitute instead of stopping
the command with UnicodeEncodeError: ↵ (a line break inside a value) as 〔改行〕, ㉑ as (21), a
dash or a middle dot as its nearest cp932 form, anything else by its compatibility form
(NFKC), and "?" only when nothing fits.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata
from typing import Any

HANDLER = "fujimi_substitute"

# characters our own texts use that cp932 lacks, and what to print instead
SUBSTITUTES: dict[str, str] = {
    "↵": "〔改行〕",
    "·": "・",
    "–": "－",
    "—": "―",
    "−": "－",
    "〜": "～",
    "‖": "∥",
    "☑": "■",
    "☐": "□",
    "✓": "○",
    "✔": "○",
    "✗": "×",
    "⏎": "〔改行〕",
    "\u00a0": " ",
}


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def substitute(char: str, encoding: str) -> str:
    """What to print for ``char`` in ``encoding`` (``char`` itself when it can be encoded)."""
    if _encodable(char, encoding):
        return char
    for candidate in _candidates(char):
        if candidate and _encodable(candidate, encoding):
            return candidate
    return "?"


def _candidates(char: str) -> list[str]:
    out = [SUBSTITUTES.get(char, "")]
    compat = unicodedata.normalize("NFKC", char)
    if compat != char:
        if unicodedata.name(char, "").startswith("CIRCLED NUMBER"):
            out.append(f"({compat})")
        out.append(compat)
    return out


def _handler(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = "".join(substitute(c, exc.encoding) for c in exc.object[exc.start:exc.end])
    return text, exc.end


codecs.register_error(HANDLER, _handler)


def _needs_help(stream: Any) -> bool:
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return False
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return not name.startswith("utf")


def make_printable() -> None:
    """Reconfigure standard output and error so that no character stops a command."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if stream is None or not _needs_help(stream):
            continue
        if getattr(stream, "errors", None) == HANDLER:
            continue
        try:
            stream.reconfigure(errors=HANDLER)
        except (AttributeError, ValueError, OSError):  # not a TextIOWrapper: left as it is
            continue
