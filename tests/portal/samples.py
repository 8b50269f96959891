"""Builders for realistic test records: a dataset, its synthetic version, an application,
and a MONAI bundle folder with a model-zoo style ``configs/metadata.json``."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from kimed_hub.access.application import (
    Application,
    EthicsVote,
    Person,
    SafeData,
    SafeOutputs,
    SafePeople,
    SafeProject,
)
from kimed_hub.catalogue.model import (
    Agent,
    ContactPoint,
    Dataset,
    Distribution,
    Generator,
    LangText,
    Period,
    QualityAnnotation,
    Variable,
)

BASE = "https://kimed.example.org/catalogue/"
UAC = Agent(
    "KIMed Zugangskomitee (fiktiv)", "zugang@kimed.example.org", "https://kimed.example.org/z"
)


def dataset(identifier: str = "ct-thorax-test", **changes) -> Dataset:
    """A complete, valid (fictional) imaging dataset record."""
    record = Dataset(
        identifier=identifier,
        title=LangText("CT Thorax Lungenrundherde (fiktiv)", "Chest CT lung nodules (fictional)"),
        description=LangText(
            "Fiktiv. Niedrigdosis-CT mit annotierten Rundherden.\nZweite Zeile.",
            "Fictional. Low-dose chest CT with annotated nodules.\nSecond line.",
        ),
        health_categories=["EHRS"],
        keywords=["Lunge", "lung", "Röntgen"],
        modalities=["CT"],
        provenance=LangText("Routinedaten der Radiologie", "Routine radiology data"),
        publisher=Agent("KIMed Workbench (fiktiv)", "katalog@kimed.example.org"),
        custodian=Agent("Universitätsklinikum Leipzig (fiktiv)", "daten@ukl.kimed.example.org"),
        access_body=UAC,
        contact_point=ContactPoint("Datenmanagement", "daten@ukl.kimed.example.org"),
        coding_systems=["ICD-10-NAT", "SNOMED-CT"],
        standards=["DICOM"],
        number_of_records=6890,
        number_of_individuals=4210,
        min_age=40,
        max_age=85,
        population_coverage=LangText("Erwachsene mit Thorax-CT", "Adults with chest CT"),
        temporal=Period(date(2016, 1, 1), date(2023, 12, 31)),
        spatial=["LEIPZIG"],
        legal_bases=["GDPR-A9-2-j"],
        personal_data=["Age", "HealthRecord"],
        quality=[QualityAnnotation("completeness", "97 % annotiert", 0.97)],
        distributions=[
            Distribution(
                "DICOM-Studien",
                f"https://kimed.example.org/portal/antrag/{identifier}",
                "ZIP",
                "application/dicom",
                "KIMED-DUA",
                "Nur in der Workbench",
                123456789,
            )
        ],
        variables=[
            Variable("patient_pseudonym", "Pseudonym", "Pseudonymisierte ID"),
            Variable("nodule_diameter_mm", "Herddurchmesser", "mm", "decimal"),
            Variable("age", "Alter", "Jahre", "integer", "http://loinc.org/rdf/30525-0"),
        ],
        version="1.0",
        issued=date(2024, 3, 1),
        modified=date(2025, 2, 14),
    )
    return replace(record, **changes)


def synthetic(source: Dataset, identifier: str | None = None) -> Dataset:
    """A synthetic version of ``source`` (typed SYNTHETIC_DATA, linked, not for inference)."""
    return replace(
        source,
        identifier=identifier or f"{source.identifier}-synth",
        title=LangText(f"{source.title.de} synthetisch", f"{source.title.en} synthetic"),
        dataset_types=["SYNTHETIC_DATA"],
        access_rights="PUBLIC",
        derived_from=source.identifier,
        generator=Generator("synthpop", "1.8-0", 42, "method=cart"),
        quality=[QualityAnnotation("fidelity", "1 - TVD", 0.91)],
        distributions=[
            Distribution("CSV", "https://kimed.example.org/synth/x", "CSV", "text/csv", "CC-BY-4.0")
        ],
    )


def application(
    applicant: str = "alice", members: tuple[str, ...] = ("bob",), **data
) -> Application:
    """A complete access application for ``ct-thorax-test`` by ``applicant``."""
    team = [Person(username=m, name=m.title(), institution="Uni Leipzig (fiktiv)") for m in members]
    return Application(
        people=SafePeople(
            Person(
                username=applicant,
                name=applicant.title(),
                email=f"{applicant}@uni.kimed.example.org",
                institution="Universität Leipzig (fiktiv)",
                ror="https://ror.org/03s7gtk40",
                orcid="0000-0002-1825-0097",
            ),
            team,
        ),
        project=SafeProject(
            title="Rundherd-Detektion",
            lay_summary="Wir prüfen, ob KI Lungenrundherde findet.",
            aims="Sensitivität messen",
            methods="RetinaNet, Kreuzvalidierung",
            start=date(2025, 1, 1),
            end=date(2027, 12, 31),
        ),
        data=SafeData(
            datasets=data.get("datasets", ["ct-thorax-test"]),
            level="pseudonymised-record-level",
            legal_basis="GDPR-A6-1-e",
            special_category_condition="GDPR-A9-2-j",
            minimisation="Nur Thorax-CTs mit Annotation",
            ethics=EthicsVote(
                True, "Ethikkommission Leipzig (fiktiv)", "123/25-ek", date(2024, 12, 1)
            ),
        ),
        outputs=SafeOutputs(
            "Publikation, Modellgewichte", "ACRO-Prüfung", date(2030, 12, 31), "Löschung"
        ),
        terms_accepted_by=[applicant, *members],
    )


MONAI_METADATA = {
    "schema": "https://github.com/Project-MONAI/MONAI-extra-test-data/releases/download/"
    "0.8.1/meta_schema_20240725.json",
    "version": "0.5.9",
    "changelog": {
        "0.5.9": "update to huggingface hosting",
        "0.5.8": "add TensorRT support",
        "0.1.0": "complete the model package",
    },
    "monai_version": "1.4.0",
    "pytorch_version": "2.4.0",
    "numpy_version": "1.24.4",
    "required_packages_version": {"nibabel": "5.2.1", "pytorch-ignite": "0.4.11"},
    "supported_apps": {},
    "name": "Spleen CT segmentation",
    "task": "Decathlon spleen segmentation",
    "description": "A pre-trained model for volumetric (3D) segmentation of the spleen "
    "from CT image",
    "authors": "MONAI team",
    "copyright": "Copyright (c) MONAI Consortium",
    "data_source": "Task09_Spleen.tar from http://medicaldecathlon.com/",
    "data_type": "nibabel",
    "image_classes": "single channel data, intensity scaled to [0, 1]",
    "label_classes": "single channel data, 1 is spleen, 0 is everything else",
    "pred_classes": "2 channels OneHot data, channel 1 is spleen, channel 0 is background",
    "eval_metrics": {"mean_dice": 0.96},
    "intended_use": "This is an example, not to be used for diagnostic purposes",
    "references": [
        "Xia, Yingda, et al. '3D Semi-Supervised Learning with Uncertainty-Aware "
        "Multi-View Co-Training.' WACV 2020"
    ],
    "network_data_format": {
        "inputs": {
            "image": {
                "type": "image",
                "format": "hounsfield",
                "modality": "CT",
                "num_channels": 1,
                "spatial_shape": [96, 96, 96],
                "dtype": "float32",
                "value_range": [0, 1],
                "is_patch_data": True,
                "channel_def": {"0": "image"},
            }
        },
        "outputs": {
            "pred": {
                "type": "image",
                "format": "segmentation",
                "num_channels": 2,
                "spatial_shape": [96, 96, 96],
                "dtype": "float32",
                "value_range": [0, 1],
                "is_patch_data": True,
                "channel_def": {"0": "background", "1": "spleen"},
            }
        },
    },
}
INFERENCE_CONFIG = {
    "imports": ["$import glob", "$import os"],
    "preprocessing": {
        "_target_": "Compose",
        "transforms": [
            {"_target_": "LoadImaged", "keys": "image"},
            {"_target_": "EnsureChannelFirstd", "keys": "image"},
            {"_target_": "Orientationd", "keys": "image", "axcodes": "RAS"},
            {
                "_target_": "Spacingd",
                "keys": "image",
                "pixdim": [1.5, 1.5, 2.0],
                "mode": "bilinear",
            },
            {"_target_": "ScaleIntensityRanged", "keys": "image", "a_min": -57, "a_max": 164},
        ],
    },
}


def monai_bundle(root: Path) -> Path:
    """Write a spleen-segmentation style MONAI bundle (metadata, inference, licence)."""
    (root / "configs").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "configs" / "metadata.json").write_text(json.dumps(MONAI_METADATA, indent=4))
    (root / "configs" / "inference.json").write_text(json.dumps(INFERENCE_CONFIG, indent=4))
    (root / "docs" / "license.txt").write_text(
        "Third Party Licenses\n\nApache License\nVersion 2.0, January 2004\n"
    )
    return root
