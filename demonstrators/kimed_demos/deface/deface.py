"""Deface one head volume: register the template, warp its face mask, remove the face, QC.

Registration stays in SimpleITK on the CPU; warping the masks, removing the face and the
QC arithmetic run in torch through MONAI, on the GPU when torch sees one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from monai.data import MetaTensor

from . import data
from .geometry import warp
from .qc import head_threshold, run_qc
from .registration import REGISTRATION_SPACING_MM, Registration, register

FILLS = ("zero", "noise")
# A brain mask carried over from Colin27 by an affine map is only approximately this
# subject's brain: grow it so the check errs towards failing. Colin27's face region
# lies >= 12 mm from its brain, so a 5 mm cube (<= 8.7 mm) cannot touch a correct mask.
WARPED_BRAIN_MARGIN_MM = 5.0


@dataclass
class DefaceResult:
    """A defaced volume with its masks, registration, QC report and stage timings.

    ``face`` and ``brain`` are boolean (X, Y, Z) masks on the volume's grid and the
    working device; ``threshold`` is the air/head intensity used by QC and renderings.
    """

    defaced: MetaTensor
    face: torch.Tensor
    brain: torch.Tensor
    registration: Registration
    qc: dict
    threshold: float
    timings: dict = field(default_factory=dict)


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` -> CUDA when torch sees a GPU, else CPU; anything else as given."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def face_mask(
    volume: MetaTensor, registration: Registration, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """The template's face region on ``volume``'s grid, (X, Y, Z) boolean."""
    to_subject = np.linalg.inv(registration.subject_to_template)
    return warp(data.template_face(), to_subject, volume, device=device)[0] > 0.5


def brain_mask(
    volume: MetaTensor,
    registration: Registration,
    provided: MetaTensor | None = None,
    device: torch.device | str = "cpu",
) -> tuple[torch.Tensor, str]:
    """The brain mask used by QC on ``volume``'s grid, and a note on where it came from.

    A ``provided`` mask (any grid; nonzero = brain, so a brain-extracted image such as
    Colin27's ch2bet serves too) is resampled as it is.
    Otherwise Colin27's brain is carried template -> subject through the shipped
    reference registration and grown by :data:`WARPED_BRAIN_MARGIN_MM`.
    """
    if provided is not None:
        mask = warp(provided, np.eye(4), volume, mode="nearest", device=device)[0] > 0
        return mask, "provided"
    colin_to_subject = np.linalg.inv(registration.subject_to_template) @ data.reference_map()
    mask = warp(data.colin27_brain(), colin_to_subject, volume, device=device)[0] > 0.5
    return _dilate(mask, volume, WARPED_BRAIN_MARGIN_MM), (
        f"Colin27 brain warped from the template, grown {WARPED_BRAIN_MARGIN_MM:g} mm"
    )


def _dilate(mask: torch.Tensor, volume: MetaTensor, margin_mm: float) -> torch.Tensor:
    """Grow a mask by ``margin_mm`` along each axis (a cube: at least a ball's growth)."""
    spacing = np.linalg.norm(np.asarray(volume.affine)[:3, :3], axis=0)
    radius = [max(1, round(margin_mm / s)) for s in spacing]
    kernel = [2 * r + 1 for r in radius]
    grown = torch.nn.functional.max_pool3d(
        mask[None, None].float(), kernel_size=kernel, stride=1, padding=radius
    )
    return grown[0, 0] > 0


def remove_face(
    volume: torch.Tensor, face: torch.Tensor, fill: str, threshold: float, seed: int = 0
) -> torch.Tensor:
    """A copy of ``volume`` (1, X, Y, Z) with the face voxels set to 0 or to noise.

    ``noise`` draws each removed voxel from the volume's own air voxels (below
    ``threshold``), so the defaced region looks like background and carries no shape.
    """
    if fill not in FILLS:
        raise ValueError(f"fill must be one of {FILLS}, not {fill!r}")
    out = volume.clone()
    if fill == "zero":
        out[0][face] = 0
        return out
    air = volume[0][volume[0] < threshold]
    generator = torch.Generator(device="cpu").manual_seed(seed)
    picks = torch.randint(0, air.numel(), (int(face.sum()),), generator=generator)
    out[0][face] = air[picks.to(air.device)]
    return out


def deface_volume(
    volume: MetaTensor,
    *,
    brain: MetaTensor | None = None,
    registration: Registration | None = None,
    fill: str = "zero",
    seed: int = 0,
    device: str | torch.device = "auto",
    registration_spacing_mm: float | None = REGISTRATION_SPACING_MM,
) -> DefaceResult:
    """Deface ``volume`` and check the result; see :class:`DefaceResult`.

    ``brain``: a brain mask for QC (None: Colin27's, carried over by registration).
    ``registration``: reuse a known registration (tests pass a tampered one on purpose).
    ``fill``: ``"zero"`` or ``"noise"``; ``seed`` fixes registration sampling and noise.
    ``device``: where warping, removal and QC run (``"auto"``: CUDA when available).
    """
    device = resolve_device(device)
    clock = _StageClock(device)
    if registration is None:
        registration = register(volume, seed=seed, spacing_mm=registration_spacing_mm)
    clock.lap("registration")
    face = face_mask(volume, registration, device)
    brain_voxels, brain_source = brain_mask(volume, registration, brain, device)
    clock.lap("warp")
    values = volume.as_tensor().to(device)
    threshold = head_threshold(values)
    defaced = remove_face(values, face, fill, threshold, seed)
    clock.lap("remove")
    qc = run_qc(volume, defaced, brain_voxels, brain_source, registration, threshold)
    clock.lap("qc")
    qc |= {"registration": registration.as_dict(), "fill": fill, "timings_s": clock.laps}
    output = MetaTensor(defaced.cpu(), meta=dict(volume.meta))
    return DefaceResult(output, face, brain_voxels, registration, qc, threshold, clock.laps)


class _StageClock:
    """Seconds per stage; waits for queued GPU work so GPU stages are timed honestly."""

    def __init__(self, device: torch.device):
        self.device, self.laps, self._last = device, {}, time.perf_counter()

    def lap(self, stage: str) -> None:
        """Record the time since the previous lap (or creation) under ``stage``."""
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        now = time.perf_counter()
        self.laps[stage] = now - self._last
        self._last = now
