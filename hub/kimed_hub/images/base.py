"""The base image: a minimal Debian made with debootstrap, imported as an image.

No base image can be pulled on the project's machines (no registries), and a secure site
should not trust one anyway: the root filesystem comes from the Debian archive the host's
apt already uses, checked by debootstrap against Debian's archive keyring. The recipe is
``docker/base/recipe.yaml``; its hash keys the image tag, so an unchanged recipe is never
rebuilt.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import yaml

from ..paths import docker_dir, project_root
from ._common import (
    ImageBuildError,
    build_dir,
    container_cli,
    image_exists,
    inputs_hash,
    recipe_files,
    run_logged,
    step,
)
from .apt_sources import debian_mirror

BASE_REPOSITORY = "localhost/kimed-base"
_RECIPE_KEYS = ("suite", "variant", "include", "python_version", "glibc", "arch", "prune", "env")


@dataclass(frozen=True)
class BaseRecipe:
    """The contents of ``docker/base/recipe.yaml``."""

    suite: str
    variant: str
    include: tuple[str, ...]
    python_version: str
    glibc: str
    arch: str
    prune: tuple[str, ...]
    env: dict[str, str]
    cmd: tuple[str, ...] = ("/bin/bash",)


def base_recipe_dir() -> Path:
    """The base image's recipe folder (``docker/base``); all of its files are hashed."""
    return docker_dir() / "base"


def load_base_recipe() -> BaseRecipe:
    """Read and check ``docker/base/recipe.yaml``."""
    path = base_recipe_dir() / "recipe.yaml"
    data = yaml.safe_load(path.read_text()) or {}
    missing = [key for key in _RECIPE_KEYS if key not in data]
    if missing:
        raise ImageBuildError(f"{path} lacks {', '.join(missing)}; see docker/README.md.")
    prune = tuple(str(p) for p in data["prune"])
    if any(p.startswith("/") or ".." in Path(p).parts for p in prune):
        raise ImageBuildError(f"{path}: prune patterns must stay inside the root filesystem.")
    return BaseRecipe(
        suite=str(data["suite"]),
        variant=str(data["variant"]),
        include=tuple(str(p) for p in data["include"]),
        python_version=str(data["python_version"]),
        glibc=str(data["glibc"]),
        arch=str(data["arch"]),
        prune=prune,
        env={str(k): str(v) for k, v in data["env"].items()},
        cmd=tuple(data.get("cmd", BaseRecipe.cmd)),
    )


def kernel_debian_package_files() -> dict[str, Path]:
    """Every kernel's ``debian-packages.txt`` (``kernels/r/...``), by its path under the
    project: Debian packages a kernel needs go into the base image with debootstrap."""
    root = project_root()
    files = sorted((root / "kernels").glob("*/debian-packages.txt"))
    return {path.relative_to(root).as_posix(): path for path in files}


def kernel_debian_packages() -> tuple[str, ...]:
    """The package names those files list (comments and blank lines skipped)."""
    names = []
    for path in kernel_debian_package_files().values():
        for line in path.read_text().splitlines():
            name = line.split("#", 1)[0].strip()
            if name and name not in names:
                names.append(name)
    return tuple(names)


def base_image_key() -> str:
    """The sha256 over every file of the base recipe (suite, variant, include list...) and
    the kernels' Debian package lists."""
    files = {**recipe_files(base_recipe_dir()), **kernel_debian_package_files()}
    return inputs_hash(files)


def base_image_ref() -> str:
    """The reference the current base recipe produces: ``localhost/kimed-base:SUITE-HASH12``."""
    return f"{BASE_REPOSITORY}:{load_base_recipe().suite}-{base_image_key()[:12]}"


def ensure_base_image(progress: bool = True) -> str:
    """Return the base image's reference, building it first unless an image with exactly
    that tag exists. A build runs debootstrap (about 2 minutes) and needs the Debian mirror."""
    ref = base_image_ref()
    with step(f"base image {ref}", progress) as line:
        present = image_exists(ref)
        line.outcome = "present, reused" if present else "missing, will build"
    if not present:
        build_base_image(ref, progress)
    return ref


def build_base_image(ref: str, progress: bool = True) -> None:
    """Debootstrap the recipe into a scratch rootfs, prune it, import it as ``ref``, and
    delete the rootfs (it is only needed for the import)."""
    recipe, key = load_base_recipe(), base_image_key()[:12]
    debootstrap = _debootstrap_path()
    mirror = debian_mirror(recipe.suite)
    rootfs = build_dir() / f"rootfs-{key}"
    logs = build_dir() / "logs"
    try:
        with step(f"debootstrap {recipe.suite} from {mirror}", progress, announce=True):
            remove_rootfs(rootfs)
            argv = [
                debootstrap,
                f"--variant={recipe.variant}",
                f"--include={','.join(recipe.include + kernel_debian_packages())}",
                *(recipe.suite, str(rootfs), mirror),
            ]
            run_logged(argv, logs / f"base-{key}-debootstrap.log", "debootstrap")
            _prune(rootfs, recipe.prune)
        with step(f"import rootfs as {ref}", progress, announce=True):
            _import_rootfs(rootfs, ref, recipe, logs / f"base-{key}-import.log")
    finally:
        remove_rootfs(rootfs)


def _debootstrap_path() -> str:
    """debootstrap's path; it lives in /usr/sbin, which a non-root PATH may lack."""
    found = shutil.which("debootstrap") or shutil.which("debootstrap", path="/usr/sbin:/sbin")
    if not found:
        raise ImageBuildError(
            "debootstrap is needed to build the base image but is not installed: run "
            "`apt-get install debootstrap` (as root)."
        )
    return found


def _prune(rootfs: Path, patterns: tuple[str, ...]) -> None:
    """Delete the recipe's prune globs (download caches) from the rootfs."""
    for pattern in patterns:
        for path in rootfs.glob(pattern):
            if path.is_file() or path.is_symlink():
                path.unlink()


def _import_changes(recipe: BaseRecipe) -> list[str]:
    """``--change`` arguments: an imported tarball has no PATH or CMD of its own."""
    changes = [f"ENV {name}={value}" for name, value in recipe.env.items()]
    changes.append(f"CMD {json.dumps(list(recipe.cmd))}")
    changes.append(f"LABEL org.kimed.inputs-hash={base_image_key()}")
    changes.append("LABEL org.opencontainers.image.title=kimed-base")
    changes.append(f"LABEL org.opencontainers.image.version={recipe.suite}")
    return [arg for change in changes for arg in ("--change", change)]


def _import_rootfs(rootfs: Path, ref: str, recipe: BaseRecipe, log: Path) -> None:
    """``tar -C ROOTFS -c . | CLI import - REF`` with the recipe's image configuration."""
    cli = container_cli()
    argv = [cli, "import", *_import_changes(recipe), "-", ref]
    # --numeric-owner: ownership must be the rootfs' own uids, not the host's names for them.
    tar = subprocess.Popen(
        ["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE
    )
    stream: IO[bytes] = tar.stdout  # type: ignore[assignment]
    try:
        run_logged(argv, log, f"{cli} import", stdin=stream)
    finally:
        stream.close()
        tar_status = tar.wait()
    if tar_status != 0:
        raise ImageBuildError(f"tar of {rootfs} failed (exit status {tar_status}).")


def remove_rootfs(path: Path) -> None:
    """Delete a scratch rootfs. A debootstrap that was interrupted can leave /proc or /sys
    mounted inside it: unmount those first, and never delete through a mount."""
    if not path.exists():
        return
    for mount in _mounts_below(path):
        subprocess.run(["umount", "--lazy", mount], check=False)
    if remaining := _mounts_below(path):
        raise ImageBuildError(
            f"{path} still has mounts ({', '.join(remaining)}); unmount them, then delete it."
        )
    shutil.rmtree(path)


def _mounts_below(path: Path) -> list[str]:
    """Mount points strictly inside ``path``, deepest first."""
    prefix = str(path.resolve()) + "/"
    mounts = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        point = line.split()[1].encode().decode("unicode_escape")  # \040 is a space
        if point.startswith(prefix):
            mounts.append(point)
    return sorted(mounts, key=len, reverse=True)
