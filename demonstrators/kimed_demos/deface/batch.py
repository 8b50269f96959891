"""Deface files and folders: one volume in memory at a time, per-volume QC, a summary CSV.

For every input ``<name>.nii[.gz]`` the output folder receives ``<name>_defaced.nii.gz``,
``<name>_qc.json`` (the QC report) and ``<name>_qc.png`` (renderings), and one row in
``summary.csv``. A volume that cannot be read is reported in its row and the batch goes
on; the CSV is rewritten after every volume, so an interrupted run keeps its rows.
"""

from __future__ import annotations

import csv
import glob
import json
import time
from pathlib import Path

from tqdm import tqdm

from . import data
from .deface import deface_volume
from .render import save_qc_figure
from .volumes import NIFTI_SUFFIXES, DefaceInputError, load_volume, save_volume

SUMMARY_NAME = "summary.csv"
SUMMARY_FIELDS = (
    "input",
    "passed",
    "failures",
    "registration_metric",
    "brain_voxels_changed",
    "face_remaining",
    "removed_fraction",
    "seconds_registration",
    "seconds_warp",
    "seconds_remove",
    "seconds_qc",
    "seconds_render",
    "defaced",
    "qc_json",
    "qc_png",
    "error",
)


def stem(path: str | Path) -> str:
    """File name without its NIfTI suffix (``sub-01_T1w.nii.gz`` -> ``sub-01_T1w``)."""
    name = Path(path).name
    for suffix in sorted(NIFTI_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


def find_inputs(source: str | Path) -> list[Path]:
    """NIfTI files named by ``source``: a file, a folder (its .nii/.nii.gz) or a glob."""
    source = str(source)
    if Path(source).is_dir():
        found = [p for p in Path(source).iterdir() if p.name.endswith(NIFTI_SUFFIXES)]
    elif glob.has_magic(source):
        found = [Path(p) for p in glob.glob(source)]
    else:
        found = [Path(source)]
    if not found:
        raise DefaceInputError(
            f"no NIfTI files (.nii, .nii.gz) found for {source!r}: pass a file, a folder "
            "holding them, or a glob such as 'scans/*/anat/*_T1w.nii.gz'."
        )
    return sorted(found)


def deface_file(
    path: str | Path,
    output_dir: str | Path,
    *,
    brain_mask_path: str | Path | None = None,
    spacing_mm: float | None = None,
    render: bool = True,
    **options,
) -> dict:
    """Deface one NIfTI file into ``output_dir``; returns its summary row.

    ``brain_mask_path``: a brain mask for QC on any grid (default: ch2bet for the shipped
    Colin27 volume, else Colin27's brain carried over by registration). ``spacing_mm``
    resamples the input first (quick runs). ``options`` go to :func:`deface_volume`.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    volume = load_volume(path, spacing_mm=spacing_mm)
    if brain_mask_path is None and data.is_colin27(path):
        brain_mask_path = data.colin27_paths()[1]
    brain = load_volume(brain_mask_path, what="brain mask") if brain_mask_path else None
    result = deface_volume(volume, brain=brain, **options)
    name = stem(path)
    outputs = {
        "defaced": save_volume(result.defaced, volume, output_dir / f"{name}_defaced.nii.gz"),
        "qc_json": output_dir / f"{name}_qc.json",
        "qc_png": output_dir / f"{name}_qc.png",
    }
    started = time.perf_counter()
    if render:
        args = (volume, result.defaced, result.face, result.brain, result.threshold)
        save_qc_figure(*args, result.qc, outputs["qc_png"])
    result.timings["render"] = time.perf_counter() - started
    report = {"input": str(path), "spacing_mm": spacing_mm} | result.qc
    report["outputs"] = {key: str(value) for key, value in outputs.items()}
    outputs["qc_json"].write_text(json.dumps(report, indent=2) + "\n")
    return summary_row(path, result.qc, result.timings, outputs)


def read_report(path: str | Path) -> dict:
    """A QC report written by :func:`deface_file` (``<name>_qc.json``)."""
    return json.loads(Path(path).read_text())


def summary_row(path: str | Path, qc: dict, timings: dict, outputs: dict) -> dict:
    """One CSV row from a QC report, its stage timings and its output paths."""
    checks = qc["checks"]
    row = {
        "input": str(path),
        "passed": qc["passed"],
        "failures": " | ".join(qc["failures"]),
        "registration_metric": round(checks["registration_metric"]["value"], 4),
        "brain_voxels_changed": checks["brain_untouched"]["value"],
        "face_remaining": round(checks["face_removed"]["value"], 4),
        "removed_fraction": round(checks["removed_fraction"]["value"], 4),
    }
    row |= {f"seconds_{stage}": round(seconds, 3) for stage, seconds in timings.items()}
    return row | {key: str(value) for key, value in outputs.items()}


def deface_batch(source: str | Path, output_dir: str | Path, **options) -> list[dict]:
    """Deface every NIfTI file of ``source`` (file, folder or glob), one at a time.

    Shows a progress bar; writes per-volume outputs and ``summary.csv`` into
    ``output_dir``; returns the summary rows. ``options`` go to :func:`deface_file`.
    """
    paths = find_inputs(source)
    output_dir = Path(output_dir)
    rows = []
    for path in tqdm(paths, desc="defacing", unit="volume"):
        try:
            rows.append(deface_file(path, output_dir, **options))
        except DefaceInputError as exc:
            rows.append({"input": str(path), "passed": False, "error": str(exc)})
        write_summary(rows, output_dir / SUMMARY_NAME)
    return rows


def write_summary(rows: list[dict], path: Path) -> Path:
    """Write summary rows as CSV (fixed columns, blanks where a row lacks one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SUMMARY_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
