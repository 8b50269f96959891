"""QC renderings: depth-shaded head surfaces before and after defacing, plus a mid slice.

A reviewer sees at a glance whether a face is still recognisable: the lateral and
frontal surfaces are rendered by casting rays through the thresholded head and shading
the first hit by its surface normal (a cheap "3D" look, no GPU or VTK needed).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import torch
from matplotlib.figure import Figure
from monai.data import MetaTensor
from monai.transforms import Orientation

# Light from the viewer's upper left, so noses and chins cast visible shading.
LIGHT = np.array([-0.4, 0.5, 0.77])
# Rays that miss the head (NaN) show as black background.
COLOURS = matplotlib.colormaps["gray"].with_extremes(bad="black")
# Depth maps are box-smoothed over this many pixels: hides the voxel staircase.
SMOOTHING_PIXELS = 5


def to_ras(values: torch.Tensor, like: MetaTensor) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y, Z) values on ``like``'s grid reoriented to RAS, and the voxel spacing (mm)."""
    plain = values.as_tensor() if isinstance(values, MetaTensor) else values
    tensor = MetaTensor(plain.detach().cpu().float()[None], affine=like.affine)
    oriented = Orientation(axcodes="RAS", labels=None)(tensor)
    spacing = np.linalg.norm(np.asarray(oriented.affine)[:3, :3], axis=0)
    return oriented[0].numpy(), spacing


def surface(mask: np.ndarray, spacing: np.ndarray, axis: int) -> np.ndarray:
    """Shaded view of ``mask`` seen from the positive end of RAS ``axis``; NaN = no hit.

    The result's axes are the two remaining RAS axes in order (e.g. A, S for axis 0).
    """
    looking = np.flip(mask, axis)
    hit = looking.any(axis)
    depth = _smooth(looking.argmax(axis) * spacing[axis])
    rows, cols = [spacing[a] for a in range(3) if a != axis]
    d_row, d_col = np.gradient(depth, rows, cols)
    normal = np.stack([-d_row, -d_col, np.ones_like(depth)])
    normal /= np.linalg.norm(normal, axis=0)
    light = LIGHT / np.linalg.norm(LIGHT)
    shade = np.clip(np.tensordot(light, normal, axes=1), 0.05, 1.0)
    return np.where(hit, shade, np.nan)


def _smooth(image: np.ndarray) -> np.ndarray:
    """Box-smoothed copy of a 2D image (edges averaged over the pixels present)."""
    tensor = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32))[None, None]
    smooth = torch.nn.functional.avg_pool2d(
        tensor,
        SMOOTHING_PIXELS,
        stride=1,
        padding=SMOOTHING_PIXELS // 2,
        count_include_pad=False,
    )
    return smooth[0, 0].numpy()


def _show(axes, image: np.ndarray, spacing: np.ndarray, axis: int, mirror: bool, title: str):
    """Draw a (row axis, column axis) view with S up and millimetre aspect ratio."""
    rows, cols = [spacing[a] for a in range(3) if a != axis]
    picture = image[::-1] if mirror else image
    axes.imshow(picture.T, origin="lower", cmap=COLOURS, aspect=cols / rows)
    axes.set_title(title, fontsize=9)
    axes.set_axis_off()


def save_qc_figure(
    original: MetaTensor,
    defaced: torch.Tensor,
    face: torch.Tensor,
    brain: torch.Tensor,
    threshold: float,
    qc: dict,
    path: str | Path,
) -> Path:
    """PNG with lateral and frontal surfaces before/after, and a mid-sagittal slice."""
    before, spacing = to_ras(original[0], original)
    after, _ = to_ras(defaced[0], original)
    face_ras, _ = to_ras(face, original)
    brain_ras, _ = to_ras(brain, original)
    figure = Figure(figsize=(10, 6.4), dpi=100)
    grid = figure.subplots(2, 3)
    for row, (label, values) in enumerate((("before", before), ("after", after))):
        head = values > threshold
        # Seen from the right (axis 0), the face points right; seen from the front
        # (axis 1), the subject's right is on the viewer's left, hence the mirror.
        _show(grid[row, 0], surface(head, spacing, 0), spacing, 0, False, f"{label}: lateral")
        _show(grid[row, 1], surface(head, spacing, 1), spacing, 1, True, f"{label}: frontal")
        _slice(grid[row, 2], values, face_ras, brain_ras, spacing, label)
    verdict = "QC PASSED" if qc["passed"] else "QC FAILED: " + "; ".join(qc["failures"])
    figure.suptitle(verdict[:160], fontsize=10, color="green" if qc["passed"] else "red")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, bbox_inches="tight")
    return path


def _slice(axes, values, face, brain, spacing, label: str) -> None:
    """Mid-sagittal slice with the face region (red) and brain mask (yellow) outlined."""
    middle = values.shape[0] // 2
    _show(axes, values[middle], spacing, 0, False, f"{label}: mid-sagittal")
    aspect = spacing[2] / spacing[1]
    for mask, colour in ((face, "red"), (brain, "gold")):
        if mask[middle].any():
            axes.contour(mask[middle].T.astype(float), [0.5], colors=colour, linewidths=0.8)
    axes.set_aspect(aspect)
