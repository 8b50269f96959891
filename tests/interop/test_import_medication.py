"""MII exports as a data integration centre writes them: Medication resources of their own,
older code-system URIs, the Diagnose profile's recordedDate.

``data/medication/`` is written by hand in the shapes of the MII profiles (Medikation:
Medication with PZN and German ATC codings, EDQM form and an ASK ingredient with
strength; WHO ATC as the ``atcClassEn`` slice; PZN only; an ATC coding under DIMDI's
old URI; statements and administrations with relative, absolute and versioned
``medicationReference``), not by the project's generator. What a receiver checks: every
statement's row carries the ATC of its Medication, the tables keep current URIs and
the URIs as written, missing Medications and refused systems are named by resource id
and reason, and nothing depends on how the input is cut into shares.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kimed_hub.interop import reading
from kimed_hub.interop.catalogue_record import variables
from kimed_hub.interop.importer import ImportFailed, import_fhir

DATA = Path(__file__).with_name("data") / "medication"
ATC = "http://fhir.de/CodeSystem/bfarm/atc"
PZN = "http://fhir.de/CodeSystem/ifa/pzn"
CODES = ("id", "medication_id", "code", "code_system", "code_system_original")


def _rows(result, name: str, columns=CODES) -> list[tuple]:
    table = pq.read_table(result.folder / f"{name}.parquet").to_pylist()
    return [tuple(row[c] for c in columns) for row in table]


def _copy(tmp_path) -> Path:
    source = tmp_path / "export"
    shutil.copytree(DATA, source)
    return source


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _write(path: Path, resources: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("medication")
    return import_fhir(DATA, "mii-med", root=root, progress=False, validate_all=True)


def test_statements_carry_the_codes_of_their_medication_resources(imported):
    assert _rows(imported, "medication_statement") == [
        ("ms-1", "med-ass100", "B01AC06", ATC, None),  # German ATC preferred to the PZN
        ("ms-2", "med-pzn-only", "03507952", PZN, None),  # absolute, versioned reference
    ]
    assert _rows(imported, "medication_administration") == [
        ("ma-1", "med-propofol", "N01AX10", ATC, "http://www.whocc.no/atc"),
        ("ma-2", "med-heparin", "B01AB01", ATC, "http://fhir.de/CodeSystem/dimdi/atc"),
    ]
    (first, _) = pq.read_table(imported.folder / "medication_administration.parquet").to_pylist()
    assert (first["code_display"], first["encounter_id"]) == ("propofol", "enc-1")
    assert first["end"] == datetime(2023, 5, 3, 8, 5, tzinfo=UTC)
    csv = (imported.folder / "medication_administration.csv").read_text().splitlines()
    assert csv[1] == (
        '"ma-1","p-1","enc-1","N01AX10","http://fhir.de/CodeSystem/bfarm/atc","propofol",'
        '"http://www.whocc.no/atc","med-propofol","completed","2023-05-03T07:10:00Z",'
        '"2023-05-03T08:05:00Z"'
    )


def test_medications_are_a_lookup_not_a_table_of_the_dataset(imported):
    """The consent filter keeps patients' rows; a product table has no patient."""
    assert not list(imported.folder.glob("medication.*"))
    assert "medication" not in imported.manifest["tables"]
    assert imported.manifest["medications"] == 4
    assert imported.manifest["tables"]["medication_statement"]["code_systems"] == [ATC, PZN]
    described = {v.name: v.description for v in variables(imported.manifest)}
    dictionary = described["medication_statement.medication_id"]
    assert "Medication resource the row's drug code came from" in dictionary


def test_a_medication_without_atc_is_a_notice_naming_it(imported):
    assert imported.manifest["notice_count"] == 1
    (notice,) = imported.notices
    assert notice.startswith("Medication.ndjson:4 Medication/med-pzn-only: no ATC coding")
    assert "only http://fhir.de/CodeSystem/ifa/pzn '03507952'" in notice


def test_older_code_system_uris_are_kept_under_the_current_ones(imported):
    columns = ("id", "code", "code_system", "code_system_original")
    assert _rows(imported, "condition", columns) == [
        ("cond-1", "I48.0", "http://fhir.de/CodeSystem/bfarm/icd-10-gm",
         "http://fhir.de/CodeSystem/dimdi/icd-10-gm"),
    ]  # fmt: skip
    assert _rows(imported, "procedure", columns) == [
        ("proc-1", "8-640.0", "http://fhir.de/CodeSystem/bfarm/ops",
         "http://fhir.de/CodeSystem/dimdi/ops"),
    ]  # fmt: skip


def test_the_tables_do_not_depend_on_slices_workers_or_file_order(imported, tmp_path, monkeypatch):
    """Medications resolved across slices (workers) and from a bundle read after the
    statements that name them (a forward reference across files)."""
    monkeypatch.setattr(reading, "SLICE_BYTES", 300)  # each slice a resource or two
    sliced = import_fhir(DATA, "mii-med", root=tmp_path / "a", workers=2, progress=False)
    source = _copy(tmp_path)
    medications = _lines(source / "Medication.ndjson")
    (source / "Medication.ndjson").unlink()
    bundle = {"resourceType": "Bundle", "type": "collection"}
    bundle["entry"] = [{"resource": m} for m in medications]
    (source / "zz-medications.json").write_text(json.dumps(bundle))
    later = import_fhir(source, "mii-med", root=tmp_path / "b", progress=False)
    for result in (sliced, later):
        for name in ("medication_statement", "medication_administration", "condition"):
            assert (result.folder / f"{name}.parquet").read_bytes() == (
                imported.folder / f"{name}.parquet"
            ).read_bytes(), name
            assert (result.folder / f"{name}.csv").read_bytes() == (
                imported.folder / f"{name}.csv"
            ).read_bytes(), name


def test_a_transaction_resolves_a_medication_by_urn_uuid_after_its_statement(tmp_path):
    (patient,) = _lines(DATA / "Patient.ndjson")[:1]
    statement = _lines(DATA / "MedicationStatement.ndjson")[0]
    medication = _lines(DATA / "Medication.ndjson")[0]
    del statement["context"], medication["id"]  # the server would assign the Medication's id
    uuid = "urn:uuid:5d0e7a52-5a64-4b5e-9d43-0c2f5e1d7a11"
    statement["medicationReference"] = {"reference": uuid}
    entries = [
        {"fullUrl": "urn:uuid:1f0e", "resource": patient},
        {"resource": statement},  # no fullUrl: nothing refers to it
        {"fullUrl": uuid, "resource": medication},
    ]
    for entry in entries:
        kind = entry["resource"]["resourceType"]
        entry["request"] = {"method": "POST", "url": kind}
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    path = tmp_path / "transaction.json"
    path.write_text(json.dumps(bundle))
    result = import_fhir(path, "mii-tx", root=tmp_path / "ds", progress=False)
    assert _rows(result, "medication_statement") == [
        ("ms-1", "5d0e7a52-5a64-4b5e-9d43-0c2f5e1d7a11", "B01AC06", ATC, None)
    ]


def _refused(tmp_path, name: str, edit) -> dict[str, str]:
    source = _copy(tmp_path)
    resources = _lines(source / name)
    edit(resources)
    _write(source / name, resources)
    with pytest.raises(ImportFailed) as failed:
        import_fhir(source, "mii-x", root=tmp_path / "ds", progress=False)
    assert not (tmp_path / "ds" / "mii-x").exists()
    return {p.resource_id: f"{p.where} {p.reason}" for p in failed.value.problems}


def test_a_medication_missing_from_the_export_is_named_by_the_statement(tmp_path):
    reasons = _refused(tmp_path, "Medication.ndjson", lambda meds: meds.pop(0))
    assert reasons == {
        "ms-1": "(references) medicationReference Medication/med-ass100 is not in the import: "
        "no Medication resource with this id in any file or bundle of the export; export the "
        "Medication resources (Medication.ndjson) with the statements"
    }


def test_a_medication_without_atc_or_pzn_is_refused(tmp_path):
    def edit(meds):
        meds[1]["code"]["coding"] = [{"system": "http://snomed.info/sct", "code": "387423006"}]

    reason = _refused(tmp_path, "Medication.ndjson", edit)["med-propofol"]
    assert "MII: Medication.code needs a coding from one of: " + ATC in reason
    assert "found only unknown code system 'http://snomed.info/sct'" in reason


def test_who_icd10_is_refused_saying_which_uri_to_use(tmp_path):
    def edit(conditions):
        conditions[0]["code"]["coding"][0]["system"] = "http://hl7.org/fhir/sid/icd-10"

    reason = _refused(tmp_path, "Condition.ndjson", edit)["cond-1"]
    assert reason.startswith("Condition.ndjson:1 MII: Condition.code: code system ")
    assert "WHO ICD-10 is not ICD-10-GM" in reason
    assert "code it in http://fhir.de/CodeSystem/bfarm/icd-10-gm" in reason


def test_a_malformed_code_under_an_old_uri_is_refused(tmp_path):
    def edit(meds):
        meds[2]["code"]["coding"][0]["code"] = "B01-AB01"

    reason = _refused(tmp_path, "Medication.ndjson", edit)["med-heparin"]
    assert f"'B01-AB01' is not a well-formed code of {ATC}" in reason


def test_the_diagnose_profiles_recorded_date_is_required(tmp_path):
    def edit(conditions):
        del conditions[0]["recordedDate"]  # onsetDateTime alone is not enough

    reason = _refused(tmp_path, "Condition.ndjson", edit)["cond-1"]
    assert reason == "Condition.ndjson:1 MII: Condition.recordedDate is required"
