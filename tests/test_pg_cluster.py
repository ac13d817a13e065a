"""The throwaway PostgreSQL cluster the suite runs on (tests/pgcluster.py, conftest fixtures)."""

from __future__ import annotations

from urllib.parse import urlsplit

from .pgcluster import PW_USER


def test_each_test_gets_a_fresh_empty_database(pg_cluster, pg_url):
    db = urlsplit(pg_url).path.lstrip("/")
    assert pg_cluster.sql("SELECT current_database()", db) == db
    tables = pg_cluster.sql("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_schema = 'public'", db)
    assert tables == "0"


def test_a_copied_database_holds_what_the_original_held(pg_cluster, pg_url):
    db = urlsplit(pg_url).path.lstrip("/")
    pg_cluster.sql("CREATE TABLE t (x int); INSERT INTO t VALUES (7)", db)
    copy = pg_cluster.create_db(template=db)
    try:
        assert pg_cluster.sql("SELECT x FROM t", copy) == "7"
    finally:
        pg_cluster.drop_db(copy)


def test_the_password_role_needs_its_password(pg_cluster):
    assert pg_cluster.sql(f"SELECT rolcanlogin FROM pg_roles WHERE rolname = '{PW_USER}'") == "t"
    hba = (pg_cluster.data / "pg_hba.conf").read_text()
    assert f"host all {PW_USER} 127.0.0.1/32 scram-sha-256" in hba
