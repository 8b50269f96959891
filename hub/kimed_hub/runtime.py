"""The container runtime: a Docker engine where one runs, else rootful podman.

On hosts with a Docker engine nothing is installed. On hosts without one (like the
project's own machines, see shared/PLATFORM.md) the workbench installs podman, writes the
``containers.conf`` this kind of host needs (cgroupfs, runc, no default ulimits) and starts
podman's Docker-compatible API socket, which DockerSpawner then talks to.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .paths import docker_dir, state_dir

log = logging.getLogger(__name__)

DOCKER_SOCKET = Path("/var/run/docker.sock")
PODMAN_SOCKET = Path("/run/podman/podman.sock")
PODMAN_PACKAGES = ("podman", "runc", "slirp4netns", "iptables", "debootstrap")
CONTAINERS_CONF = Path("/etc/containers/containers.conf")


class RuntimeUnavailable(RuntimeError):
    """The container runtime is missing or unusable; the message says what to do."""


@dataclass(frozen=True)
class ContainerRuntime:
    """Which engine serves the Docker API, and how to reach it."""

    kind: str  # "docker" or "podman"
    socket: Path

    @property
    def base_url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def cli(self) -> str:
        """The command-line client used for image builds and clean-up."""
        return self.kind


def _socket_answers(path: Path) -> bool:
    """True when something accepts connections on the unix socket ``path``."""
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def detect() -> ContainerRuntime:
    """The runtime to use: ``KIMED_RUNTIME`` (docker|podman) if set, else a live Docker
    engine, else podman. Does not install or start anything."""
    wanted = os.environ.get("KIMED_RUNTIME", "auto")
    if wanted not in ("auto", "docker", "podman"):
        raise RuntimeUnavailable(f"KIMED_RUNTIME={wanted!r} is not one of auto, docker, podman.")
    if wanted == "docker" or (wanted == "auto" and _socket_answers(DOCKER_SOCKET)):
        return ContainerRuntime("docker", DOCKER_SOCKET)
    return ContainerRuntime("podman", PODMAN_SOCKET)


def ensure_runtime() -> ContainerRuntime:
    """Detect the runtime and make it ready: for podman, install, configure and start the
    API service if needed. Idempotent: a second call with everything in place is instant."""
    runtime = detect()
    if runtime.kind == "docker":
        if not _socket_answers(runtime.socket):
            raise RuntimeUnavailable(
                f"KIMED_RUNTIME=docker but no Docker engine answers on {runtime.socket}. "
                "Start the engine, or unset KIMED_RUNTIME to use podman."
            )
        return runtime
    _install_podman()
    _configure_podman()
    _start_podman_service()
    return runtime


def _install_podman() -> None:
    missing = [p for p in PODMAN_PACKAGES if not _deb_installed(p)]
    if not missing:
        return
    if os.geteuid() != 0:
        raise RuntimeUnavailable(
            f"podman is needed (no Docker engine found) but {', '.join(missing)} "
            "is not installed and this is not root. Run as root, or install them."
        )
    log.info("installing %s", " ".join(missing))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def _deb_installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return result.returncode == 0 and "install ok installed" in result.stdout


def _configure_podman() -> None:
    """Install the project's containers.conf (reviewed, in docker/podman/) if it differs."""
    wanted = (docker_dir() / "podman" / "containers.conf").read_text()
    if CONTAINERS_CONF.exists() and CONTAINERS_CONF.read_text() == wanted:
        return
    CONTAINERS_CONF.parent.mkdir(parents=True, exist_ok=True)
    if CONTAINERS_CONF.exists():
        backup = CONTAINERS_CONF.with_suffix(".conf.before-kimed")
        if not backup.exists():
            shutil.copy2(CONTAINERS_CONF, backup)
    CONTAINERS_CONF.write_text(wanted)


def _start_podman_service() -> None:
    """Start ``podman system service`` on the API socket unless it already answers."""
    if _socket_answers(PODMAN_SOCKET):
        return
    PODMAN_SOCKET.parent.mkdir(parents=True, exist_ok=True)
    logfile = open(state_dir() / "podman-service.log", "ab")  # noqa: SIM115 (kept by child)
    subprocess.Popen(
        ["podman", "system", "service", "--time=0", f"unix://{PODMAN_SOCKET}"],
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # survives the workbench's Ctrl-C; it is a host service
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if _socket_answers(PODMAN_SOCKET):
            return
        time.sleep(0.2)
    raise RuntimeUnavailable(
        f"podman's API did not come up on {PODMAN_SOCKET} within 30 s; "
        f"see {state_dir() / 'podman-service.log'}."
    )


def runtime_client():
    """A Docker-API client for the detected runtime (podman's socket on podman hosts)."""
    import docker  # local import: only the commands that talk to the runtime need it

    return docker.APIClient(base_url=detect().base_url)


def reported_kind(api) -> str:
    """'podman' or 'docker', as the engine behind ``api`` (a docker-py ``APIClient``) says
    of itself in its ``/_ping`` answer: podman adds ``Libpod-Api-Version`` and names
    itself ``Libpod`` in ``Server``. The ping costs the engine nothing; ``/version`` says
    the same but costs podman 4.3 about 0.6 CPU-seconds per call (it runs conmon and the
    OCI runtime to ask their versions), which per spawn was a third of the control
    plane's CPU."""
    response = api._get(api._url("/_ping"))
    response.raise_for_status()
    return kind_from_ping_headers(response.headers)


def kind_from_ping_headers(headers) -> str:
    """The engine's kind from its ``/_ping`` response headers (see :func:`reported_kind`)."""
    server = str(headers.get("Server", "")).lower()
    return "podman" if "Libpod-Api-Version" in headers or "libpod" in server else "docker"


def remove_containers(prefix: str, volumes: bool = False) -> None:
    """Remove every container (and optionally volume) whose name starts with ``prefix``
    (``kimed clean``, and the test harness after each hub)."""
    client = runtime_client()
    for container in client.containers(all=True):
        if any(n.lstrip("/").startswith(prefix) for n in container.get("Names", [])):
            client.remove_container(container["Id"], force=True)
    if volumes:
        for volume in client.volumes().get("Volumes") or []:
            if volume["Name"].startswith(prefix):
                client.remove_volume(volume["Name"], force=True)
