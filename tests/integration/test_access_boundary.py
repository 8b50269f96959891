"""The hub/portal boundary under a real hub: reconciliation (a grant ended where no stop
could follow, the CLI, and a stop the hub refused are both enforced at the next round);
the portal's database password, set in ``KIMED_PORTAL_DB_URL``, in no log and no command
line; the local login's throttle (wrong passwords lock the account, others unaffected).

A hub of its own, on the test PostgreSQL server with a password in the portal's URL
(the server trusts loopback, so the password is carried but not needed), whose periodic
round is an hour apart (it runs once at start), so the test decides when rounds happen:
it runs the portal's own round function (``enforcement.reconcile``) with hub tokens made
by the admin: first one lacking ``delete:servers`` (the hub answers the stop with 403, as
it would for a service token missing the scope), then one with the portal's full
service scopes. Between them nothing
is remembered: the second round finds the server again from the hub and the database.
Its policies are the shipped ones except ``sessions.yaml``'s ``local_login`` (THROTTLE):
short delays and lock-out so the throttle test takes seconds.
"""

from __future__ import annotations

import asyncio
import html
import json
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from kimed_hub.access.grants import GrantsReader
from kimed_hub.data_grants import MOUNTS_STATE_KEY
from kimed_hub.paths import policies_dir
from kimed_hub.portal_service import enforcement
from kimed_hub.portal_service.hub_api import HubServers
from kimed_hub.portal_service.wiring import SERVICE_SCOPES
from kimed_hub.testing import HubProcess, new_prefix
from tests.conftest import dump_diagnostics
from tests.integration.portal_helpers import DEMO_DATASET, data_probe, grant
from tests.portal.conftest import _admin, postgres_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.integration
#: The password the portal's URL carries; it must appear nowhere but in that variable.
PASSWORD = f"pw-{uuid.uuid4().hex}"
#: The test hub's login throttle: one free failure, short delays, locked after 4 for 6 s.
THROTTLE = {
    "free_failures": 1,
    "delay_seconds": 0.2,
    "max_delay_seconds": 0.5,
    "lockout_after": 4,
    "lockout_seconds": 6,
    "forget_after": 600,
}


def throttled_policies(folder):
    """The shipped policies with THROTTLE as ``local_login``."""
    shutil.copytree(policies_dir(), folder, dirs_exist_ok=True)
    sessions = yaml.safe_load((folder / "sessions.yaml").read_text())
    sessions["local_login"] = THROTTLE
    (folder / "sessions.yaml").write_text(yaml.safe_dump(sessions))
    return folder


@pytest.fixture(scope="module")
def portal_url(postgres_server):  # noqa: F811 (the fixture imported above)
    """A fresh PostgreSQL database; its URL with PASSWORD in it."""
    name = f"portal_{uuid.uuid4().hex[:12]}"
    with _admin(postgres_server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.replace("://kimed@", f"://kimed:{PASSWORD}@") + f"/{name}"
    with _admin(postgres_server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def hub(singleuser_image, portal_url, tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    (data / DEMO_DATASET).mkdir()
    (data / DEMO_DATASET / "README.txt").write_text("fictional")
    env = {
        "KIMED_DATA_DIR": str(data),
        "KIMED_PORTAL_EXPIRE_EVERY": "3600",
        "KIMED_PORTAL_DB_URL": portal_url,
        "KIMED_POLICIES_DIR": str(throttled_policies(tmp_path_factory.mktemp("policies"))),
    }
    with HubProcess(tmp_path_factory.mktemp("reconcile-hub"), new_prefix(), extra_env=env) as hub:
        yield hub.start()


@pytest.fixture
def checked_hub(request, hub):
    yield hub
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        dump_diagnostics(hub)


def hub_client(hub: HubProcess, admin, scopes: list[str]) -> HubServers:
    """A hub API client with a token of exactly ``scopes`` (made by the admin)."""
    made = admin.api(
        "POST", "/users/admin/tokens", json={"scopes": scopes, "note": "reconcile test"}
    )
    assert made.status_code == 201, made.text
    # A generous timeout: on a loaded machine the hub may take long to answer a stop (a
    # timeout would only count as one more failed round, which is not what is tested).
    api = f"http://127.0.0.1:{hub.hub_port}/hub/api"
    return HubServers(api, made.json()["token"], timeout=180)


def kimed_cli(hub: HubProcess, *args: str) -> subprocess.CompletedProcess:
    """``kimed`` run as an operator would, against this hub's portal database."""
    return subprocess.run(
        [sys.executable, "-m", "kimed_hub.cli", *args],
        env=hub.environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_grant_closed_while_the_hub_refuses_the_stop_is_enforced_next_round(
    checked_hub, portal_url
):
    hub = checked_hub
    researcher, steward, committee, admin = (
        hub.login(name) for name in ("researcher", "steward", "committee", "admin")
    )
    request_id = grant(researcher, steward, committee)
    researcher.spawn()
    assert json.loads(researcher.run_code(data_probe(DEMO_DATASET)))["listing"] == [DEMO_DATASET]
    state = admin.api("GET", "/users/researcher").json()["servers"][""]["state"]
    assert state[MOUNTS_STATE_KEY] == {DEMO_DATASET: f"grant {request_id}"}

    closed = kimed_cli(hub, "portal", "close", request_id, "--actor", "steward")
    assert closed.returncode == 0, closed.stderr
    assert "CLOSED" in closed.stdout and "next" in closed.stdout
    assert researcher.server_state().get("ready"), "the CLI has no hub token: nothing stopped"

    reader = GrantsReader(portal_url)
    try:
        refusing = hub_client(hub, admin, [s for s in SERVICE_SCOPES if s != "delete:servers"])
        first = asyncio.run(enforcement.reconcile(refusing, reader))
        assert first.failed == ["researcher/"] and first.stopped == []
        assert researcher.server_state().get("ready"), "the refused stop stopped nothing"

        portal_like = hub_client(hub, admin, SERVICE_SCOPES)
        second = asyncio.run(enforcement.reconcile(portal_like, reader))
        assert second.stopped == ["researcher/"] and second.failed == []
    finally:
        reader.close()
    researcher.stop_server()  # waits until the hub reports it gone
    assert researcher.server_state() == {}


def _every_command_line() -> str:
    """Every process's full command line, read from /proc.

    Not `ps -eo args`: with its output piped, ps cuts each line at 80 columns, so a
    long interpreter path hid the service (CI failed on that) and could hide a secret.
    """
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:  # the process ended while we listed
            continue
    return "\n".join(lines)


def test_the_database_password_is_in_no_log_and_no_command_line(checked_hub):
    """After the test above (logins, a spawn, workflow actions, the CLI, refused stops),
    the hub's log (with the portal's, which the hub collects) and every process's command
    line are searched for the password; the user container's environment too."""
    hub = checked_hub
    researcher = hub.login("researcher")
    researcher.spawn()
    try:
        assert PASSWORD not in hub.log_path.read_text(errors="replace")
        command_lines = _every_command_line()
        assert "kimed_hub.portal_service" in command_lines  # the service runs, and
        assert PASSWORD not in command_lines  # its command line has no secret
        found = subprocess.run(
            ["podman", "ps", "-q", "--filter", f"name=^{hub.prefix}-researcher"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert len(found) == 1, found
        inspected = subprocess.run(
            ["podman", "inspect", "--format", "{{json .Config.Env}}", found[0]],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "JUPYTERHUB_API_TOKEN" in inspected and PASSWORD not in inspected
    finally:
        researcher.stop_server()


def login_attempt(hub: HubProcess, username: str, password: str) -> requests.Response:
    """One login through the hub's form, as a browser sends it."""
    session = requests.Session()
    session.get(f"{hub.url}/hub/login", timeout=10)
    return session.post(
        f"{hub.url}/hub/login?next=",
        data={"username": username, "password": password, "_xsrf": session.cookies["_xsrf"]},
        allow_redirects=False,
        timeout=30,
    )


def test_wrong_passwords_lock_the_account_and_no_one_else(checked_hub):
    hub, right = checked_hub, checked_hub.password("auditor")
    for _ in range(THROTTLE["lockout_after"]):
        wrong = login_attempt(hub, "auditor", "not-the-password")
        assert wrong.status_code != 302 and "Invalid username or password" in wrong.text
    locked = login_attempt(hub, "auditor", right)
    page = html.unescape(locked.text)
    assert locked.status_code == 429, page
    assert "The account 'auditor' is locked after 4 failed logins in a row" in page
    assert "Try again after" in page and "Invalid username" not in page
    assert login_attempt(hub, "checker", hub.password("checker")).status_code == 302
    log = hub.log_tail(400)
    assert "local account 'auditor' locked for 6 s" in log
    assert "local login for 'auditor' refused (throttled)" in log
    time.sleep(THROTTLE["lockout_seconds"] + 0.5)
    assert login_attempt(hub, "auditor", right).status_code == 302  # the lock ran out


# Last in this module: it kills the hub.
def test_after_a_hub_crash_a_running_server_keeps_its_port_and_record(checked_hub):
    """A crash (SIGKILL: a clean stop would stop every server) with a server running: the
    restarted hub hands the saved state to the spawner (``load_state``), which claims the
    server's host port (and GPUs, tests/unit/test_spawner_profiles.py) again."""
    hub = checked_hub
    researcher, admin = hub.login("researcher"), hub.login("admin")
    researcher.spawn()
    state = admin.api("GET", "/users/researcher").json()["servers"][""]["state"]
    port = state["kimed_host_port"]
    hub.process.send_signal(signal.SIGKILL)
    hub.process.wait()
    hub.start()
    assert f"researcher/ holds GPUs [] and host port {port} (from its saved state)" in (
        hub.log_tail(400)
    )
    researcher = hub.login("researcher")
    assert researcher.server_state().get("ready")
    assert researcher.run_code("print(6 * 7)").strip() == "42"
    researcher.stop_server()
