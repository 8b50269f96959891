"""MII data in a real workbench: broad consent decides who is in a spawned server's
/data, a withdrawal counts at the next spawn, old views are pruned, and feasibility
answers through the hub to researchers only.

Generated MII data with known consent states (the generator's ground truth) is imported
into the test hub's dataset folder; the grant goes through the real access workflow on a
real SQLite database that the hub's spawner and portal read. What this does not prove:
consent data from a real DIZ export (the resources' shape is the MII module's, the mix of
states is simulated).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from kimed_demos.phenotype.codes import MDAT_STORE, MDAT_USE
from kimed_hub.access import AccessRequests, Actor, State
from kimed_hub.catalogue import CatalogueStore
from kimed_hub.interop.catalogue_record import update_catalogue
from kimed_hub.interop.consent_mount import VIEWS
from kimed_hub.interop.generate import generate_mii, load_truth
from kimed_hub.interop.importer import import_fhir
from kimed_hub.interop.synth_consent import withdrawal
from kimed_hub.testing import HubProcess, new_prefix
from tests.conftest import dump_diagnostics
from tests.integration.portal_helpers import portal
from tests.interop.test_consent import _facts
from tests.portal.samples import application

pytestmark = pytest.mark.integration

DATASET = "mii-demo"  # policies/mii-consent.yaml: MDAT speichern (.7) and nutzen (.8)
REQUIRED = [MDAT_STORE, MDAT_USE]
GRANT_START = datetime(2022, 7, 1, tzinfo=UTC)
PROBE = f"""
import csv, json, os
root = '/data/{DATASET}'
def ids(name):
    return sorted({{r['patient_id'] for r in csv.DictReader(open(f'{{root}}/{{name}}.csv'))}})
seen = {{'listing': sorted(os.listdir('/data')), 'patients': ids('patient'),
        'observation': ids('observation'), 'consent': ids('consent')}}
try:
    open(f'{{root}}/mine.csv', 'w').write('x')
    seen['write'] = 'allowed'
except OSError as error:
    seen['write'] = type(error).__name__
print(json.dumps(seen))
"""
#: The phenotype demonstrator as a researcher runs it in their server, on the mounted view.
PHENOTYPES = f"""
import csv, json, subprocess
out = '/home/jovyan/phenotype-run'
proc = subprocess.run(['kimed-demo', 'run', 'phenotype', '-p', 'dataset_dir', '/data/{DATASET}',
                       '--output', out], capture_output=True, text=True, timeout=600)
rows = list(csv.DictReader(open(f'{{out}}/phenotypes.csv'))) if proc.returncode == 0 else []
print(json.dumps({{'rc': proc.returncode, 'log': (proc.stdout + proc.stderr)[-3000:],
                  'rows': rows, 'record': json.load(open(f'{{out}}/run.json'))}}))
"""


@pytest.fixture(scope="module")
def mii(singleuser_image, tmp_path_factory):
    """One hub for the module, its dataset folder holding the generated MII import, the
    catalogue record made by the import, and the researcher's ACTIVE grant."""
    base = tmp_path_factory.mktemp("mii-consent")
    export, root = base / "export", base / "datasets"
    generate_mii(export, patients=120, seed=11, progress=False)
    result = import_fhir(export, DATASET, root=root, progress=False)
    url = f"sqlite:///{base / 'portal.sqlite'}"
    store = CatalogueStore(url)
    update_catalogue(store, DATASET, result.manifest, result.folder, actor="importer")
    _grant(AccessRequests(store))
    env = {"KIMED_PORTAL_DB_URL": url, "KIMED_DATA_DIR": str(root)}
    site = {"WorkbenchSpawner": {"consent_view_grace": 0}}  # prune at once, not after 10 min
    hub = HubProcess(base / "hub", new_prefix(), site_config=site, extra_env=env)
    with hub.start():
        try:
            yield {"hub": hub, "store": store, "export": export, "root": root}
        except BaseException:
            dump_diagnostics(hub)
            raise
    store.close()


def _grant(requests_: AccessRequests) -> None:
    researcher = Actor.of("researcher", "applicant")
    steward, committee = Actor.of("steward", "steward"), Actor.of("committee", "committee")
    made = requests_.create(researcher, application("researcher", members=(), datasets=[DATASET]))
    requests_.submit(made.request_id, researcher)
    requests_.start_check(made.request_id, steward)
    requests_.forward(made.request_id, steward)
    requests_.decide(made.request_id, committee, State.APPROVED, "approved")
    requests_.activate(made.request_id, steward, start=GRANT_START)


def _expected(export) -> set[str]:
    """The patients whose consent permits the use on the grant's start, as of today."""
    today = date.today()
    return {
        p["id"]
        for p in load_truth(export)["patients"]
        if _facts(p).permits(REQUIRED, GRANT_START.date(), today)
    }


def _seen(hub) -> dict:
    user = hub.login("researcher")
    user.spawn()
    try:
        return json.loads(user.run_code(PROBE))
    finally:
        user.stop_server()


def _filter_events(store) -> list:
    return [e for e in store.audit_entries() if e.action == "consent.filter"]


def test_mount_holds_exactly_the_consenting_patients(mii):
    seen = _seen(mii["hub"])
    expected = _expected(mii["export"])
    everyone = {p["id"] for p in load_truth(mii["export"])["patients"]}
    assert 0 < len(expected) < len(everyone)  # the data must leave some patients out
    assert seen["listing"] == [DATASET]
    assert set(seen["patients"]) == expected
    assert set(seen["observation"]) <= expected and set(seen["consent"]) <= expected
    assert seen["write"] in ("OSError", "PermissionError")  # read-only
    (event,) = _filter_events(mii["store"])
    assert event.actor == "kimed-spawner"  # written by the portal at the hub's request:
    hub_log = mii["hub"].log_path.read_text(errors="replace")
    assert "201 POST /services/portal/api/v1/consent-audits" in hub_log
    assert event.details["patients_permitted"] == len(expected)
    assert event.details["patients_total"] == len(everyone)
    assert sum(event.details["excluded"].values()) == len(everyone) - len(expected)
    log = json.dumps([e.details for e in mii["store"].audit_entries()])
    assert not any(patient in log for patient in everyone)  # counts, never identities


def test_phenotype_notebook_runs_in_the_server_on_the_mounted_view(mii):
    """The demonstrator's notebook, run by papermill in the container's python-base kernel
    (no kimed_hub, no pyarrow there: the engine reads the view's CSV tables), classifies
    exactly the consenting patients, each as the generator's ground truth says."""
    user = mii["hub"].login("researcher")
    user.spawn()
    try:
        seen = json.loads(user.run_code(PHENOTYPES, 660).strip().splitlines()[-1])
    finally:
        user.stop_server()
    assert seen["rc"] == 0, seen["log"]
    assert seen["record"]["ok"] and seen["record"]["kernel"] == "python-base"
    truth = {p["id"]: p["phenotypes"] for p in load_truth(mii["export"])["patients"]}
    classified = {row.pop("patient_id"): row for row in seen["rows"]}
    assert set(classified) == _expected(mii["export"])
    wrong = [
        (pid, name)
        for pid, row in classified.items()
        for name, value in row.items()
        if (value == "True") != truth[pid][name]
    ]
    assert wrong == []
    assert any(v == "True" for row in classified.values() for v in row.values())


def test_withdrawal_counts_at_the_next_spawn_and_old_views_go(mii):
    before = _expected(mii["export"])
    truth = {p["id"]: p for p in load_truth(mii["export"])["patients"]}
    patient = sorted(before)[0]
    ends = {c: date.fromisoformat(d) for c, d in truth[patient]["consent"]["ends"].items()}
    resource = withdrawal(f"cons-{patient}-w", patient, datetime.now(UTC), ends)
    with open(mii["export"] / "Consent.ndjson", "a", encoding="utf-8") as out:
        out.write(json.dumps(resource) + "\n")
    assert import_fhir(mii["export"], DATASET, root=mii["root"], progress=False).changed

    seen = _seen(mii["hub"])
    assert set(seen["patients"]) == before - {patient}
    first, second = _filter_events(mii["store"])[-2:]  # the last two spawns
    assert second.details["excluded"]["withdrawn"] == first.details["excluded"]["withdrawn"] + 1
    assert second.details["patients_permitted"] == first.details["patients_permitted"] - 1
    # The first import's view went at the second start (no container mounted it); the
    # view of today's import stays for the next spawn today.
    views = sorted(p.name for p in (mii["root"] / VIEWS / DATASET).iterdir())
    assert len(views) == 1 and views[0].startswith(f"{GRANT_START.date()}_{date.today()}_")


def test_feasibility_through_the_hub_for_researchers_only(mii):
    hub = mii["hub"]
    question = {"criteria": [{"kind": "age", "min": 0}]}
    path = f"datasets/{DATASET}/feasibility"
    answer = portal(hub.login("researcher"), "POST", path, json=question)
    assert answer.status_code == 200, answer.text
    consenting_today = {
        p["id"]
        for p in load_truth(mii["export"])["patients"]
        if _facts(p).permits(REQUIRED, date.today(), date.today())
    }
    rules = answer.json()["protection"]
    margin = rules["noise"] + rules["round_to"] / 2
    assert abs(int(answer.json()["count"]) - (len(consenting_today) - 1)) <= margin  # withdrawn
    for role in ("checker", "trainee"):
        refused = portal(hub.login(role), "POST", path, json=question)
        assert refused.status_code == 403, role
    events = [e for e in mii["store"].audit_entries() if e.action == "feasibility.query"]
    assert [e.actor for e in events] == ["researcher"]


def test_only_the_hub_may_record_a_consent_mount(mii):
    """The endpoint the spawner calls refuses people: the researcher's own token (what
    their server holds) and an administrator's; nothing is written."""
    hub = mii["hub"]
    view = sorted((mii["root"] / VIEWS / DATASET).iterdir())[-1].name
    body = {"user": "researcher", "dataset": DATASET, "view": view}
    before = len(_filter_events(mii["store"]))
    for name in ("researcher", "admin"):
        refused = portal(hub.login(name), "POST", "consent-audits", json=body)
        assert refused.status_code == 403, (name, refused.text)
        assert "consent-audit" in refused.json()["message"]
    assert len(_filter_events(mii["store"])) == before
