"""The command line: exit codes, the lines a clerk reads, --json, --lang en, and the docs."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.cli import cli
from fujimi_xl.demo import write_sample_plan

from .conftest import YEAR, master_value

README = Path(__file__).resolve().parent.parent / "README.md"


def test_plan_template_and_init(run, tmp_path):
    res = run("plan-template", tmp_path / "plan.xlsx", "--form", "progress")
    assert res.exit_code == 0
    assert "計画ブックのひな形を作成しました" in res.output
    plan = write_sample_plan(tmp_path / "sample.xlsx")
    res = run("init", tmp_path / "ws", "--plan", plan, "--form", "progress")
    assert res.exit_code == 0, res.output
    assert "計画: 26 行（担当 10）" in res.output
    ws = api.open_workspace(tmp_path / "ws")
    assert master_value(ws, "SELECT count(*) FROM plan_items") == 26
    assert (tmp_path / "ws" / "master.sqlite").is_file() == (ws.db_url.startswith("sqlite:"))
    assert (tmp_path / "ws" / "secret.key").stat().st_mode & 0o077 == 0


def test_init_with_a_bad_plan_lists_cells_and_exits_1(run, tmp_path):
    bad = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "計画"
    wb.active.append(["節", "項", "号", "計画", "担当"])
    wb.active.append([1, 1, 1, "x", "どこか"])
    g = wb.create_sheet("担当一覧")
    g.append(["担当", "部", "グループ"])
    wb.save(bad)
    res = run("init", tmp_path / "ws", "--plan", bad, "--form", "progress")
    assert res.exit_code == 1
    assert "bad.xlsx 計画!E2【担当】: 担当「どこか」は担当一覧シートにありません。" in res.output


def test_generate_prints_where_the_files_are(run, ws):
    res = run("generate", "progress", "--year", "H30", "-w", ws.root)
    assert res.exit_code == 0, res.output
    assert res.output.startswith("平成30年度 progress: 10 件のブックを作成しました")
    assert "保育（1項目）: " in res.output and "平成30年度_進捗状況評価_保育グループ.xlsx" in res.output


def test_bad_year_is_explained(run, ws):
    res = run("generate", "progress", "--year", "平成", "-w", ws.root)
    assert res.exit_code == 2
    assert "年度「平成」を読めません" in res.output


def test_missing_workspace_is_explained(run, tmp_path):
    res = run("status", "progress", "--year", "2018", "-w", tmp_path / "nothing")
    assert res.exit_code == 2
    assert "作業フォルダではありません" in res.output


def test_ingest_exit_codes_lines_and_problem_table(run, ws, outbox, fill):
    good = fill(outbox["産業経済"], "産業経済")
    bad = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}})
    res = run("ingest", good, bad, "-w", ws.root)
    assert res.exit_code == 1
    lines = res.output.splitlines()
    assert f"受理\t{good.name}\t産業経済\t1件 v1" in lines
    assert f"差戻し\t{bad.name}\t保育\tエラー 1" in lines
    assert (f"{bad.name}\t入力!G5\t評価\t「E」は選択肢にありません。A・B・C・D のいずれかを"
            "一覧から選んでください。") in lines
    assert lines[-1] == "2件中 受理1・差戻し1・変更なし0・読み飛ばし0"
    again = run("ingest", good, "-w", ws.root)
    assert again.exit_code == 0
    assert f"変更なし\t{good.name}\t産業経済\tv1" in again.output.splitlines()


def test_ingest_json_is_the_library_report(run, ws, outbox, fill):
    bad = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}})
    res = run("ingest", bad, "-w", ws.root, "--json")
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert data["ok"] is False and data["counts"]["rejected"] == 1
    p = data["files"][0]["problems"][0]
    assert (p["sheet"], p["cell"], p["field"], p["code"]) == ("入力", "G5", "評価", "not_in_scale")
    assert data["files"][0]["feedback"].endswith(".xlsx")


def test_lang_en(run, ws, outbox, fill):
    bad = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}})
    res = run("--lang", "en", "ingest", bad, "-w", ws.root)
    assert res.exit_code == 1
    assert f"rejected\t{bad.name}\t保育\terrors 1" in res.output
    assert "'E' is not one of the choices. Pick one of A・B・C・D from the list." in res.output
    assert "1 files: 0 accepted, 1 rejected" in res.output


def test_status_shows_who_is_missing(run, ws, outbox, fill):
    run("ingest", fill(outbox["保育"], "保育"), "-w", ws.root)
    run("ingest", fill(outbox["産業経済"], "産業経済", {"4-2-1": {"grade": "X"}}), "-w", ws.root)
    res = run("status", "progress", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in res.output.splitlines()}
    assert rows["保育"][1:3] == ["受理済", "1"]
    assert rows["産業経済"][1] == "差戻し中"
    assert rows["応援センター"][1] == "未提出"
    assert "督促が必要な担当 (9): こども未来部 子ども未来応援センターグループ" in res.output
    data = json.loads(run("status", "progress", "--year", YEAR, "-w", ws.root, "--json").output)
    assert len(data["missing"]) == 9 and "保育" not in data["missing"]


def test_report_command(run, ws, outbox, fill, tmp_path):
    run("ingest", fill(outbox["保育"], "保育"), "-w", ws.root)
    out = tmp_path / "結果.xlsx"
    res = run("report", "progress", "--year", "H29", "-w", ws.root, "-o", out)
    assert res.exit_code == 0
    assert f"集計表を作成しました: {out}（26 行）" in res.output
    assert "未提出の担当: 応援センター" in res.output
    assert out.is_file()


@pytest.mark.libreoffice
def test_report_pdf(run, ws, outbox, fill, tmp_path):
    for group, path in outbox.items():
        run("ingest", fill(path, group), "-w", ws.root)
    out = tmp_path / "r.xlsx"
    res = run("report", "progress", "--year", YEAR, "-w", ws.root, "-o", out, "--pdf")
    assert res.exit_code == 0, res.output
    pdf = tmp_path / "r.pdf"
    assert f"PDF: {pdf}" in res.output
    assert pdf.read_bytes().startswith(b"%PDF")


def test_every_command_has_help_and_is_in_the_readme(run):
    readme = README.read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help, name
        assert run(name, "--help").exit_code == 0
        assert f"fujimi-xl {name}" in readme, name
