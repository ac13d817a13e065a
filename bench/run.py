"""Benchmarks of issue 5: each goal's time, the reference measured in the same run, the ratio.

    python bench/run.py                  # 500 files, scale 100/500/2000 (a few minutes)
    python bench/run.py --files 100 --scale 100,200 --quick

Prints one line per goal: ours, the reference, ours/reference, the goal, and peak memory where
it matters. The ingest also runs with the master on PostgreSQL (a throwaway cluster started
here, the same workspace migrated into it), beside SQLite in the same run; without the
PostgreSQL server binaries that line says it was skipped.
Absolute times on a shared 2-core machine are noisy; the ratios are what count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import data  # noqa: E402

from fujimi_xl import api  # noqa: E402
from tests import pgcluster  # noqa: E402

YEAR = 2018


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t, out


def paired(n, ours, ref, ref_input=None):
    """Best of n runs of each, taken in turns (ours, ref, ours, ref…), so that a slow spell
    of the shared machine falls on both sides alike. Returns (ours, ref) in seconds.
    ``ref_input``: made before each reference run, outside its time, and passed to it."""
    o, r = [], []
    for _ in range(n):
        o.append(timed(ours)[0])
        r.append(timed(ref, ref_input())[0] if ref_input else timed(ref)[0])
    return min(o), min(r)


def calamine_read(paths):
    import python_calamine as pc

    cells = 0
    for p in paths:
        wb = pc.CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python()
            cells += sum(len(r) for r in rows)
        wb.close()
    return cells


def fresh_copy(src: Path, tmp: Path) -> Path:
    dst = tmp / f"ws_{time.monotonic_ns()}"
    shutil.copytree(src, dst)
    return dst


def ingest_in_child(ws_root: Path, folder: Path, workers: int) -> dict:
    """Run an ingest in a child process; its time and peak memory (RSS) in MB.

    The main process's peak is VmHWM from /proc: ru_maxrss would be the benchmark parent's,
    since Linux keeps it across fork and exec."""
    code = (
        "import json, resource, sys, time\n"
        "from fujimi_xl import api\n"
        "ws = api.open_workspace(sys.argv[1])\n"
        "t = time.perf_counter()\n"
        "rep = api.ingest(ws, [sys.argv[2]], workers=int(sys.argv[3]))\n"
        "el = time.perf_counter() - t\n"
        "me = next(int(l.split()[1]) for l in open('/proc/self/status')\n"
        "          if l.startswith('VmHWM:')) / 1024  # this process's own peak\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': el, 'rss_main_mb': me, 'rss_worker_mb': kids,\n"
        "  'counts': rep.to_dict()['counts']}))\n")
    out = subprocess.run([sys.executable, "-c", code, str(ws_root), str(folder), str(workers)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def store_floor(ws_root: Path, tmp: Path) -> float:
    """What storing the accepted values costs at the least: the rows an ingest stored, inserted
    again into a plain table (no primary key, no foreign key, no other table) of a fresh
    database in the same WAL mode, 100 files to a commit. Not a goal: a floor under ingest."""
    import sqlite3

    src = sqlite3.connect(str(ws_root / "master.sqlite"))
    subs: dict[int, list[tuple]] = {}
    for row in src.execute("SELECT submission_id, item_key, field, value, sheet, cell "
                           "FROM record_values ORDER BY rowid"):
        subs.setdefault(row[0], []).append(row)
    src.close()
    db = tmp / f"floor_{time.monotonic_ns()}.sqlite"
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE v (submission_id, item_key, field, value, sheet, cell)")
    t = time.perf_counter()
    conn.execute("BEGIN")
    for n, rows in enumerate(subs.values(), start=1):
        conn.executemany("INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)", rows)
        if n % 100 == 0:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    conn.execute("COMMIT")
    seconds = time.perf_counter() - t
    conn.close()
    return seconds


def line(goal, ours, ref, limit, extra=""):
    ratio = ours / ref if ref else float("inf")
    ok = "OK " if ratio <= limit else "MISS"
    print(f"{ok} {goal:<46} ours {ours:7.2f} s  ref {ref:7.2f} s  ratio {ratio:5.2f} "
          f"(goal ≤ {limit}) {extra}", flush=True)
    return {"goal": goal, "ours": ours, "ref": ref, "ratio": ratio, "limit": limit}


def start_postgresql() -> pgcluster.Cluster | None:
    """A throwaway PostgreSQL cluster for the ingest on PostgreSQL, None without the binaries."""
    bindir = pgcluster.bin_dir()
    if bindir is None:
        return None
    cluster = pgcluster.Cluster(bindir)
    try:
        cluster.start()
    except BaseException:
        cluster.cleanup()
        raise
    return cluster


def on_postgresql(src: Path, tmp: Path, cluster: pgcluster.Cluster) -> Path:
    """A fresh copy of the workspace ``src`` with its master migrated into a new database."""
    root = fresh_copy(src, tmp)
    api.migrate(api.open_workspace(root), cluster.url(cluster.create_db(cluster.new_name("b"))))
    return root


def bench_ingest(tmp: Path, n: int, runs: int) -> list[dict]:
    os.environ.pop("FUJIMI_DB_URL", None)  # each workspace says where its master is
    ws = data.make_workspace(tmp / f"ingest{n}", n)
    t_gen, _ = timed(api.generate, ws, "progress", YEAR)
    files = data.make_returns(ws, YEAR, tmp / f"returned{n}")
    folder = files[0].parent
    results = []
    refs, ones, twos, pgs = [], [], [], []
    cluster = start_postgresql()
    try:
        for _ in range(runs):  # in turns, so a slow spell of the machine falls on all alike
            refs.append(timed(calamine_read, files)[0])
            ones.append(ingest_in_child(fresh_copy(ws.root, tmp), folder, 1))
            merged = fresh_copy(ws.root, tmp)
            twos.append(ingest_in_child(merged, folder, 2))
            if cluster is not None:
                pgs.append(ingest_in_child(on_postgresql(ws.root, tmp, cluster), folder, 2))
    finally:
        if cluster is not None:
            cluster.cleanup()
    ref = min(refs)
    one = min(ones, key=lambda r: r["seconds"])
    two = min(twos, key=lambda r: r["seconds"])
    # the command itself, end to end, as a clerk runs it (Python's start and the imports
    # included), against a bare read in a process of its own (its start included too)
    cli_refs, clis = [], []
    bare = ("import sys, python_calamine as pc\n"
            "for p in sys.argv[1:]:\n"
            "    wb = pc.CalamineWorkbook.from_path(p)\n"
            "    [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]\n")
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    for _ in range(runs):
        cli_refs.append(timed(subprocess.run, [sys.executable, "-c", bare, *map(str, files)],
                              check=True)[0])
        root = fresh_copy(ws.root, tmp)
        clis.append(timed(subprocess.run, [sys.executable, "-m", "fujimi_xl", "ingest", "-w",
                                           str(root), str(folder), "--workers", "2"],
                          capture_output=True, env=env)[0])
    mem = f"peak RSS main {two['rss_main_mb']:.0f} MB, worker {two['rss_worker_mb']:.0f} MB"
    results.append(line(f"ingest {n} files, 1 worker", one["seconds"], ref, 2.0,
                        f"{one['counts']}"))
    results.append(line(f"ingest {n} files, 2 workers", two["seconds"], ref, 1.5, mem))
    if pgs:
        pg = min(pgs, key=lambda r: r["seconds"])
        assert pg["counts"] == two["counts"], (pg["counts"], two["counts"])
        results.append(line(f"ingest {n} files on PostgreSQL, 2 workers", pg["seconds"],
                            two["seconds"], 1.5, "ref: the same ingest on SQLite in this run"))
    else:
        print(f"     ingest {n} files on PostgreSQL: skipped (no PostgreSQL server binaries "
              "on this machine: initdb not found)", flush=True)
    results.append(line(f"fujimi-xl ingest {n} files (command, 2 workers)", min(clis),
                        min(cli_refs), 1.5, "both include Python's start"))
    floor = min(store_floor(merged, tmp) for _ in range(runs))
    print(f"     floor: storing the same values alone (plain SQLite table, no key, no "
          f"check) {floor:5.2f} s = {floor / ref:4.2f} × the read", flush=True)
    # re-ingest: everything unchanged, the sha256 decides before parsing
    ws_again = fresh_copy(ws.root, tmp)
    ingest_in_child(ws_again, folder, 2)
    again = min((ingest_in_child(ws_again, folder, 2) for _ in range(runs)),
                key=lambda r: r["seconds"])
    results.append(line(f"re-ingest {n} unchanged files", again["seconds"], ref, 0.3,
                        f"{again['counts']}"))
    return results, t_gen, ws, files


def workbook_cells(folder: Path) -> list[list[tuple[str, list[tuple[int, int, str]]]]]:
    """Every text cell of every workbook in ``folder``, sheet by sheet, as written: what the
    reference writes again. Read before the reference is timed (it writes, it does not
    compose or format values)."""
    import python_calamine as pc

    books = []
    for path in sorted(folder.glob("*.xlsx")):
        wb = pc.CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append((name, [(r, c, str(v)) for r, row in enumerate(rows)
                                  for c, v in enumerate(row) if v != ""]))
        wb.close()
        books.append(sheets)
    return books


INPUT_COLS = (5, 6, 7, 8)  # the progress form: 実施内容, 評価, 理由・課題等, 計画内容
WIDTHS = (9, 7, 4, 4, 26, 40, 6, 32, 32)


def fresh(books: list[list[tuple[str, list[tuple[int, int, str]]]]]) -> \
        list[list[tuple[str, list[tuple[int, int, str]]]]]:
    """The same texts as new string objects: each generate reads its plan afresh, so its texts
    are hashed again when xlsxwriter files them; the reference's must be too, not reuse the
    hashes Python keeps in strings seen in an earlier run."""
    return [[(name, [(r, c, (v + "\0")[:-1]) for r, c, v in cells]) for name, cells in sheets]
            for sheets in books]


def bare_generate(out: Path, books: list[list[tuple[str, list[tuple[int, int, str]]]]]) -> None:
    """The reference: xlsxwriter writing the same cells (every text of every sheet, read from
    our workbooks), the same input cells, formula, validations (with their titles and
    messages), widths, heights and protection (with its options), with a few formats."""
    import xlsxwriter

    out.mkdir(parents=True, exist_ok=True)
    for g, sheets in enumerate(books):
        wb = xlsxwriter.Workbook(str(out / f"{g}.xlsx"), {"strings_to_formulas": False,
                                                            "in_memory": True})
        locked = wb.add_format({"bg_color": "#E7E6E6", "border": 1, "text_wrap": True})
        opened = wb.add_format({"locked": False, "border": 1, "text_wrap": True})
        plain = wb.add_format({"text_wrap": True, "valign": "top"})
        yellow = wb.add_format({"bg_color": "#FFF2CC"})
        for name, cells in sheets:
            ws = wb.add_worksheet(name)
            if name != "入力":
                for r, c, v in cells:
                    ws.write_string(r, c, v, plain)
                ws.protect("pw")
                if name == "_fujimi":
                    ws.very_hidden()
                continue
            last = max(r for r, _, _ in cells)
            for c, w in enumerate(WIDTHS):
                ws.set_column(c, c, w)
            for r, c, v in cells:
                if (r, c) != (1, 5):
                    ws.write_string(r, c, v, locked if r >= 3 else plain)
            for r in range(4, last + 1):
                for c in INPUT_COLS:
                    ws.write_blank(r, c, None, opened)
                ws.set_row(r, 40.5)
            ws.write_formula(1, 5, f'="未記入の必須欄："&(COUNTBLANK(F5:F{last + 1})'
                             f'+COUNTBLANK(G5:G{last + 1})+COUNTBLANK(I5:I{last + 1}))&"件"',
                             None, "未記入の必須欄：150件")
            for c in (5, 6, 8):
                ws.conditional_format(4, c, last, c, {"type": "blanks", "format": yellow})
            # the same validations: dropdown and length limit, with their titles and messages
            ws.data_validation(4, 6, last, 6, {
                "validate": "list", "source": "=fx_grades", "input_title": "評価",
                "input_message": "一覧から選択", "error_title": "選択肢にない値です",
                "error_message": "一覧（▼）から選んでください。", "error_type": "stop"})
            hints = ((5, "H30実施内容", "この年度に実施した内容を具体的に（時期・回数・人数など）"),
                     (7, "理由・課題等", "評価の理由と今後の課題（評価がA以外のときは必須）"),
                     (8, "H31計画内容", "次年度に実施する内容"))
            for c, title, hint in hints:
                ws.data_validation(4, c, last, c, {
                    "validate": "length", "criteria": "<=", "value": 2000,
                    "input_title": title, "input_message": hint,
                    "error_title": "文字数が多すぎます",
                    "error_message": "2000文字以内で記入してください。", "error_type": "stop"})
            # the same protection: rows and columns may be resized
            ws.protect("pw", {"format_rows": True, "format_columns": True,
                              "select_locked_cells": True, "select_unlocked_cells": True})
        wb.define_name("fx_grades", "='選択肢'!$A$2:$A$5")
        wb.close()


def bench_generate(tmp: Path, n: int, runs: int) -> dict:
    ws = data.make_workspace(tmp / f"gen{n}", n)
    api.generate(ws, "progress", YEAR, None, tmp / "gen_out")
    books = workbook_cells(tmp / "gen_out")
    ours, ref = paired(runs, lambda: api.generate(ws, "progress", YEAR, None, tmp / "gen_out"),
                       lambda b: bare_generate(tmp / "gen_ref", b), lambda: fresh(books))
    return line(f"generate {n} group workbooks", ours, ref, 1.3)


def bench_report(tmp: Path, rows: int, runs: int) -> dict:
    import xlsxwriter

    from fujimi_xl.forms import load_form
    from fujimi_xl.layouts.list.reporting import write_report
    from fujimi_xl.lifecycle.plan import Group
    from fujimi_xl.store.dataset import Row, Table

    form = load_form("progress")
    g = Group("G", "部", "グループ")
    recs = []
    for i in range(rows):
        s, it, n = i // 500 + 1, (i % 500) // 10 + 1, i % 10 + 1
        recs.append(Row(f"{s}-{it}-{n}", g, {
            "section": s, "item": it, "number": n, "plan": "計画の文章" * 4,
            "result": "実施した内容の説明。" * 5, "grade": "A", "reason": "理由の説明" * 4,
            "next_plan": "次年度の計画" * 3}, True))
    table = Table("progress", YEAR, recs, [g], [])

    def mine():
        write_report(tmp / "report.xlsx", form, table, title="計画",
                     created=dt.datetime(2018, 1, 1))

    def bare():
        wb = xlsxwriter.Workbook(str(tmp / "bare_report.xlsx"),
                                 {"strings_to_formulas": False, "in_memory": True})
        cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        head = wb.add_format({"border": 1, "bg_color": "#D9D9D9", "align": "center"})
        for s in range(1, rows // 500 + 1):
            ws = wb.add_worksheet(f"第{s}節")
            for c, h in enumerate(["項目", "", "", "計画", "H30実施内容", "評価", "理由・課題等",
                                   "H31計画内容"]):
                ws.write_string(3, c, h, head)
            for r, rec in enumerate(recs[(s - 1) * 500: s * 500], start=4):
                for c, k in enumerate(["section", "item", "number", "plan", "result", "grade",
                                       "reason", "next_plan"]):
                    ws.write_string(r, c, str(rec.record[k]), cell)
                ws.set_row(r, 45)
            ws.repeat_rows(3)
            ws.fit_to_pages(1, 0)
        # the same summary sheet: grades per section and a native chart
        sm = wb.add_worksheet("集計")
        for c, h in enumerate(["節", "A", "B", "C", "D", "未提出", "計"]):
            sm.write_string(3, c, h, head)
        for r in range(4, 4 + rows // 500):
            sm.write_string(r, 0, f"第{r - 3}節", cell)
            for c in range(1, 7):
                sm.write_number(r, c, 100, cell)
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        for i in range(4):
            chart.add_series({"name": ["集計", 3, i + 1],
                              "categories": ["集計", 4, 0, 3 + rows // 500, 0],
                              "values": ["集計", 4, i + 1, 3 + rows // 500, i + 1]})
        sm.insert_chart(10, 0, chart)
        wb.close()

    ours, ref = paired(runs, mine, bare)
    return line(f"report {rows} rows", ours, ref, 1.5)


def bench_action_book(tmp: Path, programs: int, runs: int) -> dict:
    import xlsxwriter

    from fujimi_xl.demo import sample_programs, sample_programs_data
    from fujimi_xl.forms import load_form
    from fujimi_xl.layouts.sheet.reporting_sheet import write_book
    from fujimi_xl.lifecycle.plan import Group
    from fujimi_xl.store.dataset import Row, Table

    form = load_form("action_plan")
    base = sample_programs().items[0]
    answers = sample_programs_data()["responses"]["1"]
    g = Group("G", "こども未来部", "こども育成グループ")
    rows = []
    for p in range(1, programs + 1):
        rec = {**base.record, "program": p, "name": f"事業{p}"}
        for k, v in answers.items():
            if isinstance(v, list):
                cols = [c["id"] for c in form.lists[k]["columns"]]
                rec[k] = [dict(zip(cols, [1, *row[1:]], strict=True)) for row in v]
            else:
                rec[k] = v
        rows.append(Row(str(p), g, rec, True))
    table = Table("action_plan", YEAR, rows, [g], [])

    def mine():
        write_book(tmp / "book.xlsx", form, table, title="富士見市")

    def bare():
        wb = xlsxwriter.Workbook(str(tmp / "bare_book.xlsx"),
                                 {"strings_to_formulas": False, "in_memory": True})
        cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        for p in range(programs):
            ws = wb.add_worksheet(f"{p + 1}_事業{p + 1}")
            for r in range(52):
                for c in range(0, 10, 2):
                    ws.merge_range(r, c, r, c + 1, "アクションプランの記入内容", cell)
            ws.fit_to_pages(1, 1)
        wb.close()

    ours, ref = paired(runs, mine, bare)
    return line(f"action-plan book, {programs} programs", ours, ref, 2.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--scale", default="100,500,2000")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="skip report and generate goals")
    args = ap.parse_args()
    print(f"fujimi-xl benchmarks — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="fujimi-bench-") as t:
        tmp = Path(t)
        results, _, _, _ = bench_ingest(tmp, args.files, args.runs)
        if not args.quick:
            results.append(bench_generate(tmp, args.files, args.runs))
            results.append(bench_report(tmp, 2000, args.runs))
            results.append(bench_action_book(tmp, 100, args.runs))
        print("scale (2 workers): files, seconds, ms/file, peak RSS main / worker MB")
        for n in [int(x) for x in args.scale.split(",")]:
            ws = data.make_workspace(tmp / f"scale{n}", n)
            api.generate(ws, "progress", YEAR)
            folder = data.make_returns(ws, YEAR, tmp / f"scale_ret{n}")[0].parent
            r = ingest_in_child(ws.root, folder, 2)
            print(f"  {n:5d} files {r['seconds']:7.2f} s {1000 * r['seconds'] / n:6.2f} ms/file "
                  f"{r['rss_main_mb']:6.0f} / {r['rss_worker_mb']:4.0f} MB", flush=True)
            shutil.rmtree(tmp / f"scale{n}")
            shutil.rmtree(tmp / f"scale_ret{n}")
    misses = [r for r in results if r["ratio"] > r["limit"]]
    print(f"{len(results) - len(misses)} of {len(results)} goals met")


if __name__ == "__main__":
    main()
