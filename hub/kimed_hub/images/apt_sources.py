"""Find the Debian mirror that the host's own apt sources name, for debootstrap.

The mirror is never hard-coded: a site behind a proxy or with its own mirror has already
configured apt, and the base image must come from the same place. Both source formats are
read: one-line ``.list`` files and deb822 ``.sources`` stanzas.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ._common import ImageBuildError

APT_DIR = Path("/etc/apt")
MIRROR_ENV = "KIMED_DEBIAN_MIRROR"
# The main archive: ".../debian" (deb.debian.org, ftp.<cc>.debian.org, a site mirror) or a
# snapshot of it; not debian-security, not ports, not third-party repositories.
_MAIN_ARCHIVE = re.compile(r"/debian/?$|/archive/debian/\d{8}T\d{6}Z/?$")


@dataclass(frozen=True)
class AptSource:
    """One repository entry, in either format."""

    types: tuple[str, ...]
    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]


def apt_source_files(apt_dir: Path = APT_DIR) -> list[Path]:
    """The files apt itself reads, in apt's order: sources.list, then sources.list.d/."""
    parts = sorted(p for p in (apt_dir / "sources.list.d").glob("*") if p.is_file())
    listed = [p for p in parts if p.suffix in (".list", ".sources")]
    return [apt_dir / "sources.list", *listed]


def parse_one_line(text: str) -> Iterator[AptSource]:
    """Entries of a one-line-style file: ``deb [options] URI SUITE COMPONENT...``."""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        line = re.sub(r"\[[^\]]*\]", " ", line)  # options may contain spaces
        fields = line.split()
        if len(fields) >= 3 and fields[0] in ("deb", "deb-src"):
            yield AptSource((fields[0],), fields[1], (fields[2],), tuple(fields[3:]))


def parse_deb822(text: str) -> Iterator[AptSource]:
    """Entries of a deb822 ``.sources`` file; stanzas with ``Enabled: no`` are skipped.
    A stanza with several URIs yields one entry per URI."""
    for stanza in _deb822_stanzas(text):
        if stanza.get("enabled", "yes").lower() == "no":
            continue
        types = tuple(stanza.get("types", "").split())
        suites = tuple(stanza.get("suites", "").split())
        components = tuple(stanza.get("components", "").split())
        for uri in stanza.get("uris", "").split():
            yield AptSource(types, uri, suites, components)


def _deb822_stanzas(text: str) -> Iterator[dict[str, str]]:
    """Field dictionaries (lower-case keys) of the blank-line-separated stanzas."""
    fields: dict[str, str] = {}
    key = None
    for line in [*text.splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if fields:
                yield fields
            fields, key = {}, None
        elif line[0].isspace() and key:  # continuation of a multi-line field
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            key = key.strip().lower()
            fields[key] = value.strip()


def is_main_mirror(source: AptSource, suite: str) -> bool:
    """True for a binary ``main`` entry of the main Debian archive that carries ``suite``."""
    return (
        "deb" in source.types
        and suite in source.suites
        and "main" in source.components
        and bool(_MAIN_ARCHIVE.search(source.uri))
    )


def debian_mirror(suite: str, files: list[Path] | None = None) -> str:
    """The first main Debian mirror in the apt sources whose suites include ``suite``.

    ``KIMED_DEBIAN_MIRROR`` overrides the search (for hosts whose apt is not Debian's).
    Raises ImageBuildError naming the files read when none qualifies."""
    if os.environ.get(MIRROR_ENV):
        return os.environ[MIRROR_ENV]
    files = apt_source_files() if files is None else files
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        parse = parse_deb822 if path.suffix == ".sources" else parse_one_line
        for source in parse(text):
            if is_main_mirror(source, suite):
                return source.uri
    read = ", ".join(f"{p}{'' if p.is_file() else ' (missing)'}" for p in files)
    raise ImageBuildError(
        f"No Debian mirror for suite {suite!r} (type deb, component main, a URI ending in "
        f"/debian) in the apt sources read: {read}. Add one to the host's apt sources, or "
        f"set {MIRROR_ENV} to a mirror URL such as your site's Debian mirror."
    )
