"""Form definitions are checked when they load (issue 13, items 3 and 4).

Each broken definition is written inline into WS/templates/<name>/ (a copy of the shipped list
form with one thing broken) and answered in one Japanese line naming the definition file and
the JSON path; a definition met broken by a command stops it as the secretariat's fault
(exit 2), never a traceback and never blamed on a returned file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.forms import check_form, find_form, load_form

from .conftest import YEAR, master_snapshot

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "templates"


def invoke(*args: Any) -> Any:
    runner = CliRunner(env={"FUJIMI_LANG": ""})
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def lines(res: Any) -> list[str]:
    return res.output.splitlines()


def base() -> tuple[dict[str, Any], dict[str, Any]]:
    raw = json.loads((SHIPPED / "progress" / "form.json").read_text(encoding="utf-8"))
    schema = json.loads((SHIPPED / "progress" / "schema.json").read_text(encoding="utf-8"))
    return raw, schema


def write_form(root: Path, raw: dict[str, Any], schema: dict[str, Any],
               name: str = "survey") -> Path:
    """A definition folder root/templates/<name>/ holding raw (renamed) and schema."""
    folder = root / "templates" / name
    folder.mkdir(parents=True, exist_ok=True)
    raw = {**raw, "name": name}
    (folder / "form.json").write_text(json.dumps(raw, ensure_ascii=False, indent=1),
                                      encoding="utf-8")
    (folder / "schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    return folder


def broken(tmp_path: Path, change: Any) -> Path:
    raw, schema = base()
    change(raw, schema)
    return write_form(tmp_path / "ws", raw, schema)


def check_lines(folder: Path) -> list[str]:
    """What `fujimi-xl form check FOLDER` prints for a broken definition (exit 1)."""
    res = invoke("form", "check", folder)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    out = lines(res)
    assert out[-1] == f"様式定義 {folder} に{len(out) - 1}件の問題があります。"
    return out[:-1]


def one_line(folder: Path) -> str:
    out = check_lines(folder)
    assert len(out) == 1, out
    return out[0]


def F(folder: Path) -> str:  # the form.json of a definition folder, as a line names it
    return str(folder / "form.json")


def S(folder: Path) -> str:  # its schema.json
    return str(folder / "schema.json")


# -- the shipped forms ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["progress", "action_plan"])
def test_shipped_forms_load_and_pass_form_check(name):
    folder = find_form(name)
    assert folder is not None
    assert check_form(folder) == []
    res = invoke("form", "check", folder)
    assert res.exit_code == 0
    title = load_form(name).title
    assert lines(res) == [f"様式定義 {folder}（{name}・{title}）に問題はありません。"]
    res = invoke("form", "check", folder / "form.json")  # the form.json itself will do too
    assert res.exit_code == 0 and "問題はありません" in res.output


def test_forms_lists_package_and_workspace_forms_with_where_they_come_from(tmp_path):
    raw, schema = base()
    raw["title"] = "庁内照会"
    folder = write_form(tmp_path / "ws", raw, schema)
    res = invoke("forms", "-w", tmp_path / "ws")
    assert res.exit_code == 0
    assert lines(res)[0] == "様式名\t題名\tレイアウト\t定義の場所"
    assert f"survey\t庁内照会\tlist\t作業フォルダ {folder}" in lines(res)
    assert any(line.startswith("progress\t進捗状況評価\tlist\t同梱 ") for line in lines(res))
    assert any(line.startswith("action_plan\tアクションプラン\tsheet\t同梱 ")
               for line in lines(res))
    data = json.loads(invoke("forms", "-w", tmp_path / "ws", "--json").output)
    survey = next(d for d in data if d["name"] == "survey")
    assert survey == {"name": "survey", "title": "庁内照会", "layout": "list",
                      "source": "workspace", "folder": str(folder), "ok": True, "problems": []}
    en = invoke("--lang", "en", "forms", "-w", tmp_path / "ws")
    assert f"survey\t庁内照会\tlist\tworkspace {folder}" in lines(en)
    # without -w: the package's only (the shipped survey, not the workspace's 庁内照会)
    assert not any(line.startswith("survey\t庁内照会") for line in lines(invoke("forms")))


def test_forms_marks_a_broken_definition(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["fields"][4].update(role="inpt"))
    res = invoke("forms", "-w", tmp_path / "ws")
    assert res.exit_code == 0
    assert f"survey\t進捗状況評価\tlist\t作業フォルダ {folder}\t定義に誤りがあります: " \
           f"`fujimi-xl form check {folder}`" in lines(res)


# -- one kind of breakage each ----------------------------------------------------------------

def test_a_role_typo(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["fields"][4].update(role="inpt"))
    assert one_line(folder) == (
        f"様式定義 {F(folder)} fields[4].role: 「inpt」は使えません。key / locked / input の"
        "どれかにしてください。（「input」の書き間違いではありませんか）")


def test_an_unknown_field_type(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["fields"][3].update(type="txet"))
    line = one_line(folder)
    assert line.startswith(f"様式定義 {F(folder)} fields[3].type: 「txet」は使えません。text / ")
    assert line.endswith("のどれかにしてください。（「text」の書き間違いではありませんか）")


def test_an_unknown_setting_in_a_field(tmp_path):
    def change(raw: dict[str, Any], schema: dict[str, Any]) -> None:
        raw["fields"][5]["choice"] = raw["fields"][5].pop("choices")

    folder = broken(tmp_path, change)
    line = one_line(folder)
    assert line.startswith(f"様式定義 {F(folder)} fields[5].choice: 「choice」という設定は"
                           "ありません。使える設定: ")
    assert line.endswith("（「choices」の書き間違いではありませんか）")


def test_duplicate_field_ids(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["fields"][7].update(id="reason"))
    out = check_lines(folder)
    assert f"様式定義 {F(folder)} fields[7].id: 項目 id「reason」が重複しています" \
           "（fields[6].id と同じ）。別の id にしてください。" in out


def test_a_display_placeholder_typo(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["fields"][0].update(display="第{m}節"))
    assert one_line(folder) == (
        f"様式定義 {F(folder)} fields[0].display: 「第{{m}}節」の {{m}} は差し込めません。"
        "ここで使えるのは {n} です。")


def test_a_label_with_stray_braces(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["fields"][4].update(label="{year実施内容"))
    assert one_line(folder) == (
        f"様式定義 {F(folder)} fields[4].label: 「{{year実施内容」の {{ }} が対になっていません。"
        "差し込み（{year} など）でない { } は {{ }} と重ねて書いてください。")


def test_an_instruction_placeholder_typo(tmp_path):
    def change(raw: dict[str, Any], schema: dict[str, Any]) -> None:
        raw["instructions"][0] = raw["instructions"][0].replace("{group}", "{gruop}")

    folder = broken(tmp_path, change)
    line = one_line(folder)
    assert line.startswith(f"様式定義 {F(folder)} instructions[0]: 「このブックは {{gruop}} の")
    assert line.endswith("の {gruop} は差し込めません。ここで使えるのは {group} {year_long} "
                         "{input_labels} {grade_list} です。（「{group}」の書き間違いではありませんか）")


@pytest.mark.parametrize("where, change", [
    ("report.group_by", lambda r: r.update(group_by="sectoin")),
    ("report.summary_field", lambda r: r.update(summary_field="grde")),
    ("report.columns[4]", lambda r: r["columns"].__setitem__(4, "reslt")),
    ("report.merge[3]", lambda r: r["merge"].__setitem__(3, "plam")),
    ("report.center[3]", lambda r: r["center"].__setitem__(3, "grad")),
    ("report.carry_columns[0]", lambda r: r["carry_columns"].__setitem__(0, "ref_plam")),
    ("report.widths.reson", lambda r: r["widths"].__setitem__("reson", 20)),
    ("report.header_merge.fields[0]", lambda r: r["header_merge"]["fields"].__setitem__(0, "sec")),
])
def test_a_report_setting_naming_a_missing_field(tmp_path, where, change):
    folder = broken(tmp_path, lambda raw, schema: change(raw["report"]))
    line = one_line(folder)
    assert line.startswith(f"様式定義 {F(folder)} {where}: 「")
    assert "という項目はありません。fields の id のどれかにしてください: section / item / " in line


def test_schema_properties_not_matching_the_fields(tmp_path):
    def change(raw: dict[str, Any], schema: dict[str, Any]) -> None:
        schema["properties"]["resutl"] = schema["properties"].pop("result")
        schema["required"] = [r for r in schema["required"] if r != "result"]

    folder = broken(tmp_path, change)
    assert check_lines(folder) == [
        f"様式定義 {S(folder)} properties: 項目「result」（form.json の fields）の定義が "
        "properties にありません。追加してください。",
        f"様式定義 {S(folder)} properties.resutl: 「resutl」は form.json の fields（または "
        "lists）にない項目です。fields の id にそろえてください: section / item / number / plan / "
        "result / grade / reason / next_plan（「result」の書き間違いではありませんか）"]


def test_a_schema_that_is_not_a_json_schema(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: schema["properties"]["item"].update(
        type="int"))
    line = one_line(folder)
    assert line.startswith(f"様式定義 {S(folder)} properties.item.type: ")


def test_a_rule_naming_a_missing_field(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["rules"][0].update(unless_field="grad"))
    assert one_line(folder) == (
        f"様式定義 {F(folder)} の rules[0].unless_field: 「grad」という項目はこの様式にありません。"
        "使える項目: section, item, number, plan, result, grade, reason, next_plan, ref_plan, "
        "ref_result, ref_grade（「grade」の書き間違いではありませんか）")


def test_a_rule_of_an_unknown_type(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["rules"][0].update(type="required_unles"))
    assert one_line(folder) == (
        f"様式定義 {F(folder)} の rules[0].type: 規則の種類「required_unles」はありません。"
        "使える種類: required_if, required_unless, sum_equals, list_ref, compare, unique"
        "（「required_unless」の書き間違いではありませんか）")


def test_choices_referred_to_but_not_defined(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["fields"][5].update(choices="grade"))
    assert one_line(folder) == (
        f"様式定義 {F(folder)} fields[5].choices: 選択肢「grade」が choices に定義されていません。"
        "定義済み: grades")


def test_a_key_naming_a_field_that_is_not_a_key(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["key"].append("plan"))
    assert one_line(folder) == (
        f"様式定義 {F(folder)} key[3]: key の「plan」は role が「locked」です。key にする項目の "
        "role は key にしてください。")


def test_a_missing_required_setting(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw.pop("key"))
    assert one_line(folder) == f"様式定義 {F(folder)}: 「key」がありません。記入してください。"


# -- reading the files ------------------------------------------------------------------------

def test_a_utf8_bom_is_read(tmp_path):
    raw, schema = base()
    folder = write_form(tmp_path / "ws", raw, schema)
    for name in ("form.json", "schema.json"):
        path = folder / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert check_form(folder) == []
    assert load_form("survey", tmp_path / "ws").title == "進捗状況評価"


def test_shift_jis_is_refused_in_words(tmp_path):
    raw, schema = base()
    folder = write_form(tmp_path / "ws", raw, schema)
    text = (folder / "form.json").read_text(encoding="utf-8")
    (folder / "form.json").write_bytes(text.encode("cp932"))
    assert one_line(folder) == (
        f"様式定義 {F(folder)}: 文字コードが UTF-8 ではありません（Shift_JIS と思われます）。"
        "メモ帳などで開き、文字コード「UTF-8」を選んで保存し直してください。")


def test_invalid_json_names_line_and_column(tmp_path):
    raw, schema = base()
    folder = write_form(tmp_path / "ws", raw, schema)
    (folder / "form.json").write_text('{\n "name": "survey",\n "version": 1,\n}\n',
                                      encoding="utf-8")
    assert one_line(folder) == (
        f"様式定義 {F(folder)}: JSON として読めません（4行目 1文字目: 項目名は \"…\" で囲みます。"
        "最後の項目の後の「,」は消してください）。")


def test_a_missing_schema_file(tmp_path):
    raw, schema = base()
    folder = write_form(tmp_path / "ws", raw, schema)
    (folder / "schema.json").unlink()
    assert one_line(folder) == (
        f"様式定義 {S(folder)}: ファイルがありません。form.json と schema.json を同じフォルダに"
        "置いてください。")


def test_form_check_json_and_english(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: raw["fields"][4].update(role="inpt"))
    res = invoke("form", "check", folder, "--json")
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert data["ok"] is False and data["folder"] == str(folder)
    assert data["problems"][0]["path"] == "fields[4].role"
    assert data["problems"][0]["file"] == F(folder)
    assert data["problems"][0]["code"] == "def_enum"
    res = invoke("--lang", "en", "form", "check", folder)
    assert res.exit_code == 1
    assert lines(res)[0] == (
        f"Form definition {F(folder)} fields[4].role: 'inpt' is not allowed. Use one of "
        "key / locked / input. (did you mean 'input'?)")


# -- met by a command: the secretariat's fault, exit 2 ---------------------------------------

def test_a_command_meeting_a_broken_definition_stops_with_exit_2(tmp_path, ws):
    raw, schema = base()
    raw["fields"][4]["role"] = "inpt"
    folder = write_form(ws.root, raw, schema, name="progress")
    res = invoke("generate", "progress", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert lines(res) == [
        "エラー: 様式定義に誤りがあるため処理を中止しました（事務局で定義を直してください。"
        f"返送されたファイルの問題ではありません）: 様式定義 {F(folder)} fields[4].role: "
        "「inpt」は使えません。key / locked / input のどれかにしてください。"
        "（「input」の書き間違いではありませんか）"]


def test_the_first_problem_and_how_many_more(tmp_path, ws):
    raw, schema = base()
    raw["fields"][4]["role"] = "inpt"
    raw["report"]["group_by"] = "sectoin"
    folder = write_form(ws.root, raw, schema, name="progress")
    res = invoke("status", "progress", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 2
    assert lines(res)[0].endswith(
        f"（ほかに1件。すべての問題は `fujimi-xl form check {folder}` で表示できます）")


def test_ingest_meeting_a_broken_definition_refuses_no_file(tmp_path, ws, outbox, fill):
    """A rule naming a missing field used to be told to staff as 「ファイルが壊れている可能性が
    あります」: now the ingest stops as the secretariat's fault and no file is refused."""
    returned = fill(outbox["保育"], "保育")
    raw, schema = base()
    raw["rules"][0]["unless_field"] = "grad"
    write_form(ws.root, raw, schema, name="progress")
    before = master_snapshot(ws)
    res = invoke("ingest", returned, "-w", ws.root)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert "様式定義に誤りがあるため処理を中止しました" in res.output
    assert "rules[0].unless_field" in res.output
    assert "壊れている可能性" not in res.output
    assert master_snapshot(ws) == before
    assert not list(ws.feedback.rglob("*.xlsx"))


# -- workspace definitions everywhere (item 4) -----------------------------------------------

def test_init_refuses_an_unknown_form(tmp_path):
    plan = tmp_path / "計画.xlsx"
    assert invoke("plan-template", plan, "--form", "progress").exit_code == 0
    res = invoke("init", tmp_path / "ws", "--plan", plan, "--form", "survvey")
    assert res.exit_code == 2
    assert lines(res)[0].startswith("エラー: 様式「survvey」はありません。使える様式（名前または"
                                    "題名で指定できます）: ")
    assert not (tmp_path / "ws").exists()
    res = invoke("plan-template", tmp_path / "x.xlsx", "--form", "survvey")
    assert res.exit_code == 2 and "様式「survvey」はありません" in res.output


def _survey(root: Path) -> Path:
    raw, schema = base()
    raw["title"] = "庁内照会"
    raw["fields"][3]["label"] = "事業名"
    return write_form(root, raw, schema)


def test_plan_template_finds_a_workspace_form(tmp_path, ws):
    _survey(ws.root)
    out = tmp_path / "計画.xlsx"
    res = invoke("plan-template", out, "--form", "庁内照会", "-w", ws.root)
    assert res.exit_code == 0, res.output
    import openpyxl

    heads = [c.value for c in openpyxl.load_workbook(out)["計画"][1]]
    assert heads == ["節", "項", "号", "事業名", "担当"]
    assert invoke("plan-template", tmp_path / "y.xlsx", "--form", "庁内照会").exit_code == 2


def _survey_plan(tmp_path: Path, folder: Path) -> Path:
    import openpyxl

    path = tmp_path / "plan.xlsx"
    api.plan_template(path, "survey", workspace=folder.parents[1])
    wb = openpyxl.load_workbook(path)
    wb["計画"].append([1, 1, 1, "子どもの居場所づくり", "保育"])
    wb["担当一覧"].append(["保育", "こども未来部", "保育グループ"])
    wb.save(path)
    return path


def test_init_with_form_dir_copies_the_definition_into_the_workspace(tmp_path):
    folder = _survey(tmp_path / "defs")
    plan = _survey_plan(tmp_path, folder)
    res = invoke("init", tmp_path / "ws", "--plan", plan, "--form-dir", folder)
    assert res.exit_code == 0, res.output
    copied = tmp_path / "ws" / "templates" / "survey"
    assert (copied / "form.json").read_bytes() == (folder / "form.json").read_bytes()
    res = invoke("generate", "survey", "--year", YEAR, "-w", tmp_path / "ws")
    assert res.exit_code == 0, res.output
    assert list((tmp_path / "ws" / "outbox").rglob("*.xlsx"))


def test_init_finds_a_definition_put_in_the_new_workspace_first(tmp_path):
    folder = _survey(tmp_path / "ws")
    plan = _survey_plan(tmp_path, folder)
    res = invoke("init", tmp_path / "ws", "--plan", plan, "--form", "庁内照会")
    assert res.exit_code == 0, res.output
    assert invoke("generate", "survey", "--year", YEAR, "-w", tmp_path / "ws").exit_code == 0


def test_init_with_a_broken_form_dir_creates_nothing(tmp_path):
    raw, schema = base()
    raw["fields"][4]["role"] = "inpt"
    folder = write_form(tmp_path / "defs", raw, schema)
    plan = tmp_path / "計画.xlsx"
    invoke("plan-template", plan, "--form", "progress")
    res = invoke("init", tmp_path / "ws", "--plan", plan, "--form-dir", folder)
    assert res.exit_code == 2
    assert "fields[4].role" in res.output
    assert not (tmp_path / "ws").exists()


def test_the_new_commands_have_english_help_and_words_for_their_arguments():
    import click

    from fujimi_xl.core.messages import UI, help_en

    check = cli.commands["form"].commands["check"]  # type: ignore[attr-defined]
    for command in (cli.commands["forms"], cli.commands["form"], check):
        assert help_en(command.help or ""), command.name
        for param in command.params:
            if isinstance(param, click.Option) and param.help:
                assert help_en(str(param.help)), (command.name, param.name)
            if isinstance(param, click.Argument):
                assert f"arg_{param.name}" in UI
    for name in ("plan-template", "init"):
        for param in cli.commands[name].params:
            if isinstance(param, click.Option) and param.help:
                assert help_en(str(param.help)), (name, param.name)
    res = invoke("--lang", "en", "form", "check", "--help")
    assert "  Check a form definition (its folder, or its form.json) and list every problem." \
        in lines(res)
    res = invoke("form", "check")
    assert res.exit_code == 2
    assert lines(res)[-1].startswith("エラー: ")


def test_ingest_meeting_a_broken_definition_says_so_in_english_too(tmp_path, ws, outbox, fill):
    import pickle

    returned = fill(outbox["保育"], "保育")
    raw, schema = base()
    raw["rules"][0]["unless_field"] = "grad"
    folder = write_form(ws.root, raw, schema, name="progress")
    res = invoke("--lang", "en", "ingest", returned, "-w", ws.root)
    assert res.exit_code == 2, res.output
    assert lines(res) == [
        "Error: Stopped: a form definition is broken (the secretariat's to fix, not a fault of "
        f"any returned file): Form definition {F(folder)}, rules[0].unless_field: the form has "
        "no field 'grad'. Allowed: section, item, number, plan, result, grade, reason, "
        "next_plan, ref_plan, ref_result, ref_grade (did you mean 'grade'?)"]
    with pytest.raises(Exception) as caught:
        load_form("progress", ws.root)
    again = pickle.loads(pickle.dumps(caught.value))  # survives a worker process
    assert again.message("en") == caught.value.message("en")
    assert str(again) == str(caught.value)


def test_init_with_form_dir_and_no_plan_keeps_the_definition(tmp_path):
    folder = _survey(tmp_path / "defs")
    res = invoke("init", tmp_path / "ws", "--form-dir", folder / "form.json")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "ws" / "templates" / "survey" / "schema.json").is_file()
    res = invoke("forms", "-w", tmp_path / "ws")
    assert any(line.startswith("survey\t庁内照会\tlist\t作業フォルダ ") for line in lines(res))


def test_init_with_form_dir_refuses_to_replace_another_definition_of_the_name(tmp_path):
    folder = _survey(tmp_path / "defs")
    raw, schema = base()
    raw["title"] = "別の照会"
    there = write_form(tmp_path / "ws", raw, schema)
    plan = _survey_plan(tmp_path, folder)
    res = invoke("init", tmp_path / "ws", "--plan", plan, "--form-dir", folder)
    assert res.exit_code == 2
    assert lines(res) == [
        f"エラー: 作業フォルダにはすでに別の様式定義「survey」があります（{there}）。--form-dir の"
        f"定義（{folder}）と同じにするか、どちらかの様式名を変えてください。"]
    assert not (tmp_path / "ws" / "master.sqlite").exists()
    assert json.loads((there / "form.json").read_text(encoding="utf-8"))["title"] == "別の照会"


def test_form_check_of_a_folder_without_a_definition(tmp_path):
    (tmp_path / "empty").mkdir()
    out = check_lines(tmp_path / "empty")
    assert out == [
        f"様式定義 {tmp_path / 'empty' / 'form.json'}: ファイルがありません。form.json と "
        "schema.json を同じフォルダに置いてください。",
        f"様式定義 {tmp_path / 'empty' / 'schema.json'}: ファイルがありません。form.json と "
        "schema.json を同じフォルダに置いてください。"]


def test_a_broken_form_named_by_its_title_is_told_what_is_wrong(tmp_path, ws):
    raw, schema = base()
    raw["title"] = "庁内照会"
    raw["fields"][4]["role"] = "inpt"
    folder = write_form(ws.root, raw, schema)
    res = invoke("generate", "庁内照会", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 2
    assert f"様式定義 {F(folder)} fields[4].role: 「inpt」は使えません。" in res.output


def test_the_rules_registry_is_asked_about_each_rule(tmp_path):
    """The rules registry (fujimi_xl.rules) checks each rule's parameters when the form loads:
    what it finds is said like every other problem, at the rule's JSON path (merged with the
    real registry, the hook's stand-in is no longer needed)."""
    raw, schema = base()
    assert check_form(write_form(tmp_path / "ok", raw, schema)) == []
    folder = broken(tmp_path, lambda raw, schema: raw["rules"][0].pop("unless_in"))
    assert one_line(folder) == (
        f"様式定義 {F(folder)} の rules[0].unless_in がありません。"
        "規則 required_unless には unless_in の指定が必要です。")
    res = invoke("generate", "survey", "--year", YEAR, "-w", tmp_path / "ws")
    assert res.exit_code == 2


def test_a_choice_list_and_its_schema_enum_disagreeing(tmp_path):
    folder = broken(tmp_path, lambda raw, schema: schema["properties"]["grade"].update(
        enum=["A", "B", "C"]))
    assert one_line(folder) == (
        f"様式定義 {S(folder)} properties.grade.enum: enum（A / B / C）が form.json の選択肢"
        "「grades」の値（A / B / C / D）と一致しません。一覧から選べる値と受け付ける値を同じにして"
        "ください。")


def test_the_meta_schema_allows_every_field_type_the_engine_reads():
    import fujimi_xl
    from fujimi_xl.forms.fieldtypes import FIELD_TYPES

    meta = json.loads((Path(fujimi_xl.__file__).parent / "forms" / "form_meta_schema.json")
                      .read_text("utf-8"))
    allowed = set(meta["$defs"]["field"]["properties"]["type"]["enum"])
    # issue_no and period are types of a sheet form's list columns, not of fields
    assert set(FIELD_TYPES) - {"issue_no", "period"} <= allowed
