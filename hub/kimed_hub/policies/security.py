"""The container security profile (``policies/container-security.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import cached_policy, parse_size


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

    image: str
    uid: int
    gid: int
    tmp_size: int
    shm_size: int
    home_mount: str
    home_volume_template: str
    allowed_peers: tuple[str, ...]
    ceilings: Ceilings

    @classmethod
    def from_policy(cls, data: dict[str, Any]) -> SecurityProfile:
        """Build from an already schema-validated policy dict."""
        fs, ceilings = data["filesystem"], data["ceilings"]
        return cls(
            image=data["image"],
            uid=data["user"]["uid"],
            gid=data["user"]["gid"],
            tmp_size=parse_size(fs["tmp_size"]),
            shm_size=parse_size(fs["shm_size"]),
            home_mount=fs["home"]["mount"],
            home_volume_template=fs["home"]["volume_name"],
            allowed_peers=tuple(data["network"]["allowed_peers"]),
            ceilings=Ceilings(
                memory=parse_size(ceilings["memory"]),
                cpus=float(ceilings["cpus"]),
                pids=ceilings["pids"],
                gpus=ceilings["gpus"],
            ),
        )


def security_profile(directory: Path | None = None) -> SecurityProfile:
    """The current security profile (re-read when the file changes)."""
    return cached_policy("container-security", directory, SecurityProfile.from_policy)
