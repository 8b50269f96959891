"""The reviewed policy files of ``policies/``, one module per file, validated fail-closed.

``check_all`` loads every policy and the rules that span files (profiles under the
security ceilings, roles naming existing profiles); the hub calls it at start-up.
"""

from __future__ import annotations

from pathlib import Path

from .airlock import AirlockPolicy, FileType, Thresholds, airlock_policy
from .loader import PolicyError, load_policy, parse_size
from .packages import AllowedPackage, PackageAllowlist, package_allowlist
from .profiles import ResourceProfile, ResourceProfiles, resource_profiles
from .roles import Role, RolesPolicy, roles_policy
from .security import Ceilings, SecurityProfile, security_profile
from .sessions import SessionsPolicy, sessions_policy

POLICY_FILES = (
    "container-security",
    "profiles",
    "roles",
    "sessions",
    "demo-accounts",
    "package-allowlist",
    "airlock",
    "training",
)


def check_all(directory: Path | None = None) -> list[str]:
    """Validate every policy file and the rules across them; return the files' names."""
    for name in POLICY_FILES:
        load_policy(name, directory)
    profiles = resource_profiles(directory)
    profiles.check_ceilings(security_profile(directory).ceilings)
    roles_policy(directory).check_profiles(set(profiles.profiles))
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
    "SecurityProfile",
    "SessionsPolicy",
    "check_all",
    "load_policy",
    "package_allowlist",
    "parse_size",
    "resource_profiles",
    "roles_policy",
    "security_profile",
    "sessions_policy",
]
