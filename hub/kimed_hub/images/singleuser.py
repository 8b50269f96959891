"""The single-user image: JupyterLab and jupyterhub-singleuser on the base image.

Built with the container CLI from ``docker/singleuser/Containerfile``, offline: the base is
a local image, the wheels come from the wheelhouse in the build context, and the build has
no network. The tag is a hash of every recipe file plus the base image's reference, so
``singleuser_image_ref()`` names the image the current checkout wants without building it,
and an existing tag means there is nothing to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ._common import (
    ImageBuildError,
    build_dir,
    container_cli,
    inputs_hash,
    inspect_image,
    recipe_files,
    run_logged,
    step,
)
from .base import base_image_ref, ensure_base_image
from .wheels import ensure_wheelhouse, singleuser_dir

SINGLEUSER_REPOSITORY = "localhost/kimed-singleuser"
LATEST_REF = f"{SINGLEUSER_REPOSITORY}:latest"


@dataclass(frozen=True)
class BuildResult:
    """What ``build_singleuser_image`` did: the image, and whether it was built or reused."""

    ref: str
    image_id: str
    built: bool
    seconds: float


def singleuser_inputs_hash(base_ref: str | None = None) -> str:
    """The sha256 keying the image: every file in ``docker/singleuser/`` (Containerfile,
    requirements.lock, jupyter_server_config.py, ...) and the base image's reference."""
    base_ref = base_ref or base_image_ref()
    return inputs_hash(recipe_files(singleuser_dir()), [f"base:{base_ref}"])


def singleuser_image_ref() -> str:
    """The reference the current inputs produce (``localhost/kimed-singleuser:HASH12``),
    computed from the recipes alone: nothing is built or queried."""
    return f"{SINGLEUSER_REPOSITORY}:{singleuser_inputs_hash()[:12]}"


def ensure_singleuser_image(progress: bool = True) -> str:
    """Return the single-user image's full reference (hash tag), building the base image,
    the wheelhouse and the image first where needed; also tag it ``:latest``.

    When the hash-tagged image already exists nothing else is checked: it needs neither
    the base image nor the wheelhouse any more (an air-gapped site may hold only images)."""
    result = build_singleuser_image(progress=progress)
    subprocess.run([container_cli(), "tag", result.ref, LATEST_REF], check=True)
    return result.ref


def build_singleuser_image(
    ref: str | None = None, force: bool = False, no_cache: bool = False, progress: bool = True
) -> BuildResult:
    """Build the single-user image as ``ref`` (default: the hash tag) unless that tag
    exists. ``force`` builds anyway; ``no_cache`` also ignores cached layers, so that
    every step really runs (tests and benchmarks use both)."""
    started = time.monotonic()
    base_ref = base_image_ref()
    key = singleuser_inputs_hash(base_ref)
    ref = ref or f"{SINGLEUSER_REPOSITORY}:{key[:12]}"
    if not force:
        with step(f"single-user image {ref}", progress) as line:
            info = inspect_image(ref)
            line.outcome = "present, reused" if info else "missing, will build"
        if info:
            return BuildResult(ref, info["Id"], False, time.monotonic() - started)
    ensure_base_image(progress)
    context = _prepare_context(key, ensure_wheelhouse(progress))
    try:
        with step(f"build {ref}", progress, announce=True):
            argv = _build_argv(ref, base_ref, key, context, no_cache)
            run_logged(argv, build_dir() / "logs" / f"singleuser-{key[:12]}.log", "image build")
    finally:
        shutil.rmtree(context, ignore_errors=True)
    info = inspect_image(ref)
    if info is None:
        raise ImageBuildError(f"The build reported success but {ref} does not exist.")
    return BuildResult(ref, info["Id"], True, time.monotonic() - started)


def _build_argv(ref: str, base_ref: str, key: str, context: Path, no_cache: bool) -> list[str]:
    """The build command. ``--network=none`` makes every RUN step offline; podman also
    gets ``--pull=never`` since its default would ask a registry about the local base."""
    cli = container_cli()
    argv = [cli, "build", "--network=none", "-f", str(context / "Containerfile")]
    argv += ["--build-arg", f"BASE_IMAGE={base_ref}", "-t", ref]
    labels = {
        "org.kimed.inputs-hash": key,
        "org.opencontainers.image.version": key[:12],
        "org.opencontainers.image.base.name": base_ref,
    }
    for name, value in labels.items():
        argv += ["--label", f"{name}={value}"]
    if cli == "podman":
        argv.append("--pull=never")
    if no_cache:
        argv.append("--no-cache")
    return [*argv, str(context)]


def _prepare_context(key: str, wheelhouse: Path) -> Path:
    """A build context with the recipe files and ``wheels/``, hard-linked where possible
    (the wheelhouse is tens of MB; links cost nothing on the same filesystem)."""
    context = build_dir() / f"context-singleuser-{key[:12]}"
    shutil.rmtree(context, ignore_errors=True)
    for name, path in recipe_files(singleuser_dir()).items():
        _link_or_copy(path, context / name)
    for wheel in wheelhouse.iterdir():
        _link_or_copy(wheel, context / "wheels" / wheel.name)
    return context


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another filesystem, or links not allowed
        shutil.copy2(source, target)
