"""The package allowlist (``policies/package-allowlist.yaml``): what pip may install
inside user containers, from the workbench's own package index."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import cached_policy

POLICY_NAME = "package-allowlist"


def canonical_name(name: str) -> str:
    """A project name as PEP 503 normalises it (``Scikit_Learn`` -> ``scikit-learn``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class AllowedPackage:
    """One approved project at one exact version."""

    name: str
    version: str
    purpose: str

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass(frozen=True)
class PackageAllowlist:
    """The approved projects and what a refused user is told."""

    how_to_request: str
    packages: dict[str, AllowedPackage]

    @classmethod
    def from_policy(cls, data: dict[str, Any]) -> PackageAllowlist:
        packages = {
            canonical_name(name): AllowedPackage(
                canonical_name(name), str(entry["version"]), entry["purpose"]
            )
            for name, entry in data["packages"].items()
        }
        return cls(" ".join(data["how_to_request"].split()), packages)

    def allows(self, name: str) -> bool:
        """True when the project (any spelling of its name) is approved."""
        return canonical_name(name) in self.packages

    def refusal(self, name: str) -> str:
        """The message for a project that is not approved: what happened, what to do."""
        return (
            f"'{canonical_name(name)}' is not on the KIMed Workbench package allowlist, so "
            f"it cannot be installed here. {self.how_to_request}"
        )

    def requirements(self) -> list[str]:
        """``name==version`` for every approved project, sorted."""
        return [p.requirement for _, p in sorted(self.packages.items())]


def package_allowlist(directory: Path | None = None) -> PackageAllowlist:
    """The current allowlist (re-read when the file changes)."""
    return cached_policy(POLICY_NAME, directory, PackageAllowlist.from_policy)
