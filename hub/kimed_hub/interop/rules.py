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

from kimed_demos.phenotype.codes import ATC, CONSENT_POLICY, code_problem

from .code_systems import canonical, refused
from .tables import CODED, SUPPORTED, coded_concept, medication_ref, ref_id

ID_RE = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
#: Elements the MII profiles require, per resource type (``a|b``: one of them).
REQUIRED = {
    "Patient": ("gender", "birthDate"),
    "Encounter": ("status", "class", "subject", "period"),
    # MII_PR_Diagnose_Condition (medizininformatik-initiative/kerndatensatzmodul-diagnose,
    # input/fsh/profiles/MII_PR_Diagnose_Condition.fsh, 2024-10-18): "recordedDate 1.. MS"
    # (Dokumentationsdatum), "subject 1..", "code 1..". onset[x] is must-support, 0..1.
    "Condition": ("code", "subject", "recordedDate"),
    "Procedure": ("status", "code", "subject", "performedDateTime|performedPeriod"),
    "Observation": ("status", "code", "subject", "effectiveDateTime|effectivePeriod"),
    "MedicationStatement": ("status", "subject", "effectiveDateTime|effectivePeriod"),
    "MedicationAdministration": ("status", "subject", "effectiveDateTime|effectivePeriod"),
    "Consent": ("status", "patient", "dateTime", "provision"),
    # MII_PR_Medikation_Medication: every slice of code.coding is 0..*; the tables need
    # an ATC or PZN coding in code (``_codings``), as for a contained Medication.
    "Medication": (),
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
    """The coded element needs a well-formed coding from a system the profile allows
    (an older URI the code-system policy normalises counts as the current one); codings
    of other systems (a local lab code beside LOINC) are allowed beside it, as the
    profiles' open slicing allows, and not kept."""
    kind = resource["resourceType"]
    if kind not in CODED:
        return []
    element, systems = CODED[kind]
    concept = coded_concept(resource)
    if not concept and "medicationReference" in resource:
        return _medication_reference(resource)
    codings = concept.get("coding", [])
    written = [(c, c.get("system")) for c in codings]
    allowed = [(c, w if w in systems else canonical(w)) for c, w in written]
    allowed = [(c, system) for c, system in allowed if system in systems]
    problems = [
        f"MII: {kind}.{element}: {why}"
        for c, system in allowed
        if (why := code_problem(system, c.get("code")))
    ]
    if not allowed:
        problems.append(_no_allowed_coding(kind, element, systems, codings))
    return problems


def _medication_reference(resource: dict) -> list[str]:
    """A reference to a Medication resource of its own is resolved by the importer
    across the whole import; anything else must name a contained Medication."""
    if medication_ref(resource):
        return []
    kind = resource["resourceType"]
    target = (resource["medicationReference"] or {}).get("reference")
    return [
        f"MII: {kind}.medicationReference {target!r} names neither a contained Medication "
        "(#id) nor a Medication resource (Medication/<id>); fix the reference or give "
        "medicationCodeableConcept"
    ]


def _no_allowed_coding(kind: str, element: str, systems: tuple, codings: list) -> str:
    """The message for a coded element without a coding the profile allows: a system
    the policy refuses says why and which URI to use; others are listed."""
    for coding in codings:
        if answer := refused(coding.get("system")):
            use, why = answer
            return (
                f"MII: {kind}.{element}: code system {coding.get('system')!r} is not "
                f"accepted ({why}); code it in {use} (policies/fhir-code-systems.yaml)"
            )
    others = sorted({repr(c.get("system")) for c in codings})
    found = f"; found only unknown code system {', '.join(others)}" if others else ""
    return f"MII: {kind}.{element} needs a coding from one of: {', '.join(systems)}{found}"


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


#: The resource types that may get notices (and name Medication resources).
NOTICED = frozenset(("Medication", "MedicationStatement", "MedicationAdministration"))


def notices(resource: dict, rows: list[dict]) -> list[str]:
    """What an accepted resource lacks that analyses will miss: a medication coded
    without ATC (only PZN; the MII Medication profile makes every slice optional), so
    criteria on ATC codes will not find it. Empty for most resources."""
    kind = resource["resourceType"]
    if kind not in NOTICED or not rows:
        return []
    row = rows[0]
    if row["code_system"] == ATC or row.get("medication_id"):
        return []  # a Medication of its own: noticed at the Medication
    own = kind == "Medication"
    where = "Medication.code" if own else "its medication"
    users = " (so the statements and administrations referring to it)" if own else ""
    return [
        f"no ATC coding in {where}, only {row['code_system']} {row['code']!r}: its "
        f"rows{users} carry that code, and criteria on ATC codes will not find them; ask "
        "the DIZ to add the ATC coding (code.coding slice atcClassDe)"
    ]


def problems_of(resource: object) -> list[str]:
    """Every reason to refuse ``resource`` (a parsed JSON value), structure first."""
    found = basic_problems(resource)
    return (found or structure_problems(resource) or mii_problems(resource))[:MAX_REASONS]
