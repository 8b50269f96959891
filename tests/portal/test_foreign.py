"""Records written by other portals: accepted under the specifications' rules, kept whole.

The fixtures were written by hand in other portals' styles, not by this project's
exporter: ``data/healthdcat-ap-official-style.ttl`` in the official HealthDCAT-AP style
(English only, upper-case identifier, EU code lists, named nodes, properties KIMed does
not model, the data dictionary under ``csvw:tableSchema``), and
``data/ckan-healthdcat-tableschema.jsonld`` as a CKAN portal with ckanext-dcat's
HealthDCAT-AP profile publishes JSON-LD (UUID identifier, blank-node agents, a
``vcard:Organization`` contact, German and English texts, the columns as CSVW metadata of
the CSV distribution, in a JSON-LD list).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import DCTERMS

from kimed_hub import cli
from kimed_hub.catalogue import SearchQuery
from kimed_hub.catalogue.foreign_variables import read_variables
from kimed_hub.catalogue.store import CatalogueStore
from kimed_hub.errors import BadInput, Conflict, ValidationFailed
from tests.portal.test_exchange import receiver_report

OFFICIAL = Path(__file__).with_name("data") / "healthdcat-ap-official-style.ttl"
CKAN = Path(__file__).with_name("data") / "ckan-healthdcat-tableschema.jsonld"
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


def _found(store: CatalogueStore, text: str) -> list[str]:
    return [hit.identifier for hit in store.search(SearchQuery(text=text)).hits]


def test_variables_under_table_schema_are_searchable(store):
    """The official style nests columns under csvw:tableSchema; a search for a column
    name or title finds the dataset, and the schema is not reported as unmodelled."""
    result = store.import_document(official(), "turtle", actor="harvester")
    [local] = result.identifiers
    assert {v.name for v in store.get_dataset(local).variables} == {"age_at_event", "mace_1y"}
    assert _found(store, "mace_1y") == [local]
    assert _found(store, "age at event") == [local]
    assert "csvw:tableSchema" not in result.kept_not_modelled[local]


def test_ckan_json_ld_record_with_columns_on_its_distribution(store):
    result = store.import_document(CKAN.read_text(encoding="utf-8"), "json-ld", actor="h")
    [local] = result.identifiers
    assert local.startswith("8f3c2a1e-5b7d-4e0f-9a61-2c4d8e7b1f30-")
    variables = {v.name: v for v in store.get_dataset(local).variables}
    assert set(variables) == {"stay_id", "charttime", "spo2_percent", "peep_cmh2o"}
    assert variables["charttime"].datatype == "dateTime"  # an XSD IRI
    assert variables["spo2_percent"].datatype == "decimal"  # a derived datatype's base
    assert variables["spo2_percent"].description == "Peripheral oxygen saturation in percent."
    for text in ("spo2", "peep_cmh2o", "Messzeitpunkt", "time of measurement"):
        assert _found(store, text) == [local], text
    kept = result.kept_not_modelled[local]
    assert not {"csvw:tableSchema", "csvw:column", "rdf:first", "rdf:rest"} & set(kept)
    first = store.export_rdf("turtle", [local])
    store.import_document(first, "turtle", actor="h")
    second = store.export_rdf("turtle", [local])
    g1, g2 = (Graph().parse(data=d, format="turtle") for d in (first, second))
    assert to_isomorphic(g1) == to_isomorphic(g2)
    original = Graph().parse(data=CKAN.read_text(encoding="utf-8"), format="json-ld")
    _, only_in_original, _ = graph_diff(to_isomorphic(original), to_isomorphic(g1))
    assert len(only_in_original) == 0, sorted(only_in_original)[:5]
    conforms, text = receiver_report(first, own_rules="healthdcat-ap-r8.ttl", ontologies=True)
    assert conforms, text


CSVW_NS = "http://www.w3.org/ns/csvw#"
PLACES = {
    "table-without-group": f"""
        <{IRI}> h:hasVariables [ a csvw:Table ; csvw:column [ csvw:name "bmi" ] ] .""",
    "schema-on-dataset": f"""
        <{IRI}> csvw:tableSchema [ csvw:column ( [ csvw:name "bmi" ] [ csvw:name "x" ] ) ] .""",
    "data-cube": f"""
        <{IRI}> qb:structure [ qb:component [ qb:measure <https://e.eu/measure/bmi> ] ] .
        <https://e.eu/measure/bmi> rdfs:label "Body-mass index"@en .""",
}


@pytest.mark.parametrize("where", PLACES)
def test_variables_are_read_wherever_portals_put_them(where):
    prefixes = (
        f"@prefix csvw: <{CSVW_NS}> . @prefix h: <http://healthdataportal.eu/ns/health#> ."
        "@prefix qb: <http://purl.org/linked-data/cube#> ."
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."
    )
    graph = Graph().parse(data=prefixes + PLACES[where], format="turtle")
    names = [v["name"] for v in read_variables(graph, IRI)]
    assert "bmi" in names


def test_cli_refuses_a_bad_foreign_record_naming_the_property(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("KIMED_PORTAL_DB_URL", url)
    bad = tmp_path / "bad.ttl"
    bad.write_text(_drop_line(official(), "healthdcatap:healthCategory"), encoding="utf-8")
    assert cli.main(["portal", "import", str(bad)]) == 2
    assert "healthdcatap:healthCategory" in capsys.readouterr().err
    good = tmp_path / "good.jsonld"
    good.write_text(CKAN.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli.main(["portal", "import", str(good)]) == 0
    assert "not searchable or shown here" in capsys.readouterr().out
    after = CatalogueStore(url)
    assert len(after.dataset_identifiers()) == 1  # the refused one left nothing behind
    after.close()
