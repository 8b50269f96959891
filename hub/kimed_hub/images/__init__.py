"""Offline, idempotent builds of the workbench's container images and wheelhouses.

Each step is keyed on a hash of its inputs, so that an unchanged input costs seconds:

1. ``ensure_base_image``: a minimal Debian made with debootstrap from the host's own apt
   mirror (with the R kernel's Debian packages) and imported as
   ``localhost/kimed-base:SUITE-HASH12`` (no registry, no pull).
2. ``ensure_wheelhouse``: for each Python environment (environments.py: the Jupyter
   server, each curated kernel of ``kernels/``, the package index), the wheels of its
   hash lock in ``.kimed/wheelhouse/<env>/``. The only step that may contact a package
   registry, and only when a wheel is missing. ``lock_requirements`` writes the locks.
3. ``ensure_singleuser_image``: ``localhost/kimed-singleuser:HASH12`` (and ``:latest``)
   built FROM the base with the wheelhouses bind-mounted and no network: the server in
   ``/opt/venv``, each kernel as its own venv in ``/opt/kernels/<name>``. Its CycloneDX
   SBOM is copied to ``.kimed/sbom/``. ``variant="gpu"`` builds the same recipe with
   CUDA PyTorch as ``localhost/kimed-singleuser-gpu:HASH12``.
4. ``ensure_hub_image``: ``localhost/kimed-hub:HASH12``, the hub for Kubernetes (hub.py).

See docker/README.md for the recipes and how the hashes key the builds.
"""

from ._common import ImageBuildError
from .base import base_image_ref, ensure_base_image
from .environments import (
    DEFAULT_KERNEL,
    PythonEnv,
    all_envs,
    env_by_name,
    hub_env,
    image_envs,
    kernel_names,
    package_index_env,
    python_kernel_envs,
)
from .hub import ensure_hub_image, hub_image_ref
from .locking import lock_requirements
from .sbom import ensure_sbom, sbom_dir, sbom_path
from .singleuser import (
    BuildResult,
    build_singleuser_image,
    ensure_singleuser_image,
    singleuser_image_ref,
)
from .wheels import ensure_wheelhouse, wheelhouse_dir

__all__ = [
    "DEFAULT_KERNEL",
    "BuildResult",
    "PythonEnv",
    "all_envs",
    "env_by_name",
    "hub_env",
    "image_envs",
    "kernel_names",
    "package_index_env",
    "python_kernel_envs",
    "ImageBuildError",
    "base_image_ref",
    "build_singleuser_image",
    "ensure_base_image",
    "ensure_hub_image",
    "ensure_sbom",
    "ensure_singleuser_image",
    "ensure_wheelhouse",
    "hub_image_ref",
    "lock_requirements",
    "sbom_dir",
    "sbom_path",
    "singleuser_image_ref",
    "wheelhouse_dir",
]
