"""Resource profiles (``policies/profiles.yaml``): the limits a user may choose from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import PolicyError, cached_policy, parse_size
from .security import Ceilings


@dataclass(frozen=True)
class ResourceProfile:
    """One choice at spawn: CPU, memory (and swap), processes, GPUs."""

    name: str
    display_name: str
    description: str
    cpus: float
    memory: int
    memory_swap: int
    pids: int
    gpus: int
    image_variant: str = "cpu"


@dataclass(frozen=True)
class ResourceProfiles:
    """All profiles, in the policy's order, the default, and the GPU sharing rule."""

    profiles: dict[str, ResourceProfile]
    default: str
    gpu_sharing: bool

    @classmethod
    def from_policy(cls, data: dict[str, Any]) -> ResourceProfiles:
        """Build from a schema-validated dict; raise on swap below memory or a bad default."""
        profiles = {}
        for name, spec in data["profiles"].items():
            profile = ResourceProfile(
                name=name,
                display_name=spec["display_name"],
                description=spec["description"],
                cpus=float(spec["cpus"]),
                memory=parse_size(spec["memory"]),
                memory_swap=parse_size(spec["memory_swap"]),
                pids=spec["pids"],
                gpus=spec["gpus"],
                image_variant=spec.get("image_variant", "cpu"),
            )
            if profile.memory_swap < profile.memory:
                raise PolicyError(
                    f"policy profiles.yaml: field 'profiles.{name}.memory_swap' must be at "
                    "least 'memory' (it is memory plus swap); set them equal for no swap."
                )
            profiles[name] = profile
        if data["default"] not in profiles:
            raise PolicyError(
                f"policy profiles.yaml: field 'default' names {data['default']!r}, which is "
                f"not one of the profiles {sorted(profiles)}."
            )
        return cls(profiles, data["default"], data["gpu"]["allow_sharing"])

    def check_ceilings(self, ceilings: Ceilings) -> None:
        """Raise :class:`PolicyError` for any profile above the security profile's ceilings."""
        for profile in self.profiles.values():
            for limit in ("memory", "cpus", "pids", "gpus"):
                if getattr(profile, limit) > getattr(ceilings, limit):
                    raise PolicyError(
                        f"policy profiles.yaml: field 'profiles.{profile.name}.{limit}' exceeds "
                        f"the ceiling in container-security.yaml (ceilings.{limit}); lower it "
                        "or have the ceiling raised in review."
                    )


def resource_profiles(directory: Path | None = None) -> ResourceProfiles:
    """The current resource profiles (re-read when the file changes)."""
    return cached_policy("profiles", directory, ResourceProfiles.from_policy)
