"""RDF namespaces and the controlled vocabularies (codes ⇄ IRIs, German/English labels).

The allowed codes live in one reviewed data file, ``shapes/vocabularies.ttl``; this module
only reads it. Records store short codes (``"CT"``, ``"EHRS"``, ``"NON_PUBLIC"``) because
codes are what facets, filters and the API show; the RDF layer turns them into the
official IRIs and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

SHAPES_DIR = Path(__file__).with_name("shapes")

ADMS = Namespace("http://www.w3.org/ns/adms#")
CSVW = Namespace("http://www.w3.org/ns/csvw#")
#: A plain namespace: rdflib's DCAT namespace predates DCAT 3 (no dcat:version).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
CV = Namespace("http://data.europa.eu/m8g/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
DPV = Namespace("https://w3id.org/dpv#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
GEODCATAP = Namespace("http://data.europa.eu/930/")
HEALTH = Namespace("http://healthdataportal.eu/ns/health#")
OA = Namespace("http://www.w3.org/ns/oa#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
#: KIMed's own terms (modality, not-for-inference flag, algorithm records). Provisional,
#: like the HealthDCAT-AP namespace itself: to be replaced by a registered namespace.
KIMED = Namespace("https://kimed.example.org/ns#")
IANA_MEDIA = "https://www.iana.org/assignments/media-types/"

PREFIXES: dict[str, Namespace] = {
    "adms": ADMS,
    "csvw": CSVW,
    "cv": CV,
    "dcat": DCAT,
    "dcatap": DCATAP,
    "dct": DCTERMS,
    "dpv": DPV,
    "dqv": DQV,
    "foaf": FOAF,
    "geodcatap": GEODCATAP,
    "healthdcatap": HEALTH,
    "kimed": KIMED,
    "oa": OA,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "vcard": VCARD,
    "xsd": XSD,
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the portal's prefixes on ``graph`` (for readable Turtle and messages)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph


@dataclass(frozen=True)
class Concept:
    """One code of a vocabulary, with its IRI and labels."""

    scheme: str
    code: str
    iri: str
    label_de: str
    label_en: str

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` ("de" or "en")."""
        return self.label_de if lang == "de" else self.label_en


class Vocabularies:
    """All vocabularies of ``vocabularies.ttl``, indexed both ways."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._by_code: dict[tuple[str, str], Concept] = {}
        self._by_iri: dict[tuple[str, str], Concept] = {}
        schemes = {s: str(k) for s, k in graph.subject_objects(KIMED.key)}
        for concept, scheme in graph.subject_objects(SKOS.inScheme):
            key = schemes[scheme]
            found = Concept(
                key,
                str(graph.value(concept, SKOS.notation)),
                str(concept),
                _label(graph, concept, "de"),
                _label(graph, concept, "en"),
            )
            self._by_code[(key, found.code)] = found
            self._by_iri[(key, found.iri)] = found
        self.schemes = sorted(set(schemes.values()))

    def concept(self, scheme: str, code: str) -> Concept | None:
        """The concept with ``code`` in ``scheme``, or None."""
        return self._by_code.get((scheme, code))

    def iri(self, scheme: str, code: str) -> URIRef:
        """The IRI for ``code``; KeyError if the code is not in the vocabulary."""
        return URIRef(self._by_code[(scheme, code)].iri)

    def code(self, scheme: str, iri: str) -> str | None:
        """The code for an IRI of ``scheme``, or None when the IRI is not in it."""
        found = self._by_iri.get((scheme, str(iri)))
        return found.code if found else None

    def codes(self, scheme: str) -> list[str]:
        """All codes of ``scheme``, sorted."""
        return sorted(code for (key, code) in self._by_code if key == scheme)

    def label(self, scheme: str, code: str, lang: str = "en") -> str:
        """The label of ``code`` in ``lang``; the code itself when unknown."""
        found = self.concept(scheme, code)
        return found.label(lang) if found else code

    def describe_values(self, data: Graph) -> Graph:
        """Add to ``data`` what a receiver needs to know about each vocabulary value used.

        A record names its codes by IRI; a portal that validates the record on its own
        (without this file) checks each value's class (``dct:RightsStatement``,
        ``dct:LicenseDocument``, ``skos:Concept``, ...) and shows its label. So the export
        carries, for every concept it references, the concept's types, preferred labels,
        scheme and notation: exactly the triples about that value, never the whole file.
        """
        wanted = (RDF.type, SKOS.prefLabel, SKOS.inScheme, SKOS.notation)
        used = {o for o in data.objects() if isinstance(o, URIRef)}
        for value in used & self._concept_iris():
            for predicate in wanted:
                for obj in self.graph.objects(value, predicate):
                    data.add((value, predicate, obj))
        return data

    def _concept_iris(self) -> set[URIRef]:
        return {URIRef(concept.iri) for concept in self._by_iri.values()}


def _label(graph: Graph, concept: URIRef, lang: str) -> str:
    for label in graph.objects(concept, SKOS.prefLabel):
        if isinstance(label, Literal) and label.language == lang:
            return str(label)
    return ""


@cache
def vocabularies() -> Vocabularies:
    """The vocabularies, parsed once per process."""
    graph = Graph()
    graph.parse(SHAPES_DIR / "vocabularies.ttl", format="turtle")
    return Vocabularies(graph)
