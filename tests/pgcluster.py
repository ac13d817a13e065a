"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, started on a free
port of 127.0.0.1 with fsync off, one fresh database per test, removed at the end.

As root the server binaries refuse to run, so initdb and pg_ctl run as the ``postgres`` user
(``runuser -u postgres``) and the folder belongs to it; as any other user they run directly.
Databases are made and dropped with ``psql`` (no Python driver needed here).

Two roles: ``fx`` (superuser, trusted without a password from 127.0.0.1) for the tests, and
``fx_pw`` (password ``fx_secret``, checked with scram-sha-256) for the wrong-password test.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "fx"
PW_USER = "fx_pw"
PW_PASSWORD = "fx_secret"


def bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine (Debian layout first, then PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One PostgreSQL server for the test session."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="fujimi-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.host = "127.0.0.1"
        self._names = itertools.count(1)
        self.running = False

    # -- running the server's programs ----------------------------------------------------
    def _server_cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", "postgres", "--", *cmd] if self.as_root else cmd

    def _run(self, cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, check=True, capture_output=True, text=True,
                              timeout=120, **kw)  # type: ignore[call-overload]

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o700)
        self._run(self._server_cmd("initdb", "-D", str(self.data), "-U", USER,
                                   "--auth=trust", "-E", "UTF8", "--locale=C"))
        hba = self.data / "pg_hba.conf"
        # the password role is checked first; everything else is trusted (a throwaway server)
        hba.write_text(f"local all all trust\nhost all {PW_USER} 127.0.0.1/32 scram-sha-256\n"
                       "host all all 127.0.0.1/32 trust\n")
        if self.as_root:
            shutil.chown(hba, "postgres", "postgres")
        self._run(self._server_cmd(
            "pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o",
            f"-c listen_addresses={self.host} -p {self.port} -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "-w", "start"))
        self.running = True
        self.sql(f"CREATE ROLE {PW_USER} LOGIN PASSWORD '{PW_PASSWORD}'")

    def stop(self) -> None:
        if self.running:
            subprocess.run(self._server_cmd("pg_ctl", "-D", str(self.data), "-m", "immediate",
                                            "-w", "stop"), capture_output=True, timeout=60)
            self.running = False

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- databases --------------------------------------------------------------------------
    def sql(self, statement: str, db: str = "postgres") -> str:
        """Run one statement with psql as the superuser; its output (unaligned, tuples only)."""
        out = self._run([str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                         "-h", self.host, "-p", str(self.port), "-U", USER, "-d", db,
                         "-c", statement])
        return out.stdout.strip()

    def url(self, db: str, user: str = USER, password: str | None = None) -> str:
        auth = f"{user}:{password}" if password is not None else user
        return f"postgresql://{auth}@{self.host}:{self.port}/{db}"

    def new_name(self, prefix: str = "t") -> str:
        return f"{prefix}_{os.getpid()}_{next(self._names)}"

    def create_db(self, name: str | None = None, template: str | None = None) -> str:
        """A fresh database (a copy of ``template`` when given); its name."""
        name = name or self.new_name()
        tpl = f" TEMPLATE {template}" if template else ""
        if template:  # a copy needs the template to itself: a connection some earlier part
            # of the session kept (a server's thread, a helper's cached one) is cut
            self.sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     f"WHERE datname = '{template}' AND pid <> pg_backend_pid()")
        self.sql(f"CREATE DATABASE {name}{tpl}")
        return name

    def drop_db(self, name: str) -> None:
        self.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def replace_db(self, name: str, template: str) -> None:
        """Make ``name`` an exact copy of ``template`` (which nobody may be connected to)."""
        self.drop_db(name)
        self.create_db(name, template=template)
