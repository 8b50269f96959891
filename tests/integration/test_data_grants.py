"""Grants drive the spawner: an ACTIVE access grant mounts its dataset read-only at
/data/<dataset> at the next spawn; after revocation the next spawn has no such mount.
Synthetic versions are mounted for everyone who may read the catalogue, without a grant.

The grant goes through the portal's real access workflow (researcher applies, steward
checks, committee approves, steward activates) on a real SQLite database that the hub
reads at each spawn.
"""

from __future__ import annotations

import json

import pytest

from kimed_hub.access import AccessRequests, Actor, State
from kimed_hub.catalogue import CatalogueStore
from tests.integration.portal_helpers import data_probe
from tests.portal.samples import application, dataset, synthetic

pytestmark = pytest.mark.integration

DATASET = "ct-thorax-test"
SYNTHETIC = f"{DATASET}-synth"
PROBE = data_probe(DATASET)


@pytest.fixture
def portal(tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.sqlite'}"
    store = CatalogueStore(url)
    store.put_dataset(dataset(DATASET), actor="steward")
    store.put_dataset(synthetic(dataset(DATASET)), actor="steward")
    yield url, AccessRequests(store)
    store.close()


def grant(requests_: AccessRequests) -> str:
    """The whole journey to ACTIVE, each step by the role that may take it."""
    researcher = Actor.of("researcher", "applicant")
    steward, committee = Actor.of("steward", "steward"), Actor.of("committee", "committee")
    request = requests_.create(researcher, application("researcher", members=()))
    requests_.submit(request.request_id, researcher)
    requests_.start_check(request.request_id, steward)
    requests_.forward(request.request_id, steward)
    requests_.decide(request.request_id, committee, State.APPROVED, "approved")
    requests_.activate(request.request_id, steward)
    return request.request_id


def test_active_grant_mounts_read_only_and_revocation_removes_it(make_hub, portal, tmp_path):
    """Synthetic versions are open to all who read the catalogue; the source needs a grant."""
    url, requests_ = portal
    root = tmp_path / "data"
    for name, text in ((DATASET, "fictional CT thorax sample"), (SYNTHETIC, "synthetic")):
        (root / name).mkdir(parents=True)
        (root / name / "README.txt").write_text(text)
    hub = make_hub(extra_env={"KIMED_PORTAL_DB_URL": url, "KIMED_DATA_DIR": str(root)})
    hub.start()
    user = hub.login("researcher")

    user.spawn()
    assert json.loads(user.run_code(PROBE)) == {"listing": [SYNTHETIC]}  # no grant yet
    user.stop_server()

    request_id = grant(requests_)
    user.spawn()
    seen = json.loads(user.run_code(PROBE))
    assert seen["listing"] == [DATASET, SYNTHETIC]
    assert seen["content"] == "fictional CT thorax sample"
    assert seen["write"] in ("OSError", "PermissionError")  # read-only file system
    assert not (root / DATASET / "mine.txt").exists()
    user.stop_server()

    requests_.revoke(request_id, Actor.of("steward", "steward"), "consent withdrawn")
    user.spawn()
    assert json.loads(user.run_code(PROBE)) == {"listing": [SYNTHETIC]}
    user.stop_server()

    # The output checker's role cannot read the catalogue: no synthetic versions either.
    checker = hub.login("checker")
    checker.spawn()
    assert json.loads(checker.run_code(PROBE)) == {"listing": None}
    checker.stop_server()
