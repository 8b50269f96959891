"""What a synthesis job is asked to do (:class:`JobSpec`) and the error for bad input.

A :class:`SynthesisInputError` means the request itself is wrong (unknown method, missing
table, invalid policy, ...): the command line turns it into exit code 2 with its message,
and nothing is written. Every message says what was wrong and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class SynthesisInputError(ValueError):
    """The job's input is unusable; the message says what to change."""


@dataclass(frozen=True)
class JobSpec:
    """One synthesis job: a source table, an empty output folder, a method and a policy.

    ``table`` picks a table inside a dataset folder, ``target`` is the column the utility
    measurement predicts, ``rows`` the number of synthetic rows (default: as many as the
    real table has).
    """

    source: Path
    out: Path
    method: str
    policy: Path
    table: str | None = None
    target: str | None = None
    seed: int = 0
    rows: int | None = None
