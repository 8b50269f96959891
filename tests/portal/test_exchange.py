"""Catalogue exchange, checked as a receiving portal checks it.

Each exported record is validated ON ITS OWN: the data graph is exactly the exported
document, with none of the project's vocabulary file added, against the DCAT-AP 3.0.1
shapes and range shapes as SEMIC publishes them (``../shared/standards/dcat-ap``, not the
project's copy) plus the project's HealthDCAT-AP shapes. What a receiver would reject
(an untyped licence, a Catalog without a publisher contact) fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from functools import cache

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kimed_hub.catalogue.demo import demo_records
from kimed_hub.catalogue.model import Dataset
from kimed_hub.catalogue.rdf_io import dump_records
from kimed_hub.catalogue.store import DEFAULT_BASE_IRI, CatalogueStore
from kimed_hub.catalogue.vocab import CSVW, DCAT, DQV, SHAPES_DIR
from kimed_hub.errors import NotFound
from kimed_hub.paths import project_root

STANDARDS = project_root().parent / "shared" / "standards" / "dcat-ap" / "releases" / "3.0.1"
SEMIC_SHAPES = STANDARDS / "html" / "shacl"


@cache
def receiver_shapes(own_rules: str = "kimed-shapes.ttl") -> Graph:
    """SEMIC's DCAT-AP 3.0.1 shapes and range shapes, and one of the project's shape files:
    KIMed's HealthDCAT-AP shapes for the portal's own records, HealthDCAT-AP's mandatory
    set (``healthdcat-ap-r8.ttl``) for records written elsewhere."""
    if not (SEMIC_SHAPES / "shapes.ttl").exists():
        pytest.fail(f"{SEMIC_SHAPES} missing: the shared standards folder is needed")
    shapes = Graph()
    for path in (SEMIC_SHAPES / "shapes.ttl", SEMIC_SHAPES / "range.ttl"):
        shapes.parse(path, format="turtle")
    shapes.parse(SHAPES_DIR / own_rules, format="turtle")
    return shapes


def receiver_report(
    document: str, own_rules: str = "kimed-shapes.ttl", ontologies: bool = False
) -> tuple[bool, str]:
    """Validate an exported Turtle document alone, as a receiving portal would.

    ``ontologies`` adds the vCard/FOAF subclass axioms a receiver loads through DCAT-AP's
    ``imports.ttl`` (a record that types its contact point vcard:Organization needs them).
    """
    data = Graph().parse(data=document, format="turtle")
    if ontologies:
        data.parse(SHAPES_DIR / "imported-axioms.ttl", format="turtle")
    shapes = receiver_shapes(own_rules)
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none")
    return conforms, text


@cache
def demo() -> list:
    return demo_records(DEFAULT_BASE_IRI)


DEMO_IDS = [r.identifier for r in demo_records(DEFAULT_BASE_IRI)]


@pytest.mark.parametrize("identifier", DEMO_IDS)
def test_every_demo_record_validates_alone(identifier):
    record = next(r for r in demo() if r.identifier == identifier)
    conforms, text = receiver_report(dump_records([record], "turtle", DEFAULT_BASE_IRI))
    assert conforms, text


@pytest.mark.parametrize("level", ["PUBLIC", "RESTRICTED", "NON_PUBLIC"])
def test_a_record_validates_alone_at_each_access_level(level):
    """HealthDCAT-AP's requirements differ by access level; the demo has no RESTRICTED
    record, so one demo dataset is exported at each level and checked alone."""
    record = next(r for r in demo() if isinstance(r, Dataset) and r.variables)
    document = dump_records([replace(record, access_rights=level)], "turtle", DEFAULT_BASE_IRI)
    conforms, text = receiver_report(document)
    assert conforms, text
    graph = Graph().parse(data=document, format="turtle")
    right = URIRef(f"http://publications.europa.eu/resource/authority/access-right/{level}")
    assert (None, DCTERMS.accessRights, right) in graph


def test_the_check_fails_an_export_that_lacks_the_value_types():
    """The check itself can fail: strip the described values and the range shapes object."""
    record = next(r for r in demo() if isinstance(r, Dataset))
    graph = Graph().parse(data=dump_records([record], "turtle", DEFAULT_BASE_IRI))
    licences = set(graph.objects(None, DCTERMS.license))
    for licence in licences:
        graph.remove((licence, RDF.type, None))
    conforms, text = receiver_report(graph.serialize(format="turtle"))
    assert not conforms and "LicenseDocument" in text


def test_whole_catalogue_export_has_a_conformant_catalog():
    document = dump_records(demo(), "turtle", DEFAULT_BASE_IRI, _catalogue_info())
    conforms, text = receiver_report(document)
    assert conforms, text
    graph = Graph().parse(data=document, format="turtle")
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    publisher = graph.value(catalog, DCTERMS.publisher)
    assert graph.value(publisher, URIRef("http://data.europa.eu/m8g/contactPoint")) is not None
    assert {t.language for t in graph.objects(catalog, DCTERMS.title)} == {"de", "en"}
    assert len(set(graph.objects(catalog, DCAT.dataset))) == sum(
        isinstance(r, Dataset) for r in demo()
    )


def test_values_carry_labels_and_dictionaries_titles_and_scores_are_measurements():
    records = [r for r in demo() if isinstance(r, Dataset)]
    with_variables = next(r for r in records if r.variables)
    graph = Graph().parse(data=dump_records([with_variables], "turtle", DEFAULT_BASE_IRI))
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        assert graph.value(concept, SKOS.prefLabel) is not None, concept
    for kind in (CSVW.TableGroup, CSVW.Table):
        for node in graph.subjects(RDF.type, kind):
            assert graph.value(node, DCTERMS.title) is not None
    scored = next((r for r in records if any(q.value is not None for q in r.quality)), None)
    assert scored is not None, "the demo catalogue should hold a measured quality score"
    graph = Graph().parse(data=dump_records([scored], "turtle", DEFAULT_BASE_IRI))
    measurements = list(graph.subjects(RDF.type, DQV.QualityMeasurement))
    assert measurements
    for node in measurements:
        assert graph.value(node, DQV.value) is not None
        metric = graph.value(node, DQV.isMeasurementOf)
        assert (metric, RDF.type, DQV.Metric) in graph


def test_cli_export_writes_one_record_alone_and_names_unknown_ones(tmp_path):
    db = f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    store = CatalogueStore(db)
    try:
        store.import_rdf(dump_records(demo(), "turtle", DEFAULT_BASE_IRI), "turtle", actor="test")
        with pytest.raises(NotFound, match="nosuch"):
            store.export_rdf("turtle", ["nosuch"])
    finally:
        store.close()
    out = tmp_path / "one.ttl"
    env = {"KIMED_PORTAL_DB_URL": db, "KIMED_HUB_DATA_DIR": str(tmp_path)}
    first = demo()[0].identifier
    done = _kimed(["portal", "export", first, "-o", str(out)], env)
    assert done.returncode == 0, done.stderr
    graph = Graph().parse(out)
    assert not list(graph.subjects(RDF.type, DCAT.Catalog))
    assert receiver_report(out.read_text())[0]
    refused = _kimed(["portal", "export", "nosuch"], env)
    assert refused.returncode == 2 and "nosuch" in refused.stderr


def _kimed(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kimed_hub.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def _catalogue_info() -> dict[str, str]:
    from kimed_hub.catalogue.store import CATALOGUE_INFO

    return CATALOGUE_INFO


def test_harvest_pages_follow_hydra_next_and_filter_by_change_time(tmp_path):
    from rdflib import Namespace

    from kimed_hub.errors import BadInput

    hydra = Namespace("http://www.w3.org/ns/hydra/core#")
    store = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    try:
        store.import_rdf(dump_records(demo(), "turtle", DEFAULT_BASE_IRI), "turtle", actor="t")
        n_datasets = len(store.dataset_identifiers())

        def url(n: int) -> str:
            return f"https://portal.example/api/v1/catalogue?page={n}&page_size=10"

        seen, page = [], 1
        while True:
            document = store.harvest_page("turtle", page, 10, "", url)
            conforms, text = receiver_report(document)
            assert conforms, text
            graph = Graph().parse(data=document, format="turtle")
            catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
            seen += [str(d) for d in graph.objects(catalog, DCAT.dataset)]
            view = next(graph.subjects(RDF.type, hydra.PartialCollectionView))
            assert int(graph.value(view, hydra.totalItems)) == n_datasets
            following = graph.value(view, hydra.next)
            if following is None:
                break
            assert str(following) == url(page + 1)
            page += 1
        assert len(seen) == len(set(seen)) == n_datasets and page == -(-n_datasets // 10)

        # Changed since a moment after the load: only what changed afterwards.
        from kimed_hub.audit import utc_now

        moment = utc_now()
        first = store.get_dataset(store.dataset_identifiers()[0])
        first.keywords = [*first.keywords, "harvest-test"]
        store.put_dataset(first, actor="steward")
        changed = store.harvest_page("turtle", 1, 10, moment, url)
        graph = Graph().parse(data=changed, format="turtle")
        catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
        assert [str(d).rsplit("/", 1)[-1] for d in graph.objects(catalog, DCAT.dataset)] == [
            first.identifier
        ]
        with pytest.raises(BadInput, match="modified_since"):
            store.harvest_page("turtle", 1, 10, "last tuesday", url)
        with pytest.raises(NotFound, match="page 9"):
            store.harvest_page("turtle", 9, 10, moment, url)
    finally:
        store.close()
