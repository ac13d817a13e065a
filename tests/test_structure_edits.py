"""Staff edit the structure: the right data is read, or the file is refused naming the range.
A value is never read from the wrong column or dropped without a word."""

from __future__ import annotations

import openpyxl

from fujimi_xl import api

from .conftest import master_snapshot


def stored(ws, field):
    conn = ws.connect()
    try:
        return {r["item_key"]: (r["value"], r["cell"]) for r in conn.execute(
            "SELECT item_key, value, cell FROM current_values WHERE field = ?", (field,))}
    finally:
        conn.close()


def edit(path, change):
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def test_renamed_input_sheet_is_found_through_its_defined_names(ws, outbox, fill):
    def rename(wb):
        wb["入力"].title = "記入シート"
        for dn in wb.defined_names.values():  # Excel rewrites names when a sheet is renamed
            dn.attr_text = dn.attr_text.replace("'入力'", "'記入シート'")

    res = api.ingest(ws, [edit(fill(outbox["保育"], "保育"), rename)]).files[0]
    assert res.outcome == "accepted"
    assert stored(ws, "grade")["4-2-1"] == ('"A"', "G5")


def test_renamed_sheet_without_names_is_found_by_its_header(ws, outbox, fill):
    def rename(wb):
        wb["入力"].title = "記入"
        for name in ("fx_table", "fx_header"):
            del wb.defined_names[name]

    assert api.ingest(ws, [edit(fill(outbox["保育"], "保育"), rename)]).files[0].outcome == \
        "accepted"


def test_new_first_sheet_and_reordered_sheets(ws, outbox, fill):
    def reorder(wb):
        memo = wb.create_sheet("メモ", 0)
        memo["A1"] = "課内での確認用メモ"
        wb.move_sheet("選択肢", offset=-2)

    res = api.ingest(ws, [edit(fill(outbox["保育"], "保育"), reorder)]).files[0]
    assert res.outcome == "accepted" and res.problems == []


def test_inserted_column_shifts_nothing(ws, outbox, fill):
    def insert(wb):
        sheet = wb["入力"]
        sheet.insert_cols(7)  # between 実施内容 (F) and 評価 (G)
        sheet["G4"] = "担当メモ"

    res = api.ingest(ws, [edit(fill(outbox["保育"], "保育"), insert)]).files[0]
    assert res.outcome == "accepted"
    assert stored(ws, "grade")["4-2-1"] == ('"A"', "H5")  # read where it moved to
    assert stored(ws, "next_plan")["4-2-1"][1] == "J5"


def test_a_note_in_an_inserted_column_is_reported_not_dropped(ws, outbox, fill):
    def insert(wb):
        sheet = wb["入力"]
        sheet.insert_cols(7)
        sheet["G5"] = "課長確認済"

    res = api.ingest(ws, [edit(fill(outbox["保育"], "保育"), insert)]).files[0]
    assert res.outcome == "accepted"
    assert [(p.where(), p.code, p.severity, p.value) for p in res.problems] == [
        ("入力!G5", "stray_value", "warning", "課長確認済")]


def test_note_outside_the_input_area_is_a_recorded_warning(ws, outbox, fill):
    def note(wb):
        wb["入力"]["C20"] = "9月に再確認する"

    res = api.ingest(ws, [edit(fill(outbox["保育"], "保育"), note)]).files[0]
    assert res.outcome == "accepted"
    assert [(p.where(), p.code, p.severity) for p in res.problems] == [
        ("入力!C20", "stray_value", "warning")]
    conn = ws.connect()
    try:
        recorded = conn.execute("SELECT n_warnings, problems FROM files WHERE outcome = "
                                "'accepted'").fetchone()
    finally:
        conn.close()
    assert recorded["n_warnings"] == 1 and "9月に再確認する" in recorded["problems"]


def test_merged_range_over_input_cells_is_refused_naming_the_range(ws, outbox, fill):
    before = master_snapshot(ws)

    def merge(wb):
        wb["入力"].merge_cells("H5:I5")  # 理由・課題等 and H30計画内容 merged: I5's value hides

    res = api.ingest(ws, [edit(fill(outbox["保育"], "保育"), merge)]).files[0]
    assert res.outcome == "rejected"
    codes = [(p.where(), p.code, p.params.get("found")) for p in res.problems]
    assert ("入力!H5", "merged_input", "H5:I5") in codes
    assert ("入力!I5", "merged_input", "H5:I5") in codes
    assert master_snapshot(ws) == before
