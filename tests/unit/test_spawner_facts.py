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
    ("components", "kind"),
    [
        ([{"Name": "Podman Engine"}, {"Name": "Conmon"}], "podman"),  # podman 4.3's answer
        ([{"Name": "Engine"}, {"Name": "containerd"}], "docker"),
        ([], "docker"),
    ],
)
def test_the_runtime_kind_is_what_the_runtime_reports(components, kind):
    spawner = make_spawner("ana", "researchers")

    async def version(method, *args, **kwargs):
        assert method == "version"
        return {"Components": components}

    spawner.docker = version
    assert asyncio.run(spawner._reported_runtime_kind()) == kind
