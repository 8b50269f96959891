"""Reading and writing catalogue records as DCAT Turtle or JSON-LD.

Import is parse → SHACL validation of the whole document → mapping to records → model
checks; any failure raises before anything is stored. Parsing never touches the
network: JSON-LD documents that reference a remote ``@context`` are refused (rdflib
would fetch it), so a catalogue file cannot make the hub connect anywhere.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from ..errors import BadInput, TooLarge
from .foreign import describe_values, foreign_records
from .harvest import PageView
from .model import Dataset
from .rdf_records import KINDS, Record, record_iri, records_from_graph, records_to_graph
from .validation import check_graph
from .vocab import CV, DCAT, PREFIXES, bind_prefixes

#: EU language authority (the catalogue's languages).
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"

#: Largest document accepted for import (a whole catalogue; each record ≤ 1 MB).
MAX_DOCUMENT_BYTES = 64_000_000

FORMATS = {
    "turtle": "turtle",
    "ttl": "turtle",
    "text/turtle": "turtle",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "application/ld+json": "json-ld",
}

#: The JSON-LD context used for export: the portal's prefixes, inline.
JSONLD_CONTEXT = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def rdf_format(name: str) -> str:
    """The rdflib format for a format name or media type; BadInput if unsupported."""
    try:
        return FORMATS[name.lower().split(";")[0].strip()]
    except KeyError:
        raise BadInput(f"unsupported format {name!r}; use one of: turtle, json-ld") from None


def parse_graph(data: bytes | str, fmt: str) -> Graph:
    """Parse a Turtle or JSON-LD document into a graph, offline and size-limited."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise TooLarge(f"document is {len(raw)} bytes; at most {MAX_DOCUMENT_BYTES}")
    fmt = rdf_format(fmt)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"document is not UTF-8: {exc}") from None
    if fmt == "json-ld":
        _refuse_remote_contexts(_load_json(text))
    graph = Graph()
    try:
        with warnings.catch_warnings():
            # rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph internally.
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=text, format=fmt)
    except Exception as exc:  # rdflib raises many types; all mean "malformed input"
        raise BadInput(f"could not parse the {fmt} document: {exc}") from None
    return graph


def _load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"document is not valid JSON: {exc}") from None


def _refuse_remote_contexts(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _refuse_remote_contexts(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import") and _has_reference(value):
                raise BadInput(
                    "JSON-LD with a remote @context is not accepted (the portal never "
                    "fetches documents); inline the context as an object"
                )
            _refuse_remote_contexts(value)


def _has_reference(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, list) and any(isinstance(v, str) for v in value)


def load_records(data: bytes | str, fmt: str, base: str) -> list[Record]:
    """Parse, validate (SHACL) and map a document of this portal's own records."""
    records, foreign = load_document(data, fmt, base)
    if foreign:
        names = ", ".join(f.iri for f in foreign)
        raise BadInput(f"records of other portals need an import (kimed portal import): {names}")
    return records


def load_document(data: bytes | str, fmt: str, base: str) -> tuple[list[Record], list]:
    """Parse a document into this portal's records and other portals' records.

    Records under ``base`` are this portal's and meet its own rules (SHACL with KIMed's
    shapes, the model checks); datasets with any other IRI were written elsewhere and meet
    the specifications only (``foreign.py``). Raises on any problem in either; returns
    ``(records, foreign_records)``.
    """
    graph = parse_graph(data, fmt)
    foreign = foreign_records(graph, base)
    for item in foreign:
        graph -= item.graph
    records = []
    own_types = [nmap.types[0] for nmap, _, _ in KINDS.values()]
    if any(next(graph.subjects(RDF.type, kind), None) is not None for kind in own_types):
        check_graph(graph)
        records = records_from_graph(graph, base)
    if not records and not foreign:
        raise BadInput("the document holds no dcat:Dataset and no kimed:Algorithm")
    return records, foreign


def dump_records(
    records: list[Record],
    fmt: str,
    base: str,
    catalogue: dict[str, str] | None = None,
    originals: dict[str, tuple[str, str]] | None = None,
    view: PageView | None = None,
) -> str:
    """Serialise records as Turtle or JSON-LD; ``catalogue`` adds a dcat:Catalog node.

    ``originals`` maps the identifiers of records from other portals to their source IRI
    and description as received (N-Triples); those are written as received.
    ``view`` adds the paging node of a harvest page (``harvest.py``).

    ``catalogue`` holds ``title_de``/``title_en``, ``description_de``/``description_en``,
    ``publisher``, ``email`` and ``homepage``.
    """
    originals = originals or {}
    own = [r for r in records if r.identifier not in originals]
    graph = bind_prefixes(records_to_graph(own, base))
    for _, triples in originals.values():
        graph.parse(data=triples, format="nt")
    describe_values(graph)
    if catalogue:
        iris = {ident: URIRef(iri) for ident, (iri, _) in originals.items()}
        _add_catalogue(graph, records, base, catalogue, iris)
    if view is not None:
        view.add_to(graph)
    fmt = rdf_format(fmt)
    if fmt == "json-ld":
        return graph.serialize(format="json-ld", context=JSONLD_CONTEXT, indent=1)
    return graph.serialize(format="turtle")


def _add_catalogue(
    graph: Graph, records: list[Record], base: str, info: dict[str, str], iris: dict[str, URIRef]
):
    """A dcat:Catalog node that meets DCAT-AP 3 on its own (title, description, publisher
    with its contact point) and, since DCAT 3 makes every Catalog a Dataset, the dataset
    properties a validator with RDFS inference asks of it too."""
    node, publisher, contact = URIRef(base), BNode(), BNode()
    graph.add((node, RDF.type, DCAT.Catalog))
    for lang in ("de", "en"):
        graph.add((node, DCTERMS.title, Literal(info[f"title_{lang}"], lang=lang)))
        graph.add((node, DCTERMS.description, Literal(info[f"description_{lang}"], lang=lang)))
    homepage = URIRef(info["homepage"])
    graph.add((node, FOAF.homepage, homepage))
    graph.add((homepage, RDF.type, FOAF.Document))
    for code in ("DEU", "ENG"):
        language = URIRef(f"{LANGUAGE}{code}")
        graph.add((node, DCTERMS.language, language))
        graph.add((language, RDF.type, DCTERMS.LinguisticSystem))
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(info["publisher"])))
    graph.add((publisher, CV.contactPoint, contact))
    graph.add((contact, RDF.type, CV.ContactPoint))
    graph.add((contact, CV.email, Literal(info["email"])))
    graph.add((contact, CV.contactPage, URIRef(info["homepage"])))
    for record in records:
        link = DCAT.dataset if isinstance(record, Dataset) else DCAT.resource
        graph.add((node, link, iris.get(record.identifier) or record_iri(record, base)))
