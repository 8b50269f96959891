"""Facts the spawner's checks rest on come from the hub and the runtime, never a trait.

The runtime's kind (podman decides the runtime-spec check and the egress rules) is what
the runtime reports about itself; a ``runtime_kind`` setting that disagrees is refused in
``start_object`` (named "runtime:").

Where the egress rules let a container go comes from the hub itself, never a trait.

The policy's ``network.allowed_peers`` name the peers (``hub_api``, ``proxy``); the ports
are read from the running hub's own objects: its API's port, its proxy's public URL, or
with TLS the containers' gateway service it runs. A site file has no trait left to point
the rules (or the containers' pip and portal URLs) at another host port.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from kimed_hub.production.mode import gateway_port
from kimed_hub.runtime import kind_from_ping_headers
from tests.unit.test_spawner_profiles import make_spawner


def with_hub(spawner, public_url: str, services: dict | None = None):
    spawner.user.settings = {
        "proxy": SimpleNamespace(public_url=public_url),
        "services": services or {},
    }
    return spawner


def test_the_proxy_and_hub_api_ports_are_the_hubs_own():
    spawner = with_hub(make_spawner("ana", "researchers"), "http://127.0.0.1:8123")
    assert spawner.peer_ports() == {"hub_api": spawner.hub.port, "proxy": 8123}


def test_with_tls_the_proxy_peer_is_the_gateway_the_hub_runs():
    gateway = SimpleNamespace(command=["python", "-m", "x", "--port=23456", "--route=/a/=b"])
    spawner = with_hub(
        make_spawner("ana", "researchers"),
        "https://127.0.0.1:8443",
        {"container-gateway": gateway, "portal": SimpleNamespace(command=["--port=5432"])},
    )
    assert spawner.peer_ports()["proxy"] == 23456


def test_no_trait_can_move_the_peers():
    spawner = make_spawner("ana", "researchers")
    for trait in ("proxy_port", "hub_api_port"):
        assert not spawner.has_trait(trait), f"{trait} would let a site file open a port"


def test_a_gateway_without_a_port_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="no --port"):
        gateway_port({"container-gateway": SimpleNamespace(command=["python", "-m", "x"])})
    assert gateway_port({}) is None


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        # podman 4.3.1's /_ping answer (abridged)
        (
            {
                "Api-Version": "1.41",
                "Libpod-Api-Version": "4.3.1",
                "Server": "Libpod/4.3.1 (linux)",
            },
            "podman",
        ),
        ({"Server": "Libpod/5.0.0 (linux)"}, "podman"),
        (
            {
                "Api-Version": "1.47",
                "Server": "Docker/27.3.1 (linux)",
                "Docker-Experimental": "false",
            },
            "docker",
        ),
        ({}, "docker"),
    ],
)
def test_the_runtime_kind_is_what_the_runtime_reports(headers, kind):
    assert kind_from_ping_headers(headers) == kind


def test_the_spawner_asks_the_runtime_for_its_kind_not_its_setting(monkeypatch):
    spawner = make_spawner("ana", "researchers")
    spawner.runtime_kind = "docker"  # the setting must not decide
    pings = []

    class Api:
        def _url(self, path):
            return path

        def _get(self, url):
            pings.append(url)
            return SimpleNamespace(
                headers={"Libpod-Api-Version": "4.3.1"}, raise_for_status=lambda: None
            )

    monkeypatch.setattr(type(spawner), "_client", Api())  # DockerSpawner's shared client
    assert asyncio.run(spawner._reported_runtime_kind()) == "podman"
    assert pings == ["/_ping"]


def test_a_services_free_port_is_never_one_of_the_deployments_own(monkeypatch):
    """After a hub restart the proxy's API port is free for a moment; the portal must not
    be given it (it then failed "Address already in use" for good)."""
    import socket

    from kimed_hub import host_ports

    picks = iter([41001, 41002, 41003])

    class Socket:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def bind(self, address):
            self.port = next(picks)

        def getsockname(self):
            return ("127.0.0.1", self.port)

    monkeypatch.delenv("KIMED_TEST_SERVICE_PORT", raising=False)
    monkeypatch.setenv("KIMED_PROXY_API_PORT", "41001")
    monkeypatch.setenv("KIMED_HUB_PORT", "41002")
    monkeypatch.setattr(socket, "socket", Socket)
    assert host_ports.service_port("KIMED_TEST_SERVICE_PORT") == 41003
