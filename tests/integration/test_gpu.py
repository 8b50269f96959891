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
