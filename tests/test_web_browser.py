"""The browser test (issue 15): headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by Selenium) against ``fujimi-xl serve`` (real waitress on
127.0.0.1) on a workspace made by the real cycle.

A group opens its link, uploads a book with two errors and sees both cells in the table,
downloads the feedback workbook (it opens with openpyxl), uploads the fixed book and sees 受理;
then the secretariat signs in and sees that group 受理 on the board. A screenshot of each page
is saved (to ``FUJIMI_SCREENSHOTS`` when set, else a temporary folder).

Without Chromium the test is skipped, except when ``CI`` is set: then it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fujimi_xl import api
from fujimi_xl.demo import write_sample_plan
from fujimi_xl.lifecycle import access

from .conftest import YEAR

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
GROUP = "保育"
TWO_ERRORS = {"4-2-1": {"grade": "E", "result": ""}}  # 評価 not in the scale, 実施内容 blank
USER, PASSWORD = "suzuki", "browser-test-pass"
WAIT = 30.0  # seconds for a page or a download (the machine may be busy)


def _missing() -> str:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is not installed"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return ""


@pytest.fixture(scope="module")
def browser_ready() -> None:
    why = _missing()
    if why and os.environ.get("CI"):
        pytest.fail(f"the browser test must run in CI: {why} (.ci/run installs "
                    "chromium and chromium-driver)")
    if why:
        pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(root: Path, port: int, log: Path) -> Iterator[str]:
    """``fujimi-xl serve`` on 127.0.0.1:port, stopped on leaving; yields its address."""
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "FUJIMI_LANG"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "fujimi_xl", "serve", "-w", str(root), "--host",
             "127.0.0.1", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env,
            cwd=root.parent)
        try:
            deadline = time.monotonic() + WAIT
            while True:
                try:
                    with urllib.request.urlopen(url + "/", timeout=2):
                        break
                except (urllib.error.URLError, ConnectionError, OSError):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError("the server did not start:\n" + log.read_text(
                            "utf-8", "replace")) from None
                    time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


@contextlib.contextmanager
def chromium(profile: Path, downloads: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", f"--user-data-dir={profile}", "--window-size=1200,900",
                "--lang=ja"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "intl.accept_languages": "ja"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        driver.set_page_load_timeout(WAIT)
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def downloaded(folder: Path, suffix: str) -> Path:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done and not any(p.suffix == ".crdownload" for p in folder.iterdir()):
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"nothing downloaded into {folder}: {list(folder.iterdir())}")


def upload(driver: Any, book: Path) -> None:
    """Pick ``book`` in the upload form and press its first button (提出する)."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(book))
    button = driver.find_elements(By.CSS_SELECTOR, "#upload button[type=submit]")[0]
    assert button.text == "提出する"
    button.click()


def test_a_group_uploads_fixes_and_the_secretariat_sees_it(browser_ready, tmp_path, fill):
    from selenium.webdriver.common.by import By

    shots = Path(os.environ.get("FUJIMI_SCREENSHOTS") or tmp_path / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    downloads = tmp_path / "downloads"
    downloads.mkdir()

    # the real cycle: a plan, a workspace, the books, a user, the links
    ws = api.init(tmp_path / "ws", write_sample_plan(tmp_path / "plan.xlsx"), "progress")
    port = free_port()
    access.set_public_url(ws, f"http://127.0.0.1:{port}")
    api.generate(ws, "progress", YEAR)
    book = next(p for p in (ws.outbox / str(YEAR) / "progress").iterdir() if GROUP in p.name)
    api.add_user(ws, USER, PASSWORD)
    link = access.links(ws, "progress", YEAR, [GROUP])[0]
    assert link.url and link.url.startswith(f"http://127.0.0.1:{port}/g/")
    bad = fill(book, GROUP, TWO_ERRORS, name="保育_誤りあり.xlsx")
    good = fill(book, GROUP, name="保育_修正済み.xlsx")

    with served(ws.root, port, tmp_path / "serve.log"), \
            chromium(tmp_path / "profile", downloads) as driver:
        # the group's page, from its link
        driver.get(link.url)
        wait_for(driver, "#upload")
        assert link.ref.group_name in driver.page_source
        driver.save_screenshot(str(shots / "1_group_page.png"))

        # a book with two errors: both cells in the table
        upload(driver, bad)
        table = wait_for(driver, "#problems")
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
        res = api.ingest(ws, [bad], dry_run=True).files[0]  # what the CLI says of it
        expected = sorted({f"{p.sheet}!{p.cell}" for p in res.errors})
        assert len(expected) == 2
        assert sorted({r[0] for r in rows}) == expected, rows
        assert all(r[2] for r in rows)  # each row says what to do
        driver.save_screenshot(str(shots / "2_refused.png"))

        # the feedback workbook downloads and opens
        driver.find_element(By.ID, "feedback").click()
        feedback = downloaded(downloads, ".xlsx")
        wb = openpyxl.load_workbook(feedback)
        assert wb.sheetnames[0] == "差戻し内容"

        # the fixed book, from the result page (no going back): 受理
        upload(driver, good)
        wait_for(driver, "#result.res-accepted")
        assert driver.find_element(By.ID, "state").text == "受理"
        driver.save_screenshot(str(shots / "3_accepted.png"))

        # the secretariat signs in and sees the group 受理 on the board
        driver.get(link.url.split("/g/")[0] + "/admin")
        wait_for(driver, "#login")
        driver.save_screenshot(str(shots / "4_sign_in.png"))
        driver.find_element(By.ID, "name").send_keys(USER)
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
        board = wait_for(driver, "#board")
        states = {tr.find_elements(By.TAG_NAME, "td")[0].text:
                  tr.find_elements(By.TAG_NAME, "td")[1].text
                  for tr in board.find_elements(By.CSS_SELECTOR, "tbody tr")}
        mine = [state for who, state in states.items() if link.ref.group_name in who
                or GROUP in who]
        assert mine == ["受理"], states
        assert list(states.values()).count("受理") == 1
        driver.save_screenshot(str(shots / "5_board.png"))

    assert [p.name for p in sorted(shots.iterdir())] == [
        "1_group_page.png", "2_refused.png", "3_accepted.png", "4_sign_in.png", "5_board.png"]
    assert all(p.stat().st_size > 5000 for p in shots.iterdir())
    # the master: one accepted version of the group, and it verifies
    status = {g.group: g for g in api.status(ws, "progress", YEAR).groups}
    assert (status[GROUP].state, status[GROUP].version) == ("accepted", 1)
    assert api.verify(ws).ok
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
