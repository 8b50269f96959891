"""Reading, checking and writing head volumes (NIfTI) with MONAI.

A volume is a MONAI ``MetaTensor`` of shape (1, X, Y, Z), float32, whose ``affine`` maps
voxel indices to RAS millimetres (MONAI's convention for NIfTI). Bad input fails early
with a :class:`DefaceInputError` that says what was wrong and what to do, before any
registration time is spent on it.
"""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import SimpleITK as sitk
import torch
from monai.data import MetaTensor, NibabelWriter
from monai.transforms import LoadImage, Spacing

NIFTI_SUFFIXES = (".nii", ".nii.gz")
# Smaller than this along any axis is a slab or a localiser, not a head volume.
MIN_VOXELS_PER_AXIS = 16
# RAS (MONAI, NIfTI) and LPS (ITK) differ by the sign of the first two world axes.
RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


class DefaceInputError(ValueError):
    """An input volume (or mask) that cannot be defaced; the message says how to fix it."""


def check_nifti(path: str | Path, what: str = "input volume") -> nib.Nifti1Header:
    """Check that ``path`` is a readable 3D NIfTI file; return its header (data not read)."""
    path = Path(path)
    if not path.is_file():
        raise DefaceInputError(
            f"{what} not found: {path}. Check the path; the shipped example is the Colin27 "
            "head from the Debian package mricron-data (apt-get install mricron-data)."
        )
    if not path.name.endswith(NIFTI_SUFFIXES):
        raise DefaceInputError(
            f"{what} {path} is not a NIfTI file (expected .nii or .nii.gz). Convert DICOM "
            "series to NIfTI first, e.g. with dcm2niix, and pass the .nii.gz file."
        )
    try:
        image = nib.load(path)
    except Exception as exc:  # nibabel raises several types for corrupt or foreign files
        raise DefaceInputError(
            f"{what} {path} could not be read as NIfTI ({exc}). Re-export it as NIfTI-1 "
            "(.nii.gz), e.g. with dcm2niix or nibabel."
        ) from exc
    _check_shape(path, image.shape, what)
    return image.header


def _check_shape(path: Path, shape: tuple[int, ...], what: str) -> None:
    """Accept 3D volumes and 4D series of one volume; reject 2D images and true 4D data."""
    spatial = shape[:3]
    if len(shape) < 3 or min(spatial) < MIN_VOXELS_PER_AXIS:
        raise DefaceInputError(
            f"{what} {path} has shape {tuple(shape)}: defacing needs a 3D head volume with "
            f"at least {MIN_VOXELS_PER_AXIS} voxels along each axis, not a 2D image or slab. "
            "Pass the full 3D acquisition."
        )
    if any(n != 1 for n in shape[3:]):
        raise DefaceInputError(
            f"{what} {path} has shape {tuple(shape)}: a 4D series. Deface one 3D volume at "
            "a time, e.g. extract it with nibabel (img.slicer[..., 0])."
        )


def load_volume(
    path: str | Path, spacing_mm: float | None = None, what: str = "input volume"
) -> MetaTensor:
    """Load a NIfTI head volume as a (1, X, Y, Z) float32 MetaTensor, optionally resampled.

    ``spacing_mm`` resamples to isotropic voxels (e.g. 2.0 for quick runs and tests);
    the on-disk data type is kept in ``meta["source_dtype"]`` so outputs keep it too.
    """
    header = check_nifti(path, what)
    loader = LoadImage(
        reader="NibabelReader", image_only=True, ensure_channel_first=True, dtype=np.float32
    )
    volume = loader(str(path))
    if volume.ndim == 5:  # a 4D file holding one volume: drop the singleton time axis
        volume = volume[..., 0]
    volume.meta["source_dtype"] = str(header.get_data_dtype())
    if spacing_mm:
        volume = resample_spacing(volume, spacing_mm)
    return volume


def resample_spacing(volume: MetaTensor, spacing_mm: float, mode: str = "bilinear") -> MetaTensor:
    """Resample a volume to isotropic ``spacing_mm`` voxels (``mode="nearest"`` for masks)."""
    meta = dict(volume.meta)
    out = Spacing(pixdim=(spacing_mm,) * 3, mode=mode, dtype=torch.float32)(volume)
    out.meta["source_dtype"] = meta.get("source_dtype", "float32")
    return out


def save_volume(volume: torch.Tensor, meta_from: MetaTensor, path: str | Path) -> Path:
    """Write ``volume`` (1, X, Y, Z) as NIfTI with the grid and data type of ``meta_from``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    dtype = np.dtype(meta_from.meta.get("source_dtype", "float32"))
    data = volume.detach().cpu().numpy()
    if np.issubdtype(dtype, np.integer):
        # Round, not truncate: interpolated 2 mm copies of integer volumes stay faithful.
        data = np.clip(np.rint(data), np.iinfo(dtype).min, np.iinfo(dtype).max)
    writer = NibabelWriter(output_dtype=dtype)
    writer.set_data_array(data, channel_dim=0)
    writer.set_metadata({"affine": meta_from.affine}, resample=False)
    writer.write(str(path), verbose=False)
    return path


def to_sitk(volume: MetaTensor) -> sitk.Image:
    """The same volume as a SimpleITK image (LPS geometry), for registration."""
    data = volume[0].detach().cpu().numpy().astype(np.float32)
    # SimpleITK indexes arrays as [z, y, x]; MONAI as [x, y, z].
    image = sitk.GetImageFromArray(np.ascontiguousarray(data.transpose(2, 1, 0)))
    affine = RAS_TO_LPS @ np.asarray(volume.affine, dtype=np.float64)
    spacing = np.linalg.norm(affine[:3, :3], axis=0)
    image.SetSpacing(spacing.tolist())
    image.SetDirection((affine[:3, :3] / spacing).flatten().tolist())
    image.SetOrigin(affine[:3, 3].tolist())
    return image
