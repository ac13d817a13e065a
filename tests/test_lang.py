"""--lang en: every command prints English, the default stays Japanese, and generated workbooks
show English texts (sheet names and column headers stay as the form defines them, so the
returned workbook is still read and accepted)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.core.fiscal import year_label
from fujimi_xl.core.messages import BOOK, UI, book_text, ui
from fujimi_xl.demo import fill_workbook, sample_plan, write_sample_plan
from fujimi_xl.forms import load_form
from fujimi_xl.layouts.list import generator
from fujimi_xl.layouts.sheet import sheet_generator

from .conftest import YEAR, OtherMaster, master_write

KEY = bytes(range(32))


@pytest.fixture
def en(run):
    return lambda *args: run("--lang", "en", *args)


def lines(res) -> list[str]:
    return res.output.splitlines()


# -- the catalogue ---------------------------------------------------------------------------

def test_every_entry_has_both_languages_and_the_same_placeholders():
    import string

    def names(t: str) -> set[str]:
        return {n for _, n, _, _ in string.Formatter().parse(t) if n}

    for table in (UI, BOOK):
        for key, (ja, en) in table.items():
            assert ja and en, key
            if key != "year_label":  # 平成30年度 / FY2018 (H30) are built differently
                assert names(ja) == names(en), key
    assert year_label(2018) == "平成30年度"
    assert year_label(2018, "en") == "FY2018 (H30)"
    assert ui("error", "en", message="x") == "Error: x"


# -- the commands ------------------------------------------------------------------------------

def test_plan_template_init_plan(run, en, tmp_path):
    res = en("plan-template", tmp_path / "plan.xlsx", "--form", "progress")
    assert res.exit_code == 0
    assert res.output.startswith("Plan workbook template created: ")
    assert run("plan-template", tmp_path / "p2.xlsx", "--form", "progress").output.startswith(
        "計画ブックのひな形を作成しました: ")
    plan = write_sample_plan(tmp_path / "sample.xlsx")
    res = en("init", tmp_path / "ws", "--plan", plan, "--form", "progress")
    assert res.exit_code == 0, res.output
    assert lines(res)[0] == f"Workspace created: {tmp_path / 'ws'}"
    assert lines(res)[1].startswith("  plan: 26 rows (10 groups)  master: ")
    res = en("plan", plan, "-w", tmp_path / "ws")
    assert lines(res) == ["Plan updated: 26 rows (10 groups)",
                          "Next, create the workbooks with generate: fujimi-xl generate progress "
                          f"--year YEAR -w {tmp_path / 'ws'}"]
    assert lines(run("plan", plan, "-w", tmp_path / "ws"))[0] == "計画を更新しました: 26 行（担当 10）"


def test_errors_and_bad_year(run, en, ws, tmp_path):
    res = en("status", "progress", "--year", "2018", "-w", tmp_path / "nothing")
    assert res.exit_code == 2 and res.output.startswith("Error: ")
    assert run("status", "progress", "--year", "2018", "-w", tmp_path / "nothing"
               ).output.startswith("エラー: ")
    res = en("generate", "progress", "--year", "平成", "-w", ws.root)
    assert res.exit_code == 2
    assert "Cannot read the fiscal year '平成' (e.g. 2018, H30, 平成30, R2, 令和2)" in res.output
    assert "年度「平成」を読めません" in run("generate", "progress", "--year", "平成",
                                          "-w", ws.root).output


def test_generate(run, en, ws):
    res = en("generate", "progress", "--year", "H30", "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert lines(res)[0] == "FY2018 (H30) progress: 10 workbooks created"
    assert any(line.startswith("  保育 (items: 1): ") for line in lines(res))
    book = openpyxl.load_workbook(next(p for g, p, _ in api.generate(
        ws, "progress", 2018, ["保育"], lang="en", reissue=True).files))
    assert book["記入要領"]["A1"].value == "FY2018 (H30) 進捗状況評価: instructions"
    res = run("generate", "progress", "--year", "H30", "-w", ws.root, "--reissue")
    assert lines(res)[0] == "平成30年度 progress: 10 件のブックを作成しました"
    assert any(line.startswith("  保育（1項目）: ") for line in lines(res))
    path = next(ws.outbox.glob("2018/progress/*保育*.xlsx"))
    assert openpyxl.load_workbook(path)["記入要領"]["A1"].value.endswith(" 記入要領")


def test_ingest_accepted_dry_run_and_unchanged(run, en, ws, outbox, fill):
    good = fill(outbox["保育"], "保育")
    res = en("ingest", good, "-w", ws.root, "--dry-run")
    assert res.exit_code == 0
    assert f"would accept\t{good.name}\t保育\trecords 1 v1" in lines(res)
    assert "\t4-2-1 評価: (none) → A" in lines(res)
    res = en("ingest", good, "-w", ws.root)
    assert f"accepted\t{good.name}\t保育\trecords 1 v1" in lines(res)
    assert lines(res)[-1] == "1 files: 1 accepted, 0 rejected, 0 unchanged, 0 skipped"
    res = run("ingest", good, "-w", ws.root)
    assert f"変更なし\t{good.name}\t保育\tv1" in lines(res)


def test_status(run, en, ws, outbox, fill):
    run("ingest", fill(outbox["保育"], "保育"), "-w", ws.root)
    res = en("status", "progress", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 0
    assert lines(res)[0] == "FY2017 (H29) progress"
    assert lines(res)[1] == "group\tstate\tversion\tlast file\treceived"
    rows = {line.split("\t")[0]: line.split("\t") for line in lines(res)}
    assert rows["保育"][1:3] == ["accepted", "1"]
    assert rows["応援センター"][1] == "missing"
    assert "Groups to remind (9): こども未来部 子ども未来応援センターグループ, " in res.output
    res = run("status", "progress", "--year", YEAR, "-w", ws.root)
    assert lines(res)[:2] == ["平成29年度 progress", "担当\t状況\t版\t最終ファイル\t受付日時"]
    assert "督促が必要な担当 (9): こども未来部 子ども未来応援センターグループ、" in res.output


def test_status_all_accepted(en, ws, outbox, fill):
    api.ingest(ws, [fill(p, g) for g, p in outbox.items()])
    res = en("status", "progress", "--year", YEAR, "-w", ws.root)
    assert lines(res)[-1] == "All groups accepted."


def test_report(run, en, ws, outbox, fill, tmp_path):
    run("ingest", fill(outbox["保育"], "保育"), "-w", ws.root)
    out = tmp_path / "r.xlsx"
    res = en("report", "progress", "--year", "H29", "-w", ws.root, "-o", out)
    assert res.exit_code == 0
    assert f"Report created: {out} (26 rows)" in lines(res)
    assert "Groups not returned: 応援センター, " in res.output
    res = run("report", "progress", "--year", "H29", "-w", ws.root, "-o", out)
    assert f"集計表を作成しました: {out}（26 行）" in lines(res)


def test_import_report(run, en, ws, outbox, fill, tmp_path):
    api.ingest(ws, [fill(p, g) for g, p in outbox.items()])
    table = api.report(ws, "progress", YEAR, tmp_path / "first.xlsx").path
    with OtherMaster():
        res = en("import-report", table, "-w", api.init(tmp_path / "fresh").root, "--form", "progress")
        assert res.exit_code == 0, res.output
        assert "Imported: first.xlsx (FY2017, 26 rows, 3 groups)" in lines(res)
        assert "There was no plan, so one was made from the table." in res.output
    with OtherMaster():
        res = run("import-report", table, "-w", api.init(tmp_path / "fresh2").root, "--form", "progress")
        assert "取り込みました: first.xlsx（2017年度、26 行、3 担当分）" in lines(res)
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    res = en("import-report", empty, "-w", ws.root, "--form", "progress")
    assert res.exit_code == 1
    assert "Nothing was imported (errors: 1). Correct the table and import it again." in res.output
    res = run("import-report", empty, "-w", ws.root, "--form", "progress")
    assert "取り込みませんでした（エラー 1 件）。" in res.output


def test_rollover(run, en, ws, outbox, fill):
    api.ingest(ws, [fill(outbox["保育"], "保育")])
    res = en("rollover", "progress", "--from", "H29", "--to", "H30", "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert lines(res)[0] == "FY2017 (H29) → FY2018 (H30): 1 items carried over."
    assert lines(res)[1].startswith("  New items (nothing from the year before): 25: ")
    assert lines(res)[-1] == ("Next, create the new year's workbooks with "
                              "`fujimi-xl generate progress --year 2018`.")
    res = run("rollover", "progress", "--from", "H29", "--to", "H30", "-w", ws.root)
    assert lines(res)[0] == "平成29年度 → 平成30年度: 1 件を繰り越しました。"


def test_history_and_diff(run, en, ws, outbox, fill):
    v1 = fill(outbox["保育"], "保育", name="v1.xlsx")
    v2 = fill(outbox["保育"], "保育", {"4-2-1": {"next_plan": "第2版の計画"}}, name="v2.xlsx")
    api.ingest(ws, [v1])
    api.ingest(ws, [v2])
    res = en("history", "4-2-1", "-w", ws.root, "--form", "progress")
    assert "progress FY2017 (H29) 保育 v1 (superseded)\tH30計画内容" in res.output
    assert "progress FY2017 (H29) 保育 v2 (current)\tH30計画内容" in res.output
    assert "progress 平成29年度 保育 v1（旧版）\tH30計画内容" in run(
        "history", "4-2-1", "-w", ws.root, "--form", "progress").output
    assert lines(en("history", "9-9-9", "-w", ws.root)) == ["Item '9-9-9' has no accepted values."]
    assert lines(run("history", "9-9-9", "-w", ws.root)) == ["項目「9-9-9」の受理済みの値はありません。"]
    between = ("--between", "保育@1", "保育@1")
    assert lines(en("diff", "progress", "--year", YEAR, "-w", ws.root, *between)) == [
        "No differences."]
    assert lines(run("diff", "progress", "--year", YEAR, "-w", ws.root, *between)) == [
        "違いはありません。"]
    res = en("diff", "progress", "--year", YEAR, "-w", ws.root, "--between", "保育@1", "保育@9")
    assert res.exit_code == 2 and res.output.startswith("Error: ")


def test_export(run, en, ws, tmp_path):
    out = tmp_path / "o.csv"
    assert lines(en("export", "progress", "--year", YEAR, "-w", ws.root, "-o", out)) == [
        f"Written: {out}"]
    assert lines(run("export", "progress", "--year", YEAR, "-w", ws.root, "-o", out)) == [
        f"書き出しました: {out}"]


def test_verify(run, en, ws, outbox, fill):
    api.ingest(ws, [fill(outbox["保育"], "保育")])
    res = en("verify", "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert lines(res)[0].startswith("Checked: 1 current versions, 1 stored files, ")
    assert lines(res)[1].startswith("No problems found.")
    res = run("verify", "-w", ws.root)
    assert lines(res)[0].startswith("検査した範囲: 現在の版 1 件・保管ファイル 1 件・")
    assert lines(res)[1].startswith("異常はありません。")


def test_demo_refuses_a_folder_that_is_not_empty(run, en, tmp_path):
    (tmp_path / "x.txt").write_text("x")
    res = en("demo", tmp_path)
    assert res.exit_code == 2
    assert f"Error: {tmp_path} is not empty. Give a new folder." in res.output
    res = run("demo", tmp_path)
    assert f"エラー: {tmp_path} は空ではありません。" in res.output


# -- the workbooks ----------------------------------------------------------------------------

def test_english_workbook_reads_as_english_and_is_accepted(ws, sample, tmp_path):
    gen = api.generate(ws, "progress", YEAR, ["保育"], out_dir=tmp_path / "en", lang="en")
    (_, path, _), = gen.files
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["記入要領", "入力", "選択肢"]
    guide = wb["記入要領"]
    assert guide["A1"].value == "FY2017 (H29) 進捗状況評価: instructions"
    assert guide["A2"].value.startswith("Group: ")
    assert guide["B4"].value.startswith("This workbook is the FY2017 (H29) progress evaluation")
    assert "H29実施内容, 評価, 理由・課題等, H30計画内容" in guide["B5"].value
    assert "A: 計画どおり実施・達成  B: " in guide["B6"].value
    sheet = wb["入力"]
    assert sheet["A1"].value.startswith("FY2017 (H29) 進捗状況評価 input sheet")
    assert sheet["A2"].value.startswith("Group: ")
    assert sheet["A3"].value.startswith("Fill in the white cells.")
    assert sheet["A4"].value == generator.KEY_HEADER  # headers stay as the form defines them
    checks = {dv.errorTitle for dv in sheet.data_validations.dataValidation}
    assert checks == {"Not one of the choices", "Too long"}
    assert wb["選択肢"]["A1"].value == "Choice"

    answers = {k: dict(v) for k, v in sample["responses"]["保育"].items()}
    (tmp_path / "returned").mkdir()
    filled = fill_workbook(path, answers, tmp_path / "returned" / path.name)
    rep = api.ingest(ws, [filled])
    assert [f.outcome for f in rep.files] == ["accepted"], rep.files[0].problems


def test_default_workbook_stays_japanese(ws, tmp_path):
    (_, path, _), = api.generate(ws, "progress", YEAR, ["保育"], out_dir=tmp_path).files
    wb = openpyxl.load_workbook(path)
    assert wb["記入要領"]["A1"].value == "平成29年度 進捗状況評価 記入要領"
    assert wb["記入要領"]["B4"].value.startswith("このブックは ")
    assert wb["入力"]["A3"].value.startswith("白い欄に記入してください。")


def _progress_book(tmp_path: Path, form, lang: str, **kw) -> openpyxl.Workbook:
    plan = sample_plan()
    group = plan.group("応援センター")
    items = [it for it in plan.items if it.group == group.code]
    path = tmp_path / f"{lang}.xlsx"
    generator.build(path, form, 2017, group, items, key=KEY, issue_id="0" * 32,
                    issued_at="2017-04-01T09:00:00+09:00", lang=lang, **kw)
    return openpyxl.load_workbook(path)


def test_instructions_fall_back_to_japanese(tmp_path):
    form = load_form("progress")
    assert len(form.instructions_en) == len(form.instructions)
    bare = dataclasses.replace(form, instructions_en=[])
    wb = _progress_book(tmp_path, bare, "en")
    assert wb["記入要領"]["A1"].value.endswith(": instructions")
    assert wb["記入要領"]["B4"].value.startswith("このブックは ")


def test_english_feedback_sheet(tmp_path):
    form = load_form("progress")
    wb = _progress_book(tmp_path, form, "en", feedback_rows=[("入力!G5", "評価", "msg")],
                        marks={("4-2-1", "grade"): ["msg"]})
    fb = wb[generator.FEEDBACK_SHEET]
    assert fb["A1"].value == book_text("feedback_title", "en")
    assert [fb.cell(4, c).value for c in (1, 2, 3)] == ["Cell", "Field", "What to fix"]


def test_english_action_plan_sheet(tmp_path):
    from fujimi_xl.demo import sample_programs

    form = load_form("action_plan")
    assert len(form.instructions_en) == len(form.instructions)
    item = sample_programs().items[0]
    path = tmp_path / "ap.xlsx"
    sheet_generator.build(path, form, 2018, sample_plan().group(item.group), item, key=KEY,
                          issue_id="0" * 32, issued_at="2018-04-01T09:00:00+09:00",
                          title="富士見市", password="pw", lang="en")
    wb = openpyxl.load_workbook(path)
    sheet = wb[form.input_sheet]
    assert sheet["A1"].value == "FY2018 (H30) アクションプラン  富士見市"
    assert sheet["A2"].value.startswith("Group: ")
    assert sheet["A3"].value.startswith("Fill in the white cells.")
    assert wb["記入要領"]["B4"].value.startswith("This workbook is the FY2018 (H30) action plan")


def test_ingest_with_lang_en_writes_an_english_feedback_workbook(ws, outbox, fill):
    bad = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}})
    res = CliRunner().invoke(cli, ["--lang", "en", "ingest", str(bad), "-w", str(ws.root)])
    assert res.exit_code == 1
    feedback = next(ws.feedback.rglob("*.xlsx"))
    sheet = openpyxl.load_workbook(feedback)["差戻し内容"]
    texts = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "'E' is not one of the choices" in texts


# -- errors, findings and warnings in English ---------------------------------------------------

def test_errors_catalogue_has_both_languages_and_the_same_placeholders():
    import pickle
    import string

    from fujimi_xl.core.errors import FiscalYearError, FujimiError, WorkspaceError
    from fujimi_xl.core.messages import ERRORS, error_text
    from fujimi_xl.layouts import layout

    def names(t: str) -> set[str]:
        return {n for _, n, _, _ in string.Formatter().parse(t) if n}

    for key, (ja, en_text) in ERRORS.items():
        assert ja and en_text, key
        assert names(ja) == names(en_text), key
    exc = WorkspaceError(code="no_workspace", root="/x", config="fujimi.json")
    assert str(exc) == exc.message() == error_text("no_workspace", root="/x", config="fujimi.json")
    assert exc.message("en").startswith("/x is not a workspace")
    again = pickle.loads(pickle.dumps(exc))  # survives a worker process
    assert again.message("en") == exc.message("en") and str(again) == str(exc)
    assert FujimiError("そのままの文").message("en") == "そのままの文"
    assert FiscalYearError("平成").message("en").startswith("Cannot read the fiscal year '平成'")
    name, notice = layout.fit_sheet_name("a[b]", set())
    assert name == "a_b_" and notice is not None
    assert notice.message("en").startswith("Sheet name 'a[b]' cannot be used in Excel")
    assert str(notice) == layout.sheet_name("a[b]", set())[1]


def test_missing_workspace_in_english(run, en, tmp_path):
    res = en("status", "progress", "--year", "2018", "-w", tmp_path / "nothing")
    assert res.exit_code == 2
    assert lines(res) == [f"Error: {tmp_path / 'nothing'} is not a workspace (there is no "
                          "fujimi.json). Create it first with `fujimi-xl init`."]
    res = run("status", "progress", "--year", "2018", "-w", tmp_path / "nothing")
    assert lines(res) == [f"エラー: {tmp_path / 'nothing'} は作業フォルダではありません"
                          "（fujimi.json がありません）。先に `fujimi-xl init` で作成してください。"]


def test_bad_diff_version_in_english(run, en, ws):
    args = ("diff", "progress", "--year", YEAR, "-w", ws.root, "--between", "保育@1", "保育@9")
    res = en(*args)
    assert res.exit_code == 2
    assert lines(res) == ["Error: No version matches '保育@1' (give a file, or group@version "
                          "such as 保育@1)"]
    assert "「保育@1」に当たる版が見つかりません" in run(*args).output


def test_demo_folder_not_empty_in_english(run, en, tmp_path):
    (tmp_path / "keep.txt").write_text("keep")
    res = en("demo", tmp_path, "--no-pdf")
    assert res.exit_code == 2
    assert lines(res) == [f"Error: {tmp_path} is not empty. Give a new folder."]
    assert lines(run("demo", tmp_path, "--no-pdf")) == [
        f"エラー: {tmp_path} は空ではありません。新しいフォルダを指定してください。"]


def test_generate_unknown_group_in_english(run, en, ws):
    args = ("generate", "progress", "--year", YEAR, "-w", ws.root, "--group", "存在しない担当")
    res = en(*args)
    assert res.exit_code == 2
    assert lines(res)[0].startswith("Error: Group '存在しない担当' is not in the plan's list of "
                                    "groups. Give its code, its name, or its department and name.")
    assert lines(run(*args))[0].startswith("エラー: 担当「存在しない担当」は計画の担当一覧にありません。")


def test_verify_finds_tampering_in_english(run, en, ws, outbox, fill):
    api.ingest(ws, [fill(outbox["保育"], "保育")])
    master_write(ws, "UPDATE record_values SET value = '\"改ざん\"' WHERE field = 'result' "
                     "AND item_key = (SELECT min(item_key) FROM record_values "
                     "WHERE field = 'result')")
    res = en("verify", "-w", ws.root)
    assert res.exit_code == 1
    assert lines(res)[0].startswith("Checked: 1 current versions, 1 stored files, ")
    assert lines(res)[1].startswith(
        f"  progress {YEAR} 保育 v1: the values read again differ from the master [")
    assert len(lines(res)) == 2
    res = run("verify", "-w", ws.root)
    assert lines(res)[1].startswith(f"  progress {YEAR} 保育 v1: 読み直した値がマスタと一致しません [")
    data = __import__("json").loads(en("verify", "-w", ws.root, "--json").output)
    assert data["problems"][0].startswith(f"progress {YEAR} 保育 v1: the values read again")


def test_report_pdf_without_libreoffice_in_english(run, en, ws, outbox, fill, monkeypatch,
                                                    tmp_path):
    from fujimi_xl.output import pdf

    monkeypatch.setattr(pdf, "libreoffice", lambda: None)
    api.ingest(ws, [fill(outbox["保育"], "保育")])
    out = tmp_path / "r.xlsx"
    res = en("report", "progress", "--year", YEAR, "-w", ws.root, "-o", out, "--pdf")
    assert res.exit_code == 0, res.output
    assert ("No PDF was made because LibreOffice was not found (the Excel file was made). "
            "For a PDF, install LibreOffice, or open the file in Excel and save it as PDF."
            ) in lines(res)
    assert "LibreOffice が見つからない" not in res.output
    res = run("report", "progress", "--year", YEAR, "-w", ws.root, "-o", out, "--pdf")
    assert any(line.startswith("LibreOffice が見つからないため PDF は作成していません（Excel ")
               for line in lines(res))


def test_demo_in_english(en, tmp_path):
    res = en("demo", tmp_path / "d", "--no-pdf")
    assert res.exit_code == 0, res.output
    out = lines(res)
    assert out[0] == f"Sample plan workbook: {tmp_path / 'd' / '計画_サンプル.xlsx'}"
    assert f"Workspace: {tmp_path / 'd' / 'workspace'}" in out
    assert "First ingest: 9 accepted, 1 rejected" in out
    assert "Second ingest: 1 accepted, 0 rejected" in out
    assert "Returns: 10 of 10 groups accepted" in out
    report = tmp_path / "d" / "workspace" / "reports" / "平成29年度_進捗状況評価結果.xlsx"
    assert f"Report: {report}" in out
    assert any(line.startswith("Carried over to the next year: ") for line in out)
    assert not any(w in res.output for w in ("取込", "件作成", "報告書", "差戻し用ブック", "提出状況"))
