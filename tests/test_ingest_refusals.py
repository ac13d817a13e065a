"""Every way a returned file is refused: the outcome, the exact problems (cell, field, code), the
message text, the feedback workbook where there is one, and a master left exactly as it was."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.core import fiscal
from fujimi_xl.core.messages import text
from fujimi_xl.demo import write_sample_plan
from fujimi_xl.layouts import manifest
from fujimi_xl.layouts.list.generator import ERROR_FILL, FEEDBACK_SHEET
from fujimi_xl.store import jp_time

from .conftest import YEAR, OtherMaster, master_snapshot

PLAN_4_2_1 = "就労に向けた資格取得支援"
GRADES = "A・B・C・D"


# -- helpers -----------------------------------------------------------------------------------

def refused(ws: Any, path: Path, **kw: Any) -> Any:
    """Ingest one file that must be refused; the master must not change. Returns its result."""
    before = master_snapshot(ws)
    result = api.ingest(ws, [path], **kw).files[0]
    assert result.outcome == "rejected", result.problems
    assert result.records == 0
    assert master_snapshot(ws) == before
    return result


def cells(result: Any) -> list[tuple[str, str, str]]:
    """(sheet!cell, field, code) of every problem, in the order reported."""
    return [(p.where(), p.field, p.code) for p in result.problems]


def files(result: Any) -> list[tuple[str, str, str]]:
    """(file, sheet!cell, code) of every problem, for problems with the file as a whole."""
    return [(p.file, p.where(), p.code) for p in result.problems]


def edited(src: Path, name: str, change: Any) -> Path:
    """A copy of ``src`` named ``name`` with ``change(workbook)`` applied through openpyxl."""
    wb = openpyxl.load_workbook(src)
    change(wb)
    out = src.parent / name
    wb.save(out)
    return out


def current(ws: Any, group: str, key: str, field: str) -> tuple[Any, ...] | None:
    conn = ws.connect()
    try:
        row = conn.execute("SELECT value, cell FROM current_values WHERE group_code = ? AND "
                           "item_key = ? AND field = ?", (group, key, field)).fetchone()
    finally:
        conn.close()
    return None if row is None else tuple(row)


def count_files(ws: Any) -> int:
    conn = ws.connect()
    try:
        return conn.execute("SELECT count(*) FROM files").fetchone()[0]
    finally:
        conn.close()


def assert_feedback(result: Any, marked: list[str], listed: list[tuple[str, str, str]]) -> None:
    """The feedback workbook lists ``listed`` (cell, field, message) on its first sheet and marks
    the ``marked`` cells of 入力 red, with the message of that cell as their comment."""
    assert result.feedback and Path(result.feedback).is_file()
    wb = openpyxl.load_workbook(result.feedback)
    fb = wb[FEEDBACK_SHEET]
    rows = [tuple(fb.cell(r, c).value for c in (1, 2, 3)) for r in range(5, fb.max_row + 1)]
    assert rows == listed
    sheet = wb["入力"]
    for ref in marked:
        assert sheet[ref].fill.fgColor.rgb.endswith(ERROR_FILL.lstrip("#")), ref
        assert sheet[ref].comment is not None, ref
        assert [m for c, _, m in listed if c == f"入力!{ref}"] == sheet[ref].comment.text.split(
            "\n"), ref


def issued_at(ws: Any, group: str) -> list[str]:
    """When each workbook of ``group`` was issued, oldest first."""
    conn = ws.connect()
    try:
        return [r[0] for r in conn.execute(
            "SELECT issued_at FROM issued WHERE group_code = ? ORDER BY seq", (group,))]
    finally:
        conn.close()


# -- values ------------------------------------------------------------------------------------

def test_grade_outside_the_scale_is_refused_at_its_cell(ws, outbox, fill):
    path = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}})
    res = refused(ws, path)
    assert cells(res) == [("入力!G5", "評価", "not_in_scale")]
    want = text("not_in_scale", "ja", value="E", choices=GRADES)
    assert res.problems[0].message() == want
    assert res.problems[0].message("en") == text("not_in_scale", "en", value="E", choices=GRADES)
    assert res.problems[0].message("en").startswith("'E' is not one of the choices")
    assert_feedback(res, ["G5"], [("入力!G5", "評価", want)])


@pytest.mark.parametrize("typed", ["ｂ", "b", " B ", "Ｂ"])
def test_lower_case_and_full_width_grades_are_accepted(ws, outbox, fill, typed):
    res = api.ingest(ws, [fill(outbox["保育"], "保育", {"4-2-1": {"grade": typed}})]).files[0]
    assert res.outcome == "accepted", cells(res)
    assert current(ws, "保育", "4-2-1", "grade") == ('"B"', "G5")


def test_empty_required_inputs_are_refused(ws, outbox, fill):
    path = fill(outbox["保育"], "保育", {"4-2-1": {"result": "", "next_plan": ""}})
    res = refused(ws, path)
    assert cells(res) == [("入力!F5", "H29実施内容", "required"),
                          ("入力!I5", "H30計画内容", "required")]
    assert [p.message() for p in res.problems] == [
        text("required", "ja", label="H29実施内容"), text("required", "ja", label="H30計画内容")]
    assert_feedback(res, ["F5", "I5"], [
        ("入力!F5", "H29実施内容", "未記入です。H29実施内容を記入してください。"),
        ("入力!I5", "H30計画内容", "未記入です。H30計画内容を記入してください。")])


def test_grade_below_a_without_a_reason_is_refused(ws, outbox, fill):
    path = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "C", "reason": ""}})
    res = refused(ws, path)
    assert cells(res) == [("入力!H5", "理由・課題等", "reason_required")]
    want = text("reason_required", "ja", other="C")
    assert res.problems[0].message() == want == "評価が「C」の場合は理由・課題等の記入が必要です。"
    assert_feedback(res, ["H5"], [("入力!H5", "理由・課題等", want)])


def test_grade_a_without_a_reason_is_accepted(ws, outbox, fill):
    res = api.ingest(ws, [fill(outbox["保育"], "保育", {"4-2-1": {"reason": ""}})]).files[0]
    assert res.outcome == "accepted", cells(res)
    assert current(ws, "保育", "4-2-1", "reason") == ('null', "H5")


def test_text_over_the_maximum_length_is_refused(ws, outbox, fill):
    path = fill(outbox["保育"], "保育", {"4-2-1": {"next_plan": "あ" * 2001}})
    res = refused(ws, path)
    assert cells(res) == [("入力!I5", "H30計画内容", "too_long")]
    assert res.problems[0].params == {"found": 2001, "allowed": 2000}
    want = text("too_long", "ja", found=2001, allowed=2000)
    assert want.startswith("文字数が多すぎます（2001文字、上限2000文字）。")
    assert res.problems[0].message() == want
    assert_feedback(res, ["I5"], [("入力!I5", "H30計画内容", want)])


# -- identity ----------------------------------------------------------------------------------

def test_another_groups_workbook_is_refused_as_wrong_group(ws, outbox, fill):
    path = fill(outbox["保育"], "保育")
    res = refused(ws, path, group="応援センター")
    assert files(res) == [(path.name, "", "wrong_group")]
    assert res.problems[0].message() == text("wrong_group", "ja", expected="応援センター",
                                              found="保育")
    assert not res.feedback


def test_another_years_workbook_is_refused_as_wrong_year(ws, outbox, fill):
    path = fill(outbox["保育"], "保育")
    res = refused(ws, path, year=YEAR + 1)
    assert files(res) == [(path.name, "", "wrong_year")]
    assert res.problems[0].message() == text(
        "wrong_year", "ja", expected=fiscal.long_label(YEAR + 1), found=fiscal.long_label(YEAR))


def test_workbook_from_a_superseded_issue_is_refused_as_stale(ws, outbox, fill):
    old = fill(outbox["保育"], "保育", name="old.xlsx")
    api.generate(ws, "progress", YEAR, ["保育"], reissue=True)
    new = fill(outbox["保育"], "保育", name="new.xlsx")
    res = refused(ws, old)
    assert files(res) == [("old.xlsx", "", "stale_template")]
    first, second = issued_at(ws, "保育")
    assert res.problems[0].message() == text(
        "stale_template", "ja", found=jp_time(first), expected=jp_time(second), added="—",
        removed="—", edited="—")
    assert api.ingest(ws, [new]).files[0].outcome == "accepted"


def test_reissue_within_the_same_second_still_makes_the_old_workbook_stale(
        ws, outbox, fill, monkeypatch):
    old = fill(outbox["保育"], "保育", name="old.xlsx")
    monkeypatch.setattr(api, "now", lambda: issued_at(ws, "保育")[0])  # the very same stamp
    api.generate(ws, "progress", YEAR, ["保育"], reissue=True)
    new = fill(outbox["保育"], "保育", name="new.xlsx")
    assert len(set(issued_at(ws, "保育"))) == 1
    assert files(refused(ws, old)) == [("old.xlsx", "", "stale_template")]
    assert api.ingest(ws, [new]).files[0].outcome == "accepted"


def test_changed_plan_text_is_refused_as_locked_changed(ws, outbox, fill):
    def change(wb):
        wb["入力"]["E5"].value = "書き換えた計画"

    path = edited(fill(outbox["保育"], "保育"), "plan_changed.xlsx", change)
    res = refused(ws, path)
    assert cells(res) == [("入力!E5", "計画", "locked_changed")]
    p = res.problems[0]
    assert (p.value, p.params) == ("書き換えた計画", {"expected": PLAN_4_2_1})
    want = text("locked_changed", "ja", expected=PLAN_4_2_1, value="書き換えた計画")
    assert p.message() == want
    assert_feedback(res, [], [("入力!E5", "計画", want)])


def test_changed_section_is_refused_as_locked_changed(ws, outbox, fill):
    def change(wb):
        wb["入力"]["B5"].value = "第3節"

    res = refused(ws, edited(fill(outbox["保育"], "保育"), "section_changed.xlsx", change))
    assert cells(res) == [("入力!B5", "節", "locked_changed")]
    assert (res.problems[0].value, res.problems[0].params) == ("第3節", {"expected": "第4節"})


def test_edited_manifest_is_refused_as_bad_signature(ws, outbox, fill):
    def change(wb):
        cell = wb[manifest.SHEET]["A3"]
        assert '"group":"保育"' in cell.value
        cell.value = cell.value.replace('"group":"保育"', '"group":"応援センター"')

    path = edited(fill(outbox["保育"], "保育"), "forged.xlsx", change)
    res = refused(ws, path)
    assert files(res) == [("forged.xlsx", "_fujimi", "bad_signature")]
    assert res.problems[0].message("en") == text("bad_signature", "en")


def test_deleted_manifest_sheet_is_refused_as_no_manifest(ws, outbox, fill):
    def change(wb):
        del wb[manifest.SHEET]

    res = refused(ws, edited(fill(outbox["保育"], "保育"), "no_manifest.xlsx", change))
    assert files(res) == [("no_manifest.xlsx", "", "no_manifest")]


def manifest_of(donor_path):
    """An edit that copies the manifest of ``donor_path`` over a workbook's own."""
    donor = openpyxl.load_workbook(donor_path)[manifest.SHEET]
    column = [donor.cell(r, 1).value for r in range(1, donor.max_row + 1)]

    def change(wb):
        sheet = wb[manifest.SHEET]
        for r in range(1, max(sheet.max_row, len(column)) + 1):
            sheet.cell(r, 1).value = column[r - 1] if r <= len(column) else None

    return change


def test_manifest_copied_from_another_groups_workbook_is_refused(ws, outbox, fill):
    change = manifest_of(outbox["応援センター"])
    res = refused(ws, edited(fill(outbox["保育"], "保育"), "copied.xlsx", change))
    assert res.group == "応援センター"
    missing = ["1-1-1", "1-1-2", "1-1-3", "1-1-4", "1-1-5", "1-1-6", "1-2-1", "1-2-2", "1-2-3"]
    assert cells(res) == [("入力!A2", "", "locked_changed"),
                          ("入力!A5", "管理番号", "stray_value")] + [
        ("入力!A4", "管理番号", "row_missing")] * 9
    assert [p.item_key for p in res.problems[2:]] == missing
    assert res.problems[1].value == "4-2-1"


def test_manifest_copied_between_groups_with_the_same_items_is_refused(ws, outbox, fill):
    # 保育 and 産業経済 both own only item 4-2-1 with the same plan text: the group named on
    # the sheet (signed in the manifest) is what tells the two workbooks apart
    change = manifest_of(outbox["産業経済"])
    res = refused(ws, edited(fill(outbox["保育"], "保育"), "copied2.xlsx", change))
    assert cells(res) == [("入力!A2", "", "locked_changed")]
    assert res.problems[0].params["expected"] == "担当：市民生活部 産業経済グループ"
    assert res.problems[0].value == "担当：こども未来部 保育グループ"


# -- not a workbook ----------------------------------------------------------------------------

def _truncated(real: Path, out: Path) -> None:
    data = real.read_bytes()
    out.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(("name", "make", "code"), [
    ("empty.xlsx", lambda real, out: out.write_bytes(b""), "not_workbook"),
    ("csv.xlsx", lambda real, out: out.write_text("管理番号,評価\n4-2-1,A\n", encoding="utf-8"),
     "other_format"),
    ("random.xlsx", lambda real, out: out.write_bytes(random.Random(7).randbytes(5000)),
     "not_workbook"),
    ("truncated.xlsx", _truncated, "not_workbook"),
])
def test_file_that_is_not_a_workbook_is_refused(ws, outbox, tmp_path, name, make, code):
    path = tmp_path / name
    make(outbox["保育"], path)
    res = refused(ws, path)
    assert files(res) == [(name, "", code)]
    assert res.problems[0].message()  # a message, not a traceback
    assert not res.feedback


def test_workbook_issued_by_another_workspace_is_refused(ws, tmp_path, fill):
    with OtherMaster():
        other = api.init(tmp_path / "ws2", write_sample_plan(tmp_path / "plan2.xlsx"),
                         "progress")
        gen = api.generate(other, "progress", YEAR, ["保育"])
    path = fill(gen.files[0][1], "保育", name="foreign.xlsx")
    res = refused(ws, path)
    assert files(res) == [("foreign.xlsx", "_fujimi", "bad_signature")]


# -- rows --------------------------------------------------------------------------------------

def test_deleted_row_is_refused_naming_the_missing_item(ws, outbox, fill):
    def change(wb):
        assert wb["入力"]["A6"].value == "1-1-2"
        wb["入力"].delete_rows(6)

    res = refused(ws, edited(fill(outbox["応援センター"], "応援センター"), "deleted.xlsx", change))
    assert cells(res) == [("入力!A4", "管理番号", "row_missing")]
    p = res.problems[0]
    assert (p.item_key, p.params) == ("1-1-2", {"expected": "1-1-2"})
    assert p.message() == text("row_missing", "ja", expected="1-1-2")
    assert_feedback(res, [], [("入力!A4", "管理番号", p.message())])


def test_inserted_row_with_a_value_is_refused_at_that_cell(ws, outbox, fill):
    def change(wb):
        wb["入力"].insert_rows(7)
        wb["入力"]["F7"].value = "追加の記入"

    res = refused(ws, edited(fill(outbox["応援センター"], "応援センター"), "inserted.xlsx",
                             change))
    assert cells(res) == [("入力!F7", "", "stray_value")]
    assert res.problems[0].message() == text("stray_value", "ja", value="追加の記入")


def test_inserted_empty_row_is_accepted_and_rows_are_read_by_key(ws, outbox, fill, sample):
    def change(wb):
        wb["入力"].insert_rows(7)

    path = edited(fill(outbox["応援センター"], "応援センター"), "inserted.xlsx", change)
    res = api.ingest(ws, [path]).files[0]
    assert res.outcome == "accepted", cells(res)
    answers = sample["responses"]["応援センター"]
    assert current(ws, "応援センター", "1-1-2", "result") == (
        json.dumps(answers["1-1-2"]["result"], ensure_ascii=False), "F6")
    assert current(ws, "応援センター", "1-1-3", "result") == (
        json.dumps(answers["1-1-3"]["result"], ensure_ascii=False), "F8")
    assert current(ws, "応援センター", "1-2-3", "next_plan") == (
        json.dumps(answers["1-2-3"]["next_plan"], ensure_ascii=False), "I14")


# -- batches and repeats -----------------------------------------------------------------------

def test_bad_file_in_a_batch_refuses_only_itself(ws, outbox, fill):
    batch = [fill(outbox["応援センター"], "応援センター"),
             fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}}),
             fill(outbox["産業経済"], "産業経済")]
    res = api.ingest(ws, batch)
    assert [f.outcome for f in res.files] == ["accepted", "rejected", "accepted"]
    states = {g.group: g.state for g in api.status(ws, "progress", YEAR).groups}
    assert {g: s for g, s in states.items() if s != "missing"} == {
        "応援センター": "accepted", "保育": "rejected", "産業経済": "accepted"}
    assert current(ws, "保育", "4-2-1", "grade") is None


def test_same_rejected_file_twice_is_logged_once(ws, outbox, fill):
    path = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}})
    before = count_files(ws)
    first = refused(ws, path)
    second = refused(ws, path)
    assert cells(first) == cells(second) == [("入力!G5", "評価", "not_in_scale")]
    assert count_files(ws) == before + 1


def test_replayed_old_version_stays_an_earlier_version(ws, outbox, fill):
    # issue 12: an accepted file that a later one superseded is history, not a refusal:
    # ingesting it again changes nothing, exits 0 and says which version is current
    v1 = fill(outbox["保育"], "保育", name="v1.xlsx")
    v2 = fill(outbox["保育"], "保育", {"4-2-1": {"result": "第2版"}}, name="v2.xlsx")
    assert api.ingest(ws, [v1]).files[0].version == 1
    assert api.ingest(ws, [v2]).files[0].version == 2
    before = master_snapshot(ws)
    res = api.ingest(ws, [v1])
    assert res.ok
    assert [(f.outcome, f.version) for f in res.files] == [("superseded", 1)]
    assert [p.code for p in res.files[0].problems] == ["already_superseded"]
    assert "現在の版は v2（v2.xlsx、" in res.files[0].problems[0].message()
    assert master_snapshot(ws) == before
    assert current(ws, "保育", "4-2-1", "result") == ('"第2版"', "F5")


def test_an_accepted_file_ingested_for_another_group_is_wrong_group_not_unchanged(ws, outbox,
                                                                                   fill):
    """A file accepted for 保育, given again with --group 応援センター: the answer is the one
    the option asks for (another group's book), never 「変更なし」 from its sha256 alone."""
    path = fill(outbox["保育"], "保育")
    assert api.ingest(ws, [path]).files[0].outcome == "accepted"
    again = api.ingest(ws, [path], group="応援センター").files[0]
    assert again.outcome == "rejected"
    assert [p.code for p in again.problems] == ["wrong_group"]
    assert again.problems[0].message() == text("wrong_group", "ja", expected="応援センター",
                                                found="保育")
    # without the option it is what it was: unchanged, the same version
    same = api.ingest(ws, [path]).files[0]
    assert (same.outcome, same.version) == ("unchanged", 1)


def test_a_file_refused_for_the_wrong_group_option_is_read_again_next_time(ws, outbox, fill):
    path = fill(outbox["保育"], "保育")
    first = api.ingest(ws, [path], group="応援センター").files[0]
    assert [p.code for p in first.problems] == ["wrong_group"]
    again = api.ingest(ws, [path]).files[0]  # without the option: the file itself is fine
    assert again.outcome == "accepted"
