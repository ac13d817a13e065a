"""Measuring Japanese text for column widths and row heights.

Neither xlsxwriter nor openpyxl sizes a row to its wrapped text, and LibreOffice does not grow
such rows when it prints an xlsx, so a two-line cell would spill over its border. Heights are
computed here: East Asian wide characters count as two columns of width.
"""

from __future__ import annotations

import math
import unicodedata

LINE_POINTS = 13.5  # one line of 10-point Japanese text, in points
PADDING_POINTS = 3.0


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def line_count(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` characters wide (Excel units)."""
    if not text:
        return 1
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(display_width(p) / usable)) for p in str(text).split("\n"))


def row_height(cells: list[tuple[str, float]], min_lines: int = 1, font_size: float = 10) -> float:
    """Height in points for a row of (text, column width) cells."""
    lines = max([min_lines, *(line_count(t, w) for t, w in cells)])
    per_line = LINE_POINTS * font_size / 10
    return min(409.0, round(lines * per_line + PADDING_POINTS, 1))
