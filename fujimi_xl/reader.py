"""Read a returned file: tell what it really is, check it against limits, read its cells.

Content decides, never the extension: a .xlsx may really be .xls, .ods, an encrypted package, a
CSV or an HTML page. Cells are read with python-calamine (fast, keeps values under merged
ranges); the workbook's sheet list and defined names come from ``xl/workbook.xml`` parsed with
defusedxml (no entities, no DTD). Everything here runs inside a worker process (``isolate.py``)
because a crafted file can make a native reader abort the whole process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET

# limits checked before and during reading
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, for members over 1 MiB
MAX_MEMBERS = 2000
MAX_CELLS = 2_000_000  # rows x columns of one sheet's used range
MAX_ROWS = 100_000

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


class ReadRefused(Exception):
    """The file cannot be read; ``code`` and ``params`` say why (a message catalogue entry)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class RawSheet:
    name: str
    state: str  # visible | hidden | veryHidden
    rows: list[list[Any]]  # absolute grid from A1; '' for empty cells
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r1,c1,r2,c2

    def value(self, row: int, col: int) -> Any:
        """Value at 0-based (row, col), '' when outside the grid."""
        if 0 <= row < len(self.rows):
            r = self.rows[row]
            if 0 <= col < len(r):
                return r[col]
        return ""


@dataclass
class RawBook:
    kind: str
    sheets: list[RawSheet]
    names: dict[str, str]  # defined name -> reference text

    def sheet(self, name: str) -> RawSheet | None:
        return next((s for s in self.sheets if s.name == name), None)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sniff(path: Path) -> str:
    """xlsx, xlsm, ods, xls, encrypted, empty, csv, html, text, zip, broken_zip or unknown."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if "mimetype" in names:
                    mt = zf.read("mimetype")[:100]
                    if b"opendocument.spreadsheet" in mt:
                        return "ods"
                    return "zip"
                if "xl/workbook.xml" in names:
                    return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
                if "[Content_Types].xml" in names:
                    return "broken_zip"
                return "zip"
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            return "broken_zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        with open(path, "rb") as fh:
            blob = fh.read(min(MAX_FILE_BYTES, 4 * 1024 * 1024))
        if "EncryptedPackage".encode("utf-16-le") in blob:
            return "encrypted"
        return "xls"
    lower = head.lstrip().lower()
    if lower.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table", b"<")):
        return "html"
    for enc in ("utf-8", "cp932"):
        try:
            text = head.decode(enc)
        except UnicodeDecodeError:
            continue
        return "csv" if ("," in text or "\t" in text) else "text"
    return "unknown"


FORMAT_NAMES = {
    "ods": "OpenDocument スプレッドシート (.ods)",
    "xls": "Excel 97-2003 ブック (.xls)",
    "csv": "CSV/テキスト",
    "text": "テキスト",
    "html": "HTML/XML",
    "zip": "ZIP圧縮ファイル",
}


def _check_zip(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ReadRefused("limit_exceeded", limit="ファイルサイズ", found=size,
                          allowed=MAX_FILE_BYTES)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadRefused("not_workbook", detail=f"ZIP構造の破損: {exc}") from exc
    if len(infos) > MAX_MEMBERS:
        raise ReadRefused("limit_exceeded", limit="部品数", found=len(infos), allowed=MAX_MEMBERS)
    total = sum(i.file_size for i in infos)
    if total > MAX_INFLATED_BYTES:
        raise ReadRefused("limit_exceeded", limit="展開後サイズ", found=total,
                          allowed=MAX_INFLATED_BYTES)
    for i in infos:
        if i.file_size > (1 << 20) and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise ReadRefused("limit_exceeded", limit="圧縮率", found=i.file_size //
                              max(i.compress_size, 1), allowed=MAX_RATIO)


def _workbook_xml(path: Path) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(sheet name, state) in order, and the defined names, from xl/workbook.xml."""
    with zipfile.ZipFile(path) as zf:
        data = zf.read("xl/workbook.xml")
    root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                             forbid_external=True)
    sheets = [(s.get("name", ""), s.get("state", "visible"))
              for s in root.iterfind("m:sheets/m:sheet", NS)]
    names = {}
    for d in root.iterfind("m:definedNames/m:definedName", NS):
        if d.get("localSheetId") is None:
            names[d.get("name", "")] = (d.text or "").strip()
    return sheets, names


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return value
    return value


def read_book(path: str | Path) -> RawBook:
    """Read every sheet of an .xlsx/.xlsm file. Raises ReadRefused for anything unreadable."""
    path = Path(path)
    kind = sniff(path)
    if kind == "empty":
        raise ReadRefused("not_workbook", detail="空のファイル (0バイト)")
    if kind == "encrypted":
        raise ReadRefused("encrypted")
    if kind in ("ods", "xls", "csv", "text", "html", "zip"):
        raise ReadRefused("other_format", format=FORMAT_NAMES[kind])
    if kind in ("broken_zip", "unknown"):
        raise ReadRefused("not_workbook", detail="ZIP構造が壊れているか、Excelの形式ではありません")
    _check_zip(path)
    try:
        order, names = _workbook_xml(path)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadRefused("not_workbook", detail=f"workbook.xml: {type(exc).__name__}") from exc
    except Exception as exc:  # defusedxml's DTD/entity refusals and ParseError
        raise ReadRefused("not_workbook", detail=f"workbook.xml: {type(exc).__name__}") from exc

    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise ReadRefused("not_workbook", detail=f"{type(exc).__name__}: {exc}"[:200]) from exc
    states = dict(order)
    sheets = []
    try:
        for name in wb.sheet_names:
            try:
                sh = wb.get_sheet_by_name(name)
            except Exception as exc:  # a broken sheet part
                raise ReadRefused("not_workbook",
                                  detail=f"シート「{name}」: {type(exc).__name__}") from exc
            end = sh.end
            if end is not None:
                rows, cols = end[0] + 1, end[1] + 1
                if rows > MAX_ROWS or rows * cols > MAX_CELLS:
                    raise ReadRefused("limit_exceeded", limit=f"シート「{name}」のセル範囲",
                                      found=f"{rows}行×{cols}列", allowed=f"{MAX_CELLS}セル")
                grid = [[_plain(v) for v in row] for row in sh.to_python(skip_empty_area=False)]
            else:
                grid = []
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or [])]
            sheets.append(RawSheet(name, states.get(name, "visible"), grid, merged))
    finally:
        wb.close()
    return RawBook(kind, sheets, names)
