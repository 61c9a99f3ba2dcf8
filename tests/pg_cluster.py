"""A throw-away PostgreSQL cluster for the store's tests: Debian's server, a
temporary directory, an unprivileged user, a Unix socket only (no TCP port
to collide with other test sessions), stopped and removed at the end.

One cluster a session; each test gets a schema of its own (`fresh()`), which
is made in milliseconds where a database takes a second.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

# Debian puts the server's programs beside its version, not on PATH.
_BIN_GLOB = "/usr/lib/postgresql/*/bin"
USER = "hotline"


def _bin(program: str) -> str:
    dirs = sorted(glob.glob(_BIN_GLOB), key=lambda d: int(d.split("/")[-2]))
    for d in reversed(dirs):
        if os.access(f"{d}/{program}", os.X_OK):
            return f"{d}/{program}"
    raise RuntimeError(
        f"PostgreSQL's {program} is not installed (Debian package postgresql): ./hotline test installs it"
    )


class Cluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        self.data = self.root / "data"
        self._schemas = itertools.count(1)
        # initdb refuses to run as root: the cluster belongs to Debian's postgres user then.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)

    def start(self) -> None:
        run = [*self._as, _bin("initdb"), "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8"]
        subprocess.run([*run, "--no-sync", "--locale=C.UTF-8"], check=True, capture_output=True)
        # Durability is the server's business in production; a test cluster skips fsyncs.
        options = f"-c listen_addresses='' -k {self.root}"
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            [
                *self._as,
                _bin("pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.root / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        import psycopg

        with psycopg.connect(self.url().replace(f"/{USER}?", "/postgres?"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {USER}")

    def url(self, schema: str | None = None) -> str:
        base = f"postgresql://{USER}@/{USER}?host={quote(str(self.root))}"
        return base + (f"&options={quote(f'-csearch_path={schema}')}" if schema else "")

    def fresh(self) -> str:
        """A new empty schema's URL: one test's records."""
        import psycopg

        name = f"t{next(self._schemas)}"
        with psycopg.connect(self.url("public"), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [*self._as, _bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(self.root, ignore_errors=True)
