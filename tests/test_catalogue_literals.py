"""Every Japanese text a user reads comes from the catalogue (core/messages.py), in Japanese
and English (issue 13 item 11). This scans the package's string constants (docstrings aside)
for Japanese characters outside the catalogue and fails on any module or value not allowed
below with its reason. A module is allowed when its Japanese is data rather than a message
(era names, the spellings ingest reads, the sheet names and headers ingest locates data by:
moving them would change the file format), or when it belongs to a part other helpers are
rewriting now (its texts move in their issue)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import openpyxl
import pytest

import fujimi_xl
from fujimi_xl import api
from fujimi_xl.core.errors import PlanError
from fujimi_xl.demo import write_sample_programs
from fujimi_xl.forms import load_form
from fujimi_xl.lifecycle.import_report import read_report
from fujimi_xl.lifecycle.plan import read_plan

from .test_import_report import HEADER, workbook

PACKAGE = Path(fujimi_xl.__file__).resolve().parent
CATALOGUE = "core/messages.py"

# hiragana, katakana, CJK ideographs, full-width forms
JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60]")

# module (relative to fujimi_xl/) -> why its Japanese literals stay where they are
ALLOWED_MODULES: dict[str, str] = {
    "clicatalog.py": "a catalogue itself: click's own words in Japanese, keyed by click's msgids",
    "core/fiscal.py": "era names and the year spellings ingest reads (data, not messages)",
    "core/numfmt.py": "Excel number-format codes and era names it renders (data)",
    "core/normalise.py": "the spellings ingest reads: 第1節, －, 未確定, 千円 (data)",
    "forms/fieldtypes.py": "units staff type after a number (人, 回, 千円) that ingest strips",
    "forms/__init__.py": "the default input sheet name 入力: a locator of the file format",
    "layouts/list/generator.py": "sheet names and the key header ingest finds data by "
                                 "(記入要領, 選択肢, 差戻し内容, 管理番号): the file format",
    "layouts/list/feedback.py": "the 差戻し_ prefix of feedback file names the README documents",
    "layouts/sheet/sheet_layout.py": "the half-year words of the seed's ACTION periods (data)",
    "layouts/sum_check.py": "○ × ？ and ▲ 千円 inside the check cell's Excel formula (formula "
                            "text; its meaning is the catalogue's sum_check_hint)",
    "demo.py": "the demo's sample data (group names, answers, file names)",
    # parts other helpers are rewriting while this runs (storage layer, intake, web app)
    "cli.py": "the click shell: its help texts are HELP_EN's keys (another helper's area)",
    "console.py": "the cp932 substitutes of characters a Windows console cannot print (data)",
    "core/errors.py": "the OS reasons of workspace faults, already in both languages beside "
                      "their errno sets (the storage layer raising them is being rewritten)",
    "intake/ingest.py": "the 差戻し_ prefix of the feedback file names the README documents "
                        "(a file name, data)",
    "lifecycle/plan.py": "the plan workbook's sheet names and headers it reads (locators)",
    "lifecycle/import_report.py": "the headers, owner columns, year and section spellings "
                                  "import-report locates in a table (locators, data)",
    "lifecycle/names.py": "the brackets and dots of the group names it matches (data)",
    "lifecycle/backup.py": "two details of an unreadable backup (a WorkspaceError detail has "
                           "one language for now; the storage layer is being rewritten)",
    "lifecycle/receipts.py": "the 差戻し_ prefix of feedback file names (data, as in "
    "intake/ingest.py)",
    "lifecycle/access.py": "the column headers of the mail-merge file (a file format Word and "
    "Excel's mail merge read by name)",
    "lifecycle/import_load.py": "the owner of rows loaded from a table, stored as data",
    "store/__init__.py": "the master's SQL layer being rewritten (issue 14)",
    "store/workspace.py": "the workspace config's default font (store: being rewritten)",
}

# values that are not messages wherever they stand: separators and brackets joining catalogue
# texts, the default font's name
ALLOWED_VALUES: dict[str, str] = {
    "・": "a separator between listed names",
    "、": "a separator between listed names",
    "（": "a bracket around a catalogue text",
    "）": "a bracket around a catalogue text",
    "＋": "the plus between the parts of a sum",
    " ～ ": "a range between two values",
}


def japanese_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string constant holding Japanese, docstrings left out."""
    tree = ast.parse(path.read_text("utf-8"))
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                          | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docs and JAPANESE.search(node.value)]


def _modules() -> dict[str, list[tuple[int, str]]]:
    return {path.relative_to(PACKAGE).as_posix(): japanese_literals(path)
            for path in sorted(PACKAGE.rglob("*.py"))}


def test_no_japanese_literal_outside_the_catalogue():
    found = [f"{module}:{line}: {text!r}" for module, hits in _modules().items()
             if module != CATALOGUE and module not in ALLOWED_MODULES
             for line, text in hits if text not in ALLOWED_VALUES]
    assert found == [], "move these to core/messages.py (ja and en):\n" + "\n".join(found)


def test_the_allow_list_names_real_modules_with_japanese():
    modules = _modules()
    stale = [m for m in ALLOWED_MODULES if not modules.get(m)]
    assert stale == []


def test_the_scan_finds_a_japanese_literal_and_skips_docstrings(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""説明。"""\n\n\ndef f():\n    """関数。"""\n    return "未記入です"\n',
                      "utf-8")
    assert japanese_literals(sample) == [(6, "未記入です")]


def test_the_count_outside_the_catalogue_went_down():
    """496 before the issue 13 leftovers, 399 before the details of intake's refusals moved
    (271 after); what is left is listed above."""
    total = sum(len(hits) for module, hits in _modules().items() if module != CATALOGUE)
    assert total < 399


# -- texts moved here keep their Japanese words, and now have English ones ----------------------

def test_the_plan_template_guide_comes_from_the_catalogue(tmp_path):
    path = api.plan_template(tmp_path / "plan.xlsx", "progress")
    guide = openpyxl.load_workbook(path)["記入要領"]
    assert guide["A1"].value == "計画ブックの記入要領"
    assert guide["A3"].value == "1. 「設定」シートに計画名と市町村名を記入します（報告書の表題になります）。"
    assert guide["A9"].value == ("7. 記入が済んだら `fujimi-xl init 作業フォルダ --plan このファイル "
                                 "--form progress` で取り込みます。")


def test_a_clipped_report_sheet_is_said_in_both_languages(tmp_path):
    path = workbook(tmp_path / "far.xlsx", {"表": [
        HEADER, ["第1節", 1, "①", "計画の文言", "実施", "A", "", "次"]]})
    wb = openpyxl.load_workbook(path)
    wb["表"].cell(30_000, 1).value = "x"
    wb.save(path)
    got = read_report(path, load_form("progress")).problems
    assert [p.message("ja") for p in got] == [
        "ファイルが上限を超えています（シート「表」の使用範囲: 30,000行×8列、上限 20,000行×200列）。"
        "配布した様式の範囲内に記入し、不要な行・列・書式を削除して送り直してください。"]
    assert got[0].message("en").startswith(
        "The file exceeds a limit (the used range of sheet '表': 30,000 rows × 8 columns, "
        "allowed 20,000 rows × 200 columns).")


def test_a_plan_year_that_cannot_be_read_is_said_in_both_languages(tmp_path):
    path = write_sample_programs(tmp_path / "programs.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet = wb["計画"]
    col = next(c.column_letter for c in sheet[1] if c.value == "計画期間開始年度")
    sheet[f"{col}2"].value = "来年"
    wb.save(path)
    with pytest.raises(PlanError) as exc:
        read_plan(path, load_form("action_plan"))
    bad = [p for p in exc.value.problems if p.code == "plan_bad_number"]
    assert [(p.cell, p.message("ja"), p.message("en")) for p in bad] == [(
        f"{col}2", "「来年」は計画期間開始年度として読めません。2018 または H30の形で記入してください。",
        "'来年' cannot be read as 計画期間開始年度. Write it as 2018 or H30.")]
