"""The library API: everything the CLI does, a Python caller can do without it."""

from __future__ import annotations

import contextlib
import errno
import getpass
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsxwriter.exceptions import FileCreateError

from fujimi_xl import forms, layouts, store
from fujimi_xl.core import bulk, fiscal
from fujimi_xl.core.errors import FujimiError, NothingToDoError, Notice, WorkspaceFault
from fujimi_xl.core.messages import DEFAULT_FONT
from fujimi_xl.forms import load_form
from fujimi_xl.intake.ingest import IngestReport, issue_changes, now
from fujimi_xl.intake.ingest import ingest as _ingest
from fujimi_xl.lifecycle import access, names, receipts
from fujimi_xl.lifecycle import plan as planmod
from fujimi_xl.lifecycle.backup import backup as _backup
from fujimi_xl.lifecycle.backup import restore as _restore_backup
from fujimi_xl.lifecycle.history import diff as _diff
from fujimi_xl.lifecycle.history import history as _history
from fujimi_xl.lifecycle.history import restore as _restore
from fujimi_xl.lifecycle.migrate import MigrateResult
from fujimi_xl.lifecycle.migrate import migrate as _migrate
from fujimi_xl.lifecycle.rollover import rollover as _rollover
from fujimi_xl.lifecycle.verify import verify as _verify
from fujimi_xl.output import pdf
from fujimi_xl.store import dataset
from fujimi_xl.store import files as received
from fujimi_xl.store import issued as issues
from fujimi_xl.store.workspace import Workspace, create_workspace, open_workspace

__all__ = [
    "GenerateResult",
    "ReportResult",
    "StatusReport",
    "add_user",
    "check_form",
    "diff",
    "export",
    "form_from_dir",
    "forms_list",
    "generate",
    "history",
    "import_report",
    "ingest",
    "init",
    "links",
    "load_plan",
    "open_workspace",
    "plan_template",
    "remove_user",
    "report",
    "restore",
    "revoke_links",
    "rollover",
    "status",
    "users",
    "verify",
    "write_links",
]


def plan_template(path: Path | str, form: str | None = None,
                  workspace: Path | str | None = None, lang: str = "ja") -> Path:
    """Write an empty plan workbook (計画 · 担当一覧 · 設定 sheets with instructions); the
    form's definition is looked for in ``workspace``'s templates first. Without ``form``, the
    only form there is (more than one: FujimiError ``form_needed``)."""
    root = Path(workspace) if workspace is not None else None
    form = names.pick_form(form, root if root is not None and root.is_dir() else None)
    return planmod.write_plan_template(Path(path), load_form(form, root), lang=lang)


def init(root: Path | str, plan_path: Path | str | None = None,
         form: str | None = None, form_dir: Path | str | None = None,
         db: str | None = None) -> Workspace:
    """Create a workspace (config, signing key, master database) and load the plan into it.

    ``db``: a PostgreSQL URL (``postgresql://user@host:port/dbname``) to keep the master in
    (its schema is made there; a database holding another workspace's master is refused);
    without it the master is ``master.sqlite`` in the workspace (or ``FUJIMI_DB_URL``).

    The plan is read first: a plan with problems raises PlanError and creates nothing. Without
    a plan the workspace starts empty (to be filled by `plan` or `import-report`). The form is
    looked for in ``root``/templates first (a folder made ready before init); ``form_dir``
    gives a definition folder instead, copied into the new workspace's templates.
    """
    if form_dir is not None:
        f = forms.load_dir(Path(form_dir))
        forms.check_copy(f, Path(root))
    if db and not store.is_postgres(db):
        raise FujimiError(code="db_url_unknown", url=store.mask(db))
    if plan_path is None and form_dir is None:
        return create_workspace(Path(root), db=db or "")
    if form_dir is None:
        here = Path(root) if Path(root).is_dir() else None
        f = load_form(names.pick_form(form, here), here)
    if plan_path is None:
        ws = create_workspace(Path(root), db=db or "")
        forms.copy_definition(f, ws.root)
        return ws
    plan = planmod.read_plan(Path(plan_path), f)
    ws = create_workspace(Path(root), title=plan.title, city=plan.city, db=db or "")
    if plan.title:
        ws.config.setdefault("titles", {})[f.name] = plan.title
        ws.save_config()
    if form_dir is not None:
        forms.copy_definition(f, ws.root)
    conn = ws.connect()
    try:
        with store.transaction(conn):
            planmod.save_plan(conn, plan)
            access.save_contacts(conn, {g.code: g.email for g in plan.groups})
    finally:
        conn.close()
    return ws


def form_from_dir(path: Path | str) -> str:
    """The name of the form defined in the folder ``path`` (checked as it loads)."""
    return forms.load_dir(Path(path)).name


def forms_list(workspace: Path | str | None = None) -> list[forms.FormEntry]:
    """Every form there is: name, title, layout, where its definition comes from, and its
    problems (none for a sound one)."""
    root = Path(workspace) if workspace is not None else None
    return forms.list_forms(root if root is not None and root.is_dir() else None)


@dataclass
class FormCheck:
    """What ``form check`` found in one definition."""

    folder: Path
    name: str = ""
    title: str = ""
    problems: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {"folder": str(self.folder), "name": self.name, "title": self.title,
                "ok": self.ok, "problems": [p.to_dict(lang) for p in self.problems]}


def check_form(path: Path | str) -> FormCheck:
    """Check one definition (its folder or its form.json) and list every problem in words."""
    folder = forms.definition_folder(Path(path))
    problems = forms.check_form(folder)
    res = FormCheck(folder, problems=problems)
    if not problems:
        f = forms.load_dir(folder)
        res.name, res.title = f.name, f.title
    return res


def load_plan(ws: Workspace, plan_path: Path | str,
              form: str | None = None) -> planmod.Plan:
    """Replace the workspace's plan with the one in ``plan_path`` (of ``form``; without it,
    the only form of the plan or of the forms there are)."""
    form = names.pick_form(form, ws.root)
    f = load_form(form, ws.root)
    plan = planmod.read_plan(Path(plan_path), f)
    conn = ws.connect()
    try:
        with store.transaction(conn):
            planmod.save_plan(conn, plan)
            access.save_contacts(conn, {g.code: g.email for g in plan.groups})
    finally:
        conn.close()
    if plan.title:
        titles = ws.config.setdefault("titles", {})
        # the workspace's title follows the plan it came from (the form it was begun with)
        if not ws.config.get("title") or ws.config["title"] == titles.get(form):
            ws.config["title"] = plan.title
        titles[form] = plan.title
        ws.save_config()
    return plan


@dataclass
class GenerateResult:
    form: str
    year: int
    files: list[tuple[str, Path, int]] = field(default_factory=list)  # group, path, items
    # what happened to each slot: (slot, state, params); state is "new" (first issue),
    # "changed" (the plan changed: a new book), "revised" (a new form version), "relaid"
    # (what the book locks changed with no item changed: the definition or a name), "reissued"
    # (--reissue) or "unchanged" (the issued book stays valid, nothing written)
    slots: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    @property
    def kept(self) -> list[str]:
        return [s for s, state, _ in self.slots if state == "unchanged"]

    def to_dict(self) -> dict[str, Any]:
        return {"form": self.form, "year": self.year,
                "files": [{"group": g, "path": str(p), "items": n} for g, p, n in self.files],
                "slots": [{"slot": s, "state": st, **{k: str(v) for k, v in p.items()}}
                          for s, st, p in self.slots]}


def generate(ws: Workspace, form: str, year: int, groups: list[str] | None = None,
             out_dir: Path | None = None, progress: Any = None,
             lang: str = "ja", reissue: bool = False) -> GenerateResult:
    """Write one input workbook per group into the outbox; record each as issued.

    A slot already issued whose plan is unchanged keeps its book (nothing written, no new
    issue): books already sent stay valid. A slot whose plan changed (items added, removed or
    edited) or whose form was revised gets a new book, and the result says why; ``reissue``
    makes new books for unchanged slots too (with ``groups``, only theirs). All or nothing:
    each book is written under a temporary name, and only when all are written are they
    renamed into place and the issues recorded in one transaction; a book that cannot be
    replaced (open in Excel) raises ``outbox_locked`` and changes nothing.

    ``lang`` ("ja" or "en") is the language of the texts the workbooks show (titles, notes,
    instructions, validation messages); sheet names and column headers stay as the form
    defines them, since ingest finds the data by them."""
    f = load_form(form, ws.root)
    conn = ws.connect()
    try:
        plan = planmod.load_plan(conn, form)
        if not plan.items:
            raise NothingToDoError(code="nothing_planned", form=form)
        planmod.check_stored(plan, f)  # the definition may have changed since the plan came
        planned = {it.group for it in plan.items}
        wanted = [g for g in plan.groups if g.code in planned
                  and (not groups or g.code in groups)]
        if groups:
            unknown = set(groups) - {g.code for g in wanted}
            if unknown:
                raise FujimiError(code="unknown_groups", groups=", ".join(sorted(unknown)))
        target = Path(out_dir) if out_dir else ws.outbox / str(year) / form
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FujimiError(code="outbox_locked", path=str(target),
                              detail=exc.strerror or str(exc)) from None
        _sweep(target)
        result = GenerateResult(form, year)
        key = ws.key()
        common: dict[str, Any] = {
            "key": key, "title": ws.title_for(form), "password": ws.password,
            "font": ws.config.get("font", DEFAULT_FONT), "lang": lang}
        if access.public_url(ws):  # each book's instructions give its slot's page
            common["links"] = {link.ref.slot: link.url for link in access.links(
                ws, form, year, [g.code for g in wanted]) if link.url}
        # slot, final path, items, build(tmp)
        jobs = layouts.get(f.layout).generate(conn, f, year, plan, wanted, target, common)
        if progress is not None and hasattr(progress, "start"):
            progress.start(len(jobs))
        # slot, path, tmp, items, issued (None: the last issue's book written again, as it was)
        built: list[tuple[str, Path, Path, int, Any]] = []

        def write(path: Path, job: Any, issue_id: str, issued_at: str) -> tuple[Path, Any]:
            if path.exists() and not path.is_file():
                raise FujimiError(code="outbox_locked", path=str(path),
                                  detail=os.strerror(errno.EISDIR))
            tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
            try:
                with bulk.gc_paused():  # one book at a time (core/bulk.py)
                    issued = job(tmp, issue_id, issued_at)
            except (OSError, FileCreateError) as exc:
                with contextlib.suppress(OSError):  # a read-only folder refuses even this
                    tmp.unlink(missing_ok=True)
                cause = exc if isinstance(exc, OSError) else exc.__cause__ or exc.__context__
                if isinstance(cause, OSError) and cause.errno in (errno.EROFS, errno.ENOSPC):
                    # the folder's fault, not one book's: named as such
                    raise WorkspaceFault(code="disk_full" if cause.errno == errno.ENOSPC
                                         else "workspace_read_only", path=path.parent) from None
                raise FujimiError(code="outbox_locked", path=str(path),
                                  detail=getattr(cause, "strerror", "") or str(exc)) from None
            issued.file_name = path.name
            return tmp, issued

        lasts = issues.last_by_slot(conn, form, year)  # one query, not one per book
        try:
            for slot, path, n, job in jobs:
                tmp, issued = write(path, job, uuid.uuid4().hex, now())
                last: Any = lasts.get(slot)
                state, params = _slot_state(last, issued, f.version, reissue)
                result.slots.append((slot, state, params))
                if state != "unchanged":
                    built.append((slot, path, tmp, n, issued))
                elif path.is_file():  # the issued book stays as it is
                    tmp.unlink(missing_ok=True)
                else:  # not in this folder (deleted, or another folder): the same issue again
                    tmp.unlink(missing_ok=True)
                    tmp, _ = write(path, job, last["issue_id"], last["issued_at"])
                    built.append((slot, path, tmp, n, None))
                if progress:
                    progress(1)
            _put_in_place(conn, built)
        finally:
            for _, _, tmp, _, _ in built:
                tmp.unlink(missing_ok=True)
        result.files = [(slot, path, n) for slot, path, _, n, _ in built]
        return result
    finally:
        conn.close()


def _record_issued(conn: Any, issued: Any, slot: str) -> None:
    """One statement, inside the caller's transaction."""
    issues.record(conn, issued, slot, store.dumps(issued.items))


def _sweep(folder: Path) -> None:
    """Remove what a generate killed midway left in ``folder``: its temporary books and the
    books it had moved aside (the issue they belong to is still the slot's last, so the next
    generate writes that book again)."""
    for p in folder.glob(".*.*.[to][ml][pd].*"):
        parts = p.name.split(".")
        if len(parts) < 5 or parts[-2] not in ("tmp", "old") or not parts[-3].isdigit():
            continue
        if int(parts[-3]) != os.getpid() and _maybe_running(int(parts[-3]), p):
            continue  # another generate may be at work
        p.unlink(missing_ok=True)


def _maybe_running(pid: int, path: Path) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows: by age
        try:
            return time.time() - path.stat().st_mtime < 600
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _slot_state(last: Any, issued: Any, form_version: int,
                reissue: bool) -> tuple[str, dict[str, Any]]:
    """Whether a slot needs a new book, and why: compares what the new book would lock
    (its locked content hash and item snapshots) with the slot's last issue."""
    if last is None:
        return "new", {}
    params: dict[str, Any] = {"issued": store.jp_time(last["issued_at"]),
                              "file": last["file_name"]}
    if last["form_version"] != form_version:
        return "revised", params
    items = store.dumps(issued.items)
    # the same snapshot, written the same way: nothing added, removed or edited (a changed
    # definition alone is "revised" above, not a changed plan)
    added, removed, edited = ([], [], []) if items == last["items"] else \
        issue_changes(last, {"items": items})
    if added or removed or edited:
        params.update(added=", ".join(added) or "—", removed=", ".join(removed) or "—",
                      edited=", ".join(edited) or "—")
        return "changed", params
    if last["locked_hash"] != issued.locked_hash:  # no item changed: the definition or a name
        return "relaid", params
    return ("reissued" if reissue else "unchanged"), params


def _put_in_place(conn: Any, built: list[tuple[str, Path, Path, int, Any]]) -> None:
    """Rename every written book into place and record every issue, all or nothing: the
    books they replace are moved aside first and put back if anything fails."""
    moved: list[tuple[Path, Path]] = []  # (final path, where the old book was moved)
    placed: list[Path] = []
    try:
        for _, path, _, _, _ in built:
            if path.exists():
                aside = path.with_name(f".{path.stem}.{os.getpid()}.old{path.suffix}")
                try:
                    os.replace(path, aside)
                except OSError as exc:
                    raise FujimiError(code="outbox_locked", path=str(path),
                                      detail=exc.strerror or str(exc)) from None
                moved.append((path, aside))
        for _, path, tmp, _, _ in built:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise FujimiError(code="outbox_locked", path=str(path),
                                  detail=exc.strerror or str(exc)) from None
            placed.append(path)
        with store.transaction(conn):
            for slot, _, _, _, issued in built:
                if issued is not None:
                    _record_issued(conn, issued, slot)
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        for path, aside in moved:
            os.replace(aside, path)
        raise
    for _, aside in moved:
        aside.unlink(missing_ok=True)


def history(ws: Workspace, item: str, form: str | None = None,
            year: int | None = None) -> list[Any]:
    """Every accepted value of an item, with file, time and cell."""
    conn = ws.connect()
    try:
        return _history(conn, item, form, year)
    finally:
        conn.close()


def diff(ws: Workspace, form: str, year: int, a: str, b: str) -> list[Any]:
    """What changed between two accepted versions (files, or 担当@版番号)."""
    conn = ws.connect()
    try:
        return _diff(conn, form, year, a, b)
    finally:
        conn.close()


def restore(ws: Workspace, form: str, year: int, spec: str) -> Any:
    """Make an earlier accepted version current again (``spec``: 担当@版番号 such as 保育@1,
    or an accepted file); recorded in the history as a new version. See
    :func:`fujimi_xl.lifecycle.history.restore`."""
    load_form(form, ws.root)
    conn = ws.connect()
    try:
        return _restore(conn, form, year, spec)
    finally:
        conn.close()


def _current_table(ws: Workspace, form: str, year: int) -> dataset.Table:
    conn = ws.connect()
    try:
        return dataset.current_table(conn, form, year)
    finally:
        conn.close()


def frame(ws: Workspace, form: str, year: int) -> Any:
    """The current master of a form and year as a typed pandas DataFrame: one row per plan
    row, the group, version, file and its times, then one column per field with the dtype of
    its type; see :mod:`fujimi_xl.output.dataframe`."""
    # pandas takes over half a second to import: only the commands that need it pay for it
    from fujimi_xl.output import dataframe

    f = load_form(form, ws.root)
    conn = ws.connect()
    try:
        table = dataset.current_table(conn, form, year)
        versions = dataset.current_versions(conn, form, year)
    finally:
        conn.close()
    return dataframe.build(f, table, versions)


def export(ws: Workspace, form: str, year: int, out: Path | str, fmt: str = "csv") -> Path:
    """The current master of a form and year as one flat table (csv, json or xlsx), written
    from :func:`frame`."""
    # export.py imports pandas (see frame above): deferred for the same reason
    from fujimi_xl.output.export import export as _export

    return _export(Path(out), load_form(form, ws.root), frame(ws, form, year), fmt)


def import_report(ws: Workspace, path: Path | str, form: str | None = None,
                  year: int | None = None) -> Any:
    """Read a consolidated table in the seed's layout into the plan and the master (of
    ``form``; without it, the only form of the plan or of the forms there are)."""
    # import_report reads the table with openpyxl (and numpy): over 0.1 s that every other
    # command would pay at start, so it is loaded only here
    from fujimi_xl.lifecycle.import_load import import_table

    name = names.pick_form(form, ws.root)
    return import_table(ws, Path(path), load_form(name, ws.root), year)


def rollover(ws: Workspace, form: str, from_year: int, to_year: int) -> Any:
    """Carry each item's accepted plan for the next year (and 実施内容, 評価) into ``to_year``."""
    return _rollover(ws, load_form(form, ws.root), from_year, to_year)


def verify(ws: Workspace, reread: bool = True) -> Any:
    """Check the master's integrity; see :mod:`fujimi_xl.lifecycle.verify`."""
    return _verify(ws, reread)


# -- access (issue 15) -------------------------------------------------------------------------
def links(ws: Workspace, form: str, year: int, groups: list[str] | None = None, *,
          renew: bool = False, public_url: str | None = None) -> list[access.SlotLink]:
    """Each slot's link (see :func:`fujimi_xl.lifecycle.access.links`); ``public_url`` first
    sets the workspace's public address ("" forgets it)."""
    load_form(form, ws.root)  # an unknown form is refused before anything is stored
    if public_url is not None:
        access.set_public_url(ws, public_url)
    return access.links(ws, form, year, groups, renew=renew)


def revoke_links(ws: Workspace, form: str, year: int,
                 groups: list[str] | None) -> list[access.SlotRef]:
    """Kill the links of ``groups``' slots (every slot when None)."""
    load_form(form, ws.root)
    return access.revoke(ws, form, year, groups)


def write_links(ws: Workspace, found: list[access.SlotLink], out: Path | str) -> Path:
    """The links as a file for mail merge (.csv, UTF-8 with BOM, or .xlsx): 担当コード,
    担当名, メール, リンク (and 対象 for a form with a book per item)."""
    return access.write_links(Path(out), found, access.contacts(ws))


def add_user(ws: Workspace, name: str, password: str) -> bool:
    """Add a secretariat account (True), or give an existing one a new password (False)."""
    new = name.strip() not in access.users(ws)
    access.add_user(ws, name, password)
    return new


def users(ws: Workspace) -> list[str]:
    return access.users(ws)


def remove_user(ws: Workspace, name: str) -> bool:
    return access.remove_user(ws, name)


def public_url(ws: Workspace) -> str | None:
    """The workspace's public address (the server as staff open it), or None."""
    return access.public_url(ws)


def log_action(ws: Workspace, who: str, action: str, detail: str = "") -> None:
    access.log_action(ws, who, action, detail)


def cli_user() -> str:
    """Who runs a command, as the log names them: cli:LOGIN."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError, ImportError):
        return "cli"


def ingest(ws: Workspace, paths: Iterable[Path | str], **kw: Any) -> IngestReport:
    """Validate and merge returned files; see :func:`fujimi_xl.ingest.ingest`."""
    return _ingest(ws, paths, **kw)


@dataclass
class GroupStatus:
    """Where one slot stands: a group's workbook (list forms) or one program's sheet."""

    group: str
    department: str
    name: str
    items: int
    issued_at: str
    state: str  # accepted | rejected | missing | not_issued
    version: int | None
    last_file: str
    last_time: str
    last_outcome: str
    slot: str = ""
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class StatusReport:
    form: str
    year: int
    groups: list[GroupStatus]

    @property
    def missing(self) -> list[GroupStatus]:
        """The slots to remind: issued a workbook, and nothing accepted yet."""
        return [g for g in self.groups if g.state not in ("accepted", "not_issued")]

    @property
    def not_issued(self) -> list[GroupStatus]:
        """The slots of the plan that were never sent a workbook (generate has not made it)."""
        return [g for g in self.groups if g.state == "not_issued"]

    @property
    def issued_any(self) -> bool:
        return any(g.state != "not_issued" for g in self.groups)

    def to_dict(self) -> dict[str, Any]:
        return {"form": self.form, "year": self.year,
                "groups": [g.to_dict() for g in self.groups],
                "missing": [g.slot or g.group for g in self.missing],
                "not_issued": [g.slot or g.group for g in self.not_issued]}


def status(ws: Workspace, form: str, year: int) -> StatusReport:
    """Who was sent a workbook, who returned it, what was accepted or refused, who is missing."""
    f = load_form(form, ws.root)
    conn = ws.connect()
    try:
        plan = planmod.load_plan(conn, form)
        slots = layouts.get(f.layout).slots(f, plan)
        out = []
        for slot, g, n, label in slots:
            issued = issues.last_time(conn, form, year, slot)
            sub = received.current_of_slot(conn, form, year, slot)
            last = received.last_of_slot(conn, form, year, slot)
            if sub is not None:
                state = "accepted"
            elif last is not None:
                state = "rejected"
            elif issued:
                state = "missing"
            else:
                state = "not_issued"
            out.append(GroupStatus(
                g.code, g.department, g.name, n, issued or "", state,
                sub["version"] if sub else None, last["file_name"] if last else "",
                last["received_at"] if last else "", last["outcome"] if last else "",
                slot, label))
        return StatusReport(form, year, out)
    finally:
        conn.close()


@dataclass
class ReportResult:
    path: Path
    pdf: Path | None = None
    pdf_message: str = ""  # why there is no PDF, in Japanese (pdf_notice: either language)
    rows: int = 0
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # Japanese; notices: either language
    notices: list[Notice] = field(default_factory=list)
    pdf_notice: Notice | None = None

    def pdf_text(self, lang: str = "ja") -> str:
        """Why there is no PDF, in ``lang`` ("" when there is nothing to say)."""
        return self.pdf_notice.message(lang) if self.pdf_notice else self.pdf_message

    def warning_texts(self, lang: str = "ja") -> list[str]:
        """The warnings in ``lang``."""
        if len(self.notices) == len(self.warnings):
            return [n.message(lang) for n in self.notices]
        return list(self.warnings)

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        return {"path": str(self.path), "pdf": str(self.pdf) if self.pdf else None,
                "pdf_message": self.pdf_text(lang), "rows": self.rows, "missing": self.missing,
                "warnings": self.warning_texts(lang)}


def report(ws: Workspace, form: str, year: int, out: Path | str | None = None,
           want_pdf: bool = False) -> ReportResult:
    """Write the consolidated table (and its PDF through LibreOffice when asked)."""
    f = load_form(form, ws.root)
    table = _current_table(ws, form, year)
    if not table.rows:
        raise NothingToDoError(code="nothing_planned", form=form)

    name = f"{fiscal.long_label(year)}_{f.title}{layouts.get(f.layout).report_suffix}.xlsx"
    path = Path(out) if out else ws.reports / name
    path.parent.mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    notices: list[Notice] = []
    layouts.get(f.layout).report(path, f, table, title=ws.title_for(form),
                                 font=ws.config.get("font", DEFAULT_FONT), warnings=warnings,
                                 notices=notices)
    result = ReportResult(path, rows=len(table.rows), missing=[g.code for g in table.missing],
                          warnings=warnings, notices=notices)
    if want_pdf:
        try:
            result.pdf = pdf.to_pdf(path)
        except pdf.PdfUnavailable as exc:
            result.pdf_message = str(exc)
            result.pdf_notice = Notice(exc.code, dict(exc.params)) if exc.coded else None
    return result


def backup(ws: Workspace, out: Path | str) -> Any:
    """Write a consistent backup of the workspace to the zip ``out`` (master through SQLite's
    online backup, archived copies, signing key, config)."""
    return _backup(ws, out)


def restore_backup(backup_file: Path | str, root: Path | str) -> Workspace:
    """Restore a backup made by :func:`backup` into the new folder ``root`` (never over an
    existing workspace)."""
    return _restore_backup(backup_file, root)


def migrate(ws: Workspace, to: str) -> MigrateResult:
    """Move the workspace's SQLite master into the empty PostgreSQL database at ``to`` (one
    transaction, ids kept); the URL is recorded in the workspace's config and
    ``master.sqlite`` is kept as ``master.sqlite.migrated-<date>``."""
    return _migrate(ws, to)


# -- the browser (issue 15): what a slot's page and the board look up ------------------------
def slot_receipts(ws: Workspace, form: str, year: int, slot: str) -> list[receipts.Receipt]:
    """The files one slot received, newest first (time, name, outcome, version)."""
    conn = ws.connect()
    try:
        return receipts.slot_receipts(conn, form, year, slot)
    finally:
        conn.close()


def issued_book(ws: Workspace, form: str, year: int, slot: str) -> Path | None:
    """The slot's latest issued book in the outbox, or None when it is not there."""
    conn = ws.connect()
    try:
        return receipts.issued_book(ws.root, conn, form, year, slot)
    finally:
        conn.close()


def feedback_book(ws: Workspace, file_id: int, form: str, year: int,
                  slot: str) -> Path | None:
    """The feedback workbook of one refused receipt of ``slot`` (looked up by its id)."""
    conn = ws.connect()
    try:
        return receipts.feedback_book(ws.root, conn, file_id, form, year, slot)
    finally:
        conn.close()


def refused_receipt(ws: Workspace, form: str, year: int, slot: str,
                    sha256: str) -> int | None:
    """The receipt id of the refused file ``sha256`` of ``slot`` that has its feedback
    workbook (for a download link), or None."""
    conn = ws.connect()
    try:
        return receipts.refused_receipt(ws.root, conn, form, year, slot, sha256)
    finally:
        conn.close()


def form_years(ws: Workspace) -> list[tuple[str, int]]:
    """Every form and year the workspace issued or received, newest year first."""
    conn = ws.connect()
    try:
        return receipts.form_years(conn)
    finally:
        conn.close()


def version_values(ws: Workspace, form: str, year: int, slot: str,
                   version: int) -> list[receipts.Value] | None:
    """The values of one accepted version of a slot (None: there is no such version)."""
    conn = ws.connect()
    try:
        return receipts.version_values(conn, form, year, slot, version)
    finally:
        conn.close()
