"""Access (issue 15): links per slot (random, stored hashed, revocable, opening only their
slot), the secretariat's accounts, the log, the plan's メール column, the links file for mail
merge and the link on a generated book's instructions sheet."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3

import openpyxl

from fujimi_xl import api
from fujimi_xl.core.messages import book_text, error_text, text, ui
from fujimi_xl.core.model import Group
from fujimi_xl.demo import sample_plan, write_sample_programs
from fujimi_xl.forms import load_form
from fujimi_xl.layouts.list.generator import GUIDE_SHEET
from fujimi_xl.lifecycle import access
from fujimi_xl.lifecycle.plan import read_plan, write_plan_template

from .conftest import YEAR, master_snapshot

URL = "http://fujimi-srv01:8080"


def lines(res):
    return res.output.splitlines()


def token_rows(ws):
    conn = sqlite3.connect(ws.db_path)
    try:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM access_links ORDER BY slot")]
    finally:
        conn.close()


# -- links ------------------------------------------------------------------------------------
def test_a_link_per_slot_opens_its_slot_and_is_the_same_every_time(ws, sample):
    found = access.links(ws, "progress", YEAR)
    assert [link.ref.group_code for link in found] == [
        g["code"] for g in sample["groups"]
        if any(g["code"] in it["owners"] for it in sample["items"])]
    for link in found:
        assert len(link.token) >= 32 and link.url is None  # no public address yet
        ref = access.slot_for_token(ws, link.token)
        assert ref == link.ref
        assert (ref.form, ref.year, ref.slot) == ("progress", YEAR, link.ref.group_code)
    assert len({link.token for link in found}) == len(found)
    again = access.links(ws, "progress", YEAR)
    assert [link.token for link in again] == [link.token for link in found]
    # another year is another slot: another link
    other = access.links(ws, "progress", YEAR + 1)
    assert not {link.token for link in other} & {link.token for link in found}


def test_a_token_opens_only_its_own_slot(ws):
    a, b = access.links(ws, "progress", YEAR)[:2]
    assert access.slot_for_token(ws, a.token).slot == a.ref.slot != b.ref.slot
    assert access.slot_for_token(ws, b.token).slot == b.ref.slot
    flipped = a.token[:-1] + ("A" if a.token[-1] != "A" else "B")
    for bad in (flipped, a.token[:-1], a.token + "x", "", "../../etc/passwd", b.token.upper()):
        assert access.slot_for_token(ws, bad) is None, bad


def test_a_revoked_link_is_dead_and_stays_dead_until_renewed(ws, run):
    first, second = access.links(ws, "progress", YEAR)[:2]
    dead = access.revoke(ws, "progress", YEAR, [first.ref.group_code])
    assert [r.slot for r in dead] == [first.ref.slot]
    assert access.slot_for_token(ws, first.token) is None
    assert access.slot_for_token(ws, second.token) == second.ref  # others untouched
    listed = {link.ref.slot: link for link in access.links(ws, "progress", YEAR)}
    assert listed[first.ref.slot].token == "" and listed[first.ref.slot].url is None
    assert access.slot_for_token(ws, first.token) is None
    renewed = access.links(ws, "progress", YEAR, [first.ref.group_code], renew=True)[0]
    assert renewed.token not in ("", first.token)
    assert access.slot_for_token(ws, renewed.token) == first.ref
    assert access.slot_for_token(ws, first.token) is None


def test_renew_kills_the_old_link(ws):
    old = access.links(ws, "progress", YEAR)
    new = access.links(ws, "progress", YEAR, renew=True)
    for o, n in zip(old, new, strict=True):
        assert o.ref == n.ref and o.token != n.token
        assert access.slot_for_token(ws, o.token) is None
        assert access.slot_for_token(ws, n.token) == n.ref


def test_the_master_keeps_a_hash_not_the_token(ws, tmp_path):
    found = access.links(ws, "progress", YEAR)
    rows = {r["slot"]: r for r in token_rows(ws)}
    raw = ws.db_path.read_bytes() + (ws.db_path.parent / "master.sqlite-wal").read_bytes() \
        if (ws.db_path.parent / "master.sqlite-wal").exists() else ws.db_path.read_bytes()
    for link in found:
        row = rows[link.ref.slot]
        assert row["token_hash"] == hashlib.sha256(link.token.encode()).hexdigest()
        assert link.token not in [str(v) for v in row.values()]
        assert link.token.encode() not in raw
    # the master copied without the workspace key opens nothing
    copy = tmp_path / "copy"
    shutil.copytree(ws.root, copy)
    (copy / "secret.key").write_text("11" * 32)
    other = api.open_workspace(copy)
    assert all(access.slot_for_token(other, link.token) is None for link in found)


def test_links_follow_the_plan_of_a_form_with_a_book_per_item(tmp_path):
    ws = api.init(tmp_path / "ws", write_plan_template(
        tmp_path / "plan.xlsx", load_form("progress"), example=sample_plan()), "progress")
    api.load_plan(ws, write_sample_programs(tmp_path / "programs.xlsx"), "action_plan")
    found = access.links(ws, "action_plan", 2018)
    conn = ws.connect()
    try:
        keys = [r[0] for r in conn.execute(
            "SELECT item_key FROM plan_items WHERE form = 'action_plan' ORDER BY seq")]
    finally:
        conn.close()
    assert [link.ref.slot for link in found] == keys
    assert all(link.ref.label for link in found)
    assert access.slot_for_token(ws, found[0].token) == found[0].ref


# -- the public address, the links command and its file ------------------------------------
def test_links_command_prints_each_group_and_writes_a_csv_with_bom(run, ws, tmp_path):
    out = tmp_path / "links.csv"
    res = run("links", "progress", "--year", YEAR, "-w", ws.root, "--public-url", URL + "/",
              "-o", out)
    assert res.exit_code == 0, res.output
    ws = api.open_workspace(ws.root)  # the address is in the workspace's config now
    found = access.links(ws, "progress", YEAR)
    assert api.public_url(ws) == URL
    assert lines(res)[0] == ui("links_public_url_set", url=URL)
    assert f"  {found[0].ref.group_name}（{found[0].ref.group_code}）  {URL}/g/{found[0].token}" \
        in lines(res)
    assert lines(res)[-1] == ui("links_written", path=out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["担当コード", "担当名", "メール", "リンク"]
    assert [r[0] for r in rows[1:]] == [link.ref.group_code for link in found]
    assert all(r[3] == f"{URL}/g/{link.token}" for r, link in zip(rows[1:], found, strict=True))
    assert all(access.slot_for_token(ws, r[3].rsplit("/", 1)[1]).slot == r[0] for r in rows[1:])


def test_links_as_xlsx_and_without_an_address(run, ws, tmp_path):
    res = run("links", "progress", "--year", YEAR, "-w", ws.root, "-o", tmp_path / "l.xlsx")
    assert res.exit_code == 2
    assert lines(res)[-1] == "エラー: " + error_text("access_no_public_url")
    assert not (tmp_path / "l.xlsx").exists()
    res = run("links", "progress", "--year", YEAR, "-w", ws.root)
    assert res.exit_code == 0
    assert lines(res)[-1] == ui("links_no_public_url")
    token = access.links(ws, "progress", YEAR)[0].token
    assert any(line.endswith(f"  /g/{token}") for line in lines(res))
    res = run("links", "progress", "--year", YEAR, "-w", ws.root, "--public-url", URL,
              "-o", tmp_path / "l.xlsx")
    assert res.exit_code == 0, res.output
    sheet = openpyxl.load_workbook(tmp_path / "l.xlsx").active
    values = list(sheet.values)
    assert values[0] == ("担当コード", "担当名", "メール", "リンク")
    assert values[1][3] == f"{URL}/g/{token}"


def test_links_command_revokes_and_renews(run, ws):
    first = access.links(ws, "progress", YEAR)[0]
    args = ("links", "progress", "--year", YEAR, "-w", ws.root)
    res = run(*args, "--revoke")
    assert res.exit_code == 2
    assert lines(res)[-1] == "エラー: " + error_text("access_revoke_needs_group")
    res = run(*args, "--revoke", "--group", first.ref.group_code)
    assert res.exit_code == 0, res.output
    assert lines(res) == [ui("links_revoked", n=1, names=first.ref.group_name)]
    assert access.slot_for_token(ws, first.token) is None
    res = run(*args, "--group", first.ref.group_code)
    assert f"  {first.ref.group_name}（{first.ref.group_code}）  {ui('links_revoked_mark')}" \
        in lines(res)
    res = run(*args, "--renew", "--group", first.ref.group_code)
    assert res.exit_code == 0, res.output
    new = access.links(ws, "progress", YEAR, [first.ref.group_code])[0]
    assert new.token and access.slot_for_token(ws, new.token) == first.ref
    assert ui("links_renewed", n=1) in lines(res)
    logged = [(a.action, a.who.split(":")[0]) for a in access.actions(ws)]
    assert logged[:2] == [("links_renew", "cli"), ("links_revoke", "cli")]


def test_a_bad_public_address_is_refused(run, ws):
    for bad in ("fujimi-srv01:8080", "ftp://x", "http://", "http://h:port", "http://h/?a=1"):
        res = run("links", "progress", "--year", YEAR, "-w", ws.root, "--public-url", bad)
        assert res.exit_code == 2, bad
        assert lines(res)[-1] == "エラー: " + error_text("access_bad_url", url=bad)
    assert api.public_url(api.open_workspace(ws.root)) is None


# -- the link on a generated book ----------------------------------------------------------
def guide_texts(path):
    wb = openpyxl.load_workbook(path)
    return [str(c.value) for row in wb[GUIDE_SHEET].iter_rows() for c in row if c.value], wb


def test_generate_writes_the_groups_link_on_the_instructions_sheet(run, ws, outbox):
    before, _ = guide_texts(next(iter(outbox.values())))
    assert not any("/g/" in t for t in before)  # no address: the books as before
    run("links", "progress", "--year", YEAR, "-w", ws.root, "--public-url", URL)
    res = run("generate", "progress", "--year", YEAR, "-w", ws.root, "--reissue")
    assert res.exit_code == 0, res.output
    ws = api.open_workspace(ws.root)
    for group, path in outbox.items():
        texts, wb = guide_texts(path)
        link = access.links(ws, "progress", YEAR, [group])[0]
        assert texts[-2:] == [book_text("guide_link"), link.url]
        cell = next(c for row in wb[GUIDE_SHEET].iter_rows() for c in row if c.value == link.url)
        assert cell.hyperlink is not None and cell.hyperlink.target == link.url
        assert access.slot_for_token(ws, link.token).slot == group


def test_generate_writes_the_link_on_a_book_per_item_too(tmp_path):
    ws = api.init(tmp_path / "ws", write_plan_template(
        tmp_path / "plan.xlsx", load_form("progress"), example=sample_plan()), "progress")
    api.load_plan(ws, write_sample_programs(tmp_path / "programs.xlsx"), "action_plan")
    access.set_public_url(ws, URL)
    gen = api.generate(ws, "action_plan", 2018)
    links = {link.ref.slot: link for link in access.links(ws, "action_plan", 2018)}
    for slot, path, _ in gen.files:
        texts, _ = guide_texts(path)
        assert texts[-1] == links[slot].url


# -- the plan's メール column -------------------------------------------------------------------
def test_the_plan_template_has_an_email_column_and_init_keeps_the_addresses(tmp_path):
    plan = sample_plan()
    plan.groups[0].email = "hoiku@city.fujimi.lg.jp"
    plan.groups[1].email = "mailto:sangyo@city.fujimi.lg.jp"
    path = write_plan_template(tmp_path / "plan.xlsx", load_form("progress"), example=plan)
    assert [c.value for c in openpyxl.load_workbook(path)["担当一覧"][1]] == \
        ["担当", "部", "グループ", "メール"]
    read = read_plan(path, load_form("progress"))
    assert [g.email for g in read.groups[:3]] == [
        "hoiku@city.fujimi.lg.jp", "sangyo@city.fujimi.lg.jp", ""]
    ws = api.init(tmp_path / "ws", path, "progress")
    assert access.contacts(ws) == {plan.groups[0].code: "hoiku@city.fujimi.lg.jp",
                                   plan.groups[1].code: "sangyo@city.fujimi.lg.jp"}
    # the plan again without an address: forgotten
    plan.groups[0].email = ""
    api.load_plan(ws, write_plan_template(tmp_path / "p2.xlsx", load_form("progress"),
                                          example=plan), "progress")
    assert access.contacts(ws) == {plan.groups[1].code: "sangyo@city.fujimi.lg.jp"}
    # the links file gives each group's address
    access.set_public_url(ws, URL)
    out = tmp_path / "links.csv"
    api.write_links(ws, access.links(ws, "progress", 2017), out)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[2][:3] == [plan.groups[1].code, plan.groups[1].full_name,
                           "sangyo@city.fujimi.lg.jp"]


def test_a_plan_without_the_email_column_still_reads(tmp_path):
    from .test_plan import plan_book

    plan = read_plan(plan_book(tmp_path / "p.xlsx", [("第4節", 2, 1, "計画", "保育")]),
                     load_form("progress"))
    assert [g.email for g in plan.groups] == ["", ""]


def test_a_bad_address_is_refused_with_its_cell(tmp_path, run):
    plan = sample_plan()
    plan.groups[1].email = "sangyo at city"
    path = write_plan_template(tmp_path / "plan.xlsx", load_form("progress"), example=plan)
    res = run("init", tmp_path / "ws", "--plan", path, "--form", "progress")
    assert res.exit_code == 1
    assert "plan.xlsx 担当一覧!D3【メール】: " + text("plan_bad_email", value="sangyo at city") \
        in res.output
    assert not (tmp_path / "ws").exists()


# -- the secretariat's accounts ---------------------------------------------------------------
def test_passwords_are_checked_and_stored_hashed(ws):
    access.add_user(ws, "suzuki", "correct horse")
    assert access.check_password(ws, "suzuki", "correct horse")
    assert access.check_password(ws, " suzuki ", "correct horse")
    assert not access.check_password(ws, "suzuki", "correct horsE")
    assert not access.check_password(ws, "suzuki", "")
    assert not access.check_password(ws, "tanaka", "correct horse")
    assert not access.check_password(ws, "", "correct horse")
    conn = sqlite3.connect(ws.db_path)
    try:
        row = conn.execute("SELECT * FROM access_users").fetchone()
    finally:
        conn.close()
    assert "correct horse" not in " ".join(map(str, row))
    access.add_user(ws, "tanaka", "another one")
    assert access.users(ws) == ["suzuki", "tanaka"]
    salts = {r for r in sqlite3.connect(ws.db_path).execute("SELECT salt FROM access_users")}
    assert len(salts) == 2
    access.add_user(ws, "suzuki", "a new password")  # a new password for the same user
    assert not access.check_password(ws, "suzuki", "correct horse")
    assert access.check_password(ws, "suzuki", "a new password")
    assert access.remove_user(ws, "tanaka") and access.users(ws) == ["suzuki"]
    assert not access.check_password(ws, "tanaka", "another one")


def test_user_add_asks_twice_and_refuses_what_cannot_be_used(run, ws):
    from click.testing import CliRunner

    from fujimi_xl.cli import cli

    runner = CliRunner()
    res = runner.invoke(cli, ["user", "add", "suzuki", "-w", str(ws.root)],
                        input="secret-pass\nsecret-pass\n")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[-1] == ui("user_added", name="suzuki")
    assert "secret-pass" not in res.output
    res = runner.invoke(cli, ["user", "add", "suzuki", "-w", str(ws.root)],
                        input="new-secret\nnew-secrEt\n")
    assert res.exit_code == 2
    assert res.output.splitlines()[-1] == "エラー: " + error_text("access_passwords_differ")
    assert access.check_password(ws, "suzuki", "secret-pass")
    res = runner.invoke(cli, ["user", "add", "suzuki", "-w", str(ws.root), "--password-stdin"],
                        input="new-secret\n")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[-1] == ui("user_changed", name="suzuki")
    assert access.check_password(ws, "suzuki", "new-secret")
    res = runner.invoke(cli, ["user", "add", "sato", "-w", str(ws.root), "--password-stdin"],
                        input="short\n")
    assert res.exit_code == 2
    assert res.output.splitlines()[-1] == "エラー: " + error_text("access_short_password", n=8)
    res = runner.invoke(cli, ["user", "add", "a\tb", "-w", str(ws.root), "--password-stdin"],
                        input="long enough\n")
    assert res.exit_code == 2
    assert res.output.splitlines()[-1] == "エラー: " + error_text(
        "access_bad_user_name", name="a\tb", limit=64)
    assert lines(run("user", "list", "-w", ws.root)) == ["suzuki"]
    res = run("user", "remove", "sato", "-w", ws.root)
    assert res.exit_code == 2
    assert lines(res)[-1] == "エラー: " + error_text("access_no_user", name="sato",
                                                     names="suzuki")
    assert lines(run("user", "remove", "suzuki", "-w", ws.root)) == [
        ui("user_removed", name="suzuki")]
    assert lines(run("user", "list", "-w", ws.root)) == [ui("users_none")]
    assert [a.action for a in access.actions(ws)] == [
        "user_remove", "user_password", "user_add"]


# -- the log ------------------------------------------------------------------------------------
def test_actions_are_logged_with_who_newest_first(ws):
    access.log_action(ws, "suzuki", "generate", "progress 2017")
    access.log_action(ws, "tanaka", "report")
    got = access.actions(ws)
    assert [(a.who, a.action, a.detail) for a in got] == [
        ("tanaka", "report", ""), ("suzuki", "generate", "progress 2017")]
    assert got[0].at >= got[1].at and got[0].at.endswith("+00:00")
    assert len(access.actions(ws, limit=1)) == 1


def test_access_changes_nothing_that_was_accepted(ws, outbox, fill):
    group, path = next(iter(outbox.items()))
    api.ingest(ws, [fill(path, group)])
    before = master_snapshot(ws)
    access.links(ws, "progress", YEAR, renew=True)
    access.revoke(ws, "progress", YEAR, [group])
    access.add_user(ws, "suzuki", "long enough")
    access.log_action(ws, "suzuki", "board")
    assert master_snapshot(ws) == before
    assert api.verify(ws).ok


def test_group_model_keeps_three_positional_fields():
    assert Group("a", "b", "c") == Group("a", "b", "c", "")


def test_the_new_commands_have_english_help_and_are_in_the_readme():
    import click

    from fujimi_xl.cli import cli
    from fujimi_xl.core.messages import UI, help_en

    from .test_cli import README

    user = cli.commands["user"]
    commands = [cli.commands["links"], user, *user.commands.values()]  # type: ignore[attr-defined]
    for command in commands:
        assert help_en(command.help or ""), command.name
        for param in command.params:
            if isinstance(param, click.Option) and param.help:
                assert help_en(str(param.help)), (command.name, param.name)
            if isinstance(param, click.Argument):
                assert f"arg_{param.name}" in UI
    readme = README.read_text(encoding="utf-8")
    for words in ("fujimi-xl links", "fujimi-xl user add", "fujimi-xl user list"):
        assert words in readme


def test_the_public_address_is_kept_and_can_be_removed(run, ws):
    args = ("links", "progress", "--year", YEAR, "-w", ws.root)
    assert lines(run(*args, "--public-url", URL))[0] == ui("links_public_url_set", url=URL)
    assert api.public_url(api.open_workspace(ws.root)) == URL
    res = run(*args, "--json")
    data = json.loads(res.output)
    assert data["public_url"] == URL
    assert all(d["url"] == f"{URL}/g/{d['token']}" for d in data["links"])
    assert lines(run(*args, "--public-url", ""))[0] == ui("links_public_url_cleared")
    assert api.public_url(api.open_workspace(ws.root)) is None
