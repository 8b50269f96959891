"""World-space affine maps (4x4, RAS millimetres) and resampling through them with MONAI.

A *world map* ``W`` sends a point of one head's world space to where it lies in another's:
``subject_to_template`` is what registration finds; its inverse carries template-space
masks onto the subject. Resampling runs in torch through MONAI, so it uses the GPU
whenever the tensors live there.
"""

from __future__ import annotations

import numpy as np
import SimpleITK as sitk
import torch
from monai.data import MetaTensor
from monai.transforms import SpatialResample

from .volumes import RAS_TO_LPS


def sitk_to_ras(transform: sitk.Transform) -> np.ndarray:
    """The 4x4 RAS matrix of an affine SimpleITK transform (fixed world -> moving world).

    The transform is probed at the origin and the unit points, which is exact for any
    affine (plain, centred or composite), so no transform type needs special-casing.
    """
    points = np.vstack([np.zeros(3), np.eye(3)])
    moved = np.array([transform.TransformPoint(p.tolist()) for p in points])
    lps = np.eye(4)
    lps[:3, 3] = moved[0]
    lps[:3, :3] = (moved[1:] - moved[0]).T
    return RAS_TO_LPS @ lps @ RAS_TO_LPS


def ras_to_sitk(matrix: np.ndarray) -> sitk.AffineTransform:
    """The SimpleITK transform of a 4x4 RAS matrix (inverse of :func:`sitk_to_ras`)."""
    lps = RAS_TO_LPS @ np.asarray(matrix, dtype=np.float64) @ RAS_TO_LPS
    return sitk.AffineTransform(lps[:3, :3].flatten().tolist(), lps[:3, 3].tolist())


def decompose(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Rotation, scale factors and determinant of a 4x4 map's linear part.

    The rotation is the orthogonal factor of the polar decomposition (closest to the
    linear part); it is improper (a mirror) exactly when the determinant is negative.
    """
    linear = np.asarray(matrix, dtype=np.float64)[:3, :3]
    left, scales, right = np.linalg.svd(linear)
    return left @ right, scales, float(np.linalg.det(linear))


def warp(
    source: MetaTensor,
    world_map: np.ndarray,
    target: MetaTensor,
    mode: str = "bilinear",
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """Resample ``source`` onto ``target``'s grid after moving it by ``world_map``.

    ``world_map`` takes source-world points to target-world points. Outside the source's
    field of view the result is 0, which callers rely on (masks there mean "not face").
    """
    moved_affine = torch.as_tensor(world_map, dtype=torch.float64) @ source.affine.double()
    moved = MetaTensor(source.as_tensor().to(device), affine=moved_affine)
    resample = SpatialResample(mode=mode, padding_mode="zeros", dtype=torch.float32)
    out = resample(moved, dst_affine=target.affine.double(), spatial_size=target.shape[-3:])
    return out.as_tensor()


def world_coordinates(volume: MetaTensor, device: torch.device | str) -> torch.Tensor:
    """World position (RAS mm) of every voxel of ``volume``, shape (3, X, Y, Z)."""
    affine = volume.affine.double().to(device)
    shape = volume.shape[-3:]
    index = torch.meshgrid(
        *[torch.arange(n, device=device, dtype=torch.float64) for n in shape], indexing="ij"
    )
    return torch.stack(
        [affine[axis, 3] + sum(affine[axis, i] * index[i] for i in range(3)) for axis in range(3)]
    ).float()


def centre(volume: MetaTensor) -> np.ndarray:
    """World position (mm) of the centre of a volume's field of view."""
    middle = (np.array(volume.shape[-3:]) - 1) / 2
    return (np.asarray(volume.affine, dtype=np.float64) @ np.append(middle, 1.0))[:3]


def about(point: np.ndarray, linear: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
    """4x4 map applying ``linear`` (3x3) about ``point``, then translating by ``shift``."""
    matrix = np.eye(4)
    matrix[:3, :3] = linear
    offset = np.zeros(3) if shift is None else np.asarray(shift, dtype=np.float64)
    matrix[:3, 3] = point - linear @ point + offset
    return matrix


def translation(shift_mm: np.ndarray) -> np.ndarray:
    """4x4 map translating by ``shift_mm`` (RAS)."""
    return about(np.zeros(3), np.eye(3), shift_mm)


def flip(axis: int, point: np.ndarray) -> np.ndarray:
    """4x4 map mirroring RAS ``axis`` through ``point``."""
    linear = np.eye(3)
    linear[axis, axis] = -1.0
    return about(point, linear)


def rotation(angles_deg: np.ndarray) -> np.ndarray:
    """3x3 rotation about the R, A and S axes, in that order."""
    matrix = np.eye(3)
    for axis, angle in enumerate(np.radians(angles_deg)):
        cos, sin = np.cos(angle), np.sin(angle)
        i, j = [k for k in range(3) if k != axis]
        step = np.eye(3)
        step[i, i], step[i, j], step[j, i], step[j, j] = cos, -sin, sin, cos
        matrix = step @ matrix
    return matrix


def random_affine(
    rng: np.random.Generator,
    point: np.ndarray,
    max_rotation_deg: float = 10.0,
    max_shift_mm: float = 10.0,
    scale_range: tuple[float, float] = (0.92, 1.08),
) -> np.ndarray:
    """A random rotation, anisotropic scaling and shift about ``point`` (a simulated head)."""
    linear = rotation(rng.uniform(-max_rotation_deg, max_rotation_deg, 3)) @ np.diag(
        rng.uniform(*scale_range, 3)
    )
    return about(point, linear, rng.uniform(-max_shift_mm, max_shift_mm, 3))
