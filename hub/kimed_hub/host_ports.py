"""Host loopback ports: for user servers, handed out by the hub itself, and for the
hub-managed services (:func:`service_port`).

Letting the runtime pick a random port made concurrent spawns collide ("address already
in use" when podman bound it a moment later). The hub reserves a port from a range kept
below the kernel's ephemeral range (32768+), probes that it is free, and holds it until
the server stops.
"""

from __future__ import annotations

import os
import random
import socket


class PortPool:
    """Ports of ``[low, high]`` reserved by this hub and not yet released."""

    def __init__(self) -> None:
        self._in_use: set[int] = set()

    def reserve(self, host_ip: str, low: int, high: int) -> int | None:
        """A free port, now reserved; None when none is free (after a bounded search)."""
        for port in random.sample(range(low, high + 1), k=min(200, high - low + 1)):
            if port in self._in_use:
                continue
            with socket.socket() as probe:
                try:
                    probe.bind((host_ip, port))
                except OSError:
                    continue
            self._in_use.add(port)
            return port
        return None

    def claim(self, port: int) -> None:
        """Record ``port`` as in use (a server running before a hub restart)."""
        self._in_use.add(port)

    def release(self, port: int | None) -> None:
        self._in_use.discard(port)


# One pool per hub process: every spawner shares it.
HOST_PORTS = PortPool()


#: The deployment's own ports (settings.Settings.from_env reads the same variables):
#: free while the hub restarts (the proxy restarts with it), so a free-port pick could
#: land on one; seen: the portal given the proxy API's port after a hub restart, and
#: exiting "Address already in use" every 30 s from then on.
_DEPLOYMENT_PORTS = (
    ("KIMED_PUBLIC_PORT", 8000),
    ("KIMED_HUB_PORT", 8081),
    ("KIMED_PROXY_API_PORT", 8001),
)


def service_port(env_name: str) -> int:
    """A managed service's loopback port: the one ``env_name`` names, or a free one that
    is none of the deployment's own ports (only the proxy needs to know it: people reach
    services at /services/<name>/)."""
    if os.environ.get(env_name):
        return int(os.environ[env_name])
    reserved = {str(os.environ.get(name, default)) for name, default in _DEPLOYMENT_PORTS}
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if str(port) not in reserved:
            return port


def bind_host(url) -> str:
    """Where a managed service listens: the host of its URL (loopback on one machine), or
    ``KIMED_SERVICE_BIND_HOST`` when its URL names a Service it cannot bind (Kubernetes:
    ``http://hub:<port>``; the pod's NetworkPolicy lets only the proxy in)."""
    return os.environ.get("KIMED_SERVICE_BIND_HOST") or url.hostname
