"""A hub killed with -9 and started again: nothing is left over, nothing is lost.

One hub of its own (the test kills it). Two users run servers and write a file; the hub
process is killed (SIGKILL, as a crash or the OOM killer would); its managed services end
by themselves (service_supervision.py: the kernel's parent-death signal). The same hub
(same data folder and ports) is started again: exactly one portal, package index and
culler run, every server is found again, reachable through the proxy, runs a cell and
still has the file. Last, each managed service ends within 2 s of SIGTERM.

Services are told apart from other engineers' hubs on this host by ``--hub-pid`` on their
command line. Not proved here: a restart under systemd (the units are checked by
systemd-analyze in tests/unit/test_production.py).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from kimed_hub.testing import HubProcess, new_prefix
from tests.conftest import dump_diagnostics

pytestmark = pytest.mark.integration

SERVICES = ("jupyterhub_idle_culler", "kimed_hub.package_index", "kimed_hub.portal_service")
USERS = ("researcher", "trainee")
WRITE = "open('/home/jovyan/before-crash.txt', 'w').write('kept'); print('written')"
READ = "print(open('/home/jovyan/before-crash.txt').read())"


def services_of(hub_pids: set[int]) -> list[tuple[int, int, str]]:
    """(pid, hub pid, module) of every managed service started by one of ``hub_pids``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if "kimed_hub.service_supervision" in argv and state != "Z":
            hub_pid = int(argv[argv.index("--hub-pid") + 1])
            if hub_pid in hub_pids:
                found.append((int(proc.name), hub_pid, argv[argv.index("--hub-pid") + 2]))
    return found


def wait_for(condition, limit: float, what: str):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what} not within {limit} s")


@pytest.fixture(scope="module")
def crash_hub(singleuser_image, tmp_path_factory):
    with HubProcess(tmp_path_factory.mktemp("crash-hub"), new_prefix()) as hub:
        yield hub.start()


def test_kill_9_then_start_again_keeps_servers_and_runs_one_of_each_service(crash_hub):
    hub = crash_hub
    try:
        users = [hub.login(name) for name in USERS]
        for user in users:
            user.spawn()
            assert user.run_code(WRITE).strip() == "written"
        old = hub.process.pid
        wait_for(lambda: len(services_of({old})) == 3, 30, "three services running")
        hub.process.kill()  # SIGKILL: no clean-up of any kind
        hub.process.wait()
        killed = time.monotonic()
        try:
            wait_for(lambda: not services_of({old}), 2.0, "old services gone after kill -9")
        except AssertionError:
            raise AssertionError(f"still running 2 s after kill -9: {services_of({old})}") from None
        print(f"\nold services gone {time.monotonic() - killed:.2f} s after kill -9")

        hub.start(timeout=300)  # a busy shared host: podman can take minutes to answer
        new = hub.process.pid
        wait_for(lambda: len(services_of({new})) == 3, 60, "three new services")
        time.sleep(2)  # a second copy, if any were started, would show by now
        running = services_of({old, new})
        assert sorted(module for _, _, module in running) == sorted(SERVICES), running
        assert {hub_pid for _, hub_pid, _ in running} == {new}
        for user in users:
            # the hub checks each running server in the background after it starts
            # (JupyterHub's init_spawners_timeout); on a busy host that takes a while
            found = lambda user=user: user.server_state().get("ready")  # noqa: E731
            wait_for(found, 240, f"{user.name}'s server found again")
            assert user.run_code(READ).strip() == "kept"
    except BaseException:
        dump_diagnostics(hub)
        raise


def test_every_service_ends_within_2_s_of_sigterm(crash_hub):
    services = services_of({crash_hub.process.pid})
    assert len(services) == 3, services
    for pid, _, module in services:
        sent = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        wait_for(
            lambda pid=pid: not any(p == pid for p, _, _ in services_of({crash_hub.process.pid})),
            2.0,
            f"{module} ended",
        )
        print(f"{module} ended {time.monotonic() - sent:.2f} s after SIGTERM")
