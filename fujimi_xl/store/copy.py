"""Copying a master from SQLite into an empty PostgreSQL database (``fujimi-xl migrate``):
every table, every row, ids kept, the id sequences moved past the copied ids, the big tables
with ``COPY``, all in the target's one write transaction (a failure leaves it empty)."""

from __future__ import annotations

from fujimi_xl.core.errors import WorkspaceFault
from fujimi_xl.store import migrations
from fujimi_xl.store.engine import Store


def source_tables(src: Store) -> list[str]:
    """The SQLite master's tables."""
    return [r["name"] for r in src.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]


def target_tables(dst: Store) -> list[str]:
    """The PostgreSQL database's tables in its current schema (empty for an empty database)."""
    return [r["table_name"] for r in dst.query(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
        "ORDER BY table_name")]


def _columns(st: Store, table: str) -> list[str]:
    cur = st.execute(f"SELECT * FROM {table} WHERE 1 = 0")
    return [d[0] for d in cur.description or ()]


def _parents_first(dst: Store, tables: list[str]) -> list[str]:
    """``tables`` ordered so that a table comes after every table its foreign keys name."""
    edges = dst.query(
        "SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent "
        "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE c.contype = 'f' AND n.nspname = current_schema()")
    parents: dict[str, set[str]] = {t: set() for t in tables}
    for e in edges:
        if e["child"] in parents and e["parent"] in parents and e["child"] != e["parent"]:
            parents[e["child"]].add(e["parent"])
    ordered: list[str] = []
    while parents:
        ready = sorted(t for t, ps in parents.items() if not ps - set(ordered))
        if not ready:  # a cycle: keep the rest in name order (the FK check then tells)
            ready = sorted(parents)
        for t in ready:
            ordered.append(t)
            del parents[t]
    return ordered


def _identity_columns(dst: Store) -> list[tuple[str, str]]:
    return [(r["table_name"], r["column_name"]) for r in dst.query(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND (is_identity = 'YES' "
        "OR column_default LIKE 'nextval(%')")]


def copy_master(src: Store, dst: Store, meta: dict[str, str] | None = None) -> dict[str, int]:
    """Copy the SQLite master ``src`` into the empty PostgreSQL database ``dst``: the schema
    made by the migrations, then every row of every table the two share, then ``meta``'s
    entries (which workspace the master belongs to). Returns table -> rows copied. One
    transaction: on any error nothing stays in ``dst``."""
    counts: dict[str, int] = {}
    with dst.write():
        migrations.upgrade(dst, create=True)
        have = set(target_tables(dst))
        tables = _parents_first(dst, [t for t in source_tables(src) if t in have])
        for table in tables:
            src_cols = _columns(src, table)
            dst_cols = set(_columns(dst, table))
            cols = [c for c in src_cols if c in dst_cols]
            names = ", ".join(cols)
            rows = src.execute(f"SELECT {names} FROM {table}").fetchall()
            if table == "meta":  # the new schema wrote its own version rows: the source's win
                for row in rows:
                    values = dict(zip(cols, row, strict=True))
                    dst.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                                "DO UPDATE SET value = excluded.value",
                                (values["key"], values["value"]))
            else:
                dst.bulk_insert(table, cols, (tuple(r) for r in rows))
            counts[table] = len(rows)
        for key, value in (meta or {}).items():
            dst.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
        for table, column in _identity_columns(dst):
            dst.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"COALESCE((SELECT max({column}) FROM {table}), 0) + 1, false)")
        # counted again in the target before the commit: a difference undoes everything
        copied = row_counts(dst, [t for t in tables if t != "meta"])
        for table, n in copied.items():
            if n != counts[table]:
                raise WorkspaceFault(code="migrate_count_mismatch", table=table,
                                     src=counts[table], dst=n, where=dst.where)
    return counts


def row_counts(st: Store, tables: list[str]) -> dict[str, int]:
    """Rows per table (migrate compares source and target with these)."""
    return {t: int(st.scalar(f"SELECT count(*) FROM {t}")) for t in tables}
