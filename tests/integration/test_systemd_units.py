"""The units ``kimed install`` writes, run as systemd would run them, without systemd.

systemd is not PID 1 on these machines (nor in CI), so ``systemctl`` cannot start the
units. What can be exercised is run here: ``kimed install`` writes both units and their
environment files; a small supervisor (:class:`UnitRunner`) starts each unit's exact
``ExecStartPre``/``ExecStart`` command line with only its ``EnvironmentFile`` (plus PATH,
as systemd gives) in its ``WorkingDirectory``, and restarts it after ``RestartSec`` as the
unit's ``Restart=`` says. Then: the hub and the separate proxy come up; a user spawns; the
hub is killed (-9); while it is down the user's server still answers through the proxy;
the supervisor restarts the hub, which finds the server again (its files kept); the proxy
ran the whole time as one process; and a stop (SIGTERM, as ``systemctl stop``) ends the
hub in time and leaves the user's server running.

Not proved here (documentation only): systemd's own behaviour, i.e. dependency order,
``KillMode=control-group`` ending the services' process group, ``TimeoutStopSec``,
starting at boot. ``systemd-analyze verify`` checks the units' syntax
(tests/unit/test_production.py). PYTHONPATH is passed on when set, so that a git worktree
runs its own code rather than the editable install's.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from kimed_hub.production import systemd
from kimed_hub.runtime import runtime_client
from kimed_hub.testing import HubProcess, new_prefix
from tests.conftest import dump_diagnostics
from tests.integration.test_hub_restart import wait_for

pytestmark = pytest.mark.integration

SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
WRITE = "open('/home/jovyan/unit.txt', 'w').write('kept'); print('written')"
READ = "print(open('/home/jovyan/unit.txt').read())"


def unit_service(path: Path) -> dict[str, str]:
    """The ``[Service]`` settings of a unit file."""
    section, settings = "", {}
    for line in path.read_text().splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            settings[key] = value
    return settings


def environment_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines, values unquoted as systemd does (systemd.py quotes them)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: "".join(shlex.split(value)) for key, value in pairs}


class UnitRunner:
    """Runs one unit's command lines and restarts them as its ``Restart=`` says."""

    def __init__(self, unit: Path, log: Path):
        self.service, self.log = unit_service(unit), log
        env = environment_file(Path(self.service["EnvironmentFile"]))
        self.env = {"PATH": SYSTEMD_PATH, **env}
        if os.environ.get("PYTHONPATH"):
            self.env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        self.cwd = self.service.get("WorkingDirectory") or "/"
        self.starts, self.process, self._stopping = 0, None, False
        self._watcher: threading.Thread | None = None

    def _run(self, key: str) -> subprocess.Popen:
        with open(self.log, "ab") as log:
            return subprocess.Popen(
                shlex.split(self.service[key]), env=self.env, cwd=self.cwd, stdout=log, stderr=log
            )

    def start(self) -> UnitRunner:
        if "ExecStartPre" in self.service:
            assert self._run("ExecStartPre").wait(120) == 0, "ExecStartPre failed"
        self.process, self.starts = self._run("ExecStart"), self.starts + 1
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()
        return self

    def _watch(self) -> None:
        code = self.process.wait()
        if self._stopping:
            return
        restart = self.service.get("Restart", "no")
        if restart == "always" or (restart == "on-failure" and code != 0):
            time.sleep(float(self.service.get("RestartSec", "0.1")))
            if not self._stopping:
                self.start()

    def stop(self) -> float:
        """SIGTERM, as ``systemctl stop``; seconds until the process ended."""
        self._stopping = True
        if not self.process or self.process.poll() is not None:
            return 0.0
        sent = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(float(self.service.get("TimeoutStopSec", "90")))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - sent


def hub_answers(hub: HubProcess) -> bool:
    try:
        return requests.get(f"{hub.url}/hub/api/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def portal_answers(hub: HubProcess) -> bool:
    """Whether the portal service itself answers through the proxy (until the hub adds
    its route, the hub answers in its place with a redirect to /hub/services/portal/)."""
    try:
        answer = requests.get(f"{hub.url}/services/portal/", timeout=2, allow_redirects=False)
    except requests.RequestException:
        return False
    hub_fallback = answer.headers.get("Location", "").startswith("/hub/services/")
    return answer.status_code in (200, 302) and not hub_fallback


@pytest.fixture(scope="module")
def units(singleuser_image, tmp_path_factory):
    """``kimed install`` into a temporary folder, for a hub on this test's own ports."""
    root = tmp_path_factory.mktemp("units")
    hub = HubProcess(root / "hub", new_prefix())
    unit_dir, env_dir = root / "units", root / "etc"
    subprocess.run(
        [sys.executable, "-m", "kimed_hub.cli", "install", "--unit-dir", str(unit_dir)]
        + ["--env-dir", str(env_dir)],
        env=hub.environment(),
        check=True,
        capture_output=True,
        timeout=120,
    )
    proxy = UnitRunner(unit_dir / systemd.PROXY_UNIT, root / "proxy.log")
    runner = UnitRunner(unit_dir / systemd.HUB_UNIT, hub.log_path)
    try:
        proxy.start()
        runner.start()
        yield hub, runner, proxy
    except BaseException:
        dump_diagnostics(hub)
        raise
    finally:
        runner.stop()
        proxy.stop()
        hub.close()


def test_hub_restarted_after_a_crash_behind_a_proxy_that_keeps_running(units):
    hub, runner, proxy = units
    wait_for(lambda: hub_answers(hub), 300, "the hub through the proxy unit")
    # With the proxy in a unit of its own the hub answers before its services are up
    # (a managed proxy starts after them); on the first start the portal service creates
    # the database the spawner reads, so a spawn before that is refused, with a message.
    wait_for(lambda: portal_answers(hub), 300, "the portal service")
    assert hub.process is None and runner.service["Restart"] == "on-failure"
    user = hub.login("researcher")
    user.spawn()
    assert user.run_code(WRITE).strip() == "written"
    proxy_pid, crashed = proxy.process.pid, runner.process
    crashed.kill()  # as a crash would
    crashed.wait()
    # The hub is down for RestartSec (5 s): the proxy still routes to the user's server.
    assert not hub_answers(hub)
    status = user.get("api/status")
    assert status.status_code == 200, status.text[:300]
    wait_for(lambda: runner.process is not crashed and hub_answers(hub), 300, "restart")
    wait_for(lambda: user.server_state().get("ready"), 240, "the server found again")
    assert user.run_code(READ).strip() == "kept"
    assert runner.starts == 2 and proxy.starts == 1 and proxy.process.pid == proxy_pid


def test_stop_ends_the_hub_in_time_and_leaves_servers_running(units):
    hub, runner, _proxy = units
    took = runner.stop()
    assert took < float(runner.service["TimeoutStopSec"]), took
    assert runner.process.returncode is not None
    client = runtime_client()
    running = client.containers(filters={"name": hub.prefix})
    assert len(running) == 1, "KIMED_PROXY=external: stopping the hub keeps users' servers"
