"""Automated quality control of one defaced volume: pass/fail per check, with reasons.

Checks (thresholds and the measurements behind them: docs/demonstrators/deface.md):

- ``registration_metric``: the template fit's final Mattes MI is low enough;
- ``registration_geometry``: the fit neither mirrors the head nor shrinks or grows it
  beyond head-size variation;
- ``brain_untouched``: no voxel of the brain mask changed value;
- ``face_removed``: almost no head tissue is left unchanged in a *face probe*: the
  region in front of the brain's anterior extent and below its frontal base. The
  probe is placed by the brain mask (oriented by the fit's rotation), never by the face
  mask, so a misplaced face mask shows up here;
- ``removed_fraction``: the share of head voxels removed is plausible for a face.
"""

from __future__ import annotations

import numpy as np
import torch
from monai.data import MetaTensor

from .geometry import decompose, world_coordinates
from .registration import Registration

# Good fits: -0.69 to -0.85 on Colin27 and 32 heads tilted up to 10 degrees (2 mm
# registration; -0.68 to -0.80 registering at 1 mm), down to -0.61 at 20 degrees. Failed
# fits: a head turned 180 degrees -0.55, an ellipsoid phantom -0.55, skull-stripped
# brains -0.38/-0.44, uniform noise 0.00.
MAX_REGISTRATION_METRIC = -0.60
# Subject -> template scale factors measured 0.78-1.01; outside this, the fit collapsed.
SCALE_RANGE = (0.5, 1.5)
MAX_BRAIN_VOXELS_CHANGED = 0
# Unchanged share of the face probe: 0.000 on every good run (Colin27 and 32 simulated
# heads, 6 of them tilted up to 20 degrees); masks shifted 30 mm down leave 0.66-0.69,
# 30 mm back 0.08-0.09, 45 mm back 0.65, 15 mm down 0.16-0.18 (15 mm forward: 0.02, the mask still
# covers nearly all of the face).
MAX_FACE_REMAINING = 0.05
# Share of head voxels removed: 1.6-3.0% on Colin27 copies (its field of view cuts the
# face), 5.5% on pydeface's full-face template; 0.0-0.2% when nothing or a sliver was
# removed (an already defaced head, a mask 30 mm too low); 20%: far more than a face.
REMOVED_FRACTION_RANGE = (0.005, 0.20)
# Probe: PROBE_ANTERIOR_MM in front of the brain, PROBE_BELOW_FRONTAL_MM below the base
# of its front FRONTAL_DEPTH_MM: below the eyes, which pydeface's mask only partly covers.
PROBE_ANTERIOR_MM = 5.0
PROBE_BELOW_FRONTAL_MM = 10.0
FRONTAL_DEPTH_MM = 30.0
# A probe smaller than this (mm^3) means no face to check: already defaced or outside
# the field of view; removed_fraction then flags the volume.
MIN_PROBE_MM3 = 500.0


def head_threshold(volume: torch.Tensor) -> float:
    """Otsu threshold between air and head tissue (256-bin histogram)."""
    values = volume.detach().flatten().float()
    low, high = float(values.min()), float(values.max())
    counts = torch.histc(values, bins=256, min=low, max=high).double()
    centres = torch.linspace(low, high, 257, device=counts.device, dtype=torch.float64)
    centres = (centres[:-1] + centres[1:]) / 2
    below = torch.cumsum(counts, 0)
    above = below[-1] - below
    mean_below = torch.cumsum(counts * centres, 0) / below.clamp(min=1)
    mean_above = ((counts * centres).sum() - torch.cumsum(counts * centres, 0)) / above.clamp(min=1)
    between = below * above * (mean_below - mean_above) ** 2
    return float(centres[torch.argmax(between)])


def face_probe(
    volume: MetaTensor, brain: torch.Tensor, head: torch.Tensor, rotation: np.ndarray
) -> torch.Tensor:
    """Head voxels in front of the brain and below its frontal base (see module doc).

    ``rotation`` (subject -> template, 3x3) gives the head's anterior and superior
    directions; where the probe sits comes from the brain mask alone.
    """
    world = world_coordinates(volume, brain.device)
    axes = torch.as_tensor(rotation, dtype=torch.float32, device=brain.device)
    anterior = torch.tensordot(axes[1], world, dims=1)
    superior = torch.tensordot(axes[2], world, dims=1)
    # A high quantile, not the maximum: brain masks carry stray voxels at their edges.
    front = _quantile(anterior[brain], 0.999)
    frontal = brain & (anterior > front - FRONTAL_DEPTH_MM)
    base = _quantile(superior[frontal], 0.001)
    return (
        head & (anterior > front + PROBE_ANTERIOR_MM) & (superior < base - PROBE_BELOW_FRONTAL_MM)
    )


def _quantile(values: torch.Tensor, q: float) -> float:
    """Quantile of a large tensor (torch.quantile refuses more than 16M elements)."""
    return float(np.quantile(values.detach().cpu().numpy(), q))


def _check(passed: bool, value: float, limit, reason: str, **extra) -> dict:
    """One check's record; ``reason`` is kept only when the check failed."""
    record = {"passed": bool(passed), "value": value, "limit": limit}
    if not passed:
        record["reason"] = reason
    return record | extra


def run_qc(
    original: MetaTensor,
    defaced: torch.Tensor,
    brain: torch.Tensor,
    brain_source: str,
    registration: Registration,
    threshold: float,
) -> dict:
    """QC report for one volume: ``passed``, ``failures`` (reasons) and per-check records.

    ``brain`` is a boolean (X, Y, Z) mask on the volume's grid and device; ``threshold``
    separates air from head (see :func:`head_threshold`).
    """
    before, after = original[0].as_tensor().to(defaced.device), defaced[0]
    changed = before != after
    head = before > threshold
    rotation, scales, determinant = decompose(registration.subject_to_template)
    probe = face_probe(original, brain, head, rotation)
    voxel_mm3 = float(abs(np.linalg.det(np.asarray(original.affine)[:3, :3])))
    checks = {
        "registration_metric": _metric_check(registration.metric),
        "registration_geometry": _geometry_check(scales, determinant),
        "brain_untouched": _brain_check(changed, brain, brain_source),
        "face_removed": _face_check(probe, changed, voxel_mm3),
        "removed_fraction": _fraction_check(changed, head),
    }
    failures = [f"{name}: {c['reason']}" for name, c in checks.items() if not c["passed"]]
    return {"passed": not failures, "failures": failures, "checks": checks}


def _metric_check(metric: float) -> dict:
    return _check(
        metric <= MAX_REGISTRATION_METRIC,
        metric,
        MAX_REGISTRATION_METRIC,
        f"template fit too poor (Mattes MI {metric:.3f} > {MAX_REGISTRATION_METRIC}): "
        "is this a head MRI with the face in the field of view, within ~20 degrees of "
        "upright?",
    )


def _geometry_check(scales: np.ndarray, determinant: float) -> dict:
    low, high = SCALE_RANGE
    mirrored = determinant < 0
    plausible = not mirrored and bool(np.all((scales >= low) & (scales <= high)))
    problem = "mirrors the head" if mirrored else f"scales it by {np.round(scales, 2).tolist()}"
    return _check(
        plausible,
        float(determinant),
        {"scale_range": list(SCALE_RANGE), "determinant": "> 0"},
        f"the template fit {problem}: registration failed",
        scales=[float(x) for x in scales],
    )


def _brain_check(changed: torch.Tensor, brain: torch.Tensor, brain_source: str) -> dict:
    count = int((changed & brain).sum())
    return _check(
        count <= MAX_BRAIN_VOXELS_CHANGED,
        count,
        MAX_BRAIN_VOXELS_CHANGED,
        f"{count} brain voxels changed: the face mask reaches into the brain",
        brain_mask=brain_source,
        brain_voxels=int(brain.sum()),
    )


def _face_check(probe: torch.Tensor, changed: torch.Tensor, voxel_mm3: float) -> dict:
    total = int(probe.sum())
    if total * voxel_mm3 < MIN_PROBE_MM3:
        return _check(True, 0.0, MAX_FACE_REMAINING, "", probe_voxels=total, note="no face")
    remaining = int((probe & ~changed).sum()) / total
    return _check(
        remaining <= MAX_FACE_REMAINING,
        remaining,
        MAX_FACE_REMAINING,
        f"{remaining:.0%} of the face probe is unchanged: face tissue in front of and "
        "below the brain is still there",
        probe_voxels=total,
    )


def _fraction_check(changed: torch.Tensor, head: torch.Tensor) -> dict:
    fraction = int((changed & head).sum()) / max(int(head.sum()), 1)
    low, high = REMOVED_FRACTION_RANGE
    return _check(
        low <= fraction <= high,
        fraction,
        list(REMOVED_FRACTION_RANGE),
        f"{fraction:.1%} of head voxels removed, outside {low:.1%}-{high:.0%}: "
        "nothing removed (already defaced?) or far more than a face",
    )


def failing_checks(qc: dict) -> list[str]:
    """Names of the checks that failed in a QC report."""
    return [name for name, check in qc["checks"].items() if not check["passed"]]


def format_report(qc: dict) -> str:
    """A QC report as a markdown table: check, verdict, value, limit, reason."""
    rows = [
        {
            "check": name,
            "verdict": "pass" if check["passed"] else "**FAIL**",
            "value": check["value"],
            "limit": check["limit"],
            "reason": check.get("reason", ""),
        }
        for name, check in qc["checks"].items()
    ]
    return markdown_table(rows)


def markdown_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """Rows of dicts as a markdown table (floats to 4 significant digits)."""
    columns = columns or (list(rows[0]) if rows else [])
    cells = [[_cell(row.get(column, "")) for column in columns] for row in rows]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(line) + " |" for line in cells])


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key} {_cell(item)}" for key, item in value.items())
    return str(value)
