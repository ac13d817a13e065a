"""Issue 14: numbered migrations, one current version per slot enforced by the database, and
times stored in UTC (ordered as times, printed in Japan time)."""

from __future__ import annotations

import sqlite3

import pytest

from fujimi_xl import api, store
from fujimi_xl.store import issued as issues

# the first two build a release-2 SQLite master by hand (sqlite3 on the file)
SQLITE_ONLY = pytest.mark.sqlite_only("builds a release-2 SQLite master file")


def _as_v2(ws, stamps: dict[str, str] | None = None) -> None:
    """Make the workspace's master what release 2 (schema 2) left: no seq columns, no
    one-current index, times with the local offset (+09:00)."""
    conn = sqlite3.connect(ws.db_path)
    try:
        conn.execute("DROP INDEX one_current_version")
        conn.execute("ALTER TABLE issued DROP COLUMN seq")
        conn.execute("ALTER TABLE record_values DROP COLUMN seq")
        for table, column in (("issued", "issued_at"), ("files", "received_at"),
                              ("submissions", "accepted_at"), ("carry", "made_at")):
            conn.execute(f"UPDATE {table} SET {column} = "
                         f"strftime('%Y-%m-%dT%H:%M:%S+09:00', {column}, '+9 hours')")
        for issue_id, stamp in (stamps or {}).items():
            conn.execute("UPDATE issued SET issued_at = ? WHERE issue_id = ?", (stamp, issue_id))
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        conn.commit()
    finally:
        conn.close()


@SQLITE_ONLY
def test_a_schema_2_master_is_upgraded_in_place_on_first_use(ws, outbox, fill):
    path = fill(outbox["保育"], "保育")
    assert api.ingest(ws, [path]).files[0].outcome == "accepted"
    st = store.open_store(ws)
    try:
        received = st.scalar("SELECT received_at FROM files")
        order = [r["field"] for r in st.query("SELECT field FROM record_values ORDER BY seq")]
    finally:
        st.close()
    _as_v2(ws)
    st = store.open_store(ws)  # first use: migrated
    try:
        assert st.scalar("SELECT value FROM meta WHERE key = 'schema_version'") \
            == str(store.SCHEMA_VERSION) == "4"
        # the same moment, back in UTC
        assert st.scalar("SELECT received_at FROM files") == received
        assert received.endswith("+00:00")
        # the order values were written in survives (taken from SQLite's rowid)
        assert [r["field"] for r in st.query("SELECT field FROM record_values ORDER BY seq")] \
            == order
        assert st.scalar("SELECT count(*) FROM issued WHERE seq IS NULL") == 0
    finally:
        st.close()
    assert api.verify(ws).ok


@SQLITE_ONLY
def test_times_written_with_different_offsets_are_ordered_as_times_after_the_upgrade(ws):
    st = store.open_store(ws)
    try:
        rows = st.query("SELECT issue_id, slot FROM issued WHERE slot = "
                        "(SELECT min(slot) FROM issued)")
        slot = rows[0]["slot"]
        first = rows[0]["issue_id"]
        other = st.one("SELECT * FROM issued WHERE issue_id = ?", (first,))
        # a second issue of the same slot, one hour later in time, written by a machine on UTC
        with st.write():
            st.execute("INSERT INTO issued (issue_id, form, form_version, year, group_code, "
                       "slot, issued_at, locked_hash, items, file_name, seq) "
                       "VALUES ('later', ?, ?, ?, ?, ?, ?, ?, ?, ?, 99)",
                       (other["form"], other["form_version"], other["year"],
                        other["group_code"], slot, "2026-12-01T02:00:00+00:00",
                        other["locked_hash"], other["items"], other["file_name"]))
    finally:
        st.close()
    # the first issue at 10:00 Japan time, as release 2 wrote it: as text it sorts after 02:00
    _as_v2(ws, {first: "2026-12-01T10:00:00+09:00", "later": "2026-12-01T02:00:00+00:00"})
    st = store.open_store(ws)
    try:
        assert issues.last(st, other["form"], other["year"], slot)["issue_id"] == "later"
        assert st.scalar("SELECT issued_at FROM issued WHERE issue_id = ?", (first,)) \
            == "2026-12-01T01:00:00+00:00"
    finally:
        st.close()
    assert store.jp_time("2026-12-01T02:00:00+00:00") == "2026年12月1日 11:00"


def test_the_master_keeps_times_in_utc_and_staff_read_them_in_japan_time(ws, outbox, fill, run):
    path = fill(outbox["保育"], "保育")
    api.ingest(ws, [path])
    st = store.open_store(ws)
    try:
        stamps = [st.scalar(f"SELECT {c} FROM {t}") for t, c in (
            ("files", "received_at"), ("files", "saved_at"), ("submissions", "accepted_at"),
            ("issued", "issued_at"))]
    finally:
        st.close()
    assert all(s.endswith("+00:00") and len(s) == 25 for s in stamps), stamps
    assert store.now().endswith("+00:00")


def test_the_database_refuses_a_second_current_version_of_a_slot(ws, outbox, fill):
    api.ingest(ws, [fill(outbox["保育"], "保育")])
    st = store.open_store(ws)
    try:
        sub = st.one("SELECT * FROM submissions")
        with pytest.raises(store.db_errors()), st.write():
            st.execute("INSERT INTO submissions (file_id, form, year, group_code, slot, version, "
                       "accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (sub["file_id"], sub["form"], sub["year"], sub["group_code"],
                        sub["slot"], 99, store.now()))
        assert st.scalar("SELECT count(*) FROM submissions") == 1
    finally:
        st.close()


def test_a_new_version_supersedes_the_old_inside_the_one_current_rule(ws, outbox, fill):
    first = fill(outbox["保育"], "保育", name="a.xlsx")
    api.ingest(ws, [first])
    again = fill(outbox["保育"], "保育", {"4-2-1": {"result": "変更後の実績"}}, name="b.xlsx")
    rep = api.ingest(ws, [again])
    assert [f.outcome for f in rep.files] == ["accepted"], [
        p.message() for f in rep.files for p in f.problems]
    st = store.open_store(ws)
    try:
        assert st.query("SELECT version, CASE WHEN superseded_by IS NULL THEN 1 ELSE 0 END "
                        "AS cur FROM submissions ORDER BY version") \
            == [{"version": 1, "cur": 0}, {"version": 2, "cur": 1}]
    finally:
        st.close()
    assert api.verify(ws).ok
