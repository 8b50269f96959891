"""What the import checks on every resource and what only on a sample (docs/interop.md).

Every resource: the MII key constraints and the FHIR format and type of every value the
tables keep; a resource a cheap check refuses gets FHIR's own message from the full
structure check. The full FHIR R4 structure (elements the tables do not keep) is checked
on 1 in ``SAMPLE_EVERY`` resources, or on all with ``validate_all``."""

from __future__ import annotations

import json

import pytest

from kimed_hub.interop.importer import ImportFailed, import_fhir
from kimed_hub.interop.processing import SAMPLE_EVERY, process_chunk
from kimed_hub.interop.reading import Item


def _items(export, kind: str, count: int) -> list[dict]:
    lines = (export / f"{kind}.ndjson").read_text().splitlines()[:count]
    return [json.loads(line) for line in lines]


def _chunk(resources: list[dict]) -> list[Item]:
    return [Item(f"x.ndjson:{i + 1}", json.dumps(r)) for i, r in enumerate(resources)]


def _reasons(resources, every=SAMPLE_EVERY) -> dict[str, str]:
    done = process_chunk(_chunk(resources), every)
    return {p.resource_id: p.reason for p in done.problems}


def test_kept_values_are_checked_on_every_resource(export):
    observations = _items(export, "Observation", 6)
    observations[1]["valueQuantity"]["value"] = "high"  # not sampled (position 2)
    observations[2]["effectiveDateTime"] = "2020-13-01"  # no month 13
    observations[3]["effectiveDateTime"] = "2020-05-01T10:00:00"  # a time needs a zone
    observations[4]["code"]["coding"][0]["code"] = 4548  # a number, not a code
    observations[5]["subject"] = ["Patient/x"]  # a list where FHIR has an object
    reasons = _reasons(observations)
    assert set(reasons) == {o["id"] for o in observations[1:]}
    assert all(reason.startswith("FHIR R4: ") for reason in reasons.values())
    assert "valueQuantity.value" in reasons[observations[1]["id"]]  # FHIR's own message


def test_structure_outside_the_tables_only_on_the_sample_or_with_validate_all(export):
    patients = _items(export, "Patient", 2)
    for patient in patients:
        patient["name"] = "Erika Mustermann"  # HumanName is a list of objects in FHIR
    sampled, unsampled = patients  # positions 0 and 1 of the chunk
    assert set(_reasons(patients)) == {sampled["id"]}  # the documented trade-off
    assert set(_reasons(patients, every=1)) == {sampled["id"], unsampled["id"]}


def test_validate_all_refuses_what_the_sample_may_miss(export, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    patients = _items(export, "Patient", 3)
    patients[1]["name"] = "Erika Mustermann"
    (source / "Patient.ndjson").write_text("".join(json.dumps(p) + "\n" for p in patients))
    with pytest.raises(ImportFailed, match=f"Patient/{patients[1]['id']}: FHIR R4: name"):
        import_fhir(source, "mii-v", root=tmp_path / "ds", progress=False, validate_all=True)
    assert import_fhir(source, "mii-v", root=tmp_path / "ds", progress=False).changed
