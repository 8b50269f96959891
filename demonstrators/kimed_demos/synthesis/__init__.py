"""Synthetic versions of a dataset, generated and measured inside the SPE (issue 15).

``python -m kimed_demos.synthesis run --source SRC --out OUT --method M --policy P`` (see
``__main__``) or :func:`run_job`: fit a method allowed by ``policies/synthesis.yaml`` to
the real table, draw a synthetic table, measure its fidelity, utility and privacy against
the policy's thresholds and write synthetic.csv, report.json, report.html and figures.
"""

from .job import run_job
from .spec import JobSpec, SynthesisInputError

__all__ = ["JobSpec", "SynthesisInputError", "run_job"]
