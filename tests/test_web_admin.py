"""The secretariat's pages (issue 15) through Flask's test client: sign-in, the board and its
states, the reminder list, the actions (generate, report, export, values and changes), CSRF,
cookies, the trusted header, and every action in the log with who did it."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api, store
from fujimi_xl.core.messages import web_text
from fujimi_xl.lifecycle import access
from fujimi_xl.web import create_app
from fujimi_xl.web.runner import Runner

from .conftest import YEAR
from .test_web_group import csrf, page_text, table, upload

FORM = "progress"
PASSWORD = "kanri-2026-pass"


@pytest.fixture
def app(ws: Any, runner: Runner) -> Any:
    access.add_user(ws, "jimukyoku", PASSWORD)
    return create_app(ws.root, runner=runner)


def sign_in(client: Any, name: str = "jimukyoku", password: str = PASSWORD) -> Any:
    token = csrf(client, "/admin/login")
    return client.post("/admin/login", data={"csrf": token, "name": name,
                                             "password": password})


@pytest.fixture
def admin(app: Any) -> Any:
    c = app.test_client()
    assert sign_in(c).status_code == 302
    return c


def test_the_board_needs_a_sign_in(app):
    c = app.test_client()
    resp = c.get("/admin")
    assert resp.status_code == 302 and "/admin/login" in resp.headers["Location"]
    page = page_text(c.get("/admin/login"))
    assert web_text("login_title") in page and web_text("login_button") in page


def test_a_wrong_password_is_refused_and_a_right_one_signs_in(ws, app):
    c = app.test_client()
    resp = sign_in(c, password="wrong-password")
    assert resp.status_code == 401
    assert web_text("login_failed") in page_text(resp)
    assert c.get("/admin").status_code == 302
    resp = sign_in(c)
    assert resp.status_code == 302
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert c.get("/admin").status_code == 200
    log = access.actions(ws)
    assert [(a.who, a.action) for a in log[:2]] == [("jimukyoku", "sign_in"),
                                                    ("jimukyoku", "sign_in_failed")]


def test_sign_in_without_the_csrf_token_is_refused(app):
    c = app.test_client()
    c.get("/admin/login")
    resp = c.post("/admin/login", data={"name": "jimukyoku", "password": PASSWORD})
    assert resp.status_code == 400
    assert web_text("bad_request") in page_text(resp)
    assert c.get("/admin").status_code == 302


def test_the_board_shows_each_state_totals_and_the_reminders(ws, app, admin, outbox, fill):
    conn = ws.connect()
    try:
        with store.transaction(conn):
            access.save_contacts(conn, {"こども育成": "ikusei@city.example.jp"})
    finally:
        conn.close()
    tokens = {link.ref.slot: link.token for link in access.links(ws, FORM, YEAR)}
    staff = app.test_client()
    upload(staff, tokens["保育"], fill(outbox["保育"], "保育"))
    upload(staff, tokens["政策企画"], fill(outbox["政策企画"], "政策企画",
                                          {"1-3-1": {"grade": "E"}}))
    body = page_text(admin.get(f"/admin?form={FORM}&year={YEAR}"))
    rows = {r[0]: r[1:3] for r in table(body, "board")}
    assert len(rows) == 10
    accepted = [k for k, v in rows.items() if v == ("受理", "v1")]
    refused = [k for k, v in rows.items() if v[0] == "差戻し"]
    assert len(accepted) == 1 and "保育" in accepted[0]
    assert len(refused) == 1 and "政策企画" in refused[0]
    assert web_text("totals", n=10, accepted=1, rejected=1, missing=8, not_issued=0) in body
    assert web_text("deadline_none") in body
    reminders = table(body, "remind")
    assert len(reminders) == 9
    assert not any("保育" in r[0] for r in reminders)
    assert 'href="mailto:ikusei@city.example.jp?subject=' in admin.get(
        f"/admin?form={FORM}&year={YEAR}").get_data(as_text=True)
    assert any(r[2] == web_text("remind_no_mail") for r in reminders)
    # the reminder list as CSV for Excel: UTF-8 with BOM, the same slots
    resp = admin.get(f"/admin/reminders.csv?form={FORM}&year={YEAR}")
    assert resp.data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert lines[0][:3] == [web_text("col_group"), web_text("col_state"), web_text("col_email")]
    assert len(lines) == 10
    assert any(line[2] == "ikusei@city.example.jp" for line in lines)


def test_the_board_without_anything_issued_offers_generate(tmp_path, runner):
    from fujimi_xl.demo import write_sample_plan

    plan = write_sample_plan(tmp_path / "plan.xlsx")
    ws = api.init(tmp_path / "ws", plan, FORM)
    access.add_user(ws, "jimukyoku", PASSWORD)
    c = create_app(ws.root, runner=runner).test_client()
    sign_in(c)
    body = page_text(c.get("/admin"))
    assert web_text("board_empty") in body
    resp = c.post("/admin/generate", data={"csrf": csrf(c, "/admin"), "form": FORM,
                                           "year": "H29"})
    assert resp.status_code == 302
    body = page_text(c.get(resp.headers["Location"]))
    assert web_text("generate_done", year="平成29年度", form="進捗状況評価", n=10, kept=0) in body
    assert len(table(body, "board")) == 10
    assert ("jimukyoku", "generate") in [(a.who, a.action) for a in access.actions(ws)]


def test_generate_without_the_csrf_token_does_nothing(ws, admin):
    before = len(list((ws.outbox / str(YEAR) / FORM).glob("*.xlsx")))
    resp = admin.post("/admin/generate", data={"form": FORM, "year": "2018"})
    assert resp.status_code == 400
    assert not (ws.outbox / "2018").exists()
    assert len(list((ws.outbox / str(YEAR) / FORM).glob("*.xlsx"))) == before


def test_report_export_and_values_download(ws, app, admin, outbox, fill):
    tokens = {link.ref.slot: link.token for link in access.links(ws, FORM, YEAR)}
    staff = app.test_client()
    upload(staff, tokens["保育"], fill(outbox["保育"], "保育"))
    upload(staff, tokens["保育"], fill(outbox["保育"], "保育", {"4-2-1": {"grade": "B"}},
                                     name="second.xlsx"))
    resp = admin.get(f"/admin/report.xlsx?form={FORM}&year={YEAR}")
    assert resp.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(resp.data)).sheetnames
    resp = admin.get(f"/admin/export.csv?form={FORM}&year={YEAR}")
    assert resp.status_code == 200 and resp.data.startswith("\ufeff".encode())
    # one version's values and its changes from the one before
    body = page_text(admin.get(f"/admin?form={FORM}&year={YEAR}"))
    link = re.search(r'href="(/admin/version\?[^"]+)"',
                     admin.get(f"/admin?form={FORM}&year={YEAR}").get_data(as_text=True))
    assert link, body
    page = page_text(admin.get(html.unescape(link.group(1))))
    assert table(page, "changes") == [("4-2-1", "評価", "A", "B", "G5")]
    assert table(page, "values")
    who = [(a.who, a.action) for a in access.actions(ws)]
    assert ("jimukyoku", "report_xlsx") in who and ("jimukyoku", "export_csv") in who
    assert ("jimukyoku", "view_version") in who


def test_a_version_asked_for_by_a_path_is_not_looked_up_as_a_file(ws, admin):
    resp = admin.get(f"/admin/version?form={FORM}&year={YEAR}&slot=/etc/passwd&v=1")
    assert resp.status_code == 404
    resp = admin.get("/admin/version?form=../../x&year=1&slot=a&v=1")
    assert resp.status_code == 404


def test_a_trusted_header_signs_in_only_when_enabled(ws, runner):
    off = create_app(ws.root, runner=runner).test_client()
    assert off.get("/admin", headers={"X-Remote-User": "proxyuser"}).status_code == 302
    on = create_app(ws.root, runner=runner, trusted_header="X-Remote-User").test_client()
    resp = on.get("/admin", headers={"X-Remote-User": "proxyuser"})
    assert resp.status_code == 200
    assert web_text("signed_in", name="proxyuser") in page_text(resp)


def test_setting_the_deadline_shows_it_on_the_board_and_the_group_page(ws, app, admin):
    resp = admin.post("/admin/deadline", data={"csrf": csrf(admin, "/admin"), "form": FORM,
                                               "year": str(YEAR), "date": "2099-01-31"})
    assert resp.status_code == 302
    assert "2099年1月31日" in page_text(admin.get(resp.headers["Location"]))
    token = access.links(ws, FORM, YEAR)[0].token
    assert "2099年1月31日" in page_text(app.test_client().get(f"/g/{token}"))


@pytest.mark.sqlite_only(reason="removes the master.sqlite file")
def test_a_workspace_fault_is_a_page_for_the_secretariat_not_a_traceback(ws, app, admin):
    (ws.root / "master.sqlite").unlink()
    resp = admin.get("/admin")
    assert resp.status_code == 503
    body = page_text(resp)
    assert "事務局側の問題" in body and "Traceback" not in body


def test_a_database_server_that_is_down_is_a_page_for_the_secretariat(ws, app, admin,
                                                                      monkeypatch):
    monkeypatch.setenv("FUJIMI_DB_URL", "postgresql://fx@127.0.0.1:1/fujimi")  # nobody there
    resp = admin.get("/admin")
    assert resp.status_code == 503
    body = page_text(resp)
    assert "事務局側の問題" in body and "127.0.0.1:1" in body and "Traceback" not in body


@pytest.mark.libreoffice
def test_the_report_pdf_downloads(ws, app, admin, outbox, fill):
    tokens = {link.ref.slot: link.token for link in access.links(ws, FORM, YEAR)}
    upload(app.test_client(), tokens["保育"], fill(outbox["保育"], "保育"))
    resp = admin.get(f"/admin/report.pdf?form={FORM}&year={YEAR}")
    assert resp.status_code == 200
    assert resp.data.startswith(b"%PDF")
    assert (ws.reports / "平成29年度_進捗状況評価結果.pdf").is_file()
