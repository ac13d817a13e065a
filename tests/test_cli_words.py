"""Words for a Windows clerk (issue 12, item 12): click's own messages in Japanese (English with
--lang en), forms and groups named as the clerk knows them, column headings and Japanese times,
what to do next, and a status that never asks to remind a group that was sent nothing."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from fujimi_xl import clicatalog
from fujimi_xl.cli import cli

from .conftest import YEAR, OtherMaster

# the commands this branch knows (others may add commands with Japanese words only)
OURS = ("plan-template", "init", "plan", "generate", "ingest", "status", "report",
        "import-report", "rollover", "history", "diff", "export", "verify", "demo", "backup",
        "restore", "forms", "form")


def invoke(*args: Any, env: dict[str, str] | None = None) -> Any:
    runner = CliRunner(env={"FUJIMI_LANG": "", **(env or {})})
    return runner.invoke(cli, [str(a) for a in args], prog_name="fujimi-xl",
                         catch_exceptions=False)


def lines(res: Any) -> list[str]:
    return res.output.splitlines()


# -- click's own words -----------------------------------------------------------------------

def test_missing_option_is_japanese_and_english_with_lang_en(tmp_path):
    res = invoke("status", "progress", "--year", YEAR)
    assert res.exit_code == 2
    assert lines(res) == [
        "使い方: fujimi-xl status [オプション] FORM",
        "使い方は「fujimi-xl status --help」で表示できます。",
        "",
        "エラー: 必須のオプション -w / --workspace（作業フォルダ (init で作成したもの)）が"
        "指定されていません。",
    ]
    res = invoke("--lang", "en", "status", "progress", "--year", YEAR)
    assert res.exit_code == 2
    assert lines(res) == [
        "Usage: fujimi-xl status [OPTIONS] FORM",
        "Try 'fujimi-xl status --help' for help.",
        "",
        "Error: The option -w / --workspace (Workspace folder (made by init)) is required.",
    ]


def test_path_that_does_not_exist(tmp_path):
    res = invoke("ingest", "受信なし/", "-w", tmp_path)
    assert res.exit_code == 2
    assert lines(res)[-1] == ("エラー: 'PATHS...' の値が正しくありません: パス「受信なし/」がありません。"
                              "綴りと場所を確かめてください。")
    res = invoke("--lang=en", "ingest", "受信なし/", "-w", tmp_path)
    assert lines(res)[-1] == "Error: Invalid value for 'PATHS...': Path '受信なし/' does not exist."


def test_no_such_option_command_and_choice():
    res = invoke("status", "progress", "--bogus")
    assert lines(res)[-1] == "エラー: 「--bogus」というオプションはありません。"
    res = invoke("statsu")
    assert lines(res)[-1] == "エラー: 「statsu」というコマンドはありません。 'status' のことですか？"
    res = invoke("--lang", "fr", "status")
    assert lines(res)[-1] == ("エラー: '--lang' の値が正しくありません: 「fr」は指定できません"
                              "（'ja', 'en' のいずれか）。")
    res = invoke("export", "progress", "-y", YEAR, "-w", ".", "-o", "x", "--format", "pdf")
    assert lines(res)[-1] == ("エラー: '--format' の値が正しくありません: 「pdf」は指定できません"
                              "（'csv', 'json', 'xlsx' のいずれか）。")
    res = invoke("--lang", "en", "status", "progress", "--bogus")
    assert lines(res)[-1] == "Error: No such option '--bogus'."


def test_help_pages_are_japanese_and_english_with_lang_en():
    res = invoke("--help")
    assert res.exit_code == 0
    out = lines(res)
    assert out[0] == "使い方: fujimi-xl [オプション] コマンド [引数]..."
    assert "オプション:" in out and "コマンド:" in out
    assert any(line.split() == ["--version", "バージョンを表示して終了する。"] for line in out)
    assert any(line.split() == ["-h,", "--help", "この説明を表示して終了する。"] for line in out)
    res = invoke("ingest", "-h")
    assert "  -w, --workspace フォルダ  作業フォルダ (init で作成したもの)  [必須]" in lines(res)
    en = invoke("--lang", "en", "ingest", "--help")
    assert lines(en)[0] == "Usage: fujimi-xl ingest [OPTIONS] PATHS..."
    assert "  -w, --workspace DIRECTORY  Workspace folder (made by init)  [required]" in lines(en)
    assert any(line.split() == ["-h,", "--help", "Show", "this", "message", "and", "exit."]
               for line in lines(en))
    # and Japanese again in the same process
    assert invoke("ingest", "-h").output == res.output
    assert lines(invoke("--help", env={"FUJIMI_LANG": "en"}))[0].startswith("Usage: ")


def test_every_command_has_japanese_help(run):
    invoke("--help")  # the texts of the last command run are in its language
    for name, command in cli.commands.items():
        assert command.help and any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff"
                                    for c in command.help), name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, (name, param.name)
        res = invoke(name, "--help")
        assert res.exit_code == 0 and lines(res)[0].startswith(f"使い方: fujimi-xl {name}")


def _click_msgids() -> set[str]:
    """Every text the installed click passes to _() or ngettext()."""
    found: set[str] = set()
    for name in clicatalog.MODULES:
        module = __import__(name, fromlist=["_"])
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("_", "ngettext"):
                for arg in node.args[: 1 if node.func.id == "_" else 2]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.add(arg.value)
    return found


def test_the_catalogue_covers_the_installed_click():
    missing = _click_msgids() - set(clicatalog.CLICK) - {
        # not printed by fujimi-xl's commands: editor, shell completion, declaration errors
        "d", "{editor}: Editing failed", "{editor}: Editing failed: {e}",
        "Windows error: {error}", "Unknown color {colour!r}", "Choice({choices})",
        "Could not determine name for option with declarations {decls!r}",
        "No options defined but a name was passed ({name}). Did you mean to declare an "
        "argument instead? Did you mean to pass '--{name}'?",
        "Arguments take exactly one parameter declaration, got {length}: {decls}.",
        "Name '{name}' defined twice",
        "Boolean option {decl!r} cannot use the same flag for true/false.",
        "Unknown standard stream '{name}'",
        "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
        "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
        "Couldn't detect Bash version, shell completion is not supported.",
        "Shell completion is not supported for Bash versions older than 4.4.",
        "Invalid start character for option ({option})",
    }
    assert not missing, sorted(missing)


@pytest.mark.parametrize(("args", "expected"), [
    (["--lang", "en", "ingest"], "en"), (["--lang=en", "status"], "en"),
    (["status", "--lang", "en"], "ja"), ([], "ja"), (["--lang", "xx"], "ja")])
def test_the_language_is_known_before_click_parses(args, expected):
    assert clicatalog.lang_from_args(args, ["ingest", "status"]) == expected


# -- forms and groups as the clerk names them ---------------------------------------------------

def test_an_unknown_form_lists_the_forms_there_are(ws):
    res = invoke("generate", "progres", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 2
    assert lines(res) == [
        "エラー: 様式「progres」はありません。使える様式（名前または題名で指定できます）: "
        "progress（進捗状況評価） / action_plan（アクションプラン） / "
        "survey（子どもの居場所・学習支援 実施状況調査）"]
    res = invoke("--lang", "en", "status", "すすちょく", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 2
    assert lines(res) == [
        "Error: There is no form 'すすちょく'. The forms there are (give the name or the "
        "title): action_plan（アクションプラン） / progress（進捗状況評価） / "
        "survey（子どもの居場所・学習支援 実施状況調査）"]


def test_a_form_named_by_its_title_and_a_group_by_its_full_name(ws):
    conn = ws.connect()
    before = conn.execute("SELECT count(*) FROM issued").fetchone()[0]
    conn.close()
    res = invoke("generate", "進捗状況評価", "--year", "H30", "-w", ws.root,
                 "--group", "保育グループ", "--group", "こども未来部 子育て支援グループ",
                 "--group", "こども未来部子ども未来応援センターグループ", "--group", "産業経済")
    assert res.exit_code == 0, res.output
    assert lines(res)[0] == "平成30年度 progress: 4 件のブックを作成しました"
    made = [line.split("（")[0].strip() for line in lines(res)[1:5]]
    assert made == ["応援センター", "子育て支援", "保育", "産業経済"]
    conn = ws.connect()
    rows = conn.execute("SELECT group_code FROM issued WHERE year = 2018 ORDER BY group_code"
                        ).fetchall()
    after = conn.execute("SELECT count(*) FROM issued").fetchone()[0]
    conn.close()
    assert sorted(r[0] for r in rows) == sorted(made) and after == before + 4
    res = invoke("status", "進捗状況評価", "--year", "H30", "-w", ws.root)
    assert res.exit_code == 0 and lines(res)[0] == "平成30年度 progress"


def test_an_unknown_group_lists_the_groups_and_issues_nothing(ws):
    conn = ws.connect()
    before = conn.execute("SELECT count(*) FROM issued").fetchone()[0]
    conn.close()
    res = invoke("generate", "progress", "--year", "H30", "-w", ws.root, "--group", "保育",
                 "--group", "ほいくグループ")
    assert res.exit_code == 2
    out = lines(res)[0]
    assert out.startswith("エラー: 担当「ほいくグループ」は計画の担当一覧にありません。担当コード・"
                          "グループ名・部名とグループ名のどれかで指定してください。計画の担当: ")
    assert "保育（こども未来部 保育グループ） / " in out
    conn = ws.connect()
    assert conn.execute("SELECT count(*) FROM issued").fetchone()[0] == before
    conn.close()


def test_ingest_takes_the_group_by_its_full_name(ws, outbox, fill):
    good = fill(outbox["保育"], "保育")
    res = invoke("ingest", good, "-w", ws.root, "--group", "こども未来部 保育グループ",
                 "--form", "進捗状況評価")
    assert res.exit_code == 0, res.output
    assert f"受理\t{good.name}\t保育\t1件 v1" in lines(res)
    res = invoke("ingest", fill(outbox["産業経済"], "産業経済"), "-w", ws.root,
                 "--group", "保育グループ")
    assert res.exit_code == 1
    assert "このブックは「産業経済」用です（期待: 「保育」）" in res.output


# -- column headings and Japanese times ---------------------------------------------------------

def _accepted_at(ws) -> list[str]:
    conn = ws.connect()
    try:
        return [r[0] for r in conn.execute("SELECT accepted_at FROM submissions ORDER BY id")]
    finally:
        conn.close()


def test_history_shows_headings_and_japanese_times(ws, outbox, fill):
    from fujimi_xl import api
    from fujimi_xl.core.messages import when

    v1 = fill(outbox["保育"], "保育", name="v1.xlsx")
    v2 = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "B"}}, name="v2.xlsx")
    api.ingest(ws, [v1])
    api.ingest(ws, [v2])
    t1, t2 = _accepted_at(ws)
    assert when("2026-12-01T19:18:12+09:00") == "2026年12月1日 19:18"
    assert when("2026-12-01T01:18:12+00:00") == "2026年12月1日 10:18"
    assert when("2026-12-01T01:05:12+00:00", "en") == "2026-12-01 10:05"
    res = invoke("history", "4-2-1", "-w", ws.root, "--form", "progress")
    assert res.exit_code == 0
    out = lines(res)
    assert out[0] == "様式 年度 担当 版\t項目\t値\tファイル セル\t受理日時"
    assert f"progress 平成29年度 保育 v1（旧版）\t評価\tA\tv1.xlsx 入力!G5\t{when(t1)}" in out
    assert f"progress 平成29年度 保育 v2（現在）\t評価\tB\tv2.xlsx 入力!G5\t{when(t2)}" in out
    assert when(t1).startswith(f"{t1[:4]}年") and "T" not in res.output.split("\n", 1)[1]
    assert not any("\tgrade\t" in line or "\tresult\t" in line for line in out)
    # --json keeps ids and ISO times
    data = json.loads(invoke("history", "4-2-1", "-w", ws.root, "--json").output)
    assert {"field": "grade", "accepted_at": t1} == {k: data[[
        d["field"] for d in data].index("grade")][k] for k in ("field", "accepted_at")}


def test_diff_and_dry_run_show_headings(ws, outbox, fill):
    from fujimi_xl import api

    api.ingest(ws, [fill(outbox["保育"], "保育", name="v1.xlsx")])
    v2 = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "B", "next_plan": "新しい計画"}},
              name="v2.xlsx")
    res = invoke("ingest", v2, "-w", ws.root, "--dry-run")
    assert "\t4-2-1 評価: A → B" in lines(res)
    assert any(line.startswith("\t4-2-1 H30計画内容: ") and line.endswith("→ 新しい計画")
               for line in lines(res))
    api.ingest(ws, [v2])
    res = invoke("diff", "進捗状況評価", "--year", YEAR, "-w", ws.root,
                 "--between", "保育@1", "保育@2")
    assert lines(res)[0] == "項目番号\t項目\tセル\t前 → 後"
    assert "4-2-1\t評価\tG5\tA → B" in lines(res)
    data = json.loads(invoke("diff", "progress", "--year", YEAR, "-w", ws.root,
                             "--between", "保育@1", "保育@2", "--json").output)
    assert {d["field"] for d in data} == {"grade", "next_plan"}


def test_status_times_are_japanese(ws, outbox, fill):
    from fujimi_xl import api
    from fujimi_xl.core.messages import when

    api.ingest(ws, [fill(outbox["保育"], "保育")])
    conn = ws.connect()
    received = conn.execute("SELECT received_at FROM files").fetchone()[0]
    conn.close()
    res = invoke("status", "progress", "--year", YEAR, "-w", ws.root)
    row = next(line for line in lines(res) if line.startswith("保育\t"))
    assert row.split("\t")[-1] == when(received)
    data = json.loads(invoke("status", "progress", "--year", YEAR, "-w", ws.root,
                             "--json").output)
    assert received in [g["last_time"] for g in data["groups"]]


# -- what to do next ---------------------------------------------------------------------------

def test_init_says_what_to_do_next(tmp_path):
    from fujimi_xl.demo import write_sample_plan

    plan = write_sample_plan(tmp_path / "plan.xlsx")
    ws = tmp_path / "作業 フォルダ"
    res = invoke("init", ws, "--plan", plan, "--form", "progress")
    assert res.exit_code == 0
    assert lines(res)[-1] == ("次に generate で記入用ブックを作成します: fujimi-xl generate progress "
                              f'--year 年度 -w "{ws}"')
    with OtherMaster():  # a second workspace
        res = invoke("--lang", "en", "init", tmp_path / "empty")
        assert res.exit_code == 0
        assert lines(res)[-1].startswith(
            "There is no plan yet. Next, load a plan workbook: fujimi-xl plan PLAN.xlsx -w ")
        res = invoke("generate", "progress", "--year", YEAR, "-w", tmp_path / "empty")
    assert res.exit_code == 2
    assert lines(res) == ["エラー: 様式「progress」の計画に項目がありません。先に計画ブックを読み込んで"
                          "ください: fujimi-xl plan 計画.xlsx -w 作業フォルダ --form progress"]


def test_ingest_with_refusals_names_the_feedback_books_to_send(ws, outbox, fill, tmp_path):
    good = fill(outbox["産業経済"], "産業経済")
    bad = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}})
    broken = tmp_path / "returned" / "壊れた.xlsx"
    broken.write_bytes(b"not a workbook")
    res = invoke("ingest", tmp_path / "returned", "-w", ws.root)
    assert res.exit_code == 1
    out = lines(res)
    feedback = ws.feedback / str(YEAR) / "progress" / f"差戻し_{bad.name}"
    assert feedback.is_file()
    i = out.index("差戻しの 1 件は、次の差戻し用ブックを担当に送り返してください（赤いセルを直して"
                  "送り直してもらい、届いたらもう一度 ingest します）:")
    assert out[i + 1] == f"  保育: {feedback}"
    assert out[i + 2] == ("差戻し用ブックを作れなかったファイル（壊れた.xlsx）は、上の表の内容を担当に"
                          "伝え、配布したブックに記入して送り直してもらってください。")
    assert out[-1] == "3件中 受理1・差戻し2・変更なし0・読み飛ばし0"
    assert f"受理\t{good.name}\t産業経済\t1件 v1" in out


def test_ingest_of_an_empty_folder_says_to_check_the_path(ws, tmp_path):
    from .conftest import master_snapshot

    before = master_snapshot(ws)
    empty = tmp_path / "受信"
    empty.mkdir()
    (empty / "メモ.txt").write_text("x", encoding="utf-8")
    res = invoke("ingest", empty, "-w", ws.root)
    assert res.exit_code == 0
    assert lines(res)[-2:] == [
        f"取り込む Excel ファイル（.xlsx）が見つかりませんでした: {empty}。フォルダの場所と名前を"
        "確かめてください（サブフォルダの中も探します）。",
        "0件中 受理0・差戻し0・変更なし0・読み飛ばし0"]
    assert master_snapshot(ws) == before


def test_generate_says_to_send_the_books(ws):
    res = invoke("generate", "progress", "--year", "H30", "-w", ws.root, "--group", "保育")
    assert lines(res)[-1] == ("outbox のブックを各担当に送ってください。返送されたら: "
                              f"fujimi-xl ingest 返送フォルダ -w {ws.root}")


# -- status --------------------------------------------------------------------------------------

def test_status_before_generate_says_nothing_is_issued_and_reminds_no_one(tmp_path):
    from fujimi_xl import api
    from fujimi_xl.demo import write_sample_plan

    ws = api.init(tmp_path / "ws", write_sample_plan(tmp_path / "plan.xlsx"), "progress")
    res = invoke("status", "progress", "--year", "H30", "-w", ws.root)
    assert res.exit_code == 0
    assert "督促" not in res.output
    assert lines(res)[-1] == ("まだ記入用ブックを発行していません。generate を実行して作成し、"
                              "各担当に送ってください: fujimi-xl generate progress --year 2018 "
                              f"-w {ws.root}")
    data = json.loads(invoke("status", "progress", "--year", "H30", "-w", ws.root,
                             "--json").output)
    assert data["missing"] == [] and len(data["not_issued"]) == 10


def test_status_with_some_issued_reminds_only_those(ws):
    invoke("generate", "progress", "--year", "H30", "-w", ws.root, "--group", "保育")
    res = invoke("status", "progress", "--year", "H30", "-w", ws.root)
    out = lines(res)
    assert "督促が必要な担当 (1): こども未来部 保育グループ" in out
    assert any(line.startswith("未発行の担当 (9): こども未来部 子ども未来応援センターグループ、")
               for line in out)
    assert out[-1] == ("  未発行の担当の分を作成するには: fujimi-xl generate progress --year 2018 "
                       f"-w {ws.root} --group 担当")
    assert "全担当の受理が済んでいます。" not in out


def test_status_of_a_form_with_nothing_planned(ws):
    res = invoke("status", "action_plan", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 0
    assert lines(res) == ["様式「action_plan」の計画に項目がありません。先に計画ブックを読み込んで"
                          f"ください: fujimi-xl plan 計画.xlsx -w {ws.root} --form action_plan"]
    res = invoke("--lang", "en", "status", "アクションプラン", "--year", YEAR, "-w", ws.root)
    assert lines(res)[0].startswith("The plan of form 'action_plan' has no items.")


def test_lang_after_the_subcommand_is_explained():
    res = invoke("status", "--lang", "en", "progress")
    assert res.exit_code == 2
    assert lines(res)[-1] == "Error: --lang goes before the subcommand: fujimi-xl --lang en status …"
    res = invoke("ingest", "--lang=ja", "x")
    assert lines(res)[-1] == "エラー: --lang はサブコマンドの前に書きます: fujimi-xl --lang ja ingest …"


def test_the_overview_shows_the_usual_steps():
    out = invoke("--help").output
    for step in ("fujimi-xl init 作業フォルダ --plan 計画.xlsx --form 様式",
                 "fujimi-xl generate 様式 --year 年度 -w 作業フォルダ",
                 "fujimi-xl ingest 返送フォルダ -w 作業フォルダ",
                 "fujimi-xl status 様式 --year 年度 -w 作業フォルダ",
                 "fujimi-xl report 様式 --year 年度 -w 作業フォルダ"):
        assert f"         {step}\n" in out


def test_help_is_english_with_lang_en_for_every_command_here():
    from fujimi_xl.core.messages import help_en

    for name in OURS:
        command = cli.commands[name]
        assert help_en(command.help or ""), name
        for param in command.params:
            if isinstance(param, click.Option) and param.help:
                assert help_en(str(param.help)), (name, param.name)
    res = invoke("--lang", "en", "generate", "--help")
    assert lines(res)[2] == "  Make each group's workbook to fill in, in the workspace's outbox."
    assert any(line.startswith("  -y, --year YEAR            Fiscal year: 2018, H30, 平成30, R2,")
               for line in lines(res))
    res = invoke("generate", "--help")
    assert lines(res)[2] == "  担当ごとの記入用ブックを作業フォルダの outbox に作成する。"
    assert "  -y, --year 年度           年度: 2018, H30, 平成30, R2, 令和2 など  [必須]" in lines(res)
    assert "  fujimi-xl: make, collect, ingest, consolidate and print evaluation forms." in lines(
        invoke("--lang", "en", "--help"))


def test_an_empty_plan_says_what_to_do(tmp_path):
    invoke("plan-template", tmp_path / "計画.xlsx", "--form", "progress")
    res = invoke("init", tmp_path / "ws", "--plan", tmp_path / "計画.xlsx", "--form", "progress")
    assert res.exit_code == 1
    assert lines(res) == [
        "計画ブック 計画.xlsx に1件の問題があります",
        "  計画.xlsx 計画: 計画シートに項目が1件もありません。見出しの下の行に1行に1項目ずつ記入して"
        "保存し、もう一度実行してください。"]
    assert not (tmp_path / "ws").exists()


def test_a_missing_argument_says_what_to_give(tmp_path):
    res = invoke("status", "-w", tmp_path, "--year", YEAR)
    assert res.exit_code == 2
    assert lines(res)[-1] == ("エラー: FORM を指定してください: 様式の名前か題名（例: progress、"
                              "進捗状況評価）")
    res = invoke("--lang", "en", "ingest", "-w", tmp_path)
    assert lines(res)[-1] == "Error: Give PATHS: the returned workbooks, or the folders holding them."
    for name in OURS:  # every argument of these commands has its words
        for param in cli.commands[name].params:
            if isinstance(param, click.Argument):
                from fujimi_xl.core.messages import UI

                assert f"arg_{param.name}" in UI, (name, param.name)
