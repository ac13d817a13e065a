"""Export the current master of a form and year as one flat table: CSV, JSON or xlsx.

CSV is UTF-8 with a BOM so Excel opens it right. JSON is strict JSON: a number that is not
finite (NaN, an infinity: ingest refuses them, but a master written before it may hold one) is
written as null, never as the NaN/Infinity that JSON does not have. A value a spreadsheet would
run as a formula (starting with = + - @, a tab or a carriage return) is escaped with a leading
apostrophe, in CSV and JSON alike; xlsx cells are written as text.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import xlsxwriter

from . import outfile
from .dataset import Table
from .forms import Form

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape(value: Any) -> Any:
    """'=1+1' → "'=1+1": what a spreadsheet would run stays text. A number that is not
    finite becomes None (an empty cell, JSON null)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def flat(form: Form, table: Table) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows: the key and plan columns, then the group, then every input field."""
    cols = [f for f in form.fields if f.type not in ("list", "lines")]
    headers = [*(f.label_for(table.year) for f in cols), "担当", "部", "グループ", "提出"]
    lists = [f for f in form.fields if f.type == "list"]
    headers += [f.label for f in lists]
    rows = []
    for row in table.rows:
        rec = row.record
        values: list[Any] = []
        for f in cols:
            v = rec.get(f.id)
            values.append(f.show(v) if f.role == "key" else ("" if v is None else v))
        values += [row.group.code, row.group.department, row.group.name,
                   "提出済" if row.returned else "未提出"]
        values += [json.dumps(_finite(rec.get(f.id, [])), ensure_ascii=False, allow_nan=False)
                   for f in lists]
        rows.append(values)
    return headers, rows


def _finite(value: Any) -> Any:
    """``value`` with every number that is not finite, however deep, as None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def export(path: Path, form: Form, table: Table, fmt: str) -> Path:
    """Write the table as ``fmt`` under a temporary name beside ``path``, then rename it into
    place: an old export open in Excel is named in an OutputError and left whole."""
    if fmt not in ("csv", "json", "xlsx"):
        raise ValueError(fmt)
    with outfile.replacing(Path(path)) as tmp:
        _write(tmp, form, table, fmt)
    return Path(path)


def _write(path: Path, form: Form, table: Table, fmt: str) -> Path:
    headers, rows = flat(form, table)
    path = Path(path)
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(headers)
            for r in rows:
                w.writerow([escape(v) for v in r])
    elif fmt == "json":
        data = [{h: escape(v) for h, v in zip(headers, r, strict=True)} for r in rows]
        path.write_text(json.dumps({"form": form.name, "year": table.year, "rows": data},
                                   ensure_ascii=False, indent=1, allow_nan=False),
                        encoding="utf-8")
    elif fmt == "xlsx":
        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                             "strings_to_urls": False,
                                             "strings_to_numbers": False})
        ws = wb.add_worksheet("データ")
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, head)
        for row_no, values in enumerate(rows, start=1):
            for c, v in enumerate(values):
                if isinstance(v, float) and not math.isfinite(v):
                    ws.write_blank(row_no, c, None)
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(row_no, c, v)
                else:
                    ws.write_string(row_no, c, str(v))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(rows), len(headers) - 1)
        wb.close()
    else:
        raise ValueError(fmt)
    return path
