"""Airlock fixtures: a portal store on SQLite, the airlock on it, a fake home folder, and
an ACTIVE access grant whose team (alice, bob) the airlock must treat as one project."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kimed_hub.access import AccessRequests, Actor, State
from kimed_hub.airlock import CHECKER, REQUESTER, ExportRequests, HomeReader
from kimed_hub.catalogue.store import CatalogueStore
from tests.portal.samples import application, dataset

ALICE = Actor.of("alice", "applicant", REQUESTER)  # the requester
ALICE_AS_CHECKER = Actor.of("alice", REQUESTER, CHECKER)  # holds both roles
BOB = Actor.of("bob", "applicant", REQUESTER, CHECKER)  # alice's team mate, also a checker
CAROL = Actor.of("carol", CHECKER)  # independent checkers
DAVE = Actor.of("dave", CHECKER)
EVE = Actor.of("eve", "applicant", REQUESTER)  # an unrelated researcher

TABLE_OK = "age_group,sex,n\n18-39,f,25\n18-39,m,31\n40-64,f,42\n40-64,m,38\n"
TABLE_SMALL = "age_group,sex,n\n18-39,f,25\n18-39,m,3\n40-64,f,42\n40-64,m,0\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JUSTIFICATION = "Table 2 of the paper: counts by age group and sex, for the journal."


@pytest.fixture
def store(tmp_path):
    found = CatalogueStore(f"sqlite:///{tmp_path / 'portal.sqlite'}")
    yield found
    found.close()


@pytest.fixture
def grant(store) -> str:
    """An ACTIVE access request of alice (team: bob) for ct-thorax-test."""
    store.put_dataset(dataset(), actor="sven")
    access = AccessRequests(store)
    steward, committee = Actor.of("sven", "steward"), Actor.of("clara", "committee")
    request_id = access.create(ALICE, application()).request_id
    access.submit(request_id, ALICE)
    access.start_check(request_id, steward)
    access.forward(request_id, steward)
    access.decide(request_id, committee, State.APPROVED, "approved")
    now = datetime.now(UTC)
    access.activate(request_id, steward, now - timedelta(minutes=1), now + timedelta(days=30))
    return request_id


@pytest.fixture
def home(tmp_path) -> Path:
    """alice's home folder with a safe table, an unsafe one and a figure."""
    folder = tmp_path / "home"
    (folder / "out").mkdir(parents=True)
    (folder / "out" / "table.csv").write_text(TABLE_OK)
    (folder / "out" / "small.csv").write_text(TABLE_SMALL)
    (folder / "out" / "figure.png").write_bytes(PNG)
    return folder


@pytest.fixture
def airlock(store, grant, tmp_path) -> ExportRequests:
    return ExportRequests(store, tmp_path / "airlock")


@pytest.fixture
def reader(home) -> HomeReader:
    return HomeReader(home)
