"""Words for a Windows clerk (issue 12, item 12): click's own messages in Japanese (English with
--lang en), forms and groups named as the clerk knows them, column headings and Japanese times,
what to do next, and a status that never asks to remind a group that was sent nothing."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from fujimi_xl import clicatalog
from fujimi_xl.cli import cli

from .conftest import YEAR


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
        "エラー: 必須のオプションが指定されていません: '-w' / '--workspace'.",
    ]
    res = invoke("--lang", "en", "status", "progress", "--year", YEAR)
    assert res.exit_code == 2
    assert lines(res) == [
        "Usage: fujimi-xl status [OPTIONS] FORM",
        "Try 'fujimi-xl status --help' for help.",
        "",
        "Error: Missing option '-w' / '--workspace'.",
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
    assert ("  -w, --workspace DIRECTORY  作業フォルダ (init で作成したもの)  [required]"
            in lines(en))
    assert any(line.split() == ["-h,", "--help", "Show", "this", "message", "and", "exit."]
               for line in lines(en))
    # and Japanese again in the same process
    assert invoke("ingest", "-h").output == res.output
    assert lines(invoke("--help", env={"FUJIMI_LANG": "en"}))[0].startswith("Usage: ")


def test_every_command_has_japanese_help(run):
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
