"""See before merging and after: dry run, history, diff; and take the data elsewhere: export."""

from __future__ import annotations

import csv
import json

import openpyxl
from click.testing import CliRunner

from fujimi_xl import api
from fujimi_xl.cli import cli

from .conftest import YEAR, master_snapshot, master_value


def counts(ws):
    return (master_value(ws, "SELECT count(*) FROM files"),
            len(list(ws.archive.glob("*"))), len(list(ws.feedback.rglob("*.xlsx"))))


def test_dry_run_shows_old_and_new_and_writes_nothing(ws, outbox, fill):
    api.ingest(ws, [fill(outbox["保育"], "保育", name="v1.xlsx")])
    before, before_counts = master_snapshot(ws), counts(ws)
    v2 = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "B", "reason": "新しい理由"}},
              name="v2.xlsx")
    bad = fill(outbox["産業経済"], "産業経済", {"4-2-1": {"grade": "E"}}, name="bad.xlsx")
    rep = api.ingest(ws, [v2, bad], dry_run=True)
    assert [f.outcome for f in rep.files] == ["accepted", "rejected"]
    assert rep.files[0].version == 2
    assert rep.files[0].changes == [
        ("4-2-1", "grade", "A", "B"),
        ("4-2-1", "reason", "待機児童数の推移を勘案しながら、専用枠の設置を検討する", "新しい理由")]
    assert rep.files[1].feedback == ""
    assert master_snapshot(ws) == before and counts(ws) == before_counts
    out = CliRunner().invoke(cli, ["ingest", str(v2), "-w", str(ws.root), "--dry-run"])
    assert "受理予定\tv2.xlsx\t保育" in out.output
    assert "\t4-2-1 評価: A → B" in out.output
    assert master_snapshot(ws) == before


def test_history_and_diff(ws, outbox, fill):
    v1 = fill(outbox["保育"], "保育", name="v1.xlsx")
    v2 = fill(outbox["保育"], "保育", {"4-2-1": {"next_plan": "第2版の計画"}}, name="v2.xlsx")
    api.ingest(ws, [v1])
    api.ingest(ws, [v2])
    entries = [e for e in api.history(ws, "4-2-1") if e.field == "next_plan" and e.slot == "保育"]
    assert [(e.version, e.current, e.file_name, e.cell) for e in entries] == [
        (1, False, "v1.xlsx", "I5"), (2, True, "v2.xlsx", "I5")]
    assert entries[1].value == "第2版の計画"
    by_file = api.diff(ws, "progress", YEAR, str(v1), str(v2))
    by_version = api.diff(ws, "progress", YEAR, "保育@1", "保育@2")
    assert [(c.item_key, c.field, c.new, c.cell) for c in by_file] == [
        ("4-2-1", "next_plan", "第2版の計画", "I5")]
    assert [c.to_dict() for c in by_file] == [c.to_dict() for c in by_version]
    res = CliRunner().invoke(cli, ["history", "4-2-1", "-w", str(ws.root), "--form", "progress"])
    assert res.exit_code == 0
    assert "progress 平成29年度 保育 v1（旧版）\tH30計画内容" in res.output
    res = CliRunner().invoke(cli, ["diff", "progress", "--year", "2017", "-w", str(ws.root),
                                   "--between", "保育@1", "保育@9"])
    assert res.exit_code == 2 and "「保育@9」に当たる版が見つかりません" in res.output


def test_export_csv_json_xlsx_escape_formulas(ws, outbox, fill, tmp_path):
    path = fill(outbox["保育"], "保育")
    wb = openpyxl.load_workbook(path)
    wb["入力"]["H5"].value = "=HYPERLINK(\"http://example.invalid\")"
    wb["入力"]["H5"].data_type = "s"
    wb.save(path)
    assert api.ingest(ws, [path]).files[0].outcome == "accepted"
    csv_path = api.export(ws, "progress", YEAR, tmp_path / "out.csv", "csv")
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:8] == ["節", "項", "号", "計画", "H29実施内容", "評価", "理由・課題等",
                           "H30計画内容"]
    hoiku = next(r for r in rows if r[8] == "保育")
    assert hoiku[6] == "'=HYPERLINK(\"http://example.invalid\")"
    assert hoiku[11] == "提出済"
    assert sum(1 for r in rows[1:] if r[11] == "未提出") == 25
    data = json.loads(api.export(ws, "progress", YEAR, tmp_path / "o.json", "json").read_text())
    row = next(r for r in data["rows"] if r["担当"] == "保育")
    assert row["理由・課題等"].startswith("'=HYPERLINK")
    x = openpyxl.load_workbook(api.export(ws, "progress", YEAR, tmp_path / "o.xlsx", "xlsx"))
    cell = next(c for c in x["データ"]["G"] if c.value and str(c.value).startswith("=HYPER"))
    assert cell.data_type == "s"
