"""The runtime spec podman writes at ``init`` (what its inspect leaves out): the fit one
passes, each weakened control is refused with the control named. The spec's shape is the
one podman 4.3 + runc wrote on the project's machine for a spawner-made container."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from kimed_hub.container_expectations import SpawnFacts, expected_container
from kimed_hub.oci_spec_checks import verify_oci_spec
from kimed_hub.policies import resource_profiles, seccomp_profile, security_profile

SECURITY, SECCOMP = security_profile(), seccomp_profile()
LIMITS = resource_profiles().profiles["cpu-standard"]
FACTS = SpawnFacts(
    runtime_kind="podman",
    home_volume="kimed-home-ada",
    data_mounts=(("/srv/datasets/cohort", "/data/cohort"),),
    egress_rules=True,
    cgroup_v1=False,
)
EXPECTED = expected_container(SECURITY, LIMITS, SECCOMP, FACTS)
USERDATA = "/var/lib/containers/storage/overlay-containers/abc/userdata"

GOOD = {
    "root": {"path": "/var/lib/containers/storage/overlay/x/merged", "readonly": True},
    "process": {
        "user": {"uid": 1000, "gid": 100, "additionalGids": [100]},
        "noNewPrivileges": True,
        "capabilities": {},
        "rlimits": None,
    },
    "linux": {
        "namespaces": [
            {"type": "pid"},
            {"type": "network", "path": "/run/netns/netns-07c587f4"},
            {"type": "ipc"},
            {"type": "uts"},
            {"type": "mount"},
            {"type": "cgroup"},
        ],
        "sysctl": {"net.ipv4.ping_group_range": "0 0"},
        "devices": [],
        "seccomp": {
            "defaultAction": "SCMP_ACT_ERRNO",
            "defaultErrnoRet": 1,
            "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": sorted(SECCOMP.allowed), "action": "SCMP_ACT_ALLOW"}],
        },
    },
    "mounts": [
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=1G"]},
        {"destination": "/etc/hosts", "type": "bind", "source": f"{USERDATA}/hosts"},
        {"destination": "/dev/shm", "type": "bind", "source": f"{USERDATA}/shm"},
        {
            "destination": "/home/jovyan",
            "type": "bind",
            "source": "/var/lib/containers/storage/volumes/kimed-home-ada/_data",
            "options": ["rw", "rbind"],
        },
        {
            "destination": "/data/cohort",
            "type": "bind",
            "source": "/srv/datasets/cohort",
            "options": ["ro", "rprivate", "rbind"],
        },
    ],
}


def _linux(key, value):
    return lambda spec: spec["linux"].__setitem__(key, value)


def _process(key, value):
    return lambda spec: spec["process"].__setitem__(key, value)


def _no_namespace(kind):
    def change(spec):
        spec["linux"]["namespaces"] = [n for n in spec["linux"]["namespaces"] if n["type"] != kind]

    return change


def _allow_also(name):
    return lambda spec: spec["linux"]["seccomp"]["syscalls"][0]["names"].append(name)


CONTROLS = [
    ("namespaces:", _no_namespace("cgroup")),
    ("namespaces:", _no_namespace("pid")),
    ("namespaces:", _no_namespace("ipc")),
    (
        "namespaces:",
        lambda s: s["linux"]["namespaces"].append({"type": "uts", "path": "/proc/1/ns/uts"}),
    ),
    ("namespaces:", lambda s: s["linux"]["namespaces"][1].update(path="/proc/1/ns/net")),
    ("sysctls:", _linux("sysctl", {"net.ipv4.ip_unprivileged_port_start": "0"})),
    ("ulimits:", _process("rlimits", [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}])),
    ("devices:", _linux("devices", [{"path": "/dev/mem"}])),
    ("seccomp:", _linux("seccomp", None)),
    ("seccomp:", _allow_also("unshare")),
    ("seccomp:", lambda s: s["linux"]["seccomp"].update(defaultAction="SCMP_ACT_ALLOW")),
    ("user:", _process("user", {"uid": 0, "gid": 0})),
    ("user:", _process("user", {"uid": 1000, "gid": 100, "additionalGids": [6]})),
    ("capabilities:", _process("capabilities", {"effective": ["CAP_SYS_ADMIN"]})),
    ("no-new-privileges:", _process("noNewPrivileges", False)),
    ("read-only root:", lambda s: s["root"].update(readonly=False)),
    ("mounts:", lambda s: s["mounts"].append({"type": "bind", "source": "/", "destination": "/h"})),
    ("data mounts:", lambda s: s["mounts"][-1].update(source="/")),
    ("data mounts:", lambda s: s["mounts"][-1].update(options=["rw", "rbind"])),
]


def test_fit_runtime_spec_passes():
    assert verify_oci_spec(GOOD, EXPECTED) == []


@pytest.mark.parametrize(("control", "change"), CONTROLS)
def test_each_weakened_control_in_the_runtime_spec_is_named(control, change):
    spec = copy.deepcopy(GOOD)
    change(spec)
    problems = verify_oci_spec(spec, EXPECTED)
    assert any(p.startswith(control) for p in problems), problems


def test_host_cgroup_namespace_only_under_the_policys_exception():
    """podman 4 on a cgroup v1 host cannot do otherwise (policy: host_cgroup_exception);
    the same spec from a Docker host or a cgroup v2 host is refused."""
    spec = copy.deepcopy(GOOD)
    _no_namespace("cgroup")(spec)
    podman_v1 = dataclasses.replace(FACTS, cgroup_v1=True)
    assert verify_oci_spec(spec, expected_container(SECURITY, LIMITS, SECCOMP, podman_v1)) == []
    for facts in (FACTS, dataclasses.replace(podman_v1, runtime_kind="docker")):
        problems = verify_oci_spec(spec, expected_container(SECURITY, LIMITS, SECCOMP, facts))
        assert problems == ["namespaces: the container shares the host's cgroup namespace"]
    strict = dataclasses.replace(SECURITY, host_cgroup_exception="none")
    assert verify_oci_spec(spec, expected_container(strict, LIMITS, SECCOMP, podman_v1))
