"""What a user's server gets, decided in one place for every spawner.

``server_plan`` computes, from the reviewed policies (``container-security.yaml``,
``profiles.yaml``, ``roles.yaml``, ``seccomp.json``), the user's groups, their spawn
options and the datasets their grants entitle them to: the image variant and repository,
the limits, the GPU count, the read-only data mounts and every security control. The
spawners only translate a plan into their runtime's terms: ``WorkbenchKubeSpawner``
(kimed_hub.k8s) builds the pod from it; ``WorkbenchSpawner`` (one machine) chooses the
profile here and is verified against ``container_expectations.expected_container``, which
a unit test holds equal to the plan on every control (tests/unit/test_server_plan.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tornado import web

from .access.grants import data_mount_path
from .policies import (
    ResourceProfile,
    SeccompProfile,
    resource_profiles,
    roles_policy,
    seccomp_profile,
    security_profile,
)


@dataclass(frozen=True)
class ServerPlan:
    """Everything a user's server must be, from the policies; runtime-neutral."""

    profile: ResourceProfile  # limits: cpus, memory, memory_swap, pids, gpus
    image_variant: str
    image_repository: str
    uid: int
    gid: int
    read_only_root: bool
    privileged: bool
    no_new_privileges: bool
    drop_capabilities: tuple[str, ...]
    add_capabilities: tuple[str, ...]
    seccomp: SeccompProfile
    tmpfs: dict[str, int]  # mount point -> bytes
    shm_size: int
    sysctls: dict[str, str]
    home_mount: str
    home_volume_template: str
    data_mounts: tuple[tuple[str, str], ...]  # (dataset, /data/<dataset>), read-only
    allowed_peers: tuple[str, ...]
    server_port: int


def allowed_profiles(groups: Iterable[str], policies: Path | None = None) -> list[ResourceProfile]:
    """Resource profiles the member of ``groups`` may use, in the policy's order."""
    profiles = resource_profiles(policies)
    names = roles_policy(policies).profiles_for_groups(set(groups), list(profiles.profiles))
    return [profiles.profiles[n] for n in names]


def choose_profile(
    options: dict[str, Any], groups: Iterable[str], policies: Path | None = None
) -> ResourceProfile:
    """The profile named in ``options`` (or the default), if ``groups`` may use it.

    Raises 400 for any other option (image, limits, ...) and 403 for a profile the
    user's groups do not allow."""
    unknown = sorted(set(options) - {"profile"})
    if unknown:
        raise web.HTTPError(
            400,
            f"Spawn options {unknown} are not accepted: the image and resources of "
            "your server are set by the workbench's policy; choose a profile instead.",
        )
    allowed = {p.name: p for p in allowed_profiles(groups, policies)}
    name = options.get("profile") or resource_profiles(policies).default
    if name not in allowed:
        raise web.HTTPError(
            403,
            f"Resource profile {name!r} is not available to you; your groups allow "
            f"{sorted(allowed) or 'none'}. Ask your administrator if you need another.",
        )
    return allowed[name]


def server_plan(
    options: dict[str, Any],
    groups: Iterable[str],
    datasets: Iterable[str] = (),
    policies: Path | None = None,
) -> ServerPlan:
    """The server a user with ``groups`` gets for ``options``, with ``datasets`` (their
    ACTIVE grants and open synthetic versions) mounted read-only at /data/<dataset>."""
    chosen = choose_profile(options, groups, policies)
    return plan_for_profile(chosen, datasets, policies)


def plan_for_profile(
    chosen: ResourceProfile, datasets: Iterable[str] = (), policies: Path | None = None
) -> ServerPlan:
    """The plan for an already permitted profile (also used to render every profile)."""
    security = security_profile(policies)
    return ServerPlan(
        profile=chosen,
        image_variant=chosen.image_variant,
        image_repository=security.image_repository(chosen.image_variant) or "",
        uid=security.uid,
        gid=security.gid,
        read_only_root=security.read_only_root,
        privileged=security.privileged,
        no_new_privileges=security.no_new_privileges,
        drop_capabilities=tuple(security.drop_capabilities),
        add_capabilities=tuple(security.add_capabilities),
        seccomp=seccomp_profile(policies),
        tmpfs=dict(security.tmpfs),
        shm_size=security.shm_size,
        sysctls=dict(security.sysctls),
        home_mount=security.home_mount,
        home_volume_template=security.home_volume_template,
        data_mounts=tuple((d, data_mount_path(d)) for d in sorted(set(datasets))),
        allowed_peers=tuple(security.allowed_peers),
        server_port=security.server_port,
    )
