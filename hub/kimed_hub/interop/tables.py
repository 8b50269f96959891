"""Analysis-ready tables from FHIR resources: one table per resource type, fixed columns.

Every event table has ``id``, ``patient_id``, ``encounter_id``, the resource's primary
code as ``code``/``code_system``/``code_display`` (the MII-preferred system first, see
``codes.CODED_ELEMENTS``; an older URI the reviewed ``policies/fhir-code-systems.yaml``
normalises is kept under the current URI, the URI as written in
``code_system_original``) and ``time``: the clinically relevant moment (onset, effective,
performed, start) as a UTC timestamp. Partial FHIR dates (``2020``, ``2020-05``) become the
first day of their period at 00:00 UTC; dates stay dates. The patient table is keyed by
``patient_id``. Consent has one row per nested provision (policy code, permit or deny, and
its period), which is what the consent filter reads. A medication statement or
administration that references a Medication resource of its own keeps its id in
``medication_id``; the importer fills the code columns from the Medication
(``medication_refs``), whose rows are a lookup only, never a table of the dataset.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache

import pyarrow as pa

from kimed_demos.phenotype.codes import (
    ATC,
    CODED_ELEMENTS,
    CONSENT_POLICY,
    OBSERVATION_CATEGORY,
    PZN,
)

from .code_systems import canonical

TS = pa.timestamp("us", tz="UTC")
CODE_COLUMNS = [
    ("code", pa.string()),
    ("code_system", pa.string()),
    ("code_display", pa.string()),
    ("code_system_original", pa.string()),  # the URI as written, where it was normalised
]
#: The coded element per resource type: the profiles' (``CODED_ELEMENTS``) and the MII
#: Medication's ``code`` (slices atcClassDe, atcClassEn, Pharmazentralnummer).
CODED = {**CODED_ELEMENTS, "Medication": ("code", (ATC, PZN))}
#: Every current URI a coded element allows (no policy lookup needed for these).
_CURRENT = {system for _, systems in CODED.values() for system in systems}
EVENT = [("id", pa.string()), ("patient_id", pa.string()), ("encounter_id", pa.string())]
MEDICATION_EVENT = [*EVENT, *CODE_COLUMNS, ("medication_id", pa.string())]

SCHEMAS = {
    "Patient": pa.schema(
        [
            ("patient_id", pa.string()),
            ("gender", pa.string()),
            ("birth_date", pa.date32()),
            ("deceased", pa.bool_()),
            ("deceased_date", pa.date32()),
            ("postal_code", pa.string()),
            ("country", pa.string()),
        ]
    ),
    "Encounter": pa.schema(
        [
            *EVENT,
            ("status", pa.string()),
            ("class_code", pa.string()),
            ("type_code", pa.string()),
            ("time", TS),
            ("end", TS),
        ]
    ),
    "Condition": pa.schema(
        [
            *EVENT,
            *CODE_COLUMNS,
            ("code_version", pa.string()),
            ("clinical_status", pa.string()),
            ("time", TS),
            ("recorded_date", pa.date32()),
        ]
    ),
    "Procedure": pa.schema([*EVENT, *CODE_COLUMNS, ("status", pa.string()), ("time", TS)]),
    "Observation": pa.schema(
        [
            *EVENT,
            *CODE_COLUMNS,
            ("status", pa.string()),
            ("category", pa.string()),
            ("time", TS),
            ("value", pa.float64()),
            ("value_comparator", pa.string()),
            ("unit", pa.string()),
            ("unit_system", pa.string()),
            ("value_code", pa.string()),
        ]
    ),
    "MedicationStatement": pa.schema(
        [*MEDICATION_EVENT, ("status", pa.string()), ("time", TS), ("end", TS)]
    ),
    "MedicationAdministration": pa.schema(
        [*MEDICATION_EVENT, ("status", pa.string()), ("time", TS), ("end", TS)]
    ),
    "Medication": pa.schema([("id", pa.string()), *CODE_COLUMNS]),
    "Consent": pa.schema(
        [
            ("id", pa.string()),
            ("patient_id", pa.string()),
            ("status", pa.string()),
            ("time", TS),
            ("policy_code", pa.string()),
            ("policy_display", pa.string()),
            ("provision_type", pa.string()),
            ("period_start", pa.date32()),
            ("period_end", pa.date32()),
        ]
    ),
}
#: The file name (without suffix) of each resource type's table.
TABLE_NAMES = {
    "Patient": "patient",
    "Encounter": "encounter",
    "Condition": "condition",
    "Procedure": "procedure",
    "Observation": "observation",
    "MedicationStatement": "medication_statement",
    "MedicationAdministration": "medication_administration",
    "Consent": "consent",
    "Medication": "medication",  # a lookup: removed before the folder is published
}
SUPPORTED = tuple(SCHEMAS)
#: FHIR R4's dateTime (and date) format: a time needs a zone; partial dates allowed.
DATE_TIME = re.compile(
    r"^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]"
    r"|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,6})?"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$"
)
#: The Python type each column's values must have (JSON numbers may be int or float).
PY_TYPES = {
    pa.string(): (str, "text"),
    pa.float64(): ((int, float), "a number"),
    pa.bool_(): (bool, "true or false"),
    pa.date32(): (date, "a date"),
    TS: (datetime, "a dateTime"),
}


def parse_time(text: str | None) -> datetime | None:
    """A FHIR date or dateTime as an aware UTC datetime (partial dates: period start);
    ValueError for text that is neither."""
    if not text:
        return None
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a FHIR date or dateTime")
    return _parsed_time(text)


@lru_cache(maxsize=8192)  # dates repeat (consent periods, birth dates): parse each once
def _parsed_time(text: str) -> datetime:
    if not DATE_TIME.match(text):
        raise ValueError(f"{text!r} is not a FHIR date or dateTime")
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:  # a plain date (a dateTime with a time must carry a zone)
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_date(text: str | None) -> date | None:
    """A FHIR date (or the date part of a dateTime) as a date."""
    moment = parse_time(text[:10] if text else None)
    return moment.date() if moment else None


def ref_id(reference: dict | None, kind: str) -> str | None:
    """``'abc'`` from ``{"reference": "Patient/abc"}`` when ``kind`` is Patient; also from
    an absolute reference (``https://dic.example/fhir/Patient/abc``, a ``_history/N``
    version allowed). Bundles' ``urn:uuid:`` references are resolved when reading."""
    if not reference or "reference" not in reference:
        return None
    target = reference["reference"]
    if target.startswith(f"{kind}/") and "/" not in target[len(kind) + 1 :]:
        return target[len(kind) + 1 :]
    match = RESTFUL_REF.match(target)
    return match["id"] if match and match["type"] == kind else None


#: A RESTful reference: ``[<base>/]<type>/<id>[/_history/<version>]``.
RESTFUL_REF = re.compile(
    r"^(https?://\S+/)?(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})(/_history/[^/]+)?$"
)


def coded_concept(resource: dict) -> dict:
    """The CodeableConcept the profile codes: ``code``, or the medication's: its
    ``medicationCodeableConcept``, or the ``code`` of the contained Medication that
    ``medicationReference`` names (``#id``). ``{}`` when there is none (also for a
    reference to a Medication resource of its own: :func:`medication_ref`)."""
    element, _ = CODED[resource["resourceType"]]
    if element in resource or "medicationReference" not in resource:
        return resource.get(element) or {}
    target = (resource["medicationReference"] or {}).get("reference") or ""
    for contained in resource.get("contained") or []:
        if target == f"#{contained.get('id')}" and contained.get("resourceType") == "Medication":
            return contained.get("code") or {}
    return {}


def medication_ref(resource: dict) -> str | None:
    """The id of the Medication resource (of its own, not contained) that
    ``medicationReference`` names: ``Medication/<id>``, absolute or versioned."""
    return ref_id(resource.get("medicationReference"), "Medication")


def primary_coding(resource: dict) -> dict:
    """The coding the table keeps: the first of the most preferred allowed system (a
    coding under its current URI before one the policy normalises)."""
    _, systems = CODED[resource["resourceType"]]
    best, rank = {}, None
    for coding in coded_concept(resource).get("coding", []):
        written = coding.get("system")
        if written == systems[0]:
            return coding  # the best there can be (and the usual case): at once
        system = written if written in systems else canonical(written)
        if system in systems:
            here = (systems.index(system), system != written)
            if rank is None or here < rank:
                best, rank = coding, here
    return best


def _coded(resource: dict, coding: dict | None = None) -> dict:
    """The code columns of ``coding`` (default: the resource's primary coding)."""
    coding = primary_coding(resource) if coding is None else coding
    written = coding.get("system")
    system = written if written in _CURRENT else canonical(written)
    return {
        "code": coding.get("code"),
        "code_system": system,
        "code_display": coding.get("display"),
        "code_system_original": written if written != system else None,
    }


def _first_code(concept_list: list | None, system: str | None = None) -> str | None:
    """The first code (of ``system`` if one of them has it) in a list of concepts."""
    codings = [c for concept in concept_list or [] for c in concept.get("coding", [])]
    for coding in codings:
        if coding.get("system") == system:
            return coding.get("code")
    return codings[0].get("code") if codings else None


def _event(resource: dict, encounter_key: str = "encounter") -> dict:
    return {
        "id": resource["id"],
        "patient_id": ref_id(resource.get("subject"), "Patient"),
        "encounter_id": ref_id(resource.get(encounter_key), "Encounter"),
    }


def _effective(resource: dict, name: str) -> tuple[datetime | None, datetime | None]:
    period = resource.get(f"{name}Period")
    if period:
        return parse_time(period.get("start")), parse_time(period.get("end"))
    return parse_time(resource.get(f"{name}DateTime")), None


def _patient(r: dict) -> list[dict]:
    address = (r.get("address") or [{}])[0]
    deceased = r.get("deceasedDateTime")
    return [
        {
            "patient_id": r["id"],
            "gender": r.get("gender"),
            "birth_date": parse_date(r.get("birthDate")),
            "deceased": bool(deceased) or bool(r.get("deceasedBoolean")),
            "deceased_date": parse_date(deceased),
            "postal_code": address.get("postalCode"),
            "country": address.get("country"),
        }
    ]


def _encounter(r: dict) -> list[dict]:
    period = r.get("period", {})
    return [
        {
            **_event(r, "partOf"),
            "status": r.get("status"),
            "class_code": r.get("class", {}).get("code"),
            "type_code": _first_code(r.get("type")),
            "time": parse_time(period.get("start")),
            "end": parse_time(period.get("end")),
        }
    ]


def _condition(r: dict) -> list[dict]:
    onset = (
        parse_time(r.get("onsetDateTime"))
        or parse_time((r.get("onsetPeriod") or {}).get("start"))
        or parse_time(r.get("recordedDate"))
    )
    clinical, coding = r.get("clinicalStatus"), primary_coding(r)
    return [
        {
            **_event(r),
            **_coded(r, coding),
            "code_version": coding.get("version"),
            "clinical_status": _first_code([clinical] if clinical else None),
            "time": onset,
            "recorded_date": parse_date(r.get("recordedDate")),
        }
    ]


def _procedure(r: dict) -> list[dict]:
    start, _ = _effective(r, "performed")
    return [{**_event(r), **_coded(r), "status": r.get("status"), "time": start}]


def _observation(r: dict) -> list[dict]:
    quantity = r.get("valueQuantity") or {}
    return [
        {
            **_event(r),
            **_coded(r),
            "status": r.get("status"),
            "category": _first_code(r.get("category"), OBSERVATION_CATEGORY),
            "time": _effective(r, "effective")[0],
            "value": quantity.get("value"),
            "value_comparator": quantity.get("comparator"),  # "<5" is not 5
            "unit": quantity.get("code") or quantity.get("unit"),
            "unit_system": quantity.get("system"),
            "value_code": _first_code([r["valueCodeableConcept"]])
            if "valueCodeableConcept" in r
            else None,
        }
    ]


def _medication(r: dict) -> list[dict]:
    start, end = _effective(r, "effective")
    return [
        {
            **_event(r, "context"),
            **_coded(r),  # empty for a Medication of its own: filled by the importer
            "medication_id": medication_ref(r),
            "status": r.get("status"),
            "time": start,
            "end": end,
        }
    ]


def _medication_product(r: dict) -> list[dict]:
    return [{"id": r["id"], **_coded(r)}]


def _consent(r: dict) -> list[dict]:
    base = {
        "id": r["id"],
        "patient_id": ref_id(r.get("patient"), "Patient"),
        "status": r.get("status"),
        "time": parse_time(r.get("dateTime")),
    }
    rows = []
    for provision in r.get("provision", {}).get("provision", []):
        period = provision.get("period", {})
        for concept in provision.get("code", []):
            for coding in concept.get("coding", []):
                if coding.get("system") == CONSENT_POLICY:
                    rows.append(
                        {
                            **base,
                            "policy_code": coding.get("code"),
                            "policy_display": coding.get("display"),
                            "provision_type": provision.get("type"),
                            "period_start": parse_date(period.get("start")),
                            "period_end": parse_date(period.get("end")),
                        }
                    )
    return rows


FLATTENERS = {
    "Patient": _patient,
    "Encounter": _encounter,
    "Condition": _condition,
    "Procedure": _procedure,
    "Observation": _observation,
    "MedicationStatement": _medication,
    "MedicationAdministration": _medication,
    "Consent": _consent,
    "Medication": _medication_product,
}


def rows_of(resource: dict) -> list[dict]:
    """The table rows of one (validated) resource."""
    return FLATTENERS[resource["resourceType"]](resource)


#: Per resource type: (column, Python types its values may have, their name, whether
#: bools fit: JSON true/false are ints to Python).
COLUMN_TYPES = {
    kind: [(c.name, *PY_TYPES[c.type], c.type == pa.bool_()) for c in schema]
    for kind, schema in SCHEMAS.items()
}


#: Per resource type: the number columns, where Arrow would take JSON true/false as 1/0.
FLOAT_COLUMNS = {
    kind: [c.name for c in schema if c.type == pa.float64()] for kind, schema in SCHEMAS.items()
}


def row_problems(kind: str, rows: list[dict]) -> list[str]:
    """Why a value of ``rows`` cannot go into its column (wrong JSON type in the
    resource, e.g. a code given as a number); empty when every value fits."""
    for row in rows:
        for name, types, label, bools in COLUMN_TYPES[kind]:
            value = row.get(name)
            if value is None or (
                isinstance(value, types) and (bools or value is not True and value is not False)
            ):
                continue
            return [f"FHIR R4: {kind}: {value!r} (table column {name}) is not {label}"]
    return []
