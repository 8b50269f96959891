"""A released synthetic table becomes a catalogue record and a data folder (no hub, no
container: the record is built from a report shaped as the engine's contract says, and
stored in a real catalogue store with the SHACL checks; the folder is written on disk).
The container run and the airlock hand-off are in tests/integration/test_synthesis_jobs.py.
"""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Namespace

from kimed_hub.catalogue import CatalogueStore
from kimed_hub.catalogue.rdf_io import dump_records
from kimed_hub.catalogue.store import DEFAULT_BASE_IRI
from kimed_hub.synthesis.model import JobState, SynthesisJob
from kimed_hub.synthesis.publish import (
    MARKER,
    SUPERSEDED,
    is_released_synthetic,
    measurements,
    publish_data,
    synthetic_identifier,
    synthetic_record,
)
from kimed_hub.synthesis.report import report_markdown
from tests.portal.samples import dataset

DQV = Namespace("http://www.w3.org/ns/dqv#")
REPORT = {
    "schema": "kimed-synthesis-report/1", "method": "gaussian_copula", "method_version": "1",
    "seed": 3, "source_table": "visits.csv", "rows_real": 600, "rows_synthetic": 600,
    "columns": ["age", "sex"], "target": "sex", "passed": True, "failures": [],
    "measurements": [
        {"id": "fidelity.detection_auc", "dimension": "fidelity", "value": 0.61,
         "threshold": 0.85, "direction": "max", "passed": True,
         "label_en": "Detection AUC", "label_de": "Erkennungs-AUC"},
        {"id": "utility.tstr_ratio", "dimension": "utility", "value": 1.04,
         "threshold": 0.8, "direction": "min", "passed": True,
         "label_en": "TSTR ratio", "label_de": "TSTR-Verhältnis"},
        {"id": "privacy.dcr_closer_than_holdout_share", "dimension": "privacy",
         "value": 0.49, "threshold": 0.6, "direction": "max", "passed": True,
         "label_en": "DCR share", "label_de": "DCR-Anteil"},
    ],
    "timings_s": {"fit": 0.1}, "peak_memory_mb": 80.0,
}  # fmt: skip


def job(job_id: str = "SJ-1") -> SynthesisJob:
    return SynthesisJob(
        job_id, JobState.SUBMITTED_FOR_RELEASE, "curator", "kohorte-x", "visits.csv",
        "gaussian_copula", "sex", 3, "2026-01-01", "2026-01-01", report=REPORT,
    )  # fmt: skip


def test_the_record_is_synthetic_linked_measured_and_valid(tmp_path):
    store = CatalogueStore(f"sqlite:///{tmp_path / 'c.sqlite'}")
    source = dataset("kohorte-x")
    store.put_dataset(source, actor="steward")
    identifier = synthetic_identifier(store.synthetic_versions("kohorte-x"), "kohorte-x", "-syn")
    record = synthetic_record(source, identifier, job(), "ER-4")
    store.put_dataset(record, actor="curator")  # SHACL-checked by the store
    stored = store.get_dataset("kohorte-x-syn")
    assert stored.is_synthetic and stored.derived_from == "kohorte-x"
    assert store.synthetic_versions("kohorte-x") == ["kohorte-x-syn"]
    assert {q.metric: q.value for q in stored.quality}["utility.tstr_ratio"] == 1.04
    graph = Graph().parse(data=dump_records([stored], "turtle", DEFAULT_BASE_IRI))
    metrics = {str(m) for m in graph.objects(None, DQV.isMeasurementOf)}
    assert {m.rsplit("/", 1)[1] for m in metrics} == {q["id"] for q in REPORT["measurements"]}
    # the next release finds the same record again
    assert synthetic_identifier(store.synthetic_versions("kohorte-x"), "kohorte-x", "-x") == (
        "kohorte-x-syn"
    )


def test_a_measurement_without_a_number_is_left_out_and_bad_metric_ids_fail(tmp_path):
    report = {"measurements": [{**REPORT["measurements"][0], "value": float("nan")}]}
    assert measurements(report) == []
    store = CatalogueStore(f"sqlite:///{tmp_path / 'c.sqlite'}")
    source = dataset("kohorte-y")
    store.put_dataset(source, actor="steward")
    record = synthetic_record(source, "kohorte-y-syn", job(), "ER-4")
    record.quality[0].metric = "Not A Metric"
    with pytest.raises(Exception, match="dotted id"):
        store.put_dataset(record, actor="curator")


def test_publishing_replaces_the_folder_and_keeps_the_old_one(tmp_path):
    root = tmp_path / "datasets"
    root.mkdir()
    released = tmp_path / "released.csv"
    released.write_text("age,sex\n40,f\n")
    first = publish_data(root, "x-syn", "sub/visits.csv", released, "one", {"job": "SJ-1"})
    assert (first / "visits.csv").read_text() == "age,sex\n40,f\n"
    assert is_released_synthetic(first)
    released.write_text("age,sex\n41,m\n")
    second = publish_data(root, "x-syn", "sub/visits.csv", released, "two", {"job": "SJ-2"})
    assert json.loads((second / MARKER).read_text())["job"] == "SJ-2"
    kept = list((root / SUPERSEDED).iterdir())
    assert len(kept) == 1 and json.loads((kept[0] / MARKER).read_text())["job"] == "SJ-1"
    assert [p.name for p in root.iterdir() if p.name.startswith(".synthesis-staging")] == []


def test_the_checkers_summary_holds_measurements_not_rows():
    text = report_markdown(REPORT, "SJ-1")
    assert "| utility | TSTR ratio | 1.04 | ≥ 0.8 | yes |" in text
    assert "all thresholds passed: yes" in text
