"""Realistic returned workbooks for the benchmarks.

A workspace whose plan has ``groups`` groups, each owning ``items`` items of long Japanese text;
one generated workbook per group; and one returned file per group, filled the way staff fill it
(long free text with full-width digits and line breaks, grades, a few invalid files per batch).
The returned files are written by the same builder that writes feedback workbooks: the issued
template with values in its input cells, the same manifest, as a staff member's save would be.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path
from typing import Any

from fujimi_xl import api, store
from fujimi_xl.forms import load_form
from fujimi_xl.layouts.list import generator
from fujimi_xl.lifecycle.plan import Group, Plan, PlanItem, write_plan_template

PHRASES = [
    "子ども未来応援センターと連携し、相談支援体制の充実を図った。",
    "平成３０年度は全２２回の研修を実施し、約５３０人が参加した。",
    "地域の団体・企業と協力して、子どもの居場所づくりを進めている。",
    "ひとり親家庭の交流機会を設け、希望者が参加しやすい日程とした。",
    "学習支援教室を１か所増設し、利用意向に応えた。",
    "情報発信を強化するため、ポータルサイトとメール配信を運用した。",
]


def text(rng: random.Random, sentences: int) -> str:
    return "\r\n".join(rng.choice(PHRASES) for _ in range(sentences))


def make_plan(groups: int, items: int) -> Plan:
    gs = [Group(f"G{g:04d}", "こども未来部", f"第{g}グループ") for g in range(1, groups + 1)]
    its = []
    for g in gs:
        for i in range(items):
            s, it, n = i // 25 + 1, (i % 25) // 5 + 1, i % 5 + 1
            its.append(PlanItem(f"{s}-{it}-{n}", g.code, {
                "section": s, "item": it, "number": n,
                "plan": f"第{s}節{it}項{n}号の取り組み（居場所・学習支援・相談体制の充実）"}))
    return Plan("progress", gs, its, "ベンチマーク計画", "富士見市")


def make_workspace(root: Path, groups: int, items: int = 50) -> Any:
    root.mkdir(parents=True, exist_ok=True)
    plan = make_plan(groups, items)
    plan_path = write_plan_template(root / "plan.xlsx", load_form("progress"), example=plan)
    return api.init(root / "ws", plan_path, "progress")


def answers(rng: random.Random, keys: list[str], invalid: bool) -> dict[str, dict[str, str]]:
    out = {}
    for k in keys:
        grade = rng.choice("AAAB")
        out[k] = {"result": text(rng, 4), "grade": "Ａ" if grade == "A" else grade,
                  "reason": text(rng, 2), "next_plan": text(rng, 2)}
    if invalid:
        out[keys[len(keys) // 2]]["grade"] = "E"
        out[keys[-1]]["result"] = ""
    return out


def make_returns(ws: Any, year: int, out: Path, invalid_every: int = 50,
                 seed: int = 2018) -> list[Path]:
    """One returned file per issued workbook of ``year`` (every ``invalid_every``-th invalid)."""
    rng = random.Random(seed)
    form = load_form("progress")
    out.mkdir(parents=True, exist_ok=True)
    conn = ws.connect()
    try:
        issued = conn.execute("SELECT * FROM issued WHERE form='progress' AND year=? "
                              "ORDER BY group_code", (year,)).fetchall()
        groups = {r["code"]: Group(r["code"], r["department"], r["name"])
                  for r in conn.execute("SELECT * FROM groups")}
    finally:
        conn.close()
    paths = []
    key = ws.key()
    for n, row in enumerate(issued, start=1):
        items_snapshot = store.loads(row["items"])
        items = [PlanItem(it["key"], row["group_code"], {
            "section": int(it["section"][1:-1]), "item": int(it["item"]),
            "number": "①②③④⑤".index(it["number"]) + 1, "plan": it["plan"]})
            for it in items_snapshot]
        vals = answers(rng, [it.key for it in items], invalid=(n % invalid_every == 0))
        path = out / f"returned_{row['group_code']}.xlsx"
        generator.build(path, form, year, groups[row["group_code"]], items, key=key,
                        issue_id=row["issue_id"], issued_at=row["issued_at"],
                        title=ws.title, password=ws.password, values=vals)
        paths.append(path)
    return paths


def unique_id() -> str:
    return uuid.uuid4().hex
