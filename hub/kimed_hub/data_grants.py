"""Which datasets a user's next server mounts: their ACTIVE access grants, and the
catalogue's synthetic versions for everyone who may read the catalogue.

The portal's access store is the one source of truth for grants
(``kimed_hub.access.AccessRequests.active_grants``); the spawner only reads it, at each
spawn. Synthetic versions (records typed SYNTHETIC_DATA, derived from a source) need no
request: they are open to every researcher for developing code before access is granted,
so whoever holds ``custom:kimed:read:catalogue`` gets them. Each dataset's files live on
the host in ``<dataset root>/<identifier>`` and appear read-only at
``/data/<identifier>``. A dataset whose files are not on this host is left out and
logged, so a missing folder never stops a user's server. A FHIR import with MII broad
consent data is mounted as a filtered, read-only view holding only the patients whose
consent permits the use on the grant's start day (``interop.consent_mount``); the audit
log records the counts.
"""

from __future__ import annotations

import logging
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .access import AccessRequests
from .access.rows import data_mount_path
from .catalogue import CatalogueStore
from .interop.consent_mount import ConsentPolicyMissing, audit_consent_view, consent_mount

log = logging.getLogger(__name__)
#: Who may read the catalogue may use its synthetic versions.
SYNTHETIC_SCOPE = "custom:kimed:read:catalogue"
#: Consent-filtered views of MII datasets, beside the datasets (a dot: no dataset's name).
VIEWS = ".consent-views"


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
        grants = AccessRequests(store).active_grants(username)
        entitled = {grant.dataset: f"grant {grant.request_id}" for grant in grants}
        starts = {grant.dataset: grant.valid_from for grant in grants}
        if synthetic:
            entitled |= {ds: "synthetic version" for ds in store.all_synthetic_versions()}
        mounts = []
        for dataset, why in sorted(entitled.items()):
            folder = dataset_root / dataset
            if not folder.is_dir():
                log.warning(
                    "%s %s for %s: no data at %s; not mounted", why, dataset, username, folder
                )
                continue
            folder = _consented(store, username, dataset, folder, starts.get(dataset))
            if folder is not None:
                mounts.append(DataMount(dataset, folder, data_mount_path(dataset)))
    return mounts


def _consented(store, username: str, dataset: str, folder: Path, valid_from) -> Path | None:
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
        audit_consent_view(store, username, dataset, counts, valid_from)
    return path
