"""The container a user must get, computed from the reviewed policy alone.

``expected_container`` takes the policy files' objects (``container-security.yaml``,
the chosen profile of ``profiles.yaml``, ``seccomp.json``) and the few facts of this
spawn that are not settings: the GPUs the hub assigned, the user's home volume name
(the policy's template), the dataset folders their grants entitle them to, what the
runtime reports about the image and the network. Nothing comes from the spawner's
configurable traits (image, network_name, egress_firewall, site_host_config...): an
operator's override that weakens a control therefore shows up as a difference between
this expectation and what the runtime reports (``container_checks``, ``oci_spec_checks``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .policies import ResourceProfile, SeccompProfile, SecurityProfile


@dataclass(frozen=True)
class SpawnFacts:
    """What this spawn decided or the runtime reported, none of it a configurable trait."""

    runtime_kind: str  # "podman" or "docker", as the runtime reports itself
    home_volume: str  # the policy's volume template, rendered for this user
    gpus: tuple[str, ...] = ()  # device IDs the hub assigned to this server
    data_mounts: tuple[tuple[str, str], ...] = ()  # (host folder, /data/<id>) per grant
    image_id: str | None = None  # the runtime's ID of the image reference created from
    network_internal: bool | None = None  # the runtime's "Internal" flag of the network
    egress_rules: bool = False  # the spawner will write firewall.py's rules before start
    seccomp_path: str = ""  # podman: the content-addressed copy of seccomp.json
    cgroup_v1: bool = False  # the host runs cgroup v1 (see host_cgroup_accepted)


@dataclass(frozen=True)
class ExpectedContainer:
    """Every setting a verified container has; anything else it has is a difference."""

    image_variant: str
    image_id: str | None
    user: str
    read_only_root: bool
    privileged: bool
    capabilities_added: frozenset[str]
    no_new_privileges: bool
    seccomp: SeccompProfile
    seccomp_path: str
    namespaces: tuple[str, ...]
    host_cgroup_accepted: bool  # the policy's exception applies to this host
    sysctls: dict[str, str]
    ulimits: dict[str, tuple[int, int]]
    tmpfs: dict[str, int]
    shm_size: int
    limits: ResourceProfile
    gpus: tuple[str, ...]
    home_mount: str
    home_volume: str
    data_mounts: dict[str, str]  # container path -> the grant's host folder
    network_modes: tuple[str, ...]
    network_internal: bool | None
    egress_rules: bool
    publish_host_ip: str
    server_port: int
    runtime_kind: str
    security: SecurityProfile = field(repr=False)


def expected_container(
    security: SecurityProfile,
    chosen: ResourceProfile,
    seccomp: SeccompProfile,
    facts: SpawnFacts,
) -> ExpectedContainer:
    """The container this spawn must produce, from the policy and this spawn's facts."""
    return ExpectedContainer(
        image_variant=chosen.image_variant,
        image_id=facts.image_id,
        user=f"{security.uid}:{security.gid}",
        read_only_root=security.read_only_root,
        privileged=security.privileged,
        capabilities_added=frozenset(security.add_capabilities),
        no_new_privileges=security.no_new_privileges,
        seccomp=seccomp,
        seccomp_path=facts.seccomp_path,
        namespaces=security.namespaces,
        host_cgroup_accepted=(
            security.host_cgroup_exception == "podman-cgroup-v1"
            and facts.runtime_kind == "podman"
            and facts.cgroup_v1
        ),
        sysctls=dict(security.sysctls),
        ulimits=dict(security.ulimits),
        tmpfs=dict(security.tmpfs),
        shm_size=security.shm_size,
        limits=chosen,
        gpus=tuple(facts.gpus),
        home_mount=security.home_mount,
        home_volume=facts.home_volume,
        data_mounts={target: source for source, target in facts.data_mounts},
        network_modes=security.network_modes,
        network_internal=facts.network_internal,
        egress_rules=facts.egress_rules,
        publish_host_ip=security.publish_host_ip,
        server_port=security.server_port,
        runtime_kind=facts.runtime_kind,
        security=security,
    )


def seccomp_option(runtime_kind: str, seccomp: SeccompProfile, path: str) -> str:
    """The ``security_opt`` entry applying the profile: Docker's API takes the JSON itself
    ("seccomp=<json>"); podman's compatible API (4.x) takes a file path and reports it
    back in inspect, so podman gets the content-addressed copy at ``path``."""
    return f"seccomp={seccomp.text if runtime_kind == 'docker' else path}"


def seccomp_file(seccomp: SeccompProfile, folder: Path) -> Path:
    """A read-only copy of the profile named by its hash, for podman to read at create.

    Written once per profile version; an existing copy is re-hashed and rewritten when it
    differs (a tampered copy is replaced, never used)."""
    path = folder / seccomp.file_name
    if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == seccomp.sha256:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(seccomp.text)
    partial.chmod(0o444)
    partial.replace(path)  # atomic: podman never reads a half-written profile
    return path


def host_has_cgroup_v1() -> bool:
    """True on hosts without the unified (v2) cgroup hierarchy at /sys/fs/cgroup."""
    return not Path("/sys/fs/cgroup/cgroup.controllers").exists()
