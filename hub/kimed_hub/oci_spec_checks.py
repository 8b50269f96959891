"""Verify the runtime spec podman wrote for a container, before it starts (podman only).

podman's inspect leaves out some of what it applies: its Docker-compatible API ignores a
requested cgroup namespace and reports neither the namespace nor sysctls it sets. After
``podman init`` the OCI runtime spec that runc will run (``config.json``, path in podman's
own inspect as ``OCIConfigPath``) exists; this module compares it with the expectation:
the namespaces, sysctls, seccomp filter (every allowed call is one the policy allows and
every call the policy allows is there), devices, capabilities, no-new-privileges, user,
rlimits, read-only root and bind mounts. Pure functions, no I/O.
"""

from __future__ import annotations

from typing import Any

from .container_expectations import ExpectedContainer

# Where podman keeps a container's own files (hosts, resolv.conf, /dev/shm) and volumes.
PODMAN_STORAGE = ("/var/lib/containers/storage/", "/run/containers/storage/")


def check_spec_namespaces(spec: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Each required namespace is new (no path), except the network podman made for it."""
    namespaces = {n["type"]: n.get("path", "") for n in spec["linux"].get("namespaces") or []}
    problems = []
    for name in expected.namespaces:
        if name == "cgroup" and name not in namespaces and expected.host_cgroup_accepted:
            continue  # the policy's reviewed exception (podman 4 on a cgroup v1 host)
        if name not in namespaces:
            problems.append(f"namespaces: the container shares the host's {name} namespace")
        elif namespaces[name] and not (
            name == "network" and namespaces[name].startswith("/run/netns/")
        ):
            problems.append(f"namespaces: {name} joins {namespaces[name]}")
    return problems


def check_spec_kernel(spec: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Sysctls within the policy, rlimits exactly the policy's, no device but GPUs."""
    linux, problems = spec["linux"], []
    extra = {k: v for k, v in (linux.get("sysctl") or {}).items() if expected.sysctls.get(k) != v}
    if extra:
        problems.append(f"sysctls: {extra} not allowed by the policy")
    rlimits = {
        r["type"].lower().removeprefix("rlimit_"): (r["soft"], r["hard"])
        for r in spec["process"].get("rlimits") or []
    }
    if rlimits != expected.ulimits:
        problems.append(f"ulimits: {rlimits}, policy {expected.ulimits}")
    devices = [d["path"] for d in linux.get("devices") or []]
    if any(not path.startswith("/dev/nvidia") for path in devices) or (
        devices and not expected.gpus
    ):
        problems.append(f"devices: {devices}; policy: the assigned GPUs only")
    return problems


def check_spec_seccomp(spec: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """The filter runc will load allows exactly what the policy's profile allows."""
    seccomp = spec["linux"].get("seccomp")
    if not seccomp:
        return ["seccomp: the runtime spec has no seccomp filter"]
    problems = []
    if seccomp.get("defaultAction") != "SCMP_ACT_ERRNO":
        problems.append(f"seccomp: default action {seccomp.get('defaultAction')}")
    allowed = {
        name
        for rule in seccomp.get("syscalls") or []
        if rule.get("action") == "SCMP_ACT_ALLOW"
        for name in rule.get("names") or []
    }
    if allowed != expected.seccomp.allowed:
        more, fewer = allowed - expected.seccomp.allowed, expected.seccomp.allowed - allowed
        problems.append(f"seccomp: filter allows {sorted(more)} more, {sorted(fewer)} fewer")
    return problems


def check_spec_process(spec: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """User, no capabilities, no-new-privileges, read-only root."""
    process, problems = spec["process"], []
    user = process.get("user") or {}
    uid, gid = (int(x) for x in expected.user.split(":"))
    if (
        user.get("uid") != uid
        or user.get("gid") != gid
        or set(user.get("additionalGids") or []) - {gid}
    ):
        problems.append(f"user: the runtime spec runs as {user}")
    held = {k: v for k, v in (process.get("capabilities") or {}).items() if v}
    if held:
        problems.append(f"capabilities: the runtime spec keeps {held}")
    if expected.no_new_privileges and not process.get("noNewPrivileges"):
        problems.append("no-new-privileges: missing from the runtime spec")
    if expected.read_only_root and not (spec.get("root") or {}).get("readonly"):
        problems.append("read-only root: the runtime spec's root is writable")
    return problems


def check_spec_mounts(spec: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Bind mounts: podman's own per-container files, the home volume, the grants."""
    home_source = f"/var/lib/containers/storage/volumes/{expected.home_volume}/_data"
    problems = []
    for mount in spec.get("mounts") or []:
        if mount.get("type") != "bind":
            continue
        source, target = mount.get("source", ""), mount.get("destination")
        if target == expected.home_mount and source == home_source:
            continue
        if target in expected.data_mounts:
            if source != expected.data_mounts[target] or "ro" not in mount.get("options", []):
                problems.append(f"data mounts: {target} from {source} is not the grant, read-only")
        elif not (source.startswith(PODMAN_STORAGE) and "/userdata/" in source):
            problems.append(f"mounts: bind of {source} at {target} is not allowed")
    return problems


def verify_oci_spec(spec: dict[str, Any], expected: ExpectedContainer) -> list[str]:
    """Every difference between the runtime spec and the expectation, controls named."""
    checks = (
        check_spec_namespaces,
        check_spec_kernel,
        check_spec_seccomp,
        check_spec_process,
        check_spec_mounts,
    )
    return [problem for check in checks for problem in check(spec, expected)]
