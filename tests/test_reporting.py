"""The consolidated report beyond the round trip: long sections over several pages, PDF
without LibreOffice, row heights that hold their text."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.demo import sample_plan
from fujimi_xl.forms import load_form
from fujimi_xl.layouts import layout
from fujimi_xl.layouts.list.reporting import write_report
from fujimi_xl.output import pdf
from fujimi_xl.store.dataset import Row, Table

from .conftest import YEAR


def long_table(n: int) -> Table:
    plan = sample_plan()
    g = plan.groups[0]
    rows = [Row(f"1-1-{i}", g, {"section": 1, "item": 1, "number": i,
                                "plan": f"計画{i}" * 3, "result": "実施した内容。" * 12,
                                "grade": "B", "reason": "理由" * 20, "next_plan": "次年度"},
                True) for i in range(1, n + 1)]
    return Table("progress", 2018, rows, [g], [])


@pytest.mark.libreoffice
def test_header_row_repeats_on_every_printed_page(tmp_path):
    path = write_report(tmp_path / "long.xlsx", load_form("progress"), long_table(40),
                        title="長い節")
    out = pdf.to_pdf(path)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = ["".join(p.split()) for p in text.split("\f") if p.strip()]
    section_pages = [p for p in pages if "第1節" in p and "/" in p]
    assert len(section_pages) >= 3
    for page in section_pages:
        assert "H30実施内容" in page and "H31計画内容" in page


def test_row_heights_follow_the_text(tmp_path):
    path = write_report(tmp_path / "r.xlsx", load_form("progress"), long_table(2))
    sheet = openpyxl.load_workbook(path)["第1節"]
    text = "実施した内容。" * 12
    expected = layout.row_height([(text, 36)])
    assert sheet.row_dimensions[5].height == pytest.approx(expected)
    assert expected >= 4 * layout.LINE_POINTS  # 84 full-width characters in a 36-wide column


def test_east_asian_width_counts_double():
    assert layout.display_width("ABC") == 3
    assert layout.display_width("日本語") == 6
    assert layout.line_count("あ" * 20, 21) == 2
    assert layout.line_count("一行目\n二行目", 40) == 2


def test_pdf_without_libreoffice_says_so_plainly(ws, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "libreoffice", lambda: None)
    res = api.report(ws, "progress", YEAR, tmp_path / "r.xlsx", want_pdf=True)
    assert res.path.is_file() and res.pdf is None
    assert res.pdf_message.startswith("LibreOffice が見つからないため PDF は作成していません")


def test_display_width_counts_wide_characters_two():
    """The byte-count shortcut gives what the character-by-character rule gives."""
    import random
    import re

    wide = re.compile("[^\x00-\u10ff\uff61-\uff9f]")
    rng = random.Random(3)
    pool = "aあ漢①～（）ｱﾞ\u0900\u00e9\U0001F600 \n" + "".join(chr(c) for c in range(0x20, 0x3000, 97))
    for _ in range(3000):
        t = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))
        assert layout.display_width(t) == len(t) + len(wide.findall(t)), t
    assert layout.display_width("平成30年度①") == 2 * 4 + 2 + 2
