"""Records written by other portals: accepted under the specifications' rules, kept whole.

The fixture ``data/healthdcat-ap-official-style.ttl`` was written by hand in the official
HealthDCAT-AP style (English only, upper-case identifier, EU code lists, named nodes,
properties KIMed does not model), not by this project's exporter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import DCTERMS

from kimed_hub.catalogue.store import CatalogueStore
from kimed_hub.errors import BadInput, Conflict, ValidationFailed
from tests.portal.test_exchange import receiver_report

OFFICIAL = Path(__file__).with_name("data") / "healthdcat-ap-official-style.ttl"
IRI = URIRef("https://healthdata.example.eu/dataset/NL-CARDIO-REG-2024")


@pytest.fixture
def store(tmp_path):
    with_store = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    yield with_store
    with_store.close()


def official() -> str:
    return OFFICIAL.read_text(encoding="utf-8")


def test_official_style_record_imports_keeps_its_iri_and_identifier(store):
    result = store.import_document(official(), "turtle", actor="harvester")
    [local] = result.identifiers
    exported = Graph().parse(data=store.export_rdf("turtle", [local]), format="turtle")
    assert exported.value(IRI, DCTERMS.identifier) == Literal("NL-CARDIO-REG-2024")
    assert store.get_dataset(local).title.en == "Cardiovascular outcomes registry (fictional)"
    # Searchable like any record, by words of its English text.
    from kimed_hub.catalogue import SearchQuery

    assert local in [hit.identifier for hit in store.search(SearchQuery(text="registry")).hits]


def test_round_trip_loses_nothing_and_is_isomorphic(store):
    [local] = store.import_document(official(), "turtle", actor="harvester").identifiers
    first = store.export_rdf("turtle", [local])
    store.import_document(first, "turtle", actor="harvester")
    second = store.export_rdf("turtle", [local])
    g1, g2 = (Graph().parse(data=d, format="turtle") for d in (first, second))
    assert to_isomorphic(g1) == to_isomorphic(g2)
    original = Graph().parse(data=official(), format="turtle")
    _, only_in_original, _ = graph_diff(to_isomorphic(original), to_isomorphic(g1))
    assert len(only_in_original) == 0, sorted(only_in_original)[:5]
    # language tags and named nodes as received
    title = Literal("Cardiovascular outcomes registry (fictional)", lang="en")
    assert (IRI, DCTERMS.title, title) in g1
    assert not list(g1.objects(IRI, DCTERMS.title))[1:], "no invented German title"
    dist = URIRef("https://healthdata.example.eu/distribution/core-2024-csv")
    assert (IRI, URIRef("http://www.w3.org/ns/dcat#distribution"), dist) in g1


def test_unsupported_properties_are_reported_by_name(store):
    result = store.import_document(official(), "turtle", actor="harvester")
    [kept] = result.kept_not_modelled.values()
    for name in ("dcat:temporalResolution", "adms:versionNotes", "dct:accrualPeriodicity"):
        assert name in kept
    assert "dct:title" not in kept and "dcat:keyword" not in kept


def test_foreign_export_validates_alone_as_a_receiver_would(store):
    [local] = store.import_document(official(), "turtle", actor="harvester").identifiers
    document = store.export_rdf("turtle", [local])
    conforms, text = receiver_report(document, own_rules="healthdcat-ap-r8.ttl")
    assert conforms, text


def test_foreign_records_are_not_edited_in_the_portal(store):
    [local] = store.import_document(official(), "turtle", actor="harvester").identifiers
    record = store.get_dataset(local)
    with pytest.raises(Conflict, match="another portal"):
        store.put_dataset(record, actor="steward")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda t: _drop_line(t, "healthdcatap:healthCategory"), "healthdcatap:healthCategory"),
        (lambda t: t.replace("country/NLD", "country/XYZ"), "dct:spatial"),
        (lambda t: t.replace('registry (fictional)"@en', 'registry (fictional)"@english'), "@"),
        (lambda t: _drop_line(t, "healthdcatap:hdab <"), "healthdcatap:hdab"),
    ],
    ids=["missing-mandatory", "unknown-code", "bad-language-tag", "missing-hdab"],
)
def test_bad_records_are_refused_naming_the_property_and_nothing_is_stored(store, change, named):
    with pytest.raises(ValidationFailed) as refused:
        store.import_document(change(official()), "turtle", actor="harvester")
    assert named in str(refused.value)
    assert store.dataset_identifiers() == []


def test_broken_rdf_is_refused(store):
    with pytest.raises(BadInput, match="could not parse"):
        store.import_document(official()[:-200], "turtle", actor="harvester")
    assert store.dataset_identifiers() == []


def _drop_line(text: str, start: str) -> str:
    return "\n".join(line for line in text.splitlines() if not re.match(rf"\s*{start}", line))
