"""Old consent views removed: each grant start, spawn day and import makes its own view
(``consent_mount``), and nothing else deletes them.

    removed = prune_views(dataset_root / VIEWS, mounted={...host paths containers bind})

A view may go when no container mounts it (``mounted``: the host paths of every
container's binds, running or not), it was made more than ``grace`` seconds ago
(default :data:`GRACE_SECONDS`: a spawn may have made it and not yet created its
container), and no spawn would mount it
again: only today's view of the dataset's current import and policy codes is reused
(the name says start, day and :func:`~.consent_mount.view_tag`), so every view from an
earlier day, of an earlier import or of other codes is stale. A view mounted now is
never removed.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path

from .consent_mount import ConsentPolicyMissing, has_consent_data, required_policies, view_tag

GRACE_SECONDS = 600


def _parts(view: Path) -> tuple[str, str, str] | None:
    """(grant start, spawn day, tag) of a view folder, None for anything else."""
    parts = view.name.split("_")
    if len(parts) != 3 or view.name.startswith(".") or not view.is_dir():
        return None  # staging folders (".name-...") and what consent_mount did not make
    return parts[0], parts[1], parts[2]


def _current_tag(dataset_root: Path, dataset: str, policies: Path | None) -> str | None:
    """The tag today's spawns of ``dataset`` use (None: no spawn mounts a view of it)."""
    folder = dataset_root / dataset
    if not has_consent_data(folder):
        return None
    try:
        return view_tag(folder, required_policies(dataset, policies))
    except ConsentPolicyMissing:
        return None


def stale_views(
    views_root: Path,
    mounted: set[str],
    *,
    today=None,
    now=None,
    policies=None,
    grace: float = GRACE_SECONDS,
) -> list[Path]:
    """The views under ``views_root`` that :func:`prune_views` removes (module docstring)."""
    views_root = Path(views_root)
    if not views_root.is_dir():
        return []
    today, now = (today or date.today()).isoformat(), now or time.time()
    keep = {os.path.realpath(p) for p in mounted if p}
    found = []
    for dataset in sorted(p for p in views_root.iterdir() if p.is_dir()):
        current = _current_tag(views_root.parent, dataset.name, policies)
        for view in sorted(dataset.iterdir()):
            parts = _parts(view)
            if parts is None or (parts[1] == today and parts[2] == current):
                continue  # not a view, or the one today's spawns of this grant reuse
            young = now - view.stat().st_mtime < grace
            if not young and os.path.realpath(view) not in keep:
                found.append(view)
    return found


def prune_views(views_root: Path, mounted: set[str], **when) -> list[Path]:
    """Remove :func:`stale_views` (read-only folders: made writable first, renamed away
    before deletion so a half-removed view is never seen under its name); returns them."""
    removed = []
    for view in stale_views(views_root, mounted, **when):
        trash = view.with_name(f".{view.name}-pruned")
        view.chmod(0o755)
        view.rename(trash)
        shutil.rmtree(trash)
        removed.append(view)
    return removed
