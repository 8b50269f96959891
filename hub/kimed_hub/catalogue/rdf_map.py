"""A small declarative mapping between dataclass records and RDF nodes.

Each record type is described once by a :class:`NodeMap`: its RDF classes and, per
field, the property and the kind of value (text in two languages, vocabulary code,
date, nested node, link to another record ...). One writer and one reader interpret
these tables, so export and import cannot drift apart, and the round-trip tests check
the tables rather than hand-written code per field. The tables themselves are in
``rdf_records.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from .vocab import KIMED, vocabularies

NONNEG = XSD.nonNegativeInteger


@dataclass(frozen=True)
class Prop:
    """One field ⇄ one RDF property.

    ``kind`` is one of: ``str``, ``strs`` (repeated literal), ``lang`` (de/en literals,
    optionally inside a ``wrap`` node), ``int``, ``count`` (xsd:nonNegativeInteger),
    ``float``, ``date``, ``bool``, ``code``/``codes`` (vocabulary ``scheme``), ``iri``,
    ``mailto``, ``json`` (a list as a JSON literal), ``node``/``nodes`` (nested ``sub``
    map), ``pairs`` (a dict as key/value nodes), ``link``/``links`` (other records).
    """

    attr: str
    predicate: URIRef
    kind: str = "str"
    scheme: str = ""
    sub: NodeMap | None = None
    wrap: tuple[URIRef, URIRef] | None = None


@dataclass(frozen=True)
class NodeMap:
    """How one dataclass becomes an RDF node: its classes and properties."""

    types: tuple[URIRef, ...]
    props: tuple[Prop, ...]
    extra: dict[str, Callable[..., Any]] = field(default_factory=dict)


@dataclass
class Context:
    """What writers and readers need besides the record: IRIs of linked records."""

    base: str
    link_path: str = "dataset/"
    known: dict[str, str] = field(default_factory=dict)
    unresolved: list[tuple[str, str]] = field(default_factory=list)

    def link_iri(self, identifier: str) -> URIRef:
        """The IRI of the catalogue record ``identifier``."""
        return URIRef(f"{self.base}{self.link_path}{identifier}")

    def link_id(self, iri: str, attr: str) -> str:
        """The identifier behind ``iri``: a record of this document or under the base."""
        if iri in self.known:
            return self.known[iri]
        prefix = f"{self.base}{self.link_path}"
        if iri.startswith(prefix) and "/" not in iri[len(prefix) :]:
            return iri[len(prefix) :]
        self.unresolved.append((attr, iri))
        return ""


# --- writing ------------------------------------------------------------------------------


def write(graph: Graph, obj: Any, nmap: NodeMap, ctx: Context, subject: Node | None = None):
    """Add ``obj`` to ``graph`` as ``subject`` (a new blank node by default); return it."""
    node = subject if subject is not None else BNode()
    for rdf_type in nmap.types:
        graph.add((node, RDF.type, rdf_type))
    for prop in nmap.props:
        value = getattr(obj, prop.attr)
        if value not in (None, "", [], {}):
            WRITERS[prop.kind](graph, node, prop, value, ctx)
    if "write" in nmap.extra:
        nmap.extra["write"](graph, node, obj, ctx)
    return node


def _lang(graph, node, prop, value, ctx):
    target = node
    if prop.wrap:
        if not (value.de or value.en):
            return
        target = BNode()
        graph.add((node, prop.predicate, target))
        graph.add((target, RDF.type, prop.wrap[0]))
    predicate = prop.wrap[1] if prop.wrap else prop.predicate
    for lang in ("de", "en"):
        if getattr(value, lang):
            graph.add((target, predicate, Literal(getattr(value, lang), lang=lang)))


def _code(graph, node, prop, value, ctx):
    codes = value if isinstance(value, list) else [value]
    for code in codes:
        graph.add((node, prop.predicate, vocabularies().iri(prop.scheme, code)))


def _node(graph, node, prop, value, ctx):
    for item in value if isinstance(value, list) else [value]:
        graph.add((node, prop.predicate, write(graph, item, prop.sub, ctx)))


def _pairs(graph, node, prop, value, ctx):
    for key, val in value.items():
        pair = BNode()
        graph.add((node, prop.predicate, pair))
        graph.add((pair, KIMED.key, Literal(key)))
        graph.add((pair, KIMED.value, Literal(val)))


def _link(graph, node, prop, value, ctx):
    for identifier in value if isinstance(value, list) else [value]:
        graph.add((node, prop.predicate, ctx.link_iri(identifier)))


def _typed(datatype):
    def add(graph, node, prop, value, ctx):
        graph.add((node, prop.predicate, Literal(value, datatype=datatype)))

    return add


def _strs(graph, node, prop, value, ctx):
    for item in value:
        graph.add((node, prop.predicate, Literal(item)))


WRITERS: dict[str, Callable] = {
    "str": lambda g, n, p, v, c: g.add((n, p.predicate, Literal(v))),
    "strs": _strs,
    "lang": _lang,
    "int": _typed(XSD.integer),
    "count": _typed(NONNEG),
    "float": _typed(XSD.double),
    "date": _typed(XSD.date),
    "bool": _typed(XSD.boolean),
    "code": _code,
    "codes": _code,
    "iri": lambda g, n, p, v, c: g.add((n, p.predicate, URIRef(v))),
    "mailto": lambda g, n, p, v, c: g.add((n, p.predicate, URIRef(f"mailto:{v}"))),
    "json": lambda g, n, p, v, c: g.add((n, p.predicate, Literal(json.dumps(v)))),
    "node": _node,
    "nodes": _node,
    "pairs": _pairs,
    "link": _link,
    "links": _link,
}


# --- reading ------------------------------------------------------------------------------


def read(graph: Graph, node: Node, nmap: NodeMap, ctx: Context) -> dict[str, Any]:
    """The JSON-ready data of the record at ``node`` (convert with ``serde.from_data``)."""
    data: dict[str, Any] = {}
    for prop in nmap.props:
        values = sorted(graph.objects(node, prop.predicate), key=_sort_key)
        if values:
            data[prop.attr] = READERS[prop.kind](graph, values, prop, ctx)
    if "read" in nmap.extra:
        nmap.extra["read"](graph, node, data, ctx)
    return data


def _sort_key(term: Node) -> tuple[str, str]:
    return (type(term).__name__, str(term))


def _read_lang(graph, values, prop, ctx):
    if prop.wrap:
        values = sorted(graph.objects(values[0], prop.wrap[1]), key=_sort_key)
    text = {}
    for value in values:
        if isinstance(value, Literal) and value.language in ("de", "en"):
            text.setdefault(value.language, str(value))
    return text


def _read_codes(graph, values, prop, ctx):
    vocab = vocabularies()
    codes = [vocab.code(prop.scheme, str(v)) or str(v) for v in values]
    return codes if prop.kind == "codes" else codes[0]


def _read_nodes(graph, values, prop, ctx):
    items = [read(graph, v, prop.sub, ctx) for v in values]
    return items if prop.kind == "nodes" else items[0]


def _read_pairs(graph, values, prop, ctx):
    pairs = ((graph.value(v, KIMED.key), graph.value(v, KIMED.value)) for v in values)
    return {str(k): str(v) for k, v in pairs if k is not None and v is not None}


def _read_links(graph, values, prop, ctx):
    found = [ctx.link_id(str(v), prop.attr) for v in values]
    return found if prop.kind == "links" else found[0]


def _scalar(convert):
    def read_one(graph, values, prop, ctx):
        value = values[0]
        try:
            return convert(value)
        except (TypeError, ValueError):
            return str(value)  # serde reports the wrong type with the field's path

    return read_one


def _to_int(v):
    return int(str(v))


def _to_bool(v):
    return v.toPython() if isinstance(v.toPython(), bool) else str(v)


READERS: dict[str, Callable] = {
    "str": _scalar(str),
    "strs": lambda g, vs, p, c: [str(v) for v in vs],
    "lang": _read_lang,
    "int": _scalar(_to_int),
    "count": _scalar(_to_int),
    "float": _scalar(lambda v: float(str(v))),
    "date": _scalar(lambda v: date.fromisoformat(str(v)[:10]).isoformat()),
    "bool": _scalar(_to_bool),
    "code": _read_codes,
    "codes": _read_codes,
    "iri": _scalar(str),
    "mailto": _scalar(lambda v: str(v).removeprefix("mailto:")),
    "json": _scalar(lambda v: json.loads(str(v))),
    "node": _read_nodes,
    "nodes": _read_nodes,
    "pairs": _read_pairs,
    "link": _read_links,
    "links": _read_links,
}
