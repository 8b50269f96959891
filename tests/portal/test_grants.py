"""The read-only grants model the spawner uses (``access.grants``), on both backends.

It must agree with the workflow service's own view of the grants, add the synthetic
versions only when asked, and treat a database it cannot read as an error: a wrong URL
must never look like "no grants", and a missing SQLite file must never be created.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kimed_hub.access.grants import GrantsReader, GrantsUnavailable
from kimed_hub.access.workflow import Actor, State

from .samples import application, dataset, synthetic

ALICE = Actor.of("alice", "applicant")
STEWARD = Actor.of("sven", "steward")
COMMITTEE = Actor.of("clara", "committee")


def url_of(store) -> str:
    return store.db.engine.url.render_as_string(hide_password=False)


def active_grant(flow) -> str:
    request_id = flow.create(ALICE, application()).request_id
    flow.submit(request_id, ALICE)
    flow.start_check(request_id, STEWARD)
    flow.forward(request_id, STEWARD)
    flow.decide(request_id, COMMITTEE, State.APPROVED, "approved")
    now = datetime.now(UTC)
    flow.activate(request_id, STEWARD, now - timedelta(minutes=1), now + timedelta(days=1))
    return request_id


def test_the_reader_sees_what_the_workflow_granted(store, requests_):
    source = dataset()
    store.put_dataset(source, actor="sven")
    store.put_dataset(synthetic(source), actor="sven")
    reader = GrantsReader(url_of(store))
    try:
        assert reader.mounts_for("alice", synthetic=False) == {}
        request_id = active_grant(requests_)
        assert reader.mounts_for("alice", synthetic=False) == {
            "ct-thorax-test": f"grant {request_id}"
        }
        both = reader.mounts_for("alice", synthetic=True)
        assert both == {
            "ct-thorax-test": f"grant {request_id}",
            synthetic(source).identifier: "synthetic version",
        }
        assert reader.mounts_for("eve", synthetic=False) == {}
        requests_.close(request_id, ALICE, "project over")
        assert reader.mounts_for("alice", synthetic=False) == {}
    finally:
        reader.close()


def test_a_missing_sqlite_file_is_an_error_and_is_not_created(tmp_path):
    missing = tmp_path / "nowhere" / "portal.sqlite"
    with pytest.raises(GrantsUnavailable, match="does not exist"):
        GrantsReader(f"sqlite:///{missing}")
    assert not missing.exists() and not missing.parent.exists()


def test_a_database_without_the_portal_tables_is_an_error(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")  # an existing but empty file: SQLite reads it as no tables
    reader = GrantsReader(f"sqlite:///{empty}")
    try:
        with pytest.raises(GrantsUnavailable, match="could not read the grants"):
            reader.mounts_for("alice", synthetic=True)
    finally:
        reader.close()
    assert empty.read_bytes() == b""  # opened read-only: nothing was created in it


def test_a_wrong_postgresql_database_is_an_error(postgres_server):
    reader = GrantsReader(f"{postgres_server}/no_such_portal")
    try:
        with pytest.raises(GrantsUnavailable, match="no_such_portal"):
            reader.mounts_for("alice", synthetic=False)
    finally:
        reader.close()


@pytest.mark.parametrize("url", ["", "not a url"])
def test_no_or_a_malformed_url_is_an_error(url):
    with pytest.raises(GrantsUnavailable):
        GrantsReader(url)
