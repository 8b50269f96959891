"""Which datasets a user's next server mounts: their ACTIVE access grants, and the
catalogue's synthetic versions for everyone who may read the catalogue.

The portal's access store is the one source of truth for grants
(``kimed_hub.access.AccessRequests.active_grants``); the spawner only reads it, at each
spawn. Synthetic versions (records typed SYNTHETIC_DATA, derived from a source) need no
request: they are open to every researcher for developing code before access is granted,
so whoever holds ``custom:kimed:read:catalogue`` gets them. Each dataset's files live on
the host in ``<dataset root>/<identifier>`` and appear read-only at
``/data/<identifier>``. A dataset whose files are not on this host is left out and
logged, so a missing folder never stops a user's server.
"""

from __future__ import annotations

import logging
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .access import AccessRequests
from .access.rows import data_mount_path
from .catalogue import CatalogueStore

log = logging.getLogger(__name__)
#: Who may read the catalogue may use its synthetic versions.
SYNTHETIC_SCOPE = "custom:kimed:read:catalogue"


@dataclass(frozen=True)
class DataMount:
    """One dataset folder on the host and where the container sees it (read-only)."""

    dataset: str
    host_path: Path
    container_path: str


def granted_mounts(
    username: str, dataset_root: Path, portal_db_url: str | None, synthetic: bool = False
) -> list[DataMount]:
    """The read-only mounts ``username`` is entitled to now (portal grants, plus every
    synthetic version when ``synthetic``; only those with data on this host)."""
    with closing(CatalogueStore(portal_db_url or None)) as store:
        entitled = {
            grant.dataset: f"grant {grant.request_id}"
            for grant in AccessRequests(store).active_grants(username)
        }
        if synthetic:
            entitled |= {ds: "synthetic version" for ds in store.all_synthetic_versions()}
    mounts = []
    for dataset, why in sorted(entitled.items()):
        folder = dataset_root / dataset
        if not folder.is_dir():
            log.warning("%s %s for %s: no data at %s; not mounted", why, dataset, username, folder)
            continue
        mounts.append(DataMount(dataset, folder, data_mount_path(dataset)))
    return mounts
