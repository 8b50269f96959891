"""Grants end at once: revocation and expiry stop the servers that hold the mount.

A hub of its own, because the mounts need a dataset folder (``KIMED_DATA_DIR``) and the
expiry run a short period (``KIMED_PORTAL_EXPIRE_EVERY``). Every step goes through the
portal's REST API with real logins: the researcher applies, the steward checks, the
committee approves, the steward activates; the researcher's server shows the dataset
read-only; revoking (steward) or reaching the end date (the portal's periodic run)
stops that server, and the next spawn has no /data mount.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from kimed_hub.testing import HubProcess, new_prefix, remove_containers
from tests.conftest import dump_diagnostics
from tests.integration.portal_helpers import (
    DEMO_DATASET,
    act,
    apply,
    data_probe,
    grant,
    ok,
    portal,
)

pytestmark = pytest.mark.integration

#: The same probe as the spawner's grant test, pointed at the demo dataset.
PROBE = data_probe(DEMO_DATASET)
#: How long the portal may take to stop a server after the grant ended.
STOP_BOUND_S = 30


@pytest.fixture(scope="module")
def grants_hub(singleuser_image, tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    (data / DEMO_DATASET).mkdir()
    (data / DEMO_DATASET / "README.txt").write_text("fictional")
    env = {"KIMED_DATA_DIR": str(data), "KIMED_PORTAL_EXPIRE_EVERY": "2"}
    hub = HubProcess(tmp_path_factory.mktemp("grants-hub"), new_prefix(), extra_env=env)
    hub.start()
    yield hub
    hub.stop()
    remove_containers(hub.prefix, volumes=True)


@pytest.fixture
def grants(request, grants_hub):
    yield grants_hub
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        dump_diagnostics(grants_hub)


@pytest.fixture(scope="module")
def people(grants_hub):
    return {role: grants_hub.login(role) for role in ("researcher", "steward", "committee")}


def wait_stopped(user) -> float:
    """Seconds until the hub reports no server for ``user`` (fails past the bound)."""
    started = time.monotonic()
    while user.server_state():
        assert time.monotonic() - started < STOP_BOUND_S, "server still running"
        time.sleep(0.5)
    return time.monotonic() - started


def test_revocation_stops_the_server_and_the_next_spawn_has_no_data(grants, people):
    researcher, steward, committee = people["researcher"], people["steward"], people["committee"]
    request_id = grant(researcher, steward, committee)
    researcher.spawn()
    seen = json.loads(researcher.run_code(PROBE))
    assert seen["listing"] == [DEMO_DATASET] and seen["write"] in ("OSError", "PermissionError")

    revoked = act(steward, request_id, "revoke", comment="consent withdrawn")
    assert revoked["state"] == "REVOKED" and revoked["stopped_servers"] == ["researcher/"]
    print(f"\nserver gone {wait_stopped(researcher):.1f} s after the revocation's answer")
    assert f"stopped server '' of researcher: holds {DEMO_DATASET} without an ACTIVE grant" in (
        grants.log_tail(400)
    )

    researcher.spawn()
    assert json.loads(researcher.run_code(PROBE)) == {"listing": None}
    researcher.stop_server()


def test_expiry_stops_the_server(grants, people):
    researcher, steward, committee = people["researcher"], people["steward"], people["committee"]
    end = datetime.now(UTC) + timedelta(seconds=40)
    request_id = grant(researcher, steward, committee, valid_until=end.isoformat())
    researcher.spawn()
    assert json.loads(researcher.run_code(PROBE))["listing"] == [DEMO_DATASET]
    while datetime.now(UTC) < end:
        assert researcher.server_state(), "stopped before the grant's end"
        time.sleep(1)
    wait_stopped(researcher)
    found = ok(portal(researcher, "GET", f"requests/{request_id}"))
    assert found["state"] == "EXPIRED"
    history = ok(portal(researcher, "GET", f"requests/{request_id}/history"))["entries"]
    assert history[-1]["action"] == "request.expire" and history[-1]["actor"] == "system"


def test_a_steward_who_applies_cannot_check_their_own_request(grants, people):
    """A user holding both roles (the steward added to the researchers group by the
    hub API) may apply, but not take their own request into the formal check."""
    admin = grants.login("admin")
    added = admin.api("POST", "/groups/researchers/users", json={"users": ["steward"]})
    assert added.status_code == 200, added.text
    try:
        both = grants.login("steward")  # a new token: the portal caches a token's scopes
        assert {"applicant", "steward"} <= set(ok(portal(both, "GET", "me"))["roles"])
        request_id = apply(both)
        own = portal(both, "POST", f"requests/{request_id}/actions/start_check")
        assert own.status_code == 403 and own.json()["error"] == "conflict_of_interest"
        assert ok(portal(both, "GET", f"requests/{request_id}"))["state"] == "SUBMITTED"
        act(both, request_id, "withdraw", comment="test over")
    finally:
        admin.api("DELETE", "/groups/researchers/users", json={"users": ["steward"]})
