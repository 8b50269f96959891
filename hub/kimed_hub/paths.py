"""Where the workbench finds its reviewed inputs (policies, recipes) and keeps local state.

The project runs from a checkout (the README's commands install it editable), so the
project root is the folder that holds ``policies/``. Local state (the wheelhouse, image
stamps, the hub database, generated secrets) lives in ``.kimed/`` under that root unless
``KIMED_STATE_DIR`` says otherwise; it is never committed.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The checkout's root: ``KIMED_HOME`` if set, else the folder above ``hub/``."""
    if os.environ.get("KIMED_HOME"):
        return Path(os.environ["KIMED_HOME"]).resolve()
    return Path(__file__).resolve().parents[2]


def state_dir() -> Path:
    """The local, uncommitted state folder (created on first use)."""
    path = Path(os.environ.get("KIMED_STATE_DIR") or project_root() / ".kimed")
    path.mkdir(parents=True, exist_ok=True)
    return path


def hub_data_dir() -> Path:
    """The hub's own runtime data: database, cookie secret, accounts (``KIMED_HUB_DATA_DIR``).

    Kept apart from the build caches in :func:`state_dir` so that tests and benchmarks can
    run a fresh hub while reusing the images and the proxy already built.
    """
    path = Path(os.environ.get("KIMED_HUB_DATA_DIR") or state_dir() / "hub")
    path.mkdir(parents=True, exist_ok=True)
    return path


def dataset_root() -> Path:
    """Host folder with one sub-folder per dataset (``KIMED_DATA_DIR``, default .kimed/data)."""
    return Path(os.environ.get("KIMED_DATA_DIR") or state_dir() / "data")


def policies_dir() -> Path:
    """The reviewed policy files (``policies/``), or ``KIMED_POLICIES_DIR`` for tests."""
    return Path(os.environ.get("KIMED_POLICIES_DIR") or project_root() / "policies")


def docker_dir() -> Path:
    """The image recipes (``docker/``)."""
    return project_root() / "docker"
