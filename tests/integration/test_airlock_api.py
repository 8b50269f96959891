"""The airlock over HTTP through the real hub and proxy: export requests from a real home
volume, refusals (bad input: 4xx and nothing stored; self-review, a checker from the
requester's project, a vote twice, a single review), blinded reviews, download by the
requester only, and the checker's portal access (airlock only, no catalogue).

The home is the user's real podman volume, written from the host as the container user
would have; no user server is started (the airlock reads the volume, not the server).
"""

from __future__ import annotations

import html
import json
import os
import re
import time

import pytest
import requests

from kimed_hub.runtime import runtime_client
from kimed_hub.testing import HubProcess, new_prefix
from tests.integration.portal_helpers import act, apply, ok, policies_with_accounts, portal

pytestmark = pytest.mark.integration

TABLE_SMALL = "age_group,sex,n\n18-39,f,25\n18-39,m,3\n40-64,f,42\n40-64,m,38\n"
TABLE_FIXED = "age_group,n\n18-39,28\n40-64,80\n"
WHY = "Table 2 of the paper: counts by age group and sex, for the journal."
EXTRA = [  # a second checker and a colleague on the researcher's project
    {"username": "checker2", "groups": ["output-checkers"], "description": "2nd checker"},
    {"username": "colleague", "groups": ["researchers"], "description": "team member"},
    {"username": "teamchecker", "groups": ["output-checkers"], "description": "on the team"},
]


@pytest.fixture(scope="module")
def airlock_hub(tmp_path_factory):
    policies = policies_with_accounts(tmp_path_factory.mktemp("policies"), EXTRA)
    hub = HubProcess(
        tmp_path_factory.mktemp("airlock-hub"),
        new_prefix(),
        extra_env={"KIMED_POLICIES_DIR": str(policies)},
    )
    with hub.start():
        yield hub


@pytest.fixture(scope="module")
def users(airlock_hub):
    names = ["researcher", "colleague", "steward", "committee", "checker", "checker2"]
    return {n: airlock_hub.login(n) for n in [*names, "teamchecker", "trainee"]}


@pytest.fixture(scope="module")
def home(airlock_hub, users):
    """The researcher's home volume with a table, a figure and a link to a host file; an
    ACTIVE grant whose team is researcher, colleague and teamchecker."""
    request_id = apply(users["researcher"], members=("colleague", "teamchecker"))
    act(users["steward"], request_id, "start_check")
    act(users["steward"], request_id, "forward", comment="complete")
    act(users["committee"], request_id, "decide", decision="APPROVED", comment="sound")
    act(users["steward"], request_id, "activate")
    volume = runtime_client().create_volume(f"{airlock_hub.prefix}-home-researcher")
    root = volume["Mountpoint"]
    os.makedirs(f"{root}/out", exist_ok=True)
    with open(f"{root}/out/table.csv", "w") as out:
        out.write(TABLE_SMALL)
    with open(f"{root}/out/figure.png", "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    os.symlink("/etc/shadow", f"{root}/out/shadow.csv")
    return root


def snapshots(hub: HubProcess) -> list[str]:
    folder = hub.data_dir / "airlock" / "snapshots"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"files": ["out/run.sh"], "justification": WHY}, 400, "may not leave"),
        ({"files": ["out/table.csv"], "justification": " "}, 400, "justification"),
        ({"files": ["out/shadow.csv"], "justification": WHY}, 400, "symbolic link"),
        ({"files": ["../../etc/passwd.csv"], "justification": WHY}, 400, "relative"),
        ({"files": ["out/table.csv"]}, 400, "Missing field"),
    ],
    ids=["unknown-type", "empty-justification", "symlink-out", "dotdot", "no-justification"],
)
def test_bad_input_is_a_4xx_and_nothing_is_stored(airlock_hub, users, home, body, status, words):
    before = snapshots(airlock_hub)
    response = portal(users["researcher"], "POST", "airlock/requests", json=body)
    assert response.status_code == status and words in response.json()["message"], response.text
    assert snapshots(airlock_hub) == before
    assert ok(portal(users["researcher"], "GET", "airlock/requests"))["requests"] == []


def test_new_request_page_preselects_files_and_says_what_is_wrong(airlock_hub, users, home):
    """What JupyterLab's "Request release…" opens: airlock/new?file=...: each file the
    request would accept is ticked (a notebook becomes the request's notebook); every
    other one is named with what is wrong; nothing is stored."""
    with open(f"{home}/prep.ipynb", "w") as out:
        json.dump(NOTEBOOK, out)
    with open(f"{home}/out/run.sh", "w") as out:
        out.write("echo hi\n")
    asked = ["out/table.csv", "out/figure.png", "prep.ipynb", "out/shadow.csv",
             "../../etc/passwd.csv", "out/missing.csv", "out/run.sh"]  # fmt: skip
    before = snapshots(airlock_hub)
    page = requests.get(
        f"{airlock_hub.url}/services/portal/airlock/new",
        params=[("file", name) for name in asked],
        headers={"Authorization": f"token {users['researcher'].token}"},
        allow_redirects=False,
        timeout=180,  # a busy runtime answers the home lookup slowly
    )
    assert page.status_code == 400, page.text[:500]
    ticked = re.findall(r'name="files" value="([^"]+)"\s*checked', page.text)
    assert sorted(ticked) == ["out/figure.png", "out/table.csv"]
    assert 'id="notebook" name="notebook" value="prep.ipynb"' in page.text
    problems = [
        html.unescape(p) for p in re.findall(r'class="preselect-problem">([^<]*)<', page.text)
    ]
    assert len(problems) == 4, problems
    for words in ("symbolic link", "relative to your home", "does not exist", "may not leave"):
        assert any(words in problem for problem in problems), (words, problems)
    assert snapshots(airlock_hub) == before
    clean = requests.get(
        f"{airlock_hub.url}/services/portal/airlock/new?file=out/table.csv",
        headers={"Authorization": f"token {users['researcher'].token}"},
        allow_redirects=False,
        timeout=180,  # a busy runtime answers the home lookup slowly
    )
    assert clean.status_code == 200 and "preselect-problem" not in clean.text


def test_journey_checks_refusals_resubmission_release_download(airlock_hub, users, home):
    researcher, checker, checker2 = users["researcher"], users["checker"], users["checker2"]
    files = ["out/table.csv", "out/figure.png"]
    created = ok(
        portal(researcher, "POST", "airlock/requests",
               json={"files": files, "justification": WHY, "submit": True}),
        201,
    )  # fmt: skip
    request_id = created["id"]
    assert created["state"] == "IN_REVIEW"
    table = created["file_details"][0]
    assert table["check_status"] == "fail"
    assert table["findings"][0]["rule"] == "threshold"
    assert table["findings"][0]["cells"] == [{"row": "18-39 / m", "column": "n"}]
    assert "3" not in str(table["findings"]).replace("18-39", "")

    votes = {"out/table.csv": {"vote": "request_changes", "reason": "suppress 18-39 m"},
             "out/figure.png": "approve"}  # fmt: skip
    path = f"airlock/requests/{request_id}/reviews"
    for who in ("researcher", "colleague"):  # the requester and their project
        assert portal(users[who], "POST", path, json={"votes": votes}).status_code == 403
    refused = portal(users["teamchecker"], "POST", path, json={"votes": votes})
    assert refused.status_code == 403 and refused.json()["error"] == "conflict_of_interest"
    one = ok(portal(checker, "POST", path, json={"votes": votes}))
    assert one["state"] == "IN_REVIEW"  # a single review decides nothing
    assert portal(checker, "POST", path, json={"votes": votes}).status_code == 409  # twice
    blinded = ok(portal(checker2, "GET", f"airlock/requests/{request_id}"))
    assert blinded["reviews"] == [] and blinded["reviews_in"] == 1
    returned = ok(portal(checker2, "POST", path, json={"votes": votes}))
    assert returned["state"] == "CHANGES_REQUESTED"

    with open(f"{home}/out/table.csv", "w") as out:
        out.write(TABLE_FIXED)
    again = ok(portal(researcher, "POST", f"airlock/requests/{request_id}/actions/resubmit"), 201)
    new_id = again["id"]
    assert again["predecessor"] == request_id and again["file_details"][0]["check_status"] == "pass"
    approve = {"out/table.csv": "approve", "out/figure.png": "approve"}
    ok(portal(checker, "POST", f"airlock/requests/{new_id}/reviews", json={"votes": approve}))
    done = ok(
        portal(checker2, "POST", f"airlock/requests/{new_id}/reviews", json={"votes": approve})
    )
    assert done["state"] == "RELEASED"

    download = f"airlock/requests/{new_id}/download?file=0"
    got = portal(researcher, "GET", download)
    assert got.status_code == 200 and got.content.decode() == TABLE_FIXED
    for other in ("colleague", "checker", "trainee"):  # a third user: 404, like no file
        assert portal(users[other], "GET", download).status_code == 404


def test_checker_has_the_airlock_but_not_the_catalogue(airlock_hub, users):
    checker = users["checker"]
    assert ok(portal(checker, "GET", "airlock/requests?queue=1"))["requests"] is not None
    assert portal(checker, "GET", "datasets?q=lunge").status_code == 403
    assert (
        portal(
            checker, "POST", "airlock/requests", json={"files": [], "justification": WHY}
        ).status_code
        == 403
    )
    assert portal(users["trainee"], "GET", "airlock/requests?queue=1").status_code == 403


#: A notebook for the python-base kernel that writes two tables (as JupyterLab saves one).
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": "import os\nos.makedirs('out', exist_ok=True)\n"
            "for name in ('made', 'edited'):\n"
            "    open(f'out/{name}.csv', 'w').write('group,n\\na,40\\nb,52\\n')",
        }
    ],
    "metadata": {"kernelspec": {"name": "python-base", "display_name": "Python 3 (base)"}},
    "nbformat": 4,
    "nbformat_minor": 4,
}


def test_the_portal_reruns_an_attached_notebook(singleuser_image, airlock_hub, users, home):
    """The portal's own re-run (its runtime, image and seccomp options from the hub's
    configuration): a table as the notebook wrote it matches, one edited by hand after
    it does not; the re-run's container and volume are gone afterwards."""
    with open(f"{home}/analysis.ipynb", "w") as out:
        json.dump(NOTEBOOK, out)
    with open(f"{home}/out/made.csv", "w") as out:
        out.write("group,n\na,40\nb,52\n")
    with open(f"{home}/out/edited.csv", "w") as out:
        out.write("group,n\na,40\nb,57\n")
    body = {"files": ["out/made.csv", "out/edited.csv"], "justification": WHY,
            "notebook": "analysis.ipynb", "submit": True}  # fmt: skip
    request_id = ok(portal(users["researcher"], "POST", "airlock/requests", json=body), 201)["id"]
    deadline, reruns = time.monotonic() + 420, {}
    while time.monotonic() < deadline and len(reruns) < 2:
        found = ok(portal(users["researcher"], "GET", f"airlock/requests/{request_id}"))
        reruns = {f["name"]: f["rerun"] for f in found["file_details"] if f["rerun"]}
        time.sleep(3)
    assert len(reruns) == 2, f"no re-run result within 420 s: {found['file_details']}"
    # The requester's profile, read from the hub at re-run time (the researcher never
    # chose one: the default), as the runtime inspected the container.
    environment = reruns["out/made.csv"].pop("environment")
    assert environment["profile"] == "cpu-standard" and environment["cpus"] == 1.0
    assert environment["memory"] == 4 * 1024**3
    reruns["out/edited.csv"].pop("environment")
    assert reruns["out/made.csv"] == {"match": True, "how": "sha256", "detail": "identical"}
    assert reruns["out/edited.csv"] == {
        "match": False, "how": "table", "detail": "differs at row 2, column n"
    }  # fmt: skip
    left = [n for c in runtime_client().containers(all=True) for n in c["Names"]]
    assert not any(f"{airlock_hub.prefix}-rerun-" in n for n in left), left
