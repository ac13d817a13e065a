"""Roll the plan over to the next fiscal year.

Each item's 計画内容 for the next year, as accepted, becomes the locked reference text of the new
year's workbooks, with last year's 実施内容 and 評価 beside it, so staff see where they left off.
The new year's items are the current plan's: an item added to the plan gets empty references,
a retired one is not carried. Nothing of the old year changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fujimi_xl import store
from fujimi_xl.core.errors import NothingToDoError
from fujimi_xl.forms import Form
from fujimi_xl.store.plans import current_values, load_plan, save_carry
from fujimi_xl.store.workspace import Workspace


@dataclass
class RolloverResult:
    form: str
    from_year: int
    to_year: int
    carried: int = 0  # items and owners with last year's values
    added: list[str] = field(default_factory=list)  # in the plan, nothing last year
    retired: list[str] = field(default_factory=list)  # last year, no longer in the plan

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def rollover(ws: Workspace, form: Form, from_year: int, to_year: int) -> RolloverResult:
    if not form.references:
        raise NothingToDoError(code="no_references", form=form.name)
    conn = ws.connect()
    try:
        plan = load_plan(conn, form.name)
        old: dict[tuple[str, str], dict[str, Any]] = {}
        for r in current_values(conn, form.name, from_year):
            old.setdefault((r["item_key"], r["group_code"]), {})[r["field"]] = store.loads(
                r["value"])
        res = RolloverResult(form.name, from_year, to_year)
        rows = []
        for it in plan.items:
            values = old.get((it.key, it.group))
            if values is None:
                res.added.append(f"{it.key} {it.group}")
                data = {ref.id: "" for ref in form.references}
            else:
                res.carried += 1
                data = {ref: "" if values.get(src) is None else str(values.get(src))
                        for ref, src in form.carry.items()}
            rows.append((form.name, to_year, it.key, it.group, store.dumps(data), from_year,
                         store.now()))
        in_plan = {(it.key, it.group) for it in plan.items}
        res.retired = [f"{k} {g}" for k, g in old if (k, g) not in in_plan]
        with store.transaction(conn):
            save_carry(conn, form.name, to_year, rows)
        return res
    finally:
        conn.close()
