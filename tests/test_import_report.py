"""Reading a consolidated progress table back (import_report): our own report exactly, a table
typed by hand as the city's staff type them, and rows copied from the seed table."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
import pytest

from fujimi_xl.core import normalise
from fujimi_xl.core.errors import FujimiError
from fujimi_xl.core.messages import CATALOGUE, text
from fujimi_xl.demo import sample_data, sample_plan
from fujimi_xl.forms import load_form
from fujimi_xl.layouts.list.reporting import write_report
from fujimi_xl.lifecycle.import_report import ImportedTable, ReportImportError, read_report
from fujimi_xl.lifecycle.plan import Group
from fujimi_xl.store.dataset import Row, Table

INPUTS = ("result", "grade", "reason", "next_plan")


@pytest.fixture(scope="module")
def form():
    return load_form("progress")


def tuples(table: ImportedTable) -> list[tuple[int, int, int, str, dict[str, str]]]:
    return [(*r.keys.values(), r.title, r.values) for r in table.rows]


def problems(table: ImportedTable) -> list[tuple[str, str]]:
    return [(p.where(), p.code) for p in table.problems]


# -- our own report, read back exactly ------------------------------------------------------

def sample_table(year: int = 2017) -> tuple[Table, str]:
    data = sample_data()
    plan = sample_plan(data)
    rows = [Row(it.key, plan.group(it.group),
                {**it.record, **data["responses"][it.group][it.key]}, True)
            for it in plan.items]
    return Table("progress", year, rows, plan.groups, []), data["title"]


def expected(table: Table) -> list[tuple[int, int, int, str, dict[str, str]]]:
    out = []
    for row in table.rows:
        rec = row.record
        values = {f: (str(rec.get(f) or "") if row.returned else "") for f in INPUTS}
        out.append((rec["section"], rec["item"], rec["number"], rec["plan"], values))
    return out


def test_sample_report_reads_back_exactly(tmp_path, form):
    table, title = sample_table()
    path = write_report(tmp_path / "r.xlsx", form, table, title=title,
                        created=dt.datetime(2018, 5, 1))
    got = read_report(path, form)
    assert got.year == 2017
    assert got.title == title
    assert tuples(got) == expected(table)
    assert got.problems == []
    # 第4節 2 ①: three owners under one merged 節・項・号・計画
    last = got.rows[-3:]
    assert {r.key for r in last} == {"4-2-1"}
    assert [r.cells["plan"] for r in last] == ["第4節!D9"] * 3
    assert [r.cells["result"] for r in last] == ["第4節!E9", "第4節!E10", "第4節!E11"]
    assert all(r.returned for r in got.rows)


def test_demo_report_reads_back(tmp_path, form):
    from fujimi_xl.demo import run_demo

    result = run_demo(tmp_path / "demo", want_pdf=False, say=lambda *_: None)
    got = read_report(result.report, form)
    table, title = sample_table()
    assert got.year == 2017 and got.title == title
    assert tuples(got) == expected(table)
    assert got.problems == []


_WORDS = ["子ども", "未来", "応援", "センター", "設置", "検討", "実施", "平成29年4月", "H29.7～H30.2",
          "（業務報告あり）", "(準備)", "！", "①", "②", "・", "、", "。", "“総合相談窓口”", "【中学3年生】",
          "=SUM(A1)", "+81", "-", "@home", "100%", "ABC", "ｶﾀｶﾅ", "ＡＢ１２", "\u3000", " ", "\n",
          "\r\n", "~", "ネットワーク", "A", "1"]


def random_text(rng: random.Random, allow_empty: bool = True) -> str:
    while True:
        raw = "".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 12)))
        s, _ = normalise.text(raw)  # the master stores normalised text
        if s or allow_empty:
            return s


def random_table(seed: int) -> tuple[Table, str]:
    rng = random.Random(seed)
    groups = sample_plan().groups
    missing = set(rng.sample([g.code for g in groups], rng.randint(0, 2)))
    rows = []
    for section in range(1, rng.randint(1, 5) + 1):
        for item in range(1, rng.randint(1, 3) + 1):
            numbers = sorted(rng.sample(range(1, 51), rng.randint(1, 6)))
            for number in numbers:
                plan = random_text(rng, allow_empty=False)
                for g in rng.sample(groups, rng.randint(1, 3)):
                    record = {"section": section, "item": item, "number": number,
                              "plan": plan}
                    returned = g.code not in missing
                    if returned:
                        record.update(result=random_text(rng), grade=rng.choice("ABCD"),
                                      reason=random_text(rng), next_plan=random_text(rng))
                    rows.append(Row(f"{section}-{item}-{number}", g, record, returned))
    year = rng.choice([2017, 2018, 2019, 2020, 2024])
    title = rng.choice(["", "夢つなぐ富士見プロジェクト+(プラス)～富士見市子どもの貧困対策整備計画～",
                        "第2期 富士見市計画（2020～2024年度）"])
    return Table("progress", year, rows, groups,
                 [g for g in groups if g.code in missing]), title


@pytest.mark.parametrize("seed", range(12))
def test_random_reports_read_back_exactly(tmp_path, form, seed):
    table, title = random_table(seed)
    path = write_report(tmp_path / "r.xlsx", form, table, title=title,
                        created=dt.datetime(2018, 5, 1))
    got = read_report(path, form)
    assert got.year == table.year
    assert got.title == title
    assert tuples(got) == expected(table)
    assert [r.returned for r in got.rows] == [r.returned for r in table.rows]
    not_returned = [r for r in table.rows if not r.returned]
    assert [r.owner for r in got.rows if not r.returned] == [r.group.name for r in not_returned]
    assert [p.code for p in got.problems] == ["import_not_returned"] * len(not_returned)
    assert all(p.severity == "warning" for p in got.problems)


# -- a table typed by hand --------------------------------------------------------------------

HEADER = ["項 目", None, None, "計画", "H29実施内容", "評価", "理由・課題等", "H30計画内容"]


def workbook(path: Path, sheets: dict[str, list[list[object]]],
             merges: dict[str, list[str]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c).value = value
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
    wb.save(path)
    return path


def test_hand_typed_table(tmp_path, form):
    rows = [
        ["夢つなぐ富士見プロジェクト+(プラス)～富士見市子どもの貧困対策整備計画～  "],
        ["(平成29年度進捗状況評価結果・第1～4節)"],
        [],
        HEADER,
        ["第1節", 1, "(1)", "子ども未来応援センターの設置", "10月に設置", "Ａ", "", "ネットワークの構築"],
        [None, None, "（２）", "子ども未来相談窓口の設置", "窓口を設置\r\n(業務報告あり)", "ａ", "周知が課題",
         "周知・PRの拡大"],
        [None, "２", "1)", "子ども未来コーディネーターの配置", "４月２名配置", "b", "連携強化", "各種事業"],
        [None, None, None, None, "別の担当の実施内容", "B", "理由", "次年度"],
        [None, None, "い", "子ども未来応援地域会議の設置", "設置準備", "B", "体制の整備", "検討"],
        [],
        ["項目", None, None, "計 画", "H29実施内容", "評 価", "理由・課題等", "H30計画内容"],
        ["第２節", "１", "①", "空き家の利活用", "実態調査", "A", "把握できた", "計画策定"],
        [None, 1, 2, "生活支援物資供給センターの設置", "体制の検討", "B", "連携", "設置準備"],
        ["第2節", 1, "②", None, "二つ目の担当", "c", "理由２", "準備"],
        ["※評価 A:計画どおり B:おおむね順調"],
    ]
    summary = [["評価の集計"], [], ["節", "A", "B", "計"], ["第1節", 3, 2, 5]]
    path = workbook(tmp_path / "hand.xlsx", {"進捗": rows, "集計": summary})
    got = read_report(path, form)

    def v(result, grade, reason, next_plan):
        return {"result": result, "grade": grade, "reason": reason, "next_plan": next_plan}

    assert got.year == 2017
    assert got.title == "夢つなぐ富士見プロジェクト+(プラス)～富士見市子どもの貧困対策整備計画～"
    assert tuples(got) == [
        (1, 1, 1, "子ども未来応援センターの設置", v("10月に設置", "A", "", "ネットワークの構築")),
        (1, 1, 2, "子ども未来相談窓口の設置",
         v("窓口を設置\n(業務報告あり)", "A", "周知が課題", "周知・PRの拡大")),
        (1, 2, 1, "子ども未来コーディネーターの配置", v("4月2名配置", "B", "連携強化", "各種事業")),
        (1, 2, 1, "子ども未来コーディネーターの配置", v("別の担当の実施内容", "B", "理由", "次年度")),
        (2, 1, 1, "空き家の利活用", v("実態調査", "A", "把握できた", "計画策定")),
        (2, 1, 2, "生活支援物資供給センターの設置", v("体制の検討", "B", "連携", "設置準備")),
        (2, 1, 2, "生活支援物資供給センターの設置", v("二つ目の担当", "C", "理由2", "準備")),
    ]
    assert problems(got) == [("進捗!C9", "import_bad_key"), ("進捗!A15", "import_stray_row")]
    bad = got.problems[0]
    assert (bad.file, bad.sheet, bad.cell, bad.field, bad.value) == ("hand.xlsx", "進捗", "C9",
                                                                     "号", "い")
    assert bad.severity == "error"
    assert "「い」を号として読めません" in bad.message()
    assert "'い' cannot be read as 号" in bad.message("en")
    # where each value came from: a "same as above" 節 points at the cell above it
    assert got.rows[1].cells["section"] == "進捗!A5"
    assert got.rows[3].cells == {
        "section": "進捗!A5", "item": "進捗!B7", "number": "進捗!C7", "plan": "進捗!D7",
        "result": "進捗!E8", "grade": "進捗!F8", "reason": "進捗!G8", "next_plan": "進捗!H8"}
    assert got.rows[6].cells["plan"] == "進捗!D13"


def test_merged_cells_apply_to_every_row(tmp_path, form):
    rows = [
        ["進捗状況評価"], ["(令和2年度進捗状況評価結果)"], [],
        [*HEADER[:4], "R2実施内容", "評価", "理由・課題等", "R3計画内容"],
        ["第3節", 1, "①", "居場所の確保", "実情把握", "B", "検討", "支援の実施"],
        [None, 2, "①", "子ども食堂への支援", "基準の検討", "B", "検討", "支援の実施"],
        [None, None, None, None, "二つ目", "A", "", "継続"],
        [None, None, None, None, "三つ目", "A", "", "継続"],
    ]
    path = workbook(tmp_path / "m.xlsx", {"Sheet1": rows},
                    {"Sheet1": ["A1:H1", "A4:C4", "A5:A8", "B6:B8", "C6:C8", "D6:D8"]})
    got = read_report(path, form)
    assert got.year == 2020
    assert [(r.key, r.title, r.values["result"]) for r in got.rows] == [
        ("3-1-1", "居場所の確保", "実情把握"),
        ("3-2-1", "子ども食堂への支援", "基準の検討"),
        ("3-2-1", "子ども食堂への支援", "二つ目"),
        ("3-2-1", "子ども食堂への支援", "三つ目"),
    ]
    assert got.rows[3].cells["plan"] == "Sheet1!D6"
    assert got.rows[3].cells["section"] == "Sheet1!A5"
    assert got.title == "進捗状況評価"
    assert got.problems == []


def test_two_row_header_and_owner_column(tmp_path, form):
    rows = [
        ["項目", None, None, "計画", "平成30年度実施内容", "評価", "理由・課題等", "平成31年度計画内容", "担当"],
        ["節", "項", "号"],
        ["1", "1", "1", "計画の文言", "実施", "A", "", "次", "応援センター"],
        [None, None, None, None, "実施2", "B", "理由", "次2", "保育"],
    ]
    got = read_report(workbook(tmp_path / "t.xlsx", {"一覧": rows}), form)
    assert got.year == 2018
    assert got.title == ""
    assert [(r.key, r.owner, r.values["grade"]) for r in got.rows] == [
        ("1-1-1", "応援センター", "A"), ("1-1-1", "保育", "B")]
    assert got.problems == []


# -- rows copied from the seed table (tab-separated, as extracted) ----------------------------

SEED = "夢つなぐ富士見プロジェクト+(プラス)～富士見市子どもの貧困対策整備計画～  \n" + """(平成29年度進捗状況評価結果・第1～4節)

項 目\t\t\t計画\tH29実施内容\t評価\t理由・課題等\tH30計画内容
第1節\t1\t①\t子ども未来応援センター(子育て世代包括支援センター)の設置\t平成29年10月に子ども未来応援センターを設置\tA\tセンター機能の充実と支援体制の確立\tネットワークの構築
第1節\t2\t④\t子ども未来応援地域会議の設置\t設置準備\tB\t地域における推進体制の整備\t地域会議の具体化に向けた検討

項 目\t\t\t計 画\tH29実施内容\t評価\t理由・課題等\tH30計画内容
第2節\t1\t①\t空き家の利活用\t空き家実態調査・管理システム構築\tA\t空き家対策総合窓口の設置 空き家の所在地、状態、所有者等が把握できたため\t空家等対策計画策定(空き家バンク設置等)

項 目\t\t\t計 画\tH29実施内容\t評価\t理由・課題等\tH30計画内容
第3節\t3\t③\t家庭学習応援事業\t【中学3年生】 H29.7～H30.2の期間で、34回。水谷公民館と鶴瀬公民館の2会場。参加生徒50名。出席率92% 【小学5年生】 H29.7～H30.3の期間で、30回。水谷公民館、鶴瀬公民館、針ヶ谷コミセンの3会場。参加児童62名。出席率88%\tA\t・29年度の成果が未検証であるため、30年度は現状のまま実施。今後、成果を検証した後、費用対効果も含め、事業形態について検討していく\tH29年度と同様

項目\t\t\t計画\tH29実施内容\t評価\t理由・課題等\tH30計画内容
第4節\t1\t③\tひとり親家庭子育て支援助成金\t実施に向けての準備(実施計画・予算要求等)\tB\t平成30年度からの助成を実行する\t平成30年度から助成を開始
第4節\t2\t①\t就労に向けた資格取得支援\t「就学又は技能取得のための職業訓練を受けている場合」については、保育を必要とする理由に該当するため、現状においても受入れ可能である\tA\t待機児童数の推移を勘案しながら、専用枠の設置を検討する\t引き続き、就学等を理由とする入所希望について、保育所別・年齢別の空き状況を案内していく
第4節\t2\t①\t就労に向けた資格取得支援\tハローワークと連携した情報提供\tA\t資格取得よりは知識・技能取得の面が強い\tハローワークと連携した情報提供
第4節\t2\t①\t就労に向けた資格取得支援\t県で実施している職業訓練の講座等の配布及び案内をした\tA\tひとり親家庭の自立のために、就労につながる資格取得のための支援を確実に進めていく\t県等の職業訓練講座や、ひとり親家庭自立支援事業の案内等を継続的に実施していく
"""


def test_seed_rows(tmp_path, form):
    rows = [[cell or None for cell in line.split("\t")] for line in SEED.split("\n")]
    got = read_report(workbook(tmp_path / "seed.xlsx", {"Sheet1": rows}), form)
    assert got.year == 2017
    assert got.title == "夢つなぐ富士見プロジェクト+(プラス)～富士見市子どもの貧困対策整備計画～"
    assert [(r.key, r.values["grade"]) for r in got.rows] == [
        ("1-1-1", "A"), ("1-2-4", "B"), ("2-1-1", "A"), ("3-3-3", "A"), ("4-1-3", "B"),
        ("4-2-1", "A"), ("4-2-1", "A"), ("4-2-1", "A")]
    assert got.problems == []
    assert got.rows[3].title == "家庭学習応援事業"
    assert got.rows[3].values["result"].startswith("【中学3年生】 H29.7～H30.2の期間で、34回。")
    assert got.rows[3].values["next_plan"] == "H29年度と同様"
    assert [r.values["result"] for r in got.rows[-3:]] == [
        "「就学又は技能取得のための職業訓練を受けている場合」については、保育を必要とする理由に該当するため、現状においても受入れ可能である",
        "ハローワークと連携した情報提供", "県で実施している職業訓練の講座等の配布及び案内をした"]
    assert got.rows[4].cells["plan"] == "Sheet1!D15"


# -- what cannot be read ----------------------------------------------------------------------

def test_no_header_is_a_problem_not_an_exception(tmp_path, form):
    path = workbook(tmp_path / "n.xlsx", {"集計": [["節", "A", "B"], ["第1節", 1, 2]]})
    got = read_report(path, form)
    assert (got.year, got.title, got.rows) == (0, "", [])
    assert [(p.file, p.code) for p in got.problems] == [("n.xlsx", "import_no_header")]


def test_year_from_subtitle_else_a_problem(tmp_path, form):
    head = ["項目", None, None, "計画", "実施内容", "評価", "理由・課題等", "計画内容"]
    data = ["第1節", 1, "①", "計画", "実施", "A", "", "次"]
    with_sub = workbook(tmp_path / "s.xlsx", {"S": [["表題"], ["（令和元年度進捗状況評価結果）"], head, data]})
    got = read_report(with_sub, form)
    assert (got.year, got.title, got.problems) == (2019, "表題", [])
    without = read_report(workbook(tmp_path / "w.xlsx", {"S": [head, data]}), form)
    assert without.year == 0
    assert [(p.code, p.severity) for p in without.problems] == [("import_no_year", "error")]
    assert len(without.rows) == 1


def test_year_mismatch_missing_column_and_bad_grade(tmp_path, form):
    rows = [
        HEADER,
        ["第1節", 1, "①", "計画1", "実施", "Ｓ", "", "次"],
        [],
        ["項目", None, None, "計画", "H30実施内容", "評価", "H31計画内容"],
        ["第2節", 1, "①", "計画2", "実施", "B", "次"],
    ]
    got = read_report(workbook(tmp_path / "y.xlsx", {"表": rows}), form)
    assert got.year == 2017
    assert problems(got) == [("表!F2", "not_in_scale"), ("表!E4", "import_year_mismatch"),
                             ("表!G4", "import_year_mismatch"),
                             ("表!A4", "import_missing_column")]
    assert got.rows[0].values["grade"] == "S"
    assert got.rows[1].values == {"result": "実施", "grade": "B", "reason": "", "next_plan": "次"}


def test_blank_keys_that_cannot_be_inherited(tmp_path, form):
    rows = [
        HEADER,
        [None, 1, "①", "計画1", "実施", "A", "", "次"],  # no row above, sheet not named 第n節
        ["第1節", 1, None, "別の計画", "実施", "A", "", "次"],  # a blank 号 with a new plan
        ["第1節", 2, "①", None, "実施", "A", "", "次"],  # a blank plan, no such item above
    ]
    got = read_report(workbook(tmp_path / "b.xlsx", {"表": rows}), form)
    assert problems(got) == [("表!A2", "import_missing_key"), ("表!C3", "import_missing_key"),
                             ("表!D4", "import_no_plan")]
    assert [(r.key, r.title) for r in got.rows] == [("1-2-1", "")]


def test_section_sheet_name_fills_a_blank_first_section(tmp_path, form):
    rows = [HEADER, [None, 1, "①", "計画1", "実施", "A", "", "次"]]
    got = read_report(workbook(tmp_path / "s.xlsx", {"第3節": rows}), form)
    assert [r.key for r in got.rows] == ["3-1-1"] and got.problems == []


def test_plan_text_differs_is_a_warning(tmp_path, form):
    rows = [HEADER,
            ["第1節", 1, "①", "計画の文言", "実施", "A", "", "次"],
            ["第1節", 1, "①", "計画の文言（改）", "実施2", "A", "", "次"]]
    got = read_report(workbook(tmp_path / "d.xlsx", {"表": rows}), form)
    assert [(p.where(), p.code, p.severity) for p in got.problems] == [
        ("表!D3", "import_plan_differs", "warning")]
    assert [r.title for r in got.rows] == ["計画の文言", "計画の文言（改）"]


def test_unreadable_file_raises(tmp_path, form):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a workbook at all")
    with pytest.raises(ReportImportError) as info:
        read_report(path, form)
    assert isinstance(info.value, FujimiError)
    assert [p.code for p in info.value.problems] == ["not_workbook"]


def test_new_codes_have_both_languages():
    codes = [c for c in CATALOGUE if c.startswith("import_")]
    assert len(codes) >= 8
    for code in codes:
        ja, en = CATALOGUE[code]
        assert ja and en and ja != en
        for lang in ("ja", "en"):
            assert "{" not in text(code, lang, value="x", expected="y", found="z", label="号",
                                   group="g")


def test_not_returned_row(tmp_path, form):
    table, title = sample_table()
    g = table.rows[0].group
    rows = [Row(r.key, r.group, {k: r.record[k] for k in ("section", "item", "number", "plan")},
                False) if r.group.code == g.code else r for r in table.rows]
    table = Table("progress", 2017, rows, table.groups, [g])
    got = read_report(write_report(tmp_path / "r.xlsx", form, table, title=title), form)
    assert tuples(got) == expected(table)
    skipped = [r for r in got.rows if not r.returned]
    assert skipped and all(r.owner == g.name for r in skipped)
    assert all(v == "" for r in skipped for v in r.values.values())
    assert {p.code for p in got.problems} == {"import_not_returned"}
    assert got.problems[0].params["group"] == g.name
    assert isinstance(g, Group)


def test_far_away_cell_is_clipped_with_a_warning(tmp_path, form):
    rows = [HEADER, ["第1節", 1, "①", "計画の文言", "実施", "A", "", "次"]]
    path = workbook(tmp_path / "far.xlsx", {"表": rows})
    wb = openpyxl.load_workbook(path)
    wb["表"].cell(30_000, 1).value = "x"
    wb.save(path)
    got = read_report(path, form)
    assert [(r.key, r.title) for r in got.rows] == [("1-1-1", "計画の文言")]
    assert [(p.where(), p.code, p.severity) for p in got.problems] == [
        ("表", "limit_exceeded", "warning")]


@pytest.mark.libreoffice
def test_report_resaved_by_libreoffice_reads_back(tmp_path, form):
    """A report opened and saved again in Calc (merged cells, shared strings rewritten)."""
    import os
    import subprocess
    import tempfile

    from fujimi_xl.output.pdf import libreoffice

    table, title = random_table(3)
    src = write_report(tmp_path / "report.xlsx", form, table, title=title)
    out = tmp_path / "calc"
    with tempfile.TemporaryDirectory(prefix="fujimi-test-lo-") as profile:
        subprocess.run([libreoffice(), f"-env:UserInstallation={Path(profile).as_uri()}",
                        "--headless", "--norestore", "--convert-to",
                        "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)],
                       check=True, capture_output=True, timeout=180,
                       env={**os.environ, "HOME": profile})
    got = read_report(out / "report.xlsx", form)
    assert got.year == table.year and got.title == title
    assert tuples(got) == expected(table)
    assert {p.code for p in got.problems} <= {"import_not_returned"}
