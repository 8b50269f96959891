"""GPU assignment: each GPU profile server gets its own device(s).

A plain ``DeviceRequest(count=1)`` gives every user the same first GPU (dockerspawner#331),
so the hub keeps an inventory and assigns device IDs itself, exclusively unless the
profiles policy allows sharing. Docker hosts get ``device_requests`` (NVIDIA container
toolkit); podman hosts get CDI device names (``nvidia.com/gpu=<id>``), since podman's
Docker-compatible API ignores ``DeviceRequests`` (podman#22645). Podman 4.3's compatible
API does not resolve CDI names either (it ``stat``s them as paths and the create fails),
as tests/integration/test_gpu_restart.py shows; GPUs there need a podman whose
compatible API resolves CDI names (not tried here).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from typing import Any


class NoGpuAvailable(RuntimeError):
    """Every GPU is in use (or the host has none); the message says which."""


def detect_gpu_ids() -> list[str]:
    """Indices of the host's NVIDIA GPUs from ``nvidia-smi``; [] where there is none."""
    if not shutil.which("nvidia-smi"):
        return []
    result = subprocess.run(
        ["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


class GpuPool:
    """Which GPU serves which server. Shared by all spawners of one hub process."""

    def __init__(self) -> None:
        self._holders: dict[str, list[str]] = {}  # holder (server) -> device ids

    def assign(self, holder: str, count: int, inventory: list[str], sharing: bool) -> list[str]:
        """Assign ``count`` devices to ``holder``; least-used first when sharing is allowed."""
        self.release(holder)
        use = Counter(d for devices in self._holders.values() for d in devices)
        candidates = [d for d in inventory if sharing or use[d] == 0]
        candidates.sort(key=lambda d: use[d])
        if len(candidates) < count:
            raise NoGpuAvailable(
                f"{count} GPU(s) requested, {len(candidates)} free of {len(inventory)} "
                f"on this host ({'none installed' if not inventory else 'all in use'})."
            )
        self._holders[holder] = candidates[:count]
        return self._holders[holder]

    def claim(self, holder: str, devices: list[str]) -> None:
        """Record that ``holder`` has ``devices`` already (a server running before a hub
        restart, from its saved state), so they are not assigned again."""
        self._holders[holder] = list(devices)

    def release(self, holder: str) -> None:
        self._holders.pop(holder, None)

    def held_by(self, holder: str) -> list[str]:
        return list(self._holders.get(holder, []))


def gpu_host_config(runtime_kind: str, device_ids: list[str]) -> dict[str, Any]:
    """Host-config settings that give a container exactly ``device_ids``."""
    if not device_ids:
        return {}
    if runtime_kind == "docker":
        return {
            "device_requests": [
                {"Driver": "nvidia", "DeviceIDs": device_ids, "Capabilities": [["gpu"]]}
            ]
        }
    return {"devices": [f"nvidia.com/gpu={d}" for d in device_ids]}


def gpus_in_inspect(inspect: dict[str, Any]) -> list[str]:
    """The GPU device IDs a created container was given (either mechanism)."""
    host = inspect.get("HostConfig") or {}
    ids = [d for r in host.get("DeviceRequests") or [] for d in r.get("DeviceIDs") or []]
    for device in host.get("Devices") or []:
        path = device.get("PathOnHost", "")
        if path.startswith("nvidia.com/gpu=") or path.startswith("/dev/nvidia"):
            ids.append(path.split("=")[-1])
    return ids


POOL = GpuPool()
