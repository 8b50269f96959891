"""Where the demonstrators find their notebooks and keep their caches, on the host and in
the workbench's single-user image.

On the host the project is installed from its checkout, with the hub package
(``kimed_hub.paths`` is the one definition of the project root and the state folder). In
the image there is no hub package: the library is ``/opt/kimed/lib/kimed_demos`` and the
notebooks are ``/opt/kimed/notebooks``, so the root is the folder two levels above this
package in both layouts (``demonstrators/kimed_demos`` in a checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

try:  # the host: the checkout's paths, which honour KIMED_HOME and KIMED_STATE_DIR
    from kimed_hub import paths as _hub_paths
except ImportError:  # inside the workbench image: no hub package there
    _hub_paths = None


def project_root() -> Path:
    """The folder that holds ``notebooks/``: the checkout, or ``/opt/kimed`` in the image."""
    if _hub_paths is not None:
        return _hub_paths.project_root()
    return Path(__file__).resolve().parents[2]


def in_workbench_image() -> bool:
    """True when running from the image's read-only library (no hub package)."""
    return _hub_paths is None


def cache_dir() -> Path:
    """Where trained models and other derived files are cached.

    Host: ``.kimed/`` (the state folder). Image: the root is read-only, so the user's
    ``$XDG_CACHE_HOME/kimed`` (default ``~/.cache/kimed``), which lives on the home volume
    and so survives restarts; ``KIMED_DEMO_CACHE`` overrides both.
    """
    if os.environ.get("KIMED_DEMO_CACHE"):
        return Path(os.environ["KIMED_DEMO_CACHE"]).expanduser()
    if _hub_paths is not None:
        return _hub_paths.state_dir()
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg) / "kimed"
