"""Synthetic versions of datasets, generated inside the workbench (no HTTP).

    jobs = SynthesisJobs(store, root, dataset_root, runner=SynthesisContainer(...),
                         airlock=export_requests)
    job = jobs.create(steward, "kohorte-x", "gaussian-copula", table="visits.csv")
    ...                                   # runs in a fresh locked container, no network
    jobs.submit(job.job_id, steward, "why")   # PASSED only: an export request
    # two output checkers release it -> the dataset's synthetic version in the catalogue

A data steward starts a job for a dataset they hold a grant to; the engine
(``kimed_demos.synthesis``, inside the single-user image) writes the synthetic table and
its report (fidelity, utility, privacy against the policy's thresholds). The table
leaves only through the airlock; on release it becomes the dataset's synthetic version
(catalogue record with its measurements, data folder mounted for every catalogue
reader), replacing the previous one. See ``docs/data-stewards.md``.
"""

from .container import JobOutcome, JobRequest, SynthesisContainer, SynthesisRefused
from .model import JobState, SynthesisJob
from .release import NeverReleasable
from .service import SYNTHESIZER, SynthesisJobs, SynthesisUnavailable

__all__ = [
    "SYNTHESIZER",
    "JobOutcome",
    "JobRequest",
    "JobState",
    "NeverReleasable",
    "SynthesisContainer",
    "SynthesisJob",
    "SynthesisJobs",
    "SynthesisRefused",
    "SynthesisUnavailable",
]
