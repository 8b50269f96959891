"""A workshop from start to end with real accounts, a real hub and real servers.

The instructor creates a workshop of five temporary trainees, pre-starts their servers
(through the hub, so the spawn queue applies) and watches them become ready with the
course material in each home; one trainee completes an exercise in their own server;
the instructor collects and grades (in a locked container), the trainee sees the result
and the feedback, and teardown removes servers, accounts, passwords and home volumes but
keeps the grades. Around it: bad requests create nothing; trainees cannot read each
other's homes, the workshop's submissions or the solutions; another instructor cannot
manage the workshop.
"""

from __future__ import annotations

import json

import pytest
import requests

from kimed_hub.accounts import add_accounts
from kimed_hub.runtime import runtime_client
from kimed_hub.testing import HubUser
from kimed_hub.testing_workshops import (
    create_workshop,
    training_call,
    wait_until_ready,
    workshop_fields,
)
from kimed_hub.training import load_catalogue

pytestmark = pytest.mark.integration
COURSE = load_catalogue()["secure-environment"]
NOTEBOOK = COURSE.notebooks[0]
MATERIAL = f"api/contents/courses/{COURSE.id}/{NOTEBOOK}"


@pytest.fixture(scope="module")
def people(hub):
    """The demo instructor, admin and auditor, plus a second instructor made by the admin."""
    admin = hub.login("admin")
    assert admin.api("POST", "/users/instructor2").status_code == 201
    assert admin.api("POST", "/groups/instructors/users", json={"users": ["instructor2"]}).ok
    add_accounts(hub.data_dir / "accounts.json", {"instructor2": "second-instructor-pw"})
    return {
        "instructor": hub.login("instructor"),
        "instructor2": HubUser(hub, "instructor2", "second-instructor-pw"),
        "admin": admin,
        "auditor": hub.login("auditor"),
    }


@pytest.fixture(scope="module")
def workshop(hub, people):
    """A workshop of five, pre-started and ready (the time it took is printed)."""
    created = create_workshop(people["instructor"], 5, title="Sichere Umgebung – Einführung")
    slug = created["workshop"]["slug"]
    assert training_call(people["instructor"], "POST", f"workshops/{slug}/prestart").ok
    seconds, rows = wait_until_ready(people["instructor"], slug, timeout=900)
    print(f"5 trainees ready with material after {seconds:.1f} s")
    trainees = {n: HubUser(hub, n, pw) for n, pw in created["logins"].items()}
    return {"slug": slug, "created": created, "rows": rows, "trainees": trainees}


def _users(admin: HubUser) -> set[str]:
    return {u["name"] for u in admin.api("GET", "/users").json()}


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"new_accounts": 31}, "at most 30 per workshop"),
        ({"starts": "2020-01-01", "ends": "2020-01-02"}, "is in the past"),
        ({"course": "astrology"}, "'astrology' is not a course"),
        ({"enrol": ["researcher"]}, "'researcher' is not in the group 'trainees'"),
    ],
)
def test_bad_requests_create_nothing(hub_diagnostics, people, changes, says):
    before = _users(people["admin"])
    workshops = training_call(people["instructor"], "GET", "workshops").json()["workshops"]
    response = training_call(
        people["instructor"], "POST", "workshops", json=workshop_fields(3, **changes)
    )
    assert response.status_code == 400, response.text
    assert says in response.json()["message"]
    assert _users(people["admin"]) == before
    assert training_call(people["instructor"], "GET", "workshops").json()["workshops"] == workshops


def test_trainees_cannot_create_workshops(hub_diagnostics, hub):
    response = training_call(hub.login("trainee"), "POST", "workshops", json=workshop_fields(1))
    assert response.status_code == 403


def test_created_with_logins_group_and_material(hub_diagnostics, people, workshop):
    created, trainees = workshop["created"], workshop["trainees"]
    assert len(trainees) == 5 and created["csv"].count("\n") == 6  # header + five
    group = people["admin"].api("GET", f"/groups/{created['workshop']['group']}").json()
    assert sorted(group["users"]) == sorted(trainees)
    assert {r["server"] for r in workshop["rows"]} <= {"ready", "active"}
    for trainee in trainees.values():
        got = trainee.get(MATERIAL)
        assert got.status_code == 200, got.text
        content = got.json()["content"]
        assert "NotImplementedError" in json.dumps(content)
        assert "SOLUTION" not in json.dumps(content)
        assert not any(c.get("outputs") for c in content["cells"]), "no stored outputs"


def test_isolation_between_trainees_and_from_the_instructor_side(hub_diagnostics, hub, workshop):
    first, second = list(workshop["trainees"].values())[:2]
    foreign = requests.get(
        second.server_url(MATERIAL),
        timeout=30,
        allow_redirects=False,
        headers={"Authorization": f"token {first.token}"},
    )
    assert foreign.status_code in (403, 404), foreign.status_code
    for path in (f"workshops/{workshop['slug']}", f"workshops/{workshop['slug']}/results"):
        assert training_call(first, "GET", path).status_code == 403
    assert training_call(first, "POST", f"workshops/{workshop['slug']}/collect").status_code == 403
    # the solutions exist only in the repository: not in the image, not in any home
    grep = "['grep', '-rl', 'BEGIN SOLUTION', '/opt/kimed', '/home/jovyan']"
    found = first.run_code(
        f"import subprocess; print(subprocess.run({grep}, capture_output=True, text=True).stdout"
        " or 'none')"
    )
    assert found.strip() == "none", found


def test_another_instructor_cannot_manage_it(hub_diagnostics, people, workshop):
    other = people["instructor2"]
    for method, path in [
        ("GET", ""),
        ("GET", "/results"),
        ("POST", "/teardown"),
        ("POST", "/collect"),
    ]:
        response = training_call(other, method, f"workshops/{workshop['slug']}{path}")
        assert response.status_code == 403, (path, response.text)
    assert training_call(other, "GET", "workshops").json()["workshops"] == []


def test_complete_collect_grade_feedback_teardown(hub_diagnostics, hub, people, workshop):
    instructor, slug = people["instructor"], workshop["slug"]
    name, trainee = next(iter(workshop["trainees"].items()))
    # the trainee answers exercise 1 (and leaves exercise 2) in their own server
    model = trainee.get(MATERIAL).json()
    solution = json.loads(COURSE.notebook_paths()[0].read_text())
    answer = next(
        c
        for c in solution["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "ex1-answer"
    )
    for cell in model["content"]["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "ex1-answer":
            cell["source"] = "".join(answer["source"])
    saved = requests.put(
        trainee.server_url(MATERIAL),
        timeout=30,
        headers={"Authorization": f"token {trainee.token}"},
        json={"type": "notebook", "format": "json", "content": model["content"]},
    )
    assert saved.status_code == 200, saved.text

    collected = training_call(instructor, "POST", f"workshops/{slug}/collect").json()["collected"]
    assert sorted(collected) == sorted(workshop["trainees"])
    results = training_call(instructor, "POST", f"workshops/{slug}/grade").json()["results"]
    mine = {(r["notebook"], r["grade_id"]): r for r in results if r["username"] == name}
    assert mine[(NOTEBOOK, "ex1")]["passed"] is True
    assert mine[(NOTEBOOK, "ex2")]["passed"] is False
    assert "NotImplementedError" in mine[(NOTEBOOK, "ex2")]["feedback"]
    others = [r for r in results if r["username"] != name]
    assert others and not any(r["passed"] for r in others)
    assert all("Not attempted" in r["feedback"] for r in others)

    # the trainee sees their own results and feedback, nobody else's
    seen = training_call(trainee, "GET", "results").json()["results"]
    assert {r["username"] for r in seen} == {name}
    assert any(r["grade_id"] == "ex1" and r["passed"] for r in seen)

    removed = training_call(instructor, "POST", f"workshops/{slug}/teardown").json()["teardown"]
    assert removed["problems"] == [] and sorted(removed["accounts_removed"]) == sorted(
        workshop["trainees"]
    )
    admin = people["admin"]
    for trainee_name in workshop["trainees"]:
        assert admin.api("GET", f"/users/{trainee_name}").status_code == 404
    volumes = {v["Name"] for v in runtime_client().volumes().get("Volumes") or []}
    assert not [v for v in volumes if any(v.endswith(f"-home-{n}") for n in workshop["trainees"])]
    accounts = json.loads((hub.data_dir / "accounts.json").read_text())
    assert not set(workshop["trainees"]) & set(accounts)
    with pytest.raises(PermissionError):
        HubUser(hub, name, workshop["created"]["logins"][name])
    kept = training_call(instructor, "GET", f"workshops/{slug}/results").json()["results"]
    assert len(kept) == len(results)
    assert (
        training_call(instructor, "GET", f"workshops/{slug}").json()["workshop"]["state"]
        == "CLOSED"
    )
    audit = requests.get(
        f"{hub.url}/services/portal/api/v1/audit?limit=1000",
        timeout=30,
        headers={"Authorization": f"token {people['auditor'].token}"},
    ).json()
    actions = [e["action"] for e in audit["entries"] if e["object"] == f"workshop:{slug}"]
    assert actions == ["workshop.create", "workshop.collect", "workshop.grade", "workshop.teardown"]
