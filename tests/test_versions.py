"""issue 12, versions: the newest answer wins by the workbook's own saved time, an older file
never becomes current, a refusal that a later accepted file superseded is history, and a clerk
can make an earlier version current again."""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from fujimi_xl import api, store
from fujimi_xl.core.messages import text
from fujimi_xl.demo import (
    fill_sheet_workbook,
    sample_programs_data,
    write_sample_plan,
    write_sample_programs,
)
from fujimi_xl.intake.ingest import saved_time

from .conftest import YEAR, master_snapshot, master_value, master_write

JST = dt.timezone(dt.timedelta(hours=9))


def set_saved(path: Path, when: dt.datetime) -> Path:
    """Give a workbook a saved time as Excel writes it: docProps/core.xml dcterms:modified,
    and the file's mtime (openpyxl's own save always writes 'now', so it is set after)."""
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
                assert stamp.encode() in data
            dst.writestr(info, data)
    os.replace(tmp, path)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, minute, tzinfo=JST)


def current(ws: Any, slot: str, item: str, fld: str, form: str = "progress") -> Any:
    conn = ws.connect()
    try:
        row = conn.execute("SELECT value, version FROM current_values WHERE form = ? AND "
                           "slot = ? AND item_key = ? AND field = ?",
                           (form, slot, item, fld)).fetchone()
    finally:
        conn.close()
    return None if row is None else (store.loads(row["value"]), row["version"])


def returns(outbox: dict[str, Path], fill: Any, group: str = "保育") -> tuple[Path, Path]:
    """Two returns of one group in one folder: the first saved at 10:18, the correction
    (named '… (2).xlsx', which sorts first by name) saved at 10:45."""
    src = outbox[group]
    first = fill(src, group, {"4-2-1": {"result": "最初の版"}}, name=src.name)
    second = fill(src, group, {"4-2-1": {"result": "訂正版"}},
                  name=f"{src.stem} (2){src.suffix}")
    assert sorted([first.name, second.name])[0] == second.name  # name order: the correction
    set_saved(first, at(10, 18))
    set_saved(second, at(10, 45))
    return first, second


# -- 1. the newest answer wins ------------------------------------------------------------------

def test_saved_time_is_the_workbooks_own_then_the_files_mtime(outbox, fill, tmp_path):
    path = set_saved(fill(outbox["保育"], "保育"), at(10, 18))
    os.utime(path, (at(12, 0).timestamp(),) * 2)  # copied later: core.xml still decides
    assert saved_time(path) == "2026-12-01T01:18:00+00:00"
    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bare, "w") as dst:
        for info in src.infolist():
            if info.filename != "docProps/core.xml":
                dst.writestr(info, src.read(info.filename))
    os.utime(bare, (at(9, 5).timestamp(),) * 2)
    assert saved_time(bare) == "2026-12-01T00:05:00+00:00"
    assert store.jp_time("2026-12-01T01:18:00+00:00") == "2026年12月1日 10:18"


def test_two_returns_in_one_folder_the_later_saved_becomes_current(ws, outbox, fill, run):
    first, second = returns(outbox, fill)
    res = run("ingest", first.parent, "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert current(ws, "保育", "4-2-1", "result") == ("訂正版", 2)
    conn = ws.connect()
    try:
        rows = conn.execute(
            "SELECT s.version, s.superseded_by IS NULL AS cur, f.file_name, f.saved_at "
            "FROM submissions s JOIN files f ON f.id = s.file_id WHERE s.slot = '保育' "
            "ORDER BY s.version").fetchall()
    finally:
        conn.close()
    assert [tuple(r) for r in rows] == [
        (1, 0, first.name, "2026-12-01T01:18:00+00:00"),
        (2, 1, second.name, "2026-12-01T01:45:00+00:00")]
    line = ("保育: 2 件の返送のうち " + second.name + "（2026年12月1日 10:45 保存）を現在の版 v2 に"
            "しました。ほかの 1 件は以前の版として保存しています")
    assert res.output.count("保育: 2 件の返送のうち") == 1
    assert line in res.output
    assert api.verify(ws).ok


def test_an_older_file_after_a_newer_one_is_kept_as_history_not_made_current(ws, outbox,
                                                                              fill, run):
    first, second = returns(outbox, fill)
    assert api.ingest(ws, [second]).files[0].outcome == "accepted"
    res = run("ingest", first, "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert current(ws, "保育", "4-2-1", "result") == ("訂正版", 1)
    message = text("older_version", "ja", name=first.name, saved="2026年12月1日 10:18", current=1,
                   current_file=second.name, current_saved="2026年12月1日 10:45")
    assert message in res.output
    assert "旧版\t" + first.name in res.output
    report = api.ingest(ws, [first])  # the same file again: an earlier version, no change
    assert [(f.outcome, f.version) for f in report.files] == [("superseded", 2)]
    assert current(ws, "保育", "4-2-1", "result") == ("訂正版", 1)
    assert api.verify(ws).ok


def test_the_saved_time_beats_the_reading_order_with_several_workers(ws, outbox, fill):
    paths = []
    for i, minute in enumerate([40, 10, 55, 20]):
        p = fill(outbox["保育"], "保育", {"4-2-1": {"result": f"版{minute}"}}, name=f"{i}.xlsx")
        paths.append(set_saved(p, at(10, minute)))
    rep = api.ingest(ws, paths, workers=2)
    assert rep.ok
    assert current(ws, "保育", "4-2-1", "result") == ("版55", 4)
    assert [f.version for f in rep.files] == [3, 1, 4, 2]


def test_sheet_layout_two_returns_newest_wins(tmp_path):
    root = tmp_path
    ws = api.init(root / "ws", write_sample_plan(root / "plan.xlsx"), "progress")
    api.load_plan(ws, write_sample_programs(root / "programs.xlsx"), "action_plan")
    api.generate(ws, "action_plan", 2018)
    src = next((ws.outbox / "2018" / "action_plan").glob("*_2_*.xlsx"))
    answers = sample_programs_data()["responses"]["2"]
    (root / "in").mkdir()
    late = fill_sheet_workbook(src, {**answers, "notes": "訂正後"}, root / "in" / "b (2).xlsx")
    early = fill_sheet_workbook(src, {**answers, "notes": "訂正前"}, root / "in" / "b.xlsx")
    set_saved(late, at(11, 0))
    set_saved(early, at(9, 0))
    rep = api.ingest(ws, [root / "in"])
    assert rep.ok, [p.message() for f in rep.files for p in f.problems]
    assert current(ws, "2", "2", "notes", "action_plan") == ("訂正後", 2)
    assert [(top.file_name, [o.file_name for o in others])
            for top, others in rep.slots_with_versions()] == [("b (2).xlsx", ["b.xlsx"])]


@pytest.mark.sqlite_only(reason="workspaces of older versions hold their master in SQLite")
def test_an_old_workspace_is_upgraded_in_place(ws, outbox, fill):
    path = fill(outbox["保育"], "保育")
    for statement in ("ALTER TABLE files DROP COLUMN saved_at",
                      "ALTER TABLE submissions DROP COLUMN restored_from",
                      "UPDATE meta SET value = '1' WHERE key = 'schema_version'"):
        master_write(ws, statement)
    assert api.ingest(ws, [path]).files[0].outcome == "accepted"
    assert master_value(ws, "SELECT value FROM meta WHERE key = 'schema_version'") \
        == str(store.SCHEMA_VERSION)
    assert master_value(ws, "SELECT saved_at FROM files")
    assert api.verify(ws).ok


# -- 2. restore ---------------------------------------------------------------------------------

def test_restore_makes_an_earlier_version_current_and_history_shows_it(ws, outbox, fill, run):
    first, second = returns(outbox, fill)
    api.ingest(ws, [first.parent])
    res = run("restore", "progress", "保育@1", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert res.output.strip() == (
        f"progress 平成29年度 保育: v1（{first.name}、2026年12月1日 10:18 保存）を現在の版に"
        "しました（新しい版 v3 として記録）")
    assert current(ws, "保育", "4-2-1", "result") == ("最初の版", 3)
    hist = [(e.version, e.current, e.value, e.restored_from, e.file_name)
            for e in api.history(ws, "4-2-1", "progress", YEAR)
            if e.field == "result" and e.slot == "保育"]
    assert hist == [(1, False, "最初の版", None, first.name),
                    (2, False, "訂正版", None, second.name),
                    (3, True, "最初の版", 1, first.name)]
    out = run("history", "4-2-1", "-w", ws.root, "--form", "progress").output
    assert "v3（現在・v1 を復元）" in out
    changes = api.diff(ws, "progress", YEAR, "保育@2", "保育@3")
    assert [(c.item_key, c.field, c.old, c.new) for c in changes] == [
        ("4-2-1", "result", "訂正版", "最初の版")]
    assert api.verify(ws).ok
    # the versions' files ingested again change nothing
    rep = api.ingest(ws, [first.parent])
    assert rep.ok and current(ws, "保育", "4-2-1", "result") == ("最初の版", 3)
    # the correction can be made current again by its file
    api.restore(ws, "progress", YEAR, str(second))
    assert current(ws, "保育", "4-2-1", "result") == ("訂正版", 4)
    assert api.verify(ws).ok


def test_restore_of_the_current_version_is_refused_in_words(ws, outbox, fill, run):
    api.ingest(ws, [fill(outbox["保育"], "保育")])
    before = master_snapshot(ws)
    res = run("restore", "progress", "保育@1", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 2
    assert "保育@1 はすでに現在の版です" in res.output
    res = run("restore", "progress", "保育@7", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 2
    assert "「保育@7」に当たる版が見つかりません" in res.output
    assert master_snapshot(ws) == before


# -- 4. a refusal that a later accepted file superseded is history ----------------------------

def test_a_refused_file_and_its_accepted_correction_in_one_folder_exit_0(ws, outbox, fill,
                                                                          run):
    bad = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}}, name="a.xlsx")
    set_saved(bad, at(9, 0))
    res = run("ingest", bad, "-w", ws.root)
    assert res.exit_code == 1
    good = fill(outbox["保育"], "保育", name="b.xlsx")
    set_saved(good, at(10, 18))
    res = run("ingest", bad.parent, "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert "旧版\ta.xlsx" in res.output
    message = text("superseded_refusal", "ja", name="a.xlsx", saved="2026年12月1日 9:00", n=1,
                   current_file="b.xlsx", current_saved="2026年12月1日 10:18", version=1)
    assert message in res.output
    res = run("ingest", bad.parent, "-w", ws.root)  # and every time after
    assert res.exit_code == 0, res.output


def test_both_at_once_the_refusal_is_superseded(ws, outbox, fill):
    bad = set_saved(fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}}, name="z.xlsx"),
                    at(9, 0))
    good = set_saved(fill(outbox["保育"], "保育", name="a.xlsx"), at(10, 0))
    rep = api.ingest(ws, [good, bad])
    assert rep.ok
    assert [(f.file_name, f.outcome) for f in rep.files] == [("a.xlsx", "accepted"),
                                                              ("z.xlsx", "superseded")]
    assert [p.code for p in rep.files[1].problems] == ["superseded_refusal"]


def test_a_refusal_saved_after_the_current_version_stays_a_refusal(ws, outbox, fill):
    good = set_saved(fill(outbox["保育"], "保育", name="a.xlsx"), at(9, 0))
    bad = set_saved(fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}}, name="z.xlsx"),
                    at(10, 0))
    rep = api.ingest(ws, [good, bad])
    assert not rep.ok
    assert [(f.file_name, f.outcome) for f in rep.files] == [("a.xlsx", "accepted"),
                                                              ("z.xlsx", "rejected")]


# -- the same on a small form of our own ---------------------------------------------------------

MINI_FORM = {
    "name": "mini", "version": 1, "title": "ミニ様式", "layout": "list", "input_sheet": "入力",
    "key": ["no"],
    "fields": [
        {"id": "no", "label": "番号", "role": "key", "display": "{n}", "width": 6},
        {"id": "topic", "label": "テーマ", "role": "locked", "width": 20},
        {"id": "memo", "label": "メモ", "role": "input", "width": 30},
    ],
    "instructions": ["{group} の{year_long}のメモです。"],
}
MINI_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
    "properties": {"no": {"type": "integer", "minimum": 1, "maximum": 99},
                   "topic": {"type": "string"}, "memo": {"type": "string", "minLength": 1}},
    "required": ["no", "topic", "memo"], "additionalProperties": False,
}


def mini_plan(path: Path, rows: list[tuple[Any, ...]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "計画"
    wb.active.append(["番号", "テーマ", "担当"])
    for r in rows:
        wb.active.append(list(r))
    gs = wb.create_sheet("担当一覧")
    for g in [("担当", "部", "グループ"), ("総務", "総務部", "総務グループ"),
              ("企画", "企画部", "企画グループ")]:
        gs.append(list(g))
    st = wb.create_sheet("設定")
    st.append(["計画名", "ミニ計画"])
    wb.save(path)
    return path


def mini_fill(src: Path, memo: dict[str, str], out: Path) -> Path:
    import openpyxl

    from fujimi_xl.layouts.list.generator import HEADER_ROW

    wb = openpyxl.load_workbook(src)
    sheet = wb["入力"]
    head = {sheet.cell(HEADER_ROW + 1, c).value: c for c in range(1, sheet.max_column + 1)}
    for r in range(HEADER_ROW + 2, sheet.max_row + 1):
        key = str(sheet.cell(r, 1).value)
        if key in memo:
            sheet.cell(r, head["メモ"]).value = memo[key]
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def test_a_small_form_of_our_own_keeps_the_newest_and_its_issued_books(tmp_path, run):
    import json

    ws = api.init(tmp_path / "ws")
    folder = ws.root / "templates" / "mini"
    folder.mkdir(parents=True)
    (folder / "form.json").write_text(json.dumps(MINI_FORM, ensure_ascii=False), "utf-8")
    (folder / "schema.json").write_text(json.dumps(MINI_SCHEMA), "utf-8")
    api.load_plan(ws, mini_plan(tmp_path / "plan.xlsx", [(1, "会議", "総務"), (2, "広報", "企画")]),
                  "mini")
    gen = api.generate(ws, "mini", YEAR)
    book = {g: p for g, p, _ in gen.files}["総務"]
    late = set_saved(mini_fill(book, {"1": "訂正後"}, tmp_path / "in" / "x (2).xlsx"), at(11, 0))
    early = set_saved(mini_fill(book, {"1": "訂正前"}, tmp_path / "in" / "x.xlsx"), at(10, 0))
    rep = api.ingest(ws, [tmp_path / "in"])
    assert rep.ok, [p.message() for f in rep.files for p in f.problems]
    assert [(f.file_name, f.version) for f in rep.files] == [(late.name, 2), (early.name, 1)]
    assert current(ws, "総務", "1", "memo", "mini") == ("訂正後", 2)
    res = run("generate", "mini", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert res.output.count("発行済み・変更なし") == 2
    api.load_plan(ws, mini_plan(tmp_path / "plan2.xlsx", [(1, "会議", "総務"), (2, "広報誌", "企画")]),
                  "mini")
    res = run("generate", "mini", "--year", YEAR, "-w", ws.root)
    assert "  企画: 計画が変わったため新しいブックを発行します（項目の追加: —／削除: —／内容の変更: 2）" \
        in res.output
    assert "  総務: 発行済み・変更なし" in res.output
    assert api.verify(ws).ok


def test_json_says_which_return_is_current(ws, outbox, fill, run):
    import json

    first, second = returns(outbox, fill)
    res = run("ingest", first.parent, "-w", ws.root, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["versions"] == [{"form": "progress", "year": YEAR, "slot": "保育",
                                 "current": second.name, "version": 2,
                                 "saved_at": "2026-12-01T01:45:00+00:00",
                                 "earlier": [first.name]}]
    assert data["counts"]["superseded"] == 0


def test_a_hostile_zip_directory_is_not_parsed_for_the_saved_time(tmp_path):
    # the saved time is read in the main process, before the worker's safety checks: a zip
    # with a huge directory falls back to the file's mtime without parsing it
    path = tmp_path / "many.xlsx"
    core = (b'<cp:coreProperties><dcterms:modified xsi:type="dcterms:W3CDTF">'
            b"2020-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("docProps/core.xml", core)
        for i in range(5000):
            zf.writestr(f"x/{i}", b"")
    os.utime(path, (at(9, 5).timestamp(),) * 2)
    assert saved_time(path) == "2026-12-01T00:05:00+00:00"
    small = tmp_path / "small.xlsx"
    with zipfile.ZipFile(small, "w") as zf:
        zf.writestr("docProps/core.xml", core)
    assert saved_time(small) == "2020-01-01T00:00:00+00:00"


def test_dry_run_says_an_older_file_would_stay_an_earlier_version(ws, outbox, fill):
    first, second = returns(outbox, fill)
    api.ingest(ws, [second])
    before = master_snapshot(ws)
    rep = api.ingest(ws, [first], dry_run=True)
    assert [(f.outcome, [p.code for p in f.problems]) for f in rep.files] == [
        ("superseded", ["older_version"])]
    assert master_snapshot(ws) == before
