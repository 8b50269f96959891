"""FHIR import: tables match the resources; bad input refused whole; re-import is a no-op."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pyarrow.parquet as pq
import pytest

from kimed_demos.phenotype.codes import ICD10GM, LOINC
from kimed_hub.interop.generate import generate_mii
from kimed_hub.interop.importer import ImportFailed, import_fhir


def _resources(folder):
    for path in sorted(folder.glob("*.ndjson")):
        for line in path.read_text().splitlines():
            yield json.loads(line)


def test_tables_match_the_resources(export, imported):
    resources = list(_resources(export))
    counts = Counter(r["resourceType"] for r in resources)
    manifest = imported.manifest
    assert manifest["patients"] == counts["Patient"]
    for kind, name in (
        ("Patient", "patient"),
        ("Condition", "condition"),
        ("Observation", "observation"),
        ("Procedure", "procedure"),
    ):
        assert imported.counts[name] == counts[kind]
        table = pq.read_table(imported.folder / f"{name}.parquet")
        assert table.num_rows == counts[kind]
    observations = pq.read_table(imported.folder / "observation.parquet").to_pylist()
    by_id = {o["id"]: o for o in observations}
    sample = next(r for r in resources if r["resourceType"] == "Observation")
    row = by_id[sample["id"]]
    assert (row["code"], row["code_system"]) == (sample["code"]["coding"][0]["code"], LOINC)
    assert row["code_display"] == sample["code"]["coding"][0]["display"]
    assert row["value"] == sample["valueQuantity"]["value"]
    assert row["unit"] == sample["valueQuantity"]["code"]
    assert row["time"].isoformat() != sample["effectiveDateTime"]  # normalised to UTC ...
    assert row["time"].utcoffset().total_seconds() == 0  # ... the same instant
    from datetime import datetime

    assert row["time"] == datetime.fromisoformat(sample["effectiveDateTime"])
    conditions = pq.read_table(imported.folder / "condition.parquet")
    assert set(conditions["code_system"].to_pylist()) == {ICD10GM}
    csv_header = (imported.folder / "observation.csv").read_text().splitlines()[0]
    assert '"code_system"' in csv_header and '"time"' in csv_header


def test_bundles_give_the_same_tables(tmp_path, imported):
    bundles = tmp_path / "bundles"
    generate_mii(bundles, patients=200, seed=7, fmt="bundle", bundle_size=30, progress=False)
    result = import_fhir(bundles, "mii-bundles", root=tmp_path / "ds", progress=False)
    assert result.counts == imported.counts
    for name in ("patient", "observation", "consent"):
        assert pq.read_table(result.folder / f"{name}.parquet").equals(
            pq.read_table(imported.folder / f"{name}.parquet")
        )


def test_reimport_changes_nothing(export, imported):
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in imported.folder.iterdir()}
    again = import_fhir(export, "mii-test", root=imported.folder.parent, progress=False)
    assert again.changed is False
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in imported.folder.iterdir()}
    assert after == before


def _broken_copy(export, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(export, bad, ignore=shutil.ignore_patterns("truth"))
    lines = (bad / "Condition.ndjson").read_text().splitlines()
    first, second, third = (json.loads(x) for x in lines[:3])
    first["code"]["coding"][0]["system"] = "http://example.org/my-codes"
    del second["subject"]
    lines[:3] = [json.dumps(first), json.dumps(second), '{"resourceType": "Condition", "id": ']
    (bad / "Condition.ndjson").write_text("\n".join(lines) + "\n")
    return bad, first["id"], second["id"]


def test_bad_resources_are_reported_by_id_and_nothing_is_written(export, imported, tmp_path):
    bad, unknown_system, no_subject = _broken_copy(export, tmp_path)
    root = tmp_path / "ds"
    with pytest.raises(ImportFailed) as failed:
        import_fhir(bad, "mii-bad", root=root, progress=False)
    problems = {(p.resource_id, p.where): p.reason for p in failed.value.problems}
    assert failed.value.total == 3
    assert (
        "unknown code system 'http://example.org/my-codes'"
        in problems[(unknown_system, "Condition.ndjson:1")]
    )
    assert "subject" in problems[(no_subject, "Condition.ndjson:2")]
    assert "broken JSON line" in problems[(None, "Condition.ndjson:3")]
    assert not (root / "mii-bad").exists() and list(root.iterdir()) == []
    # a failed import over an existing dataset leaves it exactly as it was
    before = {p.name: p.read_bytes() for p in imported.folder.iterdir()}
    with pytest.raises(ImportFailed):
        import_fhir(bad, "mii-test", root=imported.folder.parent, progress=False)
    assert {p.name: p.read_bytes() for p in imported.folder.iterdir()} == before


def test_unresolved_subject_is_refused(export, tmp_path):
    only = tmp_path / "only"
    only.mkdir()
    shutil.copy(export / "Observation.ndjson", only)
    with pytest.raises(ImportFailed, match="subject Patient/pat-0000000 is not in the import"):
        import_fhir(only, "mii-orphans", root=tmp_path / "ds", progress=False)


def test_a_folder_not_written_by_an_import_is_not_replaced(export, tmp_path):
    (tmp_path / "ds" / "mine").mkdir(parents=True)
    (tmp_path / "ds" / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="no FHIR import wrote"):
        import_fhir(export, "mine", root=tmp_path / "ds", progress=False)
    assert (tmp_path / "ds" / "mine" / "notes.txt").read_text() == "keep me"


def test_generator_is_deterministic(tmp_path, export):
    generate_mii(tmp_path / "again", patients=200, seed=7, progress=False)
    for path in export.glob("*.ndjson"):
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes()
