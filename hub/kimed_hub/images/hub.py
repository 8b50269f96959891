"""The hub image for Kubernetes: ``localhost/kimed-hub:HASH12``.

On one machine the hub runs from the checkout's venv; on Kubernetes (``kimed_hub.k8s``)
the Zero to JupyterHub chart runs it from an image, and ``kimed k8s render`` points the
chart's ``hub.image`` at this one. It is built like the single-user image (offline, FROM
the debootstrapped base, wheels from the hash-locked wheelhouse ``hub`` bind-mounted,
``--network=none``) from ``docker/hub/Containerfile``. It holds JupyterHub with the
project's dependencies and KubeSpawner in ``/opt/venv``, the project's code in
``/srv/kimed/lib`` (``kimed_hub`` and the notebook-side packages it imports),
``policies/`` and ``courses/`` under ``/srv/kimed`` (``KIMED_HOME``) and the package
index's wheels in ``/srv/kimed/wheelhouse``: the paths ``k8s/values.py`` renders.

The tag is a hash of those inputs and the base image's reference, so ``hub_image_ref()``
names the image the checkout wants without building anything.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..paths import docker_dir, policies_dir, project_root
from ._common import (
    ImageBuildError,
    assemble_context,
    build_argv,
    build_dir,
    inputs_hash,
    inspect_image,
    recipe_files,
    run_logged,
    step,
)
from .base import base_image_ref, ensure_base_image
from .environments import hub_env, package_index_env
from .library import LIBRARY_PACKAGES
from .wheels import ensure_wheelhouse

HUB_REPOSITORY = "localhost/kimed-hub"
#: The project's packages the hub runs, by their folder in the checkout: kimed_hub and
#: the packages it imports from the notebook side (the airlock's disclosure checks, the
#: exits policy's schema), i.e. everything the project's wheel holds.
HUB_LIBRARY = {"kimed_hub": "hub/kimed_hub", **LIBRARY_PACKAGES}


def hub_context_files() -> dict[str, Path]:
    """Every file of the hub build context except the wheels, by its path there: the
    recipe (``docker/hub/``), ``lib/<package>/``, ``policies/``, ``courses/`` and the
    package index's lock (it decides which wheels ``wheels/package-index/`` holds)."""
    root = project_root()
    files = dict(recipe_files(docker_dir() / "hub"))
    for name, folder in HUB_LIBRARY.items():
        files.update({f"lib/{name}/{rel}": p for rel, p in recipe_files(root / folder).items()})
    files.update({f"policies/{rel}": p for rel, p in recipe_files(policies_dir()).items()})
    files.update({f"courses/{rel}": p for rel, p in recipe_files(root / "courses").items()})
    files["package-index.lock"] = package_index_env().lock_path
    return files


def hub_image_ref(base_ref: str | None = None) -> str:
    """``localhost/kimed-hub:HASH12`` for the current inputs (nothing built or queried)."""
    key = inputs_hash(hub_context_files(), [f"base:{base_ref or base_image_ref()}"])
    return f"{HUB_REPOSITORY}:{key[:12]}"


def ensure_hub_image(progress: bool = True) -> str:
    """The hub image's reference, built first unless that tag exists (then nothing else is
    checked, as for the single-user image)."""
    base_ref = base_image_ref()
    ref = hub_image_ref(base_ref)
    with step(f"hub image {ref}", progress) as line:
        present = inspect_image(ref) is not None
        line.outcome = "present, reused" if present else "missing, will build"
    if present:
        return ref
    ensure_base_image(progress)
    wheelhouses = {
        "hub": ensure_wheelhouse(progress, hub_env()),
        "package-index": ensure_wheelhouse(progress, package_index_env()),
    }
    key = ref.rsplit(":", 1)[1]
    context = assemble_context("hub", key, hub_context_files(), wheelhouses)
    labels = {
        "org.opencontainers.image.version": key,
        "org.opencontainers.image.base.name": base_ref,
    }
    try:
        with step(f"build {ref}", progress, announce=True):
            argv = build_argv(ref, context, {"BASE_IMAGE": base_ref}, labels)
            run_logged(argv, build_dir() / "logs" / f"hub-{key}.log", "hub image build")
    finally:
        shutil.rmtree(context, ignore_errors=True)
    if inspect_image(ref) is None:
        raise ImageBuildError(f"The build reported success but {ref} does not exist.")
    return ref
