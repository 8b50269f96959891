"""A GPU profile server really sees its GPU: runs only on a Docker host with an NVIDIA GPU.

Everywhere else (the project's machines and CI: podman, no GPU) it is skipped, and
tests/unit/test_spawner_profiles.py covers what the spawner asks the runtime for.
"""

from __future__ import annotations

import pytest

from kimed_hub.gpus import detect_gpu_ids
from kimed_hub.runtime import detect

pytestmark = [pytest.mark.integration, pytest.mark.gpu]


def _why_not() -> str | None:
    if not detect_gpu_ids():
        return "no NVIDIA GPU on this host (nvidia-smi lists none)"
    if detect().kind != "docker":
        return "GPUs need a Docker engine with NVIDIA's toolkit; podman ignores device requests"
    return None


@pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")
def test_gpu_profile_server_runs_nvidia_smi(hub):
    user = hub.login("researcher")
    response = user.api("POST", "/users/researcher/server", json={"profile": "gpu"})
    assert response.status_code in (201, 202), response.text
    import time

    user.wait_ready(time.monotonic())
    seen = user.run_code(
        "import subprocess; print(subprocess.run(['nvidia-smi', '-L'], "
        "capture_output=True, text=True).stdout)"
    )
    assert seen.count("GPU ") == 1  # exactly its own device
    user.stop_server()


def _why_not_two() -> str | None:
    if _why_not() is not None:
        return _why_not()
    if len(detect_gpu_ids()) < 2:
        return "needs two GPUs to show that a second server gets the other one"
    return None


@pytest.mark.skipif(_why_not_two() is not None, reason=_why_not_two() or "")
def test_after_a_hub_crash_the_next_gpu_server_gets_the_other_device(tmp_path):
    """The hub is killed (a crash: a clean stop would stop every server) while a GPU server
    runs; the restarted hub reloads that server's state, so the next GPU server gets the
    other device. Here on a host with real GPUs; tests/unit/test_spawner_profiles.py shows
    the same bookkeeping with faked ones."""
    import signal
    import time

    from kimed_hub.testing import HubProcess, new_prefix

    ids = detect_gpu_ids()[:2]
    site = {"WorkbenchSpawner": {"gpu_devices": ids}}
    with HubProcess(tmp_path, new_prefix(), site_config=site) as hub:
        hub.start()
        first = hub.login("researcher")
        first.api("POST", "/users/researcher/server", json={"profile": "gpu"})
        first.wait_ready(time.monotonic())
        hub.process.send_signal(signal.SIGKILL)
        hub.process.wait()
        hub.start()
        assert "researcher/ holds GPUs" in hub.log_tail(400)
        admin = hub.login("admin")
        admin.api("POST", "/users/admin/server", json={"profile": "gpu"})
        admin.wait_ready(time.monotonic())
        devices = [
            admin.run_code("import os; print(os.environ.get('NVIDIA_VISIBLE_DEVICES'))"),
            hub.login("researcher").run_code(
                "import os; print(os.environ.get('NVIDIA_VISIBLE_DEVICES'))"
            ),
        ]
        assert len({d.strip() for d in devices}) == 2, devices
