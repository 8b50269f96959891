"""The shipped demo catalogue: complete, valid, clearly fictional, idempotent to load."""

from __future__ import annotations

from collections import Counter

import pytest

from kimed_hub.catalogue.demo import DEMO_DIR, load_demo_catalogue
from kimed_hub.catalogue.search import SearchQuery


@pytest.fixture
def demo_store(store):
    load_demo_catalogue(store)
    return store


def test_demo_catalogue_loads_and_covers_the_data_types(demo_store):
    identifiers = demo_store.dataset_identifiers()
    records = [demo_store.get_dataset(i) for i in identifiers]
    assert len(records) >= 25
    modalities = Counter(m for r in records for m in r.modalities)
    for needed in (
        "CT",
        "MR",
        "XR",
        "SM",
        "GENOMICS",
        "WEARABLE",
        "TEXT",
        "QUESTIONNAIRE",
        "ENVIRONMENT",
    ):
        assert modalities[needed] >= 1, needed
    categories = {c for r in records for c in r.health_categories}
    assert {"EHRS", "HGPD", "HPML", "PGEH", "RQSH", "DIOH", "EINS"} <= categories
    synthetic = [r for r in records if r.is_synthetic]
    assert len(synthetic) >= 3
    assert all(s.derived_from in identifiers and s.generator for s in synthetic)
    fictional = [a for a in demo_store.list_algorithms() if not is_demonstrator(a)]
    assert len(fictional) == 8 and all(a.training_data for a in fictional)


def test_every_demo_record_says_it_is_fictional(demo_store):
    for identifier in demo_store.dataset_identifiers():
        record = demo_store.get_dataset(identifier)
        assert "fiktiv" in record.title.de and "fictional" in record.title.en, identifier
        assert (
            "fiktiv" in record.description.de.lower()
            and "fictional" in record.description.en.lower()
        )
        assert record.custodian.name.endswith("(fiktiv)"), identifier
        saxon = ("Sachsen", "Sächs", "Leipzig", "Dresden", "Chemnitz", "Zwickau")
        assert any(place in record.custodian.name for place in saxon), identifier
    for algorithm in demo_store.list_algorithms():
        if not is_demonstrator(algorithm):
            assert "(fiktiv)" in algorithm.name and "fictional" in algorithm.description


def is_demonstrator(algorithm) -> bool:
    """The project's own demonstrators are real records, not fictional ones."""
    return algorithm.identifier.startswith("kimed-demo-")


def test_every_demonstrator_has_its_record(demo_store):
    from kimed_demos.registry import DEMONSTRATORS

    records = {a.identifier for a in demo_store.list_algorithms() if is_demonstrator(a)}
    assert records == {f"kimed-demo-{d.name}" for d in DEMONSTRATORS}


def test_demo_files_are_turtle_and_json_ld_with_a_fictional_header():
    names = sorted(p.name for p in DEMO_DIR.iterdir())
    assert any(n.endswith(".ttl") for n in names) and any(n.endswith(".jsonld") for n in names)
    for path in DEMO_DIR.glob("*.ttl"):
        assert "FICTIONAL" in path.read_text(encoding="utf-8").splitlines()[0]


def test_loading_twice_changes_nothing(demo_store):
    entries = len(demo_store.audit_entries())
    load_demo_catalogue(demo_store)
    assert len(demo_store.audit_entries()) == entries
    assert demo_store.search(SearchQuery()).total == len(demo_store.dataset_identifiers())
