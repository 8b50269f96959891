"""Ground truth of the generated data: each patient's phenotypes, computed on the resources.

The phenotype engine's tests compare its classification with these answers, so they are
worked out here the plain way, one patient's resource dicts at a time, without the
engine's tables, definitions or vectorised code. They follow the demonstrator's
definitions (``kimed_demos/phenotype/definitions/cardiometabolic.yaml``): a change there
needs the same change here, and the exactness test fails until it is made.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from .synth import age_on

REFERENCE_DATE = date(2024, 12, 31)
PERIOD = (date(2016, 1, 1), date(2024, 12, 31))


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _codes(resource: dict, element: str) -> list[tuple[str, str]]:
    return [(c["system"], c["code"]) for c in resource[element]["coding"]]


def _series(resources: list[dict], loinc: str, unit: str) -> list[tuple[datetime, float]]:
    found = []
    for r in resources:
        if r["resourceType"] != "Observation" or ("http://loinc.org", loinc) not in _codes(
            r, "code"
        ):
            continue
        quantity = r["valueQuantity"]
        if quantity["code"] == unit:
            found.append((_utc(r["effectiveDateTime"]), float(quantity["value"])))
    return sorted(found)


def _twice_within(times: list[datetime], days: int) -> bool:
    return any(b - a <= timedelta(days=days) for a, b in zip(times, times[1:], strict=False))


def _diagnosed(resources: list[dict]) -> bool:
    for r in resources:
        if r["resourceType"] != "Condition":
            continue
        icd = [c for s, c in _codes(r, "code") if s.endswith("icd-10-gm")]
        if icd and icd[0].startswith("E11"):
            day = _utc(r["onsetDateTime"]).date()
            if PERIOD[0] <= day <= PERIOD[1]:
                return True
    return False


def _on_glucose_lowering_drug(resources: list[dict]) -> bool:
    return any(
        r["resourceType"] == "MedicationStatement"
        and _codes(r, "medicationCodeableConcept")[0][1].startswith("A10")
        for r in resources
    )


def _bmi(resources: list[dict]) -> float | None:
    weights, heights = _series(resources, "29463-7", "kg"), _series(resources, "8302-2", "cm")
    if not weights or not heights:
        return None
    return weights[-1][1] / (heights[-1][1] / 100) ** 2


def phenotype_truth(resources: list[dict]) -> dict[str, bool]:
    """Which of the demonstrator's phenotypes one patient (all their resources) has."""
    patient = resources[0]
    hba1c = [t for t, v in _series(resources, "4548-4", "%") if v >= 6.5]
    egfr = [t for t, v in _series(resources, "33914-3", "mL/min/{1.73_m2}") if v < 60]
    bmi = _bmi(resources)
    truth = {
        "diabetes_diagnosis": _diagnosed(resources),
        "hba1c_high": bool(hba1c),
        "hba1c_high_twice": _twice_within(hba1c, 365),
        "glucose_lowering_drug": _on_glucose_lowering_drug(resources),
        "body_weight": bool(_series(resources, "29463-7", "kg")),
        "body_height": bool(_series(resources, "8302-2", "cm")),
        "bmi": bmi is not None,
        "obesity": bmi is not None and bmi >= 30,
        "egfr_low": bool(egfr),
        "ckd_by_lab": _twice_within(egfr, 365),
        "age_50_plus": age_on(date.fromisoformat(patient["birthDate"]), REFERENCE_DATE) >= 50,
    }
    truth["type2_diabetes"] = truth["diabetes_diagnosis"] or truth["hba1c_high_twice"]
    truth["untreated_diabetes"] = truth["type2_diabetes"] and not truth["glucose_lowering_drug"]
    truth["cardiorenal_metabolic"] = (
        truth["type2_diabetes"]
        and truth["age_50_plus"]
        and (truth["obesity"] or truth["ckd_by_lab"])
    )
    return truth
