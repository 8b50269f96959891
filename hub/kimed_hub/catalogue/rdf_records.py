"""The DCAT / HealthDCAT-AP mapping of datasets and algorithms, and graph ⇄ records.

The tables below are the whole mapping (``docs/portal.md`` shows it as a table): field
name → property → kind of value. Only the CSVW variable table, the agents' contact
points and a few constant triples need code (``extra`` hooks), because their RDF shape
is nested deeper than one node per field.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from ..errors import ValidationFailed, Violation
from ..serde import from_data, normalised
from .algorithm import Algorithm, check_algorithm
from .model import (
    Agent,
    Dataset,
    Distribution,
    check_dataset,
)
from .rdf_map import Context, NodeMap, Prop, read, write
from .vocab import (
    ADMS,
    CSVW,
    CV,
    DCAT,
    DCATAP,
    DPV,
    DQV,
    GEODCATAP,
    HEALTH,
    IANA_MEDIA,
    KIMED,
    OA,
    VCARD,
    vocabularies,
)

Record = Dataset | Algorithm


def _agent_write(graph: Graph, node, agent: Agent, ctx: Context) -> None:
    # HealthDCAT-AP wants the access body's contact as exactly one cv:ContactPoint.
    if agent.email or agent.url:
        contact = BNode()
        graph.add((node, CV.contactPoint, contact))
        graph.add((contact, RDF.type, CV.ContactPoint))
        if agent.email:
            graph.add((contact, CV.email, Literal(agent.email)))
        if agent.url:
            graph.add((contact, CV.contactPage, URIRef(agent.url)))


def _agent_read(graph: Graph, node, data: dict, ctx: Context) -> None:
    contact = graph.value(node, CV.contactPoint)
    if contact is not None:
        for attr, predicate in (("email", CV.email), ("url", CV.contactPage)):
            value = graph.value(contact, predicate)
            if value is not None:
                data[attr] = str(value)


def _distribution_write(graph: Graph, node, dist: Distribution, ctx: Context) -> None:
    if dist.media_type:
        media = URIRef(IANA_MEDIA + dist.media_type)
        graph.add((node, DCAT.mediaType, media))
        graph.add((media, RDF.type, DCTERMS.MediaType))


def _distribution_read(graph: Graph, node, data: dict, ctx: Context) -> None:
    media = graph.value(node, DCAT.mediaType)
    if media is not None:
        data["media_type"] = str(media).removeprefix(IANA_MEDIA)


AGENT = NodeMap(
    (FOAF.Agent,),
    (Prop("name", FOAF.name),),
    {"write": _agent_write, "read": _agent_read},
)
CONTACT = NodeMap(
    (VCARD.Kind,),
    (
        Prop("name", VCARD.fn),
        Prop("email", VCARD.hasEmail, "mailto"),
        Prop("url", VCARD.hasURL, "iri"),
    ),
)
PERIOD = NodeMap(
    (DCTERMS.PeriodOfTime,),
    (Prop("start", DCAT.startDate, "date"), Prop("end", DCAT.endDate, "date")),
)
DISTRIBUTION = NodeMap(
    (DCAT.Distribution,),
    (
        Prop("title", DCTERMS.title),
        Prop("access_url", DCAT.accessURL, "iri"),
        Prop("format", DCTERMS.format, "code", "file-type"),
        Prop("licence", DCTERMS.license, "code", "licence"),
        Prop("description", DCTERMS.description),
        Prop("byte_size", DCAT.byteSize, "count"),
    ),
    {"write": _distribution_write, "read": _distribution_read},
)
QUALITY = NodeMap(
    (DQV.QualityAnnotation,),
    (
        Prop("dimension", DQV.inDimension, "code", "quality-dimension"),
        Prop("note", OA.bodyValue),
        Prop("value", KIMED.score, "float"),
        Prop("metric", KIMED.metric),
    ),
)
GENERATOR = NodeMap(
    (PROV.Activity,),
    (
        Prop("name", RDFS.label),
        Prop("version", KIMED.softwareVersion),
        Prop("seed", KIMED.seed, "int"),
        Prop("parameters", KIMED.parameters),
    ),
)
VARIABLE = NodeMap(
    (CSVW.Column,),
    (
        Prop("name", CSVW.name),
        Prop("title", CSVW["title"]),
        Prop("description", DCTERMS.description),
        Prop("datatype", CSVW.datatype),
        Prop("property_url", CSVW.propertyUrl, "iri"),
    ),
)


#: KIMed's provisional IRIs for the metrics behind quality scores (one per dimension).
METRIC_BASE = "https://kimed.example.org/vocab/metric/"
_DICTIONARY_TITLE = {"de": "Variablen", "en": "Variables"}


def _dataset_write(graph: Graph, node, ds: Dataset, ctx: Context) -> None:
    graph.add((node, HEALTH.hasStructuredData, Literal(bool(ds.variables))))
    if ds.variables:
        group, table = BNode(), BNode()
        graph.add((node, HEALTH.hasVariables, group))
        graph.add((group, RDF.type, CSVW.TableGroup))
        graph.add((group, CSVW.table, table))
        graph.add((table, RDF.type, CSVW.Table))
        # Receivers list the dictionary by its title (HealthDCAT-AP: dct:title on both).
        for lang, title in (("de", ds.title.de), ("en", ds.title.en)):
            if title:
                label = f"{_DICTIONARY_TITLE[lang]}: {title}"
                graph.add((group, DCTERMS.title, Literal(label, lang=lang)))
                graph.add((table, DCTERMS.title, Literal(label, lang=lang)))
        for variable in ds.variables:
            graph.add((table, CSVW.column, write(graph, variable, VARIABLE, ctx)))
    if ds.is_synthetic:
        graph.add((node, KIMED.notForInference, Literal(True)))
    # HealthDCAT-AP requires the applicable legislation on every distribution too.
    laws = [vocabularies().iri("legislation", code) for code in ds.applicable_legislation]
    for kind in (DCAT.distribution, ADMS.sample):
        for dist in graph.objects(node, kind):
            for law in laws:
                graph.add((dist, DCATAP.applicableLegislation, law))
    for note in graph.objects(node, DQV.hasQualityAnnotation):
        graph.add((note, OA.hasTarget, node))
        graph.add((note, OA.motivatedBy, DQV.qualityAssessment))
    for quality in ds.quality:
        if quality.value is not None:
            _measurement_write(graph, node, quality)


def _measurement_write(graph: Graph, node, quality) -> None:
    """A measured score as DQV expects numbers: a dqv:QualityMeasurement of a dqv:Metric.

    The annotation (note and dimension) stays the record's own form; the measurement is the
    form other portals read scores in (fidelity, utility, privacy of synthetic versions).
    """
    dimension = vocabularies().iri("quality-dimension", quality.dimension)
    metric = URIRef(f"{METRIC_BASE}{quality.metric or quality.dimension}")
    measurement = BNode()
    graph.add((node, DQV.hasQualityMeasurement, measurement))
    graph.add((measurement, RDF.type, DQV.QualityMeasurement))
    graph.add((measurement, DQV.isMeasurementOf, metric))
    graph.add((measurement, DQV.value, Literal(float(quality.value), datatype=XSD.double)))
    graph.add((metric, RDF.type, DQV.Metric))
    graph.add((metric, DQV.inDimension, dimension))


def _dataset_read(graph: Graph, node, data: dict, ctx: Context) -> None:
    columns = [
        column
        for group in graph.objects(node, HEALTH.hasVariables)
        for table in graph.objects(group, CSVW.table)
        for column in graph.objects(table, CSVW.column)
    ]
    data["variables"] = [read(graph, column, VARIABLE, ctx) for column in columns]


PROVENANCE = (DCTERMS.ProvenanceStatement, RDFS.label)
DATASET = NodeMap(
    (DCAT.Dataset,),
    (
        Prop("identifier", DCTERMS.identifier),
        Prop("title", DCTERMS.title, "lang"),
        Prop("description", DCTERMS.description, "lang"),
        Prop("access_rights", DCTERMS.accessRights, "code", "access-right"),
        Prop("health_categories", HEALTH.healthCategory, "codes", "health-category"),
        Prop("themes", DCAT.theme, "codes", "data-theme"),
        Prop("dataset_types", DCTERMS.type, "codes", "dataset-type"),
        Prop("keywords", DCAT.keyword, "strs"),
        Prop("modalities", KIMED.modality, "codes", "modality"),
        Prop(
            "provenance", DCTERMS.provenance, "lang", wrap=(DCTERMS.ProvenanceStatement, RDFS.label)
        ),
        Prop("publisher", DCTERMS.publisher, "node", sub=AGENT),
        Prop("custodian", GEODCATAP.custodian, "node", sub=AGENT),
        Prop("access_body", HEALTH.hdab, "node", sub=AGENT),
        Prop("contact_point", DCAT.contactPoint, "node", sub=CONTACT),
        Prop("coding_systems", HEALTH.hasCodingSystem, "codes", "coding-system"),
        Prop("standards", DCTERMS.conformsTo, "codes", "standard"),
        Prop("number_of_records", HEALTH.numberOfRecords, "count"),
        Prop("number_of_individuals", HEALTH.numberOfUniqueIndividuals, "count"),
        Prop("min_age", HEALTH.minTypicalAge, "count"),
        Prop("max_age", HEALTH.maxTypicalAge, "count"),
        Prop("population_coverage", HEALTH.populationCoverage, "lang"),
        Prop("temporal", DCTERMS.temporal, "node", sub=PERIOD),
        Prop("spatial", DCTERMS.spatial, "codes", "place"),
        Prop("legal_bases", DPV.hasLegalBasis, "codes", "legal-basis"),
        Prop("personal_data", DPV.hasPersonalData, "codes", "personal-data"),
        Prop("applicable_legislation", DCATAP.applicableLegislation, "codes", "legislation"),
        Prop("quality", DQV.hasQualityAnnotation, "nodes", sub=QUALITY),
        Prop("distributions", DCAT.distribution, "nodes", sub=DISTRIBUTION),
        Prop("samples", ADMS.sample, "nodes", sub=DISTRIBUTION),
        Prop("derived_from", PROV.wasDerivedFrom, "link"),
        Prop("generator", PROV.wasGeneratedBy, "node", sub=GENERATOR),
        Prop("version", DCAT.version),
        Prop("issued", DCTERMS.issued, "date"),
        Prop("modified", DCTERMS.modified, "date"),
    ),
    {"write": _dataset_write, "read": _dataset_read},
)

TENSOR = NodeMap(
    (KIMED.TensorSpec,),
    (
        Prop("name", KIMED.name),
        Prop("kind", KIMED.kind),
        Prop("format", KIMED["format"]),
        Prop("modality", KIMED.modality, "code", "modality"),
        Prop("num_channels", KIMED.numChannels, "int"),
        Prop("spatial_shape", KIMED.spatialShape, "json"),
        Prop("spacing", KIMED.spacing, "json"),
        Prop("dtype", KIMED.dtype),
        Prop("value_range", KIMED.valueRange, "json"),
        Prop("channels", KIMED.channels, "json"),
    ),
)
METRIC = NodeMap(
    (DQV.QualityMeasurement,),
    (
        Prop("name", KIMED.metricName),
        Prop("value", DQV.value, "float"),
        Prop("dataset", KIMED.evaluatedOn),
    ),
)
USE_CASE = NodeMap(
    (KIMED.UseCase,),
    (
        Prop("project", KIMED.project),
        Prop("site", KIMED.site),
        Prop("cohort", KIMED.cohort),
        Prop("outcome", KIMED.outcome),
        Prop("date", DCTERMS.date, "date"),
        Prop("access_request", KIMED.accessRequest),
    ),
)
ALGORITHM = NodeMap(
    (KIMED.Algorithm, PROV.Entity),
    (
        Prop("identifier", DCTERMS.identifier),
        Prop("name", DCTERMS.title),
        Prop("version", DCAT.version),
        Prop("task", KIMED.task),
        Prop("description", DCTERMS.description),
        Prop("intended_use", KIMED.intendedUse),
        Prop("out_of_scope_use", KIMED.outOfScopeUse),
        Prop("inputs", KIMED.input, "nodes", sub=TENSOR),
        Prop("outputs", KIMED.output, "nodes", sub=TENSOR),
        Prop("training_data", PROV.wasDerivedFrom, "links"),
        Prop("data_source", KIMED.dataSource),
        Prop("metrics", DQV.hasQualityMeasurement, "nodes", sub=METRIC),
        Prop("limitations", KIMED.limitations),
        Prop("bias", KIMED.bias),
        Prop("licence", DCTERMS.license, "code", "licence"),
        Prop("authors", DCTERMS.creator, "strs"),
        Prop("copyright", KIMED.copyright),
        Prop("software", KIMED.software, "pairs"),
        Prop("changelog", KIMED.changelog, "pairs"),
        Prop("use_cases", KIMED.useCase, "nodes", sub=USE_CASE),
        Prop("references", DCTERMS.bibliographicCitation, "strs"),
    ),
)

#: Per record type: its map, where its IRIs live under the base, and its model check.
KINDS = {
    Dataset: (DATASET, "dataset/", check_dataset),
    Algorithm: (ALGORITHM, "algorithm/", check_algorithm),
}


def record_iri(record: Record, base: str) -> URIRef:
    """The IRI of ``record`` in the catalogue at ``base``."""
    return URIRef(f"{base}{KINDS[type(record)][1]}{record.identifier}")


def records_to_graph(records: list[Record], base: str, graph: Graph | None = None) -> Graph:
    """Add ``records`` to ``graph`` (a new one by default) and return it."""
    graph = graph if graph is not None else Graph()
    ctx = Context(base)
    for record in records:
        nmap, _, _ = KINDS[type(record)]
        write(graph, record, nmap, ctx, subject=record_iri(record, base))
    return graph


def records_from_graph(graph: Graph, base: str) -> list[Record]:
    """Every dataset and algorithm record in ``graph``, checked and in normal form.

    Links (``prov:wasDerivedFrom``) may point to records of the same document or to
    IRIs under ``base``; anything else cannot be resolved and is reported.
    """
    subjects = [(cls, s) for cls, (nmap, _, _) in KINDS.items() for s in _subjects(graph, nmap)]
    known = {str(s): str(graph.value(s, DCTERMS.identifier) or "") for _, s in subjects}
    records = []
    for cls, subject in subjects:
        nmap, _, check = KINDS[cls]
        ctx = Context(base, known=known)
        data = read(graph, subject, nmap, ctx)
        name = f"{cls.__name__.lower()} {data.get('identifier') or subject}"
        problems = [
            Violation(a, f"{iri} is not a record of this catalogue") for a, iri in ctx.unresolved
        ]
        record = from_data(cls, data, name)
        problems += check(record)
        if problems:
            raise ValidationFailed(name, problems)
        records.append(normalised(record))
    return records


def _subjects(graph: Graph, nmap: NodeMap) -> list:
    return sorted(set(graph.subjects(RDF.type, nmap.types[0])), key=str)
