"""Where one returned file's ingest time goes, stage by stage, and what the goals leave for it.

    python bench/stages.py               # 200 files, best of 3 passes (about half a minute)
    python bench/stages.py --files 500 --passes 5

Runs in one process, without workers, each stage of ``intake.analyse`` (what a worker does) and
``intake.settle`` (what the main process does) timed on its own over the same returned files as
bench/run.py, and the bare python-calamine read of bench/run.py measured in the same run. Then
the budget: on this 2-core machine, ingest with two workers within 1.5 × the read leaves at most
3 × the read of CPU per file (two cores, both busy), worker and main process together; with one
worker within 2 ×, the worker alone has 2 × the read per file (the main process runs beside it).
Prints milliseconds per file. The figures behind the README's breakdown.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import data  # noqa: E402
import run  # noqa: E402

from fujimi_xl import api, layouts, store  # noqa: E402
from fujimi_xl.core import normalise  # noqa: E402
from fujimi_xl.intake import ingest as intake  # noqa: E402
from fujimi_xl.intake import package, reader  # noqa: E402
from fujimi_xl.layouts import manifest  # noqa: E402
from fujimi_xl.layouts.list.extract import extract  # noqa: E402
from fujimi_xl.layouts.validate import check  # noqa: E402

WORKER_STAGES = ("read and sha256", "zip directory", "safety checks", "python-calamine",
                 "manifest and issue", "extract", "normalise and validate", "rows for the master",
                 "archive copy")


def worker_stages(root: Path, key: bytes, files: list[Path],
                  archive: Path) -> tuple[dict[str, float], int]:
    """Seconds per stage over ``files``, the calls ``intake.analyse`` makes for a valid file;
    and how many files were invalid (they stop after validation and get a feedback workbook,
    timed apart)."""
    spent: dict[str, float] = defaultdict(float)
    invalid = 0
    clock = time.perf_counter
    db = intake.worker_db(str(root))
    form = intake.worker_form("progress", str(root))
    for path in files:
        t0 = clock()
        raw = path.read_bytes()
        sha = hashlib.sha256(raw).hexdigest()
        t1 = clock()
        kind, infos = reader.sniff_zip(path, raw)
        listing = package.zip_infos(raw, infos)
        t2 = clock()
        deadline = package.Clock(package.MAX_SCAN_SECONDS, "scan", time.monotonic() + 60)
        order, names, parts, _ = reader.book_parts(raw, deadline, listing)
        pkg = package.check_package(raw, deadline, parts, infos=listing,
                                    checked=reader.BOOK_PARTS,
                                    keep=frozenset({*parts, reader.STYLES}))
        t3 = clock()
        book = reader.read_cells(raw, kind, order, names,
                                 {parts[p]: pkg.kept[p] for p in parts if p in pkg.kept},
                                 {parts[p]: t for p, t in pkg.tags.items() if p in parts})
        t4 = clock()
        sheet = book.sheet(manifest.SHEET)
        assert sheet is not None
        parsed = manifest.from_cells([r[0] if r else "" for r in sheet.rows])
        assert parsed is not None
        payload, signature = parsed
        assert manifest.verify(payload, signature, key)
        issue = dict(db.execute("SELECT * FROM issued WHERE issue_id = ?",
                                (payload["issue_id"],)).fetchone())
        items = store.loads(issue["items"])
        t5 = clock()
        ex = extract(book, form, issue["year"], payload, items, path.name)
        t6 = clock()
        checked = check(form, issue["year"], ex.rows, items, path.name, ex.sheet)
        t7 = clock()
        if any(p.severity == "error" for p in checked.problems):
            invalid += 1
        else:
            layouts.get("list").stored(form, checked, ex, items)
        t8 = clock()
        intake.archive_once(archive, path, sha, raw)
        t9 = clock()
        for name, a, b in zip(WORKER_STAGES, (t0, t1, t2, t3, t4, t5, t6, t7, t8),
                              (t1, t2, t3, t4, t5, t6, t7, t8, t9), strict=True):
            spent[name] += b - a
    return spent, invalid


def whole_file(ws_root: Path, files: list[Path]) -> tuple[float, float, float]:
    """Seconds of ``intake.analyse`` over the valid files and over the invalid ones (their
    feedback workbooks included), and of ``intake.settle`` (the main process: staleness, the
    receipt, the merge in batches of 100 files), over a fresh copy of the workspace."""
    ws = api.open_workspace(ws_root)
    ctx = intake.Context(str(ws_root), ws.key())
    valid = invalid = 0.0
    analyses = []
    for path in files:
        t = time.perf_counter()
        analysis = intake.analyse(ctx, str(path))
        took = time.perf_counter() - t
        if analysis.stage == "ok":
            valid += took
        else:
            invalid += took
        analyses.append((path, analysis))
    conn = ws.connect()
    t = time.perf_counter()
    with store.Batch(conn) as batch:
        for path, analysis in analyses:
            batch.begin()
            intake.settle(ws, conn, path, analysis.result.sha256, analysis)
            batch.done()
    main = time.perf_counter() - t
    conn.close()
    return valid, invalid, main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fujimi-stages-") as t:
        tmp = Path(t)
        ws = data.make_workspace(tmp / "w", args.files)
        api.generate(ws, "progress", run.YEAR)
        files = data.make_returns(ws, run.YEAR, tmp / "returned")
        key = ws.key()
        normalise.warm()
        n = len(files)
        refs, stage_runs, wholes = [], [], []
        for p in range(args.passes):  # in turns, so a slow spell falls on all alike
            refs.append(run.timed(run.calamine_read, files)[0])
            stage_runs.append(worker_stages(ws.root, key, files, tmp / f"archive{p}"))
            copy = tmp / f"ws{p}"
            shutil.copytree(ws.root, copy)
            wholes.append(whole_file(copy, files))
    ms = 1000 / n
    ref = min(refs) * ms
    invalid = stage_runs[0][1]
    valid = n - invalid
    stages = {s: min(r[0][s] for r in stage_runs) * ms for s in WORKER_STAGES}
    analyse_ok = min(w[0] for w in wholes) * 1000 / valid
    analyse_bad = min(w[1] for w in wholes) * 1000 / max(invalid, 1)
    settle = min(w[2] for w in wholes) * ms
    worker = min(w[0] + w[1] for w in wholes) * ms

    def row(label: str, value: float, extra: str = "") -> None:
        print(f"  {label:<54} {value:6.2f}{extra}")

    print(f"{n} returned files ({invalid} invalid), best of {args.passes} passes, ms per file")
    row("reference: bare python-calamine read, all sheets", ref)
    print("worker (intake.analyse), stage by stage, a valid file:")
    for s in WORKER_STAGES:
        row(s, stages[s])
    row("sum of the stages", sum(stages.values()))
    row("intake.analyse, a valid file, whole", analyse_ok)
    row("intake.analyse, an invalid file (feedback workbook)", analyse_bad)
    row("intake.analyse, all files, per file", worker)
    print("main process (intake.settle: staleness, receipt, merge, commits):")
    row("per file", settle)
    calamine = stages["python-calamine"]
    rest = worker - calamine
    print("budget: 2 workers within 1.5 × the read")
    row("CPU per file, both cores, at most (3 × the read)", 3 * ref,
        f"   spent {worker + settle:5.2f} = {(worker + settle) / ref:3.1f} × the read")
    row("python-calamine and the main process take", calamine + settle)
    row("left for the rest of the worker", 3 * ref - calamine - settle, f"   spent {rest:5.2f}")
    print("budget: 1 worker within 2 × the read")
    row("the worker per file, at most (2 × the read)", 2 * ref,
        f"   spent {worker:5.2f} = {worker / ref:3.1f} × the read")
    row("python-calamine takes", calamine)
    row("left for the rest of the worker", 2 * ref - calamine, f"   spent {rest:5.2f}")


if __name__ == "__main__":
    main()
