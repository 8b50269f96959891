"""Algorithm records: MONAI bundle import, validation, RDF round trip."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kimed_hub.catalogue.algorithm import Algorithm, UseCase, from_monai_bundle
from kimed_hub.catalogue.rdf_io import dump_records, load_records
from kimed_hub.catalogue.rdf_records import records_to_graph
from kimed_hub.catalogue.validation import violations
from kimed_hub.errors import BadInput
from kimed_hub.serde import normalised

from .samples import BASE, dataset, monai_bundle

KIMED_FIELDS = {
    "out_of_scope_use": "No diagnosis; not validated on contrast-free or paediatric CT.",
    "limitations": "Trained on 41 portal-venous CTs from one public challenge.",
    "bias": "No subgroup results (sex, age, scanner) are published.",
    "training_data": ["ct-thorax-test"],
    "use_cases": [
        UseCase(
            "Spleen volumetry (fictional)",
            "UKL (fiktiv)",
            "CT 2023",
            "n=120",
            date(2025, 3, 1),
            "AR-000007",
        )
    ],
}


def spleen(tmp_path) -> Algorithm:
    return from_monai_bundle(
        monai_bundle(tmp_path / "spleen_ct_segmentation"), "spleen-ct-seg", **KIMED_FIELDS
    )


def test_monai_metadata_fills_the_model_card(tmp_path):
    algo = spleen(tmp_path)
    assert (algo.name, algo.version, algo.task) == (
        "Spleen CT segmentation",
        "0.5.9",
        "Decathlon spleen segmentation",
    )
    assert algo.intended_use.startswith("This is an example")
    (image,) = algo.inputs
    assert (image.modality, image.spatial_shape, image.num_channels) == ("CT", [96, 96, 96], 1)
    assert image.spacing == [1.5, 1.5, 2.0]  # from the Spacingd transform of inference.json
    assert algo.outputs[0].channels == ["background", "spleen"]
    assert algo.metrics[0].name == "mean_dice" and algo.metrics[0].value == 0.96
    assert algo.licence == "Apache-2.0"  # from docs/license.txt
    assert algo.software == {
        "monai": "1.4.0",
        "pytorch": "2.4.0",
        "numpy": "1.24.4",
        "nibabel": "5.2.1",
        "pytorch-ignite": "0.4.11",
    }
    assert algo.changelog["0.5.9"] == "update to huggingface hosting"
    assert algo.authors == ["MONAI team"]
    assert algo.out_of_scope_use == KIMED_FIELDS["out_of_scope_use"]


def test_imported_bundle_validates_and_round_trips(tmp_path):
    records = [normalised(dataset()), normalised(spleen(tmp_path))]
    assert violations(records_to_graph(records, BASE)) == []
    for fmt in ("turtle", "json-ld"):
        assert load_records(dump_records(records, fmt, BASE), fmt, BASE) == records


def test_a_bundle_without_the_kimed_fields_is_not_a_complete_record(tmp_path):
    bare = from_monai_bundle(monai_bundle(tmp_path / "b"), "spleen-bare")
    fields = {v.field for v in violations(records_to_graph([normalised(bare)], BASE))}
    assert {"kimed:outOfScopeUse", "kimed:limitations", "kimed:bias"} <= fields


def test_bad_bundles_say_what_is_missing(tmp_path):
    with pytest.raises(BadInput, match="configs/metadata.json"):
        from_monai_bundle(tmp_path, "x")
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "metadata.json").write_text("{not json")
    with pytest.raises(BadInput, match="not valid JSON"):
        from_monai_bundle(tmp_path, "x")
    (tmp_path / "configs" / "metadata.json").write_text(
        json.dumps({"eval_metrics": {"dice": "high"}})
    )
    with pytest.raises((BadInput, ValueError)):
        from_monai_bundle(tmp_path, "x")


def test_algorithms_are_stored_with_links_to_their_training_data(store, tmp_path):
    store.put_dataset(dataset(), actor="steward")
    assert store.put_algorithm(spleen(tmp_path), actor="steward") == 1
    assert store.get_algorithm("spleen-ct-seg").inputs[0].spacing == [1.5, 1.5, 2.0]
    assert [a.identifier for a in store.list_algorithms(trained_on="ct-thorax-test")] == [
        "spleen-ct-seg"
    ]
    with pytest.raises(Exception, match="algorithm spleen-ct-seg"):
        store.delete_dataset("ct-thorax-test", actor="steward")
    store.delete_algorithm("spleen-ct-seg", actor="steward")
    assert store.list_algorithms() == []
