"""Is one resource acceptable? FHIR R4 structure (``fhir.resources``) and MII key constraints.

The structure check uses the R4B models of ``fhir.resources`` 8.x (the releases on
pydantic 2 ship R4B, not 4.0.1; the resource types the MII core dataset uses are the same
in both for every element read here). The MII checks are the profiles' key constraints
that analyses depend on: required elements, the coded element's codings from the systems
the profile allows and well-formed codes, subject references of the form
``Patient/<id>``. Each check returns reasons (strings); an empty list means accepted.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import ValidationError

from kimed_demos.phenotype.codes import CODED_ELEMENTS, CONSENT_POLICY, code_problem

from .tables import SUPPORTED, coded_concept, ref_id

ID_RE = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
#: Elements the MII profiles require, per resource type (``a|b``: one of them).
REQUIRED = {
    "Patient": ("gender", "birthDate"),
    "Encounter": ("status", "class", "subject", "period"),
    "Condition": ("code", "subject", "recordedDate|onsetDateTime|onsetPeriod"),
    "Procedure": ("status", "code", "subject", "performedDateTime|performedPeriod"),
    "Observation": ("status", "code", "subject", "effectiveDateTime|effectivePeriod"),
    "MedicationStatement": ("status", "subject", "effectiveDateTime|effectivePeriod"),
    "MedicationAdministration": ("status", "subject", "effectiveDateTime|effectivePeriod"),
    "Consent": ("status", "patient", "dateTime", "provision"),
}
MAX_REASONS = 5


@cache
def _model(kind: str):
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(kind)


def structure_problems(resource: dict) -> list[str]:
    """Why ``resource`` is not a valid FHIR R4 resource of its type (empty: it is)."""
    try:
        _model(resource["resourceType"]).model_validate(resource)
    except ValidationError as error:
        found = []
        for item in error.errors()[:MAX_REASONS]:
            where = ".".join(str(p) for p in item["loc"]) or resource["resourceType"]
            found.append(f"FHIR R4: {where}: {item['msg']}")
        return found
    return []


#: REQUIRED split once: per type, (alternatives, how the message names them).
_REQUIRED = {
    kind: [(tuple(names.split("|")), names.replace("|", " or ")) for names in groups]
    for kind, groups in REQUIRED.items()
}
_EMPTY = (None, "", [], {})


def _required(resource: dict) -> list[str]:
    kind = resource["resourceType"]
    missing = []
    for names, label in _REQUIRED[kind]:
        for name in names:
            if resource.get(name) not in _EMPTY:
                break
        else:
            missing.append(f"MII: {kind}.{label} is required")
    return missing


def _codings(resource: dict) -> list[str]:
    """The coded element needs a well-formed coding from a system the profile allows;
    codings of other systems (a local lab code beside LOINC) are allowed beside it, as
    the profiles' open slicing allows, and not kept."""
    kind = resource["resourceType"]
    if kind not in CODED_ELEMENTS:
        return []
    element, systems = CODED_ELEMENTS[kind]
    concept = coded_concept(resource)
    if not concept and "medicationReference" in resource:
        target = (resource["medicationReference"] or {}).get("reference")
        return [
            f"MII: {kind}.medicationReference {target!r} names no contained Medication; "
            "contain the Medication (reference #id) or give medicationCodeableConcept "
            "(Medication resources of their own are not imported yet)"
        ]
    codings = concept.get("coding", [])
    allowed = [c for c in codings if c.get("system") in systems]
    problems = [
        f"MII: {kind}.{element}: {code_problem(c['system'], c.get('code'))}"
        for c in allowed
        if code_problem(c["system"], c.get("code"))
    ]
    if not allowed:
        others = sorted({repr(c.get("system")) for c in codings})
        found = f"; found only unknown code system {', '.join(others)}" if others else ""
        problems.append(
            f"MII: {kind}.{element} needs a coding from one of: {', '.join(systems)}{found}"
        )
    return problems


def _subject(resource: dict) -> list[str]:
    kind = resource["resourceType"]
    if kind == "Patient":
        return []
    key = "patient" if kind == "Consent" else "subject"
    reference = resource.get(key) or {}
    target = reference.get("reference", "")
    found = ref_id(reference, "Patient")
    if target and not (found and ID_RE.match(found)):
        return [f"MII: {kind}.{key} must reference a Patient (Patient/<id>), not {target!r}"]
    return []


def _consent(resource: dict) -> list[str]:
    if resource["resourceType"] != "Consent":
        return []
    problems = []
    for i, provision in enumerate(resource.get("provision", {}).get("provision", [])):
        where = f"Consent.provision.provision[{i}]"
        if provision.get("type") not in ("permit", "deny"):
            problems.append(f"MII: {where}.type must be permit or deny")
        if not provision.get("period", {}).get("start"):
            problems.append(f"MII: {where}.period.start is required")
        for concept in provision.get("code", []):
            for coding in concept.get("coding", []):
                why = code_problem(coding.get("system"), coding.get("code"))
                if coding.get("system") != CONSENT_POLICY or why:
                    problems.append(f"MII: {where}.code: {why or 'not an MII consent policy code'}")
    return problems


def mii_problems(resource: dict) -> list[str]:
    """Why ``resource`` breaks an MII key constraint (empty: it does not)."""
    return _required(resource) + _codings(resource) + _subject(resource) + _consent(resource)


def basic_problems(resource: object) -> list[str]:
    """Why ``resource`` (a parsed JSON value) is no resource this import reads."""
    if not isinstance(resource, dict):
        return ["not a JSON object"]
    kind = resource.get("resourceType")
    if kind not in SUPPORTED:
        return [f"resourceType {kind!r} is not imported (supported: {', '.join(SUPPORTED)})"]
    if not isinstance(resource.get("id"), str) or not ID_RE.match(resource["id"]):
        return ["id is missing or not a FHIR id (1-64 of A-Z a-z 0-9 - .)"]
    return []


def problems_of(resource: object) -> list[str]:
    """Every reason to refuse ``resource`` (a parsed JSON value), structure first."""
    found = basic_problems(resource)
    return (found or structure_problems(resource) or mii_problems(resource))[:MAX_REASONS]
