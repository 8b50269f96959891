"""Verification of a created container against the policy: a fit one passes; a document
lacking any one control (or having anything the policy does not allow) is refused with
the control named. The documents are shaped as podman's Docker-compatible API reports
them (seen on the project's runtime), and as Docker reports the seccomp option."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from kimed_hub.container_checks import DEFAULT_CAPABILITIES, verify_container
from kimed_hub.container_expectations import SpawnFacts, expected_container, seccomp_option
from kimed_hub.policies import resource_profiles, seccomp_profile, security_profile

SECURITY, SECCOMP = security_profile(), seccomp_profile()
LIMITS = resource_profiles().profiles["cpu-standard"]
SECCOMP_PATH = "/state/seccomp/" + SECCOMP.file_name
IMAGE_ID = "sha256:" + "ab" * 32
FACTS = SpawnFacts(
    runtime_kind="podman",
    home_volume="kimed-home-ada",
    data_mounts=(("/srv/datasets/cohort", "/data/cohort"),),
    image_id=IMAGE_ID,
    egress_rules=True,
    seccomp_path=SECCOMP_PATH,
)
EXPECTED = expected_container(SECURITY, LIMITS, SECCOMP, FACTS)

# What podman's Docker-compatible API reports for a container the spawner created.
GOOD = {
    "Image": IMAGE_ID,
    "AppArmorProfile": "",
    "Config": {"Image": "localhost/kimed-singleuser:0123456789ab", "User": "1000:100"},
    "HostConfig": {
        "ReadonlyRootfs": True,
        "Privileged": False,
        "CapAdd": [],
        "CapDrop": sorted(DEFAULT_CAPABILITIES),
        "SecurityOpt": ["no-new-privileges", f"seccomp={SECCOMP_PATH}"],
        "Memory": LIMITS.memory,
        "MemorySwap": LIMITS.memory_swap,
        "PidsLimit": LIMITS.pids,
        "CpuQuota": int(LIMITS.cpus * 100_000),
        "CpuPeriod": 100_000,
        "NanoCpus": 0,
        "ShmSize": SECURITY.shm_size,
        "Tmpfs": {
            "/tmp": "size=1073741824,mode=1777,rw,rprivate,nosuid,nodev,tmpcopyup",
            "/run": "size=67108864,rw,rprivate,nosuid,nodev,tmpcopyup",
            "/var/tmp": "size=268435456,mode=1777,rw,rprivate,nosuid,nodev,tmpcopyup",
        },
        "NetworkMode": "slirp4netns",
        "PortBindings": {"8888/tcp": [{"HostIp": "127.0.0.1", "HostPort": "40000"}]},
        "PidMode": "private",
        "IpcMode": "shareable",
        "UTSMode": "private",
        "UsernsMode": "",
        "CgroupnsMode": "",
        "Devices": [],
        "DeviceRequests": None,
        "Sysctls": None,
        "Ulimits": [],
        "GroupAdd": [],
        "MaskedPaths": None,
        "ReadonlyPaths": None,
    },
    "Mounts": [
        {"Type": "volume", "Name": "kimed-home-ada", "Destination": "/home/jovyan", "RW": True},
        {
            "Type": "bind",
            "Source": "/srv/datasets/cohort",
            "Destination": "/data/cohort",
            "RW": False,
            "Propagation": "rprivate",
        },
    ],
}


def _set(path: str, value):
    def change(inspect):
        *parents, key = path.split(".")
        node = inspect
        for parent in parents:
            node = node[parent]
        node[key] = value

    return change


def _append(path: str, value):
    def change(inspect):
        node = inspect
        for part in path.split("."):
            node = node[part]
        node.append(value)

    return change


def test_fit_container_passes():
    assert verify_container(GOOD, EXPECTED) == []


def test_docker_style_document_passes():
    """Docker: CapDrop ALL, CPU as NanoCpus, the profile's JSON in SecurityOpt, an
    internal network, a private cgroup namespace reported as such."""
    inspect = copy.deepcopy(GOOD)
    host = inspect["HostConfig"]
    host.update(CapDrop=["ALL"], NanoCpus=int(LIMITS.cpus * 1e9), CpuQuota=0, CpuPeriod=0)
    host.update(NetworkMode="kimed-users", CgroupnsMode="private", PortBindings={})
    host["SecurityOpt"] = ["no-new-privileges:true", seccomp_option("docker", SECCOMP, "")]
    facts = dataclasses.replace(FACTS, runtime_kind="docker", network_internal=True)
    expected = expected_container(SECURITY, LIMITS, SECCOMP, facts)
    assert verify_container(inspect, expected) == []


BIND_OF_ROOT = {"Type": "bind", "Source": "/", "Destination": "/data/cohort", "RW": False}

CONTROLS = [
    # (control named in the problem, the change that removes or weakens it)
    ("image:", _set("Config.Image", "localhost/evil:0123456789ab")),
    ("image:", _set("Config.Image", "localhost/kimed-singleuser:latest")),
    ("image:", _set("Image", "sha256:" + "cd" * 32)),
    ("user:", _set("Config.User", "")),
    ("user:", _set("Config.User", "0:0")),
    ("user:", _set("HostConfig.GroupAdd", ["6"])),
    ("privileged:", _set("HostConfig.Privileged", True)),
    ("capabilities:", _set("HostConfig.CapAdd", ["SYS_ADMIN"])),
    ("capabilities:", _set("HostConfig.CapDrop", ["NET_RAW"])),
    ("no-new-privileges:", _set("HostConfig.SecurityOpt", [f"seccomp={SECCOMP_PATH}"])),
    ("seccomp:", _set("HostConfig.SecurityOpt", ["no-new-privileges"])),
    ("seccomp:", _set("HostConfig.SecurityOpt", ["no-new-privileges", "seccomp=unconfined"])),
    ("seccomp:", _set("HostConfig.SecurityOpt", ["no-new-privileges", "seccomp=/tmp/mine.json"])),
    ("seccomp:", _set("HostConfig.SecurityOpt", ["no-new-privileges", 'seccomp={"a": 1}'])),
    ("security options:", _append("HostConfig.SecurityOpt", "apparmor=unconfined")),
    ("security options:", _append("HostConfig.SecurityOpt", "label=disable")),
    ("security options:", _append("HostConfig.SecurityOpt", "unmask=ALL")),
    ("security options:", _set("AppArmorProfile", "unconfined")),
    ("security options:", _set("HostConfig.MaskedPaths", [])),
    ("namespaces:", _set("HostConfig.PidMode", "host")),
    ("namespaces:", _set("HostConfig.IpcMode", "host")),
    ("namespaces:", _set("HostConfig.UTSMode", "host")),
    ("namespaces:", _set("HostConfig.UsernsMode", "host")),
    ("namespaces:", _set("HostConfig.CgroupnsMode", "host")),
    ("sysctls:", _set("HostConfig.Sysctls", {"net.ipv4.ip_unprivileged_port_start": "0"})),
    ("ulimits:", _set("HostConfig.Ulimits", [{"Name": "RLIMIT_NOFILE", "Soft": 9, "Hard": 9}])),
    ("devices:", _append("HostConfig.Devices", {"PathOnHost": "/dev/mem"})),
    ("devices:", _append("HostConfig.Devices", {"PathOnHost": "/dev/vda"})),
    ("devices:", _set("HostConfig.DeviceRequests", [{"Driver": "nvidia", "Count": -1}])),
    ("devices:", _set("HostConfig.DeviceCgroupRules", ["c 1:1 rwm"])),
    ("read-only root:", _set("HostConfig.ReadonlyRootfs", False)),
    ("/dev/shm:", _set("HostConfig.ShmSize", 64 * 1024**2)),
    ("limits:", _set("HostConfig.Memory", 0)),
    ("limits:", _set("HostConfig.MemorySwap", -1)),
    ("limits:", _set("HostConfig.PidsLimit", 0)),
    ("limits:", _set("HostConfig.CpuQuota", 0)),
    ("limits:", _set("HostConfig.OomKillDisable", True)),
    ("network:", _set("HostConfig.NetworkMode", "host")),
    ("network:", _set("HostConfig.NetworkMode", "bridge")),
    ("network:", _set("HostConfig.NetworkMode", "container:abc")),
    ("published ports:", _set("HostConfig.PortBindings", {"8888/tcp": [{"HostIp": "0.0.0.0"}]})),
    ("published ports:", _set("HostConfig.PortBindings", {"22/tcp": [{"HostIp": "127.0.0.1"}]})),
    ("published ports:", _set("HostConfig.PublishAllPorts", True)),
    ("home volume:", _set("Mounts", [GOOD["Mounts"][1]])),
    ("home volume:", lambda i: i["Mounts"][0].update(Name="kimed-home-bob")),
    ("mounts:", _append("Mounts", {"Type": "bind", "Source": "/var/run/docker.sock"})),
    ("mounts:", _append("Mounts", {"Type": "volume", "Name": "other", "Destination": "/x"})),
    ("mounts:", _set("HostConfig.VolumesFrom", ["other-container"])),
    ("data mounts:", _set("Mounts", [GOOD["Mounts"][0], BIND_OF_ROOT])),
    ("data mounts:", lambda i: i["Mounts"][1].update(RW=True)),
    ("data mounts:", lambda i: i["Mounts"][1].update(Propagation="rshared")),
]


def _tmpfs(change):
    def apply(inspect):
        change(inspect["HostConfig"]["Tmpfs"])

    return apply


CONTROLS += [
    ("tmpfs:", _tmpfs(lambda t: t.update({"/tmp": "size=100G,mode=1777"}))),
    ("tmpfs:", _tmpfs(lambda t: t.update({"/tmp": "mode=1777"}))),  # unlimited
    ("tmpfs:", _tmpfs(lambda t: t.update({"/home/jovyan/x": "size=1G"}))),
    ("tmpfs:", _tmpfs(lambda t: t.pop("/tmp"))),
]


@pytest.mark.parametrize(("control", "change"), CONTROLS)
def test_each_weakened_control_is_refused_and_named(control, change):
    inspect = copy.deepcopy(GOOD)
    change(inspect)
    problems = verify_container(inspect, EXPECTED)
    assert problems, f"{control} weakened but passed"
    assert any(p.startswith(control) for p in problems), problems


def test_firewall_off_on_slirp4netns_is_refused():
    facts = dataclasses.replace(FACTS, egress_rules=False)
    problems = verify_container(GOOD, expected_container(SECURITY, LIMITS, SECCOMP, facts))
    assert any(p.startswith("egress firewall:") for p in problems), problems


def test_docker_network_reused_by_name_must_be_internal():
    inspect = copy.deepcopy(GOOD)
    inspect["HostConfig"].update(NetworkMode="kimed-users", PortBindings={})
    for internal, fit in ((False, False), (None, False), (True, True)):
        facts = dataclasses.replace(FACTS, network_internal=internal, egress_rules=False)
        problems = verify_container(inspect, expected_container(SECURITY, LIMITS, SECCOMP, facts))
        assert (problems == []) is fit, problems


def test_docker_cgroup_namespace_must_be_private():
    facts = dataclasses.replace(FACTS, runtime_kind="docker")
    problems = verify_container(GOOD, expected_container(SECURITY, LIMITS, SECCOMP, facts))
    assert any(p.startswith("namespaces: cgroup") for p in problems), problems


def test_assigned_gpus_only():
    inspect = copy.deepcopy(GOOD)
    inspect["HostConfig"]["Devices"] = [{"PathOnHost": "nvidia.com/gpu=0"}]
    assert any(p.startswith("devices: has GPUs") for p in verify_container(inspect, EXPECTED))
    gpu = expected_container(SECURITY, LIMITS, SECCOMP, dataclasses.replace(FACTS, gpus=("0",)))
    assert verify_container(inspect, gpu) == []
    assert verify_container(GOOD, gpu)  # assigned but not attached
    inspect["HostConfig"]["Devices"] = []
    inspect["HostConfig"]["DeviceRequests"] = [{"Driver": "nvidia", "DeviceIDs": ["1"]}]
    assert verify_container(inspect, gpu)  # another GPU than the assigned one


def test_a_bind_of_the_hosts_root_at_a_granted_path_is_refused():
    inspect = copy.deepcopy(GOOD)
    inspect["Mounts"][1]["Source"] = "/"
    problems = verify_container(inspect, EXPECTED)
    assert problems == [
        "data mounts: /data/cohort comes from /, the grant's folder is /srv/datasets/cohort"
    ]
