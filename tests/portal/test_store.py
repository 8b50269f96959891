"""CatalogueStore on SQLite and PostgreSQL: writes, revisions, refusals that store nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select, text

from kimed_hub.catalogue.model import LangText, Variable
from kimed_hub.catalogue.rdf_io import dump_records
from kimed_hub.catalogue.search import SearchQuery
from kimed_hub.errors import BadInput, Conflict, NotFound, TooLarge, ValidationFailed
from kimed_hub.serde import normalised, to_data

from .conftest import new_database_url
from .samples import dataset, synthetic


def counts(store) -> tuple[int, int]:
    """(datasets, audit entries): what a refused write must leave unchanged."""
    with store.db.read() as conn:
        datasets = conn.scalar(text("SELECT count(*) FROM portal_datasets"))
        entries = conn.scalar(text("SELECT count(*) FROM portal_audit_log"))
    return datasets, entries


def test_put_get_update_and_revisions(store):
    assert store.backend in ("sqlite", "postgresql")
    assert store.put_dataset(dataset(), actor="steward") == 1
    assert store.get_dataset("ct-thorax-test") == normalised(dataset())
    changed = dataset(number_of_individuals=5000)
    assert store.put_dataset(changed, actor="steward", expected_revision=1) == 2
    assert store.get_dataset("ct-thorax-test").number_of_individuals == 5000
    assert store.put_dataset(changed, actor="steward") == 2  # unchanged: no new revision
    actions = [
        (e.action, e.details["revision"]) for e in store.audit_entries("dataset:ct-thorax-test")
    ]
    assert actions == [("dataset.create", 1), ("dataset.update", 2)]


def test_stale_revision_is_a_conflict_and_changes_nothing(store):
    store.put_dataset(dataset(), actor="a")
    before = counts(store)
    with pytest.raises(Conflict, match="is at revision 1, not 0"):
        store.put_dataset(dataset(number_of_records=1), actor="b", expected_revision=0)
    assert counts(store) == before
    assert store.get_dataset("ct-thorax-test").number_of_records == 6890


def test_records_come_as_json_data_too(store):
    store.put_dataset(to_data(dataset()), actor="api")
    with pytest.raises(BadInput, match="colour: unknown field"):
        store.put_dataset(to_data(dataset()) | {"colour": "red"}, actor="api")


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"title": LangText("nur deutsch", "")}, ValidationFailed, "English title"),
        ({"identifier": "Bad Id"}, ValidationFailed, "lower-case letters"),
        ({"modalities": ["HOLOGRAM"]}, ValidationFailed, "not a modality code"),
        ({"keywords": ["k"] * 0}, ValidationFailed, "at least one keyword"),
        ({"description": LangText("x" * 20_001, "y")}, TooLarge, "description.de"),
        (
            {"variables": [Variable(f"v{i}", "t" * 290, "d" * 1_900) for i in range(600)]},
            TooLarge,
            "at most 1000000",
        ),
    ],
)
def test_invalid_or_oversized_records_are_refused_and_nothing_is_stored(
    store, change, error, message
):
    before = counts(store)
    with pytest.raises(error, match=message) as caught:
        store.put_dataset(replace(dataset(), **change), actor="steward")
    assert 400 <= caught.value.http_status < 500
    assert counts(store) == before


def test_synthetic_version_needs_its_source_and_sets_the_facet(store):
    with pytest.raises(ValidationFailed, match="derived_from: ct-thorax-test is not"):
        store.put_dataset(synthetic(dataset()), actor="steward")
    store.put_dataset(dataset(), actor="steward")
    available = SearchQuery(facets={"synthetic_available": ("yes",)})
    assert store.search(available).total == 0
    store.put_dataset(synthetic(dataset()), actor="steward")
    assert {h.identifier for h in store.search(available).hits} == {
        "ct-thorax-test",
        "ct-thorax-test-synth",
    }
    with pytest.raises(Conflict, match="dataset ct-thorax-test-synth"):
        store.delete_dataset("ct-thorax-test", actor="steward")
    store.delete_dataset("ct-thorax-test-synth", actor="steward")
    assert store.search(available).total == 0
    with pytest.raises(ValidationFailed, match="non-synthetic"):
        store.put_dataset(synthetic(synthetic(dataset())), actor="steward")


def test_delete_removes_record_index_and_text(store):
    store.put_dataset(dataset(), actor="steward")
    assert store.search(SearchQuery(text="rundherde")).total == 1
    store.delete_dataset("ct-thorax-test", actor="steward")
    assert store.search(SearchQuery(text="rundherde")).total == 0
    assert store.dataset_identifiers() == []
    with pytest.raises(NotFound, match="no dataset 'ct-thorax-test'"):
        store.get_dataset("ct-thorax-test")
    with pytest.raises(NotFound):
        store.delete_dataset("ct-thorax-test", actor="steward")
    with store.db.read() as conn:
        assert conn.scalar(select(func.count()).select_from(text("portal_dataset_facets"))) == 0
    assert store.audit_entries()[-1].action == "dataset.delete"


def test_import_is_all_or_nothing(store):
    good = normalised(dataset("good-one"))
    bad = normalised(dataset("bad-one"))
    document = store.export_rdf()  # empty catalogue: nothing to export yet
    assert "dcat:Catalog" in document
    both = dump_records([good, bad], "turtle", store.base_iri).replace(
        '"Chest CT lung nodules (fictional)"@en', '"Chest CT lung nodules (fictional)"@fr', 1
    )
    before = counts(store)
    with pytest.raises(ValidationFailed):
        store.import_rdf(both, "turtle", actor="steward")
    assert counts(store) == before
    assert store.import_rdf(
        dump_records([good], "turtle", store.base_iri), "turtle", actor="s"
    ) == ["good-one"]


def test_export_import_round_trip_through_the_store(store, tmp_path, request):
    store.put_dataset(dataset(), actor="steward")
    store.put_dataset(synthetic(dataset()), actor="steward")
    for fmt in ("turtle", "json-ld"):
        exported = store.export_rdf(fmt)
        other = type(store)(new_database_url(request, store.backend, tmp_path))
        try:
            imported = other.import_rdf(exported, fmt, actor="migration")
            assert sorted(imported) == ["ct-thorax-test", "ct-thorax-test-synth"]
            for identifier in imported:
                assert other.get_dataset(identifier) == store.get_dataset(identifier)
        finally:
            other.close()


def test_add_datasets_in_validated_batches(store):
    records = [dataset(f"batch-{i:02d}") for i in range(12)]
    assert store.add_datasets(records, actor="loader", batch=5) == 12
    assert len(store.dataset_identifiers()) == 12
    assert store.missing_datasets(["batch-00", "nope"]) == ["nope"]
    with pytest.raises(Conflict):
        store.add_datasets([dataset("batch-03")], actor="loader")
