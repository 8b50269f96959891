"""Fictional patients of an MII data integration centre, as FHIR R4 core-dataset resources.

Each patient is simulated on their own random stream (``Random(seed, index)``), so patient
``i`` is the same whatever else is generated and the output is the same for the same seed.
A patient gets latent chronic conditions drawn with age and comorbidity
(``synth_codes.DISEASES``), stays between 2016 and 2024 (inpatient or outpatient), the
conditions coded at those stays in ICD-10-GM (some diabetics never coded: the labs must
find them), lab series in LOINC with UCUM units that the conditions move (HbA1c, eGFR by
CKD-EPI 2021 from creatinine, NT-proBNP, ...), body weight and height, long-term drugs
(MedicationStatement) and inpatient drugs (MedicationAdministration) in ATC, procedures in
OPS, and a broad consent (``synth_consent``). Every name and number is made up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kimed_demos.phenotype.codes import (
    ATC,
    ENCOUNTER_CLASS,
    ICD10GM,
    LOINC,
    OBSERVATION_CATEGORY,
    OPS,
    UCUM,
)

from . import synth_codes as vocab
from .synth_consent import ConsentFacts, consent_resources

BERLIN = ZoneInfo("Europe/Berlin")
FIRST_DAY, LAST_DAY = date(2016, 1, 1), date(2024, 12, 31)
#: "Today" of the simulation, fixed so that output never depends on the clock.
TODAY = date(2025, 6, 30)
UNDERCODED_DIABETES = 0.15  # share of diabetics whose diagnosis is never coded


@dataclass
class Stay:
    """One encounter: its id, class and times."""

    id: str
    inpatient: bool
    start: datetime
    end: datetime


@dataclass
class SimPatient:
    """What the simulation decided about one patient (the latent truth)."""

    id: str
    index: int
    gender: str
    birth: date
    conditions: dict[str, date] = field(default_factory=dict)  # key -> diagnosis date
    coded: set[str] = field(default_factory=set)
    stays: list[Stay] = field(default_factory=list)
    bmi: float = 0.0
    height: float = 0.0
    consent: ConsentFacts = field(default_factory=ConsentFacts)


def patient_rng(seed: int, index: int) -> random.Random:
    """The random stream of patient ``index`` under ``seed``."""
    return random.Random(seed * 1_000_003 + index)


def patient_id(index: int) -> str:
    return f"pat-{index:07d}"


def simulate(seed: int, index: int) -> tuple[SimPatient, list[dict]]:
    """Patient ``index``: the latent facts and their FHIR resources (Patient first)."""
    rng = patient_rng(seed, index)
    sim = _person(rng, index)
    _draw_conditions(rng, sim)
    _draw_stays(rng, sim)
    resources = [_patient_resource(rng, sim)]
    for number, stay in enumerate(sim.stays):
        resources.append(_encounter(sim, stay))
        resources += _stay_conditions(rng, sim, stay, number)
        resources += _stay_observations(rng, sim, stay, number)
        resources += _stay_procedures(rng, sim, stay, number)
        resources += _stay_administrations(rng, sim, stay, number)
    resources += _statements(rng, sim)
    consents, sim.consent = consent_resources(rng, sim.id, sim.stays[0].start)
    resources += consents
    return sim, resources


def _person(rng: random.Random, index: int) -> SimPatient:
    roll = rng.random()
    gender = "female" if roll < 0.51 else "male" if roll < 0.995 else "other"
    age_2016 = 18 + int(rng.betavariate(2.2, 1.6) * 72)
    birth = date(2016 - age_2016, 1, 1) + timedelta(days=rng.randrange(365))
    return SimPatient(patient_id(index), index, gender, birth)


def age_on(birth: date, day: date) -> int:
    """Full years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _draw_conditions(rng: random.Random, sim: SimPatient) -> None:
    age = age_on(sim.birth, FIRST_DAY)
    span = (LAST_DAY - FIRST_DAY).days
    for disease in vocab.DISEASES:
        risk = disease.base * disease.age_slope ** ((age - 60) / 10)
        for other, factor in disease.raised_by:
            if other in sim.conditions:
                risk *= factor
        if rng.random() < min(risk, 0.9):
            sim.conditions[disease.key] = FIRST_DAY + timedelta(days=rng.randrange(span))
    undercoded = "t2dm" in sim.conditions and rng.random() < UNDERCODED_DIABETES
    sim.coded = set(sim.conditions) - ({"t2dm"} if undercoded else set())
    obese = "obesity" in sim.conditions
    sim.bmi = min(rng.gauss(34, 3.5), 48) if obese else max(rng.gauss(25, 2.6), 17)
    sim.bmi = max(sim.bmi, 30.6) if obese else min(sim.bmi, 29.4)
    sim.height = rng.gauss(177 if sim.gender == "male" else 164, 7)


def _draw_stays(rng: random.Random, sim: SimPatient) -> None:
    count = 1 + min(9, int(rng.expovariate(1 / (1.2 + 0.8 * len(sim.conditions)))))
    span = (LAST_DAY - FIRST_DAY).days
    days = sorted(rng.sample(range(span), count))
    for number, offset in enumerate(days):
        inpatient = rng.random() < 0.4
        start = datetime.combine(FIRST_DAY + timedelta(days=offset), time(8), BERLIN)
        start += timedelta(minutes=rng.randrange(600))
        end = start + (timedelta(days=rng.randint(1, 14)) if inpatient else timedelta(hours=2))
        sim.stays.append(Stay(f"enc-{sim.index:07d}-{number:02d}", inpatient, start, end))


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _ref(kind: str, ident: str) -> dict:
    return {"reference": f"{kind}/{ident}"}


def _coding(system: str, code: str, display: str) -> dict:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def _patient_resource(rng: random.Random, sim: SimPatient) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": sim.id,
        "identifier": [{"system": "https://kimed.example.org/fhir/sid/pid", "value": sim.id}],
        "gender": sim.gender,
        "birthDate": sim.birth.isoformat(),
        "address": [{"type": "both", "postalCode": f"0{rng.randint(1000, 9999)}", "country": "DE"}],
    }
    if sim.gender == "other":  # the German civil-status gender behind "other"
        resource["_gender"] = {
            "extension": [
                {
                    "url": "http://fhir.de/StructureDefinition/gender-amtlich-de",
                    "valueCoding": {
                        "system": "http://fhir.de/CodeSystem/gender-amtlich-de",
                        "code": "D",
                        "display": "divers",
                    },
                }
            ]
        }
    if rng.random() < 0.03:
        last = sim.stays[-1].end + timedelta(days=rng.randint(1, 120))
        resource["deceasedDateTime"] = _stamp(last)
    return resource


def _encounter(sim: SimPatient, stay: Stay) -> dict:
    code = "IMP" if stay.inpatient else "AMB"
    display = "inpatient encounter" if stay.inpatient else "ambulatory"
    return {
        "resourceType": "Encounter",
        "id": stay.id,
        "status": "finished",
        "class": {"system": ENCOUNTER_CLASS, "code": code, "display": display},
        "type": [
            _coding(
                "http://fhir.de/CodeSystem/Kontaktebene",
                "einrichtungskontakt",
                "Einrichtungskontakt",
            )
        ],
        "subject": _ref("Patient", sim.id),
        "period": {"start": _stamp(stay.start), "end": _stamp(stay.end)},
    }


def _condition(sim: SimPatient, stay: Stay, ident: str, code: str, display: str) -> dict:
    coding = {"system": ICD10GM, "version": str(stay.start.year), "code": code, "display": display}
    return {
        "resourceType": "Condition",
        "id": ident,
        "clinicalStatus": _coding(
            "http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"
        ),
        "code": {"coding": [coding]},
        "subject": _ref("Patient", sim.id),
        "encounter": _ref("Encounter", stay.id),
        "onsetDateTime": _stamp(stay.start),
        "recordedDate": stay.start.date().isoformat(),
    }


def _stay_conditions(rng: random.Random, sim: SimPatient, stay: Stay, number: int) -> list:
    found = []
    for disease in vocab.DISEASES:
        since = sim.conditions.get(disease.key)
        if disease.key in sim.coded and since and since <= stay.start.date():
            first = not any(s.start.date() >= since for s in sim.stays[:number])
            if first or (stay.inpatient and rng.random() < 0.6):
                found.append((disease.code, disease.display))
    if stay.inpatient and rng.random() < 0.5:
        found.append(rng.choice(vocab.ACUTE))
    prefix = f"cond-{sim.index:07d}-{number:02d}"
    return [_condition(sim, stay, f"{prefix}-{i}", c, d) for i, (c, d) in enumerate(found)]


def _observation(sim: SimPatient, stay: Stay, ident: str, what: tuple, value: float) -> dict:
    code, display, unit = what
    vital = code in (vocab.WEIGHT[0], vocab.HEIGHT[0], "8480-6")
    category = "vital-signs" if vital else "laboratory"
    taken = stay.start + timedelta(minutes=30 + 7 * int(ident.rsplit("-", 1)[1]))
    return {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "category": [_coding(OBSERVATION_CATEGORY, category, category.title())],
        "code": _coding(LOINC, code, display),
        "subject": _ref("Patient", sim.id),
        "encounter": _ref("Encounter", stay.id),
        "effectiveDateTime": _stamp(taken),
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def _lab_value(rng: random.Random, sim: SimPatient, lab: vocab.Lab, day: date) -> float:
    mean, sd = lab.normal
    if lab.raised and sim.conditions.get(lab.raised[0], TODAY) <= day:
        mean, sd = lab.raised[1], lab.raised[2]
    return round(max(rng.gauss(mean, sd), mean * 0.3), lab.decimals)


def _egfr(sim: SimPatient, creatinine: float, day: date) -> float:
    """CKD-EPI 2021 (race-free) eGFR in mL/min/1.73 m² from serum creatinine (mg/dL)."""
    female = sim.gender == "female"
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = creatinine / kappa
    egfr = 142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.2 * 0.9938 ** age_on(sim.birth, day)
    return round(egfr * (1.012 if female else 1.0), 0)


def _stay_observations(rng: random.Random, sim: SimPatient, stay: Stay, number: int) -> list:
    day, values = stay.start.date(), []
    for lab in vocab.LABS:
        wanted = 0.6 if lab.raised and lab.raised[0] in sim.conditions else 0.3
        if rng.random() < wanted:
            value = _lab_value(rng, sim, lab, day)
            values.append(((lab.code, lab.display, lab.unit), value))
            if lab.key == "creatinine":
                values.append((vocab.EGFR, _egfr(sim, value, day)))
    if rng.random() < (0.8 if number == 0 else 0.3):
        height = round(sim.height + rng.gauss(0, 0.4), 0)
        weight = round(sim.bmi * (sim.height / 100) ** 2 + rng.gauss(0, 1.2), 1)
        values += [(vocab.WEIGHT, weight), (vocab.HEIGHT, height)]
    prefix = f"obs-{sim.index:07d}-{number:02d}"
    return [_observation(sim, stay, f"{prefix}-{i}", w, v) for i, (w, v) in enumerate(values)]


def _stay_procedures(rng: random.Random, sim: SimPatient, stay: Stay, number: int) -> list:
    if not stay.inpatient:
        return []
    chosen = [p for p in vocab.PROCEDURES if rng.random() < p[2]]
    return [
        {
            "resourceType": "Procedure",
            "id": f"proc-{sim.index:07d}-{number:02d}-{i}",
            "status": "completed",
            "code": {
                "coding": [
                    {
                        "system": OPS,
                        "version": str(stay.start.year),
                        "code": code,
                        "display": display,
                    }
                ]
            },
            "subject": _ref("Patient", sim.id),
            "encounter": _ref("Encounter", stay.id),
            "performedDateTime": _stamp(stay.start + timedelta(hours=3 + i)),
        }
        for i, (code, display, _) in enumerate(chosen)
    ]


def _stay_administrations(rng: random.Random, sim: SimPatient, stay: Stay, number: int) -> list:
    if not stay.inpatient:
        return []
    given = [d for d in vocab.INPATIENT_DRUGS if rng.random() < 0.45]
    return [
        {
            "resourceType": "MedicationAdministration",
            "id": f"madm-{sim.index:07d}-{number:02d}-{i}",
            "status": "completed",
            "medicationCodeableConcept": _coding(ATC, code, display),
            "subject": _ref("Patient", sim.id),
            "context": _ref("Encounter", stay.id),
            "effectivePeriod": {
                "start": _stamp(stay.start + timedelta(hours=1)),
                "end": _stamp(stay.end - timedelta(hours=1)),
            },
        }
        for i, (code, display) in enumerate(given)
    ]


def _statements(rng: random.Random, sim: SimPatient) -> list:
    found, seen = [], set()
    for key, since in sorted(sim.conditions.items(), key=lambda kv: (kv[1], kv[0])):
        stay = next((s for s in sim.stays if s.start.date() >= since), None)
        for code, display, share in vocab.DRUGS.get(key, ()):
            if stay is None or code in seen or rng.random() >= share:
                continue
            seen.add(code)
            found.append(
                {
                    "resourceType": "MedicationStatement",
                    "id": f"mst-{sim.index:07d}-{len(found):02d}",
                    "status": "active",
                    "medicationCodeableConcept": _coding(ATC, code, display),
                    "subject": _ref("Patient", sim.id),
                    "context": _ref("Encounter", stay.id),
                    "effectivePeriod": {"start": _stamp(stay.start)},
                    "dateAsserted": _stamp(stay.start),
                }
            )
    return found
