"""Production mode end to end: HTTPS with the site's certificate on the public port.

The certificate is made here (``cryptography``: a self-signed one for 127.0.0.1, which
the test's clients trust). The hub runs with ``KIMED_MODE=production`` and people log in
through a real OIDC provider on loopback (oidc-provider-mock, as in
test_identity_oidc.py). Proved: the proxy answers HTTPS and the hub sends HSTS; the login
cookies are Secure and HttpOnly; a login, a spawn and a cell over the TLS websocket work,
and code in the server still reaches the portal API (the container gateway);
the demo accounts cannot log in, and a production hub with local demo accounts refuses
to start with a message that names the setting. Not proved: a certificate from a real
CA (the site brings one) and the portal's own cookies (set by the portal service).
"""

from __future__ import annotations

import datetime
import ipaddress
import threading

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kimed_hub.production.mode import HSTS
from kimed_hub.testing import HubProcess, HubUser, new_prefix
from tests.conftest import dump_diagnostics

pytestmark = pytest.mark.integration


def self_signed(folder) -> tuple[str, str]:
    """A certificate and key for 127.0.0.1 (PEM files in ``folder``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "site.crt", folder / "site.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


PORTAL_FROM_INSIDE = """
import os, urllib.request
token = os.environ["JUPYTERHUB_API_TOKEN"]
request = urllib.request.Request(
    os.environ["KIMED_PORTAL_URL"] + "me", headers={"Authorization": "token " + token}
)
print(urllib.request.urlopen(request, timeout=30).status)
"""


def plain_http_answers(port: int) -> bool:
    """Whether the public port serves anything over plain HTTP."""
    try:
        return requests.get(f"http://127.0.0.1:{port}/hub/api/", timeout=5).ok
    except requests.exceptions.ConnectionError:
        return False


@pytest.fixture(scope="module")
def provider():
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_port}"
    claims = {"preferred_username": "alice", "groups": ["/researchers"]}
    requests.put(f"{issuer}/users/alice", json=claims, timeout=10).raise_for_status()
    yield issuer
    server.shutdown()


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def production_hub(singleuser_image, provider, tls, tmp_path_factory):
    cert, key = tls
    env = {
        "KIMED_MODE": "production",
        "KIMED_TLS_CERT": cert,
        "KIMED_TLS_KEY": key,
        "KIMED_AUTH": "oidc",
        "KIMED_OIDC_ISSUER": provider,
        "KIMED_OIDC_CLIENT_ID": "kimed-workbench",
        "KIMED_OIDC_CLIENT_SECRET": "s3cret",
    }
    with HubProcess(tmp_path_factory.mktemp("prod"), new_prefix(), extra_env=env) as hub:
        yield hub.start()


def test_https_secure_cookies_login_spawn_and_a_cell(production_hub):
    hub = production_hub
    assert hub.url.startswith("https://")
    try:
        session = requests.Session()
        session.verify, session.trust_env = hub.verify, False  # see testing._session
        form = session.get(f"{hub.url}/hub/oauth_login?next=/hub/home", timeout=30)
        home = session.post(form.url, data={"sub": "alice"}, timeout=60)
        assert home.url.startswith(f"{hub.url}/hub/") and home.ok, home.url
        assert home.headers["Strict-Transport-Security"] == HSTS
        hub_cookies = [c for c in session.cookies if c.name.startswith("jupyterhub-")]
        assert hub_cookies, list(session.cookies)
        for cookie in hub_cookies:
            assert cookie.secure and cookie.has_nonstandard_attr("HttpOnly"), cookie.name
        assert not plain_http_answers(hub.public_port)

        alice = HubUser.with_session(hub, "alice", session)  # logged in through the provider
        alice.spawn()
        assert alice.run_code("print(6 * 7)").strip() == "42"
        # code in the server still reaches the portal's API (plain HTTP through the gateway)
        assert alice.run_code(PORTAL_FROM_INSIDE).strip() == "200"
    except BaseException:
        dump_diagnostics(hub)
        raise


def test_demo_accounts_are_refused(production_hub, tls, tmp_path):
    answer = requests.post(
        f"{production_hub.url}/hub/login",
        data={"username": "researcher", "password": "anything"},
        verify=production_hub.verify,
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code != 302 and "jupyterhub-hub-login" not in answer.cookies
    cert, key = tls
    env = {"KIMED_MODE": "production", "KIMED_TLS_CERT": cert, "KIMED_TLS_KEY": key}
    refused = HubProcess(tmp_path / "demo", new_prefix(), extra_env={**env, "KIMED_AUTH": "local"})
    with pytest.raises(RuntimeError, match="local demo accounts"):
        refused.start(timeout=60)
