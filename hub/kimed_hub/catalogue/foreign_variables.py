"""Column descriptions in records written elsewhere, read into the searchable copy.

Portals put a dataset's variables in different places. The portal's own records use
``healthdcatap:hasVariables`` → ``csvw:TableGroup`` → ``csvw:table`` → ``csvw:column``;
records from elsewhere also use the CSVW metadata form with a ``csvw:tableSchema``
between table and columns (HealthDCAT-AP examples), a ``csvw:tableSchema`` on a
distribution or on the dataset (CSVW metadata attached to a CSV download), columns as an
RDF list (CSVW written as JSON-LD, whose ``columns`` are an ``@list``), and RDF Data Cube
structures (``qb:structure`` → ``qb:component`` → dimension / measure / attribute) in
statistical portals. All of them are read here, leniently, so that a search for a
variable name finds the dataset; the description itself stays as received.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from .indexing import normalise_text
from .vocab import ADMS, CSVW, DCAT, HEALTH

QB = Namespace("http://purl.org/linked-data/cube#")
#: The predicates this module follows: modelled (searchable) when variables were found.
PATH = frozenset(
    {CSVW.table, CSVW.tableSchema, CSVW.column, QB.structure, QB.component}
    | {QB.dimension, QB.measure, QB.attribute, RDF.first, RDF.rest, CSVW.base}
)
LABELS = (CSVW["title"], DCTERMS.title, RDFS.label, SKOS.prefLabel)
DESCRIPTIONS = (DCTERMS.description, RDFS.comment, SKOS.definition)
#: The model's limits (``model.Variable``, ``Dataset.variables``).
LIMITS = {"name": 200, "title": 300, "description": 2_000, "datatype": 40}
MAX_VARIABLES = 5_000


def read_variables(graph: Graph, subject: Node) -> list[dict]:
    """The variables of dataset ``subject`` as the model's JSON-ready data, one per
    distinct name, in the order the description gives them (lists) or by name."""
    found: dict[str, dict] = {}
    for column in _columns(graph, subject):
        variable = _variable(graph, column)
        if variable and variable["name"] not in found:
            found[variable["name"]] = variable
    return list(found.values())[:MAX_VARIABLES]


def _columns(graph: Graph, subject: Node) -> list[Node]:
    """Column nodes under the dataset, its distributions and samples, wherever they sit."""
    owners = [subject, *graph.objects(subject, DCAT.distribution)]
    owners += graph.objects(subject, ADMS.sample)
    tables = _reach(graph, owners, (HEALTH.hasVariables,))
    tables = _reach(graph, tables, (CSVW.table,))
    schemas = _reach(graph, tables, (CSVW.tableSchema,))
    columns: list[Node] = []
    for schema in schemas:
        for value in sorted(graph.objects(schema, CSVW.column), key=str):
            columns += _items(graph, value)
    for structure in _reach(graph, owners, (QB.structure,), keep=False):
        for component in sorted(graph.objects(structure, QB.component), key=str):
            for role in (QB.dimension, QB.measure, QB.attribute):
                columns += sorted(graph.objects(component, role), key=str)
    return columns


def _reach(graph: Graph, nodes: list[Node], predicates, keep: bool = True) -> list[Node]:
    """``nodes`` (if ``keep``) plus the nodes they point to by ``predicates``, in order."""
    found = list(nodes) if keep else []
    for node in nodes:
        for predicate in predicates:
            found += sorted(graph.objects(node, predicate), key=str)
    return list(dict.fromkeys(found))


def _items(graph: Graph, value: Node) -> list[Node]:
    """A column, or the members of an RDF list of columns."""
    if value == RDF.nil:
        return []
    if graph.value(value, RDF.first) is not None:
        return list(Collection(graph, value))
    return [value]


def _variable(graph: Graph, column: Node) -> dict | None:
    """One column as a variable; None when it has neither a name nor a title."""
    title = _text(graph, column, LABELS, both=True)
    name = str(graph.value(column, CSVW.name) or "") or _local_name(column)
    name = name or normalise_text(title).replace(" ", "_")
    if not name:
        return None
    variable = {
        "name": name,
        "title": title,
        "description": _text(graph, column, DESCRIPTIONS),
        "datatype": _datatype(graph, graph.value(column, CSVW.datatype)) or "string",
    }
    url = graph.value(column, CSVW.propertyUrl)
    if isinstance(url, URIRef) and str(url).startswith(("http://", "https://")):
        variable["property_url"] = str(url)
    return {k: v[: LIMITS[k]] if k in LIMITS else v for k, v in variable.items()}


def _text(graph: Graph, node: Node, predicates, both: bool = False) -> str:
    """The English text, else the German, else any; with ``both``, English and German
    joined ("Time of measurement · Messzeitpunkt"), so either language finds a title."""
    values = [v for p in predicates for v in graph.objects(node, p) if isinstance(v, Literal)]
    values.sort(key=lambda v: ({"en": 0, "de": 1}.get(v.language or "", 2), str(v)))
    texts = list(dict.fromkeys(str(v).strip() for v in values))
    if both and len(values) > 1 and {values[0].language, values[1].language} == {"en", "de"}:
        return " · ".join(texts[:2])
    return texts[0] if texts else ""


def _local_name(node: Node) -> str:
    """The last segment of an IRI (``.../dimension/age`` → ``age``); '' for blank nodes."""
    if isinstance(node, BNode) or not isinstance(node, URIRef):
        return ""
    return str(node).rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]


def _datatype(graph: Graph, value: Node | None) -> str:
    """A CSVW datatype: a name (``integer``), an XSD IRI, or a node with ``csvw:base``."""
    if value is None:
        return ""
    if isinstance(value, BNode):  # a derived datatype: its base names the kind of value
        value = graph.value(value, CSVW.base)
        if value is None or isinstance(value, BNode):
            return ""
    return _local_name(value) if isinstance(value, URIRef) else str(value)
