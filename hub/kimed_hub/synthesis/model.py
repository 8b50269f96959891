"""Synthesis jobs: states, what may follow what, and the job object the service returns.

The state machine (``docs/data-stewards.md``)::

    QUEUED -> RUNNING -> PASSED -> SUBMITTED_FOR_RELEASE -> RELEASED -> SUPERSEDED
                     \\-> FAILED_CHECKS   (a threshold failed: never offered for release)
                     \\-> FAILED          (bad input, a crash, a time-out, refused container)
    SUBMITTED_FOR_RELEASE -> PASSED when the output checkers do not release it.

A RELEASED job's table is the dataset's synthetic version (mounted for every catalogue
reader) until a later job of the same dataset is released: then it is SUPERSEDED.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

#: The portal role that may run synthesis jobs (from ``custom:kimed:run:synthesis-jobs``).
SYNTHESIZER = "synthesis_steward"


class JobState(StrEnum):
    """Where a synthesis job is in its life."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    PASSED = "PASSED"
    FAILED_CHECKS = "FAILED_CHECKS"
    FAILED = "FAILED"
    SUBMITTED_FOR_RELEASE = "SUBMITTED_FOR_RELEASE"
    RELEASED = "RELEASED"
    SUPERSEDED = "SUPERSEDED"


#: Allowed transitions: action -> (from states, to state).
TRANSITIONS: dict[str, tuple[frozenset[JobState], JobState]] = {
    "start": (frozenset({JobState.QUEUED, JobState.RUNNING}), JobState.RUNNING),
    "pass": (frozenset({JobState.RUNNING}), JobState.PASSED),
    "fail_checks": (frozenset({JobState.RUNNING}), JobState.FAILED_CHECKS),
    "fail": (frozenset({JobState.QUEUED, JobState.RUNNING}), JobState.FAILED),
    "submit": (frozenset({JobState.PASSED}), JobState.SUBMITTED_FOR_RELEASE),
    "return": (frozenset({JobState.SUBMITTED_FOR_RELEASE}), JobState.PASSED),
    "release": (frozenset({JobState.SUBMITTED_FOR_RELEASE}), JobState.RELEASED),
    "supersede": (frozenset({JobState.RELEASED}), JobState.SUPERSEDED),
}
#: States in which the job's container may still be running or about to.
ACTIVE = frozenset({JobState.QUEUED, JobState.RUNNING})


def allowed_from(state: JobState) -> list[str]:
    """The actions possible from ``state`` (for error messages)."""
    return sorted(a for a, (sources, _) in TRANSITIONS.items() if state in sources)


@dataclass(frozen=True)
class SynthesisJob:
    """A synthesis job as stored."""

    job_id: str
    state: JobState
    steward: str
    dataset: str
    table: str
    method: str
    target: str | None
    seed: int
    created_at: str
    updated_at: str
    failure: str = ""  # why it FAILED (no data values)
    report: dict | None = None  # the engine's report.json once written
    files: list[str] = field(default_factory=list)  # what the job wrote, in its folder
    container: dict | None = None  # what the inspect document said (network, root, mounts)
    export_request: str | None = None  # the airlock request that carries its release
    synthetic_dataset: str | None = None  # the catalogue record it became on release

    @property
    def passed(self) -> bool:
        """Every threshold passed (only then can it be offered for release)."""
        return bool(self.report and self.report.get("passed"))
