"""OpenID Connect login end to end, against a real OIDC provider on loopback.

The provider is ``oidc-provider-mock`` (Authlib): real authorization-code flow, real
tokens, real userinfo and refresh; the test sets each user's claims (groups included) on
it. The hub runs with ``KIMED_AUTH=oidc``, the one setting that switches from local
accounts, and discovers the provider's endpoints from its issuer URL.
"""

from __future__ import annotations

import threading
import time

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving

from kimed_hub.testing import HubProcess

pytestmark = pytest.mark.integration

USERS = {
    "alice": ["/researchers"],  # Keycloak-style group paths
    "tom": ["/trainees"],
    "carol": ["/admins", "/researchers"],
    "mallory": ["/visitors"],  # in no allowed group
    "admin": ["/trainees"],  # named "admin", but not in the admin group
}


@pytest.fixture(scope="module")
def provider():
    """The OIDC provider on 127.0.0.1, users and their groups registered."""
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_port}"
    for name, groups in USERS.items():
        claims = {"preferred_username": name, "email": f"{name}@example.org", "groups": groups}
        requests.put(f"{issuer}/users/{name}", json=claims, timeout=10).raise_for_status()
    yield issuer
    server.shutdown()


@pytest.fixture(scope="module")
def oidc_hub(provider, singleuser_image, tmp_path_factory):
    from kimed_hub.testing import new_prefix, remove_containers

    env = {
        "KIMED_AUTH": "oidc",
        "KIMED_OIDC_ISSUER": provider,
        "KIMED_OIDC_CLIENT_ID": "kimed-workbench",
        "KIMED_OIDC_CLIENT_SECRET": "s3cret",
    }
    # A short refresh age so that a disabled account's loss of access shows within seconds.
    site = {"Authenticator": {"auth_refresh_age": 2}}
    hub = HubProcess(
        tmp_path_factory.mktemp("oidc"), new_prefix(), site_config=site, extra_env=env
    ).start()
    yield hub
    hub.stop()
    remove_containers(hub.prefix, volumes=True)


def oidc_login(hub: HubProcess, sub: str) -> tuple[requests.Session, requests.Response]:
    """Browser-like login: hub → provider's authorize form → submit → back to the hub."""
    session = requests.Session()
    form = session.get(f"{hub.url}/hub/oauth_login?next=/hub/home", timeout=30)
    assert "/oauth2/authorize" in form.url, form.url
    return session, session.post(form.url, data={"sub": sub}, timeout=60)


def whoami(hub: HubProcess, session: requests.Session) -> requests.Response:
    return session.get(
        f"{hub.url}/hub/api/user",
        timeout=30,
        headers={"X-XSRFToken": session.cookies.get("_xsrf", "")},
    )


def test_group_from_provider_gives_role(oidc_hub):
    session, landing = oidc_login(oidc_hub, "alice")
    assert landing.status_code == 200 and landing.url.endswith("/hub/home")
    me = whoami(oidc_hub, session).json()
    assert me["name"] == "alice" and me["groups"] == ["researchers"] and not me["admin"]
    assert "custom:kimed:submit:access-requests" in me["scopes"]
    tom = whoami(oidc_hub, oidc_login(oidc_hub, "tom")[0]).json()
    assert (
        tom["groups"] == ["trainees"] and "custom:kimed:submit:access-requests" not in tom["scopes"]
    )


def test_user_in_no_allowed_group_is_refused_clearly(oidc_hub):
    session, page = oidc_login(oidc_hub, "mallory")
    assert page.status_code == 403
    assert "in none of the groups that may use the KIMed Workbench" in page.text
    assert whoami(oidc_hub, session).status_code == 403


def test_admin_only_from_the_admin_group(oidc_hub):
    carol = whoami(oidc_hub, oidc_login(oidc_hub, "carol")[0]).json()
    assert carol["admin"] is True
    named_admin = whoami(oidc_hub, oidc_login(oidc_hub, "admin")[0]).json()
    assert named_admin["admin"] is False


def test_logout_ends_the_hub_session(oidc_hub):
    session, _ = oidc_login(oidc_hub, "alice")
    assert whoami(oidc_hub, session).status_code == 200
    session.get(f"{oidc_hub.url}/hub/logout", timeout=30)
    assert whoami(oidc_hub, session).status_code == 403


def test_disabled_account_loses_access_at_next_refresh(oidc_hub, provider):
    session, _ = oidc_login(oidc_hub, "tom")
    assert whoami(oidc_hub, session).status_code == 200
    # Disabling at the provider: its access and refresh tokens stop working.
    requests.post(f"{provider}/users/tom/revoke-tokens", timeout=10).raise_for_status()
    time.sleep(3)  # past auth_refresh_age (2 s)
    assert whoami(oidc_hub, session).status_code == 403
    assert "Refreshing" in oidc_hub.log_tail(300) or "fresh login" in oidc_hub.log_tail(300)
