"""The container security profile (``policies/container-security.yaml``).

Every field of the file ends up here and is used: by the spawner to create the
container, by ``container_expectations`` to say what the created container must look
like, and by ``firewall`` for the allowed peers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import cached_policy, parse_size

POLICY_NAME = "container-security"
# The tag rule "content-hash": the first 12 hex digits of the build inputs' sha256.
CONTENT_HASH_TAG = re.compile(r"^[0-9a-f]{12}$")


@dataclass(frozen=True)
class Ceilings:
    """The most any resource profile may grant."""

    memory: int
    cpus: float
    pids: int
    gpus: int


@dataclass(frozen=True)
class SecurityProfile:
    """Controls every user container must have, whatever its resource profile."""

    image_repositories: dict[str, str]  # image variant -> repository
    uid: int
    gid: int
    read_only_root: bool
    tmpfs: dict[str, int]  # mount point -> size in bytes
    shm_size: int
    home_mount: str
    home_volume_template: str
    drop_capabilities: tuple[str, ...]
    add_capabilities: tuple[str, ...]
    no_new_privileges: bool
    privileged: bool
    seccomp_profile: str  # file name in policies/
    namespaces: tuple[str, ...]
    host_cgroup_exception: str  # "none" or "podman-cgroup-v1"
    sysctls: dict[str, str]
    ulimits: dict[str, tuple[int, int]]  # name -> (soft, hard)
    allowed_peers: tuple[str, ...]
    allow_ipv6: bool
    network_modes: tuple[str, ...]
    publish_host_ip: str
    server_port: int
    ceilings: Ceilings

    @classmethod
    def from_policy(cls, data: dict[str, Any]) -> SecurityProfile:
        """Build from an already schema-validated policy dict."""
        fs, privileges, network = data["filesystem"], data["privileges"], data["network"]
        return cls(
            image_repositories=dict(data["image"]["repositories"]),
            uid=data["user"]["uid"],
            gid=data["user"]["gid"],
            read_only_root=fs["read_only_root"],
            tmpfs={path: parse_size(size) for path, size in fs["tmpfs"].items()},
            shm_size=parse_size(fs["shm_size"]),
            home_mount=fs["home"]["mount"],
            home_volume_template=fs["home"]["volume_name"],
            drop_capabilities=tuple(privileges["drop_capabilities"]),
            add_capabilities=tuple(privileges["add_capabilities"]),
            no_new_privileges=privileges["no_new_privileges"],
            privileged=privileges["privileged"],
            seccomp_profile=privileges["seccomp_profile"],
            namespaces=tuple(data["namespaces"]["own"]),
            host_cgroup_exception=data["namespaces"]["host_cgroup_exception"],
            sysctls=dict(data["sysctls"]),
            ulimits={k: (v["soft"], v["hard"]) for k, v in data["ulimits"].items()},
            allowed_peers=tuple(network["allowed_peers"]),
            allow_ipv6=network["allow_ipv6"],
            network_modes=tuple(network["modes"]),
            publish_host_ip=network["publish"]["host_ip"],
            server_port=network["publish"]["container_port"],
            ceilings=Ceilings(
                memory=parse_size(data["ceilings"]["memory"]),
                cpus=float(data["ceilings"]["cpus"]),
                pids=data["ceilings"]["pids"],
                gpus=data["ceilings"]["gpus"],
            ),
        )

    def image_repository(self, variant: str) -> str | None:
        """The repository of image ``variant``; None when the policy names none."""
        return self.image_repositories.get(variant)

    def image_problem(self, reference: str, variant: str) -> str | None:
        """Why ``reference`` is not an image this policy allows for ``variant`` (or None)."""
        repository, _, tag = reference.rpartition(":")
        wanted = self.image_repository(variant)
        if repository != wanted:
            return f"{reference!r} is not from repository {wanted!r} (image variant {variant})"
        if not CONTENT_HASH_TAG.match(tag):
            return f"{reference!r} is not tagged with a content hash (12 hex digits)"
        return None


def security_profile(directory: Path | None = None) -> SecurityProfile:
    """The current security profile (re-read, with the whole policy set, when a file changes)."""
    return cached_policy(POLICY_NAME, directory, SecurityProfile.from_policy)
