"""Production on one machine, the parts that need no hub: production mode's refusals and
settings, admission settings from policy, the systemd units (checked by systemd-analyze
where it exists), backup and restore of SQLite state, and the services' launcher (real
processes: SIGTERM ends them within 2 s, and they die with a parent killed by -9)."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from traitlets.config import Config

from kimed_hub.config import configure
from kimed_hub.paths import policies_dir
from kimed_hub.production import backup, systemd
from kimed_hub.production.mode import HSTS, gateway_port
from kimed_hub.service_supervision import supervised
from kimed_hub.settings import Settings, SettingsError


@pytest.fixture
def hub_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KIMED_HUB_DATA_DIR", str(tmp_path / "hub"))
    for name in ("KIMED_AUTH", "KIMED_SITE_CONFIG", "KIMED_POLICIES_DIR", "KIMED_MODE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("KIMED_TLS_CERT", "KIMED_TLS_KEY", "KIMED_ALLOW_DEMO", "KIMED_PORTAL_DEMO"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def configured() -> Config:
    c = Config()
    configure(c)
    return c


def fake_tls(tmp_path: Path, monkeypatch) -> None:
    for name in ("cert", "key"):
        (tmp_path / f"{name}.pem").write_text("-----BEGIN-----\n")
        monkeypatch.setenv(f"KIMED_TLS_{name.upper()}", str(tmp_path / f"{name}.pem"))


def test_production_refuses_missing_tls_demo_accounts_and_demo_catalogue(hub_env, monkeypatch):
    monkeypatch.setenv("KIMED_MODE", "production")
    monkeypatch.setenv("KIMED_PORTAL_DEMO", "1")
    with pytest.raises(SettingsError) as error:
        configured()
    for phrase in ("TLS is required", "KIMED_AUTH=local", "KIMED_PORTAL_DEMO=1"):
        assert phrase in str(error.value)


def test_production_with_tls_and_explicit_demo_sets_https_cookies_hsts(hub_env, monkeypatch):
    monkeypatch.setenv("KIMED_MODE", "production")
    monkeypatch.setenv("KIMED_ALLOW_DEMO", "1")
    fake_tls(hub_env, monkeypatch)
    c = configured()
    assert c.JupyterHub.bind_url.startswith("https://127.0.0.1:")
    assert c.JupyterHub.ssl_cert.endswith("cert.pem") and c.JupyterHub.ssl_key.endswith("key.pem")
    assert c.JupyterHub.tornado_settings["cookie_options"] == {"secure": True, "httponly": True}
    assert c.JupyterHub.tornado_settings["headers"]["Strict-Transport-Security"] == HSTS
    portal = next(s for s in c.JupyterHub.services if s["name"] == "portal")
    assert "--load-demo" not in portal["command"]  # the demo catalogue is off by default
    # containers keep a plain-HTTP way to the services: the gateway's port, not the public one
    gateway = next(s for s in c.JupyterHub.services if s["name"] == "container-gateway")
    # the spawner reads that port from the service the hub runs (its egress rules and
    # the containers' URLs), not from a trait a site file could set
    port = gateway_port({"container-gateway": SimpleNamespace(command=gateway["command"])})
    assert port and f"--port={port}" in gateway["command"] and port != 8000
    assert "kimed_hub.production.gateway" in gateway["command"]
    routes = [a for a in gateway["command"] if a.startswith("--route=")]
    assert sorted(r.split("=")[1] for r in routes) == [
        "/services/package-index/",
        "/services/portal/",
    ]


def test_tls_needs_both_files(hub_env, monkeypatch):
    monkeypatch.setenv("KIMED_TLS_CERT", str(hub_env / "missing.pem"))
    with pytest.raises(SettingsError, match="both KIMED_TLS_CERT and KIMED_TLS_KEY"):
        Settings.from_env()


def test_admission_settings_come_from_the_policy(hub_env):
    c = configured()
    assert c.JupyterHub.concurrent_spawn_limit == 200
    assert c.WorkbenchSpawner.concurrent_starts == 0  # "auto": one per CPU, at least 2
    assert c.WorkbenchSpawner.admitted_start_timeout == 120
    assert c.WorkbenchSpawner.start_timeout == 3600 + 120
    managed = [s for s in c.JupyterHub.services if "command" in s]
    assert {s["name"] for s in managed} >= {"portal", "package-index"}
    # every process the hub starts is supervised (the hub's own kimed-spawner service is
    # a token only, no process: consent_audit.py)
    assert all("kimed_hub.service_supervision" in s["command"] for s in managed)


def test_external_proxy_leaves_proxy_and_servers_running(hub_env, monkeypatch):
    monkeypatch.setenv("KIMED_PROXY", "external")
    c = configured()
    assert c.ConfigurableHTTPProxy.should_start is False
    assert c.JupyterHub.cleanup_servers is False
    monkeypatch.setenv("KIMED_PROXY", "elsewhere")
    with pytest.raises(SettingsError, match="KIMED_PROXY='elsewhere'"):
        configured()


def test_install_writes_units_that_systemd_accepts(hub_env, monkeypatch):
    monkeypatch.setenv("KIMED_PREFIX", "kimedinstall")
    target = systemd.Install(hub_env / "units", hub_env / "etc")
    written = systemd.install(Settings.from_env(), target)
    hub, proxy = (target.unit_dir / u for u in (systemd.HUB_UNIT, systemd.PROXY_UNIT))
    assert set(written) >= {hub, proxy}
    assert "KIMED_PROXY=external" in (target.env_dir / "hub.env").read_text()
    token = (target.env_dir / "proxy.env").read_text()
    assert (target.env_dir / "proxy.env").stat().st_mode & 0o077 == 0  # holds the token
    assert token.split("=")[1].strip() in (target.env_dir / "hub.env").read_text()
    systemd.install(Settings.from_env(), target)  # reinstall keeps the token
    assert (target.env_dir / "proxy.env").read_text() == token
    assert "--api-ip=127.0.0.1" in proxy.read_text() and "-m jupyterhub" in hub.read_text()
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the units were only written")
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(hub), str(proxy)], capture_output=True, text=True
    )
    # verify also reports units it cannot find on this host (podman.socket); the units'
    # own syntax and executables must be clean
    own = [line for line in result.stderr.splitlines() if "kimed-" in line]
    assert not own, result.stderr


def make_state(root: Path) -> backup.Sources:
    state = root / "hub"
    (state / "portal").mkdir(parents=True)
    for name, sql in (("jupyterhub.sqlite", "users"), ("portal/catalogue.sqlite", "grants")):
        with sqlite3.connect(state / name) as db:
            db.execute(f"create table {sql} (name text)")
            db.execute(f"insert into {sql} values ('{name}')")
    (state / "jupyterhub_cookie_secret").write_text("c0ffee")
    (state / "accounts.json").write_text("{}")
    return backup.Sources(state, f"sqlite:///{state / 'portal/catalogue.sqlite'}", policies_dir())


def test_backup_then_restore_into_a_fresh_state_folder(tmp_path):
    sources = make_state(tmp_path / "old")
    archive = tmp_path / "out" / "kimed.tar.gz"
    manifest = backup.backup(sources, archive)
    assert archive.stat().st_mode & 0o077 == 0 and not list(archive.parent.glob(".*"))
    assert "secrets/jupyterhub_cookie_secret" in manifest["files"]
    fresh = tmp_path / "new" / "hub"
    target = backup.Sources(fresh, f"sqlite:///{fresh / 'portal/catalogue.sqlite'}", policies_dir())
    backup.restore(target, archive)
    with sqlite3.connect(fresh / "portal/catalogue.sqlite") as db:
        assert db.execute("select name from grants").fetchall() == [("portal/catalogue.sqlite",)]
    assert (fresh / "jupyterhub_cookie_secret").read_text() == "c0ffee"
    assert (fresh / "jupyterhub_cookie_secret").stat().st_mode & 0o077 == 0
    assert (fresh / "restored-policies" / "sessions.yaml").is_file()
    with pytest.raises(backup.BackupError, match="already has a hub database"):
        backup.restore(target, archive)


def test_a_damaged_archive_restores_nothing(tmp_path):
    archive = tmp_path / "kimed.tar.gz"
    backup.backup(make_state(tmp_path / "old"), archive)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if member.name == "secrets/accounts.json":
                data = b'{"mallory": 1}'
                member.size = len(data)
            dst.addfile(member, __import__("io").BytesIO(data) if data is not None else None)
    fresh = tmp_path / "new"
    target = backup.Sources(fresh, f"sqlite:///{fresh / 'portal.sqlite'}", policies_dir())
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(target, damaged)
    assert not fresh.exists()


# -- the services' launcher -----------------------------------------------------------------

SERVICE = [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1"]


def wait_gone(process: subprocess.Popen | int, limit: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if isinstance(process, int):
            try:
                Path(f"/proc/{process}/stat").read_text()
                if Path(f"/proc/{process}/stat").read_text().split()[2] == "Z":
                    return time.monotonic() - started
            except FileNotFoundError:
                return time.monotonic() - started
        elif process.poll() is not None:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"still running {limit} s later")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_service_ends_within_2_s_even_with_sigint_ignored(signum):
    ignore = lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)  # noqa: E731 (as `cmd &`)
    service = subprocess.Popen(supervised(SERVICE), preexec_fn=ignore)
    time.sleep(1.5)  # running, handlers installed
    assert service.poll() is None
    service.send_signal(signum)
    assert wait_gone(service, 2.0) < 2.0


def test_a_service_ends_when_its_hub_is_killed():
    # a stand-in hub that starts one supervised service, prints its pid and waits
    code = (
        "import subprocess, sys, time\n"
        "from kimed_hub.service_supervision import supervised\n"
        f"p = subprocess.Popen(supervised({SERVICE!r}))\n"
        "print(p.pid, flush=True); time.sleep(60)\n"
    )
    hub = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    service_pid = int(hub.stdout.readline())
    time.sleep(1.5)
    hub.kill()
    hub.wait()
    assert wait_gone(service_pid, 2.0) < 2.0


def test_container_gateway_forwards_only_its_services(tmp_path):
    """The gateway (production/gateway.py) as a real process before a real HTTP server."""
    from kimed_hub.testing import free_port

    (tmp_path / "services" / "portal").mkdir(parents=True)
    (tmp_path / "services" / "portal" / "me").write_text("hello")
    backend, gateway = free_port(), free_port()
    processes = [
        subprocess.Popen([*SERVICE[:3], str(backend), "--bind", "127.0.0.1"], cwd=tmp_path),
        subprocess.Popen(
            [sys.executable, "-m", "kimed_hub.production.gateway", f"--port={gateway}"]
            + [f"--route=/services/portal/=http://127.0.0.1:{backend}"]
        ),
    ]
    try:
        url = f"http://127.0.0.1:{gateway}"
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.get(f"{url}/services/portal/me", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "gateway did not come up"
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.text == "hello"
        assert answer.headers["Server"].startswith("SimpleHTTP")  # the service's, not ours
        assert requests.get(f"{url}/hub/api/", timeout=5).status_code == 404
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
