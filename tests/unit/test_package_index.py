"""Unit tests of the package index service: what it serves, what it refuses and how, and
real pip against it. No hub and no containers here: the hub's token check is replaced by
a stand-in with the real scope check (tests/integration/test_package_index.py runs the
real thing inside a locked container)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
import requests
import yaml
from jupyterhub.services.auth import HubAuth
from tornado.ioloop import IOLoop

from kimed_hub.package_index import INDEX_PATH, SERVICE_PREFIX, pip_env, service_definition
from kimed_hub.package_index.app import REQUIRED_SCOPE, make_app, request_token
from kimed_hub.package_index.catalog import Catalog, read_wheel
from kimed_hub.paths import policies_dir
from kimed_hub.policies import PolicyError, load_policy, package_allowlist
from kimed_hub.testing import free_port

TOKENS = {
    "good": {"name": "researcher", "scopes": [REQUIRED_SCOPE, "access:servers!user=researcher"]},
    "no-scope": {"name": "trainee", "scopes": ["access:servers!user=trainee"]},
}


def make_wheel(
    folder: Path, name: str, version: str, requires: tuple[str, ...] = (), requires_python: str = ""
) -> Path:
    """A real, installable pure-Python wheel with the given metadata."""
    module, dist = name.replace("-", "_"), f"{name.replace('-', '_')}-{version}"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += f"Requires-Python: {requires_python}\n" if requires_python else ""
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    files = {
        f"{module}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist}.dist-info/METADATA": meta,
        f"{dist}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{p},sha256={_b64(c.encode())},{len(c.encode())}\n" for p, c in files.items())
    files[f"{dist}.dist-info/RECORD"] = record + f"{dist}.dist-info/RECORD,,\n"
    path = folder / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in files.items():
            archive.writestr(member, content)
    return path


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


@pytest.fixture
def wheelhouse(tmp_path: Path) -> Path:
    """alpha 1.0 (approved) needs beta, and gamma only on old Pythons or with an extra;
    delta is neither approved nor needed; alpha 0.9 is not the approved version."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    make_wheel(
        folder,
        "alpha",
        "1.0",
        ("beta>=1", 'gamma; python_version < "3.8"', 'gamma; extra == "fast"'),
        ">=3.9",
    )
    make_wheel(folder, "alpha", "0.9")
    make_wheel(folder, "beta", "1.2")
    make_wheel(folder, "gamma", "2.0")
    make_wheel(folder, "delta", "3.0")
    return folder


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    """A copy of the shipped policies with a small allowlist (alpha, and epsilon, which is
    approved but not in the wheelhouse)."""
    folder = tmp_path / "policies"
    shutil.copytree(policies_dir(), folder)
    data = yaml.safe_load((folder / "package-allowlist.yaml").read_text())
    data["packages"] = {
        "alpha": {"version": "1.0", "purpose": "tests"},
        "epsilon": {"version": "1.0", "purpose": "tests"},
    }
    (folder / "package-allowlist.yaml").write_text(yaml.safe_dump(data))
    return folder


@pytest.fixture
def catalog(wheelhouse: Path, policies: Path) -> Catalog:
    return Catalog(wheelhouse, lambda: package_allowlist(policies))


# --- the policy ----------------------------------------------------------------------------


def test_shipped_allowlist_is_valid_and_matches_the_index_lock() -> None:
    """Every approved project is in the index's lock at its approved version."""
    from kimed_hub.images import package_index_env
    from kimed_hub.images.wheels import read_lock

    allowlist = package_allowlist()
    locked = {w.name: w.version for w in read_lock(package_index_env())}
    assert allowlist.packages
    for name, package in allowlist.packages.items():
        assert locked.get(name) == package.version, f"{name}: run `kimed image lock`"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"how_to_request": 'say "please"'}, "how_to_request"),
        ({"packages": {"Bad_Name": {"version": "1", "purpose": "x"}}}, "packages"),
        ({"packages": {"alpha": {"version": ">=1", "purpose": "x"}}}, "packages.alpha.version"),
        ({"packages": {"alpha": {"version": "1"}}}, "packages.alpha.purpose"),
    ],
)
def test_invalid_allowlists_are_refused(policies: Path, change: dict, field: str) -> None:
    path = policies / "package-allowlist.yaml"
    path.write_text(yaml.safe_dump({**yaml.safe_load(path.read_text()), **change}))
    with pytest.raises(PolicyError, match=f"field '{field}"):
        load_policy("package-allowlist", policies)


# --- what is served ------------------------------------------------------------------------


def test_served_is_the_approved_version_and_its_dependencies(catalog: Catalog) -> None:
    served = catalog.served()
    assert sorted(served) == ["alpha", "beta"]
    assert [w.version for w in served["alpha"]] == ["1.0"]
    assert catalog.status("alpha") == catalog.status("beta") == "served"
    assert catalog.status("gamma") == "refused"  # only for old Pythons or an extra
    assert catalog.status("delta") == "refused"
    assert catalog.status("epsilon") == "approved-missing"
    assert catalog.file("alpha-0.9-py3-none-any.whl") is None
    assert catalog.file("delta-3.0-py3-none-any.whl") is None


def test_an_allowlist_change_applies_without_a_restart(catalog: Catalog, policies: Path) -> None:
    path = policies / "package-allowlist.yaml"
    data = yaml.safe_load(path.read_text())
    data["packages"] = {"delta": {"version": "3.0", "purpose": "tests"}}
    path.write_text(yaml.safe_dump(data))
    os.utime(path, ns=(1, 10**18))  # a new mtime, even within the clock's resolution
    assert sorted(catalog.served()) == ["delta"]


def test_wheel_metadata_is_read(wheelhouse: Path) -> None:
    wheel = read_wheel(wheelhouse / "alpha-1.0-py3-none-any.whl")
    assert (wheel.project, wheel.version, wheel.requires_python) == ("alpha", "1.0", ">=3.9")
    assert wheel.sha256 == hashlib.sha256(wheel.path.read_bytes()).hexdigest()


# --- the service over HTTP -----------------------------------------------------------------


class StandInHubAuth(HubAuth):
    """The hub's answer for a token, without a hub; the scope check is HubAuth's own."""

    def user_for_token(self, token, use_cache=True, session_id="", *, sync=True):
        async def answer():
            return TOKENS.get(token)

        return answer()


@pytest.fixture
def index_url(catalog: Catalog):
    """The service on a free loopback port, in a thread; yields its base URL."""
    port, started = free_port(), threading.Event()
    state = {}

    def serve() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        auth = StandInHubAuth(api_token="unused", api_url="http://127.0.0.1:9/hub/api")
        state["server"] = make_app(catalog, auth).listen(port, "127.0.0.1")
        state["loop"] = IOLoop.current()
        started.set()
        state["loop"].start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(10)
    yield f"http://127.0.0.1:{port}"
    state["loop"].add_callback(state["server"].stop)
    state["loop"].add_callback(state["loop"].stop)
    thread.join(10)


def _get(url: str, token: str | None = "good", **headers: str) -> requests.Response:
    auth = {"Authorization": f"token {token}"} if token else {}
    return requests.get(url, headers={**auth, **headers}, timeout=10, allow_redirects=False)


def test_pages_follow_pep_503(index_url: str) -> None:
    root = _get(index_url + INDEX_PATH)
    assert root.status_code == 200 and root.headers["Cache-Control"] == "no-store"
    assert 'href="alpha/"' in root.text and 'href="beta/"' in root.text
    assert "delta" not in root.text
    page = _get(index_url + INDEX_PATH + "alpha/")
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'data-requires-python="&gt;=3.9"' in page.text
    digest = hashlib.sha256(
        _get(index_url + SERVICE_PREFIX + "files/alpha-1.0-py3-none-any.whl").content
    ).hexdigest()
    assert f"../../files/alpha-1.0-py3-none-any.whl#sha256={digest}" in page.text
    assert "alpha-0.9" not in page.text
    renamed = _get(index_url + INDEX_PATH + "Alpha/")
    assert renamed.status_code == 301 and renamed.headers["Location"].endswith("simple/alpha/")


def test_files_outside_the_served_set_are_not_found(index_url: str) -> None:
    for name in ("delta-3.0-py3-none-any.whl", "alpha-0.9-py3-none-any.whl", "..%2fRECORD"):
        assert _get(index_url + SERVICE_PREFIX + "files/" + name).status_code == 404


def test_refusals_say_how_to_ask(index_url: str) -> None:
    browser = _get(index_url + INDEX_PATH + "delta/")
    assert browser.status_code == 404 and browser.reason == "Not on the package allowlist"
    assert "'delta' is not on the KIMed Workbench package allowlist" in browser.text
    assert "To ask for it" in browser.text
    pip = _get(index_url + INDEX_PATH + "delta/", **{"User-Agent": "pip/23.0.1 {}"})
    assert pip.status_code == 200 and "kimed-refusal=" in pip.headers["Content-Type"]
    assert "To ask for it" in pip.headers["Content-Type"]
    missing = _get(index_url + INDEX_PATH + "epsilon/")
    assert missing.status_code == 404 and "kimed image lock" in missing.text


def test_every_page_needs_a_token_with_the_scope(index_url: str) -> None:
    for path in (
        INDEX_PATH,
        INDEX_PATH + "alpha/",
        SERVICE_PREFIX + "files/beta-1.2-py3-none-any.whl",
    ):
        anonymous = _get(index_url + path, token=None)
        assert anonymous.status_code == 401 and "Basic" in anonymous.headers["WWW-Authenticate"]
        assert _get(index_url + path, token="forged").status_code == 401
        denied = _get(index_url + path, token="no-scope")
        assert denied.status_code == 403 and REQUIRED_SCOPE in denied.text


def test_tokens_are_read_from_basic_auth_and_token_headers() -> None:
    basic = base64.b64encode(b"__token__:abc123").decode()
    assert request_token(f"Basic {basic}") == "abc123"
    assert request_token("token abc123") == request_token("Bearer abc123") == "abc123"
    assert request_token("Basic !!!") is None and request_token("") is None
    assert request_token("Basic " + base64.b64encode(b"__token__:").decode()) is None


def _pip(index: str, target: Path, *args: str) -> subprocess.CompletedProcess:
    """The hub venv's real pip, with no configuration but this index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    argv = [sys.executable, "-m", "pip", "install", "--no-cache-dir", "--target", str(target)]
    return subprocess.run(
        [*argv, "--index-url", index, *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_real_pip_installs_an_allowed_package_with_its_dependency(
    index_url: str, tmp_path: Path
) -> None:
    index = index_url.replace("http://", "http://__token__:good@") + INDEX_PATH
    result = _pip(index, tmp_path / "t", "alpha")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "t" / "alpha").is_dir() and (tmp_path / "t" / "beta").is_dir()
    assert not (tmp_path / "t" / "gamma").exists()


def test_real_pip_shows_the_refusal(index_url: str, tmp_path: Path) -> None:
    index = index_url.replace("http://", "http://__token__:good@") + INDEX_PATH
    result = _pip(index, tmp_path / "t", "delta")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "'delta' is not on the KIMed Workbench package allowlist" in output
    assert "To ask for it" in output and "No matching distribution found for delta" in output


# --- wiring --------------------------------------------------------------------------------


def test_pip_env_points_at_the_proxy_with_the_servers_token() -> None:
    env = pip_env("http://10.0.2.2:8081", 8000, "tok123")
    assert env["PIP_INDEX_URL"] == (
        "http://__token__:tok123@10.0.2.2:8000/services/package-index/simple/"
    )
    assert env["PIP_TRUSTED_HOST"] == "10.0.2.2:8000"
    assert env["PIP_DISABLE_PIP_VERSION_CHECK"] == "1"
    assert pip_env(None, 8000, "tok123") == pip_env("http://10.0.2.2:8081", 8000, "") == {}


def test_service_definition_runs_the_index_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIMED_PACKAGE_INDEX_PORT", "18123")
    service = service_definition()
    assert service["name"] == "package-index" and service["url"] == "http://127.0.0.1:18123"
    assert service["command"][1:3] == ["-m", "kimed_hub.package_index"]
    assert service["command"][service["command"].index("--wheelhouse") + 1].endswith(
        "wheelhouse/package-index"
    )


def test_pip_is_told_why_a_token_is_refused(index_url: str, tmp_path: Path) -> None:
    index = index_url.replace("http://", "http://__token__:no-scope@") + INDEX_PATH
    result = _pip(index, tmp_path / "t", "alpha")
    assert result.returncode != 0
    assert "The package index is not open to your role" in result.stdout + result.stderr
    assert REQUIRED_SCOPE in result.stdout + result.stderr
    wheel = SERVICE_PREFIX + "files/beta-1.2-py3-none-any.whl"
    as_pip = _get(index_url + wheel, token="no-scope", **{"User-Agent": "pip/23.0.1"})
    assert as_pip.status_code == 403  # a download is never answered with a 200 text
