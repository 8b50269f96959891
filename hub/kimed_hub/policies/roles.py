"""Roles, groups and custom scopes (``policies/roles.yaml``), turned into JupyterHub RBAC."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import PolicyError, cached_policy

# Scopes every logged-in user needs for their own server, whatever their role.
BASE_USER_SCOPES = ("self",)


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    groups: tuple[str, ...]
    scopes: tuple[str, ...]
    profiles: tuple[str, ...]


@dataclass(frozen=True)
class RolesPolicy:
    """Who may do what: roles by group, custom scopes, login and admin groups."""

    roles: dict[str, Role]
    custom_scopes: dict[str, str]
    allowed_groups: frozenset[str]
    admin_groups: frozenset[str]
    server_token_scopes: tuple[str, ...]

    @classmethod
    def from_policy(cls, data: dict[str, Any]) -> RolesPolicy:
        """Build from a schema-validated dict; raise on undeclared scopes or unknown groups."""
        roles = {
            name: Role(
                name,
                spec["description"],
                tuple(spec["groups"]),
                tuple(spec["scopes"]),
                tuple(spec["profiles"]),
            )
            for name, spec in data["roles"].items()
        }
        policy = cls(
            roles=roles,
            custom_scopes={k: v["description"] for k, v in data["custom_scopes"].items()},
            allowed_groups=frozenset(data["allowed_groups"]),
            admin_groups=frozenset(data["admin_groups"]),
            server_token_scopes=tuple(data["server_token_scopes"]),
        )
        policy._check_consistency()
        return policy

    def _check_consistency(self) -> None:
        for role in self.roles.values():
            for scope in role.scopes:
                if scope.startswith("custom:") and scope not in self.custom_scopes:
                    raise PolicyError(
                        f"policy roles.yaml: field 'roles.{role.name}.scopes' uses {scope!r}, "
                        "which is not declared under 'custom_scopes'."
                    )
            for group in role.groups:
                if group not in self.allowed_groups:
                    raise PolicyError(
                        f"policy roles.yaml: field 'roles.{role.name}.groups' names {group!r}, "
                        "which is not in 'allowed_groups' (its members could not log in)."
                    )
        if not self.admin_groups <= self.allowed_groups:
            raise PolicyError(
                "policy roles.yaml: field 'admin_groups' must be within 'allowed_groups'."
            )

    def check_profiles(self, known: set[str]) -> None:
        """Raise if a role names a profile that profiles.yaml does not define."""
        for role in self.roles.values():
            unknown = set(role.profiles) - known
            if unknown:
                raise PolicyError(
                    f"policy roles.yaml: field 'roles.{role.name}.profiles' names "
                    f"{sorted(unknown)}, not defined in profiles.yaml {sorted(known)}."
                )

    def profiles_for_groups(self, groups: set[str], order: list[str]) -> list[str]:
        """Profiles the member of ``groups`` may use, in the order of ``order``."""
        allowed = {p for r in self.roles.values() if groups & set(r.groups) for p in r.profiles}
        return [name for name in order if name in allowed]

    def hub_roles(self) -> list[dict[str, Any]]:
        """``JupyterHub.load_roles`` entries: one role per policy role, granted to its groups."""
        return [
            {
                "name": f"kimed-{role.name}",
                "description": role.description,
                "scopes": list(role.scopes),
                "groups": list(role.groups),
            }
            for role in self.roles.values()
            if role.scopes
        ]

    def hub_custom_scopes(self) -> dict[str, dict[str, str]]:
        """``JupyterHub.custom_scopes``."""
        return {name: {"description": text} for name, text in self.custom_scopes.items()}


def roles_policy(directory: Path | None = None) -> RolesPolicy:
    """The current roles policy (re-read when the file changes)."""
    return cached_policy("roles", directory, RolesPolicy.from_policy)
