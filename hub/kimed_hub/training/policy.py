"""policies/training.yaml as typed settings: workshop limits and the grading sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..policies import load_policy, parse_size


@dataclass(frozen=True)
class TrainingPolicy:
    """Limits for workshops and grading (see policies/training.yaml for each field)."""

    max_participants: int
    max_days: int
    max_days_ahead: int
    trainee_group: str
    account_prefix: str
    prestart_parallel: int
    grading_timeout: int
    grading_memory_bytes: int
    grading_cpus: float
    grading_pids: int
    max_notebook_bytes: int


def training_policy(directory: Path | None = None) -> TrainingPolicy:
    """Load and validate policies/training.yaml (PolicyError names a broken field)."""
    data = load_policy("training", directory)
    workshops, grading = data["workshops"], data["grading"]
    return TrainingPolicy(
        max_participants=workshops["max_participants"],
        max_days=workshops["max_days"],
        max_days_ahead=workshops["max_days_ahead"],
        trainee_group=workshops["trainee_group"],
        account_prefix=workshops["account_prefix"],
        prestart_parallel=workshops["prestart_parallel"],
        grading_timeout=grading["timeout_seconds"],
        grading_memory_bytes=parse_size(grading["memory"]),
        grading_cpus=float(grading["cpus"]),
        grading_pids=grading["pids"],
        max_notebook_bytes=grading["max_notebook_bytes"],
    )
