"""The catalogue of problem codes and their messages, Japanese first, English with --lang en.

Each message reads: what rule was broken, the value found, how to fix it. The place (file,
sheet!cell, field) is added in front by :func:`render`, so the same text also serves as the
comment on the cell in a feedback workbook (:func:`text`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Protocol


class Problem(Protocol):
    """What :func:`render` and :func:`locate` read of a problem (``errors.Problem``); the
    catalogue imports nothing of the errors, so imports inside core go one way."""

    code: str
    file: str
    field: str
    value: Any
    params: dict[str, Any]

    def where(self) -> str: ...

# code: (日本語, English)
CATALOGUE: dict[str, tuple[str, str]] = {
    # -- the file itself -----------------------------------------------------------------
    "not_workbook": (
        "Excelブック(.xlsx)として読めません（{detail}）。Excelで開けるか確認し、"
        "「Excel ブック (*.xlsx)」形式で保存し直して送ってください。",
        "Not a readable Excel workbook ({detail}). Check that it opens in Excel, save it as "
        "'Excel Workbook (*.xlsx)' and send it again.",
    ),
    "encrypted": (
        "パスワードで保護(暗号化)されたブックは読めません。パスワードを解除して保存し、送り直してください。",
        "The workbook is password-encrypted. Remove the password, save, and send it again.",
    ),
    "other_format": (
        "このファイルは{format}形式です。配布したExcelブックに記入し、「Excel ブック (*.xlsx)」形式で"
        "保存して送ってください。",
        "This file is in {format} format. Fill in the workbook you were sent and save it as "
        "'Excel Workbook (*.xlsx)'.",
    ),
    "read_failed": (
        "ファイルの読み込み中に処理が異常終了しました（{detail}）。ファイルが壊れている可能性があります。"
        "Excelで開き直して保存し、送り直してください。",
        "Reading the file failed ({detail}); it may be damaged. Open it in Excel, save it again "
        "and send it again.",
    ),
    "limit_exceeded": (
        "ファイルが上限を超えています（{limit}: {found}、上限 {allowed}）。配布した様式の範囲内に記入し、"
        "不要な行・列・書式を削除して送り直してください。",
        "The file exceeds a limit ({limit}: {found}, allowed {allowed}). Keep to the form as sent, "
        "remove extra rows, columns and formatting, and send it again.",
    ),
    "unsafe_xml": (
        "ブック内の部品「{part}」に、Excel や LibreOffice が書き出さないXMLの宣言（{detail}）があるため、"
        "安全のため読み込みません。配布したブックに記入し、Excel で保存し直して送ってください。",
        "Part '{part}' of the workbook holds an XML declaration that Excel and LibreOffice never "
        "write ({detail}); it is not read, for safety. Fill in the workbook you were sent, save "
        "it again in Excel and send it again.",
    ),
    # -- workspace faults (issue 12) -----------------------------------------------------
    "archive_restored": (
        "受理済みのこのファイルの保管コピー（作業フォルダの archive）がなかったため、"
        "このファイルから戻しました。",
        "The archived copy of this accepted file (in the workspace's archive) was missing; "
        "it was restored from this file.",
    ),
    "skipped_lock_file": (
        "Excel/LibreOfficeの一時ファイル(ロックファイル)のため読み飛ばしました。",
        "Skipped: an Excel/LibreOffice lock file.",
    ),
    # -- identity ------------------------------------------------------------------------
    "no_manifest": (
        "このファイルには様式の識別情報がありません（富士見XLが発行したブックではないか、"
        "識別用シートが削除されています）。配布したブックに記入して送ってください。",
        "This file carries no form identity (it was not issued by fujimi-xl, or its identity "
        "sheet was deleted). Fill in the workbook you were sent.",
    ),
    "bad_signature": (
        "様式の識別情報が改変されています（署名が一致しません）。配布したブックに記入し直して送ってください。",
        "The form identity has been altered (signature mismatch). Fill in the workbook you were "
        "sent and send it again.",
    ),
    "unknown_issue": (
        "このブックはこの作業フォルダから発行されたものではありません（発行番号 {issue_id}）。"
        "送付先の事務局・年度が正しいか確認してください。",
        "This workbook was not issued from this workspace (issue {issue_id}). Check that it was "
        "sent to the right secretariat and year.",
    ),
    "wrong_group": (
        "このブックは「{found}」用です（期待: 「{expected}」）。他のグループのファイルを送っていないか"
        "確認してください。",
        "This workbook belongs to '{found}', not '{expected}'. Check that it is not another "
        "group's file.",
    ),
    "wrong_form": (
        "このブックは様式「{found}」です（期待: 「{expected}」）。「{expected}」のブックを送るか、"
        "様式を指定せずに取り込んでください。",
        "This workbook is form '{found}', expected '{expected}'. Send the '{expected}' workbook, "
        "or ingest without naming a form.",
    ),
    "wrong_year": (
        "このブックは{found}用です（期待: {expected}）。今年度の様式に記入してください。",
        "This workbook is for {found}, expected {expected}. Use this year's workbook.",
    ),
    "stale_template": (
        "古い様式です（{found} 発行）。{expected} に再発行した最新の様式があります"
        "（項目の追加: {added}／削除: {removed}／内容の変更: {edited}）。"
        "差戻し用ブック（最新の様式に、このブックの回答を管理番号ごとに写したもの）を確認して"
        "送ってください。",
        "This is an outdated workbook (issued {found}). A newer one was issued {expected} "
        "(items added: {added} / removed: {removed} / edited: {edited}). Check the feedback "
        "workbook (the newest workbook with this book's answers carried over by item) and "
        "send it.",
    ),
    "replayed_version": (
        "このファイルは以前に受理された版と同一ですが、その版は {expected} に受理された新しい版で"
        "置き換え済みです。最新の内容で送ってください。",
        "This file is identical to an earlier accepted version that was superseded on "
        "{expected}. Send the current version.",
    ),
    # -- versions (issue 12) -----------------------------------------------------------------
    "older_version": (
        "このファイル {name}（{saved} 保存）は、現在の版 v{current}（{current_file}、{current_saved} 保存）"
        "より前に保存されたため、以前の版として保存しました。現在の版は変えていません。"
        "こちらを現在の版にするには `fujimi-xl restore` を使ってください。",
        "This file {name} (saved {saved}) was saved before the current version v{current} "
        "({current_file}, saved {current_saved}), so it was kept as an earlier version and the "
        "current version is unchanged. To make it current, use `fujimi-xl restore`.",
    ),
    "superseded_refusal": (
        "このファイル {name}（{saved} 保存、エラー {n} 件）の差戻しは、後に保存され受理された "
        "{current_file}（{current_saved} 保存、v{version}）で置き換わっています。対応は不要です。",
        "The refusal of {name} (saved {saved}, {n} errors) is superseded by {current_file} "
        "(saved {current_saved}, v{version}), accepted later. Nothing to do.",
    ),
    "already_superseded": (
        "このファイル {name} は v{version}（{saved} 保存）として受理済みで、現在の版は v{current}"
        "（{current_file}、{current_saved} 保存）です。以前の版のままにしました。"
        "こちらを現在の版に戻すには `fujimi-xl restore` を使ってください。",
        "This file {name} was accepted as v{version} (saved {saved}); the current version is "
        "v{current} ({current_file}, saved {current_saved}). It stays an earlier version. To "
        "make it current again, use `fujimi-xl restore`.",
    ),
    # -- structure -----------------------------------------------------------------------
    "input_sheet_missing": (
        "入力シート「{expected}」が見つかりません。シートを削除・改名していないか確認してください。",
        "Input sheet '{expected}' not found. Check that it was not deleted or renamed.",
    ),
    "header_missing": (
        "見出し「{expected}」の列が見つかりません。列を削除したり見出しを書き換えたりしないでください。",
        "Column headed '{expected}' not found. Do not delete columns or change the headings.",
    ),
    "row_missing": (
        "項目「{expected}」の行が見つかりません。行を削除したり管理番号を書き換えたりしないでください。",
        "The row of item '{expected}' is missing. Do not delete rows or change the item numbers.",
    ),
    "duplicate_row": (
        "項目「{expected}」の行が2つあります（{found}）。どちらか一方に記入し、もう一方の行を削除してください。",
        "Item '{expected}' appears twice ({found}). Keep one row and delete the other.",
    ),
    "stray_value": (
        "記入欄の外に値「{value}」があります。この値は取り込まれません。記入欄に移すか削除してください。",
        "Value '{value}' is outside the input area and would not be read. Move it into an input "
        "cell or delete it.",
    ),
    "merged_input": (
        "記入欄 {found} が結合されています。結合を解除し、各セルに記入してください。",
        "Input cells {found} are merged. Unmerge them and fill in each cell.",
    ),
    "locked_changed": (
        "変更できない欄が書き換えられています（発行時: 「{expected}」、現在: 「{value}」）。"
        "元の内容に戻してください。変更が必要なら事務局に連絡してください。",
        "A locked cell was changed (issued: '{expected}', found: '{value}'). Restore it; ask the "
        "secretariat if it must change.",
    ),
    # -- values --------------------------------------------------------------------------
    "required": (
        "未記入です。{label}を記入してください。",
        "Empty. Please fill in {label}.",
    ),
    "not_in_scale": (
        "「{value}」は選択肢にありません。{choices} のいずれかを一覧から選んでください。",
        "'{value}' is not one of the choices. Pick one of {choices} from the list.",
    ),
    "reason_required": (
        "評価が「{other}」の場合は理由・課題等の記入が必要です。",
        "A reason is required when the grade is '{other}'.",
    ),
    "too_long": (
        "文字数が多すぎます（{found}文字、上限{allowed}文字）。要点を短くまとめてください。",
        "Too long ({found} characters, at most {allowed}). Please shorten it.",
    ),
    "wrong_type": (
        "「{value}」は{expected}として読めません。{expected}を記入してください。",
        "'{value}' cannot be read as {expected}. Please enter {expected}.",
    ),
    "schema": (
        "入力規則に合いません（{detail}）。記入要領に沿って書き直してください。",
        "Does not match the form's rules ({detail}). Rewrite it as the instructions say.",
    ),
    # -- definitions (issue 13): a value against its schema, in words ----------------------
    "value_minimum": ("「{value}」は小さすぎます。{limit} 以上にしてください。",
                      "'{value}' is too small. It must be at least {limit}."),
    "value_maximum": ("「{value}」は大きすぎます。{limit} 以下にしてください。",
                      "'{value}' is too large. It must be at most {limit}."),
    "value_above": ("「{value}」は小さすぎます。{limit} より大きくしてください。",
                    "'{value}' is too small. It must be more than {limit}."),
    "value_below": ("「{value}」は大きすぎます。{limit} より小さくしてください。",
                    "'{value}' is too large. It must be less than {limit}."),
    "value_too_long": ("文字数が多すぎます（{found}文字、上限{limit}文字）。要点を短くまとめてください。",
                       "Too long ({found} characters, at most {limit}). Please shorten it."),
    "value_too_short": ("「{value}」は短すぎます（{limit}文字以上）。",
                        "'{value}' is too short (at least {limit} characters)."),
    "value_pattern": ("「{value}」は決められた書き方に合いません（形式: {limit}）。記入要領の例のとおりに書いてください。",
                      "'{value}' is not written as required (format: {limit}). Write it as the instructions show."),
    "value_multiple_of": ("「{value}」は {limit} の倍数にしてください。",
                          "'{value}' must be a multiple of {limit}."),
    "value_enum": ("「{value}」は使えません。{choices} のどれかにしてください。",
                   "'{value}' is not allowed. Use one of {choices}."),
    "value_type_integer": ("「{value}」は整数として読めません。整数を記入してください。",
                           "'{value}' cannot be read as a whole number. Please enter a whole number."),
    "value_type_number": ("「{value}」は数値として読めません。数値を記入してください。",
                          "'{value}' cannot be read as a number. Please enter a number."),
    "value_type_string": ("「{value}」は文字として読めません。文字で記入してください。",
                          "'{value}' cannot be read as text. Please enter text."),
    "value_other": ("「{value}」は様式の入力規則に合いません。記入要領に沿って書き直してください。",
                    "'{value}' does not match the form's rules. Rewrite it as the instructions say."),
    "sum_mismatch": (
        "{terms}＝{sum} が{total_label}（{total_cell}: {value}）と一致しません（{cells}）。"
        "金額を見直してください。",
        "{terms} = {sum} does not equal the {total_label} ({total_cell}: {value}) ({cells}). "
        "Check the amounts.",
    ),
    "bad_issue_ref": (
        "課題「{value}」はⅢの課題にありません。{choices} のいずれかを記入してください。",
        "Issue '{value}' is not one of the issues in section III. Use one of {choices}.",
    ),
    "import_not_in_plan": (
        "項目{value}のこの行に当たる担当が計画にありません（計画の担当は{expected}件）。"
        "計画ブックに担当を追加してから取り込んでください。",
        "No owner in the plan for this row of item {value} (the plan has {expected}). Add the "
        "owner to the plan workbook, then import again.",
    ),
    "formula_value": (
        "数式は使えません（{value}）。値を直接記入してください。",
        "Formulas are not allowed ({value}). Enter the value itself.",
    ),
    "control_chars": (
        "制御文字を削除しました（{found}文字）。",
        "Removed {found} control characters.",
    ),
    # -- the plan workbook ---------------------------------------------------------------
    "plan_sheet_missing": (
        "計画ブックにシート「{expected}」がありません。`fujimi-xl plan-template` で作ったひな形を使ってください。",
        "The plan workbook has no sheet '{expected}'. Start from `fujimi-xl plan-template`.",
    ),
    "plan_column_missing": (
        "見出し「{expected}」の列がありません。ひな形の見出し行をそのまま使ってください。",
        "No column headed '{expected}'. Keep the template's header row as it is.",
    ),
    "plan_unknown_group": (
        "担当「{value}」は担当一覧シートにありません。担当一覧に追加するか、表記を合わせてください。",
        "Owner '{value}' is not on the group list sheet. Add it there or correct the spelling.",
    ),
    "plan_duplicate_item": (
        "項目{value}・担当「{found}」が重複しています（{expected}と同じ）。どちらかの行を削除してください。",
        "Item {value} with owner '{found}' appears twice (same as {expected}). Delete one row.",
    ),
    "plan_duplicate_group": (
        "担当「{value}」が担当一覧に2回あります（{expected}と同じ）。",
        "Group '{value}' is listed twice (same as {expected}).",
    ),
    "plan_bad_number": (
        "「{value}」は{label}として読めません。{expected}の形で記入してください。",
        "'{value}' cannot be read as {label}. Write it as {expected}.",
    ),
    "plan_plan_text_differs": (
        "項目{value}の計画の文言が、同じ項目の{expected}と異なります。同じ項目の計画は同じ文言にしてください。",
        "The plan text of item {value} differs from the same item at {expected}.",
    ),
    "plan_empty": (
        "計画シートに項目が1件もありません。見出しの下の行に1行に1項目ずつ記入して保存し、"
        "もう一度実行してください。",
        "The plan sheet lists no items. Fill in one item a row under the headings, save, and "
        "run the command again.",
    ),
    # -- access (issue 15) --
    "plan_bad_email": (
        "メール「{value}」はメールアドレスとして読めません。1つのセルに1つのアドレスを "
        "name@example.lg.jp の形で記入するか、空欄にしてください。",
        "E-mail '{value}' is not an address. Write one address a cell, like "
        "name@example.lg.jp, or leave it blank.",
    ),
    # -- importing a consolidated table (import_report) ------------------------------------
    "import_no_header": (
        "進捗状況評価の表の見出し行（{expected}…）がどのシートにも見つかりません。見出し行「項目・計画・実施内容・評価…」のある表か確認してください。",
        "No sheet holds the header row of a progress table ({expected}…). Check that the file is a table headed 項目・計画・実施内容・評価….",
    ),
    "import_no_year": (
        "年度が読み取れません。見出し（例: H29実施内容）または副題（例: 平成29年度進捗状況評価結果）に年度を記入するか、年度を指定して取り込んでください。",
        "The fiscal year cannot be read. Put it in a header (e.g. H29実施内容) or the subtitle (e.g. 平成29年度進捗状況評価結果), or give the year when importing.",
    ),
    "import_bad_year_label": (
        "見出し「{value}」の年度が読み取れません。H29実施内容・平成29年度実施内容のように記入してください。",
        "The year in header '{value}' cannot be read. Write it like H29実施内容 or 平成29年度実施内容.",
    ),
    "import_year_mismatch": (
        "見出し「{value}」の年度（{found}）が、表の年度 {expected} と異なります。この見出しの年度を確認してください。",
        "Header '{value}' is for {found}, but the table is for {expected}. Check the year in this header.",
    ),
    "import_missing_column": (
        "見出し行に「{expected}」の列がありません。この列の値は空として読みました。",
        "The header row has no column '{expected}'; its values were read as empty.",
    ),
    "import_bad_key": (
        "「{value}」を{label}として読めません。{expected} のような番号を記入してください。この行は取り込まれません。",
        "'{value}' cannot be read as {label}. Write a number such as {expected}. This row is not imported.",
    ),
    "import_missing_key": (
        "{label}が空欄で、上の行からも引き継げません。{expected} のような番号を記入してください。この行は取り込まれません。",
        "{label} is blank and cannot be taken from the row above. Write a number such as {expected}. This row is not imported.",
    ),
    "import_no_plan": (
        "計画が空欄で、同じ項目の行が上にありません。計画の文言を記入してください。",
        "The plan is blank and no row above holds the same item. Write the plan text.",
    ),
    "import_plan_differs": (
        "計画の文言「{value}」が、同じ項目の {expected} と異なります。同じ項目の計画は同じ文言にしてください。",
        "The plan text '{value}' differs from the same item at {expected}. Use the same text for the same item.",
    ),
    "import_not_returned": (
        "この行は未提出（{group}）として印刷されています。値は取り込みません。",
        "This row is printed as not returned ({group}); no values are imported.",
    ),
    "import_stray_row": (
        "表の中の「{value}」は項目の行として読めないため読み飛ばしました（注記であれば問題ありません）。",
        "'{value}' inside the table is not an item row and was skipped (fine if it is a note).",
    ),
    # -- cell values (issue 12) ------------------------------------------------------------
    "not_finite": (
        "「{value}」は数として扱えない値（NaN・無限大・桁あふれ）のため読み込めません。"
        "セルに値を入力し直してください。",
        "'{value}' is not a usable number (NaN, infinity or overflow) and is not read. Type the "
        "value in the cell again.",
    ),
    "out_of_range": (
        "「{value}」は記入できる範囲（{allowed}）の外です。範囲内の値を記入してください（桁や"
        "マイナス・▲も確かめてください）。",
        "'{value}' is outside the range this cell accepts ({allowed}). Enter a value within it "
        "(check the digits and any minus or ▲).",
    ),
    "odd_cell_xml": (
        "このセルは Excel が書き出さない形で保存されています（{detail}）。読み方によって値が変わるため"
        "読み込みません。セルに値を入力し直し、Excel で保存し直して送ってください。",
        "This cell is stored in a way Excel never writes ({detail}); its value depends on the "
        "reader, so it is not read. Type the value again, save the workbook in Excel and send "
        "it again.",
    ),
    "formula_input": (
        "記入欄に数式（{formula}）があります。保存されていた計算結果「{value}」を取り込みました。"
        "値を直接記入してください。",
        "The input cell holds a formula ({formula}); its saved result '{value}' was read. "
        "Please type the value itself.",
    ),
    "formula_no_value": (
        "記入欄の数式（{formula}）に計算結果が保存されていません。Excel で開いて保存し直してください"
        "（値を直接記入するのが確実です）。",
        "The formula in the input cell ({formula}) has no saved result. Open the workbook in "
        "Excel and save it again (or type the value itself).",
    ),
    # -- field types (issue 13) --
    "type_unreadable": (
        "「{value}」は{kind}として読めません。{examples}のように記入してください。",
        "'{value}' cannot be read as {kind_en}. Enter it like {examples_en}.",
    ),
    "pattern_mismatch": (
        "「{value}」は記入の形式に合いません。{hint}",
        "'{value}' is not in the form this cell needs. {hint_en}",
    ),

    # -- rules (issue 13): the generic message of each rule type, when the definition gives none
    "rule_required_if": (
        "{other_name}が「{other}」の場合は{label}の記入が必要です。{label}を記入してください。",
        "{label} is required when {other_name} is '{other}'. Please fill it in.",
    ),
    "rule_required_unless": (
        "{other_name}が「{other}」の場合は{label}の記入が必要です（{allowed} の場合は不要）。"
        "{label}を記入してください。",
        "{label} is required when {other_name} is '{other}' (not needed for {allowed}). "
        "Please fill it in.",
    ),
    "rule_sum": (
        "{terms}＝{sum} が{total_label}（{total_cell}: {value}）と一致しません（{cells}）。"
        "数値を見直してください。",
        "{terms} = {sum} does not equal the {total_label} ({total_cell}: {value}) ({cells}). "
        "Please check the numbers.",
    ),
    "rule_list_ref": (
        "「{value}」は{target_name}にありません。{choices} のいずれかを記入してください。",
        "'{value}' is not in {target_name}. Use one of {choices}.",
    ),
    "rule_compare": (
        "{label}「{value}」は{other_desc}{op_ja}にしてください。値を見直してください。",
        "{label} '{value}' must be {op_en} {other_name} {other}. Please check the values.",
    ),
    "rule_unique": (
        "「{value}」が重複しています（{cells}）。{label}には他と重ならない値を記入してください。",
        "'{value}' appears more than once ({cells}). Give {label} a value no other cell has.",
    ),
}


def text(code: str, lang: str = "ja", **params: Any) -> str:
    """The bare message for a code, with its parameters filled in."""
    ja, en = CATALOGUE.get(code, ("{code}", "{code}"))
    template = en if lang == "en" else ja
    safe = _Defaults(code=code, **{k: _short(v) for k, v in params.items()})
    return template.format_map(safe)


def render(problem: Problem, lang: str = "ja") -> str:
    """The message of a problem without its place (the place is in its own columns)."""
    params: dict[str, Any] = dict(problem.params)
    if lang == "en":  # a parameter given in both languages (expected, expected_en)
        params.update({k[:-3]: v for k, v in problem.params.items() if k.endswith("_en")})
    params.setdefault("value", "" if problem.value is None else problem.value)
    params.setdefault("label", problem.field)
    # a rule's own message from its form's definition (issue 13), else the catalogue's
    own = params.get(f"message_{lang}") or params.get("message_ja")
    if isinstance(own, str):
        return own.format_map(_Defaults(**{k: _short(v) for k, v in params.items()}))
    return text(problem.code, lang, **params)


def locate(problem: Problem) -> str:
    """file sheet!cell 【field】, the place of a problem as one string."""
    parts = [p for p in (problem.file, problem.where()) if p]
    where = " ".join(parts)
    if problem.field:
        where += f"【{problem.field}】"
    return where


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _short(value: Any, limit: int = 60) -> str:
    s = "" if value is None else str(value)
    s = s.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵")
    return s if len(s) <= limit else s[: limit - 1] + "…"


# Errors that stop a command (FujimiError codes), findings of `verify` and warnings of `report`:
# code: (日本語, English). Parameters are filled in as they are, never shortened.
ERRORS: dict[str, tuple[str, str]] = {
    "bad_year": (
        "年度「{value}」を読めません（例: 2018, H30, 平成30, R2, 令和2）",
        "Cannot read the fiscal year '{value}' (e.g. 2018, H30, 平成30, R2, 令和2)",
    ),
    # -- the workspace -------------------------------------------------------------------------
    "no_workspace": (
        "{root} は作業フォルダではありません（{config} がありません）。"
        "先に `fujimi-xl init` で作成してください。",
        "{root} is not a workspace (there is no {config}). Create it first with "
        "`fujimi-xl init`.",
    ),
    "already_workspace": ("{root} はすでに作業フォルダです（{config} があります）",
                          "{root} is already a workspace ({config} exists)"),
    "config_unreadable": ("{path} を読めません: {detail}", "Cannot read {path}: {detail}"),
    "no_master": ("マスタデータベース {path} がありません。`fujimi-xl init 新しいフォルダ --from-backup バックアップ.zip` でバックアップ（`fujimi-xl backup` で作成）から復元してください。",
                  "The master database {path} is missing. Restore the backup (made with `fujimi-xl backup`) with `fujimi-xl init NEW_FOLDER --from-backup BACKUP.zip`."),
    "key_unreadable": ("署名鍵 {path} を読めません", "Cannot read the signing key {path}"),
    # -- form definitions ----------------------------------------------------------------------
    "form_not_found": ("様式「{name}」の定義が見つかりません (templates/{name}/form.json)",
                       "No definition of form '{name}' (templates/{name}/form.json)"),
    "form_unreadable": ("様式定義 {folder} を読めません: {detail}",
                        "Cannot read the form definition {folder}: {detail}"),
    "form_invalid": ("様式定義 {folder} が不正です: {detail}",
                     "The form definition {folder} is invalid: {detail}"),
    "form_bad_layout": ("様式定義 {folder}: layout/unit が不正です",
                        "Form definition {folder}: invalid layout/unit"),
    "form_bad_key": ("様式定義 {folder}: key に未定義の項目 {unknown}",
                     "Form definition {folder}: the key names undefined fields {unknown}"),
    "form_bad_choices": ("様式定義 {folder}: 選択肢 {choices} が未定義",
                         "Form definition {folder}: choice list {choices} is not defined"),
    # -- definitions (issue 13) ----------------------------------------------------------------
    # a broken definition met by any command (the secretariat's to fix: exit 2)
    "form_definition_broken": (
        "様式定義に誤りがあるため処理を中止しました（事務局で定義を直してください。返送されたファイルの問題ではありません）: {first}{more}",
        "Stopped: a form definition is broken (the secretariat's to fix, not a fault of any returned file): {first}{more}",
    ),
    "form_definition_more": (
        "（ほかに{n}件。すべての問題は `fujimi-xl form check {folder}` で表示できます）",
        " ({n} more; `fujimi-xl form check {folder}` lists them all)",
    ),
    "form_dir_conflict": (
        "作業フォルダにはすでに別の様式定義「{name}」があります（{there}）。--form-dir の定義（{given}）と同じにするか、どちらかの様式名を変えてください。",
        "The workspace already holds another definition of form '{name}' ({there}). Make it the same as the --form-dir definition ({given}), or rename one of the forms.",
    ),
    "plan_against_form": (
        "作業フォルダの計画に、様式「{form}」の定義が受け付けない値が{n}件あります（計画の取込後に定義が変わりました）。ブックは作成していません。計画ブックを直して `fujimi-xl plan` で登録し直すか、定義を直してください。",
        "The workspace's plan holds {n} values the definition of form '{form}' refuses (the definition changed after the plan was loaded). No workbook was made. Correct the plan workbook and load it again with `fujimi-xl plan`, or correct the definition.",
    ),
    "def_line": ("様式定義 {where}: {detail}", "Form definition {where}: {detail}"),
    "def_guess": ("（「{guess}」の書き間違いではありませんか）", " (did you mean '{guess}'?)"),
    "def_no_file": ("ファイルがありません。form.json と schema.json を同じフォルダに置いてください。",
                    "The file is missing. Put form.json and schema.json in the same folder."),
    "def_unreadable": ("ファイルを読めません（{detail}）。",
                       "The file cannot be read ({detail})."),
    "def_not_utf8": ("文字コードが UTF-8 ではありません（{encoding} と思われます）。メモ帳などで開き、文字コード「UTF-8」を選んで保存し直してください。",
                     "The file is not UTF-8 (it looks like {encoding}). Open it in an editor and save it again as UTF-8."),
    "def_bad_json": ("JSON として読めません（{line}行目 {column}文字目: {reason}）。",
                     "Not valid JSON (line {line}, column {column}: {reason})."),
    "def_json_comma": ("「,」がありません。前の項目の後に「,」を入れてください",
                       "a ',' is missing after the previous entry"),
    "def_json_colon": ("「:」がありません", "a ':' is missing"),
    "def_json_name": ("項目名は \"…\" で囲みます。最後の項目の後の「,」は消してください",
                      "a name must be in double quotes; remove a ',' after the last entry"),
    "def_json_value": ("値がありません（文字は \"…\" で囲みます）",
                       "a value is missing (text goes in double quotes)"),
    "def_json_extra": ("JSON の終わりの後に余分な文字があります", "extra text after the JSON"),
    "def_json_string": ("文字列の \" が閉じていません", "a string is not closed with \""),
    "def_json_control": ("文字列の中に改行やタブがあります（改行は \\n と書きます）",
                         "a line break or tab inside a string (write a line break as \\n)"),
    "def_json_escape": ("\\ の使い方が正しくありません（\\ そのものは \\\\ と書きます）",
                        "a wrong backslash escape (write a backslash as \\\\)"),
    "def_json_other": ("{detail}", "{detail}"),
    "def_t_string": ("文字列（\"…\"）", "a string (\"…\")"),
    "def_t_integer": ("整数", "an integer"),
    "def_t_number": ("数値", "a number"),
    "def_t_array": ("配列（[…]）", "a list ([…])"),
    "def_t_object": ("オブジェクト（{{…}}）", "an object ({{…}})"),
    "def_t_boolean": ("true か false", "true or false"),
    "def_t_null": ("null", "null"),
    "def_p_name": ("半角英数字・_・- で、英数字で始めてください",
                   "letters, digits, _ and -, starting with a letter or digit"),
    "def_p_id": ("半角英数字と _ で、英字か _ で始めてください",
                 "letters, digits and _, starting with a letter or _"),
    "def_p_other": ("決められた形にしてください", "the required form"),
    "def_unknown_key": ("「{value}」という設定はありません。使える設定: {allowed}",
                        "There is no setting '{value}'. The settings there are: {allowed}"),
    "def_required": ("「{value}」がありません。記入してください。",
                     "'{value}' is missing. Add it."),
    "def_enum": ("「{value}」は使えません。{allowed} のどれかにしてください。",
                 "'{value}' is not allowed. Use one of {allowed}."),
    "def_type": ("「{value}」は{expected}ではありません。{expected}で書いてください。",
                 "'{value}' is not {expected}. Write {expected}."),
    "def_empty": ("空にはできません。", "It cannot be empty."),
    "def_minimum": ("「{value}」は {limit} 以上にしてください。", "'{value}' must be at least {limit}."),
    "def_exclusiveMinimum": ("「{value}」は {limit} より大きくしてください。",
                             "'{value}' must be more than {limit}."),
    "def_maximum": ("「{value}」は {limit} 以下にしてください。", "'{value}' must be at most {limit}."),
    "def_exclusiveMaximum": ("「{value}」は {limit} より小さくしてください。",
                             "'{value}' must be less than {limit}."),
    "def_maxLength": ("「{value}」が長すぎます（{limit}文字まで）。",
                      "'{value}' is too long (at most {limit} characters)."),
    "def_pattern": ("「{value}」は使えない形です（{rule}）。", "'{value}' is not allowed ({rule})."),
    "def_schema_rule": ("「{value}」が定義の決まりに合いません（{detail}）。",
                        "'{value}' breaks a rule of definitions ({detail})."),
    "def_name_folder": ("様式名「{value}」がフォルダ名「{folder}」と違います。同じ名前にしてください。",
                        "The form name '{value}' differs from its folder '{folder}'. Make them the same."),
    "def_duplicate_id": ("項目 id「{value}」が重複しています（{first} と同じ）。別の id にしてください。",
                         "The field id '{value}' is used twice (also at {first}). Give it another id."),
    "def_unknown_field": ("「{value}」という項目はありません。fields の id のどれかにしてください: {allowed}",
                          "There is no field '{value}'. Use the id of one of the fields: {allowed}"),
    "def_unknown_list": ("「{value}」という表（lists）はありません。lists のどれかにしてください: {allowed}",
                         "There is no list '{value}'. Use one of lists: {allowed}"),
    "def_unknown_choices": ("選択肢「{value}」が choices に定義されていません。定義済み: {allowed}",
                            "The choice list '{value}' is not defined in choices. Defined: {allowed}"),
    "def_key_role": ("key の「{value}」は role が「{role}」です。key にする項目の role は key にしてください。",
                     "The key field '{value}' has role '{role}'. A key field's role must be key."),
    "def_key_missing": ("role が key の項目「{value}」が key にありません。key に加えるか、role を locked にしてください。",
                        "The field '{value}' has role key but is not in key. Add it to key, or make its role locked."),
    "def_braces": ("「{value}」の {{ }} が対になっていません。差し込み（{{year}} など）でない {{ }} は {{{{ }}}} と重ねて書いてください。",
                   "The braces in '{value}' do not pair. Write a brace that is not a placeholder (like {{year}}) twice: {{{{ }}}}."),
    "def_placeholder": ("「{value}」の {name} は差し込めません。ここで使えるのは {allowed} です。",
                        "'{value}': {name} cannot be filled in here. The placeholders here are {allowed}."),
    "def_schema_no_property": ("項目「{value}」（form.json の fields）の定義が properties にありません。追加してください。",
                               "The field '{value}' (fields of form.json) has no entry in properties. Add one."),
    "def_schema_extra_property": ("「{value}」は form.json の fields（または lists）にない項目です。fields の id にそろえてください: {allowed}",
                                  "'{value}' is not a field (or list) of form.json. Use the ids of the fields: {allowed}"),
    "def_schema_required": ("required の「{value}」が properties にありません。",
                            "'{value}' in required is not in properties."),
    "def_enum_choices": ("enum（{value}）が form.json の選択肢「{choices}」の値（{listed}）と一致しません。一覧から選べる値と受け付ける値を同じにしてください。",
                         "The enum ({value}) differs from the values of the choice list '{choices}' in form.json ({listed}). Make what can be picked and what is accepted the same."),
    "def_rule": ("{detail}", "{detail}"),
    "forms_none": ("様式の定義がありません。", "There are no form definitions."),
    "forms_broken": ("定義に誤りがあります: `fujimi-xl form check {folder}`",
                     "the definition is broken: `fujimi-xl form check {folder}`"),
    "form_check_ok": ("様式定義 {folder}（{name}・{title}）に問題はありません。",
                      "The form definition {folder} ({name}, {title}) has no problems."),
    "form_check_problems": ("様式定義 {folder} に{n}件の問題があります。",
                            "The form definition {folder} has {n} problems."),
    # -- rules of a definition (issue 13) ---------------------------------------------------------
    "rule_not_list": ("様式定義 {file} の rules は規則の一覧（[ … ]）にしてください。",
                      "Form definition {file}: rules must be a list of rules ([ … ])."),
    "rule_not_object": ("様式定義 {file} の {path} は規則（{{\"type\": …}}）にしてください。",
                        "Form definition {file}: {path} must be a rule ({{\"type\": …}})."),
    "rule_unknown_type": (
        "様式定義 {file} の {path}: 規則の種類「{value}」はありません。使える種類: {allowed}",
        "Form definition {file}, {path}: there is no rule type '{value}'. Allowed: {allowed}"),
    "rule_bad_layout": (
        "様式定義 {file} の {path}: 「{value}」はこの様式（layout: {layout}）では使えません。"
        "使える layout: {allowed}",
        "Form definition {file}, {path}: '{value}' cannot be used with layout '{layout}'. "
        "Allowed layouts: {allowed}"),
    "rule_unknown_param": (
        "様式定義 {file} の {path}: 規則 {rule} に「{value}」という指定はありません。"
        "使える指定: {allowed}",
        "Form definition {file}, {path}: a {rule} rule has no parameter '{value}'. "
        "Allowed: {allowed}"),
    "rule_missing_param": (
        "様式定義 {file} の {path} がありません。規則 {rule} には {param} の指定が必要です。",
        "Form definition {file}: {path} is missing. A {rule} rule needs '{param}'."),
    "rule_one_of": (
        "様式定義 {file} の {path}: 規則 {rule} には {params} のうち1つだけを指定してください。",
        "Form definition {file}, {path}: a {rule} rule needs exactly one of {params}."),
    "rule_bad_field": (
        "様式定義 {file} の {path}: 「{value}」という項目はこの様式にありません。使える項目: {allowed}",
        "Form definition {file}, {path}: the form has no field '{value}'. Allowed: {allowed}"),
    "rule_bad_list": (
        "様式定義 {file} の {path}: 「{value}」という表（lists）はこの様式にありません。"
        "使える表: {allowed}",
        "Form definition {file}, {path}: the form has no list '{value}'. Allowed: {allowed}"),
    "rule_bad_column": (
        "様式定義 {file} の {path}: 表「{list}」に「{value}」という列はありません。使える列: {allowed}",
        "Form definition {file}, {path}: list '{list}' has no column '{value}'. "
        "Allowed: {allowed}"),
    "rule_bad_value": (
        "様式定義 {file} の {path}: 「{value}」は使えません。使える値: {allowed}",
        "Form definition {file}, {path}: '{value}' cannot be used. Allowed: {allowed}"),
    "rule_bad_check": (
        "様式定義 {file} の {path}: 「{value}」は合計の規則（sum_equals の total）ではないため、"
        "○×の確認欄を置けません。使える項目: {allowed}",
        "Form definition {file}, {path}: '{value}' is not the total of a sum_equals rule, so "
        "no ○/× check cell can show it. Allowed: {allowed}"),
    "rule_bad_placeholder": (
        "様式定義 {file} の {path}: 差し込み「{{{value}}}」はありません。使える差し込み: {allowed}",
        "Form definition {file}, {path}: there is no placeholder '{{{value}}}'. "
        "Allowed: {allowed}"),
    # -- the plan --------------------------------------------------------------------------------
    "plan_unreadable": ("計画ブック {name} を読めません: {detail}",
                        "Cannot read the plan workbook {name}: {detail}"),
    "plan_no_sheets": ("計画ブック {name} に必要なシートがありません",
                       "The plan workbook {name} lacks required sheets"),
    "plan_problems": ("計画ブック {name} に{n}件の問題があります",
                      "The plan workbook {name} has {n} problems"),
    "nothing_planned": ("様式「{form}」の計画に項目がありません。先に計画ブックを読み込んでください: "
                        "fujimi-xl plan 計画.xlsx -w 作業フォルダ --form {form}",
                        "The plan of form '{form}' has no items. Load a plan workbook first: "
                        "fujimi-xl plan PLAN.xlsx -w WORKSPACE --form {form}"),
    "unknown_groups": ("計画に担当項目のない担当です: {groups}",
                       "No items in the plan for these groups: {groups}"),
    "no_references": (
        "様式「{form}」には繰り越す項目の定義（references）がありません",
        "Form '{form}' defines nothing to carry over (references)",
    ),
    # -- import-report ---------------------------------------------------------------------------
    "report_unreadable": ("報告書 {name} を読めません: {detail}",
                          "Cannot read the report {name}: {detail}"),
    "not_a_list_form": ("様式「{form}」は一覧様式ではないため、集計表を取り込めません"
                        "（取り込めるのは layout が list の様式です）",
                        "Form '{form}' is not a list form, so no table can be imported into it "
                        "(only a form with layout list can)"),
    # -- diff ------------------------------------------------------------------------------------
    "not_accepted_version": (
        "{name} は受理された版ではありません（取り込まれていないか、差戻しです）",
        "{name} is not an accepted version (it was not ingested, or it was refused)",
    ),
    "no_such_version": (
        "「{spec}」に当たる版が見つかりません（ファイル、または 担当@版番号 で指定）",
        "No version matches '{spec}' (give a file, or group@version such as 保育@1)",
    ),
    # -- versions (issue 12) -------------------------------------------------------------------
    "outbox_locked": (
        "ブック {path} を書き込めません（{detail}）。Excel で開いている場合は閉じてから、"
        "もう一度実行してください。何も変更していません（発行記録も以前のブックもそのままです）。",
        "Cannot write the workbook {path} ({detail}). If it is open in Excel, close it first "
        "and run the command again. Nothing was changed (no issue recorded, earlier workbooks "
        "kept).",
    ),
    "restore_current": (
        "{slot}@{version} はすでに現在の版です",
        "{slot}@{version} is already the current version",
    ),
    # -- PDF -------------------------------------------------------------------------------------
    "no_libreoffice": (
        "LibreOffice が見つからないため PDF は作成していません（Excel ファイルは作成済みです）。"
        "PDF が必要なら LibreOffice をインストールするか、Excel で開いて PDF に保存してください。",
        "No PDF was made because LibreOffice was not found (the Excel file was made). For a "
        "PDF, install LibreOffice, or open the file in Excel and save it as PDF.",
    ),
    "pdf_timeout": ("LibreOffice の PDF 変換が {seconds} 秒で終わりませんでした",
                    "LibreOffice did not finish the PDF conversion in {seconds} seconds"),
    "pdf_failed": ("LibreOffice の PDF 変換に失敗しました: {detail}",
                   "LibreOffice failed to convert to PDF: {detail}"),
    # -- report warnings -------------------------------------------------------------------------
    "sheet_renamed": (
        "シート名「{wanted}」は Excel で使えないため「{name}」にしました"
        "（31文字以内、[ ] : * ? / \\ は使えません）",
        "Sheet name '{wanted}' cannot be used in Excel, so it became '{name}' (at most 31 "
        "characters, none of [ ] : * ? / \\)",
    ),
    "text_cut": (
        "{length}文字の文章を Excel の上限 {limit} 文字に切り詰めました",
        "A text of {length} characters was cut to Excel's limit of {limit} characters",
    ),
    # -- print never cuts (issue 12) -------------------------------------------------------------
    "print_spans_pages": (
        "{where}（{item}）の「{label}」は{length}文字あり、1ページに収まらないため"
        "複数のページにまたがって印刷されます。ページの境目で文章が欠けていないか PDF で"
        "確かめてください（全文はセルに入っています）。",
        "{where} ({item}), {label}: {length} characters do not fit on one page and are printed "
        "across several pages. Check in the PDF that nothing is lost at the page break (the "
        "cell holds the whole text).",
    ),
    # -- demo ------------------------------------------------------------------------------------
    "demo_not_empty": ("{directory} は空ではありません。新しいフォルダを指定してください。",
                       "{directory} is not empty. Give a new folder."),
    # -- verify findings -------------------------------------------------------------------------
    "verify_database": ("マスタの整合性検査で異常があります（マスタが壊れています）: {result}。"
                        "`fujimi-xl init 新しいフォルダ --from-backup バックアップ.zip` でバックアップ（`fujimi-xl backup` で作成）から復元してください。",
                        "The master's integrity check failed (the master is damaged): "
                        "{result}. To repair it, restore the backup (made with `fujimi-xl backup`) with `fujimi-xl init NEW_FOLDER --from-backup BACKUP.zip`."),
    "verify_current_count": ("{where}: 現在の版が {n} 件あります（1件のはず）",
                             "{where}: {n} current versions (there must be 1)"),
    "verify_version_gap": ("{where}: 版番号が連続していません（{n}版、最大 v{top}）",
                           "{where}: version numbers are not consecutive ({n} versions, "
                           "highest v{top})"),
    "verify_no_receipt": ("{where}: 受付記録（受理）がありません",
                          "{where}: no receipt of acceptance"),
    "verify_no_archive": ("{where}: 受理したファイル {file} の保管コピーがありません。"
                          "そのファイルをもう一度取り込むと保管コピーが戻ります（なければ "
                          "バックアップから復元してください）",
                          "{where}: the archived copy of the accepted file {file} is missing. "
                          "Ingest that file again to restore the copy (or restore the "
                          "backup)"),
    "verify_sha256": ("{where}: 保管コピー {name} の sha256 が記録と一致しません",
                      "{where}: the sha256 of the archived copy {name} does not match the "
                      "record"),
    "verify_unreadable": ("{where}: 保管コピーを読み直せません",
                          "{where}: the archived copy cannot be read again"),
    "verify_values_differ": ("{where}: 読み直した値がマスタと一致しません {diff}",
                             "{where}: the values read again differ from the master {diff}"),
    # -- words (issue 12) ------------------------------------------------------------------------
    "form_unknown": (
        "様式「{name}」はありません。使える様式（名前または題名で指定できます）: {forms}",
        "There is no form '{name}'. The forms there are (give the name or the title): {forms}",
    ),
    "form_ambiguous": (
        "「{name}」に当たる様式が複数あります: {forms}。様式名で指定してください。",
        "'{name}' matches several forms: {forms}. Give the form's name.",
    ),
    "group_unknown": (
        "担当「{name}」は計画の担当一覧にありません。担当コード・グループ名・部名とグループ名の"
        "どれかで指定してください。計画の担当: {groups}",
        "Group '{name}' is not in the plan's list of groups. Give its code, its name, or its "
        "department and name. The plan's groups: {groups}",
    ),
    "group_ambiguous": (
        "「{name}」に当たる担当が複数あります: {groups}。部名とグループ名、または担当コードで"
        "指定してください。",
        "'{name}' matches several groups: {groups}. Give the department and name, or the code.",
    ),
    # -- workspace faults, backup, output files (issue 12) ------------------------------------
    "master_locked": (
        "マスタ {path} を他のプログラムが使用中のため、{seconds}秒待ちましたが使えませんでした。"
        "何も変更していません。マスタを開いているプログラム（DB Browser for SQLite など、"
        "または実行中の別の fujimi-xl）を閉じてから、もう一度実行してください。",
        "The master {path} is in use by another program; waited {seconds} seconds in vain. "
        "Nothing was changed. Close the program that has the master open (DB Browser for "
        "SQLite, or another fujimi-xl still running) and run the command again.",
    ),
    "master_corrupt": (
        "マスタ {path} が壊れています（{detail}）。このマスタには何も取り込まず、何も変更して"
        "いません。`fujimi-xl init 新しいフォルダ --from-backup バックアップ.zip` でバックアップ（`fujimi-xl backup` で作成）から復元してください。",
        "The master {path} is damaged ({detail}). Nothing was merged into it or changed. "
        "restore the backup (made with `fujimi-xl backup`) with `fujimi-xl init NEW_FOLDER --from-backup BACKUP.zip`.",
    ),
    "master_unopenable": (
        "マスタ {path} を開けません。作業フォルダが移動・削除されていないか、共有フォルダに"
        "接続できているかを確かめてください。マスタがなくなった場合は `fujimi-xl init 新しいフォルダ --from-backup バックアップ.zip` でバックアップ（`fujimi-xl backup` で作成）から復元してください。",
        "Cannot open the master {path}. Check that the workspace was not moved or deleted and "
        "that the shared folder is connected. If the master is gone, restore the backup (made with `fujimi-xl backup`) with `fujimi-xl init NEW_FOLDER --from-backup BACKUP.zip`.",
    ),
    "master_error": (
        "マスタ {path} を使えません（{detail}）。何も変更していません。別のバージョンの "
        "fujimi-xl で作った作業フォルダでないか確かめ、直らなければ `fujimi-xl init 新しいフォルダ --from-backup バックアップ.zip` でバックアップ（`fujimi-xl backup` で作成）から復元してください。",
        "Cannot use the master {path} ({detail}). Nothing was changed. Check that the workspace "
        "was not made by another version of fujimi-xl; otherwise restore the backup (made with `fujimi-xl backup`) with `fujimi-xl init NEW_FOLDER --from-backup BACKUP.zip`.",
    ),
    "workspace_read_only": (
        "作業フォルダ {path} に書き込めません（読み取り専用か、書き込みの権限がありません）。"
        "返送ファイルの誤りではなく、どのファイルも差戻しにしていません（取込の途中で止まった"
        "場合は、それまでに受理したものだけが保存されています）。フォルダの読み取り専用を解除する（共有フォルダなら書き込み権限を確かめる）か、"
        "書き込める場所へ移してから、もう一度実行してください。",
        "Cannot write to the workspace {path} (read-only, or no permission to write). No "
        "returned file is at fault and none was refused (an ingest stopped midway kept only "
        "what it had accepted in full). Make the folder "
        "writable (on a shared folder, check the write permission) or move it somewhere "
        "writable, and run the command again.",
    ),
    "disk_full": (
        "ディスクの空きがないため {path} に書き込めません。返送ファイルの誤りではなく、どの"
        "ファイルも差戻しにしていません（取込の途中で止まった場合は、それまでに受理したものだけが"
        "保存されています）。不要なファイルを削除して空きを作ってから、もう一度実行してください"
        "（取込なら残りのファイルを取り込みます）。",
        "The disk is full: cannot write {path}. No returned file is at fault and none was "
        "refused (an ingest stopped midway kept only what it had accepted in full). Free some "
        "space and run the command again (an ingest takes the remaining files).",
    ),
    "workspace_io": (
        "作業フォルダの {path} を読み書きできません（{detail}）。ディスクや共有フォルダの接続を"
        "確かめてから、もう一度実行してください。直らなければ `fujimi-xl init 新しいフォルダ --from-backup バックアップ.zip` でバックアップ（`fujimi-xl backup` で作成）から復元してください。",
        "Cannot read or write {path} in the workspace ({detail}). Check the disk or the "
        "shared-folder connection and run the command again; otherwise restore the backup (made with `fujimi-xl backup`) with `fujimi-xl init NEW_FOLDER --from-backup BACKUP.zip`.",
    ),
    "output_locked": (
        "{path} を書き込めません（{reason}）。Excel で開いている場合は閉じてから、もう一度"
        "実行してください。元のファイルは変わっていません。",
        "Cannot write {path} ({reason}). If it is open in Excel, close it first, then run the "
        "command again. The old file is unchanged.",
    ),
    "restore_target_exists": (
        "{root} はすでにあり、空ではありません。既存のフォルダは上書きしません。"
        "復元先には新しいフォルダを指定してください。",
        "{root} exists and is not empty. An existing folder is never overwritten: give a new "
        "folder to restore into.",
    ),
    "backup_unreadable": (
        "{path} は fujimi-xl のバックアップとして読めません（{detail}）。"
        "`fujimi-xl backup` で作成した .zip を指定してください。",
        "{path} cannot be read as a fujimi-xl backup ({detail}). Give a .zip made by "
        "`fujimi-xl backup`.",
    ),
    "backup_and_plan": (
        "--from-backup と --plan は同時に指定できません（計画はバックアップに含まれます）。",
        "--from-backup and --plan cannot be given together (the plan is in the backup).",
    ),
    # -- the master on PostgreSQL (issue 14) ---------------------------------------------------
    "pg_unreachable": (
        "PostgreSQL サーバ（{where}）に接続できません。サーバが起動しているか、ホスト名とポート番号が"
        "正しいか、ネットワーク（ファイアウォール）で接続が許可されているかを情報システム担当に確かめてから、"
        "もう一度実行してください。何も変更していません。",
        "Cannot connect to the PostgreSQL server ({where}). Ask IT to check that the server is "
        "running, that the host name and port are right, and that the network (firewall) "
        "allows the connection, then run the command again. Nothing was changed.",
    ),
    "pg_auth": (
        "PostgreSQL サーバ（{where}）がユーザ「{user}」のログインを拒否しました（パスワードが違うか、"
        "このユーザでの接続が許可されていません）。作業フォルダの fujimi.json の db（または環境変数 "
        "FUJIMI_DB_URL）のユーザとパスワードを確かめてください。何も変更していません。",
        "The PostgreSQL server ({where}) refused the login of user '{user}' (wrong password, "
        "or this user may not connect). Check the user and password in db of the workspace's "
        "fujimi.json (or the FUJIMI_DB_URL environment variable). Nothing was changed.",
    ),
    "pg_no_database": (
        "PostgreSQL サーバ（{where}）にデータベース「{db}」がありません。情報システム担当に作成を依頼する"
        "（createdb {db}）か、URL のデータベース名を確かめてください。何も変更していません。",
        "The PostgreSQL server ({where}) has no database '{db}'. Ask IT to create it "
        "(createdb {db}) or check the database name in the URL. Nothing was changed.",
    ),
    "pg_denied": (
        "PostgreSQL サーバ（{where}）のユーザ「{user}」にはマスタを読み書きする権限がありません（{detail}）。"
        "情報システム担当にこのデータベースへの権限の付与を依頼してください。何も変更していません。",
        "The PostgreSQL user '{user}' on {where} may not read or write the master ({detail}). "
        "Ask IT to grant it rights on this database. Nothing was changed.",
    ),
    "pg_error": (
        "PostgreSQL サーバ（{where}）のマスタを使えません（{detail}）。何も変更していません。"
        "サーバの状態を情報システム担当に確かめてから、もう一度実行してください。",
        "Cannot use the master on the PostgreSQL server {where} ({detail}). Nothing was "
        "changed. Ask IT to check the server, then run the command again.",
    ),
    "pg_locked": (
        "マスタ（PostgreSQL {path}）を別の処理（実行中の取込やサーバなど）が使用中のため、{seconds}秒"
        "待ちましたが使えませんでした。何も変更していません。その処理が終わってから、もう一度実行して"
        "ください（待つ時間は環境変数 FUJIMI_LOCK_WAIT で変えられます）。",
        "The master (PostgreSQL {path}) is in use by another task (an ingest or the server "
        "still running); waited {seconds} seconds in vain. Nothing was changed. Run the "
        "command again once that task is done (FUJIMI_LOCK_WAIT sets the wait).",
    ),
    "pg_backup": (
        "マスタは PostgreSQL（{where}）にあるため、この作業フォルダの backup では写せません。マスタは"
        "情報システム担当に pg_dump でバックアップを取ってもらってください。",
        "The master is on PostgreSQL ({where}), so backup of this workspace cannot copy it. "
        "Have IT back up the master with pg_dump.",
    ),
    "db_other_master": (
        "データベース {where} には別の作業フォルダ（{root}）のマスタがすでにあり、データが入っています。"
        "混ざらないよう何も変更していません。空のデータベースを指定するか、その作業フォルダを使ってください。",
        "The database {where} already holds the master of another workspace ({root}) with data "
        "in it. Nothing was changed, so that the two do not mix. Give an empty database, or use "
        "that workspace.",
    ),
    "db_url_unknown": (
        "--db には PostgreSQL の URL（postgresql://ユーザ@ホスト:ポート/データベース名）を指定してください"
        "（指定された値: {url}）。SQLite のマスタを作業フォルダに置く場合は --db を省略します。",
        "--db takes a PostgreSQL URL (postgresql://user@host:port/dbname); got {url}. For a "
        "SQLite master in the workspace, leave --db out.",
    ),
    # -- access (issue 15) --
    "access_bad_url": (
        "公開アドレス「{url}」は使えません。職員のパソコンからサーバを開くアドレスを、"
        "http://fujimi-srv01:8080 のように http:// または https:// から指定してください。",
        "The public address '{url}' cannot be used. Give the address staff's PCs open the "
        "server at, starting with http:// or https://, like http://fujimi-srv01:8080.",
    ),
    "access_no_public_url": (
        "作業フォルダに公開アドレスが設定されていないため、リンクをファイルに書き出せません。"
        "--public-url http://サーバ名:8080 を付けて、もう一度実行してください"
        "（一度設定すれば次からは不要です）。",
        "The workspace has no public address, so the links cannot be written to a file. Run "
        "the command again with --public-url http://SERVER:8080 (once set, it is kept).",
    ),
    "access_revoke_needs_group": (
        "--revoke には、リンクを無効にする担当を --group で指定してください（複数指定できます）。",
        "--revoke needs the groups whose links to revoke, given with --group (several may be "
        "given).",
    ),
    "access_revoke_and_renew": (
        "--revoke と --renew は同時に指定できません。無効にするだけなら --revoke、"
        "新しいリンクに替えるなら --renew を指定してください。",
        "--revoke and --renew cannot be given together: --revoke only kills the links, "
        "--renew replaces them with new ones.",
    ),
    "access_bad_user_name": (
        "利用者名「{name}」は使えません。{limit}文字以内で、改行やタブを含まない名前にしてください。",
        "The user name '{name}' cannot be used. Give a name of at most {limit} characters "
        "without line breaks or tabs.",
    ),
    "access_short_password": (
        "パスワードが短すぎます。{n}文字以上にしてください。",
        "The password is too short. Use at least {n} characters.",
    ),
    "access_passwords_differ": (
        "2回入力したパスワードが一致しません。何も変更していません。もう一度実行してください。",
        "The two passwords differ. Nothing was changed. Run the command again.",
    ),
    "access_no_password": (
        "標準入力からパスワードを読めませんでした（空です）。何も変更していません。",
        "No password could be read from standard input (it is empty). Nothing was changed.",
    ),
    "access_no_user": (
        "利用者「{name}」は登録されていません。登録済み: {names}",
        "There is no user '{name}'. Registered: {names}",
    ),
    # -- migrate to PostgreSQL (issue 14, pgops) ---------------------------------------------
    "migrate_already_pg": (
        "作業フォルダ {root} のマスタはすでに PostgreSQL（{where}）にあります。移行できるのは作業"
        "フォルダの SQLite のマスタ（master.sqlite）だけです。何も変更していません。"
        "（環境変数 FUJIMI_DB_URL を設定している場合は、それを外してから実行してください。）",
        "The master of the workspace {root} is already on PostgreSQL ({where}). Only a SQLite "
        "master (master.sqlite in the workspace) can be migrated. Nothing was changed. (If "
        "FUJIMI_DB_URL is set, unset it and run the command again.)",
    ),
    "migrate_not_pg": (
        "移行先 {url} は PostgreSQL の URL ではありません。"
        "`postgresql://利用者@ホスト:ポート/データベース` の形で指定してください。何も変更していません。",
        "The target {url} is not a PostgreSQL URL. Give it as "
        "`postgresql://user@host:port/database`. Nothing was changed.",
    ),
    "migrate_not_empty": (
        "移行先のデータベース {where} は空ではありません（表 {tables} などがあります）。既存の"
        "データは上書きしません。`createdb` で作った空のデータベースを指定してください。"
        "何も変更していません。",
        "The target database {where} is not empty (it has the tables {tables} …). Existing data "
        "is never overwritten: give an empty database made with `createdb`. Nothing was changed.",
    ),
    "migrate_count_mismatch": (
        "移行先 {where} の表 {table} の件数が元のマスタと合いません（元 {src} 件、移行先 {dst} 件）。"
        "移行を取り消しました（移行先は空のまま、元のマスタもそのままです）。"
        "サーバの管理者に連絡してください。",
        "The table {table} in the target {where} does not hold as many rows as the master "
        "({src} in the master, {dst} in the target). The migration was undone (the target is "
        "empty, the master unchanged). Contact the server's administrator.",
    ),
    # -- the browser (issue 15) --------------------------------------------------------------------
    "web_port_busy": (
        "サーバを {host}:{port} で起動できません（{detail}）。別のプログラムがこのポートを使っているか、"
        "使う権限がありません。--port で別の番号（例: 8081）を指定してください。",
        "The server cannot start on {host}:{port} ({detail}). Another program is using this "
        "port, or it may not be used. Give another number with --port (e.g. 8081).",
    ),
}


def error_text(code: str, lang: str = "ja", **params: Any) -> str:
    """The text of an error, verify finding or report warning, with its parameters."""
    ja, en = ERRORS.get(code, ("{code}", "{code}"))
    return (en if lang == "en" else ja).format_map(_Defaults(code=code, **params))


# Words the CLI prints around the problem table, in both languages.
UI: dict[str, tuple[str, str]] = {
    "accepted": ("受理", "accepted"),
    "rejected": ("差戻し", "rejected"),
    "unchanged": ("変更なし", "unchanged"),
    "skipped": ("読み飛ばし", "skipped"),
    "records": ("件", "records"),
    "errors": ("エラー", "errors"),
    "warnings": ("警告", "warnings"),
    "feedback": ("差戻し用ブック", "feedback workbook"),
    "file": ("ファイル", "file"),
    "cell": ("シート!セル", "sheet!cell"),
    "field": ("項目", "field"),
    "message": ("内容", "message"),
    "issued": ("発行", "issued"),
    "returned": ("返送", "returned"),
    "missing": ("未提出", "missing"),
    "group": ("担当", "group"),
    "last_file": ("最終ファイル", "last file"),
    "last_time": ("受付日時", "received"),
    "summary": (
        "{n}件中 受理{accepted}・差戻し{rejected}・変更なし{unchanged}・読み飛ばし{skipped}",
        "{n} files: {accepted} accepted, {rejected} rejected, {unchanged} unchanged, "
        "{skipped} skipped",
    ),
    # -- shared pieces -----------------------------------------------------------------------
    "error": ("エラー: {message}", "Error: {message}"),
    "warning": ("警告: {message}", "Warning: {message}"),
    "none": ("（なし）", "(none)"),
    "list_sep": ("、", ", "),
    "year_label": ("{long}", "FY{year} ({short})"),
    "bad_year": (
        "年度「{value}」を読めません（例: 2018, H30, 平成30, R2, 令和2）",
        "Cannot read the fiscal year '{value}' (e.g. 2018, H30, 平成30, R2, 令和2)",
    ),
    # -- plan-template, init, plan -------------------------------------------------------------
    "plan_template_done": ("計画ブックのひな形を作成しました: {path}",
                           "Plan workbook template created: {path}"),
    "init_done": ("作業フォルダを作成しました: {root}", "Workspace created: {root}"),
    "init_plan": ("  計画: {items} 行（担当 {groups}）  マスタ: {db}",
                  "  plan: {items} rows ({groups} groups)  master: {db}"),
    "plan_done": ("計画を更新しました: {items} 行（担当 {groups}）",
                  "Plan updated: {items} rows ({groups} groups)"),
    # -- generate ------------------------------------------------------------------------------
    "generating": ("作成中", "generating"),
    "generate_done": ("{year} {form}: {n} 件のブックを作成しました",
                      "{year} {form}: {n} workbooks created"),
    "generate_file": ("  {group}（{n}項目）: {path}", "  {group} (items: {n}): {path}"),
    # -- versions (issue 12) -------------------------------------------------------------------
    "slot_versions": (
        "{slot}: {n} 件の返送のうち {file}（{saved} 保存）を現在の版 v{version} にしました。"
        "ほかの {others} 件は以前の版として保存しています",
        "{slot}: of {n} returns, {file} (saved {saved}) is now the current version "
        "v{version}; the other {others} are kept as earlier versions",
    ),
    "superseded_count": ("以前の版として保存・差戻し解消: {n} 件",
                         "Kept as earlier versions or refusals superseded: {n}"),
    "generate_unchanged": ("  {group}: 発行済み・変更なし（{issued} 発行のブックをそのまま使えます）: {path}",
                           "  {group}: already issued, unchanged (the book issued {issued} "
                           "stays valid): {path}"),
    "generate_changed": (
        "  {group}: 計画が変わったため新しいブックを発行します（項目の追加: {added}／削除: "
        "{removed}／内容の変更: {edited}）。{issued} 発行のブックは使えなくなります",
        "  {group}: the plan changed, so a new book is issued (items added: {added} / removed: "
        "{removed} / edited: {edited}); the book issued {issued} is no longer valid",
    ),
    "generate_reissued": (
        "  {group}: --reissue により再発行します。{issued} 発行のブックは使えなくなります",
        "  {group}: re-issued (--reissue); the book issued {issued} is no longer valid",
    ),
    # the book would lock other texts though no item changed: the form's definition (its
    # fields, labels) or the group's or plan's names changed since the last issue
    "generate_relaid": (
        "  {group}: 前回の発行から様式の定義（項目・見出し）または担当名・計画名が変わったため新しい"
        "ブックを発行します。{issued} 発行のブックは使えなくなります",
        "  {group}: the form's definition (fields, headings) or the group's or plan's name "
        "changed since the last issue, so a new book is issued; the book issued {issued} is "
        "no longer valid",
    ),
    "generate_form_revised": (
        "  {group}: 様式が改訂されたため新しいブックを発行します。{issued} 発行のブックは"
        "使えなくなります",
        "  {group}: the form was revised, so a new book is issued; the book issued {issued} "
        "is no longer valid",
    ),
    "generate_kept_hint": (
        "発行済みのブックを作り直すには --reissue を付けてください（--group で担当を限定できます）",
        "To re-issue books already issued, add --reissue (--group limits it to groups)",
    ),
    "restore_done": (
        "{form} {year} {slot}: v{from_version}（{file}、{saved} 保存）を現在の版にしました"
        "（新しい版 v{version} として記録）",
        "{form} {year} {slot}: v{from_version} ({file}, saved {saved}) is now current "
        "(recorded as the new version v{version})",
    ),
    "restored_mark": ("v{version} を復元", "restores v{version}"),
    # -- ingest --------------------------------------------------------------------------------
    "ingesting": ("取込中", "ingesting"),
    "would_accept": ("受理予定", "would accept"),
    "accepted_detail": ("{n}件 v{version}", "records {n} v{version}"),
    # -- status --------------------------------------------------------------------------------
    "state": ("状況", "state"),
    "version": ("版", "version"),
    "state_accepted": ("受理済", "accepted"),
    "state_rejected": ("差戻し中", "refused"),
    "state_missing": ("未提出", "missing"),
    "state_not_issued": ("未発行", "not issued"),
    "slot_who": ("{slot} {label}（{group}）", "{slot} {label} ({group})"),
    "slot_of": ("（{slot} {label}）", " ({slot} {label})"),
    "to_remind": ("督促が必要な担当 ({n}): ", "Groups to remind ({n}): "),
    "all_accepted": ("全担当の受理が済んでいます。", "All groups accepted."),
    # -- report --------------------------------------------------------------------------------
    "report_done": ("集計表を作成しました: {path}（{rows} 行）",
                    "Report created: {path} ({rows} rows)"),
    "not_returned": ("未提出の担当: ", "Groups not returned: "),
    # -- import-report -------------------------------------------------------------------------
    "import_refused": (
        "取り込みませんでした（エラー {n} 件）。表を直して、もう一度取り込んでください。",
        "Nothing was imported (errors: {n}). Correct the table and import it again.",
    ),
    "import_done": ("取り込みました: {name}（{year}年度、{rows} 行、{versions} 担当分）",
                    "Imported: {name} (FY{year}, {rows} rows, {versions} groups)"),
    "import_created_plan": (
        "計画がなかったため、表から計画を作りました。担当は「未割当1」「未割当2」… です。"
        "計画ブックで担当を直し、`fujimi-xl plan` で読み込み直してください。",
        "There was no plan, so one was made from the table. Its groups are 未割当1, 未割当2, …: "
        "correct them in the plan workbook and load it again with `fujimi-xl plan`.",
    ),
    # -- rollover ------------------------------------------------------------------------------
    "rollover_done": ("{from_year} → {to_year}: {n} 件を繰り越しました。",
                      "{from_year} → {to_year}: {n} items carried over."),
    "rollover_added": ("  新しい項目（前年度の記入なし）: {n} 件: ",
                       "  New items (nothing from the year before): {n}: "),
    "rollover_retired": ("  計画から外れた項目（繰り越さない）: {n} 件: ",
                         "  Items no longer in the plan (not carried over): {n}: "),
    "rollover_next": (
        "次に `fujimi-xl generate {form} --year {year}` で新年度の様式を作成してください。",
        "Next, create the new year's workbooks with `fujimi-xl generate {form} --year {year}`.",
    ),
    # -- history, diff -------------------------------------------------------------------------
    "history_none": ("項目「{item}」の受理済みの値はありません。",
                     "Item '{item}' has no accepted values."),
    "current": ("現在", "current"),
    "superseded": ("旧版", "superseded"),
    "history_version": ("v{version}（{mark}）", "v{version} ({mark})"),
    "no_differences": ("違いはありません。", "No differences."),
    # -- export, verify, demo ------------------------------------------------------------------
    "export_done": ("書き出しました: {path}", "Written: {path}"),
    "verify_checked": (
        "検査した範囲: 現在の版 {submissions} 件・保管ファイル {files} 件・値 {values} 件（{slots} 枠）",
        "Checked: {submissions} current versions, {files} stored files, {values} values "
        "({slots} slots)",
    ),
    "verify_ok": (
        "異常はありません。すべての値が受理したファイル（sha256 一致）に遡れます。",
        "No problems found. Every value traces back to an accepted file (sha256 matches).",
    ),
    # -- the demo's progress lines -------------------------------------------------------------
    "demo_plan": ("計画ブック(サンプル): {path}", "Sample plan workbook: {path}"),
    "demo_workspace": ("作業フォルダ: {path}", "Workspace: {path}"),
    "demo_generated": ("様式を {n} 件作成: {folder}", "{n} workbooks created: {folder}"),
    "demo_first_ingest": ("1回目の取込: 受理 {accepted} 件・差戻し {rejected} 件",
                          "First ingest: {accepted} accepted, {rejected} rejected"),
    "demo_second_ingest": ("2回目の取込: 受理 {accepted} 件・差戻し {rejected} 件",
                           "Second ingest: {accepted} accepted, {rejected} rejected"),
    "demo_second_accepted": ("2回目の取込: 受理 {accepted} 件", "Second ingest: {accepted} accepted"),
    "demo_feedback": ("  差戻し用ブック: {path}", "  Feedback workbook: {path}"),
    "demo_problem": ("  {file} {where}: {message}", "  {file} {where}: {message}"),
    "demo_again": ("同じフォルダを再取込: 変更なし {unchanged} 件（受理 {accepted} 件）",
                   "Same folder ingested again: {unchanged} unchanged ({accepted} accepted)"),
    "demo_status": ("提出状況: 受理 {accepted} / {n} 担当",
                    "Returns: {accepted} of {n} groups accepted"),
    "demo_report": ("報告書: {path}", "Report: {path}"),
    "demo_report_pdf": ("報告書PDF: {path}", "Report PDF: {path}"),
    "demo_rollover": ("次年度へ繰り越し: {n} 件（{year}年度 → {next}年度）",
                      "Carried over to the next year: {n} items (FY{year} → FY{next})"),
    "demo_next_ingest": ("{year}年度の取込: 受理 {accepted} 件・差戻し {rejected} 件",
                         "FY{year} ingest: {accepted} accepted, {rejected} rejected"),
    "demo_next_report": ("{year}年度の報告書: {path}", "FY{year} report: {path}"),
    "demo_next_report_pdf": ("{year}年度の報告書PDF: {path}", "FY{year} report PDF: {path}"),
    "demo_programs": ("事業一覧(サンプル): {path}", "Sample program list: {path}"),
    "demo_action_plans": ("アクションプランを {n} 件作成: {folder}",
                          "{n} action-plan workbooks created: {folder}"),
    "demo_book": ("アクションプラン集: {path}", "Action-plan book: {path}"),
    "demo_book_pdf": ("アクションプラン集PDF: {path}", "Action-plan book PDF: {path}"),
    # -- the survey form in the demo (issue 13) --
    "demo_survey_plan": ("庁内照会の対象事業(サンプル): {path}",
                         "Sample programs of the internal survey: {path}"),
    "demo_survey_generated": ("庁内照会の様式を {n} 件作成: {folder}",
                              "{n} survey workbooks created: {folder}"),
    "demo_survey_report": ("庁内照会の集計表（部別・合計つき）: {path}",
                           "Survey report (by department, with totals): {path}"),
    "demo_survey_report_pdf": ("庁内照会の集計表PDF: {path}", "Survey report PDF: {path}"),
    "demo_survey_export": ("庁内照会の書き出し（JSON）: {path}", "Survey export (JSON): {path}"),
    # -- words (issue 12) ------------------------------------------------------------------------
    "next_after_init": (
        "次に generate で記入用ブックを作成します: fujimi-xl generate {form} --year 年度 -w {ws}",
        "Next, create the workbooks to fill in with generate: "
        "fujimi-xl generate {form} --year YEAR -w {ws}",
    ),
    "next_after_empty_init": (
        "計画はまだありません。次に計画ブックを読み込みます: fujimi-xl plan 計画.xlsx -w {ws}"
        "（ひな形は fujimi-xl plan-template 計画.xlsx で作成）。これまでの集計表から始めるときは "
        "fujimi-xl import-report 集計表.xlsx -w {ws}",
        "There is no plan yet. Next, load a plan workbook: fujimi-xl plan PLAN.xlsx -w {ws} "
        "(make a template with fujimi-xl plan-template PLAN.xlsx). To start from an earlier "
        "report, use fujimi-xl import-report REPORT.xlsx -w {ws}",
    ),
    "next_after_plan": (
        "次に generate で記入用ブックを作成します（発行済みの担当も計画が変わった分は作り直し）: "
        "fujimi-xl generate {form} --year 年度 -w {ws}",
        "Next, create the workbooks with generate: fujimi-xl generate {form} --year YEAR -w {ws}",
    ),
    "next_after_generate": (
        "outbox のブックを各担当に送ってください。返送されたら: fujimi-xl ingest 返送フォルダ -w {ws}",
        "Send the outbox workbooks to the groups. When they come back: "
        "fujimi-xl ingest RETURNED_FOLDER -w {ws}",
    ),
    "next_send_feedback": (
        "差戻しの {n} 件は、次の差戻し用ブックを担当に送り返してください（赤いセルを直して"
        "送り直してもらい、届いたらもう一度 ingest します）:",
        "Send these feedback workbooks back for the {n} refused files (the group corrects the "
        "red cells and sends the book again; then ingest it again):",
    ),
    "next_send_feedback_file": ("  {group}: {path}", "  {group}: {path}"),
    "next_tell_problems": (
        "差戻し用ブックを作れなかったファイル（{files}）は、上の表の内容を担当に伝え、"
        "配布したブックに記入して送り直してもらってください。",
        "For the files no feedback workbook could be made for ({files}), tell the group what "
        "the table above says and ask for the issued workbook, filled in, again.",
    ),
    "ingest_nothing_found": (
        "取り込む Excel ファイル（.xlsx）が見つかりませんでした: {paths}。フォルダの場所と"
        "名前を確かめてください（サブフォルダの中も探します）。",
        "No Excel files (.xlsx) to ingest were found in: {paths}. Check the folder's place and "
        "name (subfolders are searched too).",
    ),
    "status_nothing_planned": (
        "様式「{form}」の計画に項目がありません。先に計画ブックを読み込んでください: "
        "fujimi-xl plan 計画.xlsx -w {ws} --form {form}",
        "The plan of form '{form}' has no items. Load a plan workbook first: "
        "fujimi-xl plan PLAN.xlsx -w {ws} --form {form}",
    ),
    "status_nothing_issued": (
        "まだ記入用ブックを発行していません。generate を実行して作成し、各担当に送ってください: "
        "fujimi-xl generate {form} --year {year} -w {ws}",
        "No workbooks have been issued yet. Run generate to create them and send them to the "
        "groups: fujimi-xl generate {form} --year {year} -w {ws}",
    ),
    "status_not_issued": ("未発行の担当 ({n}): ", "Groups not issued a workbook ({n}): "),
    "status_issue_them": (
        "  未発行の担当の分を作成するには: fujimi-xl generate {form} --year {year} -w {ws} "
        "--group 担当",
        "  To create theirs: fujimi-xl generate {form} --year {year} -w {ws} --group GROUP",
    ),
    "status_issued_all_accepted": ("発行した担当はすべて受理済みです。",
                                   "Every group issued a workbook has been accepted."),
    "history_header": ("様式 年度 担当 版\t項目\t値\tファイル セル\t受理日時",
                       "form year group version\tfield\tvalue\tfile cell\taccepted"),
    "diff_header": ("項目番号\t項目\tセル\t前 → 後", "item\tfield\tcell\tbefore → after"),
    "missing_option": ("必須のオプション {option}（{help}）が指定されていません。",
                       "The option {option} ({help}) is required."),
    "missing_argument": ("{name} を指定してください: {what}", "Give {name}: {what}."),
    "arg_name": ("利用者名（事務局の人の名前。例: suzuki）", "the user's name (e.g. suzuki)"),
    "arg_form": ("様式の名前か題名（例: progress、進捗状況評価）",
                 "the form: its name or title (e.g. progress, 進捗状況評価)"),
    "arg_paths": ("返送されたブック、またはそれを入れたフォルダ（複数可）",
                  "the returned workbooks, or the folders holding them"),
    "arg_workspace": ("作成する作業フォルダ", "the workspace folder to create"),
    "arg_path": ("作成する計画ブック (.xlsx)", "the plan workbook (.xlsx) to write"),
    "arg_plan_path": ("計画ブック (.xlsx)", "the plan workbook (.xlsx)"),
    "arg_table": ("取り込む集計表 (.xlsx)", "the consolidated table (.xlsx) to load"),
    "arg_item": ("項目の番号（管理番号 4-2-1、事業番号 1 など）",
                 "the item's number (4-2-1, or a program number such as 1)"),
    "arg_version": ("戻す版: 担当@版番号（例: 保育@1）、または受理したファイル",
                    "the version to restore: group@version (e.g. 保育@1), or an accepted file"),
    "arg_directory": ("サンプルを作る新しいフォルダ", "a new folder for the sample"),
    "lang_goes_first": (
        "--lang はサブコマンドの前に書きます: fujimi-xl --lang {value} {command} …",
        "--lang goes before the subcommand: fujimi-xl --lang {value} {command} …",
    ),
    "when": ("{year}年{month}月{day}日 {hour}:{minute:02d}",
             "{year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}"),
    # -- definitions (issue 13) --------------------------------------------------------------
    "arg_definition": ("様式定義のフォルダ（form.json と schema.json があるもの）、または form.json",
                       "a form definition folder (holding form.json and schema.json), or its form.json"),
    "form_name": ("様式名", "name"),
    "form_title": ("題名", "title"),
    "form_layout": ("レイアウト", "layout"),
    "form_source": ("定義の場所", "defined in"),
    "source_workspace": ("作業フォルダ", "workspace"),
    "source_package": ("同梱", "package"),
    # -- workspace faults, backup (issue 12) ------------------------------------------------
    "master_waiting": ("マスタを他のプログラムが使用中です。待っています…（最大{seconds}秒）",
                       "The master is in use by another program. Waiting… (at most {seconds} s)"),
    "backup_done": ("バックアップを作成しました: {path}（マスタ・保管コピー {n} 件・署名鍵・設定）",
                    "Backup written: {path} (master, {n} archived copies, signing key, "
                    "config)"),
    "backup_restored": ("バックアップ {backup} から作業フォルダ {root} を復元しました。"
                     "`fujimi-xl verify -w {root}` で確かめられます。",
                     "Restored the workspace {root} from the backup {backup}. Check it with "
                     "`fujimi-xl verify -w {root}`."),
    # -- migrate to PostgreSQL (issue 14, pgops) ---------------------------------------------
    "migrate_done": ("マスタを PostgreSQL（{where}）に移しました（{tables} 表・{rows} 行）。"
                     "元のマスタは {kept} として残してあります。"
                     "`fujimi-xl verify -w {root}` で確かめてください。",
                     "Moved the master to PostgreSQL ({where}): {tables} tables, {rows} rows. "
                     "The old master is kept as {kept}. Check it with "
                     "`fujimi-xl verify -w {root}`."),
    # -- export headings and values (issue 13, fin-b) -----------------------------------------
    "export_group": ("担当", "Group"),
    "export_department": ("部", "Department"),
    "export_group_name": ("グループ", "Group name"),
    "export_submitted": ("提出", "Returned"),
    "export_returned": ("提出済", "returned"),
    "export_not_returned": ("未提出", "not returned"),
    "export_sheet": ("データ", "Data"),
    # -- access (issue 15) --
    "links_head": ("{year} {title}: 提出用リンク {n}件（担当・リンク）",
                   "{year} {title}: {n} links to return the books (group, link)"),
    "links_line": ("  {name}（{code}）{label}  {link}", "  {name} ({code}){label}  {link}"),
    "links_revoked_mark": ("（無効。--renew で新しいリンクを発行できます）",
                           "(revoked; --renew issues a new link)"),
    "links_no_public_url": (
        "公開アドレスが未設定のため、リンクはサーバのアドレスの後ろに付ける部分だけを表示しています。"
        "--public-url http://サーバ名:8080 を付けて実行すると、そのまま開けるリンクになり、"
        "generate で作るブックの記入要領にもリンクが入ります。",
        "The workspace has no public address, so only the part after the server's address "
        "is shown. Run with --public-url http://SERVER:8080 to get links that open as they "
        "are (generate then also writes them on the books' instructions).",
    ),
    "links_public_url_set": ("公開アドレスを設定しました: {url}",
                             "Public address set: {url}"),
    "links_public_url_cleared": ("公開アドレスの設定を消しました。",
                                 "Public address removed."),
    "links_renewed": ("新しいリンクを発行しました（{n}件）。前のリンクはもう開けません。",
                      "Issued {n} new links. The old links no longer open."),
    "links_revoked": ("リンクを無効にしました（{n}件）: {names}",
                      "Revoked {n} links: {names}"),
    "links_written": ("差し込み印刷用のファイルを書き出しました: {path}",
                      "Written for mail merge: {path}"),
    "password_prompt": ("パスワード", "Password"),
    "password_again": ("パスワード（確認のためもう一度）", "Password (again, to confirm)"),
    "user_added": ("利用者「{name}」を登録しました。", "User '{name}' added."),
    "user_changed": ("利用者「{name}」のパスワードを変更しました。",
                     "The password of user '{name}' was changed."),
    "user_removed": ("利用者「{name}」を削除しました。", "User '{name}' removed."),
    "users_none": ("登録された利用者はいません。`fujimi-xl user add 名前 -w 作業フォルダ` で登録します。",
                   "No users yet. Add one with `fujimi-xl user add NAME -w WORKSPACE`."),
}


def ui(key: str, lang: str = "ja", **params: Any) -> str:
    ja, en = UI[key]
    return (en if lang == "en" else ja).format(**params)


# -- the browser (issue 15): the words of the group's page and the secretariat's board --------
WEB: dict[str, tuple[str, str]] = {
    "app_name": ("富士見XL", "fujimi-xl"),
    "lang_attr": ("ja", "en"),
    # a group's page
    "group_title": ("{form} {year} 提出ページ", "{form} {year}: submission page"),
    "group_who": ("担当: {who}", "Group: {who}"),
    "deadline": ("提出期限: {date}（あと {days} 日）", "Deadline: {date} ({days} days left)"),
    "deadline_today": ("提出期限: {date}（本日が期限です）", "Deadline: {date} (today)"),
    "deadline_past": ("提出期限: {date}（{days} 日過ぎています）",
                      "Deadline: {date} ({days} days ago)"),
    "deadline_none": ("期限 未設定", "Deadline not set"),
    "date": ("{year}年{month}月{day}日", "{year}-{month:02d}-{day:02d}"),
    "now_state": ("現在の状況: {state}", "Current state: {state}"),
    "now_version": ("（受理済みの版 v{version}、{when} 受付）",
                    " (accepted version v{version}, received {when})"),
    "st_accepted": ("受理", "accepted"),
    "st_rejected": ("差戻し", "refused"),
    "st_missing": ("未提出", "not returned"),
    "st_not_issued": ("未発行", "not issued"),
    "book_heading": ("1. 記入用ブックをダウンロード", "1. Download the workbook"),
    "book_link": ("記入用ブック {file}（{when} 発行）", "Workbook {file} (issued {when})"),
    "book_none": ("記入用ブックはまだ発行されていません。事務局にお問い合わせください。",
                  "No workbook has been issued yet. Please ask the secretariat."),
    "book_hint": ("Excel で開いて白い欄に記入し、保存してから提出してください。",
                  "Open it in Excel, fill in the white cells, save it, then submit it."),
    "upload_heading": ("2. 記入したブックを提出する", "2. Submit the filled workbook"),
    "upload_again": ("直したブックを提出する", "Submit the corrected workbook"),
    "upload_more": ("提出し直す（内容を変えたとき）", "Submit again (when something changed)"),
    "book_plain": ("記入用ブック", "The workbook"),
    "upload_pick": ("ファイルを選ぶ（.xlsx、{mb}MB まで）",
                    "Choose a file (.xlsx, up to {mb} MB)"),
    "upload_drop": ("またはファイルをここにドラッグ＆ドロップ",
                    "or drag and drop the file here"),
    "upload_chosen": ("選んだファイル: ", "Chosen file: "),
    "submit": ("提出する", "Submit"),
    "check_only": ("確認だけ（保存しません）", "Check only (nothing is saved)"),
    "upload_note": ("「確認だけ」は誤りを調べるだけで、提出にはなりません。",
                    "'Check only' looks for mistakes; it does not submit."),
    "past_heading": ("これまでの提出", "Earlier submissions"),
    "past_none": ("まだ提出はありません。", "Nothing submitted yet."),
    "col_time": ("受付日時", "Received"),
    "col_file": ("ファイル", "File"),
    "col_result": ("結果", "Result"),
    "past_accepted": ("受理 v{version}", "accepted v{version}"),
    "past_accepted_old": ("受理 v{version}（以前の版）", "accepted v{version} (earlier version)"),
    "past_rejected": ("差戻し（エラー {n} 件）", "refused ({n} errors)"),
    "past_unchanged": ("変更なし", "unchanged"),
    "feedback_short": ("差戻し用ブック", "feedback workbook"),
    # the result of an upload
    "result_title": ("提出の結果", "Result"),
    "res_accepted": ("受理しました。{file} を v{version} として保存しました（{n} 件）。",
                     "Accepted. {file} was saved as version v{version} ({n} records)."),
    "res_superseded": ("受け付けましたが、現在の版より前に保存されたファイルのため、以前の版として"
                       "保存しました（v{version}）。",
                       "Received, but saved before the current version, so it was kept as an "
                       "earlier version (v{version})."),
    "res_superseded_refusal": (
        "{file} には誤りがありますが、後に保存された版（v{version}）がすでに受理されているため、"
        "対応は不要です。このファイルは保存していません。",
        "{file} has errors, but a version saved later (v{version}) is already accepted, so "
        "nothing needs to be done. This file was not saved."),
    "res_unchanged": ("このファイルは受理済みです（v{version}）。同じ内容のため、新しく保存したものは"
                      "ありません。",
                      "This file was already accepted (v{version}). It is the same, so nothing "
                      "new was saved."),
    "res_rejected": ("差戻し: {file} にエラーが {n} 件あります。保存していません。下の表のセルを直して、"
                     "もう一度提出してください。",
                     "Refused: {file} has {n} errors. Nothing was saved. Correct the cells in "
                     "the table below and submit again."),
    "res_check_ok": ("確認の結果、誤りはありません（{n} 件）。まだ提出されていません。"
                     "提出するには「提出する」を押してください。",
                     "Checked: no mistakes ({n} records). It is not submitted yet: press "
                     "'Submit' to submit it."),
    "res_check_bad": ("確認の結果、{file} にエラーが {n} 件あります（保存はしていません）。",
                      "Checked: {file} has {n} errors (nothing was saved)."),
    "res_changes": ("提出すると変わる欄: {n} 件", "Fields that would change: {n}"),
    "res_warnings": ("確認してください（受理には影響しません）", "Please check (does not stop "
                     "acceptance)"),
    "res_feedback": ("差戻し用ブック（誤りのあるセルに色とコメント）をダウンロード",
                     "Download the feedback workbook (wrong cells marked, with comments)"),
    "res_feedback_none": ("差戻し用ブックはありません。表の内容を配布したブックで直してください。",
                          "There is no feedback workbook: correct the workbook you were sent "
                          "as the table says."),
    "whole_file": ("（ファイル全体）", "(whole file)"),
    "back_to_page": ("提出ページに戻る", "Back to the submission page"),
    # pages for what went wrong
    "no_file": ("ファイルが選ばれていません。「ファイルを選ぶ」で記入したブックを選んでから押してください。",
                "No file was chosen. Choose the filled workbook first."),
    "too_large": ("ファイルが大きすぎます（上限 {mb}MB）。受け付けず、何も保存していません。"
                  "配布したブックに記入し、不要な行・画像を削除して提出してください。",
                  "The file is too large (limit {mb} MB). It was not taken and nothing was "
                  "saved. Fill in the workbook you were sent, remove extra rows and images, "
                  "and submit again."),
    "not_found": ("このページはありません。リンクが古いか、取り消されています。"
                  "事務局から届いた最新のリンクを開いてください。",
                  "There is no such page. The link is old or was revoked: open the latest "
                  "link the secretariat sent you."),
    "bad_request": ("画面の有効期限が切れたか、送信の内容が正しくありません。ページを開き直して、"
                    "もう一度操作してください。",
                    "The page expired or the request was not valid. Open the page again and "
                    "try once more."),
    "method": ("この操作はできません。ページを開き直してください。",
               "This action is not possible here. Open the page again."),
    "fault": ("事務局側の問題で処理できませんでした（提出されたファイルの誤りではありません）。"
              "事務局に次の内容をお知らせください: {message}",
              "The secretariat's system could not do this (it is not a mistake in your "
              "file). Please tell the secretariat: {message}"),
    "error": ("処理できませんでした: {message}", "This could not be done: {message}"),
    "crash": ("予期しない問題で処理できませんでした。何も保存していません。事務局にお知らせください"
              "（番号 {ref}）。",
              "An unexpected problem stopped this; nothing was saved. Please tell the "
              "secretariat (reference {ref})."),
    "error_title": ("処理できませんでした", "Could not be done"),
    "missing_title": ("ページが見つかりません", "Page not found"),
    "home_text": ("担当の方は、事務局から届いたリンク（提出ページ）を開いてください。",
                  "Staff: open the link to your submission page that the secretariat sent you."),
    "changes_title": ("前の版からの変更", "Changes since the version before"),
    # the secretariat
    "admin_title": ("事務局", "Secretariat"),
    "login_title": ("事務局 サインイン", "Secretariat sign-in"),
    "login_name": ("名前", "Name"),
    "login_password": ("パスワード", "Password"),
    "login_button": ("サインイン", "Sign in"),
    "login_failed": ("名前またはパスワードが違います。", "Wrong name or password."),
    "login_hint": ("アカウントは `fujimi-xl user add 名前 -w 作業フォルダ` で作成します。",
                   "Accounts are made with `fujimi-xl user add NAME -w WORKSPACE`."),
    "signed_in": ("{name} でサインイン中", "Signed in as {name}"),
    "logout": ("サインアウト", "Sign out"),
    "board_title": ("提出状況", "Returns"),
    "board_pick": ("様式・年度", "Form and year"),
    "board_show": ("表示", "Show"),
    "board_empty": ("まだ記入用ブックを発行していません。下の「記入用ブックの作成」から作成してください。",
                    "No workbook has been issued yet. Make them below under 'Make workbooks'."),
    "col_group": ("担当", "Group"),
    "col_state": ("状況", "State"),
    "col_version": ("版", "Version"),
    "col_last_file": ("最終ファイル", "Last file"),
    "col_last_time": ("最終受付", "Last received"),
    "col_email": ("メール", "E-mail"),
    "col_values": ("内容", "Values"),
    "open_values": ("値と変更を見る", "values and changes"),
    "totals": ("全 {n} 担当: 受理 {accepted}・差戻し {rejected}・未提出 {missing}・未発行 {not_issued}",
               "{n} groups: {accepted} accepted, {rejected} refused, {missing} not returned, "
               "{not_issued} not issued"),
    "remind_heading": ("督促先（まだ受理していない担当）", "To remind (not accepted yet)"),
    "remind_none": ("督促先はありません。全担当の受理が済んでいます。",
                    "Nobody to remind: every group is accepted."),
    "remind_no_mail": ("（メール未登録）", "(no e-mail)"),
    "remind_mail_all": ("全員にメールを書く", "Write to all of them"),
    "remind_csv": ("督促先を CSV で保存", "Save the reminder list as CSV"),
    "remind_subject": ("{form} {year} の提出のお願い", "Please return {form} {year}"),
    "downloads": ("集計・書き出し", "Reports and exports"),
    "report_xlsx": ("集計表（Excel）", "Report (Excel)"),
    "report_pdf": ("集計表（PDF）", "Report (PDF)"),
    "export_csv": ("マスタを CSV で書き出し", "Export the master as CSV"),
    "generate_heading": ("記入用ブックの作成・再発行", "Make workbooks"),
    "generate_form": ("様式", "Form"),
    "generate_year": ("年度（2018、H30、令和2 など）", "Year (2018, H30, 令和2 …)"),
    "generate_reissue": ("発行済みで計画に変更のない担当のブックも作り直す（再発行）",
                         "Also make new books for groups already issued (re-issue)"),
    "generate_button": ("作成する", "Make them"),
    "generate_done": ("{year} {form}: 新しく作成 {n} 件・発行済みのまま {kept} 件",
                      "{year} {form}: {n} new books, {kept} kept as issued"),
    "deadline_heading": ("提出期限", "Deadline"),
    "deadline_set": ("期限を設定", "Set the deadline"),
    "deadline_saved": ("提出期限を {date} にしました。", "The deadline is now {date}."),
    "deadline_bad": ("日付を読めません（例: 2026-12-25）: {value}",
                     "Cannot read the date (e.g. 2026-12-25): {value}"),
    "values_title": ("{who} v{version} の内容", "{who} v{version}: values"),
    "col_item": ("項目番号", "Item"),
    "col_field": ("項目", "Field"),
    "col_value": ("値", "Value"),
    "col_cell": ("シート!セル", "Sheet!cell"),
    "col_message": ("内容", "Message"),
    "col_old": ("前の値", "Before"),
    "col_new": ("新しい値", "After"),
    "diff_heading": ("前の版 v{prev} からの変更", "Changes since v{prev}"),
    "diff_first": ("最初の版です（前の版はありません）。", "This is the first version."),
    "no_differences": ("違いはありません。", "No differences."),
    "back_board": ("提出状況に戻る", "Back to the board"),
    "no_version": ("この版はありません。", "There is no such version."),
    "pdf_missing": ("PDF を作成できませんでした: {reason}", "No PDF could be made: {reason}"),
    # fujimi-xl serve
    "serve_started": ("富士見XL のサーバを起動しました。ブラウザで次のアドレスを開いてください: {url}",
                      "The fujimi-xl server is running. Open this address in a browser: {url}"),
    "serve_admin": ("事務局のページ: {url}", "Secretariat's page: {url}"),
    "serve_stop": ("止めるには Ctrl+C を押してください。", "Press Ctrl+C to stop it."),
    "reminders_file": ("{year}_{title}_督促先.csv", "{year}_{title}_reminders.csv"),
}


def web_text(key: str, lang: str = "ja", **params: Any) -> str:
    """A text of the web pages, in ``lang``."""
    ja, en = WEB[key]
    return (en if lang == "en" else ja).format(**params)


# Fixed texts inside generated workbooks (input, instructions, choices and feedback sheets).
BOOK: dict[str, tuple[str, str]] = {
    "doc_comments": (
        "fujimi-xl が発行した様式です。シートの構成を変えないでください。",
        "A form issued by fujimi-xl. Do not change the structure of its sheets.",
    ),
    "banner": ("担当：{group}", "Group: {group}"),
    # the feedback sheet
    "feedback_title": ("差戻し内容（このブックは受理されませんでした）",
                       "What to fix (this workbook was not accepted)"),
    "feedback_note": (
        "赤色のセルを直してから、このブックを保存して送り直してください。"
        "セルのコメントにも同じ内容があります。",
        "Correct the red cells, then save this workbook and send it again. "
        "Each cell's comment says the same.",
    ),
    "feedback_cell": ("セル", "Cell"),
    "feedback_field": ("項目", "Field"),
    "feedback_fix": ("直していただきたいこと", "What to fix"),
    "feedback_reference": ("（参考）", "(for reference) "),
    # the instructions sheet
    "guide_title": ("{year} {title} 記入要領", "{year} {title}: instructions"),
    "choice_item": ("{value}：{label}", "{value}: {label}"),
    "grade_sep": ("　", "  "),
    "label_sep": ("・", ", "),
    # -- access (issue 15) --
    "guide_link": (
        "提出用のページ（ブラウザで開き、記入したこのブックを提出すると、結果がすぐに表示されます）：",
        "Page to return this book (open it in a browser, upload the filled book and see the "
        "result at once):",
    ),
    # the choice sheet
    "choice": ("選択肢", "Choice"),
    "meaning": ("意味", "Meaning"),
    # the input sheet
    "input_title": ("{year} {title} 記入シート　{name}", "{year} {title} input sheet  {name}"),
    "input_note": (
        "白い欄に記入してください。灰色の欄は変更できません。黄色は未記入の必須欄です。",
        "Fill in the white cells. Grey cells cannot be changed. Yellow cells are required and "
        "still blank.",
    ),
    "blanks_formula": ('="未記入の必須欄："&({blanks})&"件"',
                       '="Required cells left blank: "&({blanks})'),
    "blanks_value": ("未記入の必須欄：{n}件", "Required cells left blank: {n}"),
    "sheet_title": ("{year} {title}　{name}", "{year} {title}  {name}"),
    "sheet_note": (
        "白い欄に記入してください。灰色の欄は変更できません。"
        "表が足りないときは表の中で行を挿入してください。",
        "Fill in the white cells. Grey cells cannot be changed. If a table is too short, "
        "insert rows inside it.",
    ),
    # data validation (Excel limits: titles 32 characters, messages 255)
    "pick_from_list": ("一覧から選んでください", "Pick a value from the list"),
    "not_a_choice_title": ("選択肢にない値です", "Not one of the choices"),
    "not_a_choice": ("一覧（▼）から選んでください。", "Pick a value from the list (▼)."),
    "too_long_title": ("文字数が多すぎます", "Too long"),
    "too_long": ("{n}文字以内で記入してください。", "Write at most {n} characters."),
    # -- field types (issue 13) --
    "type_hint_integer": ("整数で記入してください（例: 12、１２、1,200）。",
                          "Enter a whole number (e.g. 12, 1,200)."),
    "type_hint_number": ("数値で記入してください（例: 12、3.5、1,200）。",
                         "Enter a number (e.g. 12, 3.5, 1,200)."),
    "type_hint_amount": ("千円単位の金額を記入してください（例: 1,200、▲50、158千円）。",
                         "Enter an amount in thousands of yen (e.g. 1,200, ▲50, 158千円)."),
    "type_hint_date": ("日付を記入してください（例: 2023/4/1、令和5年4月1日、R5.4.1）。",
                       "Enter a date (e.g. 2023/4/1, 令和5年4月1日, R5.4.1)."),
    "type_hint_fiscal_year": ("年度を記入してください（例: 2018、H30、平成30年度、R2）。",
                              "Enter a fiscal year (e.g. 2018, H30, 平成30年度, R2)."),
    "type_hint_indicator": ("数値を記入してください。未確定なら「-」。",
                            "Enter a number, or '-' while it is not known."),
    "type_hint_range": ("（{low}～{high}）", " ({low} to {high})"),
    "type_hint_min": ("（{low}以上）", " (at least {low})"),
    "type_hint_max": ("（{high}以下）", " (at most {high})"),
    "type_error_title": ("記入の形式を確かめてください", "Check the value"),
    "type_error": ("{kind}として読めない値です。{examples}のように記入してください。",
                   "This cannot be read as {kind}. Enter it like {examples}."),
}


def book_text(key: str, lang: str = "ja", **params: Any) -> str:
    """A fixed text of a generated workbook, in ``lang``."""
    ja, en = BOOK[key]
    return (en if lang == "en" else ja).format(**params)


# -- intake: the details of refusals of odd files (issue 13, i13b) --
# the pieces of the {detail}, {limit}, {found}, {allowed} and {format} of not_workbook,
# limit_exceeded, unsafe_xml, read_failed and other_format, said by intake/package.py,
# reader.py and isolate.py: key: (日本語, English)
INTAKE: dict[str, tuple[str, str]] = {
    # where in the package
    "where_sheet": ("シート「{sheet}」", "sheet '{sheet}'"),
    "where_part": ("部品 {part} ", "part {part}"),
    "unnamed_sheet": ("（名前なし）", "(no name)"),
    # what a limit measures ({limit})
    "file_size": ("ファイルサイズ", "file size"),
    "part_count": ("部品数", "number of parts"),
    "inflated_size": ("展開後サイズ", "size once inflated"),
    "inflated_size_of": ("展開後サイズ ({part})", "size once inflated ({part})"),
    "ratio_of": ("圧縮率 ({part})", "compression ratio ({part})"),
    "size_of": ("{part}のサイズ", "size of {part}"),
    "xml_depth_of": ("{where}のXMLの入れ子", "XML nesting in {where}"),
    "rows_of": ("{where}の行数", "rows in {where}"),
    "cells_of": ("{where}のセル数", "cells in {where}"),
    "used_range_of": ("{where}の使用範囲", "used range of {where}"),
    "all_sheets_area": ("全シートの使用範囲の合計", "used ranges of all sheets together"),
    "time_scan": ("読み込み時間 (内容の検査)", "reading time (content checks)"),
    "time_convert": ("変換時間 (LibreOffice)", "conversion time (LibreOffice)"),
    "time_read": ("読み込み時間", "reading time"),
    "memory": ("メモリ", "memory"),
    "nesting_depth": ("入れ子の深さ", "nesting depth"),
    # how much ({found}, {allowed})
    "bytes": ("{n}バイト", "{n} bytes"),
    "over_declared": ("申告 {n}バイトを超過", "over the declared {n} bytes"),
    "times": ("{n}倍", "{n} times"),
    "seconds": ("{n}秒", "{n} s"),
    "seconds_over": ("{n}秒超", "over {n} s"),
    "levels": ("{n}段", "{n} levels"),
    "levels_over": ("{n}段超", "over {n} levels"),
    "rows": ("{n}行", "{n} rows"),
    "rows_over": ("{n}行超", "over {n} rows"),
    "over": ("{n}超", "over {n}"),
    "cells": ("{n}セル", "{n} cells"),
    "cells_over": ("{n}セル超", "over {n} cells"),
    "rows_by_cols": ("{rows}行×{cols}列", "{rows} rows × {cols} columns"),
    "range_area": ("{range} ({rows}行×{cols}列)", "{range} ({rows} rows × {cols} columns)"),
    "over_limit": ("上限超過", "over the limit"),
    "recursion_limit": ("Python の再帰の上限", "Python's recursion limit"),
    # what is broken ({detail})
    "empty_file": ("空のファイル (0バイト)", "an empty file (0 bytes)"),
    "not_excel": ("Excelの形式ではありません", "not in an Excel format"),
    "zip_broken": ("ZIP構造の破損: {error}", "broken ZIP structure: {error}"),
    "zip_truncated": ("ZIP構造が壊れています (途中で切れている可能性があります)",
                      "the ZIP structure is broken (the file may be cut short)"),
    "zip_same_name": ("ZIP内に同じ名前の部品が2つあります ({part})",
                      "two parts of the ZIP named {part}"),
    "part_missing": ("必要な部品 {part} がありません", "the required part {part} is missing"),
    "sheet_part_missing": ("シート「{sheet}」の部品 {part} がありません",
                           "part {part} of sheet '{sheet}' is missing"),
    "no_sheets": ("シートが1枚もありません", "there is no sheet"),
    "sheet_error": ("シート「{sheet}」: {error}", "sheet '{sheet}': {error}"),
    "part_method": ("部品 {part} の圧縮方式 ({method}) はExcelのものではありません",
                    "part {part}: a compression Excel never uses ({method})"),
    "part_header": ("部品 {part} の位置情報が壊れています",
                    "part {part}: broken local header"),
    "part_name_differs": ("部品 {part} の名前がZIPの目録と一致しません",
                          "part {part}: name differs from the ZIP directory"),
    "part_cut": ("部品 {part} が途中で切れています", "part {part} is cut short"),
    "part_data_broken": ("部品 {part} の圧縮データが壊れています",
                         "part {part}: broken compressed data"),
    "part_data_cut": ("部品 {part} の圧縮データが途中で切れています",
                      "part {part}: compressed data cut short"),
    "part_crc": ("部品 {part} が壊れています (CRC/サイズ不一致)",
                 "part {part}: CRC/size mismatch"),
    "part_size_differs": ("部品 {part} が壊れています (展開後のサイズが申告と違います)",
                          "part {part}: not the declared size"),
    "part_xml_broken": ("部品 {part} のXMLが壊れています ({error})",
                        "part {part}: broken XML ({error})"),
    "bad_row_number": ("{where}の行番号「{ref}」が不正です", "{where} has an invalid row number '{ref}'"),
    "bad_cell_ref": ("{where}のセル番地「{ref}」が不正です",
                     "{where} has an invalid cell address '{ref}'"),
    "two_refs": ("{where}に番地が2つあるセルまたは行があります",
                 "{where} has a cell or row with two addresses"),
    "xml_entity": ("実体宣言 (<!ENTITY>)", "an entity declaration (<!ENTITY>)"),
    "xml_external": ("外部実体", "an external entity"),
    "reader_crashed": ("読み込み処理が異常終了しました", "the reading process ended abnormally"),
    "reader_no_result": ("読み込み処理が結果を返しませんでした",
                         "the reading process returned no result"),
    "result_not_sent": ("結果を主プロセスへ送れませんでした",
                        "the result could not be sent back to the main process"),
}
# the formats a returned file may be in instead of an .xlsx, said by other_format as {format}
FILE_FORMATS: dict[str, tuple[str, str]] = {
    "ods": ("OpenDocument スプレッドシート (.ods)", "OpenDocument Spreadsheet (.ods)"),
    "xls": ("Excel 97-2003 ブック (.xls)", "Excel 97-2003 Workbook (.xls)"),
    "xlsb": ("Excel バイナリブック (.xlsb)", "Excel Binary Workbook (.xlsb)"),
    "csv": ("CSV/テキスト", "CSV/text"),
    "text": ("テキスト", "text"),
    "html": ("HTML/XML", "HTML/XML"),
    "zip": ("ZIP圧縮ファイル", "ZIP archive"),
    "docx": ("Word 文書 (.docx)", "Word Document (.docx)"),
    "pptx": ("PowerPoint プレゼンテーション (.pptx)", "PowerPoint Presentation (.pptx)"),
    "odf": ("OpenDocument 文書", "OpenDocument document"),
    "doc": ("Word 97-2003 文書 (.doc)", "Word 97-2003 Document (.doc)"),
    "ppt": ("PowerPoint 97-2003 (.ppt)", "PowerPoint 97-2003 (.ppt)"),
    "ole": ("Office 97-2003 形式の文書", "an Office 97-2003 document"),
    "pdf": ("PDF", "PDF"),
}


def intake_words(key: str, **params: Any) -> tuple[str, str]:
    """A piece of a refusal's detail in Japanese and English; a parameter given as a
    (Japanese, English) pair goes into each language's text."""
    ja, en = INTAKE[key]
    return (ja.format(**{k: v[0] if isinstance(v, tuple) else v for k, v in params.items()}),
            en.format(**{k: v[1] if isinstance(v, tuple) else v for k, v in params.items()}))


JST = dt.timezone(dt.timedelta(hours=9), "JST")


def when(stamp: str, lang: str = "ja") -> str:
    """A time stamp of the master (ISO 8601) as a clerk reads it, in Japan time:
    2026年12月1日 10:18 (English: 2026-12-01 10:18). Anything else is returned as it is."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(JST)
    return ui("when", lang, year=moment.year, month=moment.month, day=moment.day,
              hour=moment.hour, minute=moment.minute)


# -- words (issue 12) --------------------------------------------------------------------------
# The help of the commands and options in English (--lang en): the Japanese text's first line ->
# the English text. A help without an entry is shown in Japanese.
HELP_EN: dict[str, str] = {
    "富士見XL: 評価様式の作成・回収・取込・集計・印刷を一括で行います。": (
        "fujimi-xl: make, collect, ingest, consolidate and print evaluation forms.\n\n"
        "\b\nThe usual steps (-w is the workspace; a year is 2018, H30, 令和2 …):\n"
        "  1. Create the workspace\n"
        "       fujimi-xl init WORKSPACE --plan PLAN.xlsx --form FORM\n"
        "  2. Make each group's workbook to fill in (into the workspace's outbox)\n"
        "       fujimi-xl generate FORM --year YEAR -w WORKSPACE\n"
        "  3. Ingest the returned workbooks (send refused ones their feedback workbook)\n"
        "       fujimi-xl ingest RETURNED_FOLDER -w WORKSPACE\n"
        "  4. See who returned what, and whom to remind\n"
        "       fujimi-xl status FORM --year YEAR -w WORKSPACE\n"
        "  5. Make the consolidated report\n"
        "       fujimi-xl report FORM --year YEAR -w WORKSPACE\n\n"
        "\b\nA form is named by its name or its title (fujimi-xl forms lists them).\n"
        "A group is named by its code, its name, or its department and name.\n"
        "Help on a command: fujimi-xl COMMAND --help\n"
        "In Japanese: leave out --lang en"
    ),
    "メッセージの言語 (ja/en)。サブコマンドの前に書く: fujimi-xl --lang en status …":
        "Language of the messages (ja/en); it goes before the subcommand: "
        "fujimi-xl --lang en status …",
    "空の計画ブック（計画・担当一覧・設定シート）を作成する。":
        "Write an empty plan workbook (plan, groups and settings sheets).",
    "様式（名前または題名）": "Form (its name or title)",
    "様式（名前または題名）。省略すると、計画の様式・使える様式が一つだけならそれを使う":
        "Form (its name or title). Without it: the form of the plan, or the only form there is",
    "作業フォルダ（設定・署名鍵・マスタDB）を作成し、計画を取り込む。":
        "Create a workspace (settings, signing key, master database) and load the plan.",
    "計画ブック (.xlsx)。省略すると空の作業フォルダを作る（import-report で始める場合）":
        "Plan workbook (.xlsx). Without it the workspace starts empty (to start with "
        "import-report)",
    "作業フォルダの計画を計画ブックの内容で置き換える。":
        "Replace the workspace's plan with the plan workbook's.",
    "作業フォルダ (init で作成したもの)": "Workspace folder (made by init)",
    "担当ごとの記入用ブックを作業フォルダの outbox に作成する。":
        "Make each group's workbook to fill in, in the workspace's outbox.",
    "年度: 2018, H30, 平成30, R2, 令和2 など": "Fiscal year: 2018, H30, 平成30, R2, 令和2 …",
    "この担当だけ作成する（担当コード・グループ名・部名とグループ名。複数指定可）":
        "Only for this group (code, name, or department and name; may be repeated)",
    "結果を JSON で出力する": "Print the result as JSON",
    "返送されたブック（ファイル・フォルダ）を検証し、マスタに取り込む。":
        "Check the returned workbooks (files, folders) and merge them into the master.",
    "この様式（名前または題名）のファイルだけ受け付ける":
        "Accept only files of this form (its name or title)",
    "この年度のファイルだけ受け付ける": "Accept only files of this year",
    "この担当のファイルとして受け付ける（違えば差戻し）。担当コード・グループ名で指定":
        "Accept the files as this group's (refused if they are not); its code or name",
    "読み込みに使うプロセス数": "Number of processes reading the files",
    "取り込まずに、マスタに加わる・変わる内容だけを表示する":
        "Merge nothing; show what would be added to or changed in the master",
    "担当ごとの発行・返送・受理・差戻し・未提出の状況を表示する。":
        "Show, group by group, what was issued, returned, accepted, refused or is missing.",
    "様式の集計表を印刷用の体裁で作成する。":
        "Make the consolidated report, laid out for print.",
    "出力する .xlsx（省略時は作業フォルダの reports に作成）":
        "The .xlsx to write (default: in the workspace's reports folder)",
    "LibreOffice で PDF も作成する": "Also make a PDF with LibreOffice",
    "集計表（シードの体裁。手入力の表も可）を計画とマスタに取り込む。":
        "Load a consolidated table (the report's layout, or typed by hand) into the plan and "
        "the master.",
    "年度（表の見出し H29実施内容 などから読めないときに指定）":
        "Fiscal year (when the table's headings, such as H29実施内容, do not tell it)",
    "次年度へ繰り越す：受理済みの次年度計画内容・実施内容・評価を新年度の様式に表示する。":
        "Carry over to the next year: show the accepted plans, results and grades in the new "
        "year's forms.",
    "繰り越す元の年度": "The year to carry over from",
    "新しい年度": "The new year",
    "項目（管理番号・事業番号）の受理済みの値を、ファイル・日時・セルとともにすべて表示する。":
        "Show every accepted value of an item (its number), with file, time and cell.",
    "様式（名前または題名）で絞り込む": "Only this form (its name or title)",
    "年度で絞り込む": "Only this year",
    "再提出で何が変わったか（2つの版の違い）を欄ごとに表示する。":
        "Show what a resubmission changed (two versions), field by field.",
    "比べる2つの版: 受理したファイル、または 担当@版番号（例: 保育@1 保育@2）":
        "The two versions to compare: accepted files, or group@version (e.g. 保育@1 保育@2)",
    "現在のマスタを1つの表として書き出す（CSV は Excel で開ける UTF-8 BOM 付き）。":
        "Write the current master as one table (the CSV is UTF-8 with a BOM, for Excel).",
    "出力形式": "Output format",
    "出力ファイル": "Output file",
    "マスタの整合性を検査する（現在の値がすべて受理ファイルに遡れるか）。":
        "Check the master's integrity (every current value traces back to an accepted file).",
    "ファイルの読み直しを省き、記録と sha256 だけを確かめる":
        "Do not read the files again; check the records and sha256 only",
    "同梱のサンプルデータで一連の流れ（作成→記入→取込→集計）を実行する。":
        "Run the whole flow (make → fill → ingest → report) on the bundled sample data.",
    "PDF を作成しない": "Make no PDF",
    "受理済みの以前の版（担当@版番号、または受理したファイル）を現在の版に戻す。":
        "Make an earlier accepted version (group@version, or an accepted file) current again.",
    "発行済みで計画に変更のない担当にも新しいブックを発行する（配布済みのブックは使えなくなる）":
        "Issue new workbooks also to groups whose plan has not changed (the books already "
        "sent can then no longer be used)",
    "backup で作成したバックアップ (.zip) から作業フォルダを復元する（既存のフォルダは上書きしない）":
        "Restore the workspace from a backup (.zip) made by backup (an existing folder is "
        "never overwritten)",
    "作業フォルダのバックアップ（マスタ・保管コピー・署名鍵・設定など）を .zip に作成する。":
        "Write a backup of the workspace (master, archived copies, signing key, settings) "
        "as a .zip. Restore it with `fujimi-xl init NEW_FOLDER --from-backup FILE`.",
    "作成するバックアップ (.zip)": "The backup (.zip) to write",
    # -- migrate (issue 14, pgops) --
    "作業フォルダの SQLite のマスタを、空の PostgreSQL のデータベースに移す（元のファイルは名前を変えて残す）。":
        "Move the workspace's SQLite master into an empty PostgreSQL database (the old file is "
        "kept, renamed).",
    "移行先の PostgreSQL の URL（postgresql://利用者@ホスト:ポート/データベース。パスワードは ~/.pgpass か PGPASSWORD に）":
        "The target PostgreSQL URL (postgresql://user@host:port/database; the password in "
        "~/.pgpass or PGPASSWORD)",
    # -- definitions (issue 13) --------------------------------------------------------------
    "作業フォルダ（その templates の様式定義も使う）":
        "Workspace folder (its templates folder's form definitions are used too)",
    "様式定義のフォルダ（form.json と schema.json）。作業フォルダの templates に写して使う":
        "A form definition folder (form.json and schema.json), copied into the workspace's "
        "templates folder",
    "作業フォルダ（その templates の様式定義も一覧に含める）":
        "Workspace folder (its templates folder's form definitions are listed too)",
    "使える様式（名前・題名・レイアウト・定義の場所）を一覧表示する。":
        "List the forms there are (name, title, layout, where each is defined).",
    "様式定義を扱う（form check: 定義の検査）。":
        "Work with form definitions (form check: check a definition).",
    "様式定義（フォルダ、または form.json）を検査し、問題をすべて表示する。":
        "Check a form definition (its folder, or its form.json) and list every problem.",
    # -- the master on PostgreSQL (issue 14) --
    "マスタを置く PostgreSQL の URL（postgresql://ユーザ@ホスト:ポート/DB名）。省略すると作業フォルダの master.sqlite":
        "The PostgreSQL URL to keep the master in (postgresql://user@host:port/dbname); "
        "without it, master.sqlite in the workspace",
    # -- access (issue 15) --
    "担当ごとの提出用リンク（ブラウザで開くページ）を表示し、差し込み印刷用に書き出す。": (
        "Show each group's link to return its book (a page opened in a browser) and write "
        "them for mail merge.\n\n"
        "\b\nThe links go with the server (fujimi-xl serve) and its public address. Set the "
        "address once with\n--public-url; the workspace keeps it, and generate then writes "
        "each link on the book's\ninstructions. --revoke kills links, --renew replaces them."
    ),
    "この担当のリンクだけ（担当コード・グループ名・部名とグループ名。複数指定可）":
        "Only these groups' links (code, name, or department and name; may be repeated)",
    "差し込み印刷用に書き出すファイル（.csv または .xlsx）: 担当コード・担当名・メール・リンク":
        "File to write for mail merge (.csv or .xlsx): group code, group name, e-mail, link",
    "--group の担当のリンクを無効にする（開いても何もできなくなる）":
        "Revoke the links of the --group groups (they open nothing any more)",
    "新しいリンクを発行する（前のリンクは使えなくなる。--group がなければ全担当）":
        "Issue new links (the old ones stop working; every group without --group)",
    "職員のパソコンからサーバを開くアドレス（例 http://fujimi-srv01:8080）を作業フォルダに設定する"
    "（一度でよい。\"\" で消す）":
        "Set the address staff's PCs open the server at (e.g. http://fujimi-srv01:8080) in "
        "the workspace (once is enough; \"\" removes it)",
    "事務局の利用者（ブラウザの管理ページにサインインする人）を登録する（user add / list / remove）。":
        "Manage the secretariat's users, who sign in to the board in the browser (user add "
        "/ list / remove).",
    "パスワードを尋ねずに標準入力の1行目から読む（スクリプト用）":
        "Read the password from the first line of standard input instead of asking (for "
        "scripts)",
    "事務局の利用者を登録する（登録済みならパスワードを変更する）。パスワードは2回尋ねる。":
        "Add a secretariat user (or change the password of one already there); the password "
        "is asked twice.",
    "登録された事務局の利用者を一覧表示する。": "List the secretariat's users.",
    "事務局の利用者を削除する（その人はサインインできなくなる）。":
        "Remove a secretariat user (they can no longer sign in).",
    # -- the browser (issue 15) --
    "ブラウザで使うサーバを起動する（担当の提出ページと事務局の提出状況）。": (
        "Start the server for the browser (the groups' submission pages and the "
        "secretariat's board).\n\n"
        "Staff open their group's link (fujimi-xl links); the secretariat opens /admin."),
    "受け付けるアドレス（127.0.0.1 はこのパソコンだけ。庁内の他のパソコンからは 0.0.0.0）":
        "Address to listen on (127.0.0.1: this computer only; 0.0.0.0: other computers of "
        "the office network too)",
    "ポート番号": "Port number",
    "提出できるファイルの大きさの上限（MB）": "The largest file that can be submitted (MB)",
    "リバースプロキシがサインインした利用者名を渡すヘッダ名（使うときだけ指定）":
        "The header a reverse proxy sets to the signed-in user's name (only when used)",
}


def help_en(text: str) -> str | None:
    """The English help for a Japanese help text (found by its first line), if there is one."""
    first = text.strip().split("\n", 1)[0].strip() if text else ""
    return HELP_EN.get(first)


# -- action-plan seed layout (issue 13) ------------------------------------------------------
BOOK.update({
    "period_as_typed": ("（記入どおり）", " (as written)"),
    "sum_check_hint": (
        "○：内訳の合計が総額と一致しています。×：一致していません。？：数字として読めない値が"
        "あります。空欄：未記入の欄があります。",
        "○: the parts add up to the total. ×: they do not. ?: a value cannot be read as a "
        "number. Blank: a cell is still empty."),
    "sum_check_title": ("合計の確認", "Sum check"),
    # {target}: what the referred list is called on the sheet (the heading above it: Ⅲ. 課題)
    "pick_issue": ("「{target}」の番号を選んでください。空欄は上の行と同じです。",
                   "Pick a number of 「{target}」. Blank: the same as the row above."),
    "pick_issue_first": ("「{target}」の番号を選んでください。",
                         "Pick a number of 「{target}」."),
    "not_an_issue": ("「{target}」の番号（一覧にある番号）を選んでください。",
                     "Pick a number listed in 「{target}」."),
})


# -- issue 13 leftovers (i13): the list layout's check column --------------------------------
BOOK.update({
    "sum_check_column": ("確認（{label}）", "Check: {label}"),
})
# what follows a list form's title in its report's default file name (file names stay Japanese)
REPORT_FILE_SUFFIX = "結果"
# the default font of every workbook written (a name of data, not a message)
DEFAULT_FONT = "ＭＳ ゴシック"
# the fixed texts of the consolidated reports (written in Japanese; English for a later --lang)
BOOK.update({
    "report_missing": ("（未提出）", "(not returned) "),
    "report_missing_head": ("未提出", "Not returned"),
    "report_subtotal": ("小計（{label}）", "Subtotal ({label})"),
    "report_total": ("合計", "Total"),
    "report_count_total": ("計", "Total"),
    "report_summary_sheet": ("集計", "Summary"),
    "report_summary_of": ("{label}の集計", "{label}: counts"),
    "report_chart_title": ("{label}の分布（{by}別）", "{label} by {by}"),
    "report_chart_count": ("件数", "Count"),
    "report_missing_groups": ("未提出の担当", "Groups not returned"),
    "report_missing_heads": ("担当|部|グループ|担当項目数", "Code|Department|Group|Items"),
    "report_none_missing": ("なし（全担当が提出済み）", "None (every group returned)"),
    # a sheet form's report: the overview sheet and each program's page
    "overview_sheet": ("一覧", "Overview"),
    "overview_title": ("{year} {title} 一覧\u3000{name}", "{year} {title} overview\u3000{name}"),
    "overview_heads": ("事業番号|事業名|担当|指標名|策定時|最新実績|目標|達成率",
                       "No.|Program|Group|Indicator|Baseline|Latest|Target|Achieved"),
    "overview_budget_head": ("事業費(千円)\n{year}", "Cost (k yen)\n{year}"),
    "overview_state_head": ("提出状況", "Returned"),
    "overview_budget": ("{amount}（{kind}）", "{amount} ({kind})"),
    "overview_returned": ("提出済", "Returned"),
    "overview_not_returned": ("未提出", "Not returned"),
    "overview_missing": ("未提出の事業：{n}件", "Programs not returned: {n}"),
    "overview_missing_list": ("（{listed}）", " ({listed})"),
    "overview_missing_item": ("{no} {title}（{group}）", "{no} {title} ({group})"),
    "overview_missing_sep": ("、", ", "),
    "program_banner": ("{label} {no}\u3000担当：{group}", "{label} {no}\u3000Group: {group}"),
    "program_not_returned": ("（未提出：登録内容のみ）", "(not returned: the registered items only)"),
})
# what a typed cell of a sheet form's list expects, said by wrong_type as {expected}
BOOK.update({
    "expected_issue_no": ("課題の番号（①など）", "the number of an issue (① and so on)"),
    "expected_period": ("年度（例: 平成30年度下半期、令和2年度）",
                        "a fiscal year (e.g. 平成30年度下半期, 令和2年度)"),
    "text_cut_note": ("…（以下省略）", "… (cut)"),
    "encoding_other": ("UTF-8 以外", "not UTF-8"),
    "field_id": ("<項目ID>", "<field id>"),
})
# the plan template's instructions, and pieces of the words of plan and import-report problems
BOOK.update({
    "plan_guide_title": ("計画ブックの記入要領", "How to fill in the plan workbook"),
    "plan_guide": (
        "1. 「設定」シートに計画名と市町村名を記入します（報告書の表題になります）。\n"
        "2. 「担当一覧」シートに、記入を依頼するグループを1行ずつ記入します。"
        "「担当」は短い呼び名（計画シートで使う名前）、「部」「グループ」は正式名称です。"
        "「メール」（任意）はリンクや督促を送る宛先です。\n"
        "3. 「計画」シートに、計画の項目を1行ずつ記入します。"
        "{keys}は番号で、「{examples}」のようにも数字だけでも書けます。\n"
        "4. 1つの項目を複数のグループが担当する場合は、同じ{columns}の行を担当ごとに繰り返します。\n"
        "5. {keys}が上の行と同じときは空欄でも構いません（上の行と同じとみなします）。\n"
        "6. 見出し行（1行目）は変更しないでください。\n"
        "7. 記入が済んだら `fujimi-xl init 作業フォルダ --plan このファイル --form {form}` で"
        "取り込みます。",
        "1. On the sheet 「設定」, write the plan's name and the city's name (the reports' title).\n"
        "2. On the sheet 「担当一覧」, write one group per row to ask: 「担当」 is a short name (the "
        "one the plan sheet uses), 「部」 and 「グループ」 the official names; 「メール」 (optional) "
        "is the address links and reminders go to.\n"
        "3. On the sheet 「計画」, write one item of the plan per row. {keys} are numbers, "
        "written 「{examples}」 or as bare digits.\n"
        "4. When several groups share an item, repeat its row ({columns}) once per group.\n"
        "5. {keys} left blank are the same as in the row above.\n"
        "6. Do not change the header row (row 1).\n"
        "7. When done, load it with `fujimi-xl init WORKSPACE --plan THIS_FILE --form {form}`."),
    "plan_year": ("2018 または H30", "2018 or H30"),
    "sheet_range": ("シート「{title}」の使用範囲", "the used range of sheet '{title}'"),
    "rows_by_columns": ("{rows}行×{cols}列", "{rows} rows × {cols} columns"),
})
# how a compare rule's message says each operator: (Japanese, English)
OP_TEXT: dict[str, tuple[str, str]] = {
    "<": ("未満", "less than"), "<=": ("以下", "at most"), "=": ("と同じ値", "equal to"),
    ">=": ("以上", "at least"), ">": ("を超える値", "greater than"),
    "!=": ("と異なる値", "different from")}
# what a rule's parameter allows, said by rule_bad_value as {allowed} (ja, en)
RULE_ALLOWED: dict[str, tuple[str, str]] = {
    "code": ("英小文字・数字・_ の名前（例: count_required）",
             "a name of lower-case letters, digits and _ (e.g. count_required)"),
    "each": ("値の一覧（例: [1, 2, 3]）", "a list of values (e.g. [1, 2, 3])"),
    "fields": ("項目IDの一覧（例: [\"a\", \"b\"]）", "a list of field ids (e.g. [\"a\", \"b\"])"),
    "values": ("値の一覧（例: [\"A\"]）", "a list of values (e.g. [\"A\"])"),
    "scalar": ("数値・日付（例: 100, \"2024-04-01\"）", "a number or a date (e.g. 100, \"2024-04-01\")"),
    "none": ("（なし）", "(none)"),
}


# -- field types (issue 13) --
# per kind of value: (the kind in Japanese, in English, examples of what is accepted)
TYPE_TEXTS: dict[str, tuple[str, str, str]] = {
    "integer": ("整数", "a whole number", "12、１２、1,200"),
    "number": ("数値", "a number", "12、3.5、1,200"),
    "amount": ("金額（千円）", "an amount in thousands of yen", "1,200、▲50、158千円"),
    "date": ("日付", "a date", "2023/4/1、令和5年4月1日、R5.4.1"),
    "fiscal_year": ("年度", "a fiscal year", "2018、H30、平成30年度、R2"),
    "indicator": ("数値または「-」", "a number or '-'", "12、3.5、-"),
}
# the default message of a pattern a definition gives without its own pattern_message
PATTERN_HINT = ("記入要領の例のとおりに書き直してください。",
                "Rewrite it as the instructions show.")


# -- the engine knows no form (issue 13) -----------------------------------------------------
ERRORS.update({
    "form_needed": (
        "様式を --form で指定してください（様式が複数あるため決められません）。使える様式: {forms}",
        "Give the form with --form (there is more than one, so none can be chosen). "
        "The forms there are: {forms}",
    ),
})
# -- the survey form (issue 13) --
# report "group_by": "@<attribute>" groups a list report by the returning group's attribute;
# the words for each (the head of the summary sheet's first column)
GROUP_ATTRIBUTES: dict[str, tuple[str, str]] = {
    "department": ("部", "Department"),
    "name": ("グループ", "Group"),
    "code": ("グループ略称", "Group code"),
}

# -- forms of a new user (issue 13, newuser) ---------------------------------------------------
ERRORS.update({
    "def_total_not_number": (
        "「{value}」は数値の項目ではないため合計できません。totals には type が integer・number・"
        "amount の項目を書いてください: {allowed}",
        "'{value}' holds no number and cannot be totalled. List in totals only fields of type "
        "integer, number or amount: {allowed}"),
    "def_format_not_number": (
        "「{value}」は日付の書き方のため、{type} の項目の format には使えません。Excel の表示形式"
        "（例: #,##0、0.0）を書くか、format を消してください。",
        "'{value}' is a way of writing dates and cannot be the format of a field of type "
        "{type}. Write an Excel number format (e.g. #,##0, 0.0) or remove format."),
    "def_format_not_date": (
        "「{value}」は日付の項目の format に使えません。{allowed} のどれか、または Excel の日付の"
        "表示形式（例: yyyy/m/d）を書いてください。",
        "'{value}' cannot be the format of a date field. Use one of {allowed}, or an Excel date "
        "format (e.g. yyyy/m/d)."),
})

BOOK.update({
    # the summary sheet of a list report whose form names no summary_field: returns only
    "report_summary_returns": ("提出状況の集計", "Returns"),
    # the subtitle of a list report whose form gives none: the fiscal year and the form
    "report_default_subtitle": ("（{year_long}\u3000{form_title}）", "({year_long} {form_title})"),
})


# -- message codes as an Enum (issue 13) ------------------------------------------------
class Code(StrEnum):
    """Every code of ``CATALOGUE`` and ``ERRORS``; a member equals its string, so
    ``Problem(code=Code.EMPTY_REQUIRED)`` and ``Problem(code="empty_required")`` are the same."""

    NOT_WORKBOOK = "not_workbook"
    ENCRYPTED = "encrypted"
    OTHER_FORMAT = "other_format"
    READ_FAILED = "read_failed"
    LIMIT_EXCEEDED = "limit_exceeded"
    UNSAFE_XML = "unsafe_xml"
    ARCHIVE_RESTORED = "archive_restored"
    SKIPPED_LOCK_FILE = "skipped_lock_file"
    NO_MANIFEST = "no_manifest"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_ISSUE = "unknown_issue"
    WRONG_GROUP = "wrong_group"
    WRONG_FORM = "wrong_form"
    WRONG_YEAR = "wrong_year"
    STALE_TEMPLATE = "stale_template"
    REPLAYED_VERSION = "replayed_version"
    OLDER_VERSION = "older_version"
    SUPERSEDED_REFUSAL = "superseded_refusal"
    ALREADY_SUPERSEDED = "already_superseded"
    INPUT_SHEET_MISSING = "input_sheet_missing"
    HEADER_MISSING = "header_missing"
    ROW_MISSING = "row_missing"
    DUPLICATE_ROW = "duplicate_row"
    STRAY_VALUE = "stray_value"
    MERGED_INPUT = "merged_input"
    LOCKED_CHANGED = "locked_changed"
    REQUIRED = "required"
    NOT_IN_SCALE = "not_in_scale"
    REASON_REQUIRED = "reason_required"
    TOO_LONG = "too_long"
    WRONG_TYPE = "wrong_type"
    SCHEMA = "schema"
    VALUE_MINIMUM = "value_minimum"
    VALUE_MAXIMUM = "value_maximum"
    VALUE_ABOVE = "value_above"
    VALUE_BELOW = "value_below"
    VALUE_TOO_LONG = "value_too_long"
    VALUE_TOO_SHORT = "value_too_short"
    VALUE_PATTERN = "value_pattern"
    VALUE_MULTIPLE_OF = "value_multiple_of"
    VALUE_ENUM = "value_enum"
    VALUE_TYPE_INTEGER = "value_type_integer"
    VALUE_TYPE_NUMBER = "value_type_number"
    VALUE_TYPE_STRING = "value_type_string"
    VALUE_OTHER = "value_other"
    SUM_MISMATCH = "sum_mismatch"
    BAD_ISSUE_REF = "bad_issue_ref"
    IMPORT_NOT_IN_PLAN = "import_not_in_plan"
    FORMULA_VALUE = "formula_value"
    CONTROL_CHARS = "control_chars"
    PLAN_SHEET_MISSING = "plan_sheet_missing"
    PLAN_COLUMN_MISSING = "plan_column_missing"
    PLAN_UNKNOWN_GROUP = "plan_unknown_group"
    PLAN_DUPLICATE_ITEM = "plan_duplicate_item"
    PLAN_DUPLICATE_GROUP = "plan_duplicate_group"
    PLAN_BAD_NUMBER = "plan_bad_number"
    PLAN_PLAN_TEXT_DIFFERS = "plan_plan_text_differs"
    PLAN_EMPTY = "plan_empty"
    IMPORT_NO_HEADER = "import_no_header"
    IMPORT_NO_YEAR = "import_no_year"
    IMPORT_BAD_YEAR_LABEL = "import_bad_year_label"
    IMPORT_YEAR_MISMATCH = "import_year_mismatch"
    IMPORT_MISSING_COLUMN = "import_missing_column"
    IMPORT_BAD_KEY = "import_bad_key"
    IMPORT_MISSING_KEY = "import_missing_key"
    IMPORT_NO_PLAN = "import_no_plan"
    IMPORT_PLAN_DIFFERS = "import_plan_differs"
    IMPORT_NOT_RETURNED = "import_not_returned"
    IMPORT_STRAY_ROW = "import_stray_row"
    NOT_FINITE = "not_finite"
    OUT_OF_RANGE = "out_of_range"
    ODD_CELL_XML = "odd_cell_xml"
    FORMULA_INPUT = "formula_input"
    FORMULA_NO_VALUE = "formula_no_value"
    TYPE_UNREADABLE = "type_unreadable"
    PATTERN_MISMATCH = "pattern_mismatch"
    RULE_REQUIRED_IF = "rule_required_if"
    RULE_REQUIRED_UNLESS = "rule_required_unless"
    RULE_SUM = "rule_sum"
    RULE_LIST_REF = "rule_list_ref"
    RULE_COMPARE = "rule_compare"
    RULE_UNIQUE = "rule_unique"
    BAD_YEAR = "bad_year"
    NO_WORKSPACE = "no_workspace"
    ALREADY_WORKSPACE = "already_workspace"
    CONFIG_UNREADABLE = "config_unreadable"
    NO_MASTER = "no_master"
    KEY_UNREADABLE = "key_unreadable"
    FORM_NOT_FOUND = "form_not_found"
    FORM_UNREADABLE = "form_unreadable"
    FORM_INVALID = "form_invalid"
    FORM_BAD_LAYOUT = "form_bad_layout"
    FORM_BAD_KEY = "form_bad_key"
    FORM_BAD_CHOICES = "form_bad_choices"
    FORM_DEFINITION_BROKEN = "form_definition_broken"
    FORM_DEFINITION_MORE = "form_definition_more"
    FORM_DIR_CONFLICT = "form_dir_conflict"
    PLAN_AGAINST_FORM = "plan_against_form"
    DEF_LINE = "def_line"
    DEF_GUESS = "def_guess"
    DEF_NO_FILE = "def_no_file"
    DEF_UNREADABLE = "def_unreadable"
    DEF_NOT_UTF8 = "def_not_utf8"
    DEF_BAD_JSON = "def_bad_json"
    DEF_JSON_COMMA = "def_json_comma"
    DEF_JSON_COLON = "def_json_colon"
    DEF_JSON_NAME = "def_json_name"
    DEF_JSON_VALUE = "def_json_value"
    DEF_JSON_EXTRA = "def_json_extra"
    DEF_JSON_STRING = "def_json_string"
    DEF_JSON_CONTROL = "def_json_control"
    DEF_JSON_ESCAPE = "def_json_escape"
    DEF_JSON_OTHER = "def_json_other"
    DEF_T_STRING = "def_t_string"
    DEF_T_INTEGER = "def_t_integer"
    DEF_T_NUMBER = "def_t_number"
    DEF_T_ARRAY = "def_t_array"
    DEF_T_OBJECT = "def_t_object"
    DEF_T_BOOLEAN = "def_t_boolean"
    DEF_T_NULL = "def_t_null"
    DEF_P_NAME = "def_p_name"
    DEF_P_ID = "def_p_id"
    DEF_P_OTHER = "def_p_other"
    DEF_UNKNOWN_KEY = "def_unknown_key"
    DEF_REQUIRED = "def_required"
    DEF_ENUM = "def_enum"
    DEF_TYPE = "def_type"
    DEF_EMPTY = "def_empty"
    DEF_MINIMUM = "def_minimum"
    DEF_EXCLUSIVEMINIMUM = "def_exclusiveMinimum"
    DEF_MAXIMUM = "def_maximum"
    DEF_EXCLUSIVEMAXIMUM = "def_exclusiveMaximum"
    DEF_MAXLENGTH = "def_maxLength"
    DEF_PATTERN = "def_pattern"
    DEF_SCHEMA_RULE = "def_schema_rule"
    DEF_NAME_FOLDER = "def_name_folder"
    DEF_DUPLICATE_ID = "def_duplicate_id"
    DEF_UNKNOWN_FIELD = "def_unknown_field"
    DEF_UNKNOWN_LIST = "def_unknown_list"
    DEF_UNKNOWN_CHOICES = "def_unknown_choices"
    DEF_KEY_ROLE = "def_key_role"
    DEF_KEY_MISSING = "def_key_missing"
    DEF_BRACES = "def_braces"
    DEF_PLACEHOLDER = "def_placeholder"
    DEF_SCHEMA_NO_PROPERTY = "def_schema_no_property"
    DEF_SCHEMA_EXTRA_PROPERTY = "def_schema_extra_property"
    DEF_SCHEMA_REQUIRED = "def_schema_required"
    DEF_ENUM_CHOICES = "def_enum_choices"
    DEF_RULE = "def_rule"
    FORMS_NONE = "forms_none"
    FORMS_BROKEN = "forms_broken"
    FORM_CHECK_OK = "form_check_ok"
    FORM_CHECK_PROBLEMS = "form_check_problems"
    RULE_NOT_LIST = "rule_not_list"
    RULE_NOT_OBJECT = "rule_not_object"
    RULE_UNKNOWN_TYPE = "rule_unknown_type"
    RULE_BAD_LAYOUT = "rule_bad_layout"
    RULE_UNKNOWN_PARAM = "rule_unknown_param"
    RULE_MISSING_PARAM = "rule_missing_param"
    RULE_ONE_OF = "rule_one_of"
    RULE_BAD_FIELD = "rule_bad_field"
    RULE_BAD_LIST = "rule_bad_list"
    RULE_BAD_COLUMN = "rule_bad_column"
    RULE_BAD_VALUE = "rule_bad_value"
    RULE_BAD_CHECK = "rule_bad_check"
    RULE_BAD_PLACEHOLDER = "rule_bad_placeholder"
    PLAN_UNREADABLE = "plan_unreadable"
    PLAN_NO_SHEETS = "plan_no_sheets"
    PLAN_PROBLEMS = "plan_problems"
    NOTHING_PLANNED = "nothing_planned"
    UNKNOWN_GROUPS = "unknown_groups"
    NO_REFERENCES = "no_references"
    REPORT_UNREADABLE = "report_unreadable"
    NOT_A_LIST_FORM = "not_a_list_form"
    NOT_ACCEPTED_VERSION = "not_accepted_version"
    NO_SUCH_VERSION = "no_such_version"
    OUTBOX_LOCKED = "outbox_locked"
    RESTORE_CURRENT = "restore_current"
    NO_LIBREOFFICE = "no_libreoffice"
    PDF_TIMEOUT = "pdf_timeout"
    PDF_FAILED = "pdf_failed"
    SHEET_RENAMED = "sheet_renamed"
    TEXT_CUT = "text_cut"
    PRINT_SPANS_PAGES = "print_spans_pages"
    DEMO_NOT_EMPTY = "demo_not_empty"
    VERIFY_DATABASE = "verify_database"
    VERIFY_CURRENT_COUNT = "verify_current_count"
    VERIFY_VERSION_GAP = "verify_version_gap"
    VERIFY_NO_RECEIPT = "verify_no_receipt"
    VERIFY_NO_ARCHIVE = "verify_no_archive"
    VERIFY_SHA256 = "verify_sha256"
    VERIFY_UNREADABLE = "verify_unreadable"
    VERIFY_VALUES_DIFFER = "verify_values_differ"
    FORM_UNKNOWN = "form_unknown"
    FORM_AMBIGUOUS = "form_ambiguous"
    GROUP_UNKNOWN = "group_unknown"
    GROUP_AMBIGUOUS = "group_ambiguous"
    MASTER_LOCKED = "master_locked"
    PG_LOCKED = "pg_locked"
    MASTER_CORRUPT = "master_corrupt"
    MASTER_UNOPENABLE = "master_unopenable"
    MASTER_ERROR = "master_error"
    WORKSPACE_READ_ONLY = "workspace_read_only"
    DISK_FULL = "disk_full"
    WORKSPACE_IO = "workspace_io"
    OUTPUT_LOCKED = "output_locked"
    RESTORE_TARGET_EXISTS = "restore_target_exists"
    BACKUP_UNREADABLE = "backup_unreadable"
    BACKUP_AND_PLAN = "backup_and_plan"
    # -- the master on PostgreSQL (issue 14) --
    PG_UNREACHABLE = "pg_unreachable"
    PG_AUTH = "pg_auth"
    PG_NO_DATABASE = "pg_no_database"
    PG_DENIED = "pg_denied"
    PG_ERROR = "pg_error"
    PG_BACKUP = "pg_backup"
    DB_OTHER_MASTER = "db_other_master"
    DB_URL_UNKNOWN = "db_url_unknown"
    # migrate to PostgreSQL (issue 14, pgops)
    MIGRATE_ALREADY_PG = "migrate_already_pg"
    MIGRATE_NOT_PG = "migrate_not_pg"
    MIGRATE_NOT_EMPTY = "migrate_not_empty"
    MIGRATE_COUNT_MISMATCH = "migrate_count_mismatch"
    FORM_NEEDED = "form_needed"
    # -- access (issue 15) --
    PLAN_BAD_EMAIL = "plan_bad_email"
    ACCESS_BAD_URL = "access_bad_url"
    ACCESS_NO_PUBLIC_URL = "access_no_public_url"
    ACCESS_REVOKE_NEEDS_GROUP = "access_revoke_needs_group"
    ACCESS_REVOKE_AND_RENEW = "access_revoke_and_renew"
    ACCESS_BAD_USER_NAME = "access_bad_user_name"
    ACCESS_SHORT_PASSWORD = "access_short_password"
    ACCESS_PASSWORDS_DIFFER = "access_passwords_differ"
    ACCESS_NO_PASSWORD = "access_no_password"
    ACCESS_NO_USER = "access_no_user"
    WEB_PORT_BUSY = "web_port_busy"
    # -- forms of a new user (issue 13, newuser) --
    DEF_TOTAL_NOT_NUMBER = "def_total_not_number"
    DEF_FORMAT_NOT_NUMBER = "def_format_not_number"
    DEF_FORMAT_NOT_DATE = "def_format_not_date"
