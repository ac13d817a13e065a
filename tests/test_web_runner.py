"""The web server's ingest workers (issue 15): a file that kills its reader is refused alone,
the uploads beside it are taken, and the server goes on; nothing forks the threaded server."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from fujimi_xl import api
from fujimi_xl.core.messages import intake_words, text, web_text
from fujimi_xl.lifecycle import access
from fujimi_xl.web import create_app
from fujimi_xl.web.runner import Failure, Job, Runner, run_job

from .conftest import YEAR
from .test_web_group import page_text, table, upload

FORM = "progress"


def abort_on_boom(job: Job) -> Any:
    """In the worker: a reader that aborts the process (as python-calamine does on some
    crafted files) when the file's name says so."""
    if "boom" in Path(job.path).name:
        os.abort()
    return run_job(job)


@pytest.fixture
def runner() -> Any:
    r = Runner(workers=2, job=abort_on_boom)
    yield r
    r.close()


def test_a_file_that_kills_its_reader_is_refused_alone(ws, runner, outbox, fill):
    tokens = {link.ref.slot: link.token for link in access.links(ws, FORM, YEAR)}
    app = create_app(ws.root, runner=runner)
    boom = fill(outbox["保育"], "保育", name="boom.xlsx")
    good = fill(outbox["こども育成"], "こども育成")
    pages: dict[str, str] = {}

    def post(slot: str, path: Path) -> None:
        pages[slot] = page_text(upload(app.test_client(), tokens[slot], path))

    threads = [threading.Thread(target=post, args=a) for a in (("保育", boom),
                                                               ("こども育成", good))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert table(pages["保育"]) == [(web_text("whole_file"), "",
                                    text("read_failed", "ja", detail=intake_words("reader_crashed")[0]))]
    assert "受理しました" in pages["こども育成"]
    # the server goes on: the next upload is taken by a new pool
    again = page_text(upload(app.test_client(), tokens["保育"],
                             fill(outbox["保育"], "保育", name="fixed.xlsx")))
    assert "受理しました" in again
    states = {g.group: g.state for g in api.status(ws, FORM, YEAR).groups}
    assert states["保育"] == states["こども育成"] == "accepted"


@pytest.mark.sqlite_only(reason="removes the master.sqlite file")
def test_a_fault_of_the_workspace_comes_back_as_words(ws, outbox, fill):
    job = Job(str(ws.root), str(fill(outbox["保育"], "保育")), FORM, YEAR, "保育", "保育",
              False, "ja")
    (ws.root / "master.sqlite").unlink()
    out = run_job(job)
    assert isinstance(out, Failure) and out.fault
    assert out.texts[0] and "Traceback" not in out.texts[0]


def test_a_definition_edited_while_the_server_runs_is_used_at_the_next_upload(ws, outbox,
                                                                              fill):
    # run_job as a worker runs it, twice in one process: the form it kept is dropped once the
    # workspace's definition changed
    first = run_job(Job(str(ws.root), str(fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}},
                                               name="a.xlsx")), FORM, YEAR, "保育", "保育",
                        True, "ja"))
    assert [p.field for p in first.problems] == ["評価"]
    folder = ws.root / "templates" / FORM
    shutil.copytree(Path(api.__file__).resolve().parent.parent / "templates" / FORM, folder)
    form_json = folder / "form.json"
    form_json.write_text(form_json.read_text("utf-8").replace('"label": "評価"',
                                                              '"label": "評定"'), "utf-8")
    second = run_job(Job(str(ws.root), str(fill(outbox["保育"], "保育", {"4-2-1": {"grade": "E"}},
                                                name="b.xlsx")), FORM, YEAR, "保育", "保育",
                         True, "ja"))
    assert [p.field for p in second.problems] == ["評定"]
