"""The portal's REST API under the real hub: real logins, real tokens, through the proxy.

Runs on the session hub (its portal loaded the demo catalogue at start). Each role sees
what its scopes allow; refused input stores nothing (the audit log's head and the
caller's lists do not move); the access workflow's rules hold through HTTP.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
import yaml

from tests.integration.portal_helpers import (
    DEMO_DATASET,
    act,
    application_data,
    apply,
    grant,
    ok,
    portal,
)
from tests.portal.samples import dataset

pytestmark = pytest.mark.integration

ROLES = ["researcher", "trainee", "steward", "committee", "auditor", "admin", "checker"]


@pytest.fixture(scope="module")
def users(hub):
    return {role: hub.login(role) for role in ROLES}


def audit_head(users) -> int:
    """The audit log's head sequence number (every stored change moves it)."""
    return ok(portal(users["auditor"], "GET", "audit/verify"))["head_seq"]


def test_me_names_workflow_roles_from_scopes(hub_diagnostics, users):
    expected = {
        "researcher": ["applicant", "export_requester"],
        "trainee": [],
        "steward": ["steward", "synthesis_steward"],  # stewards run synthesis jobs too
        "committee": ["committee"],
        "auditor": [],
        "checker": ["output_checker"],  # the portal's airlock only (policies/roles.yaml)
    }
    for role, roles in expected.items():
        me = ok(portal(users[role], "GET", "me"))
        assert (me["name"], me["roles"]) == (role, roles)
    # ... and nothing of the catalogue: no custom:kimed:read:catalogue
    refused = portal(users["checker"], "GET", "datasets")
    assert refused.status_code == 403 and "read:catalogue" in refused.text


def test_no_credential_is_401_json_never_a_redirect(hub_diagnostics):
    for method, path in [("GET", "datasets"), ("GET", "requests/AR-000001"), ("POST", "requests")]:
        response = portal(None, method, path, hub=hub_diagnostics, json={})
        assert response.status_code in (401, 403), (path, response.status_code)
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json()["message"]


def test_search_facets_chips_and_dataset_card(hub_diagnostics, users):
    researcher = users["researcher"]
    found = ok(portal(researcher, "GET", "datasets?q=lunge&modality=CT&lang=de&page_size=5"))
    assert DEMO_DATASET in [hit["identifier"] for hit in found["hits"]]
    assert found["page_size"] == 5 and found["total"] >= 1
    modality = {f["value"]: f for f in found["facets"]["modality"]}
    assert modality["CT"]["selected"] and modality["CT"]["count"] >= 1
    chips = {chip["kind"]: chip for chip in found["active_filters"]}
    assert parse_qs(chips["facet"]["remove"]) == {
        "q": ["lunge"],
        "lang": ["de"],
        "page_size": ["5"],
    }
    assert parse_qs(chips["text"]["remove"]) == {
        "modality": ["CT"],
        "lang": ["de"],
        "page_size": ["5"],
    }

    card = ok(portal(researcher, "GET", f"datasets/{DEMO_DATASET}?lang=de"))
    assert card["identifier"] == DEMO_DATASET and card["not_for_inference"] is False
    assert card["display"]["title"] == card["title"]["de"]
    for synthetic_id in card["synthetic_versions"]:
        synthetic = ok(portal(researcher, "GET", f"datasets/{synthetic_id}"))
        assert synthetic["not_for_inference"] is True and synthetic["derived_from"] == DEMO_DATASET
    synthetic_hits = ok(portal(researcher, "GET", "datasets?dataset_type=SYNTHETIC_DATA"))["hits"]
    assert synthetic_hits and all(hit["not_for_inference"] for hit in synthetic_hits)

    algorithms = ok(portal(researcher, "GET", "algorithms"))["algorithms"]
    trained = [a["identifier"] for a in algorithms if DEMO_DATASET in a["training_data"]]
    assert sorted(card["algorithms"]) == sorted(trained)
    if algorithms:
        first = algorithms[0]["identifier"]
        assert ok(portal(researcher, "GET", f"algorithms/{first}"))["identifier"] == first

    turtle = portal(researcher, "GET", f"datasets/{DEMO_DATASET}/rdf")
    assert turtle.headers["Content-Type"].startswith("text/turtle") and DEMO_DATASET in turtle.text
    jsonld = portal(researcher, "GET", "catalogue?format=json-ld")
    assert jsonld.headers["Content-Type"].startswith("application/ld+json") and jsonld.json()

    # A harvester's view: one page with hydra links that keep the filters.
    page = portal(researcher, "GET", "catalogue?page=2&page_size=5&modified_since=2000-01-01")
    assert page.status_code == 200, page.text
    assert "hydra:PartialCollectionView" in page.text and "modified_since=2000-01-01" in page.text
    assert "page=3" in page.text and "page=1" in page.text  # next and previous/first
    assert portal(researcher, "GET", "catalogue?page=999&page_size=5").status_code == 404
    assert portal(researcher, "GET", "catalogue?modified_since=yesterday").status_code == 400

    assert portal(researcher, "GET", "datasets/no-such-dataset").status_code == 404
    assert portal(researcher, "GET", "datasets/no-such-dataset/rdf").status_code == 404
    for bad in [
        "datasets?page_size=1000",
        "datasets?sort=price",
        "datasets?nonsense=1",
        "datasets?cohort_min=many",
        f"datasets/{DEMO_DATASET}?lang=fr",
    ]:
        response = portal(researcher, "GET", bad)
        assert response.status_code == 400 and response.json()["error"] == "bad_input", bad


def test_openapi_file_is_served_to_every_portal_user(hub_diagnostics, users):
    for role in ("trainee", "researcher", "auditor"):
        response = portal(users[role], "GET", "openapi.yaml")
        assert response.status_code == 200
        spec = yaml.safe_load(response.text)
        assert "/requests/{id}/actions/{action}" in spec["paths"]


def test_catalogue_writes_need_write_scope(hub_diagnostics, users):
    record = {"identifier": "api-scope-probe"}
    for role in ("researcher", "committee", "auditor", "trainee"):
        response = portal(users[role], "PUT", "datasets/api-scope-probe", json=record)
        assert response.status_code == 403, role
        assert portal(users[role], "DELETE", f"datasets/{DEMO_DATASET}").status_code == 403


def test_invalid_metadata_is_422_with_violations_and_nothing_stored(hub_diagnostics, users):
    from kimed_hub.serde import to_data

    head = audit_head(users)
    record = to_data(dataset("api-invalid-probe"))
    record["temporal"] = {"start": "2024-12-31", "end": "2020-01-01"}
    record["modalities"] = ["NOT-A-MODALITY"]
    response = portal(users["steward"], "PUT", "datasets/api-invalid-probe", json=record)
    assert response.status_code == 422, response.text
    problems = response.json()["violations"]
    assert [p["field"] for p in problems] == ["modalities[0]"] and "CT" in problems[0]["message"]
    record["modalities"] = ["CT"]  # now only the time span is wrong (a SHACL rule)
    response = portal(users["steward"], "PUT", "datasets/api-invalid-probe", json=record)
    assert response.status_code == 422, response.text
    assert any("startDate" in p["field"] for p in response.json()["violations"]), response.text
    assert portal(users["steward"], "GET", "datasets/api-invalid-probe").status_code == 404
    renamed = portal(users["steward"], "PUT", "datasets/api-other-name", json=record)
    assert renamed.status_code == 400 and "differs" in renamed.json()["message"]
    turtle = portal(
        users["steward"],
        "POST",
        "datasets/import",
        data="<x> <y> .",  # a triple without a full stop of sense: not a catalogue
        headers={"Content-Type": "text/turtle"},
    )
    assert turtle.status_code in (400, 422), turtle.text
    wrong_type = portal(users["steward"], "POST", "datasets/import", data="{}")
    assert wrong_type.status_code == 415
    assert audit_head(users) == head


def test_a_bad_record_from_another_portal_is_422_naming_the_property(hub_diagnostics, users):
    """A record written elsewhere (CKAN-style JSON-LD) that lacks HealthDCAT-AP's
    mandatory health data access body is refused by name, and nothing is stored."""
    from tests.portal.test_foreign import CKAN

    head = audit_head(users)
    document = json.loads(CKAN.read_text(encoding="utf-8"))
    del document["@graph"][0]["healthdcatap:hdab"]
    response = portal(
        users["steward"],
        "POST",
        "datasets/import",
        data=json.dumps(document).encode(),
        headers={"Content-Type": "application/ld+json"},
    )
    assert response.status_code == 422, response.text
    assert "healthdcatap:hdab" in response.text
    assert audit_head(users) == head


def test_malformed_and_oversized_input_stores_nothing(hub_diagnostics, users):
    researcher = users["researcher"]
    head = audit_head(users)
    mine = ok(portal(researcher, "GET", "requests"))["requests"]
    cases = [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (b'{"application": {}, "admin": true}', 400),
        (b'{"application": {"people": {"applicant": {"shoe_size": 44}}}}', 400),
        (b'{"application": "all of it"}', 400),
        (b'{"application": {"project": {"title": "' + b"x" * 5_000_000 + b'"}}}', 413),
    ]
    for body, status in cases:
        response = portal(
            researcher, "POST", "requests", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == status, (body[:60], response.text[:300])
        assert response.json()["message"]
    long_title = {"project": {"title": "x" * 100_000}}  # under the body limit, over the field's
    assert (
        portal(researcher, "POST", "requests", json={"application": long_title}).status_code == 413
    )
    assert ok(portal(researcher, "GET", "requests"))["requests"] == mine
    assert audit_head(users) == head
    bad_query = portal(users["auditor"], "GET", "audit?after=-1")
    assert bad_query.status_code == 400 and "after" in bad_query.json()["message"]


def test_access_journey_rules_through_the_api(hub_diagnostics, users):
    researcher, steward, committee = users["researcher"], users["steward"], users["committee"]
    request_id = apply(researcher)
    # Illegal transition: 409 naming what is possible; the state does not move.
    early = portal(steward, "POST", f"requests/{request_id}/actions/activate", json={})
    assert early.status_code == 409 and early.json()["error"] == "illegal_transition"
    assert "start_check" in early.json()["message"]
    # The applicant cannot check their own request; others do not see it at all.
    refused = portal(researcher, "POST", f"requests/{request_id}/actions/start_check")
    assert refused.status_code == 403
    for outsider in ("trainee", "auditor"):
        assert portal(users[outsider], "GET", f"requests/{request_id}").status_code == 404
        assert portal(users[outsider], "GET", f"requests/{request_id}/history").status_code == 404
    assert request_id in [
        r["id"] for r in ok(portal(steward, "GET", "requests?queue=1"))["requests"]
    ]
    assert portal(researcher, "GET", "requests?queue=1").status_code == 403

    act(steward, request_id, "start_check")
    unused = portal(
        steward, "POST", f"requests/{request_id}/actions/forward", json={"decision": "APPROVED"}
    )
    assert unused.status_code == 400  # a field 'forward' does not take
    missing = portal(steward, "POST", f"requests/{request_id}/actions/return", json={})
    assert missing.status_code == 400 and "comment" in missing.json()["message"]
    act(steward, request_id, "forward", comment="complete")
    assert (
        portal(
            steward,
            "POST",
            f"requests/{request_id}/actions/decide",
            json={"decision": "APPROVED", "comment": "x"},
        ).status_code
        == 403
    )
    act(committee, request_id, "decide", decision="APPROVED", comment="sound plan")
    active = act(steward, request_id, "activate", valid_until="2099-12-31")
    assert active["state"] == "ACTIVE" and active["valid_until"].startswith("2099-12-31T23:59:59")
    assert active["stopped_servers"] == []

    seen = ok(portal(researcher, "GET", f"requests/{request_id}"))
    assert {"close", "request_amendment"} <= set(seen["allowed_actions"])
    assert "revoke" not in seen["allowed_actions"]
    assert [c["comment"] for c in seen["comments"]] == ["complete", "sound plan"]
    assert request_id in [r["id"] for r in ok(portal(researcher, "GET", "requests"))["requests"]]

    revoked = act(steward, request_id, "revoke", comment="consent withdrawn")
    assert revoked["state"] == "REVOKED" and revoked["allowed_actions"] == []
    history = ok(portal(researcher, "GET", f"requests/{request_id}/history"))["entries"]
    assert [e["action"] for e in history] == [
        "request.create",
        "request.submit",
        "request.start_check",
        "request.forward",
        "request.decide",
        "request.activate",
        "request.revoke",
    ]
    assert portal(researcher, "POST", f"requests/{request_id}/actions/fly").status_code == 404


def test_team_member_cannot_decide_on_the_request(hub_diagnostics, users):
    """Conflict of interest: the steward is on the researcher's team, so they may not
    take the request into the formal check (another steward must)."""
    request_id = apply(users["researcher"], members=("steward",))
    response = portal(users["steward"], "POST", f"requests/{request_id}/actions/start_check")
    assert response.status_code == 403 and response.json()["error"] == "conflict_of_interest"
    assert ok(portal(users["researcher"], "GET", f"requests/{request_id}"))["state"] == "SUBMITTED"
    # A team member sees the request (it is theirs too) but is offered no decision.
    assert ok(portal(users["steward"], "GET", f"requests/{request_id}"))["allowed_actions"] == []
    act(users["researcher"], request_id, "withdraw", comment="test over")


def test_a_team_member_who_is_not_the_applicant_cannot_close(hub_diagnostics, users):
    """workflow.RULES["close"]: the applicant or a steward not on the team, never another
    team member. The trainee joins the researchers group for this test, so they hold the
    applicant role; named on the researcher's team, they are still refused."""
    researcher, steward, admin = users["researcher"], users["steward"], users["admin"]
    added = admin.api("POST", "/groups/researchers/users", json={"users": ["trainee"]})
    assert added.status_code == 200, added.text
    try:
        member = hub_diagnostics.login("trainee")  # a new token: scopes are cached per token
        assert "applicant" in ok(portal(member, "GET", "me"))["roles"]
        request_id = apply(researcher, members=("trainee",))
        act(steward, request_id, "start_check")
        act(steward, request_id, "forward", comment="complete")
        act(users["committee"], request_id, "decide", decision="APPROVED", comment="ok")
        act(steward, request_id, "activate", valid_until="2099-12-31")
        seen = ok(portal(member, "GET", f"requests/{request_id}"))
        assert seen["state"] == "ACTIVE" and "close" not in seen["allowed_actions"]
        refused = portal(
            member, "POST", f"requests/{request_id}/actions/close", json={"comment": "done"}
        )
        assert refused.status_code == 403, refused.text
        assert "only the applicant (researcher)" in refused.json()["message"]
        assert ok(portal(researcher, "GET", f"requests/{request_id}"))["state"] == "ACTIVE"
        assert act(researcher, request_id, "close", comment="done")["state"] == "CLOSED"
    finally:
        admin.api("DELETE", "/groups/researchers/users", json={"users": ["trainee"]})


def test_drafts_are_private_and_the_committee_waits_for_the_forward(hub_diagnostics, users):
    researcher, steward, committee = users["researcher"], users["steward"], users["committee"]
    draft = ok(portal(researcher, "POST", "requests", json={"application": {}}), 201)["id"]
    for reviewer in (steward, committee):
        assert portal(reviewer, "GET", f"requests/{draft}").status_code == 404
        assert portal(reviewer, "GET", f"requests/{draft}/history").status_code == 404
    request_id = apply(researcher)
    assert ok(portal(steward, "GET", f"requests/{request_id}"))["state"] == "SUBMITTED"
    assert portal(committee, "GET", f"requests/{request_id}").status_code == 404
    act(steward, request_id, "start_check")
    act(steward, request_id, "forward", comment="complete")
    assert ok(portal(committee, "GET", f"requests/{request_id}"))["state"] == "COMMITTEE_REVIEW"
    for finished in (draft, request_id):
        act(researcher, finished, "withdraw")


def test_drafts_are_edited_by_their_applicant_only(hub_diagnostics, users):
    researcher = users["researcher"]
    draft = ok(portal(researcher, "POST", "requests", json={"application": {}}), 201)
    assert draft["title"] == "(untitled draft)"
    incomplete = portal(researcher, "POST", f"requests/{draft['id']}/actions/submit")
    assert incomplete.status_code == 422 and incomplete.json()["violations"]
    filled = {"application": application_data("researcher")}
    # Someone else's draft: not even visible to a steward (a draft is its applicant's
    # own until submitted: 404, whatever the body). Nothing changes.
    anonymous = application_data("researcher")
    anonymous["people"]["applicant"]["username"] = ""
    for body in (filled, {"application": anonymous}):
        steward_edit = portal(users["steward"], "PUT", f"requests/{draft['id']}", json=body)
        assert steward_edit.status_code == 404, steward_edit.text
    assert ok(portal(researcher, "GET", f"requests/{draft['id']}"))["title"] == "(untitled draft)"
    edited = ok(portal(researcher, "PUT", f"requests/{draft['id']}", json=filled))
    assert edited["title"] == "Rundherd-Detektion" and edited["datasets"] == [DEMO_DATASET]
    act(researcher, draft["id"], "withdraw")


def test_audit_log_for_auditors_only(hub_diagnostics, users):
    report = ok(portal(users["auditor"], "GET", "audit/verify"))
    assert report["ok"] is True and report["entries"] == report["head_seq"] > 0
    page = ok(portal(users["auditor"], "GET", "audit?limit=5"))
    assert [e["seq"] for e in page["entries"]] == [1, 2, 3, 4, 5] and page["next_after"] == 5
    assert ok(portal(users["admin"], "GET", "audit?after=5&limit=1"))["entries"][0]["seq"] == 6
    for role in ("researcher", "steward", "committee", "trainee"):
        assert portal(users[role], "GET", "audit/verify").status_code == 403, role


def test_grant_journey_by_api(hub_diagnostics, users):
    request_id = grant(users["researcher"], users["steward"], users["committee"])
    closed = act(users["researcher"], request_id, "close", comment="project done")
    assert closed["state"] == "CLOSED"


def test_browser_cookie_calls_need_the_xsrf_token(hub_diagnostics, users):
    """The portal's OAuth cookie works for the API too; a change sent with it needs the
    X-XSRFToken header (a cross-site form cannot send one), and nothing hangs."""
    browser = users["researcher"].session  # logged in to the hub, as a browser is
    landing = browser.get(f"{hub_diagnostics.url}/services/portal/", timeout=30)
    assert landing.status_code == 200, landing.text[:300]
    base = f"{hub_diagnostics.url}/services/portal/api/v1/"
    assert browser.get(base + "me", timeout=20).json()["name"] == "researcher"
    head = audit_head(users)
    forged = browser.post(base + "requests", json={"application": {}}, timeout=20)
    assert forged.status_code == 403 and forged.json()["message"], forged.text
    assert audit_head(users) == head
    xsrf = browser.cookies.get("_xsrf", path="/services/portal/")
    assert xsrf, "the portal set no XSRF cookie"
    made = browser.post(
        base + "requests", json={"application": {}}, headers={"X-XSRFToken": xsrf}, timeout=20
    )
    assert made.status_code == 201, made.text
    act(users["researcher"], made.json()["id"], "withdraw")
