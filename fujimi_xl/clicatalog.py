"""click's own words (usage errors, help headings) in Japanese, English with ``--lang en``.

click marks every text it prints with gettext's ``_()`` / ``ngettext()``, imported by name into
each of its modules. :func:`install` replaces those module-level names with functions that look
the text up in :data:`CLICK` in the language of the command being run (:func:`set_lang`); a text
the catalogue does not know is printed as click wrote it. Texts click builds once, when a
command is declared (the help of ``--version``, the name of a path type), remember what they
were made from, and :func:`relocalise` renders them again in the current language.

The templates keep click's placeholders (``{name}``, ``{param_hint}``…), so the catalogue follows
click's own ``.format()`` calls; a Japanese template may drop a ``!r`` to quote with 「」.
"""

from __future__ import annotations

import importlib
import os
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import click

# msgid (click's English text): Japanese
CLICK: dict[str, str] = {
    # help pages
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "引数",
    "Show this message and exit.": "この説明を表示して終了する。",
    "Show the version and exit.": "バージョンを表示して終了する。",
    "%(prog)s, version %(version)s": "%(prog)s バージョン %(version)s",
    "required": "必須",
    "default: {default}": "省略時: {default}",
    "env var: {var}": "環境変数: {var}",
    "(dynamic)": "（実行時に決定）",
    "deprecated": "廃止予定",
    "[OPTIONS]": "[オプション]",
    "COMMAND [ARGS]...": "コマンド [引数]...",
    "TEXT": "文字列",
    "INTEGER": "整数",
    "YEAR": "年度",
    # errors
    "Error: {message}": "エラー: {message}",
    "Try '{command} {option}' for help.": "使い方は「{command} {option}」で表示できます。",
    "Missing command.": "コマンドを指定してください。",
    "No such command {name!r}.": "「{name}」というコマンドはありません。",
    "No such option {name!r}.": "「{name}」というオプションはありません。",
    "Did you mean {possibility}?": "{possibility} のことですか？",
    "(Did you mean one of: {possibilities}?)": "（{possibilities} のどれかのことですか？）",
    "Missing argument": "必要な引数が指定されていません:",
    "Missing option": "必須のオプションが指定されていません:",
    "Missing parameter": "必要な指定がありません:",
    "Missing {param_type}": "必要な {param_type} がありません:",
    "Missing parameter: {param_name}": "必要な指定がありません: {param_name}",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が正しくありません: {message}",
    "Invalid value: {message}": "値が正しくありません: {message}",
    "Got unexpected extra argument ({args})": "余分な引数があります（{args}）",
    "Got unexpected extra arguments ({args})": "余分な引数があります（{args}）",
    "Option {name!r} does not take a value.": "オプション {name} には値を付けません。",
    "Option {name!r} requires an argument.": "オプション {name} には値が必要です。",
    "Option {name!r} requires {nargs} arguments.":
        "オプション {name} には値が {nargs} 個必要です。",
    "Argument {name!r} takes {nargs} values.": "引数 {name} には値が {nargs} 個必要です。",
    "Takes {nargs} values but 1 was given.": "値が {nargs} 個必要ですが、1 個しかありません。",
    "Takes {nargs} values but {len} were given.": "値が {nargs} 個必要ですが、{len} 個あります。",
    "Value must be an iterable.": "値は並び（リスト）でなければなりません。",
    "Aborted!": "中断しました。",
    "unknown error": "不明なエラー",
    "Could not open file {filename!r}: {message}": "ファイル「{filename}」を開けません: {message}",
    # values
    "{value!r} is not {choice}.": "「{value}」は指定できません（{choice} のみ）。",
    "{value!r} is not one of {choices}.": "「{value}」は指定できません（{choices} のいずれか）。",
    "Choose from:\n\t{choices}": "次から選んでください:\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "「{value}」は数値（{number_type}）ではありません。",
    "{value} is not in the range {range}.": "{value} は範囲 {range} の外です。",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "「{value}」は真偽値ではありません。使える値: {states}",
    "{value!r} is not a valid UUID.": "「{value}」は UUID ではありません。",
    "{value!r} does not match the format {format}.": "「{value}」は形式 {format} に合いません。",
    "{value!r} does not match the formats {formats}.":
        "「{value}」は形式 {formats} のどれにも合いません。",
    "{len_type} values are required, but {len_value} was given.":
        "値が {len_type} 個必要ですが、{len_value} 個です。",
    "{len_type} values are required, but {len_value} were given.":
        "値が {len_type} 個必要ですが、{len_value} 個です。",
    "file": "ファイル",
    "directory": "フォルダ",
    "path": "パス",
    "{name} {filename!r} does not exist.":
        "{name}「{filename}」がありません。綴りと場所を確かめてください。",
    "{name} {filename!r} is a file.":
        "{name}「{filename}」はファイルです（フォルダを指定してください）。",
    "{name} {filename!r} is a directory.":
        "{name}「{filename}」はフォルダです（ファイルを指定してください）。",
    "{name} {filename!r} is not readable.": "{name}「{filename}」を読む権限がありません。",
    "{name} {filename!r} is not writable.": "{name}「{filename}」に書き込む権限がありません。",
    "{name} {filename!r} is not executable.": "{name}「{filename}」は実行できません。",
    # prompts (not used by fujimi-xl's commands today, kept for completeness)
    "Do you want to continue?": "続けますか？",
    "Confirm the action without prompting.": "確認せずに実行する。",
    "Press any key to continue...": "何かキーを押すと続けます…",
    "Repeat for confirmation": "確認のためもう一度入力してください",
    "Error: The two entered values do not match.": "エラー: 2回の入力が一致しません。",
    "Error: invalid input": "エラー: 入力が正しくありません",
}

# the click modules that call _() / ngettext() (click 8.x)
MODULES = ("click.core", "click.exceptions", "click.types", "click.decorators",
           "click.formatting", "click.parser", "click.termui", "click.utils")

_LANGS = ("ja", "en")
_state = {"lang": "ja"}


class Msg(str):
    """A text click built through ``_()``, remembering its msgid to be rendered again."""

    msgid: str

    def __new__(cls, text: str, msgid: str) -> Msg:
        obj = super().__new__(cls, text)
        obj.msgid = msgid
        return obj


def get_lang() -> str:
    return _state["lang"]


def set_lang(lang: str | None) -> None:
    """The language click's texts are shown in from now on ("ja" or "en")."""
    _state["lang"] = lang if lang in _LANGS else "ja"


def translate(msgid: str) -> str:
    """click's ``_()``: the text of ``msgid`` in the current language."""
    text = CLICK.get(msgid, msgid) if _state["lang"] == "ja" else msgid
    return Msg(text, msgid)


def ntranslate(singular: str, plural: str, n: int) -> str:
    """click's ``ngettext()``."""
    return translate(singular if n == 1 else plural)


def install() -> None:
    """Route click's ``_`` and ``ngettext`` through this catalogue (idempotent)."""
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a module a later click drops: nothing of it to translate
            continue
        if hasattr(module, "_"):
            module._ = translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ntranslate  # type: ignore[attr-defined]
    formatting = importlib.import_module("click.formatting")
    if hasattr(formatting, "term_len"):  # help columns line up with Japanese in them
        formatting.term_len = display_width  # type: ignore[attr-defined]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a full-width (Japanese) character takes two."""
    from click._compat import strip_ansi

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in strip_ansi(text))


def lang_from_args(args: Sequence[str], commands: Sequence[str] = ()) -> str:
    """The language asked for before click parses: ``--lang en`` / ``--lang=en`` before the
    subcommand, else the environment variable ``FUJIMI_LANG``, else Japanese."""
    found = os.environ.get("FUJIMI_LANG", "ja")
    tokens = list(args)
    for i, token in enumerate(tokens):
        if token in commands or token == "--":
            break
        if token == "--lang" and i + 1 < len(tokens):
            found = tokens[i + 1]
        elif token.startswith("--lang="):
            found = token.split("=", 1)[1]
    return found if found in _LANGS else "ja"


_MSGID_OF = {ja: msgid for msgid, ja in CLICK.items()}


def _again(text: Any) -> Any:
    """``text`` again in the current language, if it is one of click's texts (click may
    have copied it, e.g. through ``inspect.cleandoc``, so it is recognised by its words)."""
    if isinstance(text, Msg):
        return translate(text.msgid)
    if isinstance(text, str):
        msgid = text if text in CLICK else _MSGID_OF.get(text)
        if msgid is not None:
            return translate(msgid)
    return text


class Localised(str):
    """A help text of ours shown in English, remembering the Japanese it replaces."""

    original: str

    def __new__(cls, text: str, original: str) -> Localised:
        obj = super().__new__(cls, text)
        obj.original = original
        return obj


def _ours(text: Any, english: Callable[[str], str | None] | None) -> Any:
    original = text.original if isinstance(text, Localised) else text
    if english is None or not isinstance(original, str):
        return text
    if _state["lang"] == "en":
        found = english(original)
        if found:
            return Localised(found, original)
    return original


def relocalise(command: click.Command,
               english: Callable[[str], str | None] | None = None) -> None:
    """Render again, in the current language, the texts click built when ``command`` and its
    subcommands were declared: option help (``--version``, ``--help``) and path type names;
    and, given ``english`` (Japanese help -> English or None), our own help texts."""
    command.help = _ours(command.help, english)
    params = list(command.params)
    helper = getattr(command, "_help_option", None)
    if helper is not None:
        params.append(helper)
    if command.options_metavar == "[OPTIONS]" or isinstance(command.options_metavar, Msg):
        command.options_metavar = translate("[OPTIONS]")
    if isinstance(command, click.Group) and (
            command.subcommand_metavar == "COMMAND [ARGS]..."
            or isinstance(command.subcommand_metavar, Msg)):
        command.subcommand_metavar = translate("COMMAND [ARGS]...")
    for param in params:
        if isinstance(param, click.Option):
            param.help = _ours(_again(param.help), english)
            if (param.metavar is None or isinstance(param.metavar, Msg)) and (
                    param.type.name.upper() in CLICK and not param.is_flag):
                param.metavar = translate(param.type.name.upper())
        if isinstance(param.type, click.Path):
            param.type.name = _again(param.type.name)
    for sub in getattr(command, "commands", {}).values():
        relocalise(sub, english)
