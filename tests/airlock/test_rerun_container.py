"""The server-side re-run on the real container runtime: the request's notebook runs with
papermill in a fresh locked container (the single-user image, the policy's host config,
the requester's grant read-only at /data, no network, a fresh empty home), and reviewers
see per file whether the submitted output matches what the notebook regenerates.

The requester is on a non-default resource profile (cpu-large: their groups permit it and
their server last ran with it): the re-run's container gets that profile's limits, read
back from the runtime's inspect of the real container. One container run covers: a table
that matches, a table the researcher edited by hand
after the notebook wrote it (detected, naming the row and column), a file only in the
user's own home (missing: the re-run never sees that home), and the network the notebook
saw (only the loopback). A second run: a notebook that fails says in which cell and the
error's type, never a message or a value. A grant revoked after the request was made
stops the re-run before any container starts, with the reason shown to reviewers.
"""

from __future__ import annotations

import time

import nbformat
import pytest

from kimed_hub.access import AccessRequests, Actor
from kimed_hub.airlock import ExportRequests
from kimed_hub.airlock.rerun_container import ContainerRerun
from kimed_hub.airlock.rerun_plan import requester_profile
from kimed_hub.data_grants import granted_mounts
from kimed_hub.runtime import detect
from kimed_hub.testing import new_prefix, remove_containers

from .conftest import ALICE, JUSTIFICATION

pytestmark = pytest.mark.integration

DATASET = "ct-thorax-test"  # the grant fixture's dataset
COHORT = "age_group,sex\n" + "18-39,f\n" * 7 + "18-39,m\n" * 5 + "40-64,f\n" * 9 + "40-64,m\n" * 6
BY_AGE = "age_group,n\n18-39,12\n40-64,15\n"
BY_SEX = "sex,n\nf,16\nm,11\n"
CELLS = [
    "import os\nimport pandas as pd\n"
    f"cohort = pd.read_csv('/data/{DATASET}/cohort.csv')\nos.makedirs('out', exist_ok=True)",
    "cohort.groupby('age_group').size().rename('n').reset_index()"
    ".to_csv('out/by_age.csv', index=False)\n"
    "cohort.groupby('sex').size().rename('n').reset_index().to_csv('out/by_sex.csv', index=False)",
    "open('out/net.txt', 'w').write('\\n'.join(sorted(os.listdir('/sys/class/net'))) + '\\n')",
]


def notebook(cells: list[str]) -> str:
    """A notebook for the python-base kernel (as JupyterLab saves one)."""
    found = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    found.metadata["kernelspec"] = {"name": "python-base", "display_name": "Python 3 (base)"}
    return nbformat.writes(found)


@pytest.fixture
def rerun_airlock(singleuser_image, store, grant, home, tmp_path):
    """The airlock with a real ContainerRerun; alice's grant has data on this host."""
    datasets = tmp_path / "datasets"
    (datasets / DATASET).mkdir(parents=True)
    (datasets / DATASET / "cohort.csv").write_text(COHORT)
    prefix = new_prefix()

    def mounts_for(username: str):
        return granted_mounts(username, datasets, f"sqlite:///{tmp_path / 'portal.sqlite'}")

    def profile_for(username: str):
        # The hub's model of alice (GET /users/alice?include_stopped_servers): a
        # researcher whose server last ran with the larger CPU profile.
        hub_model = {
            "name": username,
            "groups": ["researchers"],
            "servers": {"": {"stopped": True, "user_options": {"profile": "cpu-large"}}},
        }
        return requester_profile(username, hub_model)

    runner = ContainerRerun(
        detect().base_url, singleuser_image, prefix, mounts_for, profile_for=profile_for
    )
    yield ExportRequests(store, tmp_path / "airlock", rerunner=runner)
    remove_containers(prefix, volumes=True)


def wait_for_rerun(airlock: ExportRequests, request_id: str, timeout: float = 420):
    """The request once the background re-run (started by submit) has recorded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = airlock.get(request_id)
        if all(f.rerun for f in found.outputs):
            return found
        time.sleep(2)
    raise AssertionError(f"no re-run result for {request_id} after {timeout} s")


def test_rerun_matches_detects_edits_and_never_reads_the_home(rerun_airlock, reader, home):
    (home / "analysis.ipynb").write_text(notebook(CELLS))
    (home / "out" / "by_age.csv").write_text(BY_AGE)  # as the notebook wrote it
    (home / "out" / "by_sex.csv").write_text(BY_SEX.replace("m,11", "m,12"))  # edited by hand
    (home / "out" / "notes.csv").write_text("a,b\n1,2\n")  # only in the user's home
    (home / "out" / "net.txt").write_text("lo\n")
    files = ["out/by_age.csv", "out/by_sex.csv", "out/notes.csv", "out/net.txt"]
    created = rerun_airlock.create(ALICE, reader, files, JUSTIFICATION, notebook="analysis.ipynb")
    rerun_airlock.submit(created.request_id, ALICE)
    found = wait_for_rerun(rerun_airlock, created.request_id)
    results = {f.name: dict(f.rerun) for f in found.outputs}
    environments = [result.pop("environment") for result in results.values()]
    environment = environments[0]
    assert all(e == environment for e in environments)  # one container for all outputs
    assert results["out/by_age.csv"] == {"match": True, "how": "sha256", "detail": "identical"}
    assert results["out/by_sex.csv"] == {
        "match": False, "how": "table", "detail": "differs at row 2, column n"
    }  # fmt: skip
    assert results["out/notes.csv"]["match"] is False
    assert results["out/notes.csv"]["how"] == "missing"
    assert results["out/net.txt"]["match"] is True  # the notebook saw only the loopback
    entry = rerun_airlock.history(created.request_id)[-1]
    assert entry.action == "airlock.rerun" and entry.details["match"]["out/by_age.csv"] is True
    # The container, as the runtime inspected it: cpu-large's limits, not the default's.
    assert entry.details["environment"] == {
        "profile": "cpu-large",
        "image": rerun_airlock.rerunner.images["cpu"],
        "memory": 12 * 1024**3,
        "cpus": 2.0,
        "pids": 1024,
        "gpus": [],
        "datasets": [f"/data/{DATASET}"],
    }
    assert environment == entry.details["environment"]  # reviewers see the same


def test_failing_notebook_says_which_cell_and_error_type(rerun_airlock, reader, home):
    broken = [CELLS[0], "cohort['no_such_column']"]
    (home / "analysis.ipynb").write_text(notebook(broken))
    created = rerun_airlock.create(
        ALICE, reader, ["out/table.csv"], JUSTIFICATION, notebook="analysis.ipynb"
    )
    rerun_airlock.submit(created.request_id, ALICE)
    found = wait_for_rerun(rerun_airlock, created.request_id)
    assert found.outputs[0].rerun.pop("environment")["profile"] == "cpu-large"
    assert found.outputs[0].rerun == {
        "match": False, "how": "missing", "detail": "the notebook failed: cell 2 raised KeyError"
    }  # fmt: skip


def test_revoked_grant_stops_the_rerun_with_a_reason(rerun_airlock, reader, home, grant):
    (home / "analysis.ipynb").write_text(notebook(CELLS))
    (home / "out" / "by_age.csv").write_text(BY_AGE)
    created = rerun_airlock.create(
        ALICE, reader, ["out/by_age.csv"], JUSTIFICATION, notebook="analysis.ipynb"
    )  # made while alice's grant was ACTIVE
    AccessRequests(rerun_airlock.store).revoke(grant, Actor.of("sven", "steward"), "audit")
    rerun_airlock.submit(created.request_id, ALICE)
    found = wait_for_rerun(rerun_airlock, created.request_id, timeout=60)
    result = found.outputs[0].rerun
    assert result["match"] is False and result["how"] == "missing"
    assert result["detail"] == (
        f"not re-run: alice no longer holds the data the notebook reads: {DATASET} (no "
        f"ACTIVE grant now: {grant} is REVOKED). The re-run runs with the grants in force "
        "now, so it was not started."
    )
    assert "environment" not in result  # no container was made
