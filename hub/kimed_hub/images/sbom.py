"""The images' software bills of materials (CycloneDX JSON), kept next to the image state.

Each single-user image writes its own SBOM as its last build step
(``docker/singleuser/sbom.py``: every Debian package and every Python distribution of every
environment, with the wheels' sha256 from the locks) to ``/opt/kimed/sbom.cdx.json``.
``ensure_sbom`` copies it out of the image, without running it, to
``.kimed/sbom/<repository>-<tag>.cdx.json``: one file per image, named by the image's tag.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ..paths import state_dir
from ._common import ImageBuildError, container_cli, step

IMAGE_SBOM_PATH = "/opt/kimed/sbom.cdx.json"


def sbom_dir() -> Path:
    """Where the SBOMs of the built images are kept (``.kimed/sbom/``)."""
    path = state_dir() / "sbom"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sbom_path(ref: str) -> Path:
    """The SBOM file of image ``ref``: ``localhost/kimed-singleuser:abc`` ->
    ``.kimed/sbom/kimed-singleuser-abc.cdx.json``."""
    repository, _, tag = ref.rpartition(":")
    return sbom_dir() / f"{repository.rsplit('/', 1)[-1]}-{tag}.cdx.json"


def ensure_sbom(ref: str, progress: bool = True) -> Path:
    """The SBOM of image ``ref`` in the state folder, copied out of the image if missing."""
    path = sbom_path(ref)
    if path.is_file():
        return path
    with step(f"SBOM of {ref}", progress) as line:
        copy_sbom_from_image(ref, path)
        line.outcome = f"{len(json.loads(path.read_text())['components'])} components: {path}"
    return path


def copy_sbom_from_image(ref: str, target: Path) -> None:
    """``create`` a container (never started), ``cp`` the SBOM out, remove the container."""
    cli = container_cli()
    created = subprocess.run([cli, "create", "--network=none", ref], capture_output=True, text=True)
    if created.returncode != 0:
        raise ImageBuildError(f"cannot read the SBOM of {ref}: {created.stderr.strip()}")
    container = created.stdout.strip().splitlines()[-1]
    try:
        partial = target.with_suffix(".partial")
        copied = subprocess.run(
            [cli, "cp", f"{container}:{IMAGE_SBOM_PATH}", str(partial)],
            capture_output=True,
            text=True,
        )
        if copied.returncode != 0:
            raise ImageBuildError(
                f"{ref} has no SBOM at {IMAGE_SBOM_PATH} ({copied.stderr.strip()}); "
                "rebuild it with the current recipe (kimed image build)."
            )
        partial.replace(target)
    finally:
        subprocess.run([cli, "rm", "-f", container], capture_output=True)
