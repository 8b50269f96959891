"""The code systems of the MII core dataset (Kerndatensatz) that KIMed reads and writes.

One place for the canonical URIs, which element of which resource may carry codes from
which system (the MII profiles' key constraints), the shape each system's codes must
have, the MII broad-consent policy codes, and how each system is named in the catalogue's
``coding-system`` vocabulary. The importer, the generator, the phenotype engine and the
catalogue record all read these tables, so a system is either known everywhere or refused
everywhere.
"""

from __future__ import annotations

import re

ICD10GM = "http://fhir.de/CodeSystem/bfarm/icd-10-gm"
ALPHA_ID = "http://fhir.de/CodeSystem/bfarm/alpha-id"
ORPHA = "http://www.orpha.net"
OPS = "http://fhir.de/CodeSystem/bfarm/ops"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ATC = "http://fhir.de/CodeSystem/bfarm/atc"
PZN = "http://fhir.de/CodeSystem/ifa/pzn"
UCUM = "http://unitsofmeasure.org"
CONSENT_POLICY = "urn:oid:2.16.840.1.113883.3.1937.777.24.5.3"
ENCOUNTER_CLASS = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_CATEGORY = (
    "https://www.medizininformatik-initiative.de/fhir/modul-consent/CodeSystem/"
    "mii-cs-consent-consent_category"
)
#: The MII broad consent's policy (version 1.6d of the template text).
BROAD_CONSENT_POLICY_URI = "urn:oid:2.16.840.1.113883.3.1937.777.24.2.1790"

#: Short names accepted in phenotype definitions and feasibility criteria.
ALIASES = {
    "icd-10-gm": ICD10GM,
    "alpha-id": ALPHA_ID,
    "orpha": ORPHA,
    "ops": OPS,
    "loinc": LOINC,
    "snomed": SNOMED,
    "atc": ATC,
    "pzn": PZN,
    "mii-consent": CONSENT_POLICY,
}

#: What a code of each system looks like; a code that does not is refused at import.
CODE_SHAPES = {
    ICD10GM: re.compile(r"^[A-Z][0-9]{2}(\.[0-9-]{1,2})?[+*!†‡]?$"),
    ALPHA_ID: re.compile(r"^I?[0-9]{1,6}$"),
    ORPHA: re.compile(r"^[0-9]{1,7}$"),
    OPS: re.compile(r"^[1-9]-[0-9]{2}[0-9a-z]?(\.[0-9a-z]{1,2})?$"),
    LOINC: re.compile(r"^[0-9]{1,7}-[0-9]$"),
    SNOMED: re.compile(r"^[0-9]{6,18}$"),
    ATC: re.compile(r"^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$"),
    PZN: re.compile(r"^[0-9]{8}$"),
    CONSENT_POLICY: re.compile(r"^2\.16\.840\.1\.113883\.3\.1937\.777\.24\.5\.3\.[0-9]{1,3}$"),
}

#: Per resource type: the coded element the table keeps, and the systems the MII profile
#: allows there, in order of preference (the first coding found of the first system wins).
CODED_ELEMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Condition": ("code", (ICD10GM, ALPHA_ID, SNOMED, ORPHA)),
    "Procedure": ("code", (OPS, SNOMED)),
    "Observation": ("code", (LOINC, SNOMED)),
    "MedicationStatement": ("medicationCodeableConcept", (ATC, PZN)),
    "MedicationAdministration": ("medicationCodeableConcept", (ATC, PZN)),
}

#: MII broad-consent policy codes (urn:oid:...24.5.3.N) with their German display.
CONSENT_CODES = {
    f"{CONSENT_POLICY[8:]}.{n}": display
    for n, display in (
        (1, "PATDAT erheben, speichern, nutzen"),
        (2, "IDAT erheben"),
        (3, "IDAT speichern, verarbeiten"),
        (4, "IDAT zusammenführen Dritte"),
        (5, "IDAT bereitstellen EU DSGVO NIVEAU"),
        (6, "MDAT erheben"),
        (7, "MDAT speichern, verarbeiten"),
        (8, "MDAT wissenschaftlich nutzen EU DSGVO NIVEAU"),
        (9, "MDAT zusammenführen Dritte"),
        (19, "BIOMAT erheben"),
        (20, "BIOMAT lagern, verarbeiten"),
        (22, "BIOMAT wissenschaftlich nutzen EU DSGVO NIVEAU"),
    )
}
MDAT_USE = f"{CONSENT_POLICY[8:]}.8"
MDAT_STORE = f"{CONSENT_POLICY[8:]}.7"
MDAT_COLLECT = f"{CONSENT_POLICY[8:]}.6"

#: The catalogue's ``coding-system`` vocabulary code for each system (HealthDCAT-AP).
CATALOGUE_CODING_SYSTEMS = {
    ICD10GM: "ICD-10-NAT",
    OPS: "OPS",
    LOINC: "LOINC",
    SNOMED: "SNOMED-CT",
    ATC: "ATC",
    UCUM: "UCUM",
    ORPHA: "ORPHACODE",
}


def resolve_system(name: str) -> str:
    """The canonical URI for a system URI or alias; ``ValueError`` naming the known ones."""
    uri = ALIASES.get(name.lower(), name) if name else name
    if uri in CODE_SHAPES:
        return uri
    known = ", ".join(sorted(ALIASES))
    raise ValueError(f"unknown code system {name!r}; use one of {known} (or their URIs)")


def code_problem(system: str, code: str) -> str | None:
    """Why ``code`` is not a code of ``system`` (None when it is well-formed)."""
    shape = CODE_SHAPES.get(system)
    if shape is None:
        return f"code system {system!r} is not one the MII core dataset uses here"
    if not isinstance(code, str) or not shape.match(code):
        return f"{code!r} is not a well-formed code of {system}"
    return None
