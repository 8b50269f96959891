"""The portal service without a hub: its OpenAPI file, the CLI, demo data folders,
and the stopping of servers when a grant ends (against a stand-in hub API)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from kimed_hub import cli
from kimed_hub.access import AccessRequests, Actor, State
from kimed_hub.access.grants import GrantsReader
from kimed_hub.catalogue import CatalogueStore, SearchQuery
from kimed_hub.catalogue.demo import demo_records
from kimed_hub.catalogue.store import DEFAULT_BASE_IRI
from kimed_hub.data_grants import MOUNTS_STATE_KEY
from kimed_hub.database import masked_url
from kimed_hub.paths import state_dir
from kimed_hub.portal_service import api, enforcement, wiring
from kimed_hub.portal_service.commands import ensure_demo_data
from kimed_hub.portal_service.hub_api import RunningServer
from kimed_hub.portal_service.openapi_records import MARKER, OPENAPI_FILE, generated_block
from kimed_hub.settings import SettingsError
from tests.portal.samples import application, dataset

SPEC = yaml.safe_load(OPENAPI_FILE.read_text())


def test_openapi_file_is_valid_openapi():
    validate(SPEC)
    assert SPEC["openapi"].startswith("3.1")


def test_openapi_documents_exactly_the_routes():
    documented = {
        (path, method.upper())
        for path, item in SPEC["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete")
    }
    served = set()
    for pattern, handler in api.ROUTES:
        if pattern.endswith(".*"):
            continue  # the JSON 404 for everything else
        path = "/" + pattern.replace(api.ID, "{id}", 1).replace(api.ID, "{action}", 1)
        path = path.removeprefix("/" + api.API.rstrip("/"))
        for method in ("GET", "PUT", "POST", "DELETE"):
            if method.lower() in vars(handler):
                served.add((path, method))
    assert documented == served


def test_every_operation_documents_its_errors_as_json():
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = set(operation["responses"])
            assert {"400", "401", "403"} <= codes, (method, path)


def test_generated_record_schemas_are_up_to_date():
    text = OPENAPI_FILE.read_text()
    assert text[text.index(MARKER) + len(MARKER) :] == generated_block(), (
        "run: .venv/bin/python -m kimed_hub.portal_service.openapi_records"
    )
    dataset_schema = SPEC["components"]["schemas"]["Dataset"]
    assert dataset_schema["additionalProperties"] is False
    assert dataset_schema["properties"]["temporal"]["anyOf"][0] == {
        "$ref": "#/components/schemas/Period"
    }


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(),
        SearchQuery(text="lunge ct", lang="de", sort="size", page=3, page_size=7),
        SearchQuery(facets={"modality": ("CT", "MR"), "custodian": ("x y",)}, age=(None, 40)),
        SearchQuery(cohort_size=(0, 10), time=(date(2020, 1, 1), date(2021, 6, 30))),
    ],
)
def test_search_query_parameters_round_trip(query):
    params: dict[str, list[str]] = {}
    for name, value in query.to_params():
        params.setdefault(name, []).append(value)
    assert SearchQuery.from_params(params) == query


# --- the CLI ------------------------------------------------------------------------------


@pytest.fixture
def portal_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'portal.sqlite'}"
    monkeypatch.setenv("KIMED_PORTAL_DB_URL", url)
    monkeypatch.setenv("KIMED_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "portal.sqlite"


def test_cli_imports_verifies_and_finds_a_broken_chain(portal_db, tmp_path, capsys):
    turtle = tmp_path / "one.ttl"
    source = CatalogueStore(f"sqlite:///{tmp_path / 'source.sqlite'}")
    source.put_dataset(dataset("cli-import-probe"), actor="test")
    turtle.write_text(source.export_rdf("turtle"))
    source.close()

    assert cli.main(["portal", "import", str(turtle)]) == 0
    assert "cli-import-probe" in capsys.readouterr().out
    assert cli.main(["portal", "verify-audit"]) == 0
    assert "audit log intact: 1 entries" in capsys.readouterr().out

    assert cli.main(["portal", "import", str(tmp_path / "records.csv")]) == 2
    assert ".ttl" in capsys.readouterr().err
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle")
    assert cli.main(["portal", "import", str(bad)]) == 2
    assert capsys.readouterr().err.startswith("kimed portal import:")

    with sqlite3.connect(portal_db) as db:  # as someone with the file would
        db.execute("DROP TRIGGER portal_audit_no_update")
        db.execute("UPDATE portal_audit_log SET actor = 'mallory' WHERE seq = 1")
    assert cli.main(["portal", "verify-audit"]) == 1
    assert "BROKEN at entry 1" in capsys.readouterr().out


def test_demo_data_folders_are_fictional_and_written_once(tmp_path):
    root = tmp_path / "data"
    records = [r for r in demo_records(DEFAULT_BASE_IRI) if hasattr(r, "variables")]
    changed = ensure_demo_data(root)
    assert sorted(changed) == sorted(r.identifier for r in records)
    for record in records:
        folder = root / record.identifier
        assert "FICTIONAL DEMO DATA" in (folder / "README.txt").read_text()
        if record.variables:
            lines = (folder / "data.csv").read_text().splitlines()
            assert lines[0].split(",") == [v.name for v in record.variables]
            assert len(lines) == 51
    assert ensure_demo_data(root) == []  # idempotent: nothing rewritten
    (root / records[0].identifier / "README.txt").write_text("edited")
    assert ensure_demo_data(root) == [records[0].identifier]


# --- ending grants stops servers; reconciliation retries -----------------------------------


class StandInHub(enforcement.HubServers):
    """The hub's two calls answered from a dict of running servers (user → {server:
    mounts}, None: a state without a mount record); ``refuse`` servers answer the stop
    with an error until it is emptied."""

    def __init__(self, servers: dict[str, dict[str, dict]], refuse: set[str] = frozenset()):
        super().__init__(api_url="http://unused", token="unused")
        self.servers, self.refuse, self.stopped = servers, set(refuse), []

    async def running(self):
        return [
            RunningServer(user, name, True, {} if mounts is None else {MOUNTS_STATE_KEY: mounts})
            for user, named in sorted(self.servers.items())
            for name, mounts in sorted(named.items())
        ]

    async def stop(self, username, server):
        if f"{username}/{server}" in self.refuse:
            raise ConnectionError("403 Forbidden: token lacks delete:servers")
        self.stopped.append(f"{username}/{server}")
        del self.servers[username][server]


@pytest.fixture
def workflow(tmp_path):
    store = CatalogueStore(f"sqlite:///{tmp_path / 'p.sqlite'}")
    store.put_dataset(dataset(), actor="steward")
    yield AccessRequests(store)
    store.close()


@pytest.fixture
def reader(workflow):
    found = GrantsReader(workflow.store.db.engine.url.render_as_string(hide_password=False))
    yield found
    found.close()


def active_grant(workflow, members=("bob",)) -> str:
    alice = Actor.of("alice", "applicant")
    steward, committee = Actor.of("sven", "steward"), Actor.of("clara", "committee")
    request_id = workflow.create(alice, application("alice", members=members)).request_id
    workflow.submit(request_id, alice)
    workflow.start_check(request_id, steward)
    workflow.forward(request_id, steward)
    workflow.decide(request_id, committee, State.APPROVED, "ok")
    workflow.activate(request_id, steward)
    return request_id


MOUNTED = {"ct-thorax-test": "grant"}
STEWARD = Actor.of("sven", "steward")


def test_revocation_stops_the_servers_that_hold_the_data(workflow, reader, caplog):
    request_id = active_grant(workflow)
    hub = StandInHub(
        {"alice": {"": MOUNTED, "gpu": MOUNTED}, "bob": {"": MOUNTED, "plain": {}}, "eve": {"": {}}}
    )
    args = {"comment": "breach"}
    with caplog.at_level("INFO", logger="kimed.portal"):
        outcome = asyncio.run(
            enforcement.act(workflow, reader, hub, request_id, "revoke", STEWARD, args)
        )
    assert outcome.request.state == State.REVOKED
    assert [r.request_id for r in outcome.ended] == [request_id]
    # bob's server without the mount and eve (not on the request) keep running
    assert outcome.enforcement.stopped == ["alice/", "alice/gpu", "bob/"]
    assert hub.servers == {"alice": {}, "bob": {"plain": {}}, "eve": {"": {}}}
    assert "stopped server 'gpu' of alice: holds ct-thorax-test without an ACTIVE grant" in (
        caplog.text
    )


def test_a_refused_stop_is_retried_at_the_next_round(workflow, reader, caplog):
    request_id = active_grant(workflow, members=())
    hub = StandInHub({"alice": {"": MOUNTED}}, refuse={"alice/"})
    outcome = asyncio.run(
        enforcement.act(workflow, reader, hub, request_id, "close", STEWARD, {"comment": "done"})
    )
    assert outcome.request.state == State.CLOSED
    assert outcome.enforcement.failed == ["alice/"] and hub.servers["alice"]
    assert "retrying at the next reconciliation round" in caplog.text
    # the first periodic round: still refused, still reported, nothing forgotten
    expired, done = asyncio.run(enforcement.enforce_round(workflow, reader, hub))
    assert expired == [] and done.failed == ["alice/"] and hub.servers["alice"]
    hub.refuse.clear()  # the hub accepts the stop again
    expired, done = asyncio.run(enforcement.enforce_round(workflow, reader, hub))
    assert done.stopped == ["alice/"] and hub.servers["alice"] == {}


def test_without_a_hub_the_action_leaves_the_stop_to_the_round(workflow, reader):
    request_id = active_grant(workflow, members=())
    args = {"comment": "done"}
    outcome = asyncio.run(
        enforcement.act(workflow, reader, None, request_id, "close", STEWARD, args)
    )
    assert outcome.enforcement is None and outcome.ended
    hub = StandInHub({"alice": {"": MOUNTED}})
    _, done = asyncio.run(enforcement.enforce_round(workflow, reader, hub))
    assert done.stopped == ["alice/"]


def test_a_round_keeps_granted_servers_and_stops_unrecorded_ones(workflow, reader):
    active_grant(workflow, members=())
    hub = StandInHub({"alice": {"": MOUNTED}, "eve": {"": {}}, "old": {"": None}})
    _, done = asyncio.run(enforcement.enforce_round(workflow, reader, hub))
    assert done.stopped == ["old/"]  # mounts unknown: fail closed
    assert hub.servers == {"alice": {"": MOUNTED}, "eve": {"": {}}, "old": {}}


def test_actions_that_end_no_grant_stop_nothing(workflow):
    alice = Actor.of("alice", "applicant")
    request_id = workflow.create(alice, application("alice")).request_id
    before = workflow.get(request_id)
    after = workflow.submit(request_id, alice)
    assert enforcement.ended_grants(before, after, workflow) == []


def test_an_activated_amendment_ends_the_grant_it_supersedes(workflow):
    alice, steward = Actor.of("alice", "applicant"), Actor.of("sven", "steward")
    parent = active_grant(workflow)
    amendment = workflow.request_amendment(parent, alice).request_id
    workflow.submit(amendment, alice)
    workflow.start_check(amendment, steward)
    workflow.forward(amendment, steward)
    workflow.decide(amendment, Actor.of("clara", "committee"), State.APPROVED, "ok")
    before = workflow.get(amendment)
    after = workflow.activate(amendment, steward)
    ended = enforcement.ended_grants(before, after, workflow)
    assert [(r.request_id, r.state) for r in ended] == [(parent, State.CLOSED)]


def test_expiry_round_records_expired_and_stops_servers(workflow, reader):
    from datetime import UTC, datetime, timedelta

    request_id = active_grant(workflow, members=())
    hub = StandInHub({"alice": {"": MOUNTED}})
    expired, done = asyncio.run(enforcement.enforce_round(workflow, reader, hub))
    assert expired == [] and hub.stopped == []  # not due yet
    later = datetime.now(UTC) + timedelta(days=3650)
    workflow.expire_due = lambda: AccessRequests.expire_due(workflow, later)
    expired, done = asyncio.run(enforcement.enforce_round(workflow, reader, hub))
    assert expired == [request_id]
    assert workflow.get(request_id).state == State.EXPIRED and hub.stopped == ["alice/"]


def test_expiry_period_setting(monkeypatch):
    monkeypatch.delenv(wiring.EXPIRE_EVERY_ENV, raising=False)
    assert wiring.expire_every() == wiring.EXPIRE_EVERY_DEFAULT
    monkeypatch.setenv(wiring.EXPIRE_EVERY_ENV, "5")
    assert wiring.expire_every() == 5
    assert "--expire-every" in wiring.service_definition("sqlite://", False)["command"]

    for bad in ("0", "soon", "-3"):
        monkeypatch.setenv(wiring.EXPIRE_EVERY_ENV, bad)
        with pytest.raises(SettingsError, match=wiring.EXPIRE_EVERY_ENV):
            wiring.expire_every()


def test_the_database_url_goes_through_the_environment_only():
    from kimed_hub.trust_centre import trust_centre_dir

    url = "postgresql+psycopg://kimed:S3cret-pw@127.0.0.1:5432/portal"
    service = wiring.service_definition(url, True, data_dir=Path("/srv/datasets"))
    # Beside the URL: where the feasibility counts find the imports and their noise key,
    # and the trust centre's own folder.
    assert service["environment"] == {
        "KIMED_PORTAL_DB_URL": url,
        "KIMED_DATA_DIR": "/srv/datasets",
        "KIMED_STATE_DIR": str(state_dir()),
        "KIMED_TRUST_CENTRE_DIR": str(trust_centre_dir()),
    }
    assert service["timeout"] == wiring.START_TIMEOUT  # a slow start is not a failure
    assert not any("S3cret-pw" in part for part in service["command"])
    assert masked_url(url) == "postgresql+psycopg://kimed:***@127.0.0.1:5432/portal"


def test_openapi_names_every_workflow_role_the_me_endpoint_can_answer():
    """GET me answers the roles of auth.ROLE_SCOPES; the schema's enum must list them all
    (the fuzzer found the airlock's roles missing there)."""
    from kimed_hub.portal_service.auth import ROLE_SCOPES
    from kimed_hub.portal_service.openapi_records import OPENAPI_FILE

    spec = yaml.safe_load(Path(OPENAPI_FILE).read_text())
    enum = spec["components"]["schemas"]["Me"]["properties"]["roles"]["items"]["enum"]
    assert set(enum) == {str(role) for role in ROLE_SCOPES}
