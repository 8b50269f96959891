"""What the spawner mounts for a dataset: its folder, or its consent-filtered view.

    path, counts = consent_mount(dataset, folder, grant.valid_from, views_root)

A dataset that is not a FHIR import with consent data is mounted as it is (``counts`` is
None). One that is needs the policy codes its use requires in the reviewed
``policies/mii-consent.yaml``; without them it is not mounted at all
(:class:`ConsentPolicyMissing`). Otherwise the filtered view for the grant's start day
and today is made (or reused) under ``views_root/<dataset>/`` and its path returned with
the counts for the audit log (:func:`audit_consent_view`). Since every grant start and
spawn day has its own view, :func:`prune_views` removes those no container mounts and
no spawn will reuse (the spawner calls it after each start).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..policies import load_policy

if TYPE_CHECKING:  # the spawner imports this module; pyarrow loads only for MII data
    from .consent import ConsentCounts

POLICY = "mii-consent"
#: Consent-filtered views of MII datasets, beside the datasets (a dot: no dataset's name).
VIEWS = ".consent-views"


class ConsentPolicyMissing(LookupError):
    """A dataset with consent data that the reviewed policy does not cover."""


def required_policies(dataset: str, policies: Path | None = None) -> list[str]:
    """The consent policy codes ``policies/mii-consent.yaml`` requires for ``dataset``."""
    declared = load_policy(POLICY, policies)["datasets"].get(dataset)
    if declared is None:
        raise ConsentPolicyMissing(
            f"dataset {dataset} holds MII consent data but policies/{POLICY}.yaml names no "
            "consent policy codes for it, so it is not mounted; add the codes its use "
            "requires there (a reviewed change)"
        )
    return list(declared["required"])


def has_consent_data(folder: Path) -> bool:
    """Whether ``folder`` is a FHIR import whose tables include consent."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        return False
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return bool(manifest.get("tables", {}).get("consent", {}).get("resources"))


def consent_mount(
    dataset: str,
    folder: Path,
    valid_from: datetime | date,
    views_root: Path,
    *,
    today: date | None = None,
    policies: Path | None = None,
) -> tuple[Path, ConsentCounts | None]:
    """The host folder to mount for ``dataset`` under a grant starting ``valid_from``,
    and the consent filter's counts (None when no filter applies)."""
    if not has_consent_data(folder):
        return folder, None
    from .consent import consented_view

    required = required_policies(dataset, policies)
    start = valid_from.date() if isinstance(valid_from, datetime) else valid_from
    today = today or date.today()
    tag = hashlib.sha256("|".join(sorted(required)).encode()).hexdigest()[:8]
    out = Path(views_root) / dataset / f"{start.isoformat()}_{today.isoformat()}_{tag}"
    counts = consented_view(folder, required, start, out, as_of=today)
    return out, counts


def audit_consent_view(
    store, username: str, dataset: str, counts: ConsentCounts, valid_from
) -> None:
    """One audit entry saying how many patients the user's mount kept and left out."""
    from .. import audit

    details = {"user": username, "grant_start": str(valid_from), **counts.as_details()}
    with store.db.write() as conn:
        audit.append(conn, "kimed-spawner", "consent.filter", f"dataset:{dataset}", details)


#: Views younger than this are kept even when nothing mounts them yet: a spawn may have
#: made one and not yet created its container.
PRUNE_GRACE_SECONDS = 600


def _view_name(path: Path) -> tuple[str, str, str] | None:
    """(grant start, spawn day, codes tag) of a view folder's name, None for others."""
    parts = path.name.split("_")
    if len(parts) != 3 or path.name.startswith("."):
        return None  # staging folders (".name-...") and anything this module did not make
    return parts[0], parts[1], parts[2]


def stale_views(views_root: Path, mounted: set[str], *, today=None, now=None) -> list[Path]:
    """The consent views under ``views_root`` that may go: none that a container mounts
    (``mounted``: host paths of every container's binds), none made in the last
    :data:`PRUNE_GRACE_SECONDS`, and never the newest view of a dataset, grant start and
    codes made today (the next spawn of that grant today reuses it). Every other view is
    older than the newest of its grant, or from an earlier day (a spawn makes a new view
    each day), so no spawn will mount it again."""
    import time

    today, now = (today or date.today()).isoformat(), now or time.time()
    keep = {os.path.realpath(p) for p in mounted if p}
    found = []
    for dataset in sorted(Path(views_root).iterdir()) if Path(views_root).is_dir() else ():
        views = [(v, _view_name(v)) for v in dataset.iterdir() if v.is_dir()]
        views = [(v, name) for v, name in views if name]
        newest = {}
        for _view, (start, day, tag) in views:
            newest[(start, tag)] = max(newest.get((start, tag), ""), day)
        for view, (start, day, tag) in views:
            current = day == newest[(start, tag)] == today
            young = now - view.stat().st_mtime < PRUNE_GRACE_SECONDS
            if not (current or young or os.path.realpath(view) in keep):
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
