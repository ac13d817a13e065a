"""The secretariat's pages (/admin): sign-in, the board per form and year (each slot's state,
version, last time, totals, deadline, the reminder list with e-mail links), and the actions:
generate / re-issue, the report (xlsx, PDF), the CSV export, the reminder list as CSV, one
version's values and its changes. Every action is logged with who did it."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)

from fujimi_xl import api
from fujimi_xl.core import fiscal
from fujimi_xl.core.errors import FujimiError
from fujimi_xl.core.messages import when
from fujimi_xl.forms import load_form
from fujimi_xl.lifecycle import access
from fujimi_xl.store.workspace import Workspace
from fujimi_xl.web.common import Site, page_abort, site
from fujimi_xl.web.group import deadline_text, state_word

USER = "user"


def register(app: Flask) -> None:
    app.add_url_rule("/admin", "admin_board", board)
    app.add_url_rule("/admin/login", "admin_login", login, methods=["GET", "POST"])
    app.add_url_rule("/admin/logout", "admin_logout", logout, methods=["POST"])
    app.add_url_rule("/admin/generate", "admin_generate", generate, methods=["POST"])
    app.add_url_rule("/admin/deadline", "admin_deadline", deadline, methods=["POST"])
    app.add_url_rule("/admin/report.<kind>", "admin_report", report)
    app.add_url_rule("/admin/export.csv", "admin_export", export)
    app.add_url_rule("/admin/reminders.csv", "admin_reminders", reminders)
    app.add_url_rule("/admin/version", "admin_version", version)


def current_user(s: Site) -> str | None:
    """The signed-in user: the session's, or the trusted header's when the app was told to
    believe one (a reverse proxy that signs people in)."""
    if s.trusted_header:
        given = request.headers.get(s.trusted_header, "").strip()
        if given:
            return given
    name = session.get(USER)
    return name if isinstance(name, str) and name else None


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user(site()) is None:
            return redirect(url_for("admin_login", next=request.full_path
                                    if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapper


def login() -> Any:
    s = site()
    failed = False
    if request.method == "POST":
        ws = s.workspace()
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        if name and access.check_password(ws, name, password):
            session.clear()
            session[USER] = name
            access.log_action(ws, name, "sign_in")
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/admin") else url_for("admin_board"))
        failed = True
        access.log_action(ws, name or "-", "sign_in_failed")
    return render_template("login.html", failed=failed), (401 if failed else 200)


def logout() -> Any:
    s = site()
    who = current_user(s)
    if who:
        access.log_action(s.workspace(), who, "sign_out")
    session.clear()
    return redirect(url_for("admin_login"))


# -- which form and year -----------------------------------------------------------------------
def choices(ws: Workspace) -> list[tuple[str, int]]:
    return api.form_years(ws)


def chosen(ws: Workspace, source: Any = None) -> tuple[str, int] | None:
    """The form and year asked for (query or form), else the newest the workspace has; one
    it does not have is refused with a page."""
    source = source if source is not None else request.args
    have = choices(ws)
    form, year = source.get("form", ""), source.get("year", "")
    if source.get("pick"):  # the board's chooser: "form|year"
        form, _, year = str(source.get("pick")).rpartition("|")
    if not form and not year:
        return have[0] if have else None
    try:
        pair = (form, int(year))
    except ValueError:
        page_abort(404, site().t("not_found"))
    if pair not in have:
        page_abort(404, site().t("not_found"))
    return pair


def title_of(ws: Workspace, form: str) -> str:
    try:
        return load_form(form, ws.root).title or form
    except FujimiError:
        return form


# -- the board ---------------------------------------------------------------------------------
@signed_in
def board() -> Any:
    s = site()
    ws = s.workspace()
    pair = chosen(ws)
    forms = [(e.name, e.title) for e in api.forms_list(ws.root) if not e.problems]
    ctx: dict[str, Any] = {"user": current_user(s), "choices": [
        (f, y, f"{title_of(ws, f)} {fiscal.year_label(y, s.lang)}") for f, y in choices(ws)],
        "forms": forms, "pair": pair, "notice": session.pop("notice", ""),
        "notice_bad": session.pop("notice_bad", False)}
    if pair is None:
        return render_template("board.html", **ctx)
    form, year = pair
    st = api.status(ws, form, year)
    mails = access.contacts(ws)
    rows = []
    counts = {"accepted": 0, "rejected": 0, "missing": 0, "not_issued": 0}
    for g in st.groups:
        counts[g.state] = counts.get(g.state, 0) + 1
        rows.append({
            "who": who_of(s, g), "state": g.state, "state_text": state_word(s, g.state),
            "version": g.version or "", "file": g.last_file, "time": when(g.last_time, s.lang),
            "link": url_for("admin_version", form=form, year=year, slot=g.slot or g.group,
                              v=g.version) if g.version else ""})
    remind = [{"who": who_of(s, g), "state_text": state_word(s, g.state),
               "mail": mails.get(g.group, "")} for g in st.missing]
    title = f"{title_of(ws, form)} {fiscal.year_label(year, s.lang)}"
    addresses = sorted({r["mail"] for r in remind if r["mail"]})
    ctx.update(
        form=form, year=year, title=title, rows=rows,
        totals=s.t("totals", n=len(st.groups), **counts),
        deadline=deadline_text(s, ws, form, year),
        deadline_value=(ws.config.get("deadlines") or {}).get(form, {}).get(str(year), ""),
        remind=remind,
        mail_all=mailto(addresses, s.t("remind_subject", form=title_of(ws, form),
                                       year=fiscal.year_label(year, s.lang)))
        if addresses else "",
        subject=s.t("remind_subject", form=title_of(ws, form),
                    year=fiscal.year_label(year, s.lang)))
    return render_template("board.html", **ctx)


def who_of(s: Site, g: Any) -> str:
    who = " ".join(x for x in (g.department, g.name) if x) or g.group
    if g.slot and g.slot != g.group:
        who += f"（{g.slot} {g.label}）" if s.lang == "ja" else f" ({g.slot} {g.label})"
    return who


def mailto(addresses: list[str], subject: str) -> str:
    return "mailto:" + ",".join(urllib.parse.quote(a, safe="@.+-_") for a in addresses) + \
        "?subject=" + urllib.parse.quote(subject)


def notice(text: str, bad: bool = False) -> None:
    session["notice"] = text
    session["notice_bad"] = bad


def back_to(form: str, year: int | None) -> Any:
    if year is None:
        return redirect(url_for("admin_board"))
    return redirect(url_for("admin_board", form=form, year=year))


# -- actions -----------------------------------------------------------------------------------
@signed_in
def generate() -> Any:
    s = site()
    ws = s.workspace()
    form = request.form.get("form", "")
    if form not in {e.name for e in api.forms_list(ws.root)}:
        page_abort(404, s.t("not_found"))
    try:
        year = fiscal.parse_year(request.form.get("year", ""))
    except FujimiError as exc:
        notice(exc.message(s.lang), bad=True)
        return back_to(form, None)
    reissue = request.form.get("reissue") == "1"
    try:
        result = api.generate(ws, form, year, reissue=reissue, lang=s.lang)
    except FujimiError as exc:
        if exc.code in ("nothing_planned", "unknown_groups", "outbox_locked"):
            notice(exc.message(s.lang), bad=True)
            return back_to(form, None)
        raise
    access.log_action(ws, current_user(s) or "-", "generate",
                      f"{form} {year} new={len(result.files)} kept={len(result.kept)}"
                      f"{' reissue' if reissue else ''}")
    notice(s.t("generate_done", year=fiscal.year_label(year, s.lang), form=title_of(ws, form),
               n=len(result.files), kept=len(result.kept)))
    return back_to(form, year)


@signed_in
def deadline() -> Any:
    s = site()
    ws = s.workspace()
    pair = chosen(ws, request.form)
    if pair is None:
        page_abort(404, s.t("not_found"))
    form, year = pair  # type: ignore[misc]
    value = request.form.get("date", "").strip()
    try:
        date = dt.date.fromisoformat(value) if value else None
    except ValueError:
        notice(s.t("deadline_bad", value=value), bad=True)
        return back_to(form, year)
    deadlines = ws.config.setdefault("deadlines", {}).setdefault(form, {})
    if date is None:
        deadlines.pop(str(year), None)
    else:
        deadlines[str(year)] = date.isoformat()
    ws.save_config()
    access.log_action(ws, current_user(s) or "-", "deadline", f"{form} {year} {value}")
    notice(s.t("deadline_saved", date=value) if date else s.t("deadline_none"))
    return back_to(form, year)


@signed_in
def report(kind: str) -> Any:
    s = site()
    ws = s.workspace()
    if kind not in ("xlsx", "pdf"):
        page_abort(404, s.t("not_found"))
    pair = chosen(ws)
    if pair is None:
        page_abort(404, s.t("not_found"))
    form, year = pair  # type: ignore[misc]
    result = api.report(ws, form, year, want_pdf=kind == "pdf")
    access.log_action(ws, current_user(s) or "-", f"report_{kind}", f"{form} {year}")
    if kind == "pdf":
        if result.pdf is None:
            notice(s.t("pdf_missing", reason=result.pdf_text(s.lang)), bad=True)
            return back_to(form, year)
        return send_file(result.pdf, as_attachment=True, download_name=result.pdf.name)
    return send_file(result.path, as_attachment=True, download_name=result.path.name)


@signed_in
def export() -> Any:
    s = site()
    ws = s.workspace()
    pair = chosen(ws)
    if pair is None:
        page_abort(404, s.t("not_found"))
    form, year = pair  # type: ignore[misc]
    name = f"{fiscal.long_label(year)}_{title_of(ws, form)}.csv"
    out = api.export(ws, form, year, ws.reports / name, "csv")
    access.log_action(ws, current_user(s) or "-", "export_csv", f"{form} {year}")
    return send_file(Path(out), as_attachment=True, download_name=name, mimetype="text/csv")


@signed_in
def reminders() -> Any:
    """The slots not accepted yet, with their e-mail addresses: a CSV for Excel (UTF-8 with
    BOM), for a mail merge."""
    s = site()
    ws = s.workspace()
    pair = chosen(ws)
    if pair is None:
        page_abort(404, s.t("not_found"))
    form, year = pair  # type: ignore[misc]
    st = api.status(ws, form, year)
    mails = access.contacts(ws)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([s.t("col_group"), s.t("col_state"), s.t("col_email"), s.t("col_last_file"),
                s.t("col_last_time")])
    for g in st.missing:
        w.writerow([csv_safe(who_of(s, g)), state_word(s, g.state), csv_safe(
            mails.get(g.group, "")), csv_safe(g.last_file), when(g.last_time, s.lang)])
    access.log_action(ws, current_user(s) or "-", "reminders_csv", f"{form} {year}")
    name = s.t("reminders_file", year=fiscal.long_label(year), title=title_of(ws, form)) \
        if s.lang == "ja" else s.t("reminders_file", year=f"FY{year}", title=form)
    data = ("\ufeff" + buf.getvalue()).encode("utf-8")
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename*=UTF-8''" + urllib.parse.quote(name)})


def csv_safe(value: str) -> str:
    """A value Excel will not take as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@signed_in
def version() -> Any:
    s = site()
    ws = s.workspace()
    pair = chosen(ws)
    if pair is None:
        page_abort(404, s.t("not_found"))
    form, year = pair  # type: ignore[misc]
    slot = request.args.get("slot", "")
    try:
        v = int(request.args.get("v", ""))
    except ValueError:
        page_abort(404, s.t("no_version"))
    st = api.status(ws, form, year)
    g = next((g for g in st.groups if (g.slot or g.group) == slot), None)
    values = api.version_values(ws, form, year, slot, v) if g is not None else None
    if values is None or g is None:
        page_abort(404, s.t("no_version"))
    labels = field_labels(ws, form, year)
    changes = None
    if v > 1:
        # both versions named here as 担当@版番号 from the master, never from a path
        changes = [{"key": c.item_key, "field": labels.get(c.field, c.field),
                    "old": shown(c.old), "new": shown(c.new), "cell": c.cell}
                   for c in api.diff(ws, form, year, f"{slot}@{v - 1}", f"{slot}@{v}")]
    access.log_action(ws, current_user(s) or "-", "view_version", f"{form} {year} {slot} v{v}")
    return render_template(
        "values.html", user=current_user(s), form=form, year=year,
        title=s.t("values_title", who=who_of(s, g), version=v), version=v,
        values=[{"key": x.item_key, "field": labels.get(x.field, x.field),
                 "value": shown(x.value), "cell": f"{x.sheet}!{x.cell}" if x.sheet else x.cell}
                for x in values or []],
        changes=changes, prev=v - 1)


def field_labels(ws: Workspace, form: str, year: int) -> dict[str, str]:
    try:
        f = load_form(form, ws.root)
    except FujimiError:
        return {}
    return {fid: fld.label_for(year) for fid, fld in f.by_id.items()}


def shown(value: Any) -> str:
    return "" if value is None else str(value)
