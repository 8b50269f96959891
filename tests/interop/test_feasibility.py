"""Feasibility counts: suppression, same answer for the same query, quota, audit events.

The catalogue store is a real SQLite database with the real hash-chained audit log.
"""

from __future__ import annotations

from contextlib import closing

import pytest

from kimed_demos.phenotype.engine import ClinicalTables, Evaluator
from kimed_hub.audit import verify_audit_log
from kimed_hub.catalogue import CatalogueStore
from kimed_hub.interop.feasibility import Feasibility, FeasibilityPolicy, QuotaExceeded

POLICY = FeasibilityPolicy(min_count=10, round_to=5, noise=3, quota_queries=4, quota_hours=24)
DIABETES = {
    "single": {"resource": "condition", "codes": {"system": "icd-10-gm", "prefixes": ["E11"]}}
}
OLD = {"single": {"resource": "patient", "age": {"min": 50}}}
RARE = {"single": {"resource": "procedure", "codes": {"system": "ops", "codes": ["8-854.2"]}}}


@pytest.fixture
def store(tmp_path):
    with closing(CatalogueStore(f"sqlite:///{tmp_path / 'portal.sqlite'}")) as opened:
        yield opened


@pytest.fixture(scope="module")
def tables(imported):
    return ClinicalTables.load(imported.folder)


def test_counts_are_protected_and_repeatable(store, tables):
    service = Feasibility(store, b"k" * 32, POLICY)
    criteria = {"inclusion": {"diabetes": DIABETES, "old": OLD}, "reference_date": "2024-12-31"}
    first = service.count("alice", "mii-test", tables, criteria)
    second = service.count("alice", "mii-test", tables, criteria)
    assert first.shown == second.shown and not first.suppressed
    assert int(first.shown) % POLICY.round_to == 0
    from kimed_hub.interop.feasibility import COHORT, cohort_definitions

    true = int(Evaluator(tables, cohort_definitions(criteria)).present(COHORT).sum())
    assert abs(int(first.shown) - true) <= POLICY.noise + POLICY.round_to / 2
    other_key = Feasibility(store, b"x" * 32, POLICY).count("bob", "mii-test", tables, criteria)
    assert abs(int(other_key.shown) - true) <= POLICY.noise + POLICY.round_to / 2


def test_below_threshold_is_never_shown(store, tables):
    service = Feasibility(store, b"k" * 32, POLICY)
    answer = service.count("alice", "mii-test", tables, {"inclusion": {"dialysis": RARE}})
    true = int(
        tables.events["procedure"]["code"]
        .isin(["8-854.2"])
        .groupby(tables.events["procedure"]["patient_id"], observed=True)
        .any()
        .sum()
    )
    assert true < POLICY.min_count
    assert answer.suppressed and answer.shown == "< 10" and str(true) not in answer.shown
    nobody = service.count(
        "alice",
        "mii-test",
        tables,
        {"inclusion": {"d": DIABETES}, "exclusion": {"also_d": DIABETES}},
    )
    assert nobody.shown == "< 10"


def test_quota_stops_the_next_query_and_every_query_is_audited(store, tables):
    service = Feasibility(store, b"k" * 32, POLICY)
    criteria = {"inclusion": {"diabetes": DIABETES}}
    remaining = [service.count("carol", "mii-test", tables, criteria).remaining for _ in range(4)]
    assert remaining == [3, 2, 1, 0]
    with pytest.raises(QuotaExceeded, match="used all 4 feasibility queries"):
        service.count("carol", "mii-test", tables, criteria)
    assert service.count("dave", "mii-test", tables, criteria).remaining == 3
    events = [e for e in store.audit_entries() if e.action == "feasibility.query"]
    assert [e.actor for e in events] == ["carol"] * 4 + ["dave"]
    assert all("query_sha256" in e.details and "count" not in e.details for e in events)
    assert verify_audit_log(store).ok


def test_bad_criteria_are_refused(store, tables):
    service = Feasibility(store, b"k" * 32, POLICY)
    with pytest.raises(ValueError, match="unknown code system"):
        bad = {"single": {"resource": "condition", "codes": {"system": "icd-9", "codes": ["1"]}}}
        service.count("erin", "mii-test", tables, {"inclusion": {"x": bad}})
    assert not [e for e in store.audit_entries() if e.actor == "erin"]
