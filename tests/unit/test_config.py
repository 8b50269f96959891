"""The hub configuration the workbench produces from its policies and settings."""

from __future__ import annotations

import shutil

import pytest
import yaml
from traitlets.config import Config

from kimed_hub.config import configure
from kimed_hub.paths import policies_dir
from kimed_hub.policies import PolicyError
from kimed_hub.settings import SettingsError


@pytest.fixture
def hub_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KIMED_HUB_DATA_DIR", str(tmp_path / "hub"))
    for name in ("KIMED_AUTH", "KIMED_SITE_CONFIG", "KIMED_POLICIES_DIR", "KIMED_PUBLIC_PORT"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def configured() -> Config:
    c = Config()
    configure(c)
    return c


def test_loopback_only_and_policy_driven(hub_env):
    c = configured()
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000" and c.JupyterHub.hub_ip == "127.0.0.1"
    assert c.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    assert c.JupyterHub.spawner_class == "workbench"
    assert c.WorkbenchSpawner.pull_policy == "never"
    # container-security.yaml's allow_ipv6: false also switches IPv6 off in slirp4netns
    if c.WorkbenchSpawner.runtime_kind == "podman":
        assert c.WorkbenchSpawner.network_name.endswith(",enable_ipv6=false")
    # the image banner after an image change (server_images.py)
    assert callable(c.JupyterHub.template_vars["announcement_home"])
    # sessions.yaml
    assert c.Authenticator.auth_refresh_age == 300
    culler = c.JupyterHub.services[0]
    assert culler["name"] == "idle-culler" and "--timeout=3600" in culler["command"]
    assert c.JupyterHub.allow_named_servers is False
    # roles.yaml
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["kimed-researcher"]["groups"] == ["researchers"]
    assert set(roles["kimed-idle-culler"]["scopes"]) >= {"list:users", "delete:servers"}
    assert "custom:kimed:read:catalogue" in c.JupyterHub.custom_scopes
    assert "custom:kimed:write:catalogue" not in c.WorkbenchSpawner.server_token_scopes
    assert "access:servers!server" in c.WorkbenchSpawner.server_token_scopes
    # local accounts: admin only from the admin group
    assert c.Authenticator.admin_users == {"admin"}
    assert c.JupyterHub.load_groups["researchers"] == {"users": ["researcher"]}


def test_site_file_is_applied_last(hub_env, monkeypatch):
    site = hub_env / "site.yaml"
    site.write_text(yaml.safe_dump({"WorkbenchSpawner": {"start_timeout": 300}}))
    monkeypatch.setenv("KIMED_SITE_CONFIG", str(site))
    assert configured().WorkbenchSpawner.start_timeout == 300


def test_bad_policy_stops_configuration(hub_env, monkeypatch):
    broken = hub_env / "policies"
    shutil.copytree(policies_dir(), broken)
    (broken / "sessions.yaml").write_text("version: 1\n")
    monkeypatch.setenv("KIMED_POLICIES_DIR", str(broken))
    with pytest.raises(PolicyError, match="field 'idle_culler': is required"):
        configured()


def test_unknown_auth_mode_and_missing_oidc_settings_are_named(hub_env, monkeypatch):
    monkeypatch.setenv("KIMED_AUTH", "ldap")
    with pytest.raises(SettingsError, match="KIMED_AUTH='ldap'"):
        configured()
    monkeypatch.setenv("KIMED_AUTH", "oidc")
    monkeypatch.delenv("KIMED_OIDC_ISSUER", raising=False)
    with pytest.raises(SettingsError, match="needs KIMED_OIDC_ISSUER"):
        configured()
