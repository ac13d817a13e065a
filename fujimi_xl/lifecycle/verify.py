"""Check the master's integrity: every current value traces to an accepted file whose sha256
matches what was recorded, and reading that file again gives the same values in the same cells.

Checks, in order: SQLite's own integrity check; one current version per slot and an unbroken
chain of versions; each accepted submission has its receipt and its archived file; the archived
file's sha256; and the values, re-read from the archived file through the same reader, extractor
and validator as ingest, equal what the master holds, cell for cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fujimi_xl import store
from fujimi_xl.core.errors import Notice
from fujimi_xl.forms import load_form
from fujimi_xl.intake import isolate
from fujimi_xl.intake.ingest import FileResult, read_form
from fujimi_xl.intake.reader import RawBook, sha256_of
from fujimi_xl.layouts import manifest
from fujimi_xl.store import checks
from fujimi_xl.store import issued as issues
from fujimi_xl.store.workspace import Workspace


@dataclass
class VerifyReport:
    checked: dict[str, int] = field(default_factory=dict)
    findings: list[Notice] = field(default_factory=list)  # each problem as a message record

    @property
    def problems(self) -> list[str]:
        """The problems found, in Japanese."""
        return self.messages()

    def messages(self, lang: str = "ja") -> list[str]:
        """The problems found, in ``lang`` ("ja" or "en")."""
        return [n.message(lang) for n in self.findings]

    def add(self, code: str, **params: Any) -> None:
        self.findings.append(Notice(code, params))

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "problems": self.messages(lang)}


def verify(ws: Workspace, reread: bool = True) -> VerifyReport:
    """Check the master; a damaged master (a bad header, a bad page) is a finding of its own,
    and nothing else is checked in it."""
    rep = VerifyReport()
    try:
        return _verify(ws, reread, rep)
    except store.db_errors() as exc:
        if store.fault_from(exc, ws.db_where).code != "master_corrupt":
            raise
        rep.findings.clear()
        rep.add("verify_database", result=str(exc))
        return rep


def _verify(ws: Workspace, reread: bool, rep: VerifyReport) -> VerifyReport:
    conn = store.Store(ws.db_url)  # not ws.connect(): its quick check would stop here
    try:
        problems = checks.integrity(conn)
        if problems != ["ok"]:
            rep.add("verify_database", result="; ".join(map(str, problems))[:500])
            return rep
        slots = checks.slots(conn)
        for s in slots:
            where = f"{s['form']} {s['year']} {s['slot']}"
            if s["cur"] != 1:
                rep.add("verify_current_count", where=where, n=s["cur"])
            if s["top"] != s["n"]:
                rep.add("verify_version_gap", where=where, n=s["n"], top=s["top"])
        subs = checks.current_submissions(conn)
        values = 0
        to_read: list[tuple[Any, Path]] = []
        for s in subs:
            where = f"{s['form']} {s['year']} {s['slot']} v{s['version']}"
            if s["sha256"] is None or s["outcome"] != "accepted":
                rep.add("verify_no_receipt", where=where)
                continue
            path = _archived(ws, s["sha256"])
            if path is None:
                rep.add("verify_no_archive", where=where, file=s["file_name"])
                continue
            if sha256_of(path) != s["sha256"]:
                rep.add("verify_sha256", where=where, name=path.name)
                continue
            to_read.append((s, path))
        if reread:
            stored_by_sub: dict[int, dict[tuple[str, str], tuple[str, str, str]]] = {}
            for r in checks.current_value_rows(conn):
                stored_by_sub.setdefault(r["submission_id"], {})[(r["item_key"], r["field"])] = (
                    r["value"], r["sheet"], r["cell"])
            by_path: dict[str, list[Any]] = {}
            for s, p in to_read:  # one imported table can hold several owners' versions
                by_path.setdefault(str(p), []).append(s)
            for path_str, outcome in isolate.read_many(list(by_path)):
                for s in by_path[path_str]:
                    where = f"{s['form']} {s['year']} {s['slot']} v{s['version']}"
                    stored = stored_by_sub.get(s["id"], {})
                    values += len(stored)
                    again = _reread(ws, conn, s, outcome)
                    if again is None:
                        rep.add("verify_unreadable", where=where)
                    elif again != stored:
                        diff = sorted(set(again.items()) ^ set(stored.items()))[:3]
                        rep.add("verify_values_differ", where=where, diff=diff)
        rep.checked = {"submissions": len(subs), "files": len(to_read), "values": values,
                       "slots": len(slots)}
        return rep
    finally:
        conn.close()


def _archived(ws: Workspace, sha: str) -> Path | None:
    folder = ws.archive
    found = sorted(folder.glob(f"{sha}.*")) if folder.is_dir() else []
    found = [p for p in found if not p.name.endswith(".tmp")]
    return found[0] if found else None


def _reread(ws: Workspace, conn: Any, s: Any, outcome: Any) -> dict[Any, Any] | None:
    if s["issue_id"] == "import":  # an imported table: parse it again the same way
        return _reread_import(ws, s)
    if not isinstance(outcome, RawBook):
        return None
    issue = issues.by_id(conn, s["issue_id"])
    msheet = outcome.sheet(manifest.SHEET)
    parsed = manifest.from_cells([r[0] if r else "" for r in msheet.rows]) if msheet else None
    if issue is None or parsed is None:
        return None
    payload, _ = parsed
    form = load_form(issue["form"], ws.root)
    items = store.loads(issue["items"])
    dummy = FileResult("", "", "")
    found = read_form(form, outcome, payload, items, "", issue["year"], dummy)
    rows = getattr(found, "rows", None)
    if rows is None:
        return None
    return {(k, f): (v, sheet, cell) for k, f, v, sheet, cell in rows}


def _reread_import(ws: Workspace, s: Any) -> dict[Any, Any] | None:
    """The values of an imported table's version, parsed again from its archived copy."""
    # openpyxl (and numpy) load in over 0.1 s: only a master with imported tables pays for them
    from fujimi_xl.lifecycle.import_report import read_report

    path = _archived(ws, s["sha256"])
    if path is None:
        return None
    conn = ws.connect()
    try:
        stored = checks.cells_of(conn, s["id"])
    finally:
        conn.close()
    out: dict[Any, Any] = {}
    for row in read_report(path, load_form(s["form"], ws.root)).rows:
        for fid, value in row.values.items():
            sheet, _, a1 = row.cells.get(fid, "!").rpartition("!")
            if stored.get((row.key, fid)) == a1:
                out[(row.key, fid)] = (store.dumps(value if value != "" else None), sheet, a1)
    return out
