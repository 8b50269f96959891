"""Seconds per volume of the defacing demonstrator, per stage, on CPU and (where present) GPU.

    .venv/bin/python bench/deface.py [--simulated 3] [--spacings 1 2] [--native-registration]

For each voxel size, defaces Colin27 (through ``deface_file``: with reading, writing and
the QC rendering) and ``--simulated`` moved copies with a known face (scored by Dice),
timing registration / warp / remove / qc / render. Registration always runs on the CPU
(SimpleITK); the other stages run again on CUDA when torch sees a GPU. Prints a markdown
table and writes bench/results/deface.json. Target: under 30 s per 1 mm volume on CPU.
``--native-registration`` also times registering at the volume's own 1 mm grid.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time

import torch
from results_io import save_results  # bench/results_io.py
from tqdm import tqdm

from kimed_demos.deface import data, deface_file, load_volume
from kimed_demos.deface.qc import markdown_table
from kimed_demos.deface.simulate import evaluate_simulated

STAGES = ("registration", "warp", "remove", "qc", "render")


def run_config(spacing: float, device: str, simulated: int, registration_mm, seed: int) -> dict:
    """Deface Colin27 and ``simulated`` copies at ``spacing`` mm on ``device``; raw rows."""
    spacing_mm = None if spacing == 1 else spacing
    options = {"device": device, "seed": seed, "registration_spacing_mm": registration_mm}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        colin = deface_file(data.COLIN27, folder, spacing_mm=spacing_mm, **options)
        colin["seconds_total"] = time.perf_counter() - started
    volume = load_volume(data.COLIN27, spacing_mm=spacing_mm, what="Colin27 head")
    brain = load_volume(data.COLIN27_BRAIN, what="Colin27 brain mask")
    options.pop("seed")
    rows = evaluate_simulated(volume, brain, simulated, seed=seed, **options)
    return {"colin27": colin, "simulated": rows}


def summarise(name: str, spacing: float, device: str, registration_mm, raw: dict) -> dict:
    """One table row: mean seconds per stage, Dice range, QC values."""
    rows = [raw["colin27"], *raw["simulated"]]
    dice = [row["dice"] for row in raw["simulated"]]
    summary = {
        "config": name,
        "voxel_mm": spacing,
        "device": device,
        "registration_mm": registration_mm or "native",
        "volumes": len(rows),
    }
    for stage in STAGES:
        values = [row[f"seconds_{stage}"] for row in rows if f"seconds_{stage}" in row]
        summary[f"{stage}_s"] = statistics.mean(values) if values else None
    summary["total_s"] = sum(summary[f"{stage}_s"] or 0.0 for stage in STAGES)
    summary["dice_min"] = min(dice) if dice else None
    summary["dice_max"] = max(dice) if dice else None
    summary["brain_voxels_changed"] = sum(row["brain_voxels_changed"] for row in rows)
    summary["qc_passed"] = f"{sum(row['passed'] for row in rows)}/{len(rows)}"
    metrics = [row["registration_metric"] for row in rows]
    summary["metric_range"] = [min(metrics), max(metrics)]
    return summary


def configs(spacings: list[float], native: bool) -> list[tuple[str, float, str, object]]:
    """(name, voxel size, device, registration spacing) for every configuration to time."""
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    found = [
        (f"{spacing:g}mm-{device}", spacing, device, 2.0)
        for spacing in spacings
        for device in devices
    ]
    if native:
        found.append(("1mm-cpu-native-registration", 1.0, "cpu", None))
    return found


def main() -> None:
    """Run every configuration, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulated", type=int, default=3, help="moved copies per config")
    parser.add_argument("--spacings", type=float, nargs="+", default=[1.0, 2.0])
    parser.add_argument("--native-registration", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    summaries, raw = [], {}
    todo = configs(args.spacings, args.native_registration)
    for name, spacing, device, registration_mm in tqdm(todo, desc="configs", unit="config"):
        raw[name] = run_config(spacing, device, args.simulated, registration_mm, args.seed)
        summaries.append(summarise(name, spacing, device, registration_mm, raw[name]))
    print(markdown_table(summaries))
    record = {
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        },
        "summaries": summaries,
        "raw": raw,
    }
    save_results("deface", record)


if __name__ == "__main__":
    main()
