"""Measuring Japanese text for column widths and row heights.

Neither xlsxwriter nor openpyxl sizes a row to its wrapped text, and LibreOffice does not grow
such rows when it prints an xlsx, so a two-line cell would spill over its border. Heights are
computed here: East Asian wide characters count as two columns of width.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence

from fujimi_xl.core.errors import Notice
from fujimi_xl.core.messages import book_text

LINE_POINTS = 13.5  # one line of 10-point Japanese text, in points
PADDING_POINTS = 3.0


_WIDE_OR_AMBIGUOUS = re.compile("[^\x00-\u10ff\uff61-\uff9f]")  # CJK, kana, ①, full-width forms


# narrow characters that UTF-8 writes in three bytes: they need the slower count
_NARROW_THREE_BYTES = re.compile("[\u0800-\u10ff\uff61-\uff9f]")
_NOT_LEAD3 = bytes(range(0xE0))  # every byte but the first of a 3- or 4-byte character


def display_width(text: str) -> int:
    """Columns ``text`` takes: East Asian wide (and ambiguous, as Japanese fonts draw them)
    characters count two. A C-speed approximation of unicodedata.east_asian_width in "WFA":
    the characters from U+1100 are the ones UTF-8 writes in three or four bytes (but for
    U+0800–U+10FF and half-width katakana), so counting their first bytes counts them."""
    if text.isascii():
        return len(text)
    if _NARROW_THREE_BYTES.search(text):
        return len(text) + len(_WIDE_OR_AMBIGUOUS.findall(text))
    return len(text) + len(text.encode("utf-8", "surrogatepass").translate(None, _NOT_LEAD3))


def line_count(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` characters wide (Excel units)."""
    if not text:
        return 1
    usable = max(width - 1.0, 1.0)
    text = str(text)
    if "\n" not in text:  # the usual case: one paragraph
        if 2 * len(text) <= usable:  # fits even if every character is wide
            return 1
        return max(1, math.ceil(display_width(text) / usable))
    return sum(max(1, math.ceil(display_width(p) / usable)) for p in text.split("\n"))


def row_height(cells: list[tuple[str, float]], min_lines: int = 1, font_size: float = 10) -> float:
    """Height in points for a row of (text, column width) cells."""
    lines = min_lines
    for t, w in cells:
        # a cell that fits in the lines the row has already even if every character is wide
        # cannot add a line
        if t and (2 * len(t) > lines * (w - 1.0) or "\n" in t):
            n = line_count(t, w)
            if n > lines:
                lines = n
    return lines_height(lines, font_size)


def lines_height(lines: int, font_size: float = 10) -> float:
    """Height in points of a row whose tallest text takes ``lines`` lines."""
    per_line = LINE_POINTS * font_size / 10
    return min(409.0, round(lines * per_line + PADDING_POINTS, 1))


@functools.lru_cache(maxsize=32)
def span_widths(widths: tuple[float, ...]) -> tuple[tuple[float, ...], ...]:
    """``[c][n]``: the width of ``n`` columns from column ``c`` of a sheet whose columns are
    ``widths`` (what ``float(sum(widths[c:c + n]))`` is), computed once per set of widths."""
    return tuple(tuple(float(sum(widths[c:c + n])) for n in range(len(widths) - c + 1))
                 for c in range(len(widths)))


def span_width(table: tuple[tuple[float, ...], ...], widths: Sequence[float], col: int,
               cols: int) -> float:
    """The width of ``cols`` columns from ``col``: from ``table`` (:func:`span_widths`)."""
    if col < len(table) and cols < len(table[col]):
        return table[col][cols]
    return float(sum(widths[col:col + cols]))


EXCEL_TEXT_LIMIT = 32767
SHEET_NAME_LIMIT = 31
_SHEET_BAD = "[]:*?/\\"


def sheet_name(wanted: str, used: set[str]) -> tuple[str, str]:
    """A legal, unique sheet name for ``wanted``, and a warning when it had to change."""
    name, notice = fit_sheet_name(wanted, used)
    return name, str(notice) if notice else ""


def fit_sheet_name(wanted: str, used: set[str]) -> tuple[str, Notice | None]:
    """:func:`sheet_name` with its warning as a message record (either language)."""
    name = "".join("_" if ch in _SHEET_BAD else ch for ch in wanted).strip("'") or "Sheet"
    name = name[:SHEET_NAME_LIMIT]
    base, n = name, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f"({n})"
        name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        n += 1
    used.add(name)
    if name != wanted:
        return name, Notice("sheet_renamed", {"wanted": wanted, "name": name})
    return name, None


def cell_text(text: str) -> tuple[str, str]:
    """Text that fits an Excel cell, and a warning when it had to be cut."""
    fitted, notice = fit_cell_text(text)
    return fitted, str(notice) if notice else ""


def fit_cell_text(text: str) -> tuple[str, Notice | None]:
    """:func:`cell_text` with its warning as a message record (either language)."""
    if len(text) <= EXCEL_TEXT_LIMIT:
        return text, None
    note = book_text("text_cut_note")
    return (text[: EXCEL_TEXT_LIMIT - len(note)] + note,
            Notice("text_cut", {"length": len(text), "limit": EXCEL_TEXT_LIMIT}))
