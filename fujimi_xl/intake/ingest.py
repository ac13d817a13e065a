"""Take returned files into the master: identify, read, extract, validate, merge, all or nothing.

For each file: its sha256 decides first (the same file again changes nothing); then, in a worker
process, the reader, the signed manifest (who and what it is), the issue it answers, the data
found by keys, normalised and validated, the archived copy of an accepted file and the feedback
workbook of a refused one. The main process merges a clean file whole, with its provenance, as
one savepoint of a batched transaction (store.Batch: a commit per hundred files or per second);
a file with any error is not merged at all and its group gets the feedback workbook.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import re
import shutil
import struct
import time
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fujimi_xl import layouts, store
from fujimi_xl.core import bulk, fiscal, normalise
from fujimi_xl.core.errors import (
    FormDefinitionError,
    FujimiError,
    HasProblems,
    OutputError,
    Problem,
    WorkspaceFault,
)
from fujimi_xl.forms import DefinitionBroken, Form, load_form
from fujimi_xl.intake import isolate
from fujimi_xl.intake.reader import RawBook, ReadRefused, sha256_of
from fujimi_xl.layouts import manifest
from fujimi_xl.store import files as received
from fujimi_xl.store import issued as issues
from fujimi_xl.store.workspace import Workspace, open_workspace

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
_LOCK_FILE = re.compile(r"^(~\$|\.~lock\.).*")


@dataclass
class FileResult(HasProblems):
    path: str
    file_name: str
    outcome: str  # accepted | rejected | unchanged | skipped | superseded
    sha256: str = ""
    form: str = ""
    year: int | None = None
    group: str = ""
    slot: str = ""
    records: int = 0
    version: int | None = None
    problems: list[Problem] = field(default_factory=list)
    feedback: str = ""
    changes: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # dry run
    saved_at: str = ""  # the workbook's own saved time (core.xml, else the file's mtime), UTC

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {
            "path": self.path, "file_name": self.file_name, "outcome": self.outcome,
            "sha256": self.sha256, "form": self.form, "year": self.year, "group": self.group,
            "slot": self.slot,
            "records": self.records, "version": self.version, "feedback": self.feedback,
            "saved_at": self.saved_at,
            "errors": len(self.errors), "warnings": len(self.warnings),
            "changes": [{"item": k, "field": f, "old": o, "new": n}
                        for k, f, o, n in self.changes],
            "problems": [p.to_dict(lang) for p in self.problems],
        }


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.outcome in ("accepted", "unchanged", "skipped", "superseded")
                   for f in self.files)

    def slots_with_versions(self) -> list[tuple[FileResult, list[FileResult]]]:
        """Slots that several files of this ingest answered: (the one now current, the
        others), for the one line per slot that says which one won."""
        by_slot: dict[tuple[str, int | None, str], list[FileResult]] = {}
        for f in self.files:
            if f.slot and f.outcome in ("accepted", "unchanged", "superseded") and f.version:
                by_slot.setdefault((f.form, f.year, f.slot), []).append(f)
        out = []
        for files in by_slot.values():
            if len(files) > 1:
                top = max(files, key=lambda f: (f.outcome != "superseded", f.version or 0))
                out.append((top, [f for f in files if f is not top]))
        return out

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.files if f.outcome == outcome)

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {
            "ok": self.ok,
            "counts": {k: self.count(k) for k in ("accepted", "rejected", "unchanged", "skipped",
                                                  "superseded")},
            "files": [f.to_dict(lang) for f in self.files],
            "versions": [{"form": top.form, "year": top.year, "slot": top.slot,
                          "current": top.file_name, "version": top.version,
                          "saved_at": top.saved_at,
                          "earlier": [o.file_name for o in others]}
                         for top, others in self.slots_with_versions()],
        }


def expand(paths: Iterable[Path | str]) -> tuple[list[Path], list[FileResult]]:
    """Files to read, and lock/other files skipped, from files and folders."""
    files: list[Path] = []
    skipped: list[FileResult] = []
    for p in map(Path, paths):
        candidates = sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p]
        for q in candidates:
            if _LOCK_FILE.match(q.name):
                skipped.append(FileResult(str(q), q.name, "skipped",
                                          problems=[Problem("skipped_lock_file", file=q.name,
                                                            severity="warning")]))
            elif p.is_dir() and q.suffix.lower() not in SPREADSHEET_SUFFIXES:
                continue
            else:
                files.append(q)
    return files, skipped


_MADE: set[str] = set()  # archive folders made by this process


def archive(ws: Workspace, path: Path, sha: str) -> Path:
    """Keep a copy of an accepted file under archive/, named by its sha256 (written first to a
    temporary name, so a crash never leaves half a file under the real name)."""
    return archive_once(ws.archive, path, sha)


def archive_once(folder: Path, path: Path, sha: str, data: bytes | None = None) -> Path:
    """The copy named ``sha``: from ``data`` (the bytes that were hashed) or from ``path``."""
    # plain os calls on text paths: this runs for every file accepted
    name = f"{sha}{path.suffix.lower() or '.xlsx'}"
    where = os.fspath(folder)
    target = os.path.join(where, name)
    if not os.path.exists(target):
        if where not in _MADE:
            os.makedirs(where, exist_ok=True)
            _MADE.add(where)
        tmp = f"{target}.{os.getpid()}.tmp"
        if data is not None:
            with open(tmp, "wb") as fh:
                fh.write(data)
        else:
            shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    return Path(target)


_FAULT_CALLS: dict[str, int] = {}


def _fault_point(name: str) -> None:
    """Fault injection for the crash tests: FUJIMI_FAULT=merge:/path/marker makes ingest write
    the marker and wait inside the merge transaction, so a test can kill it there;
    FUJIMI_FAULT=merge@3:/path/marker does so at the third file's merge."""
    spec = os.environ.get("FUJIMI_FAULT", "")
    if not spec:
        return
    point, _, marker = spec.partition(":")
    at = 1
    if "@" in point:
        point, n = point.split("@", 1)
        at = int(n)
    if point != name:
        return
    _FAULT_CALLS[name] = _FAULT_CALLS.get(name, 0) + 1
    if _FAULT_CALLS[name] == at:
        Path(marker).write_text("in transaction")
        time.sleep(60)


now = store.now


def ingest(ws: Workspace, paths: Iterable[Path | str], *, form: str | None = None,
           year: int | None = None, group: str | None = None, workers: int | None = None,
           progress: Any = None, dry_run: bool = False, lang: str = "ja",
           slot: str | None = None, isolated: bool = True) -> IngestReport:
    """Ingest files and folders into the workspace's master dataset.

    With ``dry_run`` nothing is written anywhere: each file is read and checked as usual and
    its result says what would be added or changed in the master (old → new per field).
    ``slot`` (with ``form`` and ``year``): only a book of that slot is taken, any other is
    refused ``wrong_group`` (a group's upload page: its link opens one slot only).
    ``isolated=False`` reads in this process instead of worker processes: only for a caller
    that is itself an isolated, single-threaded worker (the web server's)."""
    files, skipped = expand(paths)
    report = IngestReport(list(skipped))
    if progress is not None and hasattr(progress, "start"):
        progress.start(len(files))
    key = ws.key()
    try:
        with bulk.fewer_collections():
            return _ingest(ws, files, report, key, form=form, year=year, group=group,
                           workers=workers, progress=progress, dry_run=dry_run, lang=lang,
                           slot=slot, isolated=isolated)
    except _faults() as exc:  # the workspace's, never a returned file's: a sentence, exit 2
        raise store.fault_from(exc, ws.db_where) from exc


def _faults() -> tuple[type[BaseException], ...]:
    """The errors that are the workspace's: the database's (either driver) and the disk's."""
    return (*store.db_errors(), OSError)


def _ingest(ws: Workspace, files: list[Path], report: IngestReport, key: bytes, *,
            form: str | None, year: int | None, group: str | None, workers: int | None,
            progress: Any, dry_run: bool, lang: str, slot: str | None = None,
            isolated: bool = True) -> IngestReport:
    if not dry_run:
        ws.check_writable()  # read-only, full, locked: said before any file is read
    conn = ws.connect()
    try:
        # the sha256 decides before any parsing
        hashed: list[tuple[Path, str | OSError]] = []
        for path in files:
            try:
                hashed.append((path, sha256_of(path)))
            except OSError as exc:
                hashed.append((path, exc))
        # the files accepted before, looked up for the whole folder at once
        accepted = received.accepted_versions(
            conn, [s for _, s in hashed if isinstance(s, str)])
        refusals = received.last_refusals(
            conn, [s for _, s in hashed if isinstance(s, str) and s not in accepted])
        to_read: list[tuple[Path, str]] = []
        archived: set[str] | None = None
        for path, sha_or_error in hashed:
            if isinstance(sha_or_error, OSError):
                report.files.append(FileResult(str(path), path.name, "rejected", problems=[
                    Problem("not_workbook", file=path.name,
                            params={"detail": str(sha_or_error)})]))
                continue
            sha = sha_or_error
            known = _known(accepted.get(sha))
            if known is not None and not _matches(known, form, year, group, slot):
                known = None  # another slot's book: read, and refused as such (wrong_group…)
            if known is not None:
                report.files.append(_result_for_known(conn, path, sha, known))
                if not dry_run:
                    if archived is None:  # listed once, not looked up file by file
                        archived = set(os.listdir(ws.archive)) if ws.archive.is_dir() else set()
                    _restore_archive(ws, archived, path, sha, report.files[-1])
                if progress:
                    progress(1)
                continue
            refused = _refused_before(ws, refusals.get(sha), path, sha)
            if refused is not None:  # the same refused file again: the same answer, no work
                report.files.append(refused)
                if progress:
                    progress(1)
                continue
            to_read.append((path, sha))
        # the newest answer wins: files are read and merged in the order they were saved
        # (the workbook's own time), never in name order, so a slot's versions follow the
        # saves and its last one is current; streamed one by one as before
        saved = {str(p): saved_time(p) for p, _ in to_read}
        to_read.sort(key=lambda x: saved[str(x[0])])  # stable: name order among equals
        shas = {str(p): s for p, s in to_read}
        if to_read:
            normalise.warm()  # the workers are forked below and inherit it
        ctx = Context(str(ws.root), key, form, year, group, dry_run, lang, ws.db_url, slot)
        work: Any = functools.partial(analyse, ctx)  # returns an Analysis, not a RawBook
        with store.Batch(conn) as batch:
            names = [str(p) for p, _ in to_read]
            reading = isolate.read_many(names, workers, reader=work) if isolated \
                else isolate.read_here(names, reader=work)
            for path_str, outcome in reading:
                analysis: Any = outcome
                if isinstance(analysis, Analysis):
                    analysis.result.saved_at = saved[path_str]
                if not dry_run:
                    batch.begin()
                result = settle(ws, conn, Path(path_str), shas[path_str], analysis, dry_run,
                                lang)
                batch.done()
                report.files.append(result)
                if progress:
                    progress(1)
        _superseded_refusals(conn, report)
    finally:
        conn.close()
    order = {str(p): i for i, p in enumerate(files)}
    report.files.sort(key=lambda f: order.get(f.path, -1))
    return report


def saved_time(path: Path, data: bytes | None = None) -> str:
    """When the workbook was saved, by its own clock: ``docProps/core.xml`` dcterms:modified
    (what Excel and Calc write on every save), else the file's modification time. UTC text
    (store.saved_stamp), "" when neither can be read."""
    try:
        if data is None and path.stat().st_size <= _WHOLE_READ:
            data = path.read_bytes()  # one read; the part is then found in memory
        core = _core_part(data) if data is not None else None
        if core is None:  # anything unusual: Python's zipfile, over a small directory only
            source: Any = io.BytesIO(data) if data is not None else open(path, "rb")
            with source, zipfile.ZipFile(_small_directory(source)) as zf:
                with zf.open(_CORE) as fh:
                    core = fh.read(_CORE_BYTES)
        found = _MODIFIED.search(core)
        if found:
            text = found.group(1).decode("ascii", "replace").strip().replace("Z", "+00:00")
            return store.saved_stamp(dt.datetime.fromisoformat(text))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError):
        pass
    try:
        return store.saved_stamp(dt.datetime.fromtimestamp(path.stat().st_mtime,
                                                           dt.UTC))
    except (OSError, ValueError, OverflowError):
        return ""


_CORE = "docProps/core.xml"
_CORE_BYTES = 64 * 1024  # of the part, at most: its date is at the start
_WHOLE_READ = 8 * 1024 * 1024  # files up to this size are read whole for their saved time


def _core_part(data: bytes) -> bytes | None:
    """The start of ``docProps/core.xml`` read straight from a zip's bytes, as zipfile finds
    it (its entry in the zip directory, then its local header), for the common case only: a
    directory of at most 4096 entries and 1 MiB, the part stored or deflated, every field
    where it should be. None otherwise (zipfile then reads it, or the mtime is used). This
    runs for every file before any is read; zipfile's parse of the whole directory cost
    ten times more."""
    tail = data[-(22 + 65535):]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    n, cd_size, cd_at = struct.unpack_from("<HII", tail, at + 10)
    if n > 4096 or cd_size > (1 << 20) or cd_at + cd_size > len(data):
        return None
    directory = data[cd_at:cd_at + cd_size]
    name = _CORE.encode()
    pos = directory.rfind(name)  # the last entry of the name, as zipfile keeps it
    entry = pos - 46
    if entry < 0 or directory[entry:entry + 4] != b"PK\x01\x02":
        return None
    flags, method = struct.unpack_from("<HH", directory, entry + 8)
    size, name_len = struct.unpack_from("<I", directory, entry + 20)[0], struct.unpack_from(
        "<H", directory, entry + 28)[0]
    local = struct.unpack_from("<I", directory, entry + 42)[0]
    if name_len != len(name) or flags & 0x1 or method not in (0, 8) or size == 0xFFFFFFFF:
        return None
    if data[local:local + 4] != b"PK\x03\x04" or data[local + 30:local + 30 + len(name)] \
            != name:
        return None
    start = local + 30 + sum(struct.unpack_from("<HH", data, local + 26))
    raw = data[start:start + size]
    if len(raw) != size:
        return None
    if method == 0:
        return raw[:_CORE_BYTES]
    try:
        return zlib.decompressobj(-15).decompress(raw, _CORE_BYTES)
    except zlib.error:
        return None


def _small_directory(fh: Any, entries: int = 4096, size: int = 1 << 20) -> Any:
    """``fh`` when its zip directory is small (as a workbook's is), else ValueError: this
    runs in the main process before the safety checks, so a hostile directory of a million
    entries is never parsed here (the worker's checks refuse it)."""
    fh.seek(0, os.SEEK_END)
    end = fh.tell()
    fh.seek(max(0, end - 22 - 65535))
    tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise ValueError("no zip directory")
    n, cd_size = int.from_bytes(tail[at + 10:at + 12], "little"), int.from_bytes(
        tail[at + 12:at + 16], "little")
    if n > entries or cd_size > size:
        raise ValueError("zip directory too large")
    fh.seek(0)
    return fh


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]{1,64})</dcterms:modified>")


def _superseded_refusals(conn: Any, report: IngestReport) -> None:
    """A refused file whose slot now holds a version saved later is history, not a refusal:
    its correction was accepted (now or before), so it is reported as superseded, exit 0."""
    for r in report.files:
        if r.outcome != "rejected" or not r.slot or not r.form or not r.saved_at:
            continue
        current = store.current_version(conn, r.form, r.year or 0, r.slot)
        if current is None or not current["saved_at"] or current["saved_at"] <= r.saved_at:
            continue
        n = len(r.errors)
        r.outcome, r.feedback = "superseded", ""
        r.problems = [Problem("superseded_refusal", file=r.file_name, severity="warning", params={
            "name": r.file_name, "saved": store.jp_time(r.saved_at), "n": n,
            "current_file": current["file_name"],
            "current_saved": store.jp_time(current["saved_at"]),
            "version": current["version"]})]


@dataclass
class _Known:
    outcome: str
    form: str
    year: int | None
    group: str
    current: bool
    superseded_at: str
    version: int | None
    slot: str = ""
    saved_at: str = ""


def _known(row: Any) -> _Known | None:
    """What ``received.accepted_version(s)`` found of a file (None: never accepted)."""
    if row is None:
        return None
    return _Known("accepted", row["form"], row["year"], row["group_code"],
                  row["superseded_by"] is None, row["superseded_at"] or "", row["version"],
                  row["slot"] or "", row["saved_at"] or "")


def _matches(known: _Known, form: str | None, year: int | None, group: str | None,
             slot: str | None) -> bool:
    """Whether a file accepted before answers what this ingest takes (``--form``,
    ``--year``, ``--group``, a group page's slot): only then is "unchanged" its answer."""
    return not ((form and known.form != form) or (year and known.year != year)
                or (group and known.group != group) or (slot and known.slot != slot))


# refusals that depend on how the file was ingested or on the moment, not on the file alone:
# the same file may pass another time, so it is read again
_CIRCUMSTANTIAL = {"wrong_group", "wrong_year", "wrong_form", "read_failed", "limit_exceeded",
                   "unknown_issue"}


def _refused_before(ws: Workspace, row: Any, path: Path, sha: str) -> FileResult | None:
    """The answer given to this file (``row``: its last refusal, looked up with the folder's)
    when it was refused before for a reason of its own, or None (read it again)."""
    if row is None:
        return None
    if {p.get("code") for p in store.loads(row["problems"])} & _CIRCUMSTANTIAL:
        return None
    fields = {"code", "file", "sheet", "cell", "field", "value", "params", "severity",
              "item_key", "field_id"}
    problems = [Problem(**{k: v for k, v in p.items() if k in fields})
                for p in store.loads(row["problems"])]
    for p in problems:
        p.file = path.name
    result = FileResult(str(path), path.name, "rejected", sha256=sha, form=row["form"] or "",
                        year=row["year"], group=row["group_code"] or "", slot=row["slot"] or "",
                        problems=problems, saved_at=row["saved_at"] or saved_time(path))
    if row["form"]:
        stem = Path(row["file_name"]).stem
        fb = ws.feedback / str(row["year"]) / row["form"] / f"差戻し_{stem}.xlsx"
        result.feedback = str(fb) if fb.exists() else ""
    return result


def _result_for_known(conn: Any, path: Path, sha: str, known: _Known) -> FileResult:
    """A file accepted before: unchanged when it is the current version; an earlier version
    stays an earlier version (ingest never makes one current again: that is `restore`)."""
    result = FileResult(str(path), path.name, "unchanged", sha256=sha, form=known.form,
                        year=known.year, group=known.group, version=known.version,
                        slot=known.slot, saved_at=known.saved_at)
    if not known.current:
        current = store.current_version(conn, known.form, known.year or 0, known.slot) \
            if known.slot else None
        result.outcome = "superseded"
        result.problems = [Problem("already_superseded", file=path.name, severity="warning",
                                   params={
            "name": path.name, "version": known.version,
            "saved": store.jp_time(known.saved_at),
            "current": current["version"] if current else "",
            "current_file": current["file_name"] if current else "",
            "current_saved": store.jp_time(current["saved_at"]) if current else "",
            "slot": known.slot})]
    return result


def _restore_archive(ws: Workspace, archived: set[str], path: Path, sha: str,
                     result: FileResult) -> None:
    """An accepted file whose archived copy is missing (``archived``: the names in the
    archive folder): the very same bytes (the sha256 says so) are kept again, and the
    result says it was restored."""
    if f"{sha}{path.suffix.lower() or '.xlsx'}" in archived or _has_archive(ws.archive, sha):
        return
    data = _small_file(path)
    if data is None or hashlib.sha256(data).hexdigest() != sha:
        return  # changed since it was hashed: not the accepted file any more
    archive_once(ws.archive, path, sha, data)
    result.problems.append(Problem("archive_restored", file=path.name, severity="warning"))


def _has_archive(folder: Path, sha: str) -> bool:
    return any(not p.name.endswith(".tmp") for p in folder.glob(f"{sha}.*"))


def _record_receipt(conn: Any, result: FileResult, size: int, issue_id: str = "") -> int:
    return received.record_receipt(conn, _receipt(result, size, issue_id))


def _receipt(result: FileResult, size: int, issue_id: str = "") -> tuple[Any, ...]:
    """The receipt log's row of a file (store.files.RECEIPT_SQL)."""
    return (result.sha256, result.file_name, size, now(), result.form or None, result.year,
            result.group or None, result.slot or None, issue_id or None,
            "accepted" if result.outcome == "superseded" else result.outcome,
            len(result.errors), len(result.warnings),
            store.dumps([p.to_dict() for p in result.problems]), result.saved_at or None)


def _reject(ws: Workspace, conn: Any, result: FileResult, size: int, issue_id: str = "") -> \
        FileResult:
    result.outcome = "rejected"
    if getattr(conn, "dry_run", False):
        return result
    if not received.seen(conn, result.sha256, "rejected"):  # the same one again adds nothing
        with store.transaction(conn):
            _record_receipt(conn, result, size, issue_id)
    return result


@dataclass
class _Found:
    """A clean file's values, ready to merge (its cells are not needed any more)."""

    rows: list[tuple[str, str, str, str, str]]  # item key, field, value JSON, sheet, cell
    records: int

    def __reduce__(self) -> Any:
        """Sent from a worker as one string, not a thousand (JSON escapes every control
        character in a value, so the separator can only be found between fields)."""
        flat = [x for row in self.rows for x in row]
        text = _UNIT.join(flat)
        if text.count(_UNIT) == max(len(flat) - 1, 0):
            return (_found_from_text, (text, len(flat), self.records))
        return (_Found, (self.rows, self.records))


_UNIT = "\x1f"


def _found_from_text(text: str, n: int, records: int) -> _Found:
    it = iter(text.split(_UNIT) if n else [])
    return _Found(list(zip(it, it, it, it, it, strict=True)), records)


def read_form(f: Form, book: RawBook, payload: dict[str, Any], items: list[Any],
              name: str, year: int, result: FileResult) -> Any:
    """Extract and check a returned book through its layout (the registry): the master's rows
    (a ``_Found``), or the extracted data when it is refused (for the feedback workbook)."""
    layout = layouts.get(f.layout)
    data = layout.extract(book, f, year, payload, items, name)
    result.problems.extend(data.problems)
    if not layout.read(data) or any(p.code in ("header_missing", "input_sheet_missing")
                                    for p in data.problems):
        return data
    checked = layout.check(f, year, data, items, name)
    result.problems.extend(checked.problems)
    if result.errors:
        return data
    return _Found(layout.stored(f, checked, data, items), len(checked.records))


class _DryRun:
    """A connection that reads and refuses to write: what a dry run uses."""

    dry_run = True

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.dialect = conn.dialect

    def execute(self, sql: str, params: Any = ()) -> Any:
        if not sql.lstrip().upper().startswith("SELECT"):
            raise RuntimeError("dry run: no writes")
        return self._conn.execute(sql, params)

    def one(self, sql: str, params: Any = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]


def _preview(conn: Any, issue: Any, result: FileResult,
             rows: list[tuple[str, str, str, str, str]]) -> FileResult:
    """What merging ``rows`` would change: old → new per field, against the current version."""
    current = store.current_version(conn, issue["form"], issue["year"], issue["slot"])
    old: dict[tuple[str, str], Any] = {}
    if current is not None:
        old = received.values_of(conn, current["id"])
    for k, fid, value, _, _ in rows:
        if old.get((k, fid)) != value:
            result.changes.append((k, fid, store.loads(old.get((k, fid))), store.loads(value)))
    result.outcome = "unchanged" if current is not None and not result.changes else "accepted"
    result.version = (current["version"] + 1 if current else 1) if result.changes else (
        current["version"] if current else None)
    if result.changes and _older(result, current):
        result.outcome = "superseded"
        result.problems.append(_older_problem(result, current))
    return result


@dataclass
class Analysis:
    """What a worker found in one file: everything but the steps that need the master's
    latest state (staleness, versions) and every write, which the main process does."""

    result: FileResult
    stage: str  # "refused" (the file or its identity), "invalid" (its data), "stale" (an
    # earlier issue: ``found`` holds its answers for a feedback book on the latest), "ok",
    # "fault" (the workspace's, not the file's: the ingest stops)
    issue: dict[str, Any] | None = None
    found: Any = None  # _Found when ok; the extracted data for a feedback workbook otherwise
    fault: tuple[str, str, dict[str, str]] | None = None  # stage "fault": class, code, params


@dataclass
class Context:
    """What a worker needs to analyse files on its own (picklable)."""

    root: str
    key: bytes
    form: str | None = None
    year: int | None = None
    group: str | None = None
    dry_run: bool = False
    lang: str = "ja"
    db: str = ""  # the master's URL: workers open it by URL, never by a file's path
    slot: str | None = None


_WORKER: dict[str, Any] = {}


def worker_db(ctx: Context | str) -> Any:
    """A read-only store per worker process and master (WAL lets SQLite readers read while
    the main process writes), opened by the master's URL (``ctx``: the context, or the
    workspace's folder)."""
    root, url = (ctx, "") if isinstance(ctx, str) else (ctx.root, ctx.db)
    url = url or open_workspace(Path(root)).db_url
    # per process: a forked worker never shares its parent's connection (a PostgreSQL
    # connection used from two processes at once would mix their conversations)
    key = f"db:{os.getpid()}:{url}"
    conn = _WORKER.get(key)
    if conn is None:
        conn = store.Store.from_url(url, readonly=True)
        _WORKER[key] = conn
    return conn


def analyse(ctx: Context, path_str: str) -> Analysis:
    """Read, identify, extract and validate one file (in a worker process). A fault of the
    workspace met on the way (the master cannot be read, the archive or feedback folder cannot
    be written, a form definition is broken) is not the file's: it comes back as the stage
    "fault", and the main process stops the ingest with it instead of refusing the file."""
    faults: tuple[type[BaseException], ...] = (*_faults(), FujimiError)
    try:
        return _analyse(ctx, path_str)
    except faults as exc:
        if isinstance(exc, FujimiError):
            fault: FujimiError = exc
        else:
            fault = store.fault_from(exc, store.mask(ctx.db) if store.is_postgres(ctx.db)
                                     else Path(ctx.root) / "master.sqlite")
        result = FileResult(path_str, Path(path_str).name, "rejected")
        return Analysis(result, "fault", fault=(type(fault).__name__, fault.code,
                                                {k: str(v) for k, v in fault.params.items()}))


def _raise_fault(fault: tuple[str, str, dict[str, str]]) -> None:
    """Raise again, in the main process, the fault a worker met."""
    kind, code, params = fault
    cls: type[FujimiError] = {"OutputError": OutputError, "FormDefinitionError":
                              FormDefinitionError, "DefinitionBroken": DefinitionBroken,
                              }.get(kind, WorkspaceFault)
    raise cls(code=code, **params)


def _analyse(ctx: Context, path_str: str) -> Analysis:
    path = Path(path_str)
    name = path.name
    result = FileResult(str(path), name, "rejected")
    raw = _small_file(path)  # hashed here: what is read is what gets archived
    if raw is not None:
        result.sha256 = hashlib.sha256(raw).hexdigest()
    outcome = isolate.read_in_process(path_str, raw)
    if isinstance(outcome, ReadRefused):
        result.problems.append(Problem(outcome.code, file=name, params=outcome.params))
        return Analysis(result, "refused")
    book = outcome
    msheet = book.sheet(manifest.SHEET)
    parsed = manifest.from_cells([r[0] if r else "" for r in msheet.rows]) if msheet else None
    if parsed is None:
        result.problems.append(Problem("no_manifest", file=name))
        return Analysis(result, "refused")
    payload, signature = parsed
    if not manifest.verify(payload, signature, ctx.key):
        result.problems.append(Problem("bad_signature", file=name, sheet=manifest.SHEET))
        return Analysis(result, "refused")
    row = issues.by_id(worker_db(ctx), payload.get("issue_id"))
    if row is None:
        result.problems.append(Problem("unknown_issue", file=name,
                                       params={"issue_id": payload.get("issue_id")}))
        return Analysis(result, "refused")
    issue = dict(row)
    result.form, result.year, result.group = issue["form"], issue["year"], issue["group_code"]
    result.slot = issue["slot"]
    if payload.get("locked_hash") != issue["locked_hash"] or payload.get("group") != issue[
            "group_code"]:
        result.problems.append(Problem("bad_signature", file=name, sheet=manifest.SHEET))
        return Analysis(result, "refused", issue)
    if ctx.form and ctx.form != issue["form"]:
        result.problems.append(Problem("wrong_form", file=name,
                                       params={"expected": ctx.form, "found": issue["form"]}))
    if ctx.year and ctx.year != issue["year"]:
        result.problems.append(Problem("wrong_year", file=name, params={
            "expected": fiscal.long_label(ctx.year),
            "found": fiscal.long_label(issue["year"])}))
    if ctx.group and ctx.group != issue["group_code"]:
        result.problems.append(Problem("wrong_group", file=name, params={
            "expected": ctx.group, "found": issue["group_code"]}))
    elif ctx.slot and ctx.slot != issue["slot"]:
        result.problems.append(Problem("wrong_group", file=name, params={
            "expected": ctx.slot, "found": issue["slot"]}))
    if result.problems:
        if ctx.slot:  # refused at another slot's page: kept under neither slot
            result.slot, result.group = "", ""
        return Analysis(result, "refused", issue)
    f = worker_form(issue["form"], ctx.root)
    items = store.loads(issue["items"])
    if _stale(worker_db(ctx), issue, f) is not None:
        # a book of an earlier issue: its answers are taken (not checked) for a feedback
        # workbook on the latest issue, which the main process writes
        stale_data = layouts.get(f.layout).extract(book, f, issue["year"], payload, items, name)
        return Analysis(result, "stale", issue, stale_data)
    found = read_form(f, book, payload, items, name, issue["year"], result)
    if not isinstance(found, _Found):  # the extracted data, for the feedback workbook
        if not ctx.dry_run:
            # the feedback workbook is built here, in parallel; the main process only keeps it
            ws = _workspace(ctx.root)
            result.feedback = str(layouts.get(f.layout).feedback(
                ws, f, issue, found, result.problems, name, lang=ctx.lang,
                conn=worker_db(ctx)))  # not a new store: it would check the master again
        return Analysis(result, "invalid", issue, found)
    if not ctx.dry_run and raw is not None:
        # kept before the master changes; a copy whose merge is then refused (a newer issue
        # meanwhile) stays unreferenced under its sha256, harmless
        archive_once(Path(ctx.root) / "archive", path, result.sha256, raw)
    return Analysis(result, "ok", issue, found)


def _small_file(path: Path, limit: int = 64 * 1024 * 1024) -> bytes | None:
    """The bytes of a file small enough to hold (every real workbook), else None."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError:
        return None  # the reader names what is wrong with the file
    return data if len(data) <= limit else None


def _workspace(root: str) -> Workspace:
    key = f"ws:{root}"
    if key not in _WORKER:
        _WORKER[key] = open_workspace(Path(root))
    return _WORKER[key]  # type: ignore[no-any-return]


def _stale(conn: Any, issue: dict[str, Any], f: Form) -> Problem | None:
    """The file answers an issue that a newer workbook (or a newer form) replaced: the
    problem names both issue times and what changed (items added, removed, edited)."""
    return _stale_of(issue, f, latest_issue(conn, issue))


def _stale_of(issue: dict[str, Any], f: Form, newer: Any) -> Problem | None:
    """_stale, the newer issue of the slot (or None) being known."""
    if newer is None and issue["form_version"] == f.version:
        return None
    added, removed, edited = issue_changes(issue, newer)
    return Problem("stale_template", params={
        "found": store.jp_time(issue["issued_at"]),
        "expected": store.jp_time(newer["issued_at"]) if newer else "",
        "added": ", ".join(added) or "—", "removed": ", ".join(removed) or "—",
        "edited": ", ".join(edited) or "—",
        "latest_issue": newer["issue_id"] if newer else ""})


def latest_issue(conn: Any, issue: dict[str, Any]) -> Any:
    """The newest issue of the same slot issued after ``issue``, or None."""
    return issues.newer(conn, issue)


def issue_changes(old: Any, new: Any) -> tuple[list[str], list[str], list[str]]:
    """Item keys added, removed and edited from issue ``old`` to issue ``new`` (their
    snapshots of what was prefilled and locked)."""
    if new is None:
        return [], [], []
    a = {it["key"]: it for it in store.loads(old["items"])}
    b = {it["key"]: it for it in store.loads(new["items"])}
    return ([k for k in b if k not in a], [k for k in a if k not in b],
            [k for k in b if k in a and a[k] != b[k]])


def forget_forms() -> None:
    """Drop the forms and workspaces this process keeps between files: a long-lived worker
    (the web server's) calls it when a definition in the workspace changed."""
    for key in [k for k in _WORKER if k.startswith(("form:", "ws:"))]:
        del _WORKER[key]


def worker_form(name: str, root: str) -> Form:
    key = f"form:{root}:{name}"
    if key not in _WORKER:
        _WORKER[key] = load_form(name, Path(root))
    return _WORKER[key]


def settle(ws: Workspace, conn: Any, path: Path, sha: str, analysis: Analysis | ReadRefused,
           dry_run: bool = False, lang: str = "ja") -> FileResult:
    """The main process's part: staleness against the latest issues, then the receipt, the
    feedback workbook or the merge (one savepoint of the batch's transaction)."""
    if dry_run:
        conn = _DryRun(conn)
    name = path.name
    size = path.stat().st_size
    if isinstance(analysis, ReadRefused):  # the worker itself died or overran its time
        result = FileResult(str(path), name, "rejected", sha256=sha, problems=[
            Problem(analysis.code, file=name, params=analysis.params)])
        return _reject(ws, conn, result, size)
    if analysis.fault is not None:  # the workspace's fault, met by the worker: stop here
        _raise_fault(analysis.fault)
    result = analysis.result
    sha = result.sha256 = result.sha256 or sha  # the worker's: of the bytes it read
    issue = analysis.issue
    issue_id = issue["issue_id"] if issue else ""
    if analysis.stage == "refused" or issue is None:
        return _reject(ws, conn, result, size, issue_id)
    f = worker_form(issue["form"], str(ws.root))
    state = None
    if analysis.stage == "ok" and not dry_run:
        # staleness and the slot's versions in one query: the batch's transaction holds the
        # master's write lock, so nothing changes between this read and the merge
        state = received.merge_state(conn, sha, issue)
        newer = issues.by_id(conn, state[0]) if state[0] is not None else None
        stale = _stale_of(issue, f, newer)
    else:
        stale = _stale(conn, issue, f)
    if stale is not None:
        stale.file = name
        result.problems = [stale]
        if result.feedback:  # a newer workbook was issued while the worker built this one
            Path(result.feedback).unlink(missing_ok=True)
            result.feedback = ""
        latest = latest_issue(conn, issue)
        if not dry_run and latest is not None and not isinstance(analysis.found, _Found) \
                and analysis.found is not None:
            # answered on the latest template, the group's answers carried over by item key
            result.feedback = str(layouts.get(f.layout).feedback(
                ws, f, dict(latest), analysis.found, result.problems, name, lang=lang,
                conn=conn))
        return _reject(ws, conn, result, size, issue_id)
    if analysis.stage == "stale":  # cannot happen (issues are only ever added): read it again
        result.problems = [Problem("read_failed", file=name, params={"detail": "stale"})]
        return _reject(ws, conn, result, size, issue_id)
    if analysis.stage == "invalid":
        if not dry_run and not result.feedback:
            result.feedback = str(layouts.get(f.layout).feedback(ws, f, issue, analysis.found,
                                                 result.problems, name, lang=lang, conn=conn))
        return _reject(ws, conn, result, size, issue_id)
    rows, result.records = analysis.found.rows, analysis.found.records
    if dry_run:
        return _preview(conn, issue, result, rows)
    archive(ws, path, sha)  # kept before the master changes (the worker normally did it)
    assert state is not None
    return _merge(conn, issue, result, rows, sha, size, state[1:])


def _merge(conn: Any, issue: dict[str, Any], result: FileResult,
           rows: list[tuple[str, str, str, str, str]], sha: str, size: int,
           state: tuple[bool, Any, int]) -> FileResult:
    """Merge the file's rows as the slot's next version, as one savepoint of the batch's
    transaction; ``state``: what merge_state read in that transaction."""
    with store.transaction(conn):
        again, current, top = state
        if again:  # another process took it meanwhile
            result.outcome = "unchanged"
            return result
        if current is not None:
            old = received.values_of(conn, current["id"])
            if old == {(k, fid): v for k, fid, v, _, _ in rows}:
                result.outcome = "unchanged"
                result.version = current["version"]
                if not received.seen(conn, sha, "unchanged"):
                    _record_receipt(conn, result, size, issue["issue_id"])
                return result
        older = _older(result, current)
        result.outcome = "superseded" if older else "accepted"
        if older:
            result.problems.append(_older_problem(result, current))
        receipt = _receipt(result, size, issue["issue_id"])
        _fault_point("merge")
        _, result.version = store.add_received_version(
            conn, receipt, form=issue["form"], year=issue["year"], group=issue["group_code"],
            slot=issue["slot"], rows=rows, stamp=now(), current=current, history=older,
            top=top)
    return result


def _older(result: FileResult, current: Any) -> bool:
    """The file was saved before the slot's current version: it is kept as an earlier
    version and the current one stays current (the newest answer wins)."""
    return bool(current is not None and current["saved_at"] and result.saved_at
                and result.saved_at < current["saved_at"])


def _older_problem(result: FileResult, current: Any) -> Problem:
    return Problem("older_version", file=result.file_name, severity="warning", params={
        "name": result.file_name, "saved": store.jp_time(result.saved_at),
        "current_file": current["file_name"],
        "current_saved": store.jp_time(current["saved_at"]), "current": current["version"]})
