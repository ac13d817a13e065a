"""Domain types every floor passes around: the plan (groups and items) and a workbook as read
(sheets of cell values). Moved here from ``plan.py`` and ``reader.py`` so that layouts and the
store use them without importing a stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fujimi_xl.core import cell_xml
from fujimi_xl.core.errors import Problem


@dataclass
class Group:
    code: str
    department: str
    name: str
    email: str = ""  # the plan's メール (optional), kept by the access tables

    @property
    def full_name(self) -> str:
        return f"{self.department} {self.name}".strip()


@dataclass
class PlanItem:
    key: str
    group: str
    record: dict[str, Any]
    row: int = 0


@dataclass
class Plan:
    form: str
    groups: list[Group]
    items: list[PlanItem]
    title: str = ""
    city: str = ""
    warnings: list[Problem] = field(default_factory=list)

    def group(self, code: str) -> Group:
        return next(g for g in self.groups if g.code == code)


@dataclass
class RawSheet:
    name: str
    state: str  # visible | hidden | veryHidden
    rows: list[list[Any]]  # absolute grid from A1; '' for empty cells
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r1,c1,r2,c2
    xml: bytes = field(default=b"", repr=False)  # the sheet part (notes, shown())
    tags: Any = field(default=None, repr=False)  # its start tags by local name, when known
    odd_strings: frozenset[int] = field(default=frozenset(), repr=False)  # see cell_xml
    _notes: dict[tuple[int, int], cell_xml.Note] | None = field(default=None, repr=False)

    @property
    def notes(self) -> dict[tuple[int, int], cell_xml.Note]:
        """What the values alone do not say (formulas, odd cell XML): 0-based (row, col) ->
        Note. Read from the sheet's XML when first asked (only the sheets read need it)."""
        if self._notes is None:
            self._notes = cell_xml.scan(self.xml, self.tags, self.odd_strings) \
                if self.xml else {}
        return self._notes

    def value(self, row: int, col: int) -> Any:
        """Value at 0-based (row, col), '' when outside the grid."""
        if 0 <= row < len(self.rows):
            r = self.rows[row]
            if 0 <= col < len(r):
                return r[col]
        return ""


@dataclass
class RawBook:
    kind: str  # what was sent: xlsx, xlsm, ods or xls (the last two read after conversion)
    sheets: list[RawSheet]
    names: dict[str, str]  # defined name -> reference text
    styles_xml: bytes = field(default=b"", repr=False)
    date1904: bool = False
    _styles: cell_xml.Styles | None = field(default=None, repr=False)

    def sheet(self, name: str) -> RawSheet | None:
        return next((s for s in self.sheets if s.name == name), None)

    def shown(self, sheet: RawSheet, row: int, col: int) -> str | None:
        """The text the number or date at 0-based (row, col) was shown with in the
        spreadsheet (its number format: 50%, 1月2日, 1,200); None when the value has no
        format of its own (General) or is not a number."""
        if not sheet.xml:
            return None
        if self._styles is None:
            self._styles = cell_xml.Styles.parse(self.styles_xml)
        return cell_xml.shown(sheet.xml, row, col, self._styles, self.date1904)
