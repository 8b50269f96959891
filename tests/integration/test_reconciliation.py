"""Reconciliation against a real hub: a grant ended where no stop could follow (the CLI)
and a stop the hub refused are both enforced at the next round.

A hub of its own whose periodic round is an hour apart (it runs once at start), so the
test decides when rounds happen: it runs the portal's own round function
(``enforcement.reconcile``) with hub tokens made by the admin: first one lacking
``delete:servers`` (the hub answers the stop with 403, as it would for a service token
missing the scope), then one with the portal's full service scopes. Between them nothing
is remembered: the second round finds the server again from the hub and the database.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from kimed_hub.access.grants import GrantsReader
from kimed_hub.data_grants import MOUNTS_STATE_KEY
from kimed_hub.portal_service import enforcement
from kimed_hub.portal_service.hub_api import HubServers
from kimed_hub.portal_service.wiring import SERVICE_SCOPES
from kimed_hub.testing import HubProcess, new_prefix
from tests.conftest import dump_diagnostics
from tests.integration.portal_helpers import DEMO_DATASET, data_probe, grant

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hub(singleuser_image, tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    (data / DEMO_DATASET).mkdir()
    (data / DEMO_DATASET / "README.txt").write_text("fictional")
    env = {"KIMED_DATA_DIR": str(data), "KIMED_PORTAL_EXPIRE_EVERY": "3600"}
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
    return HubServers(f"http://127.0.0.1:{hub.hub_port}/hub/api", made.json()["token"])


def kimed_cli(hub: HubProcess, *args: str) -> subprocess.CompletedProcess:
    """``kimed`` run as an operator would, against this hub's portal database."""
    return subprocess.run(
        [sys.executable, "-m", "kimed_hub.cli", *args],
        env=hub.environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_grant_closed_while_the_hub_refuses_the_stop_is_enforced_next_round(checked_hub):
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

    reader = GrantsReader(f"sqlite:///{hub.data_dir / 'portal' / 'catalogue.sqlite'}")
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
