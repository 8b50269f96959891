"""Verification of a created container: a fit one passes, each missing control is named."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from kimed_hub.container_checks import DEFAULT_CAPABILITIES, Expected, verify_container
from kimed_hub.policies import resource_profiles, security_profile

PROFILE = security_profile()
LIMITS = resource_profiles().profiles["cpu-standard"]
EXPECTED = Expected(
    image="localhost/kimed-singleuser:abc",
    home_volume="kimed-home-ada",
    network_modes=("slirp4netns",),
    limits=LIMITS,
)

# What podman's Docker-compatible API reports for a container the spawner created.
GOOD = {
    "Config": {"Image": "localhost/kimed-singleuser:abc", "User": "1000:100"},
    "HostConfig": {
        "ReadonlyRootfs": True,
        "Privileged": False,
        "CapAdd": [],
        "CapDrop": sorted(f"CAP_{c}" for c in DEFAULT_CAPABILITIES),
        "SecurityOpt": ["no-new-privileges"],
        "Memory": LIMITS.memory,
        "MemorySwap": LIMITS.memory_swap,
        "PidsLimit": LIMITS.pids,
        "NanoCpus": int(LIMITS.cpus * 1e9),
        "ShmSize": PROFILE.shm_size,
        "Tmpfs": {"/tmp": "size=1073741824,mode=1777"},
        "NetworkMode": "slirp4netns",
        "PortBindings": {"8888/tcp": [{"HostIp": "127.0.0.1", "HostPort": "40000"}]},
        "PidMode": "",
        "IpcMode": "shareable",
    },
    "Mounts": [
        {"Type": "volume", "Name": "kimed-home-ada", "Destination": "/home/jovyan", "RW": True}
    ],
}


def test_fit_container_passes():
    assert verify_container(GOOD, PROFILE, EXPECTED) == []


def test_docker_style_cap_drop_all_passes():
    inspect = copy.deepcopy(GOOD)
    inspect["HostConfig"]["CapDrop"] = ["ALL"]
    assert verify_container(inspect, PROFILE, EXPECTED) == []


def _set(path: str, value):
    def change(inspect):
        *parents, key = path.split(".")
        node = inspect
        for parent in parents:
            node = node[parent]
        node[key] = value

    return change


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        (_set("Config.User", ""), "runs as user root"),
        (_set("Config.User", "0"), "policy requires uid"),
        (_set("Config.Image", "evil:latest"), "runs image evil"),
        (_set("HostConfig.ReadonlyRootfs", False), "writable root"),
        (_set("HostConfig.Privileged", True), "privileged"),
        (_set("HostConfig.CapAdd", ["SYS_ADMIN"]), "adds capabilities"),
        (_set("HostConfig.CapDrop", ["CAP_NET_RAW"]), "keeps capabilities"),
        (_set("HostConfig.SecurityOpt", []), "no-new-privileges"),
        (_set("HostConfig.Memory", 0), "Memory is 0"),
        (_set("HostConfig.MemorySwap", -1), "MemorySwap"),
        (_set("HostConfig.PidsLimit", 0), "PidsLimit"),
        (_set("HostConfig.NanoCpus", 0), "CPU limit"),
        (_set("HostConfig.ShmSize", 64 * 1024**2), "/dev/shm"),
        (_set("HostConfig.Tmpfs", {}), "tmpfs at /tmp"),
        (_set("HostConfig.NetworkMode", "host"), "network mode"),
        (_set("HostConfig.PidMode", "host"), "PidMode=host"),
        (_set("HostConfig.PortBindings", {"8888/tcp": [{"HostIp": "0.0.0.0"}]}), "publishes"),
        (_set("Mounts", []), "no persistent home"),
        (
            _set(
                "Mounts",
                [
                    {
                        "Type": "volume",
                        "Name": "kimed-home-bob",
                        "Destination": "/home/jovyan",
                        "RW": True,
                    }
                ],
            ),
            "user's own",
        ),
        (
            lambda i: i["Mounts"].append(
                {"Type": "bind", "Destination": "/var/run/docker.sock", "RW": True}
            ),
            "unexpected bind mount",
        ),
    ],
)
def test_each_missing_control_is_named(change, phrase):
    inspect = copy.deepcopy(GOOD)
    change(inspect)
    problems = verify_container(inspect, PROFILE, EXPECTED)
    assert any(phrase in p for p in problems), problems


def test_unassigned_gpu_is_refused_and_assigned_one_required():
    inspect = copy.deepcopy(GOOD)
    inspect["HostConfig"]["DeviceRequests"] = [{"DeviceIDs": ["0"], "Capabilities": [["gpu"]]}]
    assert any("has GPUs ['0']" in p for p in verify_container(inspect, PROFILE, EXPECTED))
    gpu_expected = dataclasses.replace(EXPECTED, gpus=("0",))
    assert verify_container(inspect, PROFILE, gpu_expected) == []
    assert verify_container(GOOD, PROFILE, gpu_expected)  # assigned but not attached


def test_read_only_data_mount_is_allowed_only_read_only():
    expected = dataclasses.replace(EXPECTED, read_only_mounts=("/data/cohort",))
    inspect = copy.deepcopy(GOOD)
    inspect["Mounts"].append({"Type": "bind", "Destination": "/data/cohort", "RW": False})
    assert verify_container(inspect, PROFILE, expected) == []
    inspect["Mounts"][-1]["RW"] = True
    assert verify_container(inspect, PROFILE, expected)
