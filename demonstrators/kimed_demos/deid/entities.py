"""The entity types this demonstrator finds in German clinical text.

One catalogue names every type once: the corpus annotates with these names, the
recognizers emit them, the evaluation reports them and the anonymiser configuration is
validated against them. ``NER_LABELS`` are the types the trained spaCy model predicts;
the others come from pattern recognizers with checksums and German context words.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Finding:
    """An identifier found in a text: offsets [start, end), entity type, score."""

    start: int
    end: int
    entity_type: str
    score: float


ENTITY_DESCRIPTIONS = MappingProxyType(
    {
        "PERSON": "patient, relative and clinician names (without titles such as Dr. med.)",
        "DATE": "dates in German formats: 12.03.2024, 12. März 2024, März 2024, 03/24",
        "AGE": "ages over 89 (HIPAA Safe Harbor, default) or every age (age_policy='all')",
        "LOCATION": "street with house number, city",
        "DE_PLZ": "German postcode (Postleitzahl) in an address",
        "ORGANIZATION": "hospitals, practices, care services, insurers, employers, authorities",
        "WARD": "ward designation after 'Station' (Station 4B -> '4B')",
        "PHONE_NUMBER": "telephone and fax numbers",
        "EMAIL_ADDRESS": "e-mail addresses",
        "URL": "web addresses (www., http://, https://) of practices and people",
        "DE_HEALTH_INSURANCE": "KVNR (Krankenversichertennummer) with valid check digit",
        "CASE_NUMBER": "case, admission, patient and order numbers (Fallnummer, Aufnahmenummer)",
        "DE_LANR": "lebenslange Arztnummer (LANR) with valid check digit",
        "DE_BSNR": "Betriebsstättennummer (BSNR) of a practice",
        "IBAN_CODE": "IBAN with valid mod-97 checksum",
        "DE_RVNR": "Rentenversicherungsnummer (pension insurance number) with valid check digit",
    }
)
ENTITY_TYPES = tuple(ENTITY_DESCRIPTIONS)
NER_LABELS = ("PERSON", "LOCATION", "ORGANIZATION")
PATTERN_TYPES = tuple(t for t in ENTITY_TYPES if t not in NER_LABELS)


def check_entity_types(names, where: str) -> None:
    """Raise ValueError if any of ``names`` is not a known entity type.

    ``where`` says which argument or setting held the names, so that the message
    points at what to fix.
    """
    unknown = sorted(set(names) - set(ENTITY_TYPES))
    if unknown:
        raise ValueError(
            f"unknown entity type(s) {unknown} in {where}; use one of: {', '.join(ENTITY_TYPES)}"
        )
