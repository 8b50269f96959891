"""Verify a created container against the expected one (``container_expectations``).

The spawner asks the runtime for the container's inspect document (Docker's format; podman's
Docker-compatible API answers in it) and passes it here with the expectation computed from
the policy. The comparison is by allowlist: every device, security option, mount, tmpfs,
sysctl, ulimit, published port and capability the container has must be one the policy
expects, and every expected control must be there. Each difference is one phrase that
starts with the control's name ("devices: ...", "seccomp: ..."). Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .container_expectations import ExpectedContainer

# The capabilities Docker and podman grant by default. A container has no capability at
# all when none is added and every one of these is dropped (podman lists them one by one
# instead of writing "ALL").
DEFAULT_CAPABILITIES = frozenset(
    "AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL MKNOD NET_BIND_SERVICE NET_RAW "
    "SETFCAP SETGID SETPCAP SETUID SYS_CHROOT".split()
)
NO_NEW_PRIVILEGES = {"no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"}
# Values meaning "a namespace of its own" per inspect field ("" is the runtime's default,
# which is private for these three on Docker and podman alike).
PRIVATE_MODES = {
    "PidMode": ("pid", {"", "private"}),
    "IpcMode": ("ipc", {"", "private", "shareable"}),
    "UTSMode": ("uts", {"", "private"}),
}
CDI_GPU = "nvidia.com/gpu="
# AppArmor: none on the host (""), or the runtimes' own default profiles.
APPARMOR_DEFAULTS = re.compile(r"^(|docker-default|containers-default-[0-9.]+)$")


def _host(inspect: dict[str, Any]) -> dict[str, Any]:
    return inspect.get("HostConfig") or {}


def _caps(names: list[str] | None) -> set[str]:
    return {n.upper().removeprefix("CAP_") for n in (names or [])}


def check_image_and_user(inspect: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Image repository and tag rule, image identity, user, privileged, capabilities."""
    host, config = _host(inspect), inspect.get("Config") or {}
    problems = []
    reference = str(config.get("Image") or "")
    why = expected.security.image_problem(reference, expected.image_variant)
    if why:
        problems.append(f"image: runs {why}")
    if expected.image_id and inspect.get("Image") != expected.image_id:
        problems.append(f"image: runs image ID {inspect.get('Image')}, not {expected.image_id}")
    user = str(config.get("User") or "")
    if user != expected.user:
        problems.append(f"user: runs as {user or 'root (unset)'}, policy requires {expected.user}")
    if bool(host.get("Privileged")) != expected.privileged:
        problems.append("privileged: the container is privileged")
    added = _caps(host.get("CapAdd")) - expected.capabilities_added
    if added:
        problems.append(f"capabilities: adds {sorted(added)}")
    dropped = _caps(host.get("CapDrop"))
    if "ALL" not in dropped and not DEFAULT_CAPABILITIES <= dropped:
        problems.append(
            f"capabilities: keeps {sorted(DEFAULT_CAPABILITIES - dropped)}; policy drops ALL"
        )
    if host.get("GroupAdd"):
        problems.append(f"user: extra groups {host.get('GroupAdd')}; policy: gid only")
    return problems


def check_security_options(inspect: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Exactly no-new-privileges and the project's seccomp profile; nothing else."""
    problems, seen_seccomp, seen_nnp = [], False, False
    for option in _host(inspect).get("SecurityOpt") or []:
        if option in NO_NEW_PRIVILEGES:
            seen_nnp = True
        elif option.startswith(("seccomp=", "seccomp:")):
            seen_seccomp = True
            problems += _seccomp_problem(option[len("seccomp=") :], expected)
        else:
            problems.append(f"security options: {option[:80]!r} is not allowed by the policy")
    if expected.no_new_privileges and not seen_nnp:
        problems.append("no-new-privileges: missing")
    if not seen_seccomp:
        problems.append("seccomp: the project's profile (policies/seccomp.json) is not applied")
    apparmor = str(inspect.get("AppArmorProfile") or "")
    if not APPARMOR_DEFAULTS.match(apparmor):
        problems.append(f"security options: AppArmor profile {apparmor!r} is not allowed")
    if _host(inspect).get("MaskedPaths") == [] or _host(inspect).get("ReadonlyPaths") == []:
        problems.append("security options: /proc and /sys paths are unmasked")
    return problems


def _seccomp_problem(value: str, expected: ExpectedContainer) -> list[str]:
    """Docker reports the profile's JSON as given; podman reports the file's path."""
    if value.lstrip().startswith("{"):
        try:
            text = json.dumps(json.loads(value), sort_keys=True, separators=(",", ":"))
        except ValueError:
            return ["seccomp: the applied profile is not valid JSON"]
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest != expected.seccomp.sha256:
            return [f"seccomp: applied profile sha256 {digest[:12]} is not the policy's"]
        return []
    if value != expected.seccomp_path or not expected.seccomp_path:
        return [f"seccomp: applies {value[:80]!r}, not the policy's profile"]
    return []


def check_namespaces_and_kernel(inspect: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Private namespaces, no sysctls or ulimits beyond the policy, only assigned GPUs."""
    host, problems = _host(inspect), []
    for key, (name, private) in PRIVATE_MODES.items():
        if name in expected.namespaces and str(host.get(key) or "") not in private:
            problems.append(f"namespaces: {name} is {host.get(key)!r}, policy: its own")
    if host.get("UsernsMode"):
        problems.append(f"namespaces: user namespace mode {host.get('UsernsMode')!r}")
    cgroupns = str(host.get("CgroupnsMode") or "")
    # podman's compatible API leaves this empty: oci_spec_checks reads the runtime spec.
    if cgroupns != "private" and not (cgroupns == "" and expected.runtime_kind == "podman"):
        problems.append(f"namespaces: cgroup namespace is {cgroupns or 'the default'!r}")
    extra = {k: v for k, v in (host.get("Sysctls") or {}).items() if expected.sysctls.get(k) != v}
    if extra:
        problems.append(f"sysctls: {extra} not allowed by the policy")
    ulimits = {
        str(u.get("Name", "")).lower().removeprefix("rlimit_"): (u.get("Soft"), u.get("Hard"))
        for u in host.get("Ulimits") or []
    }
    if ulimits != expected.ulimits:
        problems.append(f"ulimits: {ulimits}, policy {expected.ulimits}")
    return problems + check_devices(inspect, expected)


def check_devices(inspect: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """No device but the assigned GPUs (CDI names on podman, device requests on Docker)."""
    host, problems, gpus = _host(inspect), [], []
    for device in host.get("Devices") or []:
        path = str(device.get("PathOnHost", ""))
        if path.startswith(CDI_GPU):
            gpus.append(path[len(CDI_GPU) :])
        else:
            problems.append(f"devices: host device {path} is not allowed")
    for request in host.get("DeviceRequests") or []:
        if request.get("Driver") not in ("nvidia", "") or request.get("Count") == -1:
            problems.append(f"devices: device request {request} is not an assigned GPU")
        gpus += list(request.get("DeviceIDs") or [])
    if sorted(gpus) != sorted(expected.gpus):
        problems.append(f"devices: has GPUs {sorted(gpus)}, assigned {list(expected.gpus)}")
    if host.get("DeviceCgroupRules"):
        problems.append(f"devices: cgroup rules {host.get('DeviceCgroupRules')}")
    return problems


def check_filesystem(inspect: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Read-only root, tmpfs mounts and sizes, /dev/shm size."""
    host, problems = _host(inspect), []
    if bool(host.get("ReadonlyRootfs")) != expected.read_only_root:
        problems.append("read-only root: the root filesystem is writable")
    tmpfs = {path: _tmpfs_size(options) for path, options in (host.get("Tmpfs") or {}).items()}
    for path in sorted(set(tmpfs) | set(expected.tmpfs)):
        if path not in expected.tmpfs:
            problems.append(f"tmpfs: {path} is not allowed by the policy")
        elif tmpfs.get(path) != expected.tmpfs[path]:
            got = "missing" if path not in tmpfs else f"{tmpfs[path]} bytes"
            problems.append(f"tmpfs: {path} is {got}, policy {expected.tmpfs[path]} bytes")
    if host.get("ShmSize") != expected.shm_size:
        problems.append(f"/dev/shm: {host.get('ShmSize')} bytes, policy {expected.shm_size}")
    return problems


_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([kmgt]?)b?$", re.IGNORECASE)


def _tmpfs_size(options: str) -> int | None:
    """The ``size=`` of a tmpfs option string in bytes (None when unlimited)."""
    for option in options.split(","):
        if option.startswith("size="):
            match = _SIZE.match(option[5:])
            if match:
                unit = " kmgt".index(match.group(2).lower() or " ")
                return int(float(match.group(1)) * 1024**unit)
    return None


def check_mounts(inspect: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Only the user's own home volume (writable) and the granted dataset folders (their
    sources compared with the grants, read-only, private propagation)."""
    problems, home_seen = [], False
    for mount in inspect.get("Mounts") or []:
        target, kind = mount.get("Destination"), mount.get("Type")
        if target == expected.home_mount and kind == "volume":
            home_seen = True
            if mount.get("Name") != expected.home_volume or not mount.get("RW"):
                problems.append(f"home volume: {target} is not {expected.home_volume}, writable")
        elif target in expected.data_mounts and kind == "bind":
            problems += _data_mount_problems(mount, expected.data_mounts[target])
        else:
            source = mount.get("Source") or mount.get("Name")
            problems.append(f"mounts: {kind} mount of {source} at {target} is not allowed")
    if not home_seen:
        problems.append(f"home volume: no persistent volume at {expected.home_mount}")
    if _host(inspect).get("VolumesFrom"):
        problems.append(f"mounts: volumes from {_host(inspect)['VolumesFrom']}")
    return problems


def _data_mount_problems(mount: dict[str, Any], granted_source: str) -> list[str]:
    target, problems = mount.get("Destination"), []
    if mount.get("Source") != granted_source:
        problems.append(
            f"data mounts: {target} comes from {mount.get('Source')}, the grant's folder is "
            f"{granted_source}"
        )
    if mount.get("RW"):
        problems.append(f"data mounts: {target} is writable; grants are read-only")
    if mount.get("Propagation") not in ("", None, "private", "rprivate"):
        problems.append(f"data mounts: {target} propagation is {mount.get('Propagation')}")
    return problems


def inspected_cpus(inspect: dict[str, Any]) -> float:
    """The CPU limit a container has (0: none): NanoCpus, or CpuQuota / CpuPeriod (how
    podman's compatible API reports it)."""
    host = _host(inspect)
    nano = host.get("NanoCpus") or 0
    quota, period = host.get("CpuQuota") or 0, host.get("CpuPeriod") or 0
    return nano / 1e9 if nano else (quota / period if period else 0)


def check_limits(inspect: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Memory, swap, CPU and process limits equal the chosen profile."""
    host, profile = _host(inspect), expected.limits
    problems = []
    for key, wanted in (
        ("Memory", profile.memory),
        ("MemorySwap", profile.memory_swap),
        ("PidsLimit", profile.pids),
    ):
        if host.get(key) != wanted:
            problems.append(f"limits: {key} is {host.get(key)}, profile {profile.name} {wanted}")
    cpus = inspected_cpus(inspect)
    if abs(cpus - profile.cpus) > 1e-6:
        problems.append(f"limits: CPU is {cpus or 'unlimited'}, profile {profile.cpus}")
    if host.get("OomKillDisable"):
        problems.append("limits: the OOM killer is disabled")
    return problems


def check_network(inspect: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """A network mode the policy allows, with its guard (egress rules or an internal
    network); the server's port published on the policy's loopback address only."""
    host, problems = _host(inspect), []
    mode = str(host.get("NetworkMode") or "")
    if mode == "none":
        # No network at all (the airlock's re-run asks for it): only where expected.
        if "none" not in expected.network_modes:
            problems.append("network: mode 'none' was not expected for this container")
    elif mode.split(":")[0] == "slirp4netns":
        if "slirp4netns" not in expected.network_modes:
            problems.append("network: slirp4netns is not a mode the policy allows")
        elif not expected.egress_rules:
            problems.append(
                "egress firewall: off on a slirp4netns network (every host loopback port "
                "would be reachable); it may be off only on a verified internal network"
            )
    elif "internal-bridge" not in expected.network_modes or not expected.network_internal:
        problems.append(
            f"network: mode {mode!r} is not slirp4netns or a network the runtime reports internal"
        )
    allowed = f"{expected.server_port}/tcp"
    for port, bindings in (host.get("PortBindings") or {}).items():
        for binding in bindings or []:
            if port != allowed or binding.get("HostIp") != expected.publish_host_ip:
                problems.append(
                    f"published ports: {port} on {binding.get('HostIp') or 'all interfaces'}; "
                    f"policy: {allowed} on {expected.publish_host_ip} only"
                )
    if host.get("PublishAllPorts"):
        problems.append("published ports: every exposed port is published")
    return problems


CHECKS = (
    check_image_and_user,
    check_security_options,
    check_namespaces_and_kernel,
    check_filesystem,
    check_mounts,
    check_limits,
    check_network,
)


def verify_container(inspect: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Every difference found, each naming its control; empty means fit to start."""
    return [problem for check in CHECKS for problem in check(inspect, expected)]
