"""Activating a request across holders: checked first, linked at once, and the spawner
mounts the linked tables only, never the holders' folders (fail closed)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from kimed_hub.access import AccessRequests, Actor, State
from kimed_hub.access.grants import linked_folder
from kimed_hub.data_grants import granted_mounts
from kimed_hub.errors import BadInput
from kimed_hub.portal_service.enforcement import act
from tests.portal.samples import application
from tests.trust_centre.conftest import DATASETS

RESEARCHER = Actor.of("researcher", "applicant")
STEWARD, COMMITTEE = Actor.of("steward", "steward"), Actor.of("committee", "committee")


def _approved(store, datasets) -> str:
    workflow = AccessRequests(store)
    made = workflow.create(RESEARCHER, application("researcher", members=(), datasets=datasets))
    workflow.submit(made.request_id, RESEARCHER)
    workflow.start_check(made.request_id, STEWARD)
    workflow.forward(made.request_id, STEWARD)
    workflow.decide(made.request_id, COMMITTEE, State.APPROVED, "approved")
    return made.request_id


def _activate(store, request_id):
    """The steward activates through ``enforcement.act``, as API, pages and CLI do (no
    hub: nothing to stop on an activation)."""
    start = {"start": datetime.now(UTC) - timedelta(minutes=1)}
    return asyncio.run(
        act(AccessRequests(store), None, None, request_id, "activate", STEWARD, start)
    )


def _url(demo) -> str:
    return f"sqlite:///{demo.root.parent / 'portal.sqlite'}"


def test_activation_links_and_the_spawner_mounts_the_linked_tables_only(demo):
    request_id = _approved(demo.store, DATASETS)
    assert _activate(demo.store, request_id).request.state == State.ACTIVE
    mounts = granted_mounts("researcher", demo.root, _url(demo))
    assert sorted(m.dataset for m in mounts) == DATASETS
    for mount in mounts:
        assert mount.host_path == linked_folder(demo.root, request_id) / mount.dataset
        assert mount.container_path == f"/data/{mount.dataset}"
    actions = [e.action for e in demo.store.audit_entries(f"request:{request_id}")]
    assert actions[-3:] == ["request.activate", "trust-centre.link", "trust-centre.pseudonyms"]


def test_without_linked_tables_nothing_is_mounted(demo):
    request_id = _approved(demo.store, DATASETS)
    _activate(demo.store, request_id)
    folder = linked_folder(demo.root, request_id)
    folder.rename(folder.with_name("gone"))
    assert granted_mounts("researcher", demo.root, _url(demo)) == []


def test_one_holder_is_mounted_as_before(demo):
    request_id = _approved(demo.store, [DATASETS[0]])
    _activate(demo.store, request_id)
    (mount,) = granted_mounts("researcher", demo.root, _url(demo))
    assert mount.host_path == demo.root / DATASETS[0]
    assert not linked_folder(demo.root, request_id).exists()


def test_an_activation_that_cannot_be_linked_is_refused_and_nothing_changes(demo):
    request_id = _approved(demo.store, DATASETS)
    (demo.files.root / "deliveries" / f"{DATASETS[0]}.clk.npz").unlink()
    with pytest.raises(BadInput, match="holds no identifiers for linkage-demo-klinikum"):
        _activate(demo.store, request_id)
    assert AccessRequests(demo.store).get(request_id).state == State.APPROVED
    assert not linked_folder(demo.root, request_id).exists()
    assert granted_mounts("researcher", demo.root, _url(demo)) == []


def test_a_spawner_without_linked_tables_gets_no_holder_folder(demo):
    """``mounts_for(..., linked=False)`` (for a caller that cannot mount linked tables)
    leaves grants across holders out; the reconciliation (``linked=True``) counts them."""
    from kimed_hub.access.grants import GrantsReader

    _activate(demo.store, _approved(demo.store, DATASETS))
    reader = GrantsReader(_url(demo))
    try:
        assert set(reader.mounts_for("researcher", False)) == set(DATASETS)
        assert reader.mounts_for("researcher", False, linked=False) == {}
    finally:
        reader.close()
