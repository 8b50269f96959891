"""Import of FHIR written by hand in other exporters' styles, not by the project's generator.

``data/mii-transaction-urn-uuid.json``: a DIZ-style transaction bundle: ``urn:uuid:``
fullUrls and references, resources without an id (the server would assign one), profile
claims, extensions (on resources and on a coding), identifiers, a SNOMED coding before
the ICD-10-GM one and a local code beside it, a local lab code before LOINC, a value with
a comparator (``< 5 mg/L``), a Condition dated only by ``onsetPeriod``, a medication as a
contained Medication (``medicationReference: #med``, PZN before ATC), a partial birth date
and no address. ``data/absolute/``: NDJSON with an absolute, versioned subject reference,
a relative versioned one, a blank line, a second address. What a receiver checks: every
resource passes the full FHIR R4 structure check (``validate_all``) and each kept value is
the one written by hand.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kimed_hub.interop.importer import ImportFailed, import_fhir

DATA = Path(__file__).with_name("data")
BUNDLE = DATA / "mii-transaction-urn-uuid.json"
PATIENT = "6a1f0f42-2d3e-4c8e-9a0e-1f2b3c4d5e6f"  # from the Patient's urn:uuid fullUrl


def _rows(result, name: str) -> list[dict]:
    return pq.read_table(result.folder / f"{name}.parquet").to_pylist()


@pytest.fixture(scope="module")
def bundle_import(tmp_path_factory):
    root = tmp_path_factory.mktemp("foreign")
    return import_fhir(BUNDLE, "mii-foreign", root=root, progress=False, validate_all=True)


def test_urn_uuid_references_resolve_and_ids_come_from_full_urls(bundle_import):
    assert bundle_import.counts == {
        "patient": 1, "encounter": 1, "condition": 1, "procedure": 1, "observation": 2,
        "medication_statement": 1, "medication_administration": 0, "consent": 0,
    }  # fmt: skip
    (patient,) = _rows(bundle_import, "patient")
    assert patient["patient_id"] == PATIENT and patient["birth_date"] == date(1958, 4, 1)
    assert patient["postal_code"] is None  # no address: an optional element
    for name in ("encounter", "condition", "observation", "medication_statement", "procedure"):
        assert {r["patient_id"] for r in _rows(bundle_import, name)} == {PATIENT}, name
    (condition,) = _rows(bundle_import, "condition")
    assert condition["encounter_id"] == "fall-2024-0815"  # a PUT entry keeps its own id
    assert condition["id"] == "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"


def test_the_profiles_system_is_kept_whatever_the_codings_order(bundle_import):
    (condition,) = _rows(bundle_import, "condition")
    assert (condition["code"], condition["code_version"]) == ("E11.90", "2024")
    assert condition["code_system"] == "http://fhir.de/CodeSystem/bfarm/icd-10-gm"
    assert condition["time"] == datetime(2019, 6, 1, tzinfo=UTC)  # onsetPeriod.start "2019-06"
    crp, hba1c = _rows(bundle_import, "observation")
    assert (crp["code"], crp["value"], crp["value_comparator"]) == ("1988-5", 5.0, "<")
    assert crp["category"] == "laboratory" and crp["time"] == datetime(
        2024, 2, 26, 9, 30, tzinfo=UTC
    )
    assert (hba1c["code"], hba1c["value"], hba1c["value_comparator"]) == ("4548-4", 7.4, None)
    (drug,) = _rows(bundle_import, "medication_statement")
    assert (drug["code"], drug["code_display"]) == ("A10BA02", "Metformin")  # ATC before PZN
    (procedure,) = _rows(bundle_import, "procedure")
    assert procedure["code"] == "5-470.11"
    assert procedure["code_system"] == "http://fhir.de/CodeSystem/bfarm/ops"


def test_absolute_and_versioned_references_resolve(tmp_path):
    result = import_fhir(
        DATA / "absolute", "mii-abs", root=tmp_path, progress=False, validate_all=True
    )
    rows = _rows(result, "observation")
    assert [(r["id"], r["patient_id"]) for r in rows] == [
        ("obs-17-1", "p-17"),
        ("obs-17-2", "p-17"),
    ]
    assert rows[1]["time"] == datetime(2023, 12, 1, 6, 45, tzinfo=UTC)  # effectivePeriod.start
    assert _rows(result, "patient")[0]["postal_code"] == "01307"  # the first address


def _edited(tmp_path, edit) -> Path:
    bundle = json.loads(BUNDLE.read_text())
    edit({e["resource"]["resourceType"]: e for e in bundle["entry"]}, bundle)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(bundle))
    return path


def _refused(tmp_path, edit) -> dict[str, str]:
    with pytest.raises(ImportFailed) as failed:
        import_fhir(_edited(tmp_path, edit), "mii-x", root=tmp_path / "ds", progress=False)
    assert not (tmp_path / "ds" / "mii-x").exists()
    return {p.resource_type: p.reason for p in failed.value.problems}


def test_a_reference_to_no_entry_of_the_bundle_is_refused(tmp_path):
    def edit(entries, _):
        entries["Procedure"]["resource"]["subject"]["reference"] = "urn:uuid:0000-elsewhere"

    reasons = _refused(tmp_path, edit)
    assert "must reference a Patient" in reasons["Procedure"]
    assert "urn:uuid:0000-elsewhere" in reasons["Procedure"]


def test_a_medication_reference_to_nothing_is_refused_with_what_to_do(tmp_path):
    def edit(entries, _):
        entries["MedicationStatement"]["resource"]["medicationReference"] = {"reference": "#m-1"}

    reason = _refused(tmp_path, edit)["MedicationStatement"]
    assert "'#m-1' names neither a contained Medication" in reason
    assert "medicationCodeableConcept" in reason


def test_a_condition_without_recorded_date_is_refused_naming_the_element(tmp_path):
    def edit(entries, _):
        del entries["Condition"]["resource"]["recordedDate"]  # onsetPeriod stays

    assert _refused(tmp_path, edit)["Condition"] == "MII: Condition.recordedDate is required"


def test_a_code_only_in_a_local_system_is_refused(tmp_path):
    def edit(entries, _):
        codings = entries["Condition"]["resource"]["code"]["coding"]
        codings[:] = [c for c in codings if "hausdiagnosen" in c["system"]]

    reason = _refused(tmp_path, edit)["Condition"]
    assert "needs a coding from one of: http://fhir.de/CodeSystem/bfarm/icd-10-gm" in reason
    assert "hausdiagnosen" in reason


def test_a_malformed_code_of_an_allowed_system_is_refused_beside_a_good_one(tmp_path):
    def edit(entries, _):
        codings = entries["Observation"]["resource"]["code"]["coding"]
        codings.append({"system": "http://loinc.org", "code": "CRP-1"})

    assert "'CRP-1' is not a well-formed code" in _refused(tmp_path, edit)["Observation"]
