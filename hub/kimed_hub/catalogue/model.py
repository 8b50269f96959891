"""Dataset records: the HealthDCAT-AP / DCAT-AP 3 fields KIMed keeps, as dataclasses.

Field names are plain English; ``rdf_dataset.py`` maps each to its DCAT property (the
mapping table is in ``docs/portal.md``). Coded fields hold vocabulary codes from
``shapes/vocabularies.ttl``. Which fields are required, in which languages, and how
many values each may have is checked by the SHACL shapes (``validation.py``) on the RDF
form of the record, for records from the API and from imported files alike; this module
checks only what is needed to build that RDF at all (known codes, well-formed IRIs).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from datetime import date

from ..errors import Violation
from ..serde import items, text
from .vocab import vocabularies

#: Record identifiers are also folder names (``/data/<identifier>`` in the workbench),
#: so they are lower-case slugs: no slashes, dots or spaces that could escape the mount.
IDENTIFIER_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
URL_RE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")
METRIC_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")
MEDIA_TYPE_RE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")
SYNTHETIC = "SYNTHETIC_DATA"
LONG_TEXT = 20_000


@dataclass
class LangText:
    """A text in German and English (both are required for titles and descriptions)."""

    de: str = text(max_len=LONG_TEXT)
    en: str = text(max_len=LONG_TEXT)


@dataclass
class Agent:
    """An organisation: publisher, custodian (data holder) or access body."""

    name: str = text(max_len=300)
    email: str = text()
    url: str = text()


@dataclass
class ContactPoint:
    """Where users send questions about a dataset (``vcard:Kind``)."""

    name: str = text(max_len=300)
    email: str = text()
    url: str = text()


@dataclass
class Period:
    """A time span; an open end means the collection is ongoing."""

    start: date | None = None
    end: date | None = None


@dataclass
class Distribution:
    """One way to get at the data; for KIMed the access URL is the request page."""

    title: str = text(max_len=300)
    access_url: str = text()
    format: str = text(max_len=40)
    media_type: str = text(max_len=100)
    licence: str = text(max_len=40)
    description: str = text(max_len=2_000)
    byte_size: int | None = None


@dataclass
class Variable:
    """One column of the data dictionary (a CSVW column)."""

    name: str = text(max_len=200)
    title: str = text(max_len=300)
    description: str = text(max_len=2_000)
    datatype: str = text("string", max_len=40)
    property_url: str = text()


@dataclass
class QualityAnnotation:
    """A quality statement: a dimension, a note and, if measured, a value or a metric's.

    Without ``metric`` the value is a score in [0, 1]; with ``metric`` (a stable dotted
    id such as ``privacy.dcr_share``) it is that metric's measured value (a synthetic
    version's fidelity, utility, privacy)."""

    dimension: str = text(max_len=40)
    note: str = text(max_len=2_000)
    value: float | None = None
    metric: str = text(max_len=120)


@dataclass
class Generator:
    """How a synthetic dataset was made (tool, version, seed, parameters)."""

    name: str = text(max_len=200)
    version: str = text(max_len=60)
    seed: int | None = None
    parameters: str = text(max_len=4_000)


@dataclass
class Dataset:
    """A catalogue dataset record (``dcat:Dataset`` with HealthDCAT-AP fields)."""

    identifier: str = text(max_len=80)
    title: LangText = field(default_factory=LangText)
    description: LangText = field(default_factory=LangText)
    access_rights: str = text("NON_PUBLIC", max_len=40)
    health_categories: list[str] = items(max_items=17, as_set=True)
    themes: list[str] = field(default_factory=lambda: ["HEAL"], metadata={"set": True})
    dataset_types: list[str] = field(
        default_factory=lambda: ["STATISTICAL"], metadata={"set": True}
    )
    keywords: list[str] = items(max_items=50, as_set=True)
    modalities: list[str] = items(max_items=20, as_set=True)
    provenance: LangText = field(default_factory=LangText)
    publisher: Agent = field(default_factory=Agent)
    custodian: Agent = field(default_factory=Agent)
    access_body: Agent = field(default_factory=Agent)
    contact_point: ContactPoint = field(default_factory=ContactPoint)
    coding_systems: list[str] = items(max_items=40, as_set=True)
    standards: list[str] = items(max_items=20, as_set=True)
    number_of_records: int | None = None
    number_of_individuals: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    population_coverage: LangText = field(default_factory=LangText)
    temporal: Period | None = None
    spatial: list[str] = items(max_items=20, as_set=True)
    legal_bases: list[str] = items(max_items=10, as_set=True)
    personal_data: list[str] = items(max_items=30, as_set=True)
    applicable_legislation: list[str] = field(
        default_factory=lambda: ["EHDS"], metadata={"set": True}
    )
    quality: list[QualityAnnotation] = items(max_items=50, as_set=True)
    distributions: list[Distribution] = items(max_items=50, as_set=True)
    samples: list[Distribution] = items(max_items=20, as_set=True)
    variables: list[Variable] = items(max_items=5_000, as_set=True)
    derived_from: str = text(max_len=80)
    generator: Generator | None = None
    version: str = text(max_len=60)
    issued: date | None = None
    modified: date | None = None

    @property
    def is_synthetic(self) -> bool:
        """True for a synthetic version (typed SYNTHETIC_DATA): never for inference."""
        return SYNTHETIC in self.dataset_types


#: Which vocabulary each coded list or field of a Dataset uses.
DATASET_CODES = {
    "access_rights": "access-right",
    "health_categories": "health-category",
    "themes": "data-theme",
    "dataset_types": "dataset-type",
    "modalities": "modality",
    "coding_systems": "coding-system",
    "standards": "standard",
    "spatial": "place",
    "legal_bases": "legal-basis",
    "personal_data": "personal-data",
    "applicable_legislation": "legislation",
}


def check_codes(obj: object, table: dict[str, str], path: str = "") -> list[Violation]:
    """Violations for coded fields of ``obj`` whose codes are not in their vocabulary."""
    vocab = vocabularies()
    problems = []
    for name, scheme in table.items():
        value = getattr(obj, name)
        for i, code in enumerate(value if isinstance(value, list) else [value]):
            if vocab.concept(scheme, code) is None:
                where = f"{path}{name}[{i}]" if isinstance(value, list) else f"{path}{name}"
                allowed = ", ".join(vocab.codes(scheme))
                problems.append(Violation(where, f"{code!r} is not a {scheme} code ({allowed})"))
    return problems


def check_dataset(ds: Dataset) -> list[Violation]:
    """What must hold before a Dataset can become RDF: identifier, codes, IRIs, emails."""
    problems = check_identifier(ds.identifier)
    problems += check_codes(ds, DATASET_CODES)
    for name in ("publisher", "custodian", "access_body", "contact_point"):
        problems += check_links(getattr(ds, name), f"{name}.")
    for kind in ("distributions", "samples"):
        for i, dist in enumerate(getattr(ds, kind)):
            problems += check_distribution(dist, f"{kind}[{i}].")
    for i, note in enumerate(ds.quality):
        problems += _check_quality(note, f"quality[{i}].")
    for i, var in enumerate(ds.variables):
        problems += check_links(var, f"variables[{i}].")
    if ds.derived_from:
        problems += check_identifier(ds.derived_from, "derived_from")
    return problems


def check_identifier(identifier: str, where: str = "identifier") -> list[Violation]:
    """A violation unless ``identifier`` is a lower-case slug (it names a mount folder)."""
    if IDENTIFIER_RE.match(identifier or ""):
        return []
    msg = "must be 1-80 lower-case letters, digits and inner hyphens (e.g. 'ct-thorax-2023')"
    return [Violation(where, msg)]


def check_links(obj: object, path: str) -> list[Violation]:
    """Violations for malformed ``email``, ``url`` and ``*_url`` fields of ``obj``."""
    problems = []
    for f in fields(obj):
        value = getattr(obj, f.name)
        if not value or not isinstance(value, str):
            continue
        if f.name == "email" and not EMAIL_RE.match(value):
            problems.append(Violation(f"{path}email", f"{value!r} is not an e-mail address"))
        if (f.name == "url" or f.name.endswith("_url")) and not URL_RE.match(value):
            problems.append(Violation(f"{path}{f.name}", f"{value!r} is not an http(s) URL"))
    return problems


def check_distribution(dist: Distribution, path: str) -> list[Violation]:
    """Violations for a distribution's links and codes."""
    problems = check_links(dist, path)
    codes = {k: v for k, v in (("format", "file-type"), ("licence", "licence")) if getattr(dist, k)}
    problems += check_codes(dist, codes, path)
    if dist.media_type and not MEDIA_TYPE_RE.match(dist.media_type):
        problems.append(Violation(f"{path}media_type", "must be an IANA media type (text/csv)"))
    if dist.byte_size is not None and dist.byte_size < 0:
        problems.append(Violation(f"{path}byte_size", "must not be negative"))
    return problems


def _check_quality(note: QualityAnnotation, path: str) -> list[Violation]:
    problems = check_codes(note, {"dimension": "quality-dimension"}, path)
    if note.metric and not METRIC_RE.match(note.metric):
        problems.append(Violation(f"{path}metric", "must be a dotted id (e.g. privacy.dcr_share)"))
    if note.value is None:
        return problems
    if not note.metric and not 0.0 <= note.value <= 1.0:
        problems.append(Violation(f"{path}value", "must be between 0 and 1"))
    elif not math.isfinite(note.value):
        problems.append(Violation(f"{path}value", "must be a finite number"))
    return problems
