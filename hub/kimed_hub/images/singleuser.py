"""The single-user image: JupyterLab, jupyterhub-singleuser and the curated kernels.

Built with the container CLI from ``docker/singleuser/Containerfile``, offline: the base is
a local image, the wheels come from the wheelhouses in the build context (one per
environment: the server's and each kernel's), and the build has no network. The tag is a
hash of every recipe file, every kernel file of the variant and the base image's
reference, so ``singleuser_image_ref()`` names the image the current checkout wants
without building it, and an existing tag means there is nothing to do.

The GPU variant (``variant="gpu"``) is the same recipe with the kernels' GPU locks (CUDA
PyTorch) in the build context, tagged ``localhost/kimed-singleuser-gpu:HASH12``.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ._common import (
    ImageBuildError,
    assemble_context,
    build_argv,
    build_dir,
    container_cli,
    inputs_hash,
    inspect_image,
    recipe_files,
    run_logged,
    step,
)
from .base import base_image_ref, ensure_base_image
from .environments import (
    check_variant,
    image_envs,
    kernel_names,
    kernels_dir,
    package_index_env,
)
from .library import library_context_files
from .sbom import ensure_sbom
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


def repository(variant: str = "cpu") -> str:
    """``localhost/kimed-singleuser`` (CPU) or ``localhost/kimed-singleuser-gpu``."""
    return (
        SINGLEUSER_REPOSITORY
        if check_variant(variant) == "cpu"
        else (f"{SINGLEUSER_REPOSITORY}-{variant}")
    )


def kernel_context_files(variant: str = "cpu") -> dict[str, Path]:
    """The kernel files the build context holds, by their path there: each kernel's
    ``kernel.json`` and other files, with ``requirements.lock`` being the variant's lock
    (the other variants' files stay out, so they do not key this image)."""
    envs = {env.name: env for env in image_envs(variant)}
    files = {}
    for name in kernel_names():
        for rel, path in recipe_files(kernels_dir() / name).items():
            if rel.startswith("requirements"):
                continue
            files[f"kernels/{name}/{rel}"] = path
        if env := envs.get(name):
            files[f"kernels/{name}/requirements.in"] = env.in_path
            files[f"kernels/{name}/requirements.lock"] = env.lock_path
    return files


def context_files(variant: str = "cpu") -> dict[str, Path]:
    """Every file of the build context except the wheels: recipe, kernels, and the
    notebook-side library with the demonstrator notebooks (``library.py``)."""
    files = {**recipe_files(singleuser_dir()), **kernel_context_files(variant)}
    return {**files, **library_context_files()}


def singleuser_inputs_hash(base_ref: str | None = None, variant: str = "cpu") -> str:
    """The sha256 keying the image: every file in ``docker/singleuser/`` (Containerfile,
    requirements.lock, jupyter_server_config.py, ...), the variant's kernel files, the
    notebook-side library and notebooks, and the base image's reference."""
    base_ref = base_ref or base_image_ref()
    return inputs_hash(context_files(variant), [f"base:{base_ref}", f"variant:{variant}"])


def singleuser_image_ref(variant: str = "cpu") -> str:
    """The reference the current inputs produce (``localhost/kimed-singleuser:HASH12``),
    computed from the recipes alone: nothing is built or queried."""
    return f"{repository(variant)}:{singleuser_inputs_hash(variant=variant)[:12]}"


def ensure_singleuser_image(progress: bool = True, variant: str = "cpu") -> str:
    """Return the single-user image's full reference (hash tag), building the base image,
    the wheelhouses and the image first where needed; also tag it ``:latest``, make sure
    its SBOM is in ``.kimed/sbom/`` and that the package index has its wheels.

    When the hash-tagged image already exists nothing else is checked: it needs neither
    the base image nor the wheelhouses any more (an air-gapped site may hold only images)."""
    result = build_singleuser_image(progress=progress, variant=variant)
    latest = f"{repository(variant)}:latest"
    subprocess.run([container_cli(), "tag", result.ref, latest], check=True)
    ensure_sbom(result.ref, progress)
    ensure_wheelhouse(progress, package_index_env())  # what the hub's index serves
    return result.ref


def build_singleuser_image(
    ref: str | None = None,
    force: bool = False,
    no_cache: bool = False,
    progress: bool = True,
    variant: str = "cpu",
    target: str | None = None,
) -> BuildResult:
    """Build the single-user image as ``ref`` (default: the hash tag) unless that tag
    exists. ``force`` builds anyway; ``no_cache`` also ignores cached layers, so that
    every step really runs (tests and benchmarks use both); ``target`` builds only up to
    that stage of the Containerfile (e.g. ``kernel-python-text``), into ``ref``."""
    started = time.monotonic()
    base_ref = base_image_ref()
    key = singleuser_inputs_hash(base_ref, variant)
    ref = ref or f"{repository(variant)}:{key[:12]}"
    if not force:
        with step(f"single-user image {ref}", progress) as line:
            info = inspect_image(ref)
            line.outcome = "present, reused" if info else "missing, will build"
        if info:
            return BuildResult(ref, info["Id"], False, time.monotonic() - started)
    ensure_base_image(progress)
    wheelhouses = {env.name: ensure_wheelhouse(progress, env) for env in image_envs(variant)}
    context = _prepare_context(key, variant, wheelhouses)
    try:
        with step(f"build {ref}", progress, announce=True):
            argv = _build_argv(ref, base_ref, key, context, no_cache, variant, target)
            run_logged(argv, build_dir() / "logs" / f"singleuser-{key[:12]}.log", "image build")
    finally:
        shutil.rmtree(context, ignore_errors=True)
    info = inspect_image(ref)
    if info is None:
        raise ImageBuildError(f"The build reported success but {ref} does not exist.")
    return BuildResult(ref, info["Id"], True, time.monotonic() - started)


def _build_argv(
    ref: str,
    base_ref: str,
    key: str,
    context: Path,
    no_cache: bool,
    variant: str = "cpu",
    target: str | None = None,
) -> list[str]:
    """The single-user build command: the base and variant as build arguments, the inputs
    hash and base as labels."""
    labels = {
        "org.kimed.inputs-hash": key,
        "org.kimed.variant": variant,
        "org.opencontainers.image.version": key[:12],
        "org.opencontainers.image.base.name": base_ref,
    }
    build_args = {"BASE_IMAGE": base_ref, "KIMED_VARIANT": variant}
    return build_argv(ref, context, build_args, labels, no_cache, target)


def _prepare_context(key: str, variant: str, wheelhouses: dict[str, Path]) -> Path:
    """The single-user build context: recipe, kernel and library files, and the wheels."""
    return assemble_context("singleuser", key, context_files(variant), wheelhouses)
