"""Portal fixtures: stores on SQLite and on a real, throwaway PostgreSQL 15 server.

The PostgreSQL fixture installs nothing: it uses Debian's ``postgresql-15`` binaries
(``apt-get install postgresql``; the test set-up does that) to create a cluster in a
temporary folder, owned by ``nobody`` when the tests run as root (PostgreSQL refuses to
run as root), listening on 127.0.0.1 on a free port with trust authentication, and
removes it after the session. If the binaries are missing the tests fail with the
install command rather than skip, so a run can never pass by not testing PostgreSQL.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest

from kimed_hub.access.requests import AccessRequests
from kimed_hub.catalogue.store import CatalogueStore

PG_BIN = Path("/usr/lib/postgresql/15/bin")
BACKENDS = ["sqlite", "postgresql"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(cmd: list[str], runner: list[str]) -> None:
    done = subprocess.run(runner + cmd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL 15 server for this test session; yields its base URL (no database)."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail(
            f"{PG_BIN}/initdb missing: install the server with `apt-get install postgresql`"
        )
    workdir = Path(tempfile.mkdtemp(prefix="kimed-pg-"))
    runner: list[str] = []
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(workdir, nobody.pw_uid, nobody.pw_gid)
        runner = ["runuser", "-u", "nobody", "--"]
    data, port = workdir / "data", _free_port()
    _run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "kimed", "--auth=trust",
          "-E", "UTF8", "--locale=C.UTF-8"], runner)  # fmt: skip
    options = (
        f"-h 127.0.0.1 -p {port} -k {workdir} -c fsync=off -c full_page_writes=off "
        "-c synchronous_commit=off"  # throwaway data: durability costs test time only
    )
    _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(workdir / "log"), "-w",
          "-o", options, "start"], runner)  # fmt: skip
    try:
        yield f"postgresql+psycopg://kimed@127.0.0.1:{port}"
    finally:
        _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], runner)
        shutil.rmtree(workdir, ignore_errors=True)


def _admin(server_url: str) -> psycopg.Connection:
    dsn = server_url.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    return psycopg.connect(dsn, autocommit=True)


def new_database_url(request, backend: str, tmp_path: Path) -> str:
    """A fresh, empty database of ``backend``; dropped after the test (PostgreSQL)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'portal-{uuid.uuid4().hex[:8]}.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    name = f"portal_{uuid.uuid4().hex[:12]}"
    with _admin(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with _admin(server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    request.addfinalizer(drop)
    return f"{server}/{name}"


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """An empty catalogue store, once on SQLite and once on PostgreSQL."""
    found = CatalogueStore(new_database_url(request, request.param, tmp_path))
    yield found
    found.close()


@pytest.fixture
def requests_(store):
    """The access-request service on ``store``."""
    return AccessRequests(store)
