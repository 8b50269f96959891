"""Profile choice and GPU assignment as they reach the container create call.

The only stand-in here is the runtime call itself: ``WorkbenchSpawner.docker`` records
the arguments of ``create_container`` instead of sending them. podman (the runtime on the
project's machines) ignores GPU device requests, so what these tests prove is what the
spawner ASKS for; that a Docker host with NVIDIA's toolkit then exposes exactly that GPU
is proven only by tests/integration/test_gpu.py, which runs where a GPU exists.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from jupyterhub.objects import Hub
from tornado import web

from kimed_hub import gpus, host_ports
from kimed_hub import spawner as spawner_module
from kimed_hub.spawner import GPUS_STATE_KEY, PORT_STATE_KEY, SpawnRefused, WorkbenchSpawner


def make_spawner(name: str, group: str, options: dict | None = None, **traits) -> WorkbenchSpawner:
    user = SimpleNamespace(
        name=name,
        escaped_name=name,
        groups=[SimpleNamespace(name=group)],
        url=f"/user/{name}/",
        id=1,
        server=None,
        settings={"proxy": SimpleNamespace(public_url="http://127.0.0.1:8000")},  # the hub's own
        orm_user=None,
    )
    spawner = WorkbenchSpawner(
        user=user,
        hub=Hub(),
        image="localhost/kimed-singleuser:test",
        image_variants={"gpu": "localhost/kimed-singleuser-gpu:test"},
        runtime_kind="docker",
        gpu_devices=["0", "1"],
        **{"use_internal_ip": True, **traits},
        # a fixed API version: the client then never contacts a runtime
        client_kwargs={"version": "1.43", "base_url": "unix:///nonexistent"},
    )
    spawner.user_options = options or {}
    return spawner


def create_call(spawner: WorkbenchSpawner) -> dict:
    """Run prepare_start + create_object; return the create_container keyword arguments."""
    calls = []

    async def record(method, *args, **kwargs):
        if method == "inspect_image":  # the image's default command
            return {"Config": {"Cmd": ["jupyterhub-singleuser"]}}
        calls.append((method, kwargs))
        return {"Id": "0" * 12}

    spawner.docker = record
    spawner.prepare_start()
    asyncio.run(spawner.create_object())
    ((method, kwargs),) = calls
    assert method == "create_container"
    return kwargs


@pytest.fixture(autouse=True)
def fresh_gpu_pool(monkeypatch):
    monkeypatch.setattr(gpus, "POOL", gpus.GpuPool())


def test_gpu_profile_requests_its_own_device():
    first_call = create_call(make_spawner("ada", "researchers", {"profile": "gpu"}))
    assert first_call["image"] == "localhost/kimed-singleuser-gpu:test"  # the CUDA build
    first = first_call["host_config"]
    second = create_call(make_spawner("bob", "researchers", {"profile": "gpu"}))["host_config"]
    (request_a,), (request_b,) = first["DeviceRequests"], second["DeviceRequests"]
    assert request_a["Driver"] == "nvidia" and request_a["Capabilities"] == [["gpu"]]
    assert request_a["DeviceIDs"] == ["0"] and request_b["DeviceIDs"] == ["1"]  # never shared
    assert first["Memory"] == 32 * 1024**3 and first["CpuQuota"] == 4 * first["CpuPeriod"]


def test_no_free_gpu_refuses_with_a_message():
    for name in ("ada", "bob"):
        create_call(make_spawner(name, "researchers", {"profile": "gpu"}))
    with pytest.raises(SpawnRefused) as refused:
        make_spawner("cy", "researchers", {"profile": "gpu"}).prepare_start()
    assert "No GPU is free" in refused.value.jupyterhub_message


def test_after_a_hub_restart_running_servers_keep_their_gpus_and_ports(monkeypatch):
    """A hub restart, as JupyterHub does it: a new process (fresh allocation tables), then
    ``load_state`` with each running server's saved state. The next GPU spawn must get
    another device. Without the state (the tables left empty) it would get the same one,
    which is what the last lines show. GPUs are faked (``gpu_devices``); this proves the
    hub's bookkeeping, not what a runtime does with the device (tests/integration/
    test_gpu.py, on a Docker host with GPUs)."""
    running = make_spawner("ada", "researchers", {"profile": "gpu"}, use_internal_ip=False)
    create_call(running)
    saved = running.get_state()
    assert saved[GPUS_STATE_KEY] == ["0"] and saved[PORT_STATE_KEY] == running._host_port
    monkeypatch.setattr(gpus, "POOL", gpus.GpuPool())  # the new hub process
    monkeypatch.setattr(host_ports, "HOST_PORTS", host_ports.PortPool())
    monkeypatch.setattr(spawner_module, "HOST_PORTS", host_ports.HOST_PORTS)
    reloaded = make_spawner("ada", "researchers", {"profile": "gpu"})
    reloaded.load_state(saved)
    assert reloaded.assigned_gpus == ("0",)
    assert saved[PORT_STATE_KEY] in host_ports.HOST_PORTS._in_use
    second = create_call(make_spawner("bob", "researchers", {"profile": "gpu"}))
    assert second["host_config"]["DeviceRequests"][0]["DeviceIDs"] == ["1"]
    reloaded.clear_state()
    assert reloaded.get_state().get(GPUS_STATE_KEY) is None
    monkeypatch.setattr(gpus, "POOL", gpus.GpuPool())  # a restart that forgot the state
    forgetful = create_call(make_spawner("cy", "researchers", {"profile": "gpu"}))
    assert forgetful["host_config"]["DeviceRequests"][0]["DeviceIDs"] == ["0"]  # ada's


def test_cpu_profile_has_no_device_request_and_its_limits():
    call = create_call(make_spawner("ada", "researchers", {"profile": "cpu-large"}))
    assert call["image"] == "localhost/kimed-singleuser:test"
    host = call["host_config"]
    assert "DeviceRequests" not in host
    assert host["Memory"] == 12 * 1024**3 and host["MemorySwap"] == 12 * 1024**3
    assert host["PidsLimit"] == 1024 and host["ReadonlyRootfs"] is True


def test_podman_gets_cdi_device_names():
    spawner = make_spawner("ada", "researchers", {"profile": "gpu"})
    spawner.runtime_kind = "podman"
    devices = create_call(spawner)["host_config"]["Devices"]
    assert [d["PathOnHost"] for d in devices] == ["nvidia.com/gpu=0"]


@pytest.mark.parametrize(
    ("group", "options", "status", "phrase"),
    [
        ("trainees", {"profile": "gpu"}, 403, "not available to you"),
        ("trainees", {"profile": "cpu-large"}, 403, "not available to you"),
        ("researchers", {"profile": "huge"}, 403, "not available to you"),
        ("researchers", {"image": "evil/image:latest"}, 400, "not accepted"),
        ("researchers", {"profile": "gpu", "mem_limit": "64G"}, 400, "not accepted"),
        ("auditors", {}, 403, "your groups allow none"),
    ],
)
def test_options_outside_policy_are_refused(group, options, status, phrase):
    with pytest.raises(web.HTTPError) as error:
        make_spawner("ada", group, options).prepare_start()
    assert error.value.status_code == status and phrase in error.value.log_message


def test_form_lists_only_permitted_profiles():
    assert 'value="gpu"' in make_spawner("ada", "researchers").profile_form()
    assert make_spawner("tom", "trainees").profile_form() == ""  # one profile: no choice
    form = make_spawner("ina", "instructors").profile_form()
    assert 'value="cpu-large"' in form and 'value="gpu"' not in form
