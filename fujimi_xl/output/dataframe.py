"""The current master of a form and year as a typed pandas DataFrame (``fujimi_xl.frame``).

(Named ``dataframe`` so that ``fujimi_xl.frame`` stays the function: a submodule of that name
would replace it on the package the first time it is imported.)

One row per plan row (an item of a list form for each group owning it; a program of a sheet
form), in plan order. First the columns saying where the row's values come from, then one
column per field of the form (keys, locked, inputs) in the definition's order:

========================  ===============================================================
``group``                 the group's code (string)
``group_name``            the group's name (string)
``department``            the group's 部 (string)
``version``               the version of the accepted file the values come from (Int64;
                          <NA> while nothing has come back)
``file_name``             that file's name (string)
``received_at``           when it was received (datetime, Asia/Tokyo)
``saved_at``              when Excel last saved it (datetime, Asia/Tokyo; NaT if unknown)
========================  ===============================================================

A field's dtype comes from its type in the definition (:data:`DTYPES`): Int64 for whole
numbers and years, Float64 for numbers and amounts, datetime64 for dates, category for a
choice (its categories in the definition's order), string for text; a list of a sheet form
is an object column holding lists. A type the table does not know gives an object column
with the values as stored. So does a column whose stored values do not all fit the type
(a master written before values were stored typed): nothing is dropped or guessed.

Should a field's id equal one of the names above, that column is named with a leading ``_``;
``df.attrs["meta"]`` maps each name above to its column, ``df.attrs["labels"]`` each field
id to its heading for the year, and ``df.attrs["form"]`` / ``df.attrs["year"]`` say what
the frame holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from fujimi_xl.forms import Field, Form
from fujimi_xl.store.dataset import Table, Version

TIMEZONE = "Asia/Tokyo"
META = ("group", "group_name", "department", "version", "file_name", "received_at",
        "saved_at")

# field type -> dtype kind; "date" is datetime64, "list" an object column of lists
DTYPES: dict[str, str] = {
    "integer": "Int64",
    "fiscal_year": "Int64",
    "year": "Int64",
    "number": "Float64",
    "amount": "Float64",
    "kyen": "Float64",
    "date": "date",
    "choice": "category",
    "text": "string",
    "lines": "string",
    "list": "list",
}


def kind_of(field: Field) -> str:
    """The dtype kind of ``field``: from its type; a text field with choices is a choice."""
    kind = DTYPES.get(field.type, "object")
    if kind == "string" and field.type == "text" and field.choices:
        return "category"
    return kind


def build(form: Form, table: Table, versions: dict[int, Version]) -> pd.DataFrame:
    """The frame of ``table`` (from :func:`fujimi_xl.store.dataset.current_table`); ``versions``
    from :func:`fujimi_xl.store.dataset.current_versions` of the same form and year."""
    rows = table.rows
    got = [versions.get(r.submission) if r.submission is not None else None for r in rows]
    taken = {f.id for f in form.fields}
    names = {m: _free(m, taken) for m in META}
    data: dict[str, Any] = {
        names["group"]: pd.array([r.group.code for r in rows], dtype="string"),
        names["group_name"]: pd.array([r.group.name for r in rows], dtype="string"),
        names["department"]: pd.array([r.group.department for r in rows], dtype="string"),
        names["version"]: pd.array([v.version if v else None for v in got], dtype="Int64"),
        names["file_name"]: pd.array([v.file_name if v else None for v in got],
                                     dtype="string"),
        names["received_at"]: _times([v.received_at if v else None for v in got]),
        names["saved_at"]: _times([v.saved_at if v else None for v in got]),
    }
    for f in form.fields:
        data[f.id] = column(f, form, [r.record.get(f.id) for r in rows])
    df = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    df.attrs.update(form=form.name, year=table.year, meta=names,
                    labels={f.id: f.label_for(table.year) for f in form.fields})
    return df


def column(field: Field, form: Form, values: list[Any]) -> Any:
    """The values of ``field`` as an array of its dtype, or as stored (object) when they do
    not all fit it."""
    kind = kind_of(field)
    convert = _CONVERT.get(kind)
    if convert is not None:
        try:
            return convert(field, form, values)
        except (TypeError, ValueError, OverflowError):
            pass
    return _objects(values)


def _free(name: str, taken: set[str]) -> str:
    while name in taken:
        name = "_" + name
    return name


def _times(stamps: list[str | None]) -> Any:
    """ISO 8601 stamps (with their offsets; UTC if none) as datetimes in Japan time."""
    return pd.to_datetime(pd.Series(stamps, dtype=object), utc=True,
                          format="ISO8601").dt.tz_convert(TIMEZONE).array


def _missing(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, float) and not math.isfinite(v))


def _integers(field: Field, form: Form, values: list[Any]) -> Any:
    out: list[int | None] = []
    for v in values:
        if _missing(v):
            out.append(None)
        elif type(v) is int or (type(v) is float and v.is_integer()):
            out.append(int(v))
        else:
            raise ValueError(v)
    return pd.array(out, dtype="Int64")


def _floats(field: Field, form: Form, values: list[Any]) -> Any:
    out: list[float | None] = []
    for v in values:
        if _missing(v):
            out.append(None)
        elif type(v) in (int, float):
            out.append(float(v))
        else:
            raise ValueError(v)
    return pd.array(out, dtype="Float64")


def _dates(field: Field, form: Form, values: list[Any]) -> Any:
    if not all(_missing(v) or isinstance(v, str) for v in values):
        raise ValueError(field.id)
    stamps = pd.Series([None if _missing(v) else v for v in values], dtype=object)
    return pd.to_datetime(stamps, format="ISO8601").array


def _choices(field: Field, form: Form, values: list[Any]) -> Any:
    if not all(_missing(v) or isinstance(v, str) for v in values):
        raise ValueError(field.id)
    declared = form.choice_values(field.choices) if field.choices else []
    seen = [v for v in dict.fromkeys(values) if not _missing(v) and v not in declared]
    return pd.Categorical([None if _missing(v) else v for v in values],
                          categories=[*declared, *seen])


def _strings(field: Field, form: Form, values: list[Any]) -> Any:
    return pd.array([None if _missing(v) else v if isinstance(v, str) else str(v)
                     for v in values], dtype="string")


def _lists(field: Field, form: Form, values: list[Any]) -> Any:
    if not all(v is None or isinstance(v, list) for v in values):
        raise ValueError(field.id)
    return _objects(values)


def _objects(values: list[Any]) -> Any:
    """An object column (a Series: an array of text alone would be made a str column)."""
    return pd.Series(values, dtype=object, index=pd.RangeIndex(len(values)))


_CONVERT: dict[str, Callable[[Field, Form, list[Any]], Any]] = {
    "Int64": _integers,
    "Float64": _floats,
    "date": _dates,
    "category": _choices,
    "string": _strings,
    "list": _lists,
}
