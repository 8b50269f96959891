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
    "admin",
]

# (method, path, the roles allowed). Everyone else must be refused (400, 403 or 404).
HUB_ENDPOINTS = [
    ("GET", "/users", {"auditor", "admin"}),
    ("GET", "/users/researcher", {"researcher", "auditor", "admin"}),
    ("GET", "/users/trainee", {"trainee", "instructor", "auditor", "admin"}),
    ("GET", "/groups/trainees", {"instructor", "auditor", "admin"}),
    ("GET", "/groups/researchers", {"auditor", "admin"}),
    ("POST", "/users/researcher/servers/second", set()),  # one server per user (sessions.yaml)
    ("DELETE", "/users/trainee/server", {"trainee", "instructor", "admin"}),
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

# Custom scopes each role's token carries (the portal and services enforce them).
CUSTOM_SCOPES = {
    "researcher": {"read:catalogue", "submit:access-requests", "submit:export-requests"},
    "trainee": {"read:catalogue"},
    "instructor": {"read:catalogue", "run:workshops"},
    "steward": {"read:catalogue", "write:catalogue", "check:access-requests"},
    "committee": {"read:catalogue", "decide:access-requests"},
    "checker": {"review:export-requests"},
    "auditor": {"read:audit-log", "read:catalogue"},
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


def test_custom_scopes_per_role(users):
    for role, expected in CUSTOM_SCOPES.items():
        scopes = users[role].api("GET", "/user").json()["scopes"]
        custom = {s.removeprefix("custom:kimed:") for s in scopes if s.startswith("custom:")}
        assert custom == expected, role


def test_admin_rights_only_for_the_admin_group(users):
    admins = {role for role in ROLES if users[role].api("GET", "/user").json()["admin"]}
    assert admins == {"admin"}
