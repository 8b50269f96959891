"""Algorithm records (model cards) and their import from a MONAI bundle.

A record says what a model does, what it may and may not be used for, what it expects
as input (modality, shape, spacing) and returns, what it was trained on (links to
catalogue datasets), how well it did, its limitations and bias, licence, software
environment and where it has been used. MONAI bundles carry about half of this in
``configs/metadata.json``; :func:`from_monai_bundle` reads that (and the resampling
spacing from ``configs/inference.json`` when present) and takes the KIMed-only fields
(out-of-scope use, limitations, training-data links, use cases) from the caller.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import BadInput, Violation
from ..serde import from_data, items, text
from .model import check_codes, check_identifier

LONG_TEXT = 20_000


@dataclass
class TensorSpec:
    """One input or output of the network (MONAI ``network_data_format`` entry)."""

    name: str = text(max_len=100)
    kind: str = text("image", max_len=40)
    format: str = text(max_len=100)
    modality: str = text(max_len=40)
    num_channels: int | None = None
    spatial_shape: list[int] = items(max_items=4)
    spacing: list[float] = items(max_items=4)
    dtype: str = text(max_len=20)
    value_range: list[float] = items(max_items=2)
    channels: list[str] = items(max_items=200)


@dataclass
class Metric:
    """An evaluation result: metric name, value and on which data it was measured."""

    name: str = text(max_len=100)
    value: float = 0.0
    dataset: str = text(max_len=300)


@dataclass
class UseCase:
    """A concrete application: project/access request, site, cohort, outcome, date."""

    project: str = text(max_len=300)
    site: str = text(max_len=300)
    cohort: str = text(max_len=1_000)
    outcome: str = text(max_len=2_000)
    date: date | None = None
    access_request: str = text(max_len=40)


@dataclass
class Algorithm:
    """An algorithm/model record in the catalogue's registry."""

    identifier: str = text(max_len=80)
    name: str = text(max_len=300)
    version: str = text(max_len=60)
    task: str = text(max_len=300)
    description: str = text(max_len=LONG_TEXT)
    intended_use: str = text(max_len=LONG_TEXT)
    out_of_scope_use: str = text(max_len=LONG_TEXT)
    inputs: list[TensorSpec] = items(max_items=20)
    outputs: list[TensorSpec] = items(max_items=20)
    training_data: list[str] = items(max_items=50, as_set=True)
    data_source: str = text(max_len=2_000)
    metrics: list[Metric] = items(max_items=100, as_set=True)
    limitations: str = text(max_len=LONG_TEXT)
    bias: str = text(max_len=LONG_TEXT)
    licence: str = text(max_len=40)
    authors: list[str] = items(max_items=50)
    copyright: str = text(max_len=500)
    software: dict[str, str] = field(default_factory=dict)
    changelog: dict[str, str] = field(default_factory=dict)
    use_cases: list[UseCase] = items(max_items=200, as_set=True)
    references: list[str] = items(max_items=50, as_set=True)


def check_algorithm(algo: Algorithm) -> list[Violation]:
    """What must hold before an Algorithm can become RDF: identifier, codes, links."""
    problems = check_identifier(algo.identifier)
    if algo.licence:
        problems += check_codes(algo, {"licence": "licence"})
    for i, dataset in enumerate(algo.training_data):
        problems += check_identifier(dataset, f"training_data[{i}]")
    for kind in ("inputs", "outputs"):
        for i, spec in enumerate(getattr(algo, kind)):
            if spec.modality:
                problems += check_codes(spec, {"modality": "modality"}, f"{kind}[{i}].")
    if len(algo.software) > 50 or len(algo.changelog) > 200:
        problems.append(Violation("software/changelog", "too many entries (50/200 at most)"))
    return problems


# --- MONAI bundle import ------------------------------------------------------------------

#: First words of a bundle's ``docs/license.txt`` → SPDX id (bundles rarely state an id).
LICENCE_TEXTS = {
    "apache license": "Apache-2.0",
    "mit license": "MIT",
    "creative commons attribution 4.0": "CC-BY-4.0",
    "attribution-noncommercial-sharealike 4.0": "CC-BY-NC-SA-4.0",
}


def from_monai_bundle(bundle: Path | str, identifier: str, **kimed: Any) -> Algorithm:
    """Read a MONAI bundle folder into an Algorithm; ``kimed`` adds the KIMed-only fields.

    ``kimed`` may set any Algorithm field (e.g. ``out_of_scope_use``, ``limitations``,
    ``bias``, ``training_data``, ``use_cases``); it wins over the bundle's values.
    """
    root = Path(bundle)
    meta = _read_json(root / "configs" / "metadata.json")
    record = _from_metadata(meta)
    spacing = _find_spacing(_read_json(root / "configs" / "inference.json", required=False))
    for spec in record["inputs"]:
        if spacing and not spec["spacing"]:
            spec["spacing"] = spacing
    if not record["licence"]:
        record["licence"] = _licence_from_text(root / "docs" / "license.txt")
    record.update(identifier=identifier, **kimed)
    return from_data(Algorithm, record, f"MONAI bundle {root.name}")


def _read_json(path: Path, required: bool = True) -> Any:
    if not path.is_file():
        if required:
            raise BadInput(f"{path} is missing; a MONAI bundle has configs/metadata.json")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"{path} is not valid JSON: {exc}") from exc


def _from_metadata(meta: dict) -> dict:
    data_format = meta.get("network_data_format", {})
    authors = meta.get("authors", [])
    return {
        "name": meta.get("name", ""),
        "version": meta.get("version", ""),
        "task": meta.get("task", ""),
        "description": meta.get("description", ""),
        "intended_use": meta.get("intended_use", ""),
        "inputs": [_tensor(k, v) for k, v in data_format.get("inputs", {}).items()],
        "outputs": [_tensor(k, v) for k, v in data_format.get("outputs", {}).items()],
        "data_source": meta.get("data_source", ""),
        "metrics": [
            {"name": k, "value": float(v), "dataset": meta.get("data_source", "")}
            for k, v in meta.get("eval_metrics", {}).items()
        ],
        "licence": meta.get("license", ""),
        "authors": [authors] if isinstance(authors, str) else list(authors),
        "copyright": meta.get("copyright", ""),
        "software": _software(meta),
        "changelog": {str(k): str(v) for k, v in meta.get("changelog", {}).items()},
        "references": list(meta.get("references", [])),
    }


def _tensor(name: str, spec: dict) -> dict:
    return {
        "name": name,
        "kind": spec.get("type", "image"),
        "format": spec.get("format", ""),
        "modality": _modality(spec.get("modality", "")),
        "num_channels": spec.get("num_channels"),
        "spatial_shape": [int(x) for x in spec.get("spatial_shape", []) if str(x).isdigit()],
        "spacing": [],
        "dtype": spec.get("dtype", ""),
        "value_range": [float(x) for x in spec.get("value_range", [])],
        "channels": [str(v) for _, v in sorted(spec.get("channel_def", {}).items())],
    }


def _modality(raw: str) -> str:
    # MONAI writes "MRI" or "CT"; KIMed uses DICOM-style codes.
    mapping = {"MRI": "MR", "XRAY": "XR", "X-RAY": "XR", "PET": "PT", "US": "US"}
    return mapping.get(raw.upper(), raw.upper())


def _software(meta: dict) -> dict[str, str]:
    software = {}
    for key in ("monai_version", "pytorch_version", "numpy_version"):
        if key in meta:
            software[key.removesuffix("_version")] = str(meta[key])
    for key in ("required_packages_version", "optional_packages_version"):
        software.update({str(k): str(v) for k, v in meta.get(key, {}).items()})
    return software


def _find_spacing(config: Any) -> list[float]:
    """The ``pixdim`` of the first Spacing(d) transform anywhere in an inference config."""
    if isinstance(config, dict):
        target = str(config.get("_target_", ""))
        if target.split(".")[-1] in ("Spacing", "Spacingd") and "pixdim" in config:
            return [float(x) for x in config["pixdim"]]
        children = config.values()
    elif isinstance(config, list):
        children = config
    else:
        return []
    for child in children:
        found = _find_spacing(child)
        if found:
            return found
    return []


def _licence_from_text(path: Path) -> str:
    if not path.is_file():
        return ""
    head = path.read_text(encoding="utf-8", errors="replace")[:400].lower()
    return next((spdx for words, spdx in LICENCE_TEXTS.items() if words in head), "")
