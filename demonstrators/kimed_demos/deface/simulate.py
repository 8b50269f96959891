"""Simulated subjects with a known face: Colin27 moved, rotated and scaled at random.

The true face region of Colin27 comes from the shipped reference registration; a random
affine moves the head, that face region and the brain mask together, so defacing the
moved head can be scored against a face mask known by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from monai.data import MetaTensor

from . import data
from .batch import summary_row
from .deface import deface_volume
from .geometry import centre, flip, random_affine, translation, warp
from .qc import failing_checks
from .registration import Registration
from .volumes import save_volume

# Face masks misplaced on purpose, as world maps moving the mask on the subject: QC must
# fail each of them, naming the check that catches it.
MISPLACEMENTS = {
    "shifted 30 mm down": lambda point: translation([0.0, 0.0, -30.0]),
    "shifted 30 mm up": lambda point: translation([0.0, 0.0, 30.0]),
    "shifted 45 mm back": lambda point: translation([0.0, -45.0, 0.0]),
    "mirrored front-back": lambda point: flip(1, point),
}


@dataclass
class SimulatedSubject:
    """A moved head with its true face region and brain mask, and the affine applied.

    ``valid`` marks voxels whose content came from inside Colin27's field of view: only
    there is the true face known (Colin27's face is cut by its field of view, and a
    registered mask rightly extends past the cut).
    """

    volume: MetaTensor
    face: torch.Tensor
    brain: MetaTensor
    valid: torch.Tensor
    moved_by: np.ndarray


def colin27_face(volume: MetaTensor) -> torch.Tensor:
    """Colin27's true face region on ``volume``'s grid (a Colin27 volume at any spacing)."""
    to_colin = np.linalg.inv(data.reference_map())
    return warp(data.template_face(), to_colin, volume)[0] > 0.5


def simulate_subject(
    volume: MetaTensor, brain: MetaTensor, rng: np.random.Generator, **ranges
) -> SimulatedSubject:
    """Move a Colin27 ``volume`` and its ``brain`` mask by a random affine, same grid.

    ``ranges`` go to :func:`geometry.random_affine` (defaults: +-10 degrees, +-10 mm,
    scale 0.92-1.08 per axis). Content moved out of the field of view is lost, as in a
    real scan positioned differently.
    """
    moved_by = random_affine(rng, centre(volume), **ranges)
    return SimulatedSubject(
        volume=MetaTensor(warp(volume, moved_by, volume), meta=dict(volume.meta)),
        face=_moved_mask(colin27_face(volume), volume, moved_by),
        brain=MetaTensor(warp(brain, moved_by, volume, mode="nearest"), affine=volume.affine),
        valid=_moved_mask(torch.ones(volume.shape[-3:], dtype=torch.bool), volume, moved_by),
        moved_by=moved_by,
    )


def _moved_mask(mask: torch.Tensor, volume: MetaTensor, moved_by: np.ndarray) -> torch.Tensor:
    """A boolean mask on ``volume``'s grid, moved by ``moved_by`` (same grid)."""
    as_meta = MetaTensor(mask[None].float(), affine=volume.affine)
    return warp(as_meta, moved_by, volume)[0] > 0.5


def dice(a: torch.Tensor, b: torch.Tensor) -> float:
    """Dice overlap of two boolean masks (1.0 when both are empty)."""
    total = int(a.sum()) + int(b.sum())
    return 1.0 if total == 0 else 2.0 * int((a & b).sum()) / total


def score(subject: SimulatedSubject, face: torch.Tensor, defaced: torch.Tensor) -> dict:
    """Face-mask Dice against the truth (where known) and brain voxels that changed."""
    face, valid = face.cpu(), subject.valid
    changed = defaced[0].cpu() != subject.volume[0].as_tensor()
    return {
        "dice": dice(face & valid, subject.face & valid),
        "brain_voxels_changed": int((changed & (subject.brain[0] > 0.5)).sum()),
    }


def evaluate_simulated(
    volume: MetaTensor, brain: MetaTensor, count: int, seed: int = 0, **options
) -> list[dict]:
    """Deface ``count`` simulated subjects; per subject a summary row plus Dice.

    Rows hold the QC verdict and values, seconds per stage, the face-mask ``dice`` and
    ``brain_voxels_changed`` against the truth. ``options`` go to ``deface_volume``.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(count):
        subject = simulate_subject(volume, brain, rng)
        result = deface_volume(subject.volume, brain=subject.brain, seed=seed + index, **options)
        row = summary_row(f"simulated-{index}", result.qc, result.timings, {})
        rows.append(row | score(subject, result.face, result.defaced.as_tensor()))
    return rows


def write_simulated(
    volume: MetaTensor, brain: MetaTensor, count: int, folder: str | Path, seed: int = 0
) -> list[Path]:
    """Write ``count`` simulated heads as ``sim-NN.nii.gz`` into ``folder`` (batch input)."""
    rng = np.random.default_rng(seed)
    return [
        save_volume(simulate_subject(volume, brain, rng).volume, volume, Path(folder) / name)
        for name in (f"sim-{index:02d}.nii.gz" for index in range(count))
    ]


def misplaced_masks(
    volume: MetaTensor, brain: MetaTensor, registration: Registration, **options
) -> list[dict]:
    """QC after moving the face mask on purpose (:data:`MISPLACEMENTS`), one row each.

    ``registration`` is a correct fit of ``volume``; each misplacement is composed into
    it, so only the face mask moves while the brain mask stays where it belongs. Rows
    hold the misplacement, whether QC passed, the failing checks and the full report.
    """
    rows = []
    for name, misplacement in MISPLACEMENTS.items():
        move = misplacement(centre(volume))
        moved_fit = registration.subject_to_template @ np.linalg.inv(move)
        tampered = Registration(moved_fit, registration.metric)
        qc = deface_volume(volume, brain=brain, registration=tampered, **options).qc
        rows.append(
            {"misplacement": name, "qc_passed": qc["passed"], "failing_checks": failing_checks(qc)}
            | {"report": qc}
        )
    return rows
