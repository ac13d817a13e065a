"""issue 12, re-issues: `generate` never silently invalidates books already sent; a book of an
earlier issue is answered with a feedback workbook on the latest template; generate is all or
nothing when an outbox book cannot be replaced."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api, store
from fujimi_xl.core.messages import error_text, text
from fujimi_xl.demo import (
    fill_sheet_workbook,
    fill_workbook,
    sample_programs_data,
    write_sample_plan,
    write_sample_programs,
)
from fujimi_xl.layouts import manifest
from tests import mounts

from .conftest import YEAR, input_sheet, master_snapshot, row_of

GROUPS = [("担当", "部", "グループ"), ("保育", "こども未来部", "保育グループ"),
          ("産業経済", "市民生活部", "産業経済グループ"), ("福祉", "福祉部", "福祉グループ")]
ROWS = [("4", "2", "1", "就労に向けた資格取得支援", "保育"),
        ("4", "3", "1", "商店街の活性化", "産業経済"),
        ("5", "1", "1", "見守りの充実", "福祉")]


def plan_book(path: Path, rows: list[tuple[str, ...]]) -> Path:
    """A small plan of our own (three groups, one item each), as the clerk writes it."""
    wb = openpyxl.Workbook()
    wb.active.title = "計画"
    wb.active.append(["節", "項", "号", "計画", "担当"])
    for r in rows:
        wb.active.append(list(r))
    gs = wb.create_sheet("担当一覧")
    for g in GROUPS:
        gs.append(list(g))
    st = wb.create_sheet("設定")
    st.append(["計画名", "テスト計画"])
    st.append(["市町村名", "富士見市"])
    wb.save(path)
    return path


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(folder.iterdir())}


def issues(ws: Any, form: str = "progress") -> list[tuple[str, str]]:
    conn = ws.connect()
    try:
        return [(r[0], r[1]) for r in conn.execute(
            "SELECT slot, issue_id FROM issued WHERE form = ? ORDER BY seq", (form,))]
    finally:
        conn.close()


def issue_of(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    parsed = manifest.from_cells([r[0].value for r in wb[manifest.SHEET].iter_rows()])
    assert parsed is not None
    return str(parsed[0]["issue_id"])


@pytest.fixture
def small(tmp_path: Path) -> Any:
    """A workspace on the small plan, its 2017 books generated."""
    ws = api.init(tmp_path / "ws", plan_book(tmp_path / "plan.xlsx", ROWS), "progress")
    api.generate(ws, "progress", YEAR)
    return ws


def answers(key: str, result: str = "実施した") -> dict[str, dict[str, str]]:
    return {key: {"result": result, "grade": "A", "reason": "予定どおり", "next_plan": "継続"}}


# -- an unchanged slot keeps its issued book ---------------------------------------------------

def test_generate_again_keeps_every_unchanged_book(run, ws):
    folder = ws.outbox / str(YEAR) / "progress"
    before, issued = digest(folder), issues(ws)
    res = run("generate", "progress", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert issues(ws) == issued
    assert digest(folder) == before
    assert res.output.count("発行済み・変更なし") == len(issued)
    assert "平成29年度 progress: 0 件のブックを作成しました" in res.output
    assert "--reissue" in res.output


def test_generate_again_keeps_unchanged_action_plan_books(run, tmp_path):
    ws = api.init(tmp_path / "ws", write_sample_plan(tmp_path / "plan.xlsx"), "progress")
    api.load_plan(ws, write_sample_programs(tmp_path / "programs.xlsx"), "action_plan")
    api.generate(ws, "action_plan", 2018)
    folder = ws.outbox / "2018" / "action_plan"
    before, issued = digest(folder), issues(ws, "action_plan")
    res = run("generate", "action_plan", "--year", 2018, "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert issues(ws, "action_plan") == issued and digest(folder) == before
    assert res.output.count("発行済み・変更なし") == len(issued) == 3


def test_a_deleted_book_is_written_again_as_the_same_issue(ws, fill):
    folder = ws.outbox / str(YEAR) / "progress"
    book = next(folder.glob("*保育*.xlsx"))
    issue = issue_of(book)
    book.unlink()
    issued = issues(ws)
    api.generate(ws, "progress", YEAR)
    assert issues(ws) == issued and issue_of(book) == issue
    assert api.ingest(ws, [fill(book, "保育")]).files[0].outcome == "accepted"


def test_reissue_needs_the_option_and_names_the_groups(run, ws):
    folder = ws.outbox / str(YEAR) / "progress"
    before, issued = digest(folder), issues(ws)
    res = run("generate", "progress", "--year", YEAR, "-w", ws.root, "--reissue",
              "--group", "保育")
    assert res.exit_code == 0, res.output
    new = issues(ws)[len(issued):]
    assert [slot for slot, _ in new] == ["保育"]
    assert "  保育: --reissue により再発行します。" in res.output
    after = digest(folder)
    changed = [n for n in before if before[n] != after[n]]
    assert len(changed) == 1 and "保育" in changed[0]


# -- a changed plan: which slots get a new book, and why ----------------------------------------

def test_changed_plan_names_the_slots_and_why(run, small, tmp_path):
    rows = [ROWS[0], ("4", "2", "2", "新しい項目", "保育"),
            ("4", "3", "1", "商店街の活性化と空き店舗対策", "産業経済"), ROWS[2]]
    api.load_plan(small, plan_book(tmp_path / "plan2.xlsx", rows))
    before = issues(small)
    res = run("generate", "progress", "--year", YEAR, "-w", small.root)
    assert res.exit_code == 0, res.output
    assert [s for s, _ in issues(small)[len(before):]] == ["保育", "産業経済"]
    out = res.output
    assert "  保育: 計画が変わったため新しいブックを発行します（項目の追加: 4-2-2／削除: —／内容の変更: —）" \
        in out
    assert "  産業経済: 計画が変わったため新しいブックを発行します（項目の追加: —／削除: —／内容の変更: 4-3-1）" \
        in out
    assert "  福祉: 発行済み・変更なし" in out


# -- a book of an earlier issue comes back ------------------------------------------------------

def test_stale_book_is_answered_on_the_latest_template_with_the_answers(small, tmp_path):
    folder = small.outbox / str(YEAR) / "progress"
    old_book = next(folder.glob("*保育*.xlsx"))
    (tmp_path / "in").mkdir()
    old = fill_workbook(old_book, answers("4-2-1", "旧様式で記入"), tmp_path / "in" / "old.xlsx",
                        messy=False)
    rows = [ROWS[0], ("4", "2", "2", "新しい項目", "保育"), *ROWS[1:]]
    api.load_plan(small, plan_book(tmp_path / "plan2.xlsx", rows))
    api.generate(small, "progress", YEAR)
    conn = small.connect()
    try:
        first, second = [r[0] for r in conn.execute(
            "SELECT issued_at FROM issued WHERE slot = '保育' ORDER BY seq")]
        latest = conn.execute("SELECT issue_id FROM issued WHERE slot = '保育' "
                              "ORDER BY seq DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    before = master_snapshot(small)
    res = api.ingest(small, [old]).files[0]
    assert res.outcome == "rejected"
    assert [p.code for p in res.problems] == ["stale_template"]
    assert res.problems[0].message() == text(
        "stale_template", "ja", found=store.jp_time(first), expected=store.jp_time(second),
        added="4-2-2", removed="—", edited="—")
    assert "年" in store.jp_time(first) and ":" in store.jp_time(first)
    assert master_snapshot(small) == before
    assert res.feedback and Path(res.feedback).is_file()
    assert issue_of(Path(res.feedback)) == latest
    sheet = input_sheet(openpyxl.load_workbook(res.feedback))
    assert row_of(sheet, "4-2-2")  # the latest template's items
    values = [c.value for c in sheet[row_of(sheet, "4-2-1")]]
    assert "旧様式で記入" in values


def test_stale_book_after_reissue_comes_back_accepted_through_its_feedback(ws, outbox, fill):
    old = fill(outbox["保育"], "保育", {"4-2-1": {"result": "旧様式で記入"}}, name="old.xlsx")
    api.generate(ws, "progress", YEAR, ["保育"], reissue=True)
    res = api.ingest(ws, [old]).files[0]
    assert [p.code for p in res.problems] == ["stale_template"]
    assert "項目の追加: —／削除: —／内容の変更: —" in res.problems[0].message()
    back = api.ingest(ws, [res.feedback]).files[0]
    assert back.outcome == "accepted", [p.message() for p in back.problems]
    conn = ws.connect()
    try:
        value = conn.execute("SELECT value FROM current_values WHERE slot = '保育' AND "
                             "item_key = '4-2-1' AND field = 'result'").fetchone()[0]
    finally:
        conn.close()
    assert store.loads(value) == "旧様式で記入"


def test_stale_action_plan_book_is_answered_on_the_latest_template(tmp_path):
    ws = api.init(tmp_path / "ws", write_sample_plan(tmp_path / "plan.xlsx"), "progress")
    api.load_plan(ws, write_sample_programs(tmp_path / "programs.xlsx"), "action_plan")
    api.generate(ws, "action_plan", 2018)
    src = next((ws.outbox / "2018" / "action_plan").glob("*_2_*.xlsx"))
    a = {**sample_programs_data()["responses"]["2"], "notes": "旧様式の備考"}
    old = fill_sheet_workbook(src, a, tmp_path / "old.xlsx")
    api.generate(ws, "action_plan", 2018, reissue=True)
    res = api.ingest(ws, [old]).files[0]
    assert [p.code for p in res.problems] == ["stale_template"]
    assert res.feedback
    back = api.ingest(ws, [res.feedback]).files[0]
    assert back.outcome == "accepted", [p.message() for p in back.problems]


# -- all or nothing -----------------------------------------------------------------------------

def test_a_book_that_cannot_be_replaced_changes_nothing(run, ws):
    folder = ws.outbox / str(YEAR) / "progress"
    blocked = sorted(folder.glob("*.xlsx"))[-1]  # the last one written
    blocked.unlink()
    blocked.mkdir()  # a folder where the book should go: it cannot be replaced
    before, issued = digest(folder), issues(ws)
    res = run("generate", "progress", "--year", YEAR, "-w", ws.root, "--reissue")
    assert res.exit_code == 2
    assert str(blocked) in res.output
    assert "Excel で開いている場合は閉じてから" in res.output
    assert "Traceback" not in res.output
    assert issues(ws) == issued
    assert digest(folder) == before  # no book replaced, no temporary file left


def test_a_read_only_outbox_changes_nothing(run, ws):
    folder = ws.outbox / str(YEAR) / "progress"
    before, issued = digest(folder), issues(ws)
    with mounts.read_only(folder):  # read-only for root too (CI runs as root)
        res = run("generate", "progress", "--year", YEAR, "-w", ws.root, "--reissue")
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert res.output == "エラー: " + error_text("workspace_read_only", path=folder) + "\n"
    assert issues(ws) == issued and digest(folder) == before


def test_a_failure_while_recording_puts_the_old_books_back(ws, monkeypatch):
    folder = ws.outbox / str(YEAR) / "progress"
    before, issued = digest(folder), issues(ws)

    def broken(conn: Any, issued: Any, slot: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(api, "_record_issued", broken)
    with pytest.raises(OSError):
        api.generate(ws, "progress", YEAR, reissue=True)
    assert issues(ws) == issued and digest(folder) == before


def test_what_a_killed_generate_left_is_cleaned_and_the_book_written_again(ws):
    folder = ws.outbox / str(YEAR) / "progress"
    book = next(folder.glob("*保育*.xlsx"))
    issue = issue_of(book)
    dead = 2 ** 22 + 12345  # no such process
    book.rename(folder / f".{book.stem}.{dead}.old{book.suffix}")  # killed after moving aside
    (folder / f".{book.stem}.{dead}.tmp{book.suffix}").write_bytes(b"half")
    issued = issues(ws)
    api.generate(ws, "progress", YEAR)
    assert issues(ws) == issued and issue_of(book) == issue
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]
