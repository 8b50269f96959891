"""A real hub killed with -9 while a GPU server runs: the next GPU spawn gets another device.

GPUs are faked through the spawner's trait in the hub's site file (``gpu_devices: ['0',
'1']``, the GPU profile's image variant pointed at the CPU image). What the runtime
received is read from the runtime itself: podman 4.3's Docker-compatible API does not
resolve CDI device names, it ``stat``s them as host paths, so the container create for a
GPU server fails with ``stat nvidia.com/gpu=<id>: no such file or directory``. That error,
in the hub's log, is podman's own record of which device the hub asked for.

Because no GPU container can be created here, the running "GPU server" is a real CPU
server whose saved spawner state (the hub database, written while the hub is dead) is
given the GPU the hub assigned to the same user's refused GPU spawn: the state
``WorkbenchSpawner.get_state`` writes for a GPU server (tests/unit/test_spawner_profiles.py
shows that it does). After the restart the real hub must load that state, claim the GPU
and hand the next user the other one.

Not proved here: that a GPU server's container really gets (and keeps) its device, and
that get_state saves the GPUs of a server the runtime really started with one; that needs
a Docker host with NVIDIA GPUs (tests/integration/test_gpu.py, skipped elsewhere).
"""

from __future__ import annotations

import json
import re
import sqlite3
import time

import pytest

from kimed_hub.spawner import GPUS_STATE_KEY
from kimed_hub.testing import HubProcess, HubUser, new_prefix
from tests.conftest import dump_diagnostics

pytestmark = pytest.mark.integration

#: podman's answer to a create call carrying a CDI device name it cannot resolve.
ASKED = re.compile(r"stat nvidia\.com/gpu=(\w+): no such file or directory")


@pytest.fixture(scope="module")
def gpu_hub(singleuser_image, tmp_path_factory):
    site = {
        "WorkbenchSpawner": {
            "gpu_devices": ["0", "1"],
            "image_variants": {"gpu": singleuser_image},
        }
    }
    with HubProcess(tmp_path_factory.mktemp("gpu-hub"), new_prefix(), site_config=site) as hub:
        yield hub.start()


def devices_asked(hub: HubProcess, since: int) -> list[str]:
    """GPU IDs the runtime was asked for (its refusals in the hub log after ``since``;
    the hub logs each refusal more than once)."""
    return sorted(set(ASKED.findall(hub.log_path.read_text(errors="replace")[since:])))


def gpu_spawn_refused_by_runtime(hub: HubProcess, user: HubUser) -> list[str]:
    """Ask for a GPU server; wait for the runtime to refuse it; the device IDs it got."""
    since = len(hub.log_path.read_text(errors="replace"))
    response = user.api("POST", f"/users/{user.name}/server", json={"profile": "gpu"})
    assert response.status_code in (201, 202, 500), response.text
    deadline = time.monotonic() + 180
    while user.server_state() and time.monotonic() < deadline:
        time.sleep(0.3)  # pending until the failed spawn is cleaned up
    assert not user.server_state(), "a GPU server started: podman resolved a CDI name?"
    return devices_asked(hub, since)


def give_saved_state_gpus(hub: HubProcess, username: str, devices: list[str]) -> None:
    """Add ``devices`` to ``username``'s saved spawner state (the hub is not running)."""
    with sqlite3.connect(hub.data_dir / "jupyterhub.sqlite") as db:
        row = db.execute(
            "SELECT spawners.id, spawners.state FROM spawners JOIN users"
            " ON users.id = spawners.user_id WHERE users.name = ? AND spawners.name = ''",
            (username,),
        ).fetchone()
        state = json.loads(row[1])
        assert state.get("object_id"), state  # a running server's container
        state[GPUS_STATE_KEY] = devices
        db.execute("UPDATE spawners SET state = ? WHERE id = ?", (json.dumps(state), row[0]))


def test_the_runtime_receives_the_assigned_gpu(gpu_hub):
    researcher = gpu_hub.login("researcher")
    try:
        assert gpu_spawn_refused_by_runtime(gpu_hub, researcher) == ["0"]
        # the refused spawn gave its device back: asked again, the same one
        assert gpu_spawn_refused_by_runtime(gpu_hub, researcher) == ["0"]
    except BaseException:
        dump_diagnostics(gpu_hub)
        raise


def test_after_kill_9_the_next_gpu_spawn_gets_the_other_device(gpu_hub):
    hub = gpu_hub
    try:
        researcher = hub.login("researcher")
        # explicit: a plain spawn would reuse the refused GPU spawn's options
        cpu = {"profile": "cpu-standard"}
        started = time.monotonic()
        answer = researcher.api("POST", "/users/researcher/server", json=cpu)
        assert answer.status_code in (201, 202), answer.text
        researcher.wait_ready(started)
        hub.process.kill()  # a crash: a clean stop would stop every server
        hub.process.wait()
        give_saved_state_gpus(hub, "researcher", ["0"])
        since = len(hub.log_path.read_text(errors="replace"))
        hub.start(timeout=300)
        restarted = hub.log_path.read_text(errors="replace")[since:]
        assert "researcher/ holds GPUs ['0']" in restarted
        deadline = time.monotonic() + 240
        while not researcher.server_state().get("ready"):
            assert time.monotonic() < deadline, "researcher's server not found again"
            time.sleep(0.3)
        assert gpu_spawn_refused_by_runtime(hub, hub.login("admin")) == ["1"]
    except BaseException:
        dump_diagnostics(hub)
        raise
