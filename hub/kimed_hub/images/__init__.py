"""Offline, idempotent builds of the workbench's container images.

Three steps, each keyed on a hash of its inputs so that an unchanged input costs seconds:

1. ``ensure_base_image``: a minimal Debian made with debootstrap from the host's own apt
   mirror and imported as ``localhost/kimed-base:SUITE-HASH12`` (no registry, no pull).
2. ``ensure_wheelhouse``: the wheels of ``docker/singleuser/requirements.lock`` (pinned,
   sha256-locked; regenerate with ``lock_requirements``) in the state folder. The only
   step that may contact a package registry, and only when a wheel is missing.
3. ``ensure_singleuser_image``: ``localhost/kimed-singleuser:HASH12`` (and ``:latest``)
   built FROM the base with the wheelhouse bind-mounted and no network.

See docker/README.md for the recipes and how the hashes key the builds.
"""

from ._common import ImageBuildError
from .base import base_image_ref, ensure_base_image
from .singleuser import (
    BuildResult,
    build_singleuser_image,
    ensure_singleuser_image,
    singleuser_image_ref,
)
from .wheels import ensure_wheelhouse, lock_requirements, wheelhouse_dir

__all__ = [
    "BuildResult",
    "ImageBuildError",
    "base_image_ref",
    "build_singleuser_image",
    "ensure_base_image",
    "ensure_singleuser_image",
    "ensure_wheelhouse",
    "lock_requirements",
    "singleuser_image_ref",
    "wheelhouse_dir",
]
