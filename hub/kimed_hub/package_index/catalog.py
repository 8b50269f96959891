"""What the package index serves: the allowlisted subset of its wheelhouse.

A project is served when the allowlist approves it (only its approved version), or when
it is a dependency of a served project (any version the wheelhouse holds: the lock that
filled the wheelhouse was resolved from the allowlist and reviewed with it). Dependencies
come from each wheel's own metadata (``Requires-Dist``), evaluated for the image's Python,
so removing a project from the allowlist stops serving it, and what only it needed, at
the next request, without a new lock. Everything else is refused.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement

from ..policies import PackageAllowlist
from ..policies.packages import canonical_name

# The image's interpreter (bookworm's CPython 3.11.2 on x86_64 Linux), for markers.
IMAGE_MARKERS = {
    "implementation_name": "cpython",
    "implementation_version": "3.11.2",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_system": "Linux",
    "python_full_version": "3.11.2",
    "python_version": "3.11",
    "sys_platform": "linux",
}


@dataclass(frozen=True)
class WheelFile:
    """One wheel of the wheelhouse, with what the index pages need."""

    filename: str
    path: Path
    project: str
    version: str
    sha256: str
    requires_python: str
    requires: tuple[str, ...] = field(default=())


def read_wheel(path: Path) -> WheelFile:
    """Name, version, hash, Requires-Python and Requires-Dist of a wheel file."""
    parts = path.name.removesuffix(".whl").split("-")
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        meta = HeaderParser().parsestr(archive.read(name).decode("utf-8", errors="replace"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return WheelFile(
        filename=path.name,
        path=path,
        project=canonical_name(parts[0]),
        version=parts[1],
        sha256=digest,
        requires_python=meta.get("Requires-Python", "") or "",
        requires=tuple(meta.get_all("Requires-Dist") or ()),
    )


class Catalog:
    """The wheels of one folder, read once per change of the folder, and the served set
    for the current allowlist (``allowlist()`` is called at every question, so a changed
    policy file applies at once)."""

    def __init__(self, folder: Path, allowlist: Callable[[], PackageAllowlist]):
        self.folder = folder
        self.allowlist = allowlist
        self._stamp: tuple | None = None
        self._wheels: dict[str, list[WheelFile]] = {}

    def wheels(self) -> dict[str, list[WheelFile]]:
        """Every wheel in the folder by canonical project name (re-read when it changes)."""
        files = sorted(self.folder.glob("*.whl")) if self.folder.is_dir() else []
        stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)
        if stamp != self._stamp:
            wheels: dict[str, list[WheelFile]] = {}
            for path in files:
                wheel = read_wheel(path)
                wheels.setdefault(wheel.project, []).append(wheel)
            self._wheels, self._stamp = wheels, stamp
        return self._wheels

    def served(self) -> dict[str, list[WheelFile]]:
        """The served projects and their files: approved versions of allowlisted projects
        and the dependency closure of those in the wheelhouse."""
        wheels, allowlist = self.wheels(), self.allowlist()
        served: dict[str, list[WheelFile]] = {}
        queue = [(name, ()) for name in allowlist.packages]
        seen: set[tuple[str, tuple[str, ...]]] = set()
        while queue:
            project, extras = queue.pop()
            if (project, extras) in seen or project not in wheels:
                continue
            seen.add((project, extras))
            approved = allowlist.packages.get(project)
            files = [w for w in wheels[project] if not approved or w.version == approved.version]
            served.setdefault(project, [])
            served[project] += [f for f in files if f not in served[project]]
            for wheel in files:
                queue += dependencies(wheel, extras)
        return {name: files for name, files in sorted(served.items()) if files}

    def status(self, project: str) -> str:
        """``served``, ``approved-missing`` (allowlisted, not in the wheelhouse: the lock
        or the wheelhouse is behind the policy) or ``refused``."""
        if project in self.served():
            return "served"
        return "approved-missing" if self.allowlist().allows(project) else "refused"

    def file(self, filename: str) -> WheelFile | None:
        """A served wheel by its file name, or None."""
        for files in self.served().values():
            for wheel in files:
                if wheel.filename == filename:
                    return wheel
        return None


def dependencies(wheel: WheelFile, extras: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """The projects (with requested extras) a wheel needs on the image's Python, given
    the extras it was itself requested with."""
    needed = []
    for line in wheel.requires:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and not _marker_applies(requirement, extras):
            continue
        needed.append((canonical_name(requirement.name), tuple(sorted(requirement.extras))))
    return needed


def _marker_applies(requirement: Requirement, extras: tuple[str, ...]) -> bool:
    try:
        return any(
            requirement.marker.evaluate({**IMAGE_MARKERS, "extra": extra})
            for extra in (*extras, "")
        )
    except InvalidMarker:
        return False
