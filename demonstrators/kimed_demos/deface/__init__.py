"""Defacing of head MRI volumes with automated quality control (MONAI + SimpleITK).

pydeface's head template is registered affinely to each volume (SimpleITK, CPU), its
face mask is warped onto the volume and the face removed (MONAI/torch, GPU when
present), then QC checks that no brain voxel changed and that the face is gone.

    from kimed_demos.deface import deface_file, deface_batch
    row = deface_file("/usr/share/mricron/templates/ch2.nii.gz", "out/")
    rows = deface_batch("scans/*.nii.gz", "out/")       # summary.csv in out/

Layout: ``volumes`` (NIfTI I/O, input checks), ``data`` (shipped data), ``geometry``
(world maps, resampling), ``registration``, ``deface`` (one volume), ``qc``, ``render``,
``batch`` (files and folders), ``simulate`` (moved heads with a known face).
"""

from .batch import deface_batch, deface_file, find_inputs
from .deface import DefaceResult, deface_volume, resolve_device
from .registration import Registration, register
from .volumes import DefaceInputError, load_volume, save_volume

__all__ = [
    "DefaceInputError",
    "DefaceResult",
    "Registration",
    "deface_batch",
    "deface_file",
    "deface_volume",
    "find_inputs",
    "load_volume",
    "register",
    "resolve_device",
    "save_volume",
]
