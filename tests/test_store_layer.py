"""Issue 14: one storage layer. Every SQL statement and every database driver is inside
``fujimi_xl/store/``; the Store owns connections and transactions."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from fujimi_xl import store

PKG = Path(__file__).resolve().parent.parent / "fujimi_xl"
STORE = PKG / "store"
SQL = re.compile(r"^\s*(SELECT\b.*\bFROM\b|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b"
                 r"|CREATE\s+(TABLE|INDEX|VIEW|UNIQUE)\b|PRAGMA\b|BEGIN\b)", re.I | re.S)


def _modules_outside_store() -> list[Path]:
    return [p for p in PKG.rglob("*.py") if STORE not in p.parents]


def test_no_database_driver_is_imported_outside_the_store():
    found = []
    for path in _modules_outside_store():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.relative_to(PKG)}: {n}" for n in names
                      if n.split(".")[0] in ("sqlite3", "psycopg", "psycopg2")]
    assert found == []


def test_no_sql_statement_is_written_outside_the_store():
    found = []
    for path in _modules_outside_store():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and SQL.match(node.value):
                found.append(f"{path.relative_to(PKG)}:{node.lineno}: {node.value[:40]}")
    assert found == []


def test_psycopg_is_imported_only_in_the_dialect_and_only_when_used():
    users = [p.name for p in STORE.rglob("*.py") if "import psycopg" in p.read_text("utf-8")]
    assert users == ["dialect.py"]
    text = (STORE / "dialect.py").read_text("utf-8")
    # a deferred import, inside the function that loads it
    assert re.search(r"def _psycopg\(\).*?\n\s+# deferred.*?\n\s+import psycopg", text, re.S)


def test_store_reads_rows_as_dicts_and_scalars(ws):
    st = store.open_store(ws)
    try:
        assert st.dialect.name in {"sqlite", "postgresql"}
        groups = st.query("SELECT code, name FROM groups ORDER BY seq")
        assert groups and set(groups[0]) == {"code", "name"}
        assert st.scalar("SELECT count(*) FROM groups") == len(groups)
        assert st.scalar("SELECT code FROM groups WHERE code = ?", ("no such",)) is None
    finally:
        st.close()


def test_write_commits_together_and_a_failing_unit_is_undone_alone(ws):
    st = store.open_store(ws)
    try:
        with st.write():
            store.set_meta(st, "probe_a", "1")
        assert st.scalar("SELECT value FROM meta WHERE key = 'probe_a'") == "1"
        with store.Batch(st) as batch:
            batch.begin()
            with st.write():
                store.set_meta(st, "probe_b", "kept")
            with pytest.raises(RuntimeError), st.write():
                store.set_meta(st, "probe_c", "undone")
                raise RuntimeError("this unit fails")
            batch.done()
        assert not st.in_transaction
        assert st.query("SELECT key, value FROM meta WHERE key IN ('probe_b', 'probe_c')") \
            == [{"key": "probe_b", "value": "kept"}]
        with pytest.raises(RuntimeError), st.write():
            store.set_meta(st, "probe_d", "undone")
            raise RuntimeError("the whole transaction fails")
        assert st.scalar("SELECT count(*) FROM meta WHERE key = 'probe_d'") == 0
    finally:
        st.close()


def test_read_closes_the_store(ws):
    with store.open_store(ws).read() as st:
        assert st.scalar("SELECT count(*) FROM plan_items") > 0
    with pytest.raises(store.db_errors()):
        st.scalar("SELECT 1")


def test_a_password_is_never_shown():
    assert store.mask("postgresql://fx:s3cret@db.example:5432/fujimi") \
        == "postgresql://fx:***@db.example:5432/fujimi"
    assert store.mask("postgresql://fx@db.example/fujimi") == "postgresql://fx@db.example/fujimi"
