"""PortalClient against a real HTTP server: what it sends, and every way a call fails."""

from __future__ import annotations

import pytest

from kimed_widgets import PortalClient, PortalRefused, PortalUnavailable
from kimed_widgets.client import MAX_ANSWER_BYTES

from .conftest import Answer


def test_sends_token_and_encodes_parameters(portal):
    portal.routes[("GET", "datasets")] = Answer(body={"total": 0})
    portal.client().search([("q", "Röntgen & Thorax"), ("modality", "CT"), ("modality", "MR")])
    (call,) = portal.calls
    assert call.headers["Authorization"] == "token secret-token"
    assert call.params == [("q", "Röntgen & Thorax"), ("modality", "CT"), ("modality", "MR")]


def test_identifiers_never_add_path_levels(portal):
    with pytest.raises(PortalRefused, match="no route"):  # the stand-in has no such dataset
        portal.client().dataset("../requests/AR-1")
    assert portal.calls[0].path == "datasets/..%2Frequests%2FAR-1"


def test_json_body_for_writes(portal):
    portal.routes[("POST", "requests/AR-000001/actions/withdraw")] = Answer(
        body={"state": "WITHDRAWN"}
    )
    answer = portal.client().act("AR-000001", "withdraw", comment="not needed")
    assert answer == {"state": "WITHDRAWN"}
    assert portal.calls[0].body == {"comment": "not needed"}
    assert portal.calls[0].headers["Content-Type"] == "application/json"


def test_refusal_carries_the_portals_message_and_violations(portal):
    portal.routes[("POST", "requests")] = Answer(
        422,
        {
            "error": "validation_failed",
            "message": "application is not valid (1 problem(s))",
            "violations": [
                {
                    "field": "people.applicant.email",
                    "message": "'x' is not an e-mail address",
                    "focus": "",
                }
            ],
        },
    )
    with pytest.raises(PortalRefused) as refused:
        portal.client().create_request({})
    error = refused.value
    assert (error.status, error.code) == (422, "validation_failed")
    assert str(error) == "application is not valid (1 problem(s))"
    assert [str(v) for v in error.violations] == [
        "people.applicant.email: 'x' is not an e-mail address"
    ]


def test_refusal_without_json_uses_the_http_reason(portal):
    portal.routes[("GET", "me")] = Answer(
        403, b"<html>Forbidden</html>", {"Content-Type": "text/html"}
    )
    with pytest.raises(PortalRefused, match="Forbidden") as refused:
        portal.client().me()
    assert refused.value.status == 403


def test_redirect_to_login_is_reported_not_followed(portal):
    portal.routes[("GET", "me")] = Answer(302, b"", {"Location": portal.url + "login"})
    with pytest.raises(PortalRefused, match="asked for a login") as refused:
        portal.client().me()
    assert refused.value.code == "login_required"
    assert [c.path for c in portal.calls] == ["me"]  # the login page was never fetched


def test_server_error_means_unavailable(portal):
    portal.routes[("GET", "requests")] = Answer(500, {"message": "database is locked"})
    with pytest.raises(PortalUnavailable, match=r"HTTP 500: database is locked.*administrators"):
        portal.client().my_requests()


def test_non_json_answer_names_the_setting(portal):
    portal.routes[("GET", "me")] = Answer(
        200, b"<html>hub home</html>", {"Content-Type": "text/html"}
    )
    with pytest.raises(PortalUnavailable, match="not JSON.*KIMED_PORTAL_URL"):
        portal.client().me()


def test_oversized_answer_is_refused(portal):
    portal.routes[("GET", "me")] = Answer(200, b" " * (MAX_ANSWER_BYTES + 10))
    with pytest.raises(PortalUnavailable, match="too large"):
        portal.client().me()


def test_slow_portal_times_out(portal):
    portal.routes[("GET", "me")] = Answer(body={"name": "alice"}, delay=1.5)
    with pytest.raises(PortalUnavailable, match="did not answer within 0.3 s"):
        portal.client(timeout=0.3).me()


def test_unreachable_portal():
    client = PortalClient(base_url="http://127.0.0.1:9/services/portal/api/v1/", token="t")
    with pytest.raises(PortalUnavailable, match="cannot be reached"):
        client.me()


def test_address_and_token_from_the_server_environment(portal, monkeypatch):
    portal.routes[("GET", "me")] = Answer(body={"name": "alice"})
    monkeypatch.setenv("KIMED_PORTAL_URL", portal.url.rstrip("/"))  # a missing slash is added
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "server-token")
    assert PortalClient().me() == {"name": "alice"}
    assert portal.calls[0].headers["Authorization"] == "token server-token"


def test_missing_address_says_what_to_set(monkeypatch):
    monkeypatch.delenv("KIMED_PORTAL_URL", raising=False)
    with pytest.raises(PortalUnavailable, match=r"KIMED_PORTAL_URL"):
        PortalClient().me()


def test_page_links_are_paths_on_the_hubs_origin():
    # In a container the API address is the container's route to the host, which the
    # researcher's browser cannot reach; the link must be a path.
    client = PortalClient(base_url="http://10.0.2.2:8000/services/portal/api/v1/")
    assert client.page_path("requests/AR-000007") == "/services/portal/requests/AR-000007"
