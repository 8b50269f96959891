"""Synthesis jobs through the real hub and proxy: a data steward synthesises a generated
dataset of known structure in a real locked container without network, the figures are
computed, a planted leak fails the privacy thresholds and can never be submitted, the
release needs two independent output checkers, and once released the catalogue shows the
synthetic record with its measurements (valid DCAT as a receiver checks it) and a
researcher's next server mounts the released table. A re-run replaces it; the old job is
SUPERSEDED only once the new one is released. Bad input: 4xx, nothing stored.

One hub for the module; the researcher's server is started once, at the end.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import time

import pytest
import yaml

from kimed_hub.serde import to_data
from tests.integration.portal_helpers import (
    DEMO_DATASET,
    act,
    application_data,
    data_probe,
    ok,
    policies_with_accounts,
    portal,
)
from tests.portal.samples import dataset
from tests.portal.test_exchange import receiver_report

pytestmark = pytest.mark.integration

SOURCE = "kohorte-synth-test"
TABLE = "visits.csv"
METHOD = "gaussian_copula"
#: The engine's test-only method that copies real rows (never in the shipped policy).
LEAK = "planted_leak"
ROWS = 1500
EXTRA = [
    # a data steward who is also a researcher: applies for the data it then synthesises
    {"username": "curator", "groups": ["data-stewards", "researchers"], "description": "steward"},
    {"username": "checker2", "groups": ["output-checkers"], "description": "2nd checker"},
]
WHY = "Synthetic version for developing analysis code before access is granted."
JOB_TIMEOUT = 600


def known_table(seed: int = 7) -> str:
    """``ROWS`` people: age, sex, BMI rising with age, HbA1c rising with BMI, smoking, and
    diabetes depending on age, BMI and HbA1c (a structure a good synthesis keeps and a
    classifier can learn). Continuous values, so that exact copies are rare by chance."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["age", "sex", "bmi", "hba1c", "smoker", "diabetes"])
    for _ in range(ROWS):
        age = min(max(rng.gauss(55, 12), 18), 95)
        bmi = 18 + 0.15 * age + rng.gauss(0, 3)
        hba1c = 4.5 + 0.04 * (bmi - 18) + rng.gauss(0, 0.5)
        logit = 0.15 * (age - 55) + 0.6 * (bmi - 27) + 3.0 * (hba1c - 5.6)
        writer.writerow([round(age, 1), rng.choice("fm"), round(bmi, 1), round(hba1c, 2),
                         rng.choice(["yes", "no", "no"]),
                         "yes" if rng.random() < 1 / (1 + math.exp(-logit)) else "no"])  # fmt: skip
    return out.getvalue()


@pytest.fixture(scope="module")
def synth_hub(singleuser_image, tmp_path_factory, request):
    from kimed_hub.testing import HubProcess, new_prefix
    from tests.conftest import serve_module_hub  # the shared start, diagnostics, clean-up

    policies = policies_with_accounts(tmp_path_factory.mktemp("policies"), EXTRA)
    policy = yaml.safe_load((policies / "synthesis.yaml").read_text())
    assert LEAK not in policy["methods"], "the shipped policy must never offer the leak"
    policy["methods"][LEAK] = {"kernel": "python-base", "min_rows": 50,
                               "label_en": "TEST ONLY: copies real rows",
                               "label_de": "NUR TEST: kopiert echte Zeilen"}  # fmt: skip
    (policies / "synthesis.yaml").write_text(yaml.safe_dump(policy, sort_keys=False))
    # Only a test's schema lets the leak through: the shipped one allowlists the methods.
    schema_path = policies / "schemas" / "synthesis.schema.json"
    schema = json.loads(schema_path.read_text())
    assert LEAK not in schema["properties"]["methods"]["properties"]
    schema["properties"]["methods"]["properties"][LEAK] = {"$ref": "#/$defs/method"}
    schema_path.write_text(json.dumps(schema))
    hub = HubProcess(
        tmp_path_factory.mktemp("synthesis-hub"),
        new_prefix(),
        extra_env={"KIMED_POLICIES_DIR": str(policies)},
    )
    yield from serve_module_hub(request, hub)


@pytest.fixture(scope="module")
def users(synth_hub):
    names = ["researcher", "steward", "committee", "curator", "checker", "checker2"]
    return {n: synth_hub.login(n) for n in names}


@pytest.fixture(scope="module")
def granted(synth_hub, users):
    """The generated dataset: its record, its table on the host, and an ACTIVE grant of the
    curator (a data steward) alone: the researcher holds no grant to it."""
    record = to_data(dataset(SOURCE))
    ok(portal(users["steward"], "PUT", f"datasets/{SOURCE}", json=record), 201)
    folder = synth_hub.data_dir / "datasets" / SOURCE
    folder.mkdir(parents=True)
    (folder / TABLE).write_text(known_table())
    (folder / "README.txt").write_text("generated for the synthesis test")
    body = {"application": application_data("curator", (), SOURCE)}
    request_id = ok(portal(users["curator"], "POST", "requests", json=body), 201)["id"]
    act(users["curator"], request_id, "submit")
    act(users["steward"], request_id, "start_check")
    act(users["steward"], request_id, "forward", comment="complete")
    act(users["committee"], request_id, "decide", decision="APPROVED", comment="sound")
    act(users["steward"], request_id, "activate")
    return request_id


def start(users, **body) -> dict:
    return ok(portal(users["curator"], "POST", "synthesis/jobs", json=body), 201)


def finished(users, job_id: str) -> dict:
    """The job once it has left QUEUED and RUNNING."""
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        job = ok(portal(users["curator"], "GET", f"synthesis/jobs/{job_id}"))
        if job["state"] not in ("QUEUED", "RUNNING"):
            return job
        time.sleep(2)
    raise AssertionError(f"{job_id} still {job['state']} after {JOB_TIMEOUT} s")


def release(users, job_id: str) -> dict:
    """Submit the job and let two independent checkers approve both files."""
    job = ok(portal(users["curator"], "POST", f"synthesis/jobs/{job_id}/actions/submit",
                    json={"justification": WHY}))  # fmt: skip
    assert job["state"] == "SUBMITTED_FOR_RELEASE", job
    export = job["export_request"]
    votes = {
        "synthetic.csv": {"vote": "approve_with_comment", "reason": "synthetic, measured"},
        "report.md": {"vote": "approve_with_comment", "reason": "aggregate figures"},
    }
    path = f"airlock/requests/{export}/reviews"
    refused = portal(users["curator"], "POST", path, json={"votes": votes})
    assert refused.status_code == 403  # the requester never reviews (nor their project)
    one = ok(portal(users["checker"], "POST", path, json={"votes": votes}))
    assert one["state"] == "IN_REVIEW"  # one checker decides nothing
    assert ok(portal(users["curator"], "GET", f"synthesis/jobs/{job_id}"))["state"] == (
        "SUBMITTED_FOR_RELEASE"
    )
    assert ok(portal(users["checker2"], "POST", path, json={"votes": votes}))["state"] == "RELEASED"
    return ok(portal(users["curator"], "GET", f"synthesis/jobs/{job_id}"))


def stored_jobs(synth_hub) -> list[str]:
    """The job folders on the host (the portal's synthesis folder)."""
    folder = synth_hub.data_dir / "synthesis" / "jobs"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"dataset": DEMO_DATASET, "method": METHOD}, 403, "no active access grant"),
        ({"dataset": SOURCE, "method": "magic", "table": TABLE}, 400, "not one of the policy"),
        ({"dataset": SOURCE, "method": METHOD, "table": "nope.csv"}, 400, "visits.csv"),
        ({"dataset": SOURCE, "method": METHOD, "table": TABLE, "target": "x"}, 400, "not a column"),
        ({"dataset": SOURCE, "method": METHOD, "rows": 3}, 400, "Unknown field"),
    ],
    ids=["no-grant", "unknown-method", "unknown-table", "unknown-target", "unknown-field"],
)
def test_bad_input_is_a_4xx_and_nothing_is_stored(synth_hub, users, granted, body, status, words):
    response = portal(users["curator"], "POST", "synthesis/jobs", json=body)
    assert response.status_code == status and words in response.json()["message"], response.text
    assert ok(portal(users["curator"], "GET", "synthesis/jobs"))["jobs"] == []
    assert stored_jobs(synth_hub) == []


def test_only_data_stewards_run_jobs(users, granted):
    body = {"dataset": SOURCE, "method": METHOD, "table": TABLE}
    response = portal(users["researcher"], "POST", "synthesis/jobs", json=body)
    assert response.status_code == 403 and "run:synthesis-jobs" in response.json()["message"]
    options = ok(portal(users["curator"], "GET", "synthesis/options"))
    assert options["datasets"] == {SOURCE: [TABLE]}
    assert {m["name"] for m in options["methods"]} >= {METHOD, LEAK}


def test_journey_job_leak_release_catalogue_rerun_and_mount(synth_hub, users, granted):
    good = start(users, dataset=SOURCE, method=METHOD, table=TABLE, target="diabetes", seed=1)
    leak = start(users, dataset=SOURCE, method=LEAK, table=TABLE, target="diabetes")
    assert good["state"] in ("QUEUED", "RUNNING")  # the worker may have picked it up

    job = finished(users, good["id"])
    assert job["state"] == "PASSED", job
    assert job["container"]["network_mode"] == "none"  # the runtime's inspect document
    assert job["container"]["read_only_root"] and "NET_RAW" in job["container"]["cap_drop"]
    assert f"/data/{SOURCE} (ro)" in job["container"]["mounts"]
    report = job["report"]
    assert report["rows_real"] == ROWS and report["rows_synthetic"] > 0 and report["passed"]
    by_dimension = {m["dimension"] for m in report["measurements"]}
    assert by_dimension == {"fidelity", "utility", "privacy"}
    assert all(math.isfinite(m["value"]) for m in report["measurements"])
    assert job["allowed_actions"] == ["submit"]
    pages = f"{synth_hub.url}/services/portal/synthesis"
    page = users["curator"].session.get(f"{pages}/{good['id']}?lang=de", timeout=60)
    assert page.status_code == 200 and "Messungen" in page.text and "fidelity." in page.text
    form = users["curator"].session.get(f"{pages}/new", timeout=60)
    assert form.status_code == 200 and f'value="{SOURCE}"' in form.text and METHOD in form.text
    listing = users["curator"].session.get(f"{pages}?lang=en", timeout=60)
    assert listing.status_code == 200 and good["id"] in listing.text

    leaked = finished(users, leak["id"])
    assert leaked["state"] == "FAILED_CHECKS", leaked
    assert any(f.startswith("privacy.") for f in leaked["report"]["failures"])
    refused = portal(users["curator"], "POST", f"synthesis/jobs/{leak['id']}/actions/submit",
                     json={"justification": WHY})  # fmt: skip
    assert refused.status_code == 409 and refused.json()["error"] == "never_releasable"

    released = release(users, good["id"])
    assert released["state"] == "RELEASED"
    synthetic = released["synthetic_dataset"]
    record = ok(portal(users["researcher"], "GET", f"datasets/{synthetic}"))
    check_record(record, synthetic)
    turtle = portal(users["researcher"], "GET", f"datasets/{synthetic}/rdf?format=turtle")
    assert turtle.status_code == 200 and "dqv:QualityMeasurement" in turtle.text
    conforms, text = receiver_report(turtle.text)
    assert conforms, text

    folder = synth_hub.data_dir / "datasets" / synthetic
    first = json.loads((folder / ".kimed-synthesis.json").read_text())
    assert first["job"] == good["id"]
    again = start(users, dataset=SOURCE, method="cart", table=TABLE, target="diabetes", seed=1)
    assert finished(users, again["id"])["state"] == "PASSED"
    assert json.loads((folder / ".kimed-synthesis.json").read_text())["job"] == good["id"]
    assert release(users, again["id"])["state"] == "RELEASED"
    old = ok(portal(users["curator"], "GET", f"synthesis/jobs/{good['id']}"))
    assert old["state"] == "SUPERSEDED"
    assert json.loads((folder / ".kimed-synthesis.json").read_text())["job"] == again["id"]

    researcher = users["researcher"]  # no grant: the synthetic version is open to readers
    researcher.spawn()
    seen = json.loads(researcher.run_code(data_probe(synthetic)))
    assert seen["listing"] == [synthetic] and seen["write"] != "allowed"
    listing = researcher.run_code(f"import os; print(sorted(os.listdir('/data/{synthetic}')))")
    assert TABLE in listing


def check_record(record: dict, identifier: str) -> None:
    """The released record: typed synthetic, linked to its source, measured."""
    assert record["identifier"] == identifier
    assert record["dataset_types"] == ["SYNTHETIC_DATA"] and record["derived_from"] == SOURCE
    metrics = {q["metric"]: q for q in record["quality"]}
    assert {m.split(".")[0] for m in metrics} == {"fidelity", "utility", "privacy"}
    assert all(q["dimension"] == m.split(".")[0] for m, q in metrics.items())
