"""Write the image's software bill of materials (CycloneDX 1.5 JSON), at build time.

Runs inside the image as the last build step, with the image's own Python and nothing
but the standard library, so the SBOM lists exactly what was installed:

* every Debian package dpkg has installed (``pkg:deb`` purls; the suite's versions),
* every Python distribution of every environment: the server's ``/opt/venv`` and each
  kernel's ``/opt/kernels/<name>`` (``pkg:pypi`` purls), with the sha256 of the wheel it
  was installed from, taken from that environment's hash lock (pip and setuptools, which
  ``python3 -m venv`` installs, from Debian's bundled wheels in /usr/share/python-wheels).

The hub's build code copies the result out of the image next to the image state
(``.kimed/sbom/``); inside the image it stays at ``/opt/kimed/sbom.cdx.json``.
Usage: ``python3 sbom.py --variant cpu --output /opt/kimed/sbom.cdx.json [--root /]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import uuid
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

# (environment name, its prefix, its lock) relative to the root; kernels are found.
SERVER_ENV = ("singleuser", "opt/venv", "opt/kimed/requirements.lock")


def canonical(name: str) -> str:
    """A project name normalised as PEP 503 does."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_hashes(lock: Path) -> dict[tuple[str, str], list[str]]:
    """``(name, version) -> [sha256, ...]`` from a hash lock (``name==v --hash=...``)."""
    if not lock.is_file():
        return {}
    text = re.sub(r"\\\n", " ", lock.read_text())
    found = {}
    for line in text.splitlines():
        tokens = line.split("#", 1)[0].split()
        if tokens and "==" in tokens[0]:
            name, version = tokens[0].split("==", 1)
            digests = [t.removeprefix("--hash=sha256:") for t in tokens[1:]]
            found[(canonical(name), version)] = digests
    return found


def environments(root: Path) -> list[tuple[str, Path, Path]]:
    """Every Python environment of the image: name, prefix and lock."""
    envs = [(SERVER_ENV[0], root / SERVER_ENV[1], root / SERVER_ENV[2])]
    for prefix in sorted((root / "opt/kernels").glob("*/pyvenv.cfg")):
        name = prefix.parent.name
        envs.append((name, prefix.parent, root / f"opt/kimed/kernels/{name}/requirements.lock"))
    return envs


def bundled_wheel_hashes(root: Path) -> dict[tuple[str, str], list[str]]:
    """``(name, version) -> [sha256]`` of the wheels Debian bundles for ``ensurepip``
    (pip and setuptools in every venv come from these, not from a lock)."""
    found = {}
    for path in sorted((root / "usr/share/python-wheels").glob("*.whl")):
        name, version = path.name.split("-")[:2]
        found[(canonical(name), version)] = [hashlib.sha256(path.read_bytes()).hexdigest()]
    return found


def python_components(name: str, prefix: Path, lock: Path, root: Path) -> list[dict]:
    """One component per distribution installed in the environment at ``prefix``."""
    hashes = {**bundled_wheel_hashes(root), **lock_hashes(lock)}
    paths = [str(p) for p in prefix.glob("lib/python3*/site-packages")]
    components = []
    for dist in sorted(metadata.distributions(path=paths), key=lambda d: canonical(d.name)):
        project, version = canonical(dist.metadata["Name"]), dist.version
        component = {
            "type": "library",
            "bom-ref": f"{name}:pypi:{project}@{version}",
            "name": project,
            "version": version,
            "purl": f"pkg:pypi/{project}@{version}",
            "properties": [{"name": "kimed:environment", "value": f"/{_rel(prefix)}"}],
        }
        if digests := hashes.get((project, version)):
            component["hashes"] = [{"alg": "SHA-256", "content": d} for d in digests]
        if license_expression := dist.metadata.get("License-Expression"):
            component["licenses"] = [{"expression": license_expression}]
        components.append(component)
    return components


def _rel(path: Path) -> str:
    parts = path.parts
    return "/".join(parts[parts.index("opt") :]) if "opt" in parts else str(path)


def dpkg_packages(root: Path) -> list[dict[str, str]]:
    """Installed packages from dpkg's status file: name, version, architecture."""
    status = root / "var/lib/dpkg/status"
    packages = []
    for stanza in status.read_text(errors="replace").split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in stanza.splitlines() if ": " in line and line[0] != " "
        )
        if fields.get("Status", "").endswith(" installed") and "Package" in fields:
            packages.append({k: fields.get(k, "") for k in ("Package", "Version", "Architecture")})
    return sorted(packages, key=lambda p: p["Package"])


def debian_components(root: Path) -> list[dict]:
    """One component per installed Debian package."""
    release = _os_release(root).get("VERSION_ID", "")
    components = []
    for pkg in dpkg_packages(root):
        name, version, arch = pkg["Package"], pkg["Version"], pkg["Architecture"]
        components.append(
            {
                "type": "library" if name.startswith("lib") else "application",
                "bom-ref": f"deb:{name}@{version}",
                "name": name,
                "version": version,
                "purl": f"pkg:deb/debian/{name}@{version}?arch={arch}&distro=debian-{release}",
            }
        )
    return components


def _os_release(root: Path) -> dict[str, str]:
    path = root / "etc/os-release"
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value.strip('"') for key, value in pairs}


def sbom(root: Path, variant: str) -> dict:
    """The CycloneDX document for the image whose root filesystem is ``root``."""
    components = debian_components(root)
    for name, prefix, lock in environments(root):
        components += python_components(name, prefix, lock, root)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "kimed-sbom"}]},
            "component": {
                "type": "container",
                "bom-ref": "kimed-singleuser",
                "name": "kimed-singleuser" if variant == "cpu" else f"kimed-singleuser-{variant}",
                "properties": [{"name": "kimed:variant", "value": variant}],
            },
        },
        "components": components,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="cpu")
    parser.add_argument("--output", required=True)
    parser.add_argument("--root", default="/")
    args = parser.parse_args()
    document = sbom(Path(args.root), args.variant)
    Path(args.output).write_text(json.dumps(document, indent=1) + "\n")
    print(f"SBOM: {len(document['components'])} components -> {args.output}")


if __name__ == "__main__":
    main()
