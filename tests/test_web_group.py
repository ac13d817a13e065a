"""A group's page in the browser (issue 15), through Flask's test client: books made by the real
generate → fill (openpyxl) → upload path, results read from the rendered table."""

from __future__ import annotations

import html
import io
import re
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.core.messages import text, web_text
from fujimi_xl.lifecycle import access
from fujimi_xl.web import create_app
from fujimi_xl.web.runner import Runner

from .conftest import YEAR, master_snapshot

FORM = "progress"


@pytest.fixture
def tokens(ws: Any) -> dict[str, str]:
    """slot -> the token of its link."""
    return {link.ref.slot: link.token for link in access.links(ws, FORM, YEAR)}


@pytest.fixture
def client(ws: Any, runner: Runner) -> Any:
    return create_app(ws.root, runner=runner).test_client()


def csrf(client: Any, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def upload(client: Any, token: str, path: Path, how: str = "submit",
           name: str | None = None, data: bytes | None = None) -> Any:
    form = {"csrf": csrf(client, f"/g/{token}"), "how": how,
            "file": (io.BytesIO(data if data is not None else path.read_bytes()),
                     name or path.name)}
    return client.post(f"/g/{token}/upload", data=form, content_type="multipart/form-data")


def table(page: str, table_id: str = "problems") -> list[tuple[str, ...]]:
    """The rows of the table ``table_id`` as tuples of cell texts."""
    found = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    if not found:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [tuple(html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                  for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)) for r in rows]


def page_text(resp: Any) -> str:
    return html.unescape(resp.get_data(as_text=True))


def count(ws: Any, sql: str) -> int:
    conn = ws.connect()
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def test_the_token_page_shows_form_year_state_deadline_and_the_book(ws, client, tokens):
    resp = client.get(f"/g/{tokens['保育']}")
    assert resp.status_code == 200
    body = page_text(resp)
    assert "進捗状況評価" in body and "平成29年度" in body
    assert "保育グループ" in body
    assert web_text("st_missing") in body  # 未提出
    assert web_text("deadline_none") in body  # 期限 未設定
    assert web_text("submit") in body and web_text("check_only") in body
    assert web_text("past_none") in body
    book = client.get(f"/g/{tokens['保育']}/book")
    assert book.status_code == 200
    assert "attachment" in book.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(book.data))
    assert "入力" in wb.sheetnames


def test_a_deadline_in_the_config_is_shown_with_the_days_left(ws, client, tokens):
    ws.config["deadlines"] = {FORM: {str(YEAR): "2099-03-31"}}
    ws.save_config()
    body = page_text(client.get(f"/g/{tokens['保育']}"))
    assert re.search(r"提出期限: 2099年3月31日（あと \d+ 日）", body), body


def test_an_accepted_upload_says_the_version_and_counts(ws, client, tokens, outbox, fill):
    path = fill(outbox["保育"], "保育")
    resp = upload(client, tokens["保育"], path)
    assert resp.status_code == 200
    body = page_text(resp)
    res = api.status(ws, FORM, YEAR)
    mine = next(g for g in res.groups if g.group == "保育")
    assert mine.state == "accepted" and mine.version == 1
    assert web_text("res_accepted", file=path.name, version=1, n=mine.items) in body
    assert table(body) == []
    past = table(body, "past")
    assert [(r[1], r[2]) for r in past] == [(path.name, web_text("past_accepted", version=1))]
    # the state on the page is the new one
    assert re.search(r'id="state">受理<', resp.get_data(as_text=True))


def test_a_refused_upload_lists_every_cell_and_offers_the_feedback_book(ws, client, tokens,
                                                                         outbox, fill):
    before = master_snapshot(ws)
    path = fill(outbox["保育"], "保育", {"4-2-1": {"result": "", "next_plan": ""}})
    resp = upload(client, tokens["保育"], path)
    assert resp.status_code == 200
    body = page_text(resp)
    assert table(body) == [
        ("入力!F5", "H29実施内容", text("required", "ja", label="H29実施内容")),
        ("入力!I5", "H30計画内容", text("required", "ja", label="H30計画内容"))]
    assert web_text("res_rejected", file=path.name, n=2) in body
    assert master_snapshot(ws) == before
    # the feedback workbook downloads and opens
    link = re.search(r'id="feedback" href="([^"]+)"', resp.get_data(as_text=True))
    assert link, body
    fb = client.get(html.unescape(link.group(1)))
    assert fb.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(fb.data))
    assert wb.sheetnames
    # upload again from the result page: the form is there, and the fixed book is accepted
    assert 'action="/g/' in resp.get_data(as_text=True)
    fixed = fill(outbox["保育"], "保育", name="fixed.xlsx")
    again = page_text(upload(client, tokens["保育"], fixed))
    items = next(g.items for g in api.status(ws, FORM, YEAR).groups if g.group == "保育")
    assert web_text("res_accepted", file="fixed.xlsx", version=1, n=items) in again
    past = [(r[1], r[2]) for r in table(again, "past")]
    assert past == [("fixed.xlsx", web_text("past_accepted", version=1)),
                    (path.name, web_text("past_rejected", n=2) + " · "
                     + web_text("feedback_short"))]


def test_check_only_checks_and_stores_nothing(ws, client, tokens, outbox, fill):
    before = master_snapshot(ws)
    files_before = count(ws, "SELECT count(*) FROM files")
    good = fill(outbox["保育"], "保育")
    body = page_text(upload(client, tokens["保育"], good, how="dry_run"))
    assert "確認の結果、誤りはありません" in body
    bad = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}}, name="bad.xlsx")
    body = page_text(upload(client, tokens["保育"], bad, how="dry_run"))
    assert web_text("res_check_bad", file="bad.xlsx", n=1) in body
    assert [(r[0], r[1]) for r in table(body)] == [("入力!G5", "評価")]
    assert 'id="feedback"' not in body
    assert master_snapshot(ws) == before
    assert count(ws, "SELECT count(*) FROM files") == files_before
    assert not list((ws.root / "uploads").glob("*/*"))


def test_a_book_of_another_group_is_wrong_group_and_not_stored(ws, client, tokens, outbox, fill):
    before = master_snapshot(ws)
    other = fill(outbox["こども育成"], "こども育成")
    body = page_text(upload(client, tokens["保育"], other))
    assert table(body) == [(web_text("whole_file"), "",
                            text("wrong_group", "ja", expected="保育", found="こども育成"))]
    assert master_snapshot(ws) == before
    states = {g.group: g.state for g in api.status(ws, FORM, YEAR).groups}
    assert states["こども育成"] == "missing"  # the other group's state is not touched


def test_a_double_post_stores_one_version(ws, runner, tokens, outbox, fill):
    app = create_app(ws.root, runner=runner)
    path = fill(outbox["保育"], "保育")
    clients = [app.test_client(), app.test_client()]
    forms = [csrf(c, f"/g/{tokens['保育']}") for c in clients]
    out: list[str] = []

    def post(c: Any, token: str) -> None:
        resp = c.post(f"/g/{tokens['保育']}/upload", content_type="multipart/form-data",
                      data={"csrf": token, "how": "submit",
                            "file": (io.BytesIO(path.read_bytes()), path.name)})
        out.append(page_text(resp))

    threads = [threading.Thread(target=post, args=(c, f)) for c, f in zip(clients, forms, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert count(ws, "SELECT count(*) FROM submissions") == 1
    assert sorted("受理しました" in b for b in out) == [False, True]
    assert any(web_text("res_unchanged", version=1) in b for b in out)


def test_a_file_over_the_cap_is_413_in_japanese_and_nothing_is_stored(ws, runner, tokens,
                                                                      outbox, fill):
    app = create_app(ws.root, runner=runner, max_upload_mb=1)
    c = app.test_client()
    before = count(ws, "SELECT count(*) FROM files")
    resp = upload(c, tokens["保育"], outbox["保育"], data=b"x" * (2 * 1024 * 1024))
    assert resp.status_code == 413
    assert web_text("too_large", mb=1) in page_text(resp)
    assert count(ws, "SELECT count(*) FROM files") == before
    assert not list((ws.root / "uploads").glob("*/*"))


def test_an_unknown_or_revoked_token_is_a_404_page_in_japanese(ws, client, tokens):
    resp = client.get("/g/" + "A" * 43)
    assert resp.status_code == 404
    assert web_text("not_found") in page_text(resp)
    assert "<html lang=\"ja\">" in resp.get_data(as_text=True)
    assert client.get("/g/../../secret.key").status_code == 404
    access.revoke(ws, FORM, YEAR, ["保育"])
    resp = client.get(f"/g/{tokens['保育']}")
    assert resp.status_code == 404
    assert client.get(f"/g/{tokens['保育']}/book").status_code == 404


def test_a_post_without_the_csrf_token_is_refused(ws, client, tokens, outbox, fill):
    path = fill(outbox["保育"], "保育")
    resp = client.post(f"/g/{tokens['保育']}/upload", content_type="multipart/form-data",
                       data={"how": "submit",
                             "file": (io.BytesIO(path.read_bytes()), path.name)})
    assert resp.status_code == 400
    assert web_text("bad_request") in page_text(resp)
    assert count(ws, "SELECT count(*) FROM files") == 0


def test_no_file_chosen_says_so_on_the_page(client, tokens):
    token = tokens["保育"]
    resp = client.post(f"/g/{token}/upload", content_type="multipart/form-data",
                       data={"csrf": csrf(client, f"/g/{token}"), "how": "submit"})
    assert resp.status_code == 400
    assert web_text("no_file") in page_text(resp)


def test_a_token_cannot_download_another_slots_feedback(ws, client, tokens, outbox, fill):
    path = fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}})
    resp = upload(client, tokens["保育"], path)
    link = re.search(r'id="feedback" href="/g/[^/]+/feedback/(\d+)"',
                     resp.get_data(as_text=True))
    assert link
    assert client.get(f"/g/{tokens['保育']}/feedback/{link.group(1)}").status_code == 200
    assert client.get(f"/g/{tokens['こども育成']}/feedback/{link.group(1)}").status_code == 404


def test_english_pages(ws, runner, tokens):
    c = create_app(ws.root, runner=runner, lang="en").test_client()
    body = page_text(c.get(f"/g/{tokens['保育']}"))
    assert web_text("check_only", "en") in body and "<html lang=\"en\">" in body


def test_another_groups_accepted_file_is_wrong_group_not_already_accepted(ws, client, tokens,
                                                                          outbox, fill):
    # the file is known by its sha256 (accepted on its own page): on 保育's page it is still
    # another group's book, refused wrong_group, and nothing is stored for either slot
    other = fill(outbox["こども育成"], "こども育成")
    assert "受理しました" in page_text(upload(client, tokens["こども育成"], other))
    before = master_snapshot(ws)
    body = page_text(upload(client, tokens["保育"], other))
    assert table(body) == [(web_text("whole_file"), "",
                            text("wrong_group", "ja", expected="保育", found="こども育成"))]
    assert master_snapshot(ws) == before
    groups = {g.group: g for g in api.status(ws, FORM, YEAR).groups}
    assert groups["保育"].state == "missing" and groups["保育"].last_file == ""
    assert groups["こども育成"].state == "accepted"


def test_a_wrong_group_refusal_is_not_kept_under_either_slot(ws, client, tokens, outbox, fill):
    other = fill(outbox["こども育成"], "こども育成")
    upload(client, tokens["保育"], other)
    groups = {g.group: g for g in api.status(ws, FORM, YEAR).groups}
    assert (groups["保育"].state, groups["保育"].last_file) == ("missing", "")
    assert (groups["こども育成"].state, groups["こども育成"].last_file) == ("missing", "")


def test_a_refused_file_sent_again_after_its_correction_says_nothing_is_to_be_done(
        ws, client, tokens, outbox, fill):
    """The refused book uploaded again after the corrected one (saved later) was accepted:
    no green 'saved as an earlier version', no empty version number: nothing to do."""
    from .test_versions import at, set_saved

    bad = set_saved(fill(outbox["保育"], "保育", {"4-2-1": {"result": ""}}, name="bad.xlsx"),
                    at(10, 18))
    fixed = set_saved(fill(outbox["保育"], "保育", name="fixed.xlsx"), at(10, 45))
    assert web_text("res_rejected", file="bad.xlsx", n=1) in page_text(
        upload(client, tokens["保育"], bad))
    upload(client, tokens["保育"], fixed)
    before = master_snapshot(ws)
    body = page_text(upload(client, tokens["保育"], bad))
    assert web_text("res_superseded_refusal", file="bad.xlsx", version=1) in body
    assert "（v）" not in body
    assert master_snapshot(ws) == before
