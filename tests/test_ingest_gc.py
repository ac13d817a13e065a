"""Ingest sets the garbage collector aside for its batch of files (speed, issue 13 item 12) and
gives it back as it was, also when batches overlap in threads (the web server)."""

from __future__ import annotations

import gc
import threading

from fujimi_xl.core import bulk


def test_the_collector_is_as_it_was_after_a_batch():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with bulk.fewer_collections():
        assert gc.get_threshold() == bulk.GC_THRESHOLD
        assert gc.get_freeze_count() >= frozen
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_overlapping_batches_give_it_back_when_the_last_ends():
    before = gc.get_threshold()
    inside, leave = threading.Event(), threading.Event()

    def batch() -> None:
        with bulk.fewer_collections():
            inside.set()
            leave.wait(10)

    other = threading.Thread(target=batch)
    other.start()
    assert inside.wait(10)
    with bulk.fewer_collections():
        pass
    assert gc.get_threshold() == bulk.GC_THRESHOLD  # the other batch is still running
    leave.set()
    other.join(10)
    assert gc.get_threshold() == before


def test_an_ingest_leaves_the_collector_as_it_was(ws, outbox, fill):
    from fujimi_xl import api

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    path = fill(outbox["保育"], "保育")
    report = api.ingest(ws, [path], workers=1)
    assert report.count("accepted") == 1
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
