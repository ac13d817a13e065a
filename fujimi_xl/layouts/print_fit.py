"""Rows tall enough for their text, and pages: what the printed reports need so nothing is cut.

Excel's row height stops at 409 points, so a long text in one row is cut in print. A text that
needs more is given several rows (its cells merged over them), each a whole number of lines;
where the pages break is estimated from the paper, the margins and the fit-to-width scale, so an
item that fits a page can start on a new page instead of being split, and an item taller than a
page is known (the report warns, naming it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from fujimi_xl.layouts import layout

MAX_ROW_POINTS = 409.0  # Excel's largest row height
PAPER_POINTS = {9: (595.3, 841.9), 8: (841.9, 1190.6)}  # A4, A3 portrait: (width, height)
SAFETY = 0.97  # estimate pages a little short: a break placed early only leaves white space
ROW_LINES = 6  # lines a row of a split text holds: a page breaks between rows, so small rows
# leave little white space at the foot of a page


def text_points(text: str, width: float, font_size: float = 10) -> float:
    """Height in points a wrapped ``text`` needs in a cell ``width`` characters wide (not capped
    at Excel's row limit, unlike :func:`layout.row_height`)."""
    if not text:
        return 0.0
    per_line = layout.LINE_POINTS * font_size / 10
    return layout.line_count(text, width) * per_line + layout.PADDING_POINTS


def may_need(text: str, width: float, points: float, font_size: float = 10) -> bool:
    """Whether ``text`` could need more than ``points`` in a cell ``width`` characters wide:
    a cheap upper bound of :func:`text_points` (every character wide, every paragraph
    ending in a line of its own), so a text that cannot is not measured."""
    usable = max(width - 1.0, 1.0)
    lines = 2 * len(text) / usable + text.count("\n") + 1
    return lines * layout.LINE_POINTS * font_size / 10 + layout.PADDING_POINTS > points


def row_points(cells: Iterable[tuple[str, float]], font_size: float = 10) -> float:
    """Height in points a row of (text, column width) cells needs: its tallest wrapped text,
    at least one line (not capped at Excel's row limit). A text that fits in the lines the
    row has already even if every character is wide is not measured."""
    lines = 1
    for t, w in cells:
        if t and (2 * len(t) > lines * (w - 1.0) or "\n" in t):
            if "\n" in t:
                n = layout.line_count(t, w)
            else:  # layout.line_count of one paragraph, the usual case, without the call
                n = max(1, math.ceil(layout.display_width(t) / max(w - 1.0, 1.0)))
            if n > lines:
                lines = n
    return lines * layout.LINE_POINTS * font_size / 10 + layout.PADDING_POINTS


def split_rows(need: float, font_size: float = 10) -> list[float]:
    """Heights of the rows that together hold ``need`` points: one row when Excel's largest
    row (409 points) holds it, else rows of a few whole lines each."""
    if need <= MAX_ROW_POINTS:
        return [need]
    per_line = layout.LINE_POINTS * font_size / 10
    lines = math.ceil((need - layout.PADDING_POINTS) / per_line)
    most = min(ROW_LINES, int((MAX_ROW_POINTS - layout.PADDING_POINTS) // per_line))
    n = math.ceil(lines / most)
    base, extra = divmod(lines, n)
    heights = [(base + (1 if i < extra else 0)) * per_line for i in range(n)]
    heights[0] += layout.PADDING_POINTS
    return [round(h, 1) for h in heights]


def column_points(width: float) -> float:
    """Points a column ``width`` characters wide takes (Excel's default font, 7-pixel digits)."""
    return (width * 7 + 5) * 0.75 if width > 0 else 0.0


def page_points(paper: int, landscape: bool, margins: tuple[float, float, float, float],
                widths: list[float]) -> float:
    """Sheet points that fit one printed page, down its length, when the columns ``widths``
    (characters) are fitted to the page width; ``margins`` (left, right, top, bottom) in
    inches."""
    w, h = PAPER_POINTS.get(paper, PAPER_POINTS[9])
    if landscape:
        w, h = h, w
    left, right, top, bottom = margins
    sheet_w = sum(column_points(x) for x in widths) or 1.0
    scale = min(1.0, (w - (left + right) * 72) / sheet_w)
    scale = math.floor(scale * 100) / 100 or 0.1
    return (h - (top + bottom) * 72) / scale * SAFETY


class Pages:
    """Where the automatic page breaks fall as rows are added, and manual breaks before blocks
    that fit a page but would be split (``top``: points of the rows repeated on each page)."""

    def __init__(self, page: float, top: float, used: float) -> None:
        self.page, self.top, self.y = page, top, used
        self.breaks: list[int] = []

    @property
    def room(self) -> float:
        """Points a block has on a page of its own."""
        return self.page - self.top

    def add(self, first_row: int, heights: list[float]) -> int:
        """Add a block of rows starting at ``first_row``; returns the pages it is printed on."""
        total = sum(heights)
        if self.y + total > self.page and self.y > self.top and total <= self.room:
            self.breaks.append(first_row)
            self.y = self.top
        pages = 1
        for h in heights:
            if self.y + h > self.page and self.y > self.top:
                self.y = self.top
                pages += 1
            self.y += h
        return max(pages, math.ceil(total / self.room) if self.room > 0 else 1)

    def add_row(self, row: int, height: float) -> int:
        """:meth:`add` of a block of one row (the usual item of a report), without the list."""
        room = self.page - self.top
        if self.y + height > self.page and self.y > self.top and height <= room:
            self.breaks.append(row)
            self.y = self.top
        pages = 1
        if self.y + height > self.page and self.y > self.top:
            self.y = self.top
            pages = 2
        self.y += height
        return max(pages, math.ceil(height / room) if room > 0 else 1)
