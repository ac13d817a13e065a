"""What typed validation costs: validate.check of a list form with typed fields (integer,
amount, date, fiscal year, number), against the same form read as text, next to the whole
ingest of the same files.

    python bench/typed.py                 # 40 files of 15 rows, 6 typed cells a row

The goal (issue 13): typed validation at most 10 % of ingest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import openpyxl  # noqa: E402

from fujimi_xl import api, store  # noqa: E402
from fujimi_xl.forms import load_form  # noqa: E402
from fujimi_xl.intake.reader import read_book  # noqa: E402
from fujimi_xl.layouts.list.extract import extract  # noqa: E402
from fujimi_xl.layouts.list.generator import FIRST_ROW, HEADER_ROW  # noqa: E402
from fujimi_xl.layouts.validate import check  # noqa: E402
from fujimi_xl.lifecycle.plan import Group, Plan, PlanItem, write_plan_template  # noqa: E402

INPUTS = [("count", "回数", "integer"), ("people", "人数", "integer"),
          ("amount", "事業費", "amount"), ("start", "開始日", "date"),
          ("since", "開始年度", "fiscal_year"), ("ratio", "率", "number")]
# what staff type, odd and even rows
TYPED: list[list[Any]] = [["１２", 10, "1,200", "R5.4.1", "H30", 0.5],
                          [3, "２０", "▲50", dt.datetime(2023, 4, 1), 2020, "3.5"]]


def define(ws: Any) -> None:
    folder = Path(ws.root) / "templates" / "typed_bench"
    folder.mkdir(parents=True)
    form = {"name": "typed_bench", "version": 1, "title": "調査", "layout": "list",
            "key": ["no"],
            "fields": [{"id": "no", "label": "番号", "role": "key", "display": "{n}"},
                       {"id": "title", "label": "事業名", "role": "locked"},
                       *({"id": i, "label": lbl, "role": "input", "type": t}
                         for i, lbl, t in INPUTS),
                       {"id": "note", "label": "備考", "role": "input"}]}
    props: dict[str, Any] = {
        "no": {"type": "integer"}, "title": {"type": "string"},
        "count": {"type": "integer", "minimum": 0}, "people": {"type": "integer", "minimum": 0},
        "amount": {"type": "number"}, "start": {"type": "string"}, "since": {"type": "integer"},
        "ratio": {"type": "number"}, "note": {"type": "string", "maxLength": 400}}
    schema = {"type": "object", "properties": props,
              "required": ["no", "title", "count", "amount", "start"]}
    (folder / "form.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    (folder / "schema.json").write_text(json.dumps(schema), encoding="utf-8")


def main(n_groups: int = 40, per: int = 15) -> None:
    root = Path(tempfile.mkdtemp(prefix="typed_bench"))
    ws = api.init(root / "ws")
    define(ws)
    groups = [Group(f"G{g}", "部", f"グループ{g}") for g in range(n_groups)]
    items = [PlanItem(str(g * per + i + 1), f"G{g}", {"no": g * per + i + 1,
                                                       "title": f"事業{i}"})
             for g in range(n_groups) for i in range(per)]
    form = load_form("typed_bench", Path(ws.root))
    plan = Plan("typed_bench", groups, items)
    api.load_plan(ws, write_plan_template(root / "p.xlsx", form, plan), "typed_bench")
    gen = api.generate(ws, "typed_bench", 2023)
    (root / "returned").mkdir()
    files = []
    for _, path, _ in gen.files:
        wb = openpyxl.load_workbook(path)
        sh = wb["入力"]
        heads = {sh.cell(HEADER_ROW + 1, c).value: c for c in range(1, sh.max_column + 1)}
        for r in range(FIRST_ROW + 1, sh.max_row + 1):
            for (_, label, _), v in zip(INPUTS, TYPED[r % 2], strict=True):
                sh.cell(r, heads[label]).value = v
            sh.cell(r, heads["備考"]).value = "順調に実施した。"
        wb.save(root / "returned" / path.name)
        files.append(root / "returned" / path.name)
    as_text = dataclasses.replace(form, fields=[dataclasses.replace(f, type="text")
                                                for f in form.fields])
    typed_ids = {i for i, _, _ in INPUTS}
    as_text.schema = {**form.schema, "properties": {
        k: {"type": "string"} if k in typed_ids else v
        for k, v in form.schema["properties"].items()}}
    conn = ws.connect()
    prepared = []
    for path in files:
        issue = conn.execute("SELECT items FROM issued WHERE file_name = ?",
                             (path.name,)).fetchone()
        issued = store.loads(issue["items"])
        ex = extract(read_book(path), form, 2023, {}, issued, path.name)
        prepared.append((ex, issued, path.name))
    conn.close()

    def per_file(f: Any) -> float:
        best = 1e9
        for _ in range(5):
            t = time.perf_counter()
            for ex, issued, name in prepared:
                assert not check(f, 2023, ex.rows, issued, name, ex.sheet).problems
            best = min(best, time.perf_counter() - t)
        return best / len(prepared) * 1000

    typed, text = per_file(form), per_file(as_text)
    t = time.perf_counter()
    report = api.ingest(ws, files)
    whole = (time.perf_counter() - t) / len(files) * 1000
    assert all(f.outcome == "accepted" for f in report.files)
    print(f"{len(files)} files of {per} rows, {len(INPUTS)} typed cells a row; ms per file")
    print(f"  validate.check, typed form            {typed:6.3f}")
    print(f"  validate.check, the same form as text {text:6.3f}")
    print(f"  ingest, whole (wall, default workers) {whole:6.2f}")
    print(f"  typed check = {typed / whole:.1%} of ingest; "
          f"typing adds {(typed - text) / whole:.1%}")


if __name__ == "__main__":
    main()
