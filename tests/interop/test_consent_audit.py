"""The portal's half of the consent audit (``consent_audit.record``) and the spawner's
fail-closed use of it (``data_grants.granted_mounts`` with an ``audit`` that refuses).

Real views, a real SQLite portal database and a grant made through the real access
workflow. The HTTP call between hub and portal, with the hub's own token and a user's
token refused, is tested on a real hub in tests/integration/test_mii_consent.py.
"""

from __future__ import annotations

import pytest

from kimed_hub.access import AccessRequests
from kimed_hub.access.grants import GrantsReader
from kimed_hub.catalogue import CatalogueStore
from kimed_hub.consent_audit import ConsentAuditRefused, confirm, record
from kimed_hub.data_grants import granted_mounts
from kimed_hub.errors import Conflict, NotFound
from kimed_hub.interop.catalogue_record import update_catalogue
from kimed_hub.interop.consent_mount import VIEWS, consent_mount
from kimed_hub.testing import free_port
from tests.integration.test_mii_consent import DATASET, GRANT_START, _grant


@pytest.fixture
def portal(imported, tmp_path):
    """A portal database where ``researcher`` holds an ACTIVE grant for the import."""
    root = tmp_path / "datasets"
    root.mkdir()
    (root / DATASET).symlink_to(imported.folder)
    url = f"sqlite:///{tmp_path / 'portal.sqlite'}"
    store = CatalogueStore(url)
    update_catalogue(store, DATASET, imported.manifest, imported.folder, actor="importer")
    _grant(AccessRequests(store))  # researcher's ACTIVE grant from GRANT_START
    grants = GrantsReader(url)
    yield store, grants, root, url
    grants.close()
    store.close()


def _entries(store):
    return [e for e in store.audit_entries() if e.action == "consent.filter"]


def test_the_portal_audits_the_view_the_grant_gives_and_nothing_else(portal):
    store, grants, root, _ = portal
    view, counts = consent_mount(DATASET, root / DATASET, GRANT_START, root / VIEWS)
    answer = record(grants, store.db, root, "researcher", DATASET, view.name)
    assert answer["view"] == view.name
    assert answer["patients_permitted"] == counts.patients_permitted
    (entry,) = _entries(store)
    assert entry.actor == "kimed-spawner" and entry.details["user"] == "researcher"
    assert entry.details["patients_total"] == counts.patients_total

    with pytest.raises(Conflict, match="not 2020"):  # a view the grant does not give
        record(grants, store.db, root, "researcher", DATASET, "2020-01-01_x")
    with pytest.raises(NotFound, match="no ACTIVE grant"):
        record(grants, store.db, root, "trainee", DATASET, view.name)
    assert len(_entries(store)) == 1  # refusals write nothing


def test_a_mount_the_portal_does_not_confirm_stops_the_spawn(portal):
    store, _, root, url = portal

    def refuse(*_):
        raise ConsentAuditRefused("the portal refused (HTTP 403)")

    with pytest.raises(ConsentAuditRefused, match="403"):
        granted_mounts("researcher", root, url, audit=refuse)
    assert _entries(store) == []
    with pytest.raises(ConsentAuditRefused, match="no portal address or token"):
        confirm("", "", "researcher", DATASET, root / VIEWS)
    closed = f"http://127.0.0.1:{free_port()}/services/portal/api/v1/consent-audits"
    with pytest.raises(ConsentAuditRefused, match="did not answer"):  # the portal is down
        confirm(closed, "token", "researcher", DATASET, root / VIEWS)
