"""Every role against every endpoint the project's policy opens or closes: one table.

Each demo account holds exactly one role (policies/demo-accounts.yaml → groups →
policies/roles.yaml). The table below is written out by hand, not derived from the
policy, so a policy change that widens or narrows access makes this test fail until the
table is updated in review.
"""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.integration

ROLES = [
    "researcher",
    "trainee",
    "instructor",
    "steward",
    "committee",
    "checker",
    "auditor",
    "trustee",
    "admin",
]

# (method, path, the roles allowed). Everyone else must be refused (400, 403 or 404).
HUB_ENDPOINTS = [
    ("GET", "/users", {"auditor", "admin"}),
    ("GET", "/users/researcher", {"researcher", "auditor", "admin"}),
    # instructors act on their own workshops through the portal only (roles.yaml)
    ("GET", "/users/trainee", {"trainee", "auditor", "admin"}),
    ("GET", "/groups/trainees", {"auditor", "admin"}),
    ("GET", "/groups/researchers", {"auditor", "admin"}),
    ("POST", "/users/researcher/servers/second", set()),  # one server per user (sessions.yaml)
    ("DELETE", "/users/trainee/server", {"trainee", "admin"}),
    ("DELETE", "/users/researcher/server", {"researcher", "admin"}),
    ("POST", "/users/newcomer", {"admin"}),
    ("GET", "/proxy", {"admin"}),
]

# Services the project adds, reached through the proxy with the user's own token.
SERVICE_ENDPOINTS = [
    ("GET", "/services/package-index/simple/", {"researcher", "trainee", "instructor", "admin"}),
    (
        "GET",
        "/services/package-index/simple/pandas/",
        {"researcher", "trainee", "instructor", "admin"},
    ),
]

# The portal's REST API (/services/portal/api/v1/), every endpoint. "Allowed" means the
# caller got past authorization: a 2xx, or a 400/409/422 about the (deliberately
# harmless) input; refused is 401/403/404 (requests are 404 to those who may not see
# them). {request} is a DRAFT of the researcher's; {checked} a request in FORMAL_CHECK.
PORTAL_USERS = {
    "researcher",
    "trainee",
    "instructor",
    "steward",
    "committee",
    "checker",  # the airlock only: no catalogue scope
    "auditor",
    "trustee",  # the trust centre's endpoints only: no catalogue scope
    "admin",
}
CATALOGUE_READERS = PORTAL_USERS - {"checker", "trustee"}  # custom:kimed:read:catalogue
CATALOGUE_WRITERS = {"steward", "admin"}  # custom:kimed:write:catalogue
# Who sees a request (workflow.VISIBLE_FROM): a DRAFT only its applicant; a submitted
# one also the stewards; the committee only once it has been forwarded to them.
DRAFT_READERS = {"researcher"}
CHECK_READERS = {"researcher", "steward"}
FEASIBILITY = {"criteria": [{"kind": "age", "min": 0}]}
PORTAL_ENDPOINTS = [
    ("GET", "me", None, PORTAL_USERS),
    ("GET", "openapi.yaml", None, PORTAL_USERS),
    ("GET", "datasets?q=lunge", None, CATALOGUE_READERS),
    ("GET", "datasets/ct-thorax-lungenrundherde-leipzig", None, CATALOGUE_READERS),
    ("GET", "datasets/ct-thorax-lungenrundherde-leipzig/rdf", None, CATALOGUE_READERS),
    ("GET", "catalogue?format=json-ld", None, CATALOGUE_READERS),
    ("GET", "algorithms", None, CATALOGUE_READERS),
    ("GET", "algorithms/kimed-demo-deid", None, CATALOGUE_READERS),
    ("PUT", "datasets/matrix-probe", {}, CATALOGUE_WRITERS),  # 400: not a valid record
    ("DELETE", "datasets/ct-thorax-lungenrundherde-leipzig", None, CATALOGUE_WRITERS),  # 409
    ("POST", "datasets/import", "", CATALOGUE_WRITERS),  # 415/400: no document
    ("PUT", "algorithms/matrix-probe", {}, CATALOGUE_WRITERS),  # 400
    # custom:kimed:query:feasibility; 409: the demo dataset has no FHIR import here
    ("POST", "datasets/ct-thorax-lungenrundherde-leipzig/feasibility", FEASIBILITY, {"researcher"}),
    ("GET", "requests", None, PORTAL_USERS),
    ("GET", "requests?queue=1", None, {"steward", "committee"}),
    ("POST", "requests", {"application": {}}, {"researcher"}),
    ("GET", "requests/{request}", None, DRAFT_READERS),
    ("GET", "requests/{checked}", None, CHECK_READERS),
    ("PUT", "requests/{request}", {"application": {}}, {"researcher"}),
    ("GET", "requests/{request}/history", None, DRAFT_READERS),
    ("GET", "requests/{checked}/history", None, CHECK_READERS),
    ("POST", "requests/{checked}/actions/comment", {"comment": "matrix"}, {"steward"}),
    ("POST", "requests/{request}/actions/submit", None, {"researcher"}),  # 422: incomplete
    # custom:kimed:run:synthesis-jobs (data stewards; a job needs a grant too)
    ("GET", "synthesis/jobs", None, {"steward"}),
    ("GET", "synthesis/options", None, {"steward"}),
    ("GET", "synthesis/jobs/SJ-999999", None, set()),
    ("GET", "airlock/requests", None, PORTAL_USERS),  # one's own export requests
    ("GET", "airlock/requests?queue=1", None, {"checker"}),
    ("POST", "airlock/requests", {"files": [], "justification": ""}, {"researcher"}),  # 400
    ("GET", "airlock/home", None, {"researcher"}),  # 400: no home volume yet
    ("GET", "airlock/requests/ER-999999", None, set()),
    ("GET", "airlock/requests/ER-999999/download?file=0", None, set()),
    ("GET", "airlock/requests/ER-999999/inspect?file=0", None, set()),
    ("POST", "airlock/requests/ER-999999/reviews", {"votes": {}}, set()),  # 403 or 404
    ("POST", "airlock/requests/ER-999999/actions/withdraw", {}, set()),
    # custom:kimed:operate:trust-centre; 400 for the trustee: the reason is empty
    ("GET", "trust-centre/deliveries", None, {"trustee"}),
    (
        "POST",
        "trust-centre/projects/AR-999999/reidentify",
        {"pseudonym": "P", "reason": ""},
        {"trustee"},
    ),
    ("GET", "audit?limit=1", None, {"auditor", "admin"}),
    ("GET", "audit/verify", None, {"auditor", "admin"}),
    ("GET", "no-such-endpoint", None, set()),
]

# Custom scopes each role's token carries (the portal and services enforce them).
CUSTOM_SCOPES = {
    "researcher": {
        "read:catalogue",
        "submit:access-requests",
        "submit:export-requests",
        "query:feasibility",
    },
    "trainee": {"read:catalogue"},
    "instructor": {"read:catalogue", "run:workshops"},
    "steward": {
        "read:catalogue",
        "write:catalogue",
        "check:access-requests",
        "run:synthesis-jobs",
    },
    "committee": {"read:catalogue", "decide:access-requests"},
    "checker": {"review:export-requests"},
    "auditor": {"read:audit-log", "read:catalogue"},
    "trustee": {"operate:trust-centre"},
    "admin": {"read:catalogue", "write:catalogue", "read:audit-log"},
}


@pytest.fixture(scope="module")
def users(hub):
    return {role: hub.login(role) for role in ROLES}


def _allowed(response) -> bool:
    if response.status_code in (400, 403, 404):
        return False
    assert response.status_code < 300, f"{response.status_code}: {response.text}"
    return True


@pytest.mark.parametrize(
    ("method", "path", "allowed"), HUB_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in HUB_ENDPOINTS]
)
def test_hub_endpoint_matrix(hub_diagnostics, users, method, path, allowed):
    outcome = {role: _allowed(users[role].api(method, path)) for role in ROLES}
    assert {role for role, ok in outcome.items() if ok} == allowed, outcome


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    SERVICE_ENDPOINTS,
    ids=[f"{m} {p}" for m, p, _ in SERVICE_ENDPOINTS],
)
def test_service_endpoint_matrix(hub_diagnostics, users, method, path, allowed):
    def call(role):
        return requests.request(
            method,
            f"{hub_diagnostics.url}{path}",
            timeout=30,
            headers={"Authorization": f"token {users[role].token}"},
        )

    outcome = {role: _allowed(call(role)) for role in ROLES}
    assert {role for role, ok in outcome.items() if ok} == allowed, outcome


@pytest.fixture(scope="module")
def portal_requests(users):
    """A DRAFT of the researcher's (it refers to the demo dataset, so deleting that is a
    409) and a submitted request the steward has taken into the formal check."""
    from tests.integration.portal_helpers import act, apply, ok, portal

    draft = ok(portal(users["researcher"], "POST", "requests", json={"application": {}}), 201)
    checked = apply(users["researcher"])
    act(users["steward"], checked, "start_check")
    return {"request": draft["id"], "checked": checked}


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"),
    PORTAL_ENDPOINTS,
    ids=[f"{m} {p}" for m, p, _, _ in PORTAL_ENDPOINTS],
)
def test_portal_endpoint_matrix(
    hub_diagnostics, users, portal_requests, method, path, body, allowed
):
    from tests.integration.portal_helpers import portal

    def passed(role) -> bool:
        kwargs = {"json": body} if isinstance(body, dict) else {"data": body}
        response = portal(users[role], method, path.format(**portal_requests), **kwargs)
        assert response.status_code < 500, f"{role}: {response.status_code} {response.text}"
        assert response.headers["Content-Type"].split(";")[0] in (
            "application/json",
            "application/yaml",
            "text/turtle",
            "application/ld+json",
        ), role
        return response.status_code not in (401, 403, 404)

    outcome = {role: passed(role) for role in ROLES}
    assert {role for role, ok in outcome.items() if ok} == allowed, outcome


def test_custom_scopes_per_role(users):
    for role, expected in CUSTOM_SCOPES.items():
        scopes = users[role].api("GET", "/user").json()["scopes"]
        custom = {s.removeprefix("custom:kimed:") for s in scopes if s.startswith("custom:")}
        assert custom == expected, role


def test_admin_rights_only_for_the_admin_group(users):
    admins = {role for role in ROLES if users[role].api("GET", "/user").json()["admin"]}
    assert admins == {"admin"}
