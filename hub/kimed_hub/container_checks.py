"""Verify a created container against the security profile before it is started.

The spawner asks the runtime for the container's inspect document and passes it here.
Every control the profile requires is read back from what the runtime actually
configured (not from what was requested), so a setting the runtime silently ignored, or
an operator's override that weakened one, is caught. Pure functions, no I/O: easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .gpus import gpus_in_inspect
from .policies import ResourceProfile, SecurityProfile

# The capabilities Docker and podman grant by default. A container has no capability at
# all when none is added and every one of these is dropped (podman lists them one by one
# instead of writing "ALL").
DEFAULT_CAPABILITIES = frozenset(
    "AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL MKNOD NET_BIND_SERVICE NET_RAW "
    "SETFCAP SETGID SETPCAP SETUID SYS_CHROOT".split()
)


@dataclass(frozen=True)
class Expected:
    """What this particular container must look like besides the profile's limits."""

    image: str
    home_volume: str
    network_modes: tuple[str, ...]  # e.g. ("slirp4netns",) on podman hosts
    limits: ResourceProfile  # the chosen resource profile
    gpus: tuple[str, ...] = ()  # GPU device IDs assigned to this server
    read_only_mounts: tuple[str, ...] = ()  # targets that may be mounted read-only (/data/...)


def _caps(names: list[str] | None) -> set[str]:
    return {n.upper().removeprefix("CAP_") for n in (names or [])}


def check_identity_and_privileges(inspect: dict[str, Any], profile: SecurityProfile) -> list[str]:
    """User, privileged mode, capabilities, no-new-privileges, host namespaces."""
    host, config = inspect.get("HostConfig") or {}, inspect.get("Config") or {}
    problems = []
    user = str(config.get("User") or "")
    if user.split(":")[0] != str(profile.uid):
        problems.append(f"runs as user {user or 'root (unset)'}, policy requires uid {profile.uid}")
    if host.get("Privileged"):
        problems.append("is privileged")
    if _caps(host.get("CapAdd")):
        problems.append(f"adds capabilities {sorted(_caps(host.get('CapAdd')))}")
    dropped = _caps(host.get("CapDrop"))
    if "ALL" not in dropped and not DEFAULT_CAPABILITIES <= dropped:
        kept = sorted(DEFAULT_CAPABILITIES - dropped)
        problems.append(f"keeps capabilities {kept}; policy drops ALL")
    opts = [o.replace("=", ":") for o in host.get("SecurityOpt") or []]
    if not any(o in ("no-new-privileges", "no-new-privileges:true") for o in opts):
        problems.append("lacks no-new-privileges")
    for mode in ("PidMode", "IpcMode", "UTSMode", "UsernsMode"):
        if str(host.get(mode) or "") == "host":
            problems.append(f"shares the host's namespace ({mode}=host)")
    return problems


def check_filesystem(
    inspect: dict[str, Any], profile: SecurityProfile, expected: Expected
) -> list[str]:
    """Read-only root, tmpfs /tmp, /dev/shm size, and exactly the allowed mounts."""
    host = inspect.get("HostConfig") or {}
    problems = []
    if not host.get("ReadonlyRootfs"):
        problems.append("has a writable root filesystem; policy requires read-only")
    if "/tmp" not in (host.get("Tmpfs") or {}):
        problems.append("has no tmpfs at /tmp")
    if host.get("ShmSize") != profile.shm_size:
        problems.append(f"/dev/shm is {host.get('ShmSize')} bytes, policy {profile.shm_size}")
    home_ok = False
    for mount in inspect.get("Mounts") or []:
        target, kind = mount.get("Destination"), mount.get("Type")
        if target == profile.home_mount and kind == "volume":
            home_ok = mount.get("Name") == expected.home_volume and mount.get("RW")
            if not home_ok:
                problems.append(f"home {target} is not the user's own writable volume")
        elif target in expected.read_only_mounts and not mount.get("RW"):
            continue
        else:
            problems.append(f"has an unexpected {kind} mount at {target} (rw={mount.get('RW')})")
    if not home_ok and not any("home" in p for p in problems):
        problems.append(f"has no persistent home volume at {profile.home_mount}")
    return problems


def check_limits(inspect: dict[str, Any], expected: Expected) -> list[str]:
    """Memory, swap, CPU, process limits and GPUs equal the chosen profile."""
    host, profile = inspect.get("HostConfig") or {}, expected.limits
    problems = []
    if sorted(gpus_in_inspect(inspect)) != sorted(expected.gpus):
        problems.append(f"has GPUs {gpus_in_inspect(inspect)}, assigned {list(expected.gpus)}")
    for key, wanted in (
        ("Memory", profile.memory),
        ("MemorySwap", profile.memory_swap),
        ("PidsLimit", profile.pids),
    ):
        if host.get(key) != wanted:
            problems.append(f"{key} is {host.get(key)}, policy {wanted}")
    nano = host.get("NanoCpus") or 0
    quota, period = host.get("CpuQuota") or 0, host.get("CpuPeriod") or 0
    cpus = nano / 1e9 if nano else (quota / period if period else 0)
    if abs(cpus - profile.cpus) > 1e-6:
        problems.append(f"CPU limit is {cpus or 'unlimited'}, policy {profile.cpus}")
    return problems


def check_network(inspect: dict[str, Any], expected: Expected) -> list[str]:
    """Network mode as expected; ports published on loopback only."""
    host = inspect.get("HostConfig") or {}
    problems = []
    mode = str(host.get("NetworkMode") or "")
    if mode.split(":")[0] not in expected.network_modes:
        problems.append(f"network mode {mode!r}, expected one of {list(expected.network_modes)}")
    for port, bindings in (host.get("PortBindings") or {}).items():
        for binding in bindings or []:
            if binding.get("HostIp") not in ("127.0.0.1",):
                problems.append(f"publishes {port} on {binding.get('HostIp') or 'all interfaces'}")
    return problems


def verify_container(
    inspect: dict[str, Any], profile: SecurityProfile, expected: Expected
) -> list[str]:
    """Every problem found, as short phrases; an empty list means the container is fit to start."""
    problems = []
    if (inspect.get("Config") or {}).get("Image") != expected.image:
        problems.append(
            f"runs image {inspect.get('Config', {}).get('Image')}, not {expected.image}"
        )
    problems += check_identity_and_privileges(inspect, profile)
    problems += check_filesystem(inspect, profile, expected)
    problems += check_limits(inspect, expected)
    problems += check_network(inspect, expected)
    return problems
