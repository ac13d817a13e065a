"""The demo runs the whole cycle, and its printed report has the seed's layout page by page."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from fujimi_xl.cli import cli


def test_demo_runs_the_whole_cycle(tmp_path):
    res = CliRunner().invoke(cli, ["demo", str(tmp_path / "d"), "--no-pdf"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    out = res.output
    assert "様式を 10 件作成" in out
    assert "1回目の取込: 受理 9 件・差戻し 1 件" in out
    assert "差戻し用ブック: " in out
    assert "2回目の取込: 受理 1 件・差戻し 0 件" in out
    assert "提出状況: 受理 10 / 10 担当" in out
    report = tmp_path / "d" / "workspace" / "reports" / "平成29年度_進捗状況評価結果.xlsx"
    assert f"報告書: {report}" in out
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames == ["第1節", "第2節", "第3節", "第4節", "集計"]
    # the corrected file's value reached the report
    assert wb["第4節"]["H9"].value.startswith("引き続き、就学等を理由とする入所希望について")


def test_demo_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x").write_text("keep me")
    res = CliRunner().invoke(cli, ["demo", str(tmp_path)])
    assert res.exit_code == 2
    assert "空ではありません" in res.output
    assert (tmp_path / "x").read_text() == "keep me"


@pytest.mark.libreoffice
def test_demo_pdf_pages_follow_the_seed_layout(tmp_path):
    res = CliRunner().invoke(cli, ["demo", str(tmp_path / "d")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    pdf = tmp_path / "d" / "workspace" / "reports" / "平成29年度_進捗状況評価結果.pdf"
    assert pdf.is_file()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) == 5  # one page per section (page break between 節), then the summary
    for n, page in enumerate(pages[:4], start=1):
        flat = "".join(page.split())  # pdftotext spaces text by its own measure
        assert "(平成29年度進捗状況評価結果・第1～4節)" in flat
        for head in ("項目", "計画", "H29実施内容", "評価", "理由・課題等", "H30計画内容"):
            assert head in flat, (n, head)
        assert flat.endswith(f"第{n}節{n}/5")
    assert "ネットワークの構築" in pages[0]
    assert "評価の分布" in pages[4]
