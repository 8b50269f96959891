"""The trust centre in a real workbench: an access request for the datasets of two
holders, activated through the portal's API, mounts only pseudonymised tables linked
across the holders; a second project gets other pseudonyms; researchers and stewards
get 403 from the trust centre's API, its staff re-identify only with a reason.

One hub for the module. The two demo holders (``trust_centre.demo_setup``: generated
persons with a known overlap and typos) put their medical tables into the hub's dataset
folder, their records into the portal's database, and their identifiers, encoded as
Bloom filters at the holder, into the trust centre's folder. Every workflow step is an
API call by the role that takes it. What this does not prove: linkage quality on real
registrations (the unit tests score it on generated data with known truth), and the
probabilistic (Splink) path inside the portal process (unit tests run it; here the
holders deliver encodings).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kimed_hub.access.grants import linked_folder
from kimed_hub.catalogue import CatalogueStore
from kimed_hub.serde import to_data
from kimed_hub.testing import HubProcess, new_prefix
from kimed_hub.trust_centre.demo_setup import HOLDERS, install_demo
from kimed_hub.trust_centre.store import TrustCentreStore
from tests.conftest import dump_diagnostics
from tests.integration.portal_helpers import act, ok, portal
from tests.portal.samples import application

pytestmark = pytest.mark.integration

DATASETS = [h.dataset for h in HOLDERS]
IDENTIFYING = ("patient_id", "given_name", "family_name", "birth_date", "sex", "postcode")
#: Every table under each dataset's mount, every column, every value, as JSON.
PROBE = f"""
import csv, json, os
seen = {{'listing': sorted(os.listdir('/data')), 'tables': {{}}}}
for dataset in {DATASETS!r}:
    root = '/data/' + dataset
    for name in sorted(os.listdir(root)):
        if name.endswith('.csv'):
            seen['tables'][dataset + '/' + name] = list(csv.DictReader(open(root + '/' + name)))
try:
    open('/data/{DATASETS[0]}/mine.csv', 'w').write('x')
    seen['write'] = 'allowed'
except OSError as error:
    seen['write'] = type(error).__name__
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def centre(singleuser_image, tmp_path_factory):
    """A hub whose portal database and dataset folder hold the two demo holders."""
    base = tmp_path_factory.mktemp("trust-centre")
    root, url = base / "datasets", f"sqlite:///{base / 'portal.sqlite'}"
    store = CatalogueStore(url)
    files = TrustCentreStore(base / "trust-centre")
    data = install_demo(store, root, files, persons=80, seed=4, secret=b"s" * 32)
    env = {
        "KIMED_PORTAL_DB_URL": url,
        "KIMED_DATA_DIR": str(root),
        "KIMED_TRUST_CENTRE_DIR": str(files.root),
    }
    hub = HubProcess(base / "hub", new_prefix(), extra_env=env)
    with hub.start():
        try:
            yield {"hub": hub, "store": store, "root": root, "data": data}
        except BaseException:
            dump_diagnostics(hub)
            raise
    store.close()


@pytest.fixture(scope="module")
def people(centre):
    roles = ("researcher", "steward", "committee", "trustee")
    return {role: centre["hub"].login(role) for role in roles}


def _activated(people) -> str:
    """A request for both holders' datasets, through the API to ACTIVE; its id."""
    researcher = people["researcher"]
    body = {"application": to_data(application("researcher", members=(), datasets=DATASETS))}
    request_id = ok(portal(researcher, "POST", "requests", json=body), 201)["id"]
    act(researcher, request_id, "submit")
    act(people["steward"], request_id, "start_check")
    act(people["steward"], request_id, "forward", comment="formally complete")
    act(people["committee"], request_id, "decide", decision="APPROVED", comment="sound plan")
    assert act(people["steward"], request_id, "activate")["state"] == "ACTIVE"
    return request_id


def _identifiers(data) -> set[str]:
    values = set()
    for holder in data:
        for column in IDENTIFYING:
            values |= set(holder.idat[column].astype(str))
    return values - {"f", "m"}  # sex: its column's absence is checked instead


@pytest.fixture(scope="module")
def first(centre, people):
    """The first project, and what its researcher's real container shows."""
    request_id = _activated(people)
    researcher = people["researcher"]
    researcher.spawn()
    try:
        seen = json.loads(researcher.run_code(PROBE, timeout=120))
    finally:
        researcher.stop_server()
    return request_id, seen


def test_the_mount_holds_only_pseudonyms_linked_across_holders(centre, first):
    _, seen = first
    assert seen["listing"] == DATASETS
    assert seen["write"] in ("OSError", "PermissionError")
    tables = seen["tables"]
    assert sorted(tables) == [f"{d}/patients.csv" for d in DATASETS]
    forbidden = _identifiers(centre["data"])
    for name, rows in tables.items():
        assert rows, name
        assert set(rows[0]) & set(IDENTIFYING) == set(), name
        for column in rows[0]:  # every column, every value, read inside the container
            values = {row[column] for row in rows}
            assert forbidden.isdisjoint(values), f"{name}: {column}"
    pseudonyms = [{row["pseudonym"] for row in tables[f"{d}/patients.csv"]} for d in DATASETS]
    shared = pseudonyms[0] & pseudonyms[1]
    a, b = centre["data"]
    overlap = len(set(a.truth.values()) & set(b.truth.values()))
    assert 0.9 * overlap <= len(shared) <= overlap  # linked across the two holders


def test_a_second_project_gets_unlinkable_pseudonyms(centre, people, first):
    request_id, seen = first
    second = _activated(people)
    folder = linked_folder(centre["root"], second)
    for dataset in DATASETS:
        theirs = set(pd.read_csv(folder / dataset / "patients.csv", dtype=str)["pseudonym"])
        ours = {row["pseudonym"] for row in seen["tables"][f"{dataset}/patients.csv"]}
        assert len(theirs) == len(ours) and theirs.isdisjoint(ours)
    assert second != request_id


def test_only_the_trust_centre_reaches_its_api(centre, people, first):
    request_id, seen = first
    name = seen["tables"][f"{DATASETS[0]}/patients.csv"][0]["pseudonym"]
    reason = {"pseudonym": name, "reason": "Incidental finding reported by the project"}
    paths = [
        ("GET", "trust-centre/deliveries", None),
        ("GET", f"trust-centre/projects/{request_id}", None),
        ("POST", f"trust-centre/projects/{request_id}/link", None),
        ("POST", f"trust-centre/projects/{request_id}/reidentify", reason),
    ]
    for role in ("researcher", "steward", "committee"):
        for method, path, body in paths:
            answer = portal(people[role], method, path, json=body)
            assert answer.status_code == 403, (role, path, answer.text)
    trustee = people["trustee"]
    kinds = ok(portal(trustee, "GET", "trust-centre/deliveries"))["deliveries"]
    assert {d["dataset"]: d["kind"] for d in kinds} == dict.fromkeys(DATASETS, "bloom")
    report = ok(portal(trustee, "GET", f"trust-centre/projects/{request_id}"))["report"]
    assert report["method"] == "bloom" and report["records"] == dict.fromkeys(DATASETS, 80)
    path = f"trust-centre/projects/{request_id}/reidentify"
    short = portal(trustee, "POST", path, json={"pseudonym": name, "reason": " "})
    assert short.status_code == 400 and "reason" in short.json()["message"]
    records = ok(portal(trustee, "POST", path, json=reason))["records"]
    first_id = centre["data"][0].mdat["patient_id"].iloc[0]
    assert {"dataset": DATASETS[0], "local_id": first_id} in records
    events = [e for e in centre["store"].audit_entries(f"request:{request_id}")]
    assert [e.action for e in events if e.action.startswith("trust-centre.")] == [
        "trust-centre.link",
        "trust-centre.pseudonyms",
        "trust-centre.reidentify",
    ]
    assert events[-1].actor == "trustee" and first_id not in json.dumps(events[-1].details)
