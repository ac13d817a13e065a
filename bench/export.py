"""Export of a large master: csv, json and xlsx of the bench's 500-file master (issue 13).

    python bench/export.py                    # 500 groups x 50 items, built once under --cache
    python bench/export.py --files 100 --runs 3

The master is built by the same path as bench/run.py (plan, generate, returned files, ingest)
and kept in ``--cache`` so a second run times the export alone. Prints the best of ``--runs``
for each format.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import data  # noqa: E402

from fujimi_xl import api  # noqa: E402

YEAR = 2018


def master(cache: Path, n: int) -> object:
    """The workspace with ``n`` groups' files accepted (built once, then reused)."""
    root = cache / f"export{n}"
    if (root / "ws" / ".done").exists():
        return api.open_workspace(root / "ws")
    ws = data.make_workspace(root, n)
    api.generate(ws, "progress", YEAR)
    files = data.make_returns(ws, YEAR, root / "returned")
    api.ingest(ws, files, workers=2)
    (root / "ws" / ".done").write_text("ok")
    return ws


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fujimi-bench")
    args = ap.parse_args()
    ws = master(args.cache, args.files)
    out = Path(tempfile.mkdtemp())
    for fmt in ("csv", "json", "xlsx"):
        best = min(_timed(ws, out / f"out.{fmt}", fmt) for _ in range(args.runs))
        print(f"export {args.files} files ({fmt}): {best:6.2f} s", flush=True)


def _timed(ws: object, path: Path, fmt: str) -> float:
    t = time.perf_counter()
    api.export(ws, "progress", YEAR, path, fmt)  # type: ignore[arg-type]
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
