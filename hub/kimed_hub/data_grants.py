"""Which datasets a user's next server mounts: exactly their ACTIVE access grants.

The portal's access store is the one source of truth for grants
(``kimed_hub.portal.AccessRequests.active_grants``); the spawner only reads it, at each
spawn. Each granted dataset's files live on the host in ``<dataset root>/<identifier>``
and appear read-only at ``/data/<identifier>``. A grant whose files are not on this host
is left out and logged, so a missing folder never stops a user's server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from .portal import AccessRequests, CatalogueStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataMount:
    """One dataset folder on the host and where the container sees it (read-only)."""

    dataset: str
    host_path: Path
    container_path: str


def granted_mounts(username: str, dataset_root: Path, portal_db_url: str | None) -> list[DataMount]:
    """The read-only mounts ``username`` is entitled to now (portal grants ∩ data on host)."""
    store = CatalogueStore(portal_db_url or None)
    try:
        grants = AccessRequests(store).active_grants(username)
    finally:
        store.close()
    mounts = []
    for grant in grants:
        folder = dataset_root / grant.dataset
        if not folder.is_dir():
            log.warning(
                "grant %s for %s: no data at %s; not mounted",
                grant.request_id,
                grant.dataset,
                folder,
            )
            continue
        mounts.append(DataMount(grant.dataset, folder, grant.mount_path))
    return mounts
