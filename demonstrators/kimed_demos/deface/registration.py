"""Affine registration of pydeface's head template to a subject, in pure Python (SimpleITK).

pydeface itself calls FSL's flirt, which is not available here. Mattes mutual information
(template and subject differ in contrast and scanner), random voxel sampling and a
three-level pyramid (8, 4, 2 mm) run on 2 mm copies of both heads: an affine needs no
finer detail, and this is ~10x faster than registering at 1 mm for ~0.01 less Dice on
the face mask (docs/demonstrators/deface.md).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import SimpleITK as sitk
from monai.data import MetaTensor

from . import data
from .geometry import sitk_to_ras
from .volumes import load_volume, resample_spacing, to_sitk

# Both heads are resampled to this isotropic spacing for registration (None: native).
REGISTRATION_SPACING_MM = 2.0
# Pyramid: shrink factors and Gaussian sigmas (mm) per level, coarse to fine.
SHRINK_FACTORS = (4, 2, 1)
SMOOTHING_MM = (2.0, 1.0, 0.0)
# Random metric samples per level (capped at all voxels): 11k, 33k, 71k is 100%, 30% and
# 8% of a 2 mm head; more did not change the fit, fewer made it vary between seeds.
SAMPLES_PER_LEVEL = (11_000, 33_000, 71_000)
HISTOGRAM_BINS = 32
MAX_ITERATIONS = 100


@dataclass
class Registration:
    """Result of registering the template to one subject.

    ``subject_to_template`` maps subject world points (RAS mm) to template world points;
    ``metric`` is the final Mattes mutual information (negative; lower is a better fit).
    """

    subject_to_template: np.ndarray
    metric: float
    seconds: float = 0.0
    iterations: int = 0
    stop_reason: str = field(default="", repr=False)

    def as_dict(self) -> dict:
        """JSON-ready form (matrix as nested lists)."""
        record = asdict(self)
        record["subject_to_template"] = self.subject_to_template.tolist()
        return record


def _sampling_fractions(fixed: sitk.Image) -> list[float]:
    """Per-level sampling fractions giving :data:`SAMPLES_PER_LEVEL` metric samples."""
    voxels = np.prod(fixed.GetSize())
    return [
        min(1.0, samples * shrink**3 / voxels)
        for samples, shrink in zip(SAMPLES_PER_LEVEL, SHRINK_FACTORS, strict=True)
    ]


def _method(fixed: sitk.Image, seed: int) -> sitk.ImageRegistrationMethod:
    """The configured registration method (metric, sampling, optimiser, pyramid)."""
    method = sitk.ImageRegistrationMethod()
    method.SetMetricAsMattesMutualInformation(numberOfHistogramBins=HISTOGRAM_BINS)
    method.SetMetricSamplingStrategy(method.RANDOM)
    method.SetMetricSamplingPercentagePerLevel(_sampling_fractions(fixed), seed)
    method.SetInterpolator(sitk.sitkLinear)
    # Regular-step descent halves its step whenever the direction reverses; plain gradient
    # descent stopped early and its fits varied (face Dice 0.80-0.96 vs 0.94-0.96).
    method.SetOptimizerAsRegularStepGradientDescent(
        learningRate=2.0,
        minStep=1e-3,
        numberOfIterations=MAX_ITERATIONS,
        relaxationFactor=0.5,
    )
    # Rotation/scale parameters and translations (mm) differ in units by ~100x:
    # scales from the physical shift they cause let one learning rate fit both.
    method.SetOptimizerScalesFromPhysicalShift()
    method.SetShrinkFactorsPerLevel(list(SHRINK_FACTORS))
    method.SetSmoothingSigmasPerLevel(list(SMOOTHING_MM))
    method.SmoothingSigmasAreSpecifiedInPhysicalUnitsOn()
    return method


def register(
    subject: MetaTensor,
    seed: int = 0,
    spacing_mm: float | None = REGISTRATION_SPACING_MM,
) -> Registration:
    """Register the template affinely to ``subject`` (the fixed image).

    Both are resampled to ``spacing_mm`` first (None: the subject's own grid and the
    template's). Initialised by matching centres of mass, which puts heads scanned
    anywhere in the field of view within the optimiser's reach.
    """
    started = time.perf_counter()
    if spacing_mm:
        subject = resample_spacing(subject, spacing_mm)
    fixed_image = to_sitk(subject)
    moving_image = to_sitk(data.template(spacing_mm))
    initial = sitk.CenteredTransformInitializer(
        fixed_image,
        moving_image,
        sitk.AffineTransform(3),
        sitk.CenteredTransformInitializerFilter.MOMENTS,
    )
    method = _method(fixed_image, seed)
    method.SetInitialTransform(initial, inPlace=False)
    transform = method.Execute(fixed_image, moving_image)
    return Registration(
        subject_to_template=sitk_to_ras(transform),
        metric=float(method.GetMetricValue()),
        seconds=time.perf_counter() - started,
        iterations=int(method.GetOptimizerIteration()),
        stop_reason=method.GetOptimizerStopConditionDescription(),
    )


def reference(seed: int = 0) -> Registration:
    """Register the template to Colin27 at 1 mm (no resampling): the shipped reference.

    Colin27's brain mask reaches other subjects through this map, and simulated subjects
    take their true face mask from it. Regenerate with :func:`write_reference`.
    """
    colin27, _ = data.colin27_paths()
    return register(load_volume(colin27, what="Colin27 head"), seed=seed, spacing_mm=None)


def write_reference(seed: int = 0) -> Registration:
    """Recompute the reference registration and store it next to this module."""
    result = reference(seed)
    record = result.as_dict() | {"sitk_version": sitk.Version.VersionString()}
    data.REFERENCE_REGISTRATION.write_text(json.dumps(record, indent=2) + "\n")
    return result
