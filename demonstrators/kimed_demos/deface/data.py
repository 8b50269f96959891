"""Where the offline data live: the Colin27 head (Debian mricron-data) and pydeface's template.

Nothing is downloaded: the set-up installs ``mricron-data`` with apt and ``pydeface`` with
pip. Only pydeface's data files are used (its command line needs FSL). Template, face
mask and the Colin27 brain mask are loaded once per process and kept, since every
volume of a batch needs them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from monai.data import MetaTensor

from .volumes import DefaceInputError, load_volume

MRICRON_TEMPLATES = Path("/usr/share/mricron/templates")
COLIN27 = MRICRON_TEMPLATES / "ch2.nii.gz"
COLIN27_BRAIN = MRICRON_TEMPLATES / "ch2bet.nii.gz"
REFERENCE_REGISTRATION = Path(__file__).with_name("reference_registration.json")


def pydeface_file(name: str) -> Path:
    """Path of a data file shipped inside the pydeface package."""
    try:
        folder = resources.files("pydeface") / "data"
    except ModuleNotFoundError as exc:
        raise DefaceInputError(
            "pydeface is not installed: its head template and face mask are needed. "
            "Install the imaging extra: pip install '.[demo-imaging]'."
        ) from exc
    return Path(str(folder / name))


def colin27_paths() -> tuple[Path, Path]:
    """The Colin27 head with face and its brain-extracted version, checked to exist."""
    for path in (COLIN27, COLIN27_BRAIN):
        if not path.is_file():
            raise DefaceInputError(
                f"{path} is missing: install the Debian package mricron-data "
                "(apt-get install mricron-data), which ships the Colin27 head."
            )
    return COLIN27, COLIN27_BRAIN


@cache
def template(spacing_mm: float | None = None) -> MetaTensor:
    """pydeface's mean head (with face), the moving image of every registration.

    ``spacing_mm`` resamples it to isotropic voxels (None: its own ~1 mm grid).
    """
    path = pydeface_file("mean_reg2mean.nii.gz")
    return load_volume(path, spacing_mm=spacing_mm, what="pydeface template")


@cache
def template_face() -> MetaTensor:
    """Template-space face region: 1 on the face, 0 elsewhere.

    pydeface's file is a keep-mask (0 on the face); it is inverted here so that warping
    pads with 0 = "not face" outside the template's field of view.
    """
    keep = load_volume(pydeface_file("facemask.nii.gz"), what="pydeface face mask")
    return 1.0 - keep


@cache
def colin27_brain() -> MetaTensor:
    """Colin27's brain mask (1 inside ch2bet), in Colin27 space."""
    brain = load_volume(colin27_paths()[1], what="Colin27 brain mask")
    return (brain > 0).float()


def reference_map() -> np.ndarray:
    """The shipped Colin27 -> template world map (from :func:`registration.reference`)."""
    record = json.loads(REFERENCE_REGISTRATION.read_text())
    return np.array(record["subject_to_template"], dtype=np.float64)


def is_colin27(path: str | Path) -> bool:
    """Whether ``path`` is the shipped Colin27 volume (so ch2bet is its exact brain mask)."""
    return Path(path).resolve() == COLIN27.resolve()
