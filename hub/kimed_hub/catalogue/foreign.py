"""Records written by other portals: accepted as they are, kept as they are.

A dataset whose IRI is not under this catalogue's base was written elsewhere (a national
catalogue, HealthData@EU, another hospital's portal). Such a record is held to what the
specifications require, DCAT-AP 3.0.1 and HealthDCAT-AP Release 8, and not to KIMed's own
authoring rules (German texts, a lower-case slug, custodian, age range, KIMed's licence
list). It keeps its IRI and identifier, and its whole description (every triple, language
tags, named nodes) is stored verbatim and exported verbatim, so nothing is lost on the
way through the portal. The portal also keeps a searchable copy in its own model, read
leniently; what that copy cannot represent is reported to the importer by property name
(kept, but not searchable or shown on the card).

Validation is that of a receiving validator: the record's own triples plus the official
code lists' descriptions of the values it uses (``shapes/eu-vocabularies.ttl`` and the
HealthDCAT-AP lists in ``vocabularies.ttl``, shipped offline). A value in an EU authority
namespace that the shipped lists do not hold is refused with the property named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from hashlib import sha256

from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from ..errors import ValidationFailed, Violation
from ..serde import from_data, normalised
from .foreign_variables import PATH as VARIABLE_PATH
from .foreign_variables import read_variables
from .model import Dataset
from .rdf_map import Context, NodeMap, read
from .rdf_records import DATASET, records_to_graph
from .validation import SHAPE_FILES, readable_violations
from .vocab import DCAT, SHAPES_DIR, bind_prefixes, vocabularies

#: Authority namespaces whose values must be known (a typo there is an error, not a code).
AUTHORITIES = (
    "http://publications.europa.eu/resource/authority/",
    "https://hdeu-dcat.data.health.europa.eu/resource/authority/",
)
#: A well-formed BCP 47 tag: language, optional script, region and variants.
BCP47 = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*")
#: The IANA media-type register (its entries are dct:MediaType values).
IANA_MEDIA_TYPES = (
    "http://www.iana.org/assignments/media-types/",
    "https://www.iana.org/assignments/media-types/",
)
#: The DCAT-AP core and range shapes (SEMIC, unchanged) and HealthDCAT-AP's mandatory set.
FOREIGN_SHAPE_FILES = (*SHAPE_FILES[:2], "healthdcat-ap-r8.ttl")


@dataclass
class ForeignRecord:
    """One dataset from another portal: the portal's searchable copy and the original."""

    record: Dataset
    iri: str
    graph: Graph  # the description as received (nodes of the parsed document)
    unsupported: list[str] = field(default_factory=list)  # properties kept but not modelled

    @property
    def triples(self) -> str:
        """The description as N-Triples, for storage."""
        return self.graph.serialize(format="nt")


def is_foreign(subject: Node, base: str) -> bool:
    """True for a dataset node that this catalogue did not author (not under ``base``)."""
    return not (isinstance(subject, URIRef) and str(subject).startswith(base))


def foreign_records(graph: Graph, base: str) -> list[ForeignRecord]:
    """Every foreign dataset of ``graph``, validated as the specifications require.

    Raises ValidationFailed naming the record and each failing property; returns [] when
    the document holds no foreign dataset.
    """
    subjects = sorted(
        (s for s in graph.subjects(RDF.type, DCAT.Dataset) if is_foreign(s, base)), key=str
    )
    found = []
    for subject in subjects:
        description = describe(graph, subject)
        name = f"dataset {subject}"
        problems = _unknown_codes(description) + _bad_language_tags(description)
        problems += _shape_violations(description)
        if problems:
            raise ValidationFailed(name, problems)
        found.append(_to_record(description, subject, base))
    return found


def describe(graph: Graph, subject: Node) -> Graph:
    """The record's own description: its triples and, recursively, those of the nodes it
    points to that the document describes (distributions, agents, periods), stopping at
    other datasets and at vocabulary values (their descriptions are the code list's)."""
    out, todo, seen = Graph(), [subject], set()
    concepts = _code_list_iris()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, predicate, obj in graph.triples((node, None, None)):
            out.add((node, predicate, obj))
            if isinstance(obj, Literal) or obj in concepts:
                continue
            if (obj, RDF.type, DCAT.Dataset) not in graph or isinstance(obj, BNode):
                todo.append(obj)
    return bind_prefixes(out)


def describe_values(graph: Graph) -> Graph:
    """Add what a receiver needs to know about each code-list value ``graph`` uses: the
    portal's vocabularies first (German and English labels), the EU lists for the rest."""
    vocabularies().describe_values(graph)
    described = set(graph.subjects(RDF.type, None))
    eu = eu_vocabularies()
    for value in {o for o in graph.objects() if isinstance(o, URIRef)} - described:
        for predicate, obj in eu.predicate_objects(value):
            graph.add((value, predicate, obj))
    _add_media_types(graph)
    return graph


def _unknown_codes(description: Graph) -> list[Violation]:
    known = _code_list_iris()
    problems = []
    for _, predicate, obj in description:
        value = str(obj)
        if isinstance(obj, URIRef) and value.startswith(AUTHORITIES) and obj not in known:
            if not _is_scheme(value):
                where = description.namespace_manager.normalizeUri(predicate)
                problems.append(Violation(where, f"unknown code {value} (not in the EU code list)"))
    return problems


def _bad_language_tags(description: Graph) -> list[Violation]:
    """Language tags must be well-formed BCP 47 (``en``, ``de-DE``, ``sr-Latn``), or a
    receiver cannot tell which language a text is in."""
    name = description.namespace_manager.normalizeUri
    return [
        Violation(name(predicate), f'language tag "@{obj.language}" is not a BCP 47 tag')
        for _, predicate, obj in description
        if isinstance(obj, Literal) and obj.language and not BCP47.fullmatch(obj.language)
    ]


def _is_scheme(value: str) -> bool:
    """An authority table itself (``.../authority/country``), not one of its codes."""
    tail = value.rstrip("/").split("/authority/", 1)[-1]
    return "/" not in tail


def _shape_violations(description: Graph) -> list[Violation]:
    data = Graph() + description
    for concept_graph in (eu_vocabularies(), vocabularies().graph):
        _add_value_descriptions(data, concept_graph)
    _add_media_types(data)
    data += imported_axioms()
    conforms, results, _ = validate(
        data, shacl_graph=foreign_shapes(), inference="none", allow_warnings=True
    )
    return [] if conforms else readable_violations(data, results, foreign_shapes())


def _add_media_types(data: Graph) -> None:
    """IANA media types are dct:MediaType by the IANA register, as a validator loads it."""
    for value in {o for o in data.objects() if isinstance(o, URIRef)}:
        if str(value).startswith(IANA_MEDIA_TYPES):
            data.add((value, RDF.type, DCTERMS.MediaType))


def _add_value_descriptions(data: Graph, code_list: Graph) -> None:
    """What a validator loads for each value: its classes, scheme and labels."""
    for value in {o for o in data.objects() if isinstance(o, URIRef)}:
        for predicate, obj in code_list.predicate_objects(value):
            data.add((value, predicate, obj))


def _to_record(description: Graph, subject: Node, base: str) -> ForeignRecord:
    """The searchable copy: the portal's model read leniently from the description."""
    data = _known_codes_only(read(description, subject, DATASET, Context(base)), DATASET)
    data.pop("derived_from", None)  # links to records of other catalogues stay in the RDF
    data["variables"] = read_variables(description, subject)  # wherever the portal put them
    identifier = str(description.value(subject, DCTERMS.identifier) or subject)
    data["identifier"] = local_identifier(identifier, str(subject))
    for attr in ("title", "description"):
        data[attr] = _both_languages(data.get(attr) or {}, description, subject, attr)
    record = normalised(from_data(Dataset, data, f"dataset {subject}"))
    unsupported = unsupported_properties(description, record, base)
    return ForeignRecord(record, str(subject), description, unsupported)


def _known_codes_only(data: dict, nmap: NodeMap) -> dict:
    """Drop values outside the portal's vocabularies from the copy (the reader keeps them
    as IRIs); they stay in the original description and are reported as not modelled."""
    for prop in nmap.props:
        value = data.get(prop.attr)
        if prop.kind == "code" and isinstance(value, str) and value.startswith("http"):
            del data[prop.attr]
        elif prop.kind == "codes" and isinstance(value, list):
            data[prop.attr] = [v for v in value if not str(v).startswith("http")]
        elif prop.sub is not None and isinstance(value, list):
            data[prop.attr] = [_known_codes_only(v, prop.sub) for v in value]
        elif prop.sub is not None and isinstance(value, dict):
            data[prop.attr] = _known_codes_only(value, prop.sub)
    return data


def _both_languages(text: dict, graph: Graph, subject: Node, attr: str) -> dict:
    """de and en for search and cards: a missing language shows the other (or any) text.

    Only the searchable copy is filled in; the export keeps the original language tags.
    """
    if not text:
        predicate = DCTERMS.title if attr == "title" else DCTERMS.description
        any_text = next((str(v) for v in graph.objects(subject, predicate)), "")
        text = {"en": any_text}
    return {"de": text.get("de") or text.get("en", ""), "en": text.get("en") or text["de"]}


def local_identifier(identifier: str, iri: str) -> str:
    """The portal's key for a foreign record: a slug of its identifier (pages, /data/<id>)
    plus a short hash of its IRI, so two portals' "DS-1" never collide."""
    slug = re.sub(r"[^a-z0-9]+", "-", identifier.lower()).strip("-")[:60] or "record"
    return f"{slug}-{sha256(iri.encode()).hexdigest()[:8]}"


def unsupported_properties(description: Graph, record: Dataset, base: str) -> list[str]:
    """Properties of the description that the portal's copy cannot represent: those that
    writing the copy back as RDF would not produce (kept verbatim, not searchable)."""
    modelled = set(records_to_graph([record], base).predicates())
    if record.variables:  # the columns were read, whichever way they were reached
        modelled |= VARIABLE_PATH
    unused = {p for p in description.predicates() if p not in modelled}
    name = description.namespace_manager.normalizeUri
    return sorted(name(p) for p in unused)


@cache
def eu_vocabularies() -> Graph:
    """The EU code lists that records written elsewhere use (shipped, offline)."""
    return Graph().parse(SHAPES_DIR / "eu-vocabularies.ttl", format="turtle")


@cache
def imported_axioms() -> Graph:
    """The vCard/FOAF subclass axioms a receiving validator loads with DCAT-AP's imports."""
    return Graph().parse(SHAPES_DIR / "imported-axioms.ttl", format="turtle")


@cache
def _code_list_iris() -> frozenset[Node]:
    graphs = (eu_vocabularies(), vocabularies().graph)
    return frozenset(s for g in graphs for s in g.subjects(RDF.type, None))


@cache
def foreign_shapes() -> Graph:
    """DCAT-AP 3.0.1 (core and range) and HealthDCAT-AP R8 mandatory shapes."""
    graph = Graph()
    for name in FOREIGN_SHAPE_FILES:
        graph.parse(SHAPES_DIR / name, format="turtle")
    return graph
