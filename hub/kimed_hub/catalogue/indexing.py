"""What the search index stores for a dataset: text columns, range columns, facet rows.

Both database backends index the same derived values, computed here once: text is
normalised in Python (lower case, accents and umlauts folded, punctuation removed) before
it reaches SQLite FTS5 or PostgreSQL ``tsvector``, and queries go through the same
normaliser, so "Röntgen", "rontgen" and "RÖNTGEN" find the same records on both.
"""

from __future__ import annotations

import re
import unicodedata

from .model import Dataset
from .vocab import vocabularies

#: Facet name → (label de, label en, vocabulary scheme or "" for free values).
FACETS: dict[str, tuple[str, str, str]] = {
    "health_category": ("Gesundheitskategorie", "Health category", "health-category"),
    "modality": ("Modalität", "Modality", "modality"),
    "data_model": ("Datenmodell / Standard", "Data model / standard", "standard"),
    "coding_system": ("Kodiersystem", "Coding system", "coding-system"),
    "custodian": ("Datenhalter", "Data holder", ""),
    "access_rights": ("Zugangsstufe", "Access level", "access-right"),
    "synthetic_available": ("Synthetische Version", "Synthetic version", ""),
    "dataset_type": ("Datensatztyp", "Dataset type", "dataset-type"),
}
YES_NO = {"yes": ("ja", "yes"), "no": ("nein", "no")}
SUMMARY_CHARS = 240
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l"})
_WORD = re.compile(r"[a-z0-9]+")


def normalise_text(value: str) -> str:
    """Lower-case words without accents, joined by single spaces (index and query form)."""
    folded = unicodedata.normalize("NFKD", value.lower().translate(_FOLD))
    # Decomposed accents are separate code points; dropping non-ASCII removes them (and
    # any other non-Latin letter, which the index does not support anyway).
    plain = folded.encode("ascii", "ignore").decode("ascii")
    return " ".join(_WORD.findall(plain))


def query_terms(query: str, limit: int = 8) -> list[str]:
    """The search terms of a user's query: normalised words, at most ``limit``."""
    return normalise_text(query).split()[:limit]


def index_columns(ds: Dataset) -> dict:
    """The search, filter and sort columns of ``ds``."""
    period = ds.temporal
    return {
        "title_de": ds.title.de,
        "title_en": ds.title.en,
        "summary_de": _summary(ds.description.de),
        "summary_en": _summary(ds.description.en),
        "sort_title": normalise_text(ds.title.en or ds.title.de)[:200],
        "access_rights": ds.access_rights,
        "n_individuals": ds.number_of_individuals,
        "n_records": ds.number_of_records,
        "min_age": ds.min_age,
        "max_age": ds.max_age,
        "time_start": period.start if period else None,
        "time_end": period.end if period else None,
        "is_synthetic": ds.is_synthetic,
        "source_identifier": ds.derived_from or None,
        "modified": ds.modified,
    }


def text_columns(ds: Dataset) -> dict:
    """The full-text columns of ``ds``: title, description, keywords+codes, variables."""
    return {
        "fts_title": normalise_text(f"{ds.title.de} {ds.title.en}"),
        "fts_body": normalise_text(f"{ds.description.de} {ds.description.en}"),
        "fts_keywords": normalise_text(" ".join(ds.keywords + _code_words(ds))),
        "fts_variables": normalise_text(" ".join(_variable_words(ds))),
    }


def _summary(description: str) -> str:
    """The first line of a description, cut at a word (the list view shows only this)."""
    first = description.strip().split("\n", 1)[0]
    if len(first) <= SUMMARY_CHARS:
        return first
    return first[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"


def _code_words(ds: Dataset) -> list[str]:
    # Codes and their labels are searchable too: "MRT" or "SNOMED" should find records.
    vocab = vocabularies()
    words = []
    for scheme, codes in (("modality", ds.modalities), ("coding-system", ds.coding_systems)):
        for code in codes:
            words += [code, vocab.label(scheme, code, "de"), vocab.label(scheme, code, "en")]
    return words + ds.standards


def _variable_words(ds: Dataset) -> list[str]:
    return [f"{v.name} {v.title}" for v in ds.variables]


def facet_rows(ds: Dataset, has_synthetic: bool) -> list[tuple[str, str]]:
    """The (facet, value) pairs of ``ds``.

    ``has_synthetic`` says whether a synthetic version of ``ds`` is in the catalogue; the
    store knows that, the record alone does not.
    """
    rows = [("health_category", c) for c in ds.health_categories]
    rows += [("modality", c) for c in ds.modalities]
    rows += [("data_model", c) for c in ds.standards]
    rows += [("coding_system", c) for c in ds.coding_systems]
    rows += [("dataset_type", c) for c in ds.dataset_types]
    rows.append(("access_rights", ds.access_rights))
    if ds.custodian.name:
        rows.append(("custodian", ds.custodian.name[:300]))
    available = has_synthetic or ds.is_synthetic or bool(ds.samples)
    rows.append(("synthetic_available", "yes" if available else "no"))
    return sorted(set(rows))


def facet_value_label(facet: str, value: str, lang: str) -> str:
    """The label of a facet value in ``lang`` (vocabulary label, yes/no, or the value)."""
    scheme = FACETS[facet][2]
    if scheme:
        return vocabularies().label(scheme, value, lang)
    if facet == "synthetic_available" and value in YES_NO:
        return YES_NO[value][0 if lang == "de" else 1]
    return value
