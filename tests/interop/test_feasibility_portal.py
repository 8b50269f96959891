"""Feasibility in the portal: the REST endpoint and the dataset page's form.

The portal app runs for real (Tornado on loopback, a real SQLite catalogue with the real
hash-chained audit log, the generated MII data imported into a dataset folder); only
the hub's login is replaced by test headers (``tests/unit/portal_app.py``). What it does
not prove: the hub's scopes reaching the portal (``tests/integration/test_mii_consent.py``
asks through a real hub as researcher and output checker).

Expectations come from the generator's ground truth (what the simulation decided per
patient), not from the tables the engine reads.
"""

from __future__ import annotations

from datetime import date

import pytest

from kimed_demos.phenotype.codes import MDAT_STORE, MDAT_USE
from kimed_hub.access import AccessRequests
from kimed_hub.access.grants import GrantsReader
from kimed_hub.audit import verify_audit_log
from kimed_hub.catalogue import CatalogueStore
from kimed_hub.interop.catalogue_record import update_catalogue
from kimed_hub.interop.feasibility import FeasibilityPolicy
from kimed_hub.interop.feasibility_service import FeasibilityService
from kimed_hub.interop.importer import import_fhir
from kimed_hub.portal_service.app import Portal
from tests.interop.test_consent import _facts
from tests.unit.portal_app import call, served

DATASET = "mii-demo"  # policies/mii-consent.yaml declares its use (MDAT store and use)
SCOPES = "custom:kimed:read:catalogue,custom:kimed:submit:access-requests"
RESEARCHER = ("rita", f"{SCOPES},custom:kimed:query:feasibility")
SECOND = ("sven", f"{SCOPES},custom:kimed:query:feasibility")
TRAINEE = ("tina", "custom:kimed:read:catalogue")
CHECKER = ("otto", "custom:kimed:review:export-requests")
#: Exact counts (no noise, no rounding) so the population can be checked patient by patient.
EXACT = FeasibilityPolicy(min_count=10, round_to=1, noise=0, quota_queries=6, quota_hours=24)
EVERYONE = [{"kind": "age", "min": 0}]
TODAY = date.today()


@pytest.fixture(scope="module")
def portal(export, tmp_path_factory):
    """The portal with the generated export imported as mii-demo (record from the import)
    and a second catalogue record without data."""
    root = tmp_path_factory.mktemp("feasibility-data")
    result = import_fhir(export, DATASET, root=root, progress=False)
    store = CatalogueStore(f"sqlite:///{tmp_path_factory.mktemp('portal') / 'p.sqlite'}")
    update_catalogue(store, DATASET, result.manifest, result.folder, actor="importer")
    update_catalogue(store, "mii-elsewhere", result.manifest, result.folder, actor="importer")
    service = FeasibilityService(store, root, secret=b"s" * 32, policy=EXACT)
    grants = GrantsReader(store.db.engine.url.render_as_string(hide_password=False))
    with served(Portal(store, AccessRequests(store), grants, feasibility=service)) as url:
        yield url, store
    store.close()


def ask(portal, who, body, dataset=DATASET):
    """The API as the widgets call it (a token: no XSRF check)."""
    path = f"api/v1/datasets/{dataset}/feasibility"
    return call(portal[0], who, path, "POST", {"X-Test-Token": "1"}, json=body)


def post_form(portal, who, form):
    return call(portal[0], who, f"datasets/{DATASET}/feasibility", "POST", data=form)


def consenting_today(truth) -> set[str]:
    return {
        p["id"]
        for p in truth["patients"]
        if _facts(p).permits([MDAT_STORE, MDAT_USE], TODAY, TODAY)
    }


def test_only_consenting_patients_are_counted(portal, truth):
    answer = ask(portal, RESEARCHER, {"criteria": EVERYONE})
    assert answer.status_code == 200, answer.text
    expected = consenting_today(truth)
    assert 0 < len(expected) < len(truth["patients"])  # some patients must be left out
    assert answer.json()["count"] == str(len(expected))
    assert answer.json()["protection"]["min_count"] == 10


def test_rows_with_codes_values_windows_and_exclusion(portal, truth):
    consenting = consenting_today(truth)
    diabetic = {p["id"] for p in truth["patients"] if p["phenotypes"]["type2_diabetes"]}
    rows = [
        {"kind": "age", "min": 0},
        {"kind": "diagnosis", "codes": ["E11*"], "from": "2016-01-01", "to": "2024-12-31"},
        {"kind": "lab", "codes": ["4548-4"], "min": 6.5, "unit": "%", "at_least": 2},
    ]
    rows[1]["exclude"] = rows[2]["exclude"] = True
    rows[2]["within_days"] = 365
    answer = ask(portal, SECOND, {"criteria": rows, "reference_date": "2024-12-31"}).json()
    # The demonstrator's type2_diabetes: E11 coded 2016-2024, or HbA1c >= 6.5 % twice
    # within 365 days; the ground truth records it per patient.
    assert answer["count"] == str(len(consenting - diabetic))
    windowed = [{"kind": "diagnosis", "codes": ["E11*"], "from": "2030-01-01"}]
    assert ask(portal, SECOND, {"criteria": windowed}).json()["count"] == "< 10"


def test_outsiders_and_output_checkers_are_refused(portal):
    for who in (CHECKER, TRAINEE):
        refused = ask(portal, who, {"criteria": EVERYONE})
        assert refused.status_code == 403, who
        assert "custom:kimed:query:feasibility" in refused.json()["message"]
    assert ask(portal, None, {"criteria": EVERYONE}).status_code == 401
    _, store = portal
    events = [e for e in store.audit_entries() if e.action == "feasibility.query"]
    assert not {e.actor for e in events} & {"otto", "tina"}


def test_bad_questions_say_what_is_wrong_and_are_not_counted(portal):
    _, store = portal
    before = len(store.audit_entries())
    bad = ask(portal, ("bea", RESEARCHER[1]), {"criteria": [{"kind": "diagnosis"}]})
    assert bad.status_code == 400 and "criteria[0].codes" in bad.json()["message"]
    wrong = [{"kind": "diagnosis", "codes": ["E11*"], "from": "last year"}]
    bad = ask(portal, ("bea", RESEARCHER[1]), {"criteria": wrong})
    assert bad.status_code == 400 and "'last year' is not a date" in bad.json()["message"]
    both = {"criteria": EVERYONE, "inclusion": {"x": {}}}
    assert ask(portal, ("bea", RESEARCHER[1]), both).status_code == 400
    assert ask(portal, RESEARCHER, {"criteria": EVERYONE}, "no-such").status_code == 404
    missing = ask(portal, RESEARCHER, {"criteria": EVERYONE}, "mii-elsewhere")
    assert missing.status_code == 409 and "no FHIR import" in missing.json()["message"]
    assert len(store.audit_entries()) == before


def test_quota_stops_the_next_question_and_every_question_is_audited(portal):
    _, store = portal
    who = ("quinn", RESEARCHER[1])
    left = [ask(portal, who, {"criteria": EVERYONE}).json()["remaining_queries"] for _ in "abc"]
    assert left == [5, 4, 3]
    for _ in range(3):
        assert ask(portal, who, {"criteria": EVERYONE}).status_code == 200
    stopped = ask(portal, who, {"criteria": EVERYONE})
    assert stopped.status_code == 429 and stopped.json()["error"] == "quota_exceeded"
    assert "used all 6 feasibility queries" in stopped.json()["message"]
    events = [e for e in store.audit_entries() if e.actor == "quinn"]
    assert [e.action for e in events] == ["feasibility.query"] * 6
    assert all(e.object == f"dataset:{DATASET}" for e in events)
    assert all(set(e.details) == {"query_sha256", "shown", "remaining"} for e in events)
    assert verify_audit_log(store).ok


def test_dataset_page_offers_the_form_and_answers_in_german(portal, truth):
    url, _ = portal
    page = call(url, RESEARCHER, f"datasets/{DATASET}").text
    assert 'id="feasibility-form"' in page and 'id="f1_kind"' in page
    assert 'id="feasibility-form"' not in call(url, TRAINEE, f"datasets/{DATASET}").text
    form = {"f1_kind": "age", "f1_min": "0", "f2_kind": "lab", "f2_codes": "4548-4"}
    form |= {"f2_min": "6,5", "f2_unit": "%", "f2_exclude": "1", "lang": "de"}
    answered = post_form(portal, ("pia", RESEARCHER[1]), form)
    assert answered.status_code == 200
    assert "Personen, die die Kriterien erfüllen" in answered.text
    assert 'value="6,5"' in answered.text  # the form keeps what was typed
    high = {p["id"] for p in truth["patients"] if p["phenotypes"]["hba1c_high"]}
    shown = answered.text.split('id="feasibility-count">')[1].split("<")[0]
    assert shown == str(len(consenting_today(truth) - high))
    empty = post_form(portal, ("pia", RESEARCHER[1]), {})
    assert empty.status_code == 400 and 'id="feasibility-error"' in empty.text
    refused = post_form(portal, CHECKER, form)
    assert refused.status_code == 403


def test_feasibility_words_have_german():
    from kimed_hub.portal_service import feasibility_form, page_views

    texts = set(feasibility_form.KIND_LABELS.values())
    assert not texts - set(page_views.GERMAN)
