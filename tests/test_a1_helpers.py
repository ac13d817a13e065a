"""A1 references go through xlsxwriter.utility; the results are those of the hand-written
helpers they replaced (issue 13, fin-a)."""

from __future__ import annotations

from fujimi_xl.layouts.sheet.sheet_extract import parse_ref
from fujimi_xl.lifecycle.import_report import coord


def old_col(letters: str) -> int:
    """The replaced helper: column letters → 0-based column."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def old_name(col: int) -> str:
    """The replaced helper: 1-based column → letters."""
    s = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s or "A"


def test_parse_ref_reads_sheet_cell_and_range():
    assert parse_ref("'様式 1'!$B$3:$D$5") == ("様式 1", 2, 1, 4, 3)
    assert parse_ref("='It''s'!$AA$10") == ("It's", 9, 26, 9, 26)
    assert parse_ref("計画!XFD1048576") == ("計画", 1048575, 16383, 1048575, 16383)
    assert parse_ref("no reference") is None


def test_parse_ref_and_coord_agree_with_the_replaced_helpers():
    for col in [*range(1, 800), 16383, 16384]:
        letters = old_name(col)
        assert parse_ref(f"S!{letters}7:{letters}9") == ("S", 6, old_col(letters), 8,
                                                          old_col(letters))
        assert coord((7, col)) == f"{letters}7"
