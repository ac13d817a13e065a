"""Read a consolidated table of a list form back: our own report, or a table typed by hand.

The table is the report's layout: a title, a subtitle with the fiscal year, a header row
naming the form's columns by their labels (for the progress form 項目(節·項·号) · 計画 ·
H29実施内容 · 評価 · 理由・課題等 · H30計画内容), then one row per item and owner. The form's key
fields and its title field (``roles.title``) identify an item; the input fields are its
values. The header may repeat: once per sheet (第1節, 第2節 … as :mod:`reporting` writes them) or
once per section inside a single sheet (as in the city's own spreadsheet). Sheets without a
header row (集計) are skipped.

What staff do by hand is read as they meant it: a value in a merged range applies to every row
of the range; a blank 節 or 項 is "same as above" (within one header's block); 号 may be ①, 1,
(1), （１） or 1); a blank 計画 on a row with the previous row's 節項号 is the same item reported by
another owner. What cannot be read becomes a :class:`Problem` naming the cell; only a file that is
not a workbook at all raises (:class:`ReportImportError`).

This module only parses. Loading the rows into a workspace (matching them to plan items and
owners, storing values) is the caller's business: see :func:`read_report`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from xlsxwriter.utility import xl_col_to_name

from fujimi_xl.core import fiscal, normalise
from fujimi_xl.core.errors import FiscalYearError, FujimiError, HasProblems, Problem
from fujimi_xl.core.messages import book_text
from fujimi_xl.forms import Form, fieldtypes
from fujimi_xl.layouts.list.reporting import MISSING_TEXT, SUBTOTAL_TEXT, TOTAL_TEXT
from fujimi_xl.layouts.validate import type_params

# the total rows of a report with "totals": 小計（第1節） and 合計
_TOTAL_ROW = re.compile(re.escape(SUBTOTAL_TEXT).replace(re.escape("{label}"), ".*")
                        + "|" + re.escape(TOTAL_TEXT))

MAX_ROWS, MAX_COLS = 20_000, 200
# headers of an optional owner column in a hand-typed table (our own report has none)
OWNER_LABELS = ("担当", "担当課", "担当グループ", "担当部署", "所管", "所管課", "担当部・グループ")
_OFFSETS = {"year": 0, "next_year": 1, "prev_year": -1}
_TEMPLATE = re.compile(r"^(?P<pre>[^{}]*)\{(?P<which>year|next_year|prev_year)\}(?P<post>[^{}]*)$")
# a fiscal year written in a subtitle: 平成29年度, 令和元年度, H29年度, 2017年度
_YEAR_IN_TEXT = re.compile(
    r"(?:令和|平成|昭和|[RHS])\s*(?:元|\d{1,2})\s*年度|(?<!\d)\d{4}\s*年度")
_SECTION_SHEET = re.compile(r"^第\s*(\d{1,3})\s*節$")
# marks above a title that are not the title (資料3, 別紙1, 様式2 …)
_NOT_TITLE = re.compile(r"^(?:資料|別紙|別添|様式|参考)\s*[\d-]*$")


def _both(key: str, prefix: str, **params: Any) -> dict[str, str]:
    """A message parameter ``prefix`` from the catalogue text ``key``, in both languages
    (``prefix`` and ``prefix_en``: the problem is said later in either)."""
    return {prefix: book_text(key, "ja", **params), f"{prefix}_en": book_text(key, "en", **params)}


class ReportImportError(FujimiError):
    """The file cannot be opened as a workbook at all."""

    code = "import_unreadable"

    def __init__(self, message: str = "", problems: list[Problem] | None = None, *,
                 code: str | None = None, **params: Any) -> None:
        super().__init__(message, code=code, **params)
        self.problems = problems or []


@dataclass
class ImportedRow:
    """One row of the table."""

    keys: dict[str, Any]    # key field id -> value, in the form's key order
    title: str              # the item's title field as read (the plan's wording)
    title_id: str           # the form's title field
    values: dict[str, Any]  # input field id -> text, or typed value ("" when blank)
    cells: dict[str, str]   # field id -> "sheet!A1" where the value was read (blank or not)
    returned: bool = True   # False: our report printed （未提出）<group> on this row
    owner: str = ""         # from an owner column (担当…) or the （未提出） mark, when present

    @property
    def key(self) -> str:
        """The item key as the master stores it (form.item_key): "1-2-3"."""
        return "-".join(str(v) for v in self.keys.values())

    @property
    def record(self) -> dict[str, Any]:
        """Plan fields and values in one dict, as a form record."""
        return {**self.keys, self.title_id: self.title, **self.values}


@dataclass
class ImportedTable(HasProblems):
    year: int              # fiscal year of the 実施内容 column (0 when it could not be read)
    title: str             # the plan title, "" if none
    rows: list[ImportedRow]
    problems: list[Problem]



# -- the sheet as a grid --------------------------------------------------------------------

class _Grid:
    """Cell values by (row, col), 1-based; a merged range's value on every row of the range.

    Only the first MAX_ROWS × MAX_COLS cells are read: a table is far smaller, and a sheet whose
    used range runs to XFD1048576 (one formatted cell far away) must not fill the memory.
    """

    def __init__(self, ws: Any) -> None:
        self.title: str = ws.title
        self.clipped = ws.max_row > MAX_ROWS or ws.max_column > MAX_COLS
        self.rows: list[tuple[Any, ...]] = [tuple(r) for r in ws.iter_rows(
            max_row=min(ws.max_row, MAX_ROWS), max_col=min(ws.max_column, MAX_COLS),
            values_only=True)]
        self.max_row = len(self.rows)
        self.max_col = max((len(r) for r in self.rows), default=0)
        self.fill: dict[tuple[int, int], tuple[int, int]] = {}
        for mr in ws.merged_cells.ranges:
            for r in range(mr.min_row + 1, mr.max_row + 1):
                self.fill[(r, mr.min_col)] = (mr.min_row, mr.min_col)

    def raw(self, r: int, c: int) -> Any:
        if 1 <= r <= self.max_row and 1 <= c <= len(self.rows[r - 1]):
            return self.rows[r - 1][c - 1]
        return None

    def get(self, r: int, c: int) -> tuple[Any, tuple[int, int]]:
        """The value shown at (r, c) and the cell it is stored in."""
        src = self.fill.get((r, c), (r, c))
        return self.raw(*src), src

    def ref(self, src: tuple[int, int]) -> str:
        return f"{self.title}!{coord(src)}"


def coord(src: tuple[int, int]) -> str:
    return f"{xl_col_to_name(src[1] - 1)}{src[0]}"


def _label(value: Any) -> str:
    """A header cell as a label: clean text without any spaces or line breaks."""
    s, _ = normalise.text(value)
    return re.sub(r"\s+", "", s)


# -- header rows ----------------------------------------------------------------------------

@dataclass
class _Header:
    row: int
    cols: dict[str, int]  # field id -> column
    owner_col: int | None
    years: list[tuple[int, tuple[int, int], str]]  # (year, cell, label) from era-labelled headers
    unreadable_years: list[tuple[tuple[int, int], str]] = field(default_factory=list)


class _Labels:
    """How the form's columns are headed, with the era part of a label left open."""

    def __init__(self, form: Form) -> None:
        cfg = form.report
        self.form = form
        cols = cfg.get("columns") or [f.id for f in form.fields]
        self.exact: dict[str, str] = {}
        self.templates: list[tuple[re.Pattern[str], str, int]] = []
        self.key = list(form.key)
        self.title_id = form.title_field
        for fid in cols:
            if fid in self.key:
                continue
            label = _label(form.by_id[fid].label)
            m = _TEMPLATE.match(label)
            if m:
                pat = re.compile(f"^{re.escape(m['pre'])}(?P<era>.*?){re.escape(m['post'])}$")
                self.templates.append((pat, fid, _OFFSETS[m["which"]]))
            else:
                self.exact[label] = fid
        self.key_single = {_label(form.by_id[k].label): k for k in self.key}
        merge = cfg.get("header_merge") or {}
        self.key_group = _label(merge.get("label", "項目"))
        self.owners = {_label(x) for x in OWNER_LABELS}

    def header(self, grid: _Grid, r: int) -> _Header | None:
        cols: dict[str, int] = {}
        owner_col = None
        group_col = None
        years: list[tuple[int, tuple[int, int], str]] = []
        bad_years: list[tuple[tuple[int, int], str]] = []
        for c in range(1, grid.max_col + 1):
            value, src = grid.get(r, c)
            if src != (r, c) or value is None:
                continue
            text = _label(value)
            if not text:
                continue
            if text == self.key_group and group_col is None:
                group_col = c
            elif text in self.key_single:
                cols.setdefault(self.key_single[text], c)
            elif text in self.exact:
                cols.setdefault(self.exact[text], c)
            elif text in self.owners:
                owner_col = owner_col or c
            else:
                for pat, fid, offset in self.templates:
                    m = pat.match(text)
                    if not m or fid in cols:
                        continue
                    cols[fid] = c
                    era = m["era"]
                    if era:
                        try:
                            years.append((fiscal.parse_year(era) - offset, (r, c), text))
                        except FiscalYearError:
                            bad_years.append(((r, c), text))
                    break
        if group_col is not None:
            for i, k in enumerate(self.key):
                cols.setdefault(k, group_col + i)
        if self.title_id not in cols or any(k not in cols for k in self.key):
            return None
        if len(set(cols.values())) < len(cols):  # 項目 over one column: not this layout
            return None
        return _Header(r, cols, owner_col, years, bad_years)

    def is_subheader(self, grid: _Grid, r: int, h: _Header) -> bool:
        """節 · 項 · 号 on the row under a merged 項目 header."""
        names = [_label(grid.get(r, h.cols[k])[0]) for k in self.key]
        return names == [_label(self.form.by_id[k].label) for k in self.key]


# -- reading --------------------------------------------------------------------------------

def read_report(path: Path, form: Form) -> ImportedTable:
    """Read a consolidated progress table (every sheet, every header block) into rows.

    Never raises on bad data: each cell that cannot be read is a Problem in ``problems``
    (severity "error": the row or value is missing or doubtful; "warning": read, but look at it).
    Raises :class:`ReportImportError` only when the file is not a readable workbook.

    Loading into a workspace: match ``row.key`` to the plan's items; rows sharing a key are that
    item's owners in plan order (the report prints them so), or use ``row.owner`` when a table
    has an owner column. Skip rows with ``returned=False``. Store ``row.values`` for ``year``.
    """
    path = Path(path)
    name = path.name
    if form.layout != "list" or form.title_field not in form.by_id:
        raise FujimiError(code="not_a_list_form", form=form.name)
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise ReportImportError(
            problems=[Problem("not_workbook", file=name, params={"detail": type(exc).__name__})],
            code="report_unreadable", name=name, detail=type(exc).__name__,
        ) from exc
    try:
        return _Reader(name, form).read(wb)
    finally:
        wb.close()


class _Reader:
    def __init__(self, name: str, form: Form) -> None:
        self.name = name
        self.form = form
        self.labels = _Labels(form)
        cols = form.report.get("columns") or [f.id for f in form.fields]
        self.inputs = [fid for fid in cols if form.by_id[fid].role == "input"]
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, str, tuple[int, int] | None, str]] = set()
        self.rows: list[ImportedRow] = []
        self.key = list(form.key)
        self.title_id = form.title_field
        props = form.schema.get("properties", {})
        # a key the schema says is a number is read as staff write numbers (①, (1), 第1節 …)
        self.numeric = {k for k in self.key
                        if props.get(k, {}).get("type") in ("integer", "number")}
        self.plans: dict[tuple[Any, ...], tuple[str, str]] = {}  # key -> (title, cell)
        self.header_years: list[tuple[int, str, str]] = []  # (year, sheet!cell, label)
        self.title: str | None = None
        self.subtitle_year: int | None = None

    def problem(self, code: str, grid: _Grid | None = None, src: tuple[int, int] | None = None,
                fid: str = "", value: Any = None, severity: str = "error",
                **params: Any) -> None:
        label = self.form.by_id[fid].label if fid in self.form.by_id else ""
        if "{" in label:
            label = _label(label.split("}")[-1])
        where = (code, grid.title if grid else "", src, fid)
        if where in self._seen:  # a merged cell is read on every row of its range
            return
        self._seen.add(where)
        self.problems.append(Problem(
            code, file=self.name, sheet=grid.title if grid else "",
            cell=coord(src) if src else "", field=label, value=value, params=params,
            severity=severity, field_id=fid))

    def read(self, wb: Any) -> ImportedTable:
        found = False
        for ws in wb.worksheets:
            grid = _Grid(ws)
            if grid.clipped:
                words: dict[str, Any] = {
                    **_both("sheet_range", title=ws.title, prefix="limit"),
                    **_both("rows_by_columns", rows=f"{ws.max_row:,}",
                            cols=f"{ws.max_column:,}", prefix="found"),
                    **_both("rows_by_columns", rows=f"{MAX_ROWS:,}", cols=f"{MAX_COLS:,}",
                            prefix="allowed")}
                self.problem("limit_exceeded", grid, severity="warning", **words)
            headers = []
            for r in range(1, grid.max_row + 1):
                h = self.labels.header(grid, r)
                if h:
                    headers.append(h)
            if not headers:
                continue
            found = True
            self._title_area(grid, headers[0].row)
            for i, h in enumerate(headers):
                end = headers[i + 1].row - 1 if i + 1 < len(headers) else grid.max_row
                self._header_year(grid, h)
                self._block(grid, h, end)
        if not found:
            self.problem("import_no_header", expected="・".join(
                [self.labels.key_group, _label(self.form.by_id[self.title_id].label)]))
        year = self._year(found)
        return ImportedTable(year, self.title or "", self.rows, self.problems)

    # -- title, subtitle, year ------------------------------------------------------------

    def _title_area(self, grid: _Grid, header_row: int) -> None:
        texts: list[tuple[int, str]] = []
        for r in range(1, header_row):
            for c in range(1, grid.max_col + 1):
                value, src = grid.get(r, c)
                if src != (r, c):
                    continue
                s, _ = normalise.text(value)
                if s:
                    texts.append((r, s))
        title_row = None
        if self.title is None:
            for r, s in texts:
                if _NOT_TITLE.match(s.replace(" ", "")) or _wrapped(s):
                    continue
                self.title, title_row = s, r
                break
        if self.subtitle_year is None:
            # the subtitle (a wrapped line) first, the title last: a title may name a period
            ordered = sorted(texts, key=lambda t: (t[0] == title_row, not _wrapped(t[1])))
            for _, s in ordered:
                m = _YEAR_IN_TEXT.search(s)
                if m:
                    try:
                        self.subtitle_year = fiscal.parse_year(m.group())
                        break
                    except FiscalYearError:
                        continue

    def _header_year(self, grid: _Grid, h: _Header) -> None:
        for src, label in h.unreadable_years:
            self.problem("import_bad_year_label", grid, src, value=label, severity="warning")
        for year, src, label in h.years:
            if self.header_years and year != self.header_years[0][0]:
                first = self.header_years[0]
                self.problem("import_year_mismatch", grid, src, value=label,
                             severity="warning", found=fiscal.long_label(year),
                             expected=f"{fiscal.long_label(first[0])}（{first[1]} {first[2]}）")
                continue
            self.header_years.append((year, grid.ref(src), label))
        for fid in self.inputs:
            if fid not in h.cols:
                self.problem("import_missing_column", grid, (h.row, 1), fid=fid,
                             severity="warning", expected=self._label_of(fid))

    def _label_of(self, fid: str) -> str:
        year = self.header_years[0][0] if self.header_years else self.subtitle_year
        label = self.form.by_id[fid].label
        if year:
            return self.form.by_id[fid].label_for(year)
        return label.split("}")[-1]

    def _year(self, found: bool) -> int:
        if self.header_years:
            return self.header_years[0][0]
        if self.subtitle_year:
            return self.subtitle_year
        if found:
            self.problem("import_no_year")
        return 0

    # -- one header's block of rows -------------------------------------------------------

    def _block(self, grid: _Grid, h: _Header, end: int) -> None:
        prev: dict[str, Any] | None = None  # the previous row's keys (None: unreadable)
        sheet_section = _SECTION_SHEET.match(_label(grid.title))
        for r in range(h.row + 1, end + 1):
            if r == h.row + 1 and self.labels.is_subheader(grid, r, h):
                continue
            row = self._row(grid, h, r, prev, sheet_section)
            if row is not None:
                prev = row

    def _row(self, grid: _Grid, h: _Header, r: int, prev: dict[str, Any] | None,
             sheet_section: re.Match[str] | None) -> dict[str, Any] | None:
        """Read row r; return its keys for the next row, None when the row is blank."""
        cells = {fid: grid.get(r, c) for fid, c in h.cols.items()}
        texts = {fid: normalise.text(v) for fid, (v, _) in cells.items()}
        owner = ""
        if h.owner_col:
            owner = normalise.text(grid.get(r, h.owner_col)[0])[0]
        if not any(s for s, _ in texts.values()) and not owner:
            return None
        if _TOTAL_ROW.fullmatch(texts[self.key[0]][0]):
            return prev  # a total the tool printed (report "totals"): no item
        tid = self.title_id
        plan_text = texts[tid][0]
        inputs_blank = not any(texts[f][0] for f in self.inputs if f in texts)

        # the key (節 · 項 · 号)
        keys: dict[str, Any] = {}
        srcs: dict[str, tuple[int, int]] = {}
        bad: list[tuple[str, Any, tuple[int, int]]] = []
        for k in self.key:
            value, src = cells[k]
            if texts[k][0]:
                n = self.form.by_id[k].read_key(value) if k in self.numeric else texts[k][0]
                keys[k] = n
                srcs[k] = src
                if n is None:
                    bad.append((k, value, src))
        if bad and not plan_text and inputs_blank:
            # a note under the table (※評価の基準 …), not an item
            text = " ".join(texts[k][0] for k in self.key if texts[k][0])
            self.problem("import_stray_row", grid, bad[0][2], value=text, severity="warning")
            return prev
        for k, value, src in bad:
            self.problem("import_bad_key", grid, src, fid=k, value=value,
                         expected=self._key_examples(k))
        same = prev is not None
        for k in self.key:
            if k in keys:
                same = same and prev is not None and prev["keys"][k] == keys[k]
                continue
            src = cells[k][1]
            # a blank key: same as above, while the keys to its left are the same as above
            can = same and prev is not None and prev["keys"][k] is not None
            if k == self.key[-1]:  # a blank last key is only "same item" when the title is too
                can = can and prev is not None and (not plan_text or plan_text == prev["title"])
            if can and prev is not None:
                keys[k], srcs[k] = prev["keys"][k], prev["src"][k]
            elif k == self.key[0] and prev is None and sheet_section and k in self.numeric:
                keys[k], srcs[k] = int(sheet_section.group(1)), src
            else:
                keys[k] = None
                if not bad:  # one unreadable key on a row is enough to report
                    self.problem("import_missing_key", grid, src, fid=k,
                                 expected=self._key_examples(k))
        state: dict[str, Any] = {"keys": keys, "src": srcs, "title": plan_text, "title_ref": ""}
        if any(keys[k] is None for k in self.key):
            return state

        key = tuple(keys[k] for k in self.key)
        refs = {k: grid.ref(srcs[k]) for k in self.key}
        # the title (計画)
        plan_src = cells[tid][1]
        if plan_text:
            refs[tid] = grid.ref(plan_src)
            known = self.plans.get(key)
            if known and known[0] != plan_text:
                self.problem("import_plan_differs", grid, plan_src, fid=tid, value=plan_text,
                             severity="warning", expected=known[1])
            elif not known:
                self.plans[key] = (plan_text, grid.ref(plan_src))
        elif prev is not None and tuple(prev["keys"][k] for k in self.key) == key \
                and prev["title"]:
            plan_text, refs[tid] = prev["title"], prev["title_ref"]
        elif key in self.plans:
            plan_text, refs[tid] = self.plans[key]
        else:
            self.problem("import_no_plan", grid, plan_src, fid=tid)
        state["title"], state["title_ref"] = plan_text, refs.get(tid, "")
        if texts[tid][1]:
            self.problem("control_chars", grid, plan_src, fid=tid, severity="warning",
                         found=texts[tid][1])

        # values
        values: dict[str, Any] = {}
        for fid in self.inputs:
            if fid not in cells:
                values[fid] = ""
                continue
            value, src = cells[fid]
            s, removed = texts[fid]
            if removed:
                self.problem("control_chars", grid, src, fid=fid, severity="warning",
                             found=removed)
            f = self.form.by_id[fid]
            if f.choices and s:
                s = normalise.choice(value)
                scale = self.form.choice_values(f.choices)
                if s not in scale:
                    self.problem("not_in_scale", grid, src, fid=fid, value=s,
                                 choices="・".join(scale))
            elif s and fieldtypes.is_typed(f.type) and not s.startswith(MISSING_TEXT):
                # a number, a date, a fiscal year: read as ingest reads it (1,200, 令和5年度)
                ft = fieldtypes.of(f.type)
                assert ft.parse is not None
                typed = ft.parse(value if not isinstance(value, str) else s)
                if typed is fieldtypes.UNREADABLE:
                    self.problem("type_unreadable", grid, src, fid=fid, value=s,
                                 **type_params(ft.id))
                else:
                    values[fid] = typed
                    refs[fid] = grid.ref(src)
                    continue
            values[fid] = s
            refs[fid] = grid.ref(src)
        returned = True
        first = self.inputs[0] if self.inputs else ""
        if first and str(values.get(first, "")).startswith(MISSING_TEXT) \
                and not any(values[f] != "" for f in self.inputs if f != first):
            returned = False
            owner = owner or values[first][len(MISSING_TEXT):].strip()
            values[first] = ""
            self.problem("import_not_returned", grid, cells[first][1], fid=first,
                         severity="warning", group=owner)
        self.rows.append(ImportedRow({k: keys[k] for k in self.key}, plan_text, tid, values,
                                     refs, returned, owner))
        return state

    def _key_examples(self, k: str) -> str:
        f = self.form.by_id[k]
        return "・".join(dict.fromkeys([f.show(1), "1"]))


def _wrapped(s: str) -> bool:
    s = s.strip()
    return len(s) >= 2 and s[0] in "(（" and s[-1] in ")）"
