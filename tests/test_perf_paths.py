"""The cheaper paths of generate and the reports (issue 13 item 12, "no slower") give what the
plain ones gave.

Each slot's last issue is read for all slots at once; a stored plan value passed once is not
checked again; a book whose snapshot is written the same way as its last issue's is unchanged;
a row's height measures only the texts that could make it taller.
"""

from __future__ import annotations

import gc
import json
import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api, store
from fujimi_xl.core import bulk
from fujimi_xl.core.errors import PlanError
from fujimi_xl.core.model import Group, Plan, PlanItem
from fujimi_xl.demo import sample_plan
from fujimi_xl.forms import load_form
from fujimi_xl.layouts import layout, print_fit
from fujimi_xl.layouts.list import generator
from fujimi_xl.layouts.list.reporting import write_report
from fujimi_xl.lifecycle.plan import check_stored
from fujimi_xl.store import issued as issues
from fujimi_xl.store.dataset import Row, Table

from .conftest import YEAR

ROOT = Path(__file__).resolve().parents[1]


def test_every_slots_last_issue_at_once_is_the_one_asked_slot_by_slot(ws):
    api.generate(ws, "progress", YEAR, reissue=True)  # a second issue of every slot
    api.generate(ws, "progress", YEAR, groups=["保育"], reissue=True)  # a third of one
    st = store.open_store(ws)
    try:
        slots = [r["slot"] for r in st.query("SELECT DISTINCT slot FROM issued WHERE form = ? "
                                             "AND year = ?", ("progress", YEAR))]
        at_once = issues.last_by_slot(st, "progress", YEAR)
        assert sorted(at_once) == sorted(slots) and len(slots) > 1
        for slot in slots:
            one = issues.last(st, "progress", YEAR, slot)
            assert at_once[slot]["issue_id"] == one["issue_id"]
            assert at_once[slot]["items"] == one["items"]
        assert issues.last_by_slot(st, "progress", YEAR + 5) == {}
    finally:
        st.close()


def test_generate_again_keeps_every_book_and_issues_nothing(ws):
    before = store.open_store(ws)
    try:
        n = before.scalar("SELECT count(*) FROM issued")
    finally:
        before.close()
    res = api.generate(ws, "progress", YEAR)
    assert res.files == [] and {state for _, state, _ in res.slots} == {"unchanged"}
    after = store.open_store(ws)
    try:
        assert after.scalar("SELECT count(*) FROM issued") == n
    finally:
        after.close()


def _strict_form(tmp_path: Path) -> Any:
    """The progress form with 号 at most 5 (its definition changed after the plan came)."""
    schema = json.loads((ROOT / "templates/progress/schema.json").read_text(encoding="utf-8"))
    schema["properties"]["number"]["maximum"] = 5
    folder = tmp_path / "templates" / "progress"
    folder.mkdir(parents=True)
    (folder / "form.json").write_bytes((ROOT / "templates/progress/form.json").read_bytes())
    (folder / "schema.json").write_text(json.dumps(schema, ensure_ascii=False),
                                        encoding="utf-8")
    return load_form("progress", tmp_path)


def _item(key: str, group: str, number: Any) -> PlanItem:
    return PlanItem(key, group, {"section": 1, "item": 1, "number": number, "plan": "同じ計画"})


def test_a_refused_value_shared_by_many_items_is_refused_at_each(tmp_path):
    form = _strict_form(tmp_path)
    groups = [Group("A", "部", "A"), Group("B", "部", "B")]
    items = [_item("1-1-1", "A", 1), _item("1-1-6", "A", 6), _item("1-1-1", "B", 1),
             _item("1-1-6", "B", 6), _item("1-1-7", "B", 7)]
    with pytest.raises(PlanError) as err:
        check_stored(Plan("progress", groups, items), form)
    assert [(p.item_key, p.field_id, p.value) for p in err.value.problems] == [
        ("1-1-6", "number", 6), ("1-1-6", "number", 6), ("1-1-7", "number", 7)]


def test_a_value_equal_to_one_passed_but_of_another_type_is_checked_again(tmp_path):
    form = _strict_form(tmp_path)
    # True == 1 in Python, but a JSON boolean is no integer: 1 passing does not pass True
    items = [_item("1-1-1", "A", 1), _item("1-1-2", "A", True)]
    with pytest.raises(PlanError) as err:
        check_stored(Plan("progress", [Group("A", "部", "A")], items), form)
    assert [(p.item_key, p.field_id) for p in err.value.problems] == [("1-1-2", "number")]


def test_a_sound_plan_passes(tmp_path):
    form = _strict_form(tmp_path)
    items = [_item(f"1-1-{n}", g, n) for g in "AB" for n in range(1, 6)]
    check_stored(Plan("progress", [Group("A", "部", "A"), Group("B", "部", "B")], items), form)


def _measured_all(cells: list[tuple[str, float]]) -> int:
    """The lines of a row measuring every text (what the shortcuts must equal)."""
    return max([1, *(layout.line_count(t, w) for t, w in cells if t)])


def test_a_row_skips_only_texts_that_cannot_add_a_line():
    rng = random.Random(13)
    pieces = ["計画の文章", "abc", "１２３", "ｱｲｳ", "①", "\n", "\r\n", " ", "実施した内容。"]
    for _ in range(3000):
        cells = [("".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30))),
                  rng.choice([0.5, 1, 1.5, 2, 4, 5.5, 7, 22, 36, 100]))
                 for _ in range(rng.randrange(1, 8))]
        lines = _measured_all(cells)
        assert print_fit.row_points(cells) == lines * layout.LINE_POINTS + layout.PADDING_POINTS
        assert layout.row_height(cells) == min(409.0, round(
            lines * layout.LINE_POINTS + layout.PADDING_POINTS, 1))
        assert layout.row_height(cells, min_lines=3) == min(409.0, round(
            max(3, lines) * layout.LINE_POINTS + layout.PADDING_POINTS, 1))


def test_a_text_not_measured_for_the_largest_row_cannot_outgrow_it():
    rng = random.Random(409)
    pieces = ["事業の説明。", "abc", "\n", "①", "ｱｲ", "x" * 40, "長" * 60]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40)))
        width = rng.choice([0.5, 1, 2, 4, 9, 18, 27, 45, 90])
        limit = rng.choice([16.5, 100.0, print_fit.MAX_ROW_POINTS])
        if print_fit.text_points(text, width) > limit:
            assert print_fit.may_need(text, width, limit)


def test_the_widths_of_column_spans_are_the_sums_of_their_columns():
    for widths in ([9] * 10, [4, 5.5, 12, 8.25, 30], [3]):
        table = layout.span_widths(tuple(widths))
        for c in range(len(widths) + 2):
            for n in range(len(widths) + 3):
                assert layout.span_width(table, widths, c, n) == float(sum(widths[c:c + n]))


def test_each_item_row_of_an_input_book_is_as_high_as_its_tallest_text(tmp_path):
    """The heights the builder works out cell by cell are layout.row_height's, at least
    ROW_POINTS, for texts of every length and shape put back into a book: short ones (rows
    of the least height), long ones and ones of several lines."""
    form = load_form("progress")
    plan = sample_plan()
    group = plan.group("応援センター")
    items = [it for it in plan.items if it.group == group.code]
    inputs = [f.id for f in form.input_fields]
    fields = generator.sheet_fields(form)
    rows = dict(generator.locked_rows(form, items))
    short = (["取り組み", "abc ", "１２", "①"], [0, 1, 2])
    mixed = (["取り組みを進めた。", "abc ", "\n", "a\nb\nc\nd", "１２３", "①", "長" * 30],
             [0, 1, 1, 2, 3, 6, 12])
    for n_book, (pieces, sizes) in enumerate([short, mixed]):
        rng = random.Random(40 + n_book)
        values = {it.key: {fid: "".join(rng.choice(pieces) for _ in range(rng.choice(sizes)))
                           for fid in inputs} for it in items}
        path = tmp_path / f"book{n_book}.xlsx"
        generator.build(path, form, 2017, group, items, key=bytes(32), issue_id="0" * 32,
                        issued_at="2017-04-01T09:00:00+09:00", values=values)
        sheet = openpyxl.load_workbook(path)[form.input_sheet]
        heights = set()
        for n, it in enumerate(items):
            texts = {**rows[it.key], **values[it.key]}
            cells = [(texts.get(f.id, ""), f.width) for f in fields if texts.get(f.id, "")]
            expected = max(layout.row_height(cells), generator.ROW_POINTS)
            got = sheet.row_dimensions[generator.FIRST_ROW + n + 1].height
            # xlsxwriter keeps a height in whole pixels
            assert round(got * 4 / 3) == int(expected * 4 / 3 + 0.5), (it.key, got, expected)
            heights.add(expected)
        assert len(heights) > 1  # rows of the least height and taller ones


def test_the_collector_is_paused_while_a_workbook_is_built_and_runs_again_after(tmp_path):
    seen: list[bool] = []
    with bulk.gc_paused():
        seen.append(gc.isenabled())
    assert seen == [False] and gc.isenabled()
    with pytest.raises(ZeroDivisionError), bulk.gc_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()  # a failed build leaves it running
    gc.disable()
    try:
        with bulk.gc_paused():
            pass
        assert not gc.isenabled()  # the caller's pause is the caller's to end
    finally:
        gc.enable()


def test_generate_and_the_reports_leave_the_collector_running(ws, tmp_path):
    api.generate(ws, "progress", YEAR, reissue=True)
    assert gc.isenabled()
    form = load_form("progress")
    group = Group("G", "部", "グループ")
    table = Table("progress", YEAR, [Row("1-1-1", group, {"section": 1, "item": 1,
                                                         "number": 1, "plan": "計画"}, True)],
                  [group], [])
    write_report(tmp_path / "report.xlsx", form, table)
    assert gc.isenabled()


def test_a_page_of_one_row_at_a_time_breaks_where_a_block_of_one_row_does():
    rng = random.Random(7)
    for _ in range(200):
        page, top = rng.choice([300.0, 500.0, 800.0]), rng.choice([0.0, 22.0])
        one, block = print_fit.Pages(page, top, 80.0), print_fit.Pages(page, top, 80.0)
        for r in range(60):
            h = rng.choice([16.5, 30.0, 43.5, 200.0, 409.0, 900.0])
            assert one.add_row(r, h) == block.add(r, [h])
            assert one.y == block.y
        assert one.breaks == block.breaks


def test_a_text_of_nine_characters_never_outgrows_excels_largest_row():
    """What the action-plan book skips without measuring (reporting_sheet._grow)."""
    rng = random.Random(9)
    for _ in range(2000):
        text = "".join(rng.choice(["\n", "長", "a", "①"]) for _ in range(rng.randrange(10)))
        for width in (0.0, 0.5, 1.0, 2.0, 9.0):
            assert print_fit.text_points(text, width) <= print_fit.MAX_ROW_POINTS
    assert print_fit.may_need("\n" * 10, 0.0, print_fit.MAX_ROW_POINTS)
