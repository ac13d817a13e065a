"""A group's page, opened by its link (/g/<token>): the form, year, deadline, state and version,
the latest issued book, the upload form (submit, or check only), and the past submissions; the
result of an upload on the same page, with every problem as シート!セル · 項目 · 内容."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import threading
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, abort, render_template, request, send_file, url_for
from xlsxwriter.utility import xl_cell_to_rowcol

from fujimi_xl import api
from fujimi_xl.core import fiscal
from fujimi_xl.core.errors import Problem
from fujimi_xl.core.messages import JST, intake_words, when
from fujimi_xl.forms import load_form
from fujimi_xl.intake.ingest import FileResult
from fujimi_xl.lifecycle import access
from fujimi_xl.store.workspace import DB_URL_ENV, Workspace
from fujimi_xl.web.common import Site, error_page, site
from fujimi_xl.web.runner import TIME_LIMIT, Failure, Job

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
UPLOADS = "uploads"


def register(app: Flask) -> None:
    app.add_url_rule("/", "home", home)
    app.add_url_rule("/g/<token>", "group_page", group_page)
    app.add_url_rule("/g/<token>/book", "group_book", group_book)
    app.add_url_rule("/g/<token>/upload", "group_upload", group_upload, methods=["POST"])
    app.add_url_rule("/g/<token>/feedback/<int:file_id>", "group_feedback", group_feedback)


def home() -> Any:
    return render_template("home.html")


def slot_of(ws: Workspace, token: str) -> access.SlotRef:
    """The slot a link opens; an unknown, malformed or revoked token is a 404 page."""
    ref = access.slot_for_token(ws, token) if TOKEN.match(token) else None
    if ref is None:
        abort(404)
    return ref


# -- what the page shows -----------------------------------------------------------------------
def deadline_text(s: Site, ws: Workspace, form: str, year: int,
                  today: dt.date | None = None) -> str:
    """The deadline of ``form`` and ``year`` from the workspace config (``deadlines``:
    {form: {year: "YYYY-MM-DD"}}) with the days left, in Japan time; 「期限 未設定」 without."""
    value = (ws.config.get("deadlines") or {}).get(form, {}).get(str(year))
    try:
        date = dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        date = None
    if date is None:
        return s.t("deadline_none")
    shown = s.t("date", year=date.year, month=date.month, day=date.day)
    days = (date - (today or dt.datetime.now(JST).date())).days
    if days > 0:
        return s.t("deadline", date=shown, days=days)
    if days == 0:
        return s.t("deadline_today", date=shown)
    return s.t("deadline_past", date=shown, days=-days)


def state_word(s: Site, state: str) -> str:
    return s.t(f"st_{state}") if state in ("accepted", "rejected", "missing",
                                            "not_issued") else state


@dataclass
class Row:
    where: str
    field: str
    message: str
    warning: bool = False


@dataclass
class Result:
    """What the page says of one upload."""

    kind: str  # accepted | unchanged | superseded | rejected | check_ok | check_bad
    text: str
    rows: list[Row] = field(default_factory=list)
    warnings: list[Row] = field(default_factory=list)
    feedback_url: str = ""
    feedback_none: bool = False


def _position(p: Problem, sheets: dict[str, int]) -> tuple[int, int, int, int]:
    """Sheet order: problems of the whole file first, then by sheet (as first met), row,
    column."""
    if not p.sheet and not p.cell:
        return (0, 0, 0, 0)
    try:
        row, col = xl_cell_to_rowcol(p.cell.split(":")[0]) if p.cell else (-1, -1)
    except (ValueError, AttributeError, TypeError):
        row, col = (-1, -1)
    return (1, sheets.setdefault(p.sheet, len(sheets)), row, col)


def problem_rows(s: Site, problems: list[Problem]) -> list[Row]:
    """Every problem as a row of the table, in sheet order; one without a cell still gets
    its row (「（ファイル全体）」)."""
    sheets: dict[str, int] = {}
    for p in problems:
        if p.sheet:
            sheets.setdefault(p.sheet, len(sheets))
    ordered = sorted(problems, key=lambda p: _position(p, sheets))
    return [Row(p.where() or s.t("whole_file"), p.field, p.message(s.lang),
                p.severity != "error") for p in ordered]


def describe(s: Site, token: str, fr: FileResult, dry_run: bool, feedback_id: int | None) -> \
        Result:
    name = fr.file_name
    errors = [p for p in fr.problems if p.severity == "error"]
    if fr.outcome == "rejected" and not errors:  # a refusal always has its row
        errors = [Problem("read_failed", file=name, params={"detail": fr.outcome})]
    rows = problem_rows(s, errors)
    warnings = problem_rows(s, [p for p in fr.problems if p.severity != "error"])
    if fr.outcome == "rejected":
        kind, text = ("check_bad", s.t("res_check_bad", file=name, n=len(rows))) if dry_run \
            else ("rejected", s.t("res_rejected", file=name, n=len(rows)))
        res = Result(kind, text, rows, warnings)
        if not dry_run:
            if feedback_id is not None:
                res.feedback_url = url_for("group_feedback", token=token, file_id=feedback_id)
            else:
                res.feedback_none = True
        return res
    if dry_run:
        return Result("check_ok", s.t("res_check_ok", n=fr.records), [], warnings)
    if fr.outcome == "unchanged":
        return Result("unchanged", s.t("res_unchanged", version=fr.version or ""), [], warnings)
    later = next((p for p in fr.problems if p.code == "superseded_refusal"), None)
    if fr.outcome == "superseded" and later is not None:  # its correction is accepted already
        return Result("superseded", s.t("res_superseded_refusal", file=name,
                                         version=later.params.get("version", "")), [], warnings)
    if fr.outcome == "superseded":
        return Result("superseded", s.t("res_superseded", version=fr.version or ""), [],
                      warnings)
    return Result("accepted", s.t("res_accepted", file=name, version=fr.version or "",
                                  n=fr.records), [], warnings)


def page(token: str, ref: access.SlotRef, result: Result | None = None,
         status: int = 200, notice: str = "") -> Any:
    s = site()
    ws = s.workspace()
    f = load_form(ref.form, ws.root)
    st = api.status(ws, ref.form, ref.year)
    mine = next((g for g in st.groups if (g.slot or g.group) == ref.slot), None)
    who = ref.group_name
    state = "not_issued"
    version_line = ""
    issued = ""
    receipts = api.slot_receipts(ws, ref.form, ref.year, ref.slot)
    if mine is not None:
        who = " ".join(x for x in (mine.department, mine.name) if x)
        if mine.slot and mine.slot != mine.group:
            who += f"（{mine.slot} {mine.label}）" if s.lang == "ja" else \
                f" ({mine.slot} {mine.label})"
        state = mine.state
        if mine.version:
            accepted = next((r for r in receipts if r.version == mine.version and r.current),
                            None)
            version_line = s.t("now_version", version=mine.version,
                               when=when(accepted.received_at if accepted else "", s.lang))
        issued = when(mine.issued_at, s.lang)
    book = api.issued_book(ws, ref.form, ref.year, ref.slot)
    past = []
    for r in receipts:
        if r.outcome == "accepted":
            word = s.t("past_accepted" if r.current else "past_accepted_old",
                       version=r.version or "")
        elif r.outcome == "rejected":
            word = s.t("past_rejected", n=r.errors)
        else:
            word = s.t("past_unchanged")
        fb = ""
        if r.outcome == "rejected" and api.feedback_book(ws, r.id, ref.form, ref.year,
                                                         ref.slot) is not None:
            fb = url_for("group_feedback", token=token, file_id=r.id)
        past.append({"when": when(r.received_at, s.lang), "file": r.file_name, "word": word,
                     "ok": r.outcome != "rejected", "feedback": fb})
    return render_template(
        "group.html", token=token,
        title=s.t("group_title", form=f.title, year=fiscal.year_label(ref.year, s.lang)),
        who=who, deadline=deadline_text(s, ws, ref.form, ref.year),
        state=state, state_text=state_word(s, state), version_line=version_line,
        book=book.name if book else "", issued=issued, past=past, result=result,
        notice=notice, max_mb=s.max_upload_mb), status


# -- the routes --------------------------------------------------------------------------------
def group_page(token: str) -> Any:
    ws = site().workspace()
    return page(token, slot_of(ws, token))


def group_book(token: str) -> Any:
    ws = site().workspace()
    ref = slot_of(ws, token)
    book = api.issued_book(ws, ref.form, ref.year, ref.slot)
    if book is None:
        abort(404)
    access.log_action(ws, ref.group_code, "download_book", f"{ref.form} {ref.year} {ref.slot}")
    return send_file(book, as_attachment=True, download_name=book.name)


def group_feedback(token: str, file_id: int) -> Any:
    ws = site().workspace()
    ref = slot_of(ws, token)
    book = api.feedback_book(ws, file_id, ref.form, ref.year, ref.slot)
    if book is None:
        abort(404)
    return send_file(book, as_attachment=True, download_name=book.name)


_LOCKS = threading.Lock()


def _upload_lock(s: Site, key: tuple[str, str]) -> Any:
    """One lock per slot and file content: a double-click's second post waits for the first
    and then finds the file taken (the earlier result, nothing stored twice)."""
    with _LOCKS:
        lock = s.upload_locks.get(key)
        if lock is None:
            lock = s.upload_locks[key] = threading.Lock()
        return lock


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_name(given: str) -> str:
    """A file name to show and to keep in the receipt: the last part of what the browser
    sent, without separators or control characters, never a lock file's name; it is only
    ever the last component of a folder ingest's temporary file makes."""
    name = unicodedata.normalize("NFC", given.replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"^(~\$|\.~lock\.)+", "", name)
    if not name or name in (".", ".."):
        name = "upload.xlsx"
    if len(name) > 120:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 110] + dot + suffix[:8]) if dot else name[:120]
    return name


def group_upload(token: str) -> Any:
    s = site()
    ws = s.workspace()
    ref = slot_of(ws, token)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return page(token, ref, status=400, notice=s.t("no_file"))
    dry_run = request.form.get("how") == "dry_run"
    data = upload.read()
    name = safe_name(upload.filename)
    sha = hashlib.sha256(data).hexdigest()
    key = (f"{ref.form}|{ref.year}|{ref.slot}|{dry_run}", sha)
    lock = _upload_lock(s, key)
    with lock:
        folder = ws.root / UPLOADS / uuid.uuid4().hex
        try:
            folder.mkdir(parents=True)
            path = folder / name
            path.write_bytes(data)
            outcome = s.runner.run(Job(str(ws.root), str(path), ref.form, ref.year,
                                       ref.group_code, ref.slot, dry_run, s.lang,
                                       os.environ.get(DB_URL_ENV, "")))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    with _LOCKS:  # forgotten once nobody holds it (a later post finds the file known)
        if not lock.locked() and s.upload_locks.get(key) is lock:
            del s.upload_locks[key]
    if isinstance(outcome, Failure):
        if not outcome.fault:  # the worker died or overran on the file: the file's refusal
            # the same words as ingest's own reader pool (intake.isolate)
            n = f"{TIME_LIMIT:.0f}"
            pieces = {"detail": intake_words("reader_crashed")} \
                if outcome.code == "read_failed" else {
                    "limit": intake_words("time_read"),
                    "found": intake_words("seconds_over", n=n),
                    "allowed": intake_words("seconds", n=n)}
            params = {k: v for name, (ja, en) in pieces.items()
                      for k, v in ((name, ja), (f"{name}_en", en))}
            outcome = FileResult(name, name, "rejected", sha256=sha, problems=[Problem(
                outcome.code, file=name, params=params)])
        else:
            access.log_action(ws, ref.group_code, "upload_failed", f"{name} {outcome.code}")
            text = outcome.texts[1 if s.lang == "en" else 0]
            return error_page(503, s.t("fault", message=text),
                              url_for("group_page", token=token))
    if outcome.slot and outcome.slot != ref.slot:
        # a file known before (accepted or refused) answered from the master by its sha256,
        # before anything checks its slot: another slot's file is refused here too
        outcome = FileResult(name, name, "rejected", sha256=sha, problems=[Problem(
            "wrong_group", file=name, params={"expected": ref.slot, "found": outcome.slot})])
    feedback_id = None
    if outcome.outcome == "rejected" and not dry_run:
        feedback_id = api.refused_receipt(ws, ref.form, ref.year, ref.slot,
                                          outcome.sha256 or sha)
    access.log_action(ws, ref.group_code, "check_only" if dry_run else "upload",
                      f"{ref.form} {ref.year} {ref.slot} {name} {outcome.outcome} "
                      f"v{outcome.version or ''} sha256={sha[:12]}")
    return page(token, ref, describe(s, token, outcome, dry_run, feedback_id),
                status=200)
