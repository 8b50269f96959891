"""The same simulated drugs, written as Medication resources of their own, import into the
same rows as when the statements code them (``generate_mii(..., medications=...)``).

Shared Medications (one per ATC code) in transaction bundles of 50 patients: later
bundles refer back to a Medication in an earlier one. One Medication per statement in
NDJSON: as many Medication ids as statements, resolved across the slices. The hand-written
MII-shaped resources are in test_import_medication.py; this checks the resolution at the
size of the session's generated export (about 4,300 resources).
"""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from kimed_hub.interop import reading
from kimed_hub.interop.generate import generate_mii, load_truth
from kimed_hub.interop.importer import import_fhir

from .conftest import PATIENTS, SEED

TABLES = ("medication_statement", "medication_administration")


def _without_medication_ids(folder, name: str) -> list[dict]:
    rows = pq.read_table(folder / f"{name}.parquet").to_pylist()
    return [{k: v for k, v in row.items() if k != "medication_id"} for row in rows]


@pytest.mark.parametrize(
    ("form", "fmt", "slice_bytes"),
    [("shared", "bundle", None), ("per-statement", "ndjson", 20_000)],
)
def test_drugs_as_medication_resources_give_the_same_rows(
    form, fmt, slice_bytes, imported, tmp_path, monkeypatch
):
    out = tmp_path / "export"
    summary = generate_mii(
        out, PATIENTS, SEED, fmt, bundle_size=50, progress=False, medications=form
    )
    assert load_truth(out)["generator"]["medications"] == form
    if slice_bytes:
        monkeypatch.setattr(reading, "SLICE_BYTES", slice_bytes)
    result = import_fhir(out, "mii-gen", root=tmp_path / "ds", workers=2, progress=False)
    for name in TABLES:
        assert _without_medication_ids(result.folder, name) == _without_medication_ids(
            imported.folder, name
        ), name
        ids = pq.read_table(result.folder / f"{name}.parquet", columns=["medication_id"])
        assert None not in ids["medication_id"].to_pylist()
    users = sum(
        summary["resources"][k] for k in ("MedicationStatement", "MedicationAdministration")
    )
    medications = summary["resources"]["Medication"]
    assert result.manifest["medications"] == medications
    assert medications == users if form == "per-statement" else 5 < medications < users / 10
    assert result.manifest["notice_count"] == 0  # every generated drug has its ATC


def test_the_default_form_is_unchanged(export):
    """Drugs in the statements by default: no Medication resource, no extra truth key."""
    assert not (export / "Medication.ndjson").exists()
    assert "medications" not in load_truth(export)["generator"]
    line = (export / "MedicationStatement.ndjson").read_text().splitlines()[0]
    assert "medicationCodeableConcept" in json.loads(line)


def test_an_unknown_form_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="medications 'contained' is not one of codeable"):
        generate_mii(tmp_path / "out", 2, medications="contained", progress=False)
    assert not (tmp_path / "out").exists()
