"""Which datasets a user's next server mounts: their ACTIVE access grants, and the
catalogue's synthetic versions for everyone who may read the catalogue.

The portal's access store is the one source of truth for grants; the spawner reads it,
read-only, at each spawn through :mod:`kimed_hub.access.grants` (plain SELECTs, no
catalogue store, no schema rights). Synthetic versions (records derived from a source)
need no request: they are open to every researcher for developing code before access is
granted, so whoever holds ``custom:kimed:read:catalogue`` gets them. Each dataset's
files live on the host in ``<dataset root>/<identifier>`` and appear read-only at
``/data/<identifier>``. A dataset whose files are not on this host is left out and
logged, so a missing folder never stops a user's server; a portal database that cannot
be read stops the spawn (``GrantsUnavailable``), so a wrong URL never looks like "no
grants". A FHIR import with MII broad consent data is mounted as a filtered, read-only
view holding only the patients whose consent permits the use on the grant's start day
(``interop.consent_mount``); the portal's audit log records the counts before the mount
(``audit``: the hub's spawner asks the portal, ``consent_audit.py``; inside the portal,
e.g. the airlock's re-run, the entry is written directly).
A request for datasets of two or more holders (``access.grants.needs_linkage``) mounts
only the trust centre's pseudonymised, linked tables of that project
(``<dataset root>/.linked/<request>/<dataset>``), never the holders' folders; when they
are missing, nothing is mounted for it (docs/trust-centre.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .access.grants import GrantsReader, data_mount_path, linked_folder, reasons
from .interop.consent_mount import VIEWS, ConsentPolicyMissing, audit_consent_view, consent_mount

log = logging.getLogger(__name__)
#: Who may read the catalogue may use its synthetic versions.
SYNTHETIC_SCOPE = "custom:kimed:read:catalogue"
#: Where the spawner records a running server's mounts in its state (``get_state``):
#: dataset → why it was mounted. The portal's reconciliation reads it through the hub
#: API (``admin:server_state``) and compares it with the grants in force.
MOUNTS_STATE_KEY = "kimed_data_mounts"


@dataclass(frozen=True)
class DataMount:
    """One dataset folder on the host and where the container sees it (read-only)."""

    dataset: str
    host_path: Path
    container_path: str
    reason: str = ""  # "grant AR-…" or "synthetic version"


def granted_mounts(
    username: str,
    dataset_root: Path,
    portal_db_url: str,
    synthetic: bool = False,
    audit: Callable | None = None,
) -> list[DataMount]:
    """The read-only mounts ``username`` is entitled to now (portal grants, plus every
    synthetic version when ``synthetic``; only those with data on this host). ``audit``
    records a consent-filtered view before it is returned, ``(username, dataset, view,
    counts, valid_from)``, raising when it cannot; by default the portal database's own
    audit log (for callers with write rights there: the portal, not the hub)."""
    reader = GrantsReader(portal_db_url)
    try:
        grants = reader.active_grants(username)
        entitled = reasons(grants, reader.synthetic_versions() if synthetic else [])
        linked = reader.linked_requests({grant.request_id for grant in grants})
    finally:
        reader.close()
    starts = {grant.dataset: grant.valid_from for grant in grants}
    projects = {g.dataset: g.request_id for g in grants if g.request_id in linked}
    mounts = []
    for dataset, why in sorted(entitled.items()):
        if dataset in projects:
            mounts += _linked(dataset_root, projects[dataset], dataset, why, username)
            continue
        folder = dataset_root / dataset
        if not folder.is_dir():
            log.warning("%s %s for %s: no data at %s; not mounted", why, dataset, username, folder)
            continue
        folder = _consented(
            audit or _audit_in(portal_db_url), username, dataset, folder, starts.get(dataset)
        )
        if folder is not None:
            mounts.append(DataMount(dataset, folder, data_mount_path(dataset), why))
    return mounts


def _linked(dataset_root: Path, project: str, dataset: str, why: str, username: str):
    """The trust centre's pseudonymised, linked tables of ``dataset`` for ``project``;
    none (fail closed: never the holder's own folder) when they are not written yet."""
    folder = linked_folder(dataset_root, project) / dataset
    if not folder.is_dir():
        log.error(
            "%s %s for %s: datasets of several holders are mounted only as the trust "
            "centre's linked tables, and %s does not exist; not mounted (the trust centre "
            "links at activation, or again with POST trust-centre/projects/%s/link)",
            why, dataset, username, folder, project,
        )  # fmt: skip
        return []
    return [DataMount(dataset, folder, data_mount_path(dataset), f"{why} (linked)")]


def _consented(audit: Callable, username: str, dataset: str, folder: Path, valid_from):
    """The folder itself, or for MII data its broad-consent view for the grant's start
    (audited in counts); None when the reviewed policy does not cover the dataset."""
    try:
        path, counts = consent_mount(
            dataset, folder, valid_from or datetime.now(UTC), folder.parent / VIEWS
        )
    except ConsentPolicyMissing as error:
        log.error("%s for %s: %s", dataset, username, error)
        return None
    if counts is not None:
        audit(username, dataset, path, counts, valid_from)
    return path


def _audit_in(db_url: str) -> Callable:
    """An ``audit`` that writes the entry into the portal database at ``db_url``."""

    def write(username: str, dataset: str, path: Path, counts, valid_from) -> None:
        from .database import Database  # only for MII data: the one audited write

        db = Database(db_url, create=False)
        try:
            audit_consent_view(db, username, dataset, counts, valid_from)
        finally:
            db.dispose()

    return write
