"""Export the current master of a form and year as one flat table: CSV, JSON or xlsx, written
from its typed DataFrame (:mod:`fujimi_xl.output.dataframe`) with the headings of the form's labels.

CSV is UTF-8 with a BOM so Excel opens it right. JSON is strict JSON: a number that is not
finite (NaN, an infinity: ingest refuses them, but a master written before it may hold one) is
written as null, never as the NaN/Infinity that JSON does not have; so is a blank in a column
of numbers or dates (a blank text is ""). Numbers are written as numbers (a whole amount as
1200, not 1200.0), dates as ISO 8601 text. A value a spreadsheet would
run as a formula (starting with = + - @, a tab or a carriage return) is escaped with a leading
apostrophe, in CSV and JSON alike; xlsx cells are written as text.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from fujimi_xl.core import outfile
from fujimi_xl.core.messages import ui
from fujimi_xl.forms import Form

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# the headings of the group columns, in the catalogue (messages.UI)
EXPORT_META = ("export_group", "export_department", "export_group_name", "export_submitted")


def escape(value: Any) -> Any:
    """'=1+1' → "'=1+1": what a spreadsheet would run stays text. A number that is not
    finite becomes None (an empty cell, JSON null)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def flat(form: Form, df: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows from the frame (:mod:`fujimi_xl.output.dataframe`): the key and plan
    columns, then the group, then every input field; a list of a sheet form as JSON text."""
    year, meta = df.attrs["year"], df.attrs["meta"]
    cols = [f for f in form.fields if f.type != "list"]
    headers = [*(f.label_for(year) for f in cols), *(ui(k) for k in EXPORT_META)]
    lists = [f for f in form.fields if f.type == "list"]
    headers += [f.label for f in lists]
    columns: list[list[Any]] = []
    for f in cols:
        values = plain(df[f.id])
        if f.role == "key":
            values = [f.show(v) for v in values]
        elif not _typed(df[f.id]):  # a blank text is "", a blank number or date None (null)
            values = ["" if v is None else v for v in values]
        columns.append(values)
    returned, not_returned = ui("export_returned"), ui("export_not_returned")
    columns += [plain(df[meta["group"]]), plain(df[meta["department"]]),
                plain(df[meta["group_name"]]),
                [returned if v else not_returned for v in df[meta["version"]].notna()]]
    columns += [[json.dumps(_finite([] if v is None else v), ensure_ascii=False,
                            allow_nan=False) for v in plain(df[f.id])] for f in lists]
    return headers, [list(r) for r in zip(*columns, strict=True)]


def plain(column: pd.Series) -> list[Any]:
    """A column as Python values: None where missing, a whole number as an int, a date as
    its ISO text."""
    values = column.astype(object).where(column.notna(), None).tolist()
    if pd.api.types.is_float_dtype(column.dtype):
        return [int(v) if v is not None and v.is_integer() else v for v in values]
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return [None if v is None else _iso(v) for v in values]
    return values


def _typed(column: pd.Series) -> bool:
    dtype = column.dtype
    return bool(pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype))


def _iso(moment: pd.Timestamp) -> str:
    if moment.tzinfo is None and moment == moment.normalize():
        return str(moment.date().isoformat())
    return str(moment.isoformat())


def _finite(value: Any) -> Any:
    """``value`` with every number that is not finite, however deep, as None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def export(path: Path, form: Form, df: pd.DataFrame, fmt: str) -> Path:
    """Write the frame of ``form`` as ``fmt`` under a temporary name beside ``path``, then
    rename it into place: an old export open in Excel is named in an OutputError and left
    whole."""
    if fmt not in ("csv", "json", "xlsx"):
        raise ValueError(fmt)
    with outfile.replacing(Path(path)) as tmp:
        _write(tmp, form, df, fmt)
    return Path(path)


def _write(path: Path, form: Form, df: pd.DataFrame, fmt: str) -> Path:
    headers, rows = flat(form, df)
    path = Path(path)
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(headers)
            for r in rows:
                w.writerow([escape(v) for v in r])
    elif fmt == "json":
        data = [{h: escape(v) for h, v in zip(headers, r, strict=True)} for r in rows]
        path.write_text(json.dumps({"form": form.name, "year": df.attrs["year"], "rows": data},
                                   ensure_ascii=False, indent=1, allow_nan=False),
                        encoding="utf-8")
    elif fmt == "xlsx":
        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                             "strings_to_urls": False,
                                             "strings_to_numbers": False})
        ws = wb.add_worksheet(ui("export_sheet"))
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, head)
        for row_no, values in enumerate(rows, start=1):
            for c, v in enumerate(values):
                if v is None or (isinstance(v, float) and not math.isfinite(v)):
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
