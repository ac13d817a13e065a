"""Generate, counted in instructions instead of seconds: the same figure on every run.

    python bench/instructions.py            # 30 group workbooks (about a minute and a half)

Times on a shared machine move by 10–20 % from run to run; valgrind's callgrind counts the
instructions executed, which do not. Each side runs in its own process under callgrind: the
setup alone (workspace, plan, one generate to read the cells from), then the setup plus ours,
then the setup plus the reference of bench/run.py; the difference to the setup alone is what
each side cost. Needs valgrind (Debian package ``valgrind``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {here!r})
from pathlib import Path
import data, run
from fujimi_xl import api
tmp = Path(sys.argv[2])
ws = data.make_workspace(tmp / "w", int(sys.argv[3]))
api.generate(ws, "progress", run.YEAR, None, tmp / "out")
books = run.workbook_cells(tmp / "out")
if sys.argv[1] == "ours":
    api.generate(ws, "progress", run.YEAR, None, tmp / "out")
elif sys.argv[1] == "ref":
    run.bare_generate(tmp / "ref", books)
"""


def count(side: str, groups: int) -> int:
    code = CHILD.format(root=str(HERE.parent), here=str(HERE))
    with tempfile.TemporaryDirectory(prefix="fujimi-cg-") as t:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={t}/cg.out",
             sys.executable, "-c", code, side, t, str(groups)],
            capture_output=True, text=True, check=True)
    m = re.search(r"Collected : (\d+)", out.stderr)
    if not m:
        raise SystemExit(f"callgrind printed no count:\n{out.stderr[-2000:]}")
    return int(m.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--groups", type=int, default=30)
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    base = count("none", args.groups)
    ours = count("ours", args.groups) - base
    ref = count("ref", args.groups) - base
    print(f"generate {args.groups} group workbooks: ours {ours / 1e9:.3f} G instructions, "
          f"ref {ref / 1e9:.3f} G, ratio {ours / ref:.2f} (goal ≤ 1.3)")


if __name__ == "__main__":
    main()
