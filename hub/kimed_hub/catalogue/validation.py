"""SHACL validation of catalogue records, with readable results.

The shapes are the DCAT-AP 3.0.1 core and range shapes (copied unchanged from SEMIC, see
``shapes/README.md``) plus KIMed's own shapes for the HealthDCAT-AP fields it requires.
The vocabularies are added to each data graph, so code lists and class ranges are
checked offline, as the HealthDCAT-AP validator gotchas recommend. Results are turned
into :class:`~kimed_hub.errors.Violation` objects that name the record, the
property path (``dcat:distribution/dcat:accessURL``) and what is wrong in plain words.
"""

from __future__ import annotations

from functools import cache

from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH
from rdflib.term import Node

from ..errors import ValidationFailed, Violation
from .vocab import SHAPES_DIR, bind_prefixes, vocabularies

SHAPE_FILES = ("dcat-ap-3.0.1-shapes.ttl", "dcat-ap-3.0.1-range.ttl", "kimed-shapes.ttl")


@cache
def shapes_graph() -> Graph:
    """All shapes the portal checks against, parsed once per process."""
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(SHAPES_DIR / name, format="turtle")
    return graph


def check_graph(data: Graph, subject: str = "the submitted records") -> None:
    """Raise ValidationFailed listing every violation of ``data``; return when it conforms."""
    problems = violations(data)
    if problems:
        raise ValidationFailed(subject, problems)


def violations(data: Graph) -> list[Violation]:
    """The readable violations of ``data`` against the portal's shapes (empty: valid).

    The vocabulary triples are added to ``data`` itself (copying a large import graph
    would cost more than validating it); they describe only concepts, never records.
    """
    merged = data
    merged += vocabularies().graph
    bind_prefixes(merged)
    conforms, results, _ = validate(
        merged,
        shacl_graph=shapes_graph(),
        inference="none",
        allow_warnings=True,
        advanced=False,
        abort_on_first=False,
    )
    if conforms:
        return []
    return readable_violations(merged, results, shapes_graph())


def readable_violations(data: Graph, results: Graph, shapes: Graph) -> list[Violation]:
    """The violations in a pySHACL results graph, as people can read them, sorted.

    ``shapes`` is the graph that was checked against (its sh:message texts are used).
    """
    # Only the report's own results: pyshacl also attaches the nested sh:node results as
    # sh:detail, which repeat the enclosing result less clearly.
    failed = [
        result
        for report in results.subjects(RDF.type, SH.ValidationReport)
        for result in results.objects(report, SH.result)
        if results.value(result, SH.resultSeverity) == SH.Violation
    ]
    found = [_describe(data, results, result, shapes) for result in failed]
    return sorted(set(found), key=lambda v: (v.focus, v.field, v.message))


def _describe(data: Graph, results: Graph, result: Node, shapes: Graph) -> Violation:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    shape = results.value(result, SH.sourceShape)
    record, prefix = _locate(data, focus)
    field = "/".join(p for p in (prefix, _path_text(data, results, path)) if p) or "(record)"
    return Violation(field, _message(data, results, result, shape, shapes), record)


def _locate(data: Graph, focus: Node) -> tuple[str, str]:
    """(record identifier, path from the record to ``focus``) for a focus node."""
    steps: list[str] = []
    node = focus
    for _ in range(8):  # records nest only a few levels (dataset → group → table → column)
        if not isinstance(node, BNode):
            identifier = data.value(node, DCTERMS.identifier)
            name = str(identifier) if identifier is not None else _qname(data, node)
            return name, "/".join(reversed(steps))
        parent = next(data.subject_predicates(node), None)
        if parent is None:
            break
        node = parent[0]
        steps.append(_qname(data, parent[1]))
    return str(focus), "/".join(reversed(steps))


def _path_text(data: Graph, results: Graph, path: Node | None) -> str:
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return _qname(data, path)
    items = list(results.items(path))  # a sequence path is an RDF list
    return "/".join(_qname(data, p) for p in items if isinstance(p, URIRef)) or str(path)


def _qname(data: Graph, iri: Node) -> str:
    try:
        return data.namespace_manager.normalizeUri(iri)
    except Exception:  # pragma: no cover - rdflib raises several types for odd IRIs
        return str(iri)


def _show(data: Graph, value: Node | None) -> str:
    """A value as users can read it: literals quoted, IRIs short, blank nodes not at all."""
    if isinstance(value, Literal):
        return f'"{value}"'
    if isinstance(value, URIRef):
        return _qname(data, value)
    return ""


def _message(data: Graph, results: Graph, result: Node, shape: Node | None, shapes: Graph) -> str:
    """The shape's own sh:message if it has one, else a plain rewording of the constraint."""
    own = shapes.value(shape, SH.message) if shape is not None else None
    value = results.value(result, SH.value)
    shown = _show(data, value) if value != results.value(result, SH.focusNode) else ""
    suffix = f" (found {shown})" if shown else ""
    if own is not None:
        return f"{own}{suffix}"
    component = results.value(result, SH.sourceConstraintComponent)
    template = COMPONENT_MESSAGES.get(component)
    if template is None:
        return str(results.value(result, SH.resultMessage)) + suffix
    params = {
        "n": shapes.value(shape, SH.minCount) or shapes.value(shape, SH.maxCount),
        "cls": _qname(data, shapes.value(shape, SH["class"]) or SH.Shape),
        "datatype": _qname(data, shapes.value(shape, SH.datatype) or SH.Shape),
    }
    return template.format(**params) + suffix


COMPONENT_MESSAGES = {
    SH.MinCountConstraintComponent: "is required (at least {n} value)",
    SH.MaxCountConstraintComponent: "allows at most {n} value(s)",
    SH.ClassConstraintComponent: "must be a {cls}",
    SH.DatatypeConstraintComponent: "must be typed {datatype}",
    SH.NodeKindConstraintComponent: "has the wrong kind of value (IRI or literal)",
    SH.NodeConstraintComponent: "does not have the required form",
    SH.OrConstraintComponent: "matches none of the allowed forms",
}
