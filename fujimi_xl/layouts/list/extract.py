"""Find the form's data inside a returned workbook: by names and keys, never by fixed positions.

The input sheet is found through the workbook's defined names (they follow a renamed sheet), then
by the name in the manifest, then by looking for the key header. Columns are found by their header
text, rows by the item key in column 管理番号, so an inserted row or column does not shift data into
the wrong field. Locked cells are compared with what was issued. Every deviation is a Problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from fujimi_xl.core import normalise
from fujimi_xl.core.errors import Problem
from fujimi_xl.core.model import RawBook, RawSheet
from fujimi_xl.forms import Form
from fujimi_xl.layouts.list.generator import (
    BANNER_ROW,
    KEY_HEADER,
    NAME_HEADER,
    NAME_TABLE,
    check_headers,
    headers,
)

# what an odd cell's XML is, shown in the message (XML, the same in both languages)
_ODD = {"several_t": "<is><t>…</t><t>…</t></is>", "v_and_is": "<v> + <is>",
        "date_text": 't="d" <v>{value}</v>', "several_v": "<v>…</v><v>…</v>",
        "several_f": "<f>…</f><f>…</f>", "is_type": "<is> (t≠inlineStr)",
        "f_after_v": "<v>…</v><f>…</f>"}


def note_problem(note: Any, raw: Any, **place: Any) -> Problem:
    """The problem of an input cell that the sheet's XML noted (reader.RawSheet.notes): a
    formula (read with a warning, or refused without a saved result) or XML Excel never
    writes (refused)."""
    if note.kind == "formula":
        return Problem("formula_input", value=raw, severity="warning",
                       params={"formula": note.detail}, **place)
    if note.kind == "formula_no_value":
        return Problem("formula_no_value", params={"formula": note.detail}, **place)
    return Problem("odd_cell_xml", value=raw, params={
        "detail": _ODD.get(note.detail, note.detail).format(value=normalise.text(raw)[0])},
        **place)


def is_free_text(f: Any) -> bool:
    """A field (or a list column, as a dict) whose value is the text staff wrote: it holds
    what the cell showed."""
    if isinstance(f, dict):
        return not f.get("type") and not f.get("choices")
    return f.type in ("text", "", None) and not f.choices


def shown_text(book: RawBook, sheet: RawSheet, row: int, col: int, raw: Any) -> Any:
    """``raw`` as staff saw it: a number or date in a text field, read with its number
    format (50%, 1月2日, 1,200); anything else as it is."""
    if type(raw) is str or raw is None or isinstance(raw, bool):
        return raw
    shown = book.shown(sheet, row, col)
    return raw if shown is None else shown

_REF = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^!]+))!")


@dataclass(slots=True)
class Cell:
    raw: Any
    address: str
    refused: bool = False  # the cell has its own problem already (its XML): not validated


@dataclass
class Extracted:
    sheet: str = ""
    rows: dict[str, dict[str, Cell]] = field(default_factory=dict)  # key -> field -> cell
    problems: list[Problem] = field(default_factory=list)


_COLS = [xl_col_to_name(c) for c in range(256)]


def letters(col: int) -> str:
    """The column letters of 0-based ``col``: 0 → A."""
    return _COLS[col] if col < 256 else xl_col_to_name(col)


def addr(row: int, col: int) -> str:
    return f"{letters(col)}{row + 1}"


def _sheet_of_ref(ref: str) -> str | None:
    m = _REF.match(ref.strip())
    if not m:
        return None
    return (m.group(1) or "").replace("''", "'") if m.group(1) else m.group(2)


def _label(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 60:  # a header is short; data is not
        return ""
    return normalise.nfkc(value).replace(" ", "").replace("\n", "")


def find_input_sheet(book: RawBook, form: Form, payload: dict[str, Any]) -> RawSheet | None:
    for name in (NAME_TABLE, NAME_HEADER):
        ref = book.names.get(name)
        if ref:
            sheet = _sheet_of_ref(ref)
            if sheet and book.sheet(sheet):
                return book.sheet(sheet)
    named = book.sheet(payload.get("input_sheet", form.input_sheet))
    if named:
        return named
    for sh in book.sheets:
        for row in sh.rows[:40]:
            if any(_label(v) == KEY_HEADER for v in row):
                return sh
    return None


_LABELS: dict[tuple[int, int, bool], tuple[Form, Any]] = {}


def _labels(form: Form, year: int, refs: bool) -> \
        tuple[dict[str, str], dict[str, str], set[str]]:
    """The headers the input sheet should have (field id -> label), the same by their
    normalised label (-> field id), and the normalised headers of the ○/× check columns:
    worked out once per form, year and layout (a worker reads hundreds of books of one form).
    """
    key = (id(form), year, refs)
    kept = _LABELS.get(key)
    if kept is not None and kept[0] is form:
        return kept[1]  # type: ignore[no-any-return]
    expected = headers(form, year, refs)
    wanted = {_label(v): fid for fid, v in expected.items()}
    checks = {_label(h) for lang in ("ja", "en") for h in check_headers(form, year, lang, refs)}
    if len(_LABELS) > 64:
        _LABELS.clear()
    _LABELS[key] = (form, (expected, wanted, checks))
    return expected, wanted, checks


def extract(book: RawBook, form: Form, year: int, payload: dict[str, Any],
            issued_items: list[dict[str, Any]], file_name: str) -> Extracted:
    out = Extracted()
    sheet = find_input_sheet(book, form, payload)
    if sheet is None:
        out.problems.append(Problem("input_sheet_missing", file=file_name,
                                    params={"expected": payload.get("input_sheet")}))
        return out
    out.sheet = sheet.name

    def problem(code: str, row: int = -1, col: int = -1, **kw: Any) -> Problem:
        p = Problem(code, file=file_name, sheet=sheet.name,
                    cell=addr(row, col) if row >= 0 and col >= 0 else "", **kw)
        out.problems.append(p)
        return p

    # header row: the row holding the key header and the most expected labels
    refs = bool(payload.get("references"))
    expected, wanted, checks = _labels(form, year, refs)
    header_row, col_of = -1, {}  # type: int, dict[str, int]
    for r, row in enumerate(sheet.rows[:40]):
        found = {}
        for c, v in enumerate(row):
            fid = wanted.get(_label(v))
            if fid and fid not in found:
                found[fid] = c
        if "_key" in found and len(found) > len(col_of):
            header_row, col_of = r, found
            if len(found) == len(wanted):  # every header: no later row can have more
                break
    if header_row < 0:
        problem("header_missing", params={"expected": KEY_HEADER})
        return out
    for fid, label in expected.items():
        if fid not in col_of:
            problem("header_missing", header_row, 0, field=label, field_id=fid,
                    params={"expected": label})
    if out.problems:
        return out
    # the group named on the sheet must be the one the manifest was signed for: a manifest
    # copied from another group's workbook with the same items is caught here
    expected_banner = payload.get("banner")
    if expected_banner is not None:
        found = sheet.value(BANNER_ROW, 0)
        if found != expected_banner:
            problem("locked_changed", BANNER_ROW, 0, value=found,
                    params={"expected": expected_banner})

    issued = {it["key"]: it for it in issued_items}
    key_col = col_of["_key"]
    mapped = set(col_of.values())
    input_cols = {col_of[f.id] for f in form.input_fields}
    text_cols = [(f.id, col_of[f.id]) for f in form.input_fields if is_free_text(f)]
    seen: dict[str, int] = {}
    merged_cells = _merged_map(sheet)
    # per column, once: field, column, column letters
    field_cols = [(fid, c, letters(c)) for fid, c in col_of.items() if fid != "_key"]
    width = max(mapped) + 1
    # the ○/× check columns of sum rules: formulas staff read, never data (in either language)
    if checks:
        mapped |= {c for c, v in enumerate(sheet.rows[header_row]) if _label(v) in checks}
    unmapped_upto: dict[int, list[int]] = {}  # row length -> the columns no header names

    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        key_raw = row[key_col] if key_col < len(row) else ""
        key, _ = normalise.text(key_raw)
        if key in issued:
            if key in seen:
                problem("duplicate_row", r, key_col, field=KEY_HEADER, params={
                    "expected": key, "found": f"{addr(seen[key], key_col)}, {addr(r, key_col)}"})
                continue
            seen[key] = r
            number = str(r + 1)
            if len(row) >= width:
                cells = {fid: Cell(row[c], col + number) for fid, c, col in field_cols}
            else:
                cells = {fid: Cell(row[c] if c < len(row) else "", col + number)
                         for fid, c, col in field_cols}
            out.rows[key] = cells
            for fid, c in text_cols:  # a number or date in a text field: as it was shown
                raw = cells[fid].raw
                if type(raw) is not str:
                    cells[fid] = Cell(shown_text(book, sheet, r, c, raw), cells[fid].address)
            # a value hidden under a merged range over input cells
            if merged_cells:
                for fid in (f.id for f in form.input_fields):
                    c = col_of[fid]
                    m = merged_cells.get((r, c))
                    if m:
                        problem("merged_input", r, c, field=expected[fid], field_id=fid,
                                item_key=key, params={"found": m})
            # unmapped columns in an item row: a note or a value in an inserted column
            others = unmapped_upto.get(len(row))
            if others is None:
                others = unmapped_upto[len(row)] = [c for c in range(len(row))
                                                    if c not in mapped]
            for c in others:
                if _filled(row[c]):
                    problem("stray_value", r, c, value=row[c], severity="warning",
                            item_key=key)
            continue
        filled = [(c, v) for c, v in enumerate(row) if _filled(v)]
        if not filled:
            continue
        if key:
            # an unknown key: a row copied from someone else's file, or a typed-over number
            problem("stray_value", r, key_col, field=KEY_HEADER, value=key)
            continue
        in_table = [(c, v) for c, v in filled if c in input_cols]
        if in_table and r <= header_row + len(issued) + 1:
            for c, v in in_table:
                problem("stray_value", r, c, value=v)
        else:
            for c, v in filled:
                problem("stray_value", r, c, value=v, severity="warning")

    # formulas and odd cell XML in the input cells of the item rows
    if sheet.notes:
        field_at = {col_of[f.id]: f for f in form.input_fields}
        key_at = {r: key for key, r in seen.items()}
        for (r, c), note in sorted(sheet.notes.items()):
            f = field_at.get(c)
            if f is None or r not in key_at:
                continue
            p = note_problem(note, sheet.value(r, c), file=file_name, sheet=sheet.name,
                             cell=addr(r, c), field=expected[f.id], field_id=f.id,
                             item_key=key_at[r])
            out.problems.append(p)
            if p.severity == "error":
                out.rows[key_at[r]][f.id].refused = True

    for key in issued:
        if key not in out.rows:
            problem("row_missing", header_row, key_col, field=KEY_HEADER, item_key=key,
                    params={"expected": key})

    # locked cells must read exactly as issued
    for key, cells in out.rows.items():
        for f in [*form.locked_fields, *(form.references if refs else [])]:
            want = str(issued[key].get(f.id, ""))
            got_raw = cells[f.id].raw
            got = normalise.text(got_raw)[0] if not isinstance(got_raw, str) else got_raw
            if got.replace("\r\n", "\n") != want:
                col = col_of[f.id]
                row_no = int(re.sub(r"\D", "", cells[f.id].address)) - 1
                problem("locked_changed", row_no, col, field=expected[f.id], field_id=f.id,
                        item_key=key, value=got, params={"expected": want})
    return out


def _filled(v: Any) -> bool:
    return not (v is None or (isinstance(v, str) and v.strip() == ""))


def _merged_map(sheet: RawSheet) -> dict[tuple[int, int], str]:
    cells: dict[tuple[int, int], str] = {}
    for r1, c1, r2, c2 in sheet.merged:
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 10000:
            continue
        name = f"{addr(r1, c1)}:{addr(r2, c2)}"
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                cells[(r, c)] = name
    return cells
