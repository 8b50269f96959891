"""The reviewed policy files of ``policies/``, one module per file, validated fail-closed.

The files are used as one set (``loader``): each time any of them changes, all are
loaded, validated and built again, and the rules that span files are checked (profiles
under the security ceilings, roles naming existing profiles, every profile's image
variant named in the security profile) before any part of the new set is used. The hub
calls ``check_all`` at start-up; spawns that follow an invalid edit fail with the same
message until the files are fixed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import loader
from .airlock import AirlockPolicy, FileType, Thresholds, airlock_policy
from .exits import _build as _build_exits
from .exits import workspace_exits_policy
from .loader import PolicyError, build_policy_set, load_policy, parse_size
from .packages import AllowedPackage, PackageAllowlist, package_allowlist
from .profiles import ResourceProfile, ResourceProfiles, resource_profiles
from .roles import Role, RolesPolicy, roles_policy
from .seccomp import SeccompProfile, seccomp_profile
from .security import Ceilings, SecurityProfile, security_profile
from .sessions import SessionsPolicy, sessions_policy
from .synthesis import SynthesisMethod, SynthesisPolicy, synthesis_policy

POLICY_FILES = (
    "container-security",
    "profiles",
    "roles",
    "sessions",
    "demo-accounts",
    "package-allowlist",
    "seccomp",
    "airlock",
    "workspace-exits",
    "training",
    "synthesis",
)


def check_across(built: dict[str, Any]) -> None:
    """The rules that span files; raise :class:`PolicyError` on the first broken one."""
    security: SecurityProfile = built["container-security"]
    profiles: ResourceProfiles = built["profiles"]
    profiles.check_ceilings(security.ceilings)
    built["roles"].check_profiles(set(profiles.profiles))
    for profile in profiles.profiles.values():
        if security.image_repository(profile.image_variant) is None:
            raise PolicyError(
                f"policy profiles.yaml: field 'profiles.{profile.name}.image_variant' is "
                f"{profile.image_variant!r}, which container-security.yaml does not name "
                f"under 'image.repositories' {sorted(security.image_repositories)}."
            )


for _name, _build in (
    ("container-security", SecurityProfile.from_policy),
    ("profiles", ResourceProfiles.from_policy),
    ("roles", RolesPolicy.from_policy),
    ("sessions", SessionsPolicy.from_policy),
    ("package-allowlist", PackageAllowlist.from_policy),
    ("seccomp", SeccompProfile.from_policy),
    ("airlock", AirlockPolicy.from_policy),
    ("workspace-exits", _build_exits),
    ("synthesis", SynthesisPolicy.from_policy),
):
    loader.register(_name, _build)
loader.register_set_check(check_across)


def check_all(directory: Path | None = None) -> list[str]:
    """Validate every policy file and the rules across them; return the files' names."""
    build_policy_set(directory or loader.policies_dir(), POLICY_FILES)
    return list(POLICY_FILES)


__all__ = [
    "AirlockPolicy",
    "FileType",
    "Thresholds",
    "airlock_policy",
    "AllowedPackage",
    "PackageAllowlist",
    "Ceilings",
    "PolicyError",
    "ResourceProfile",
    "ResourceProfiles",
    "Role",
    "RolesPolicy",
    "SeccompProfile",
    "SecurityProfile",
    "SessionsPolicy",
    "check_across",
    "check_all",
    "load_policy",
    "package_allowlist",
    "parse_size",
    "resource_profiles",
    "roles_policy",
    "seccomp_profile",
    "security_profile",
    "sessions_policy",
    "SynthesisMethod",
    "SynthesisPolicy",
    "synthesis_policy",
    "workspace_exits_policy",
]
