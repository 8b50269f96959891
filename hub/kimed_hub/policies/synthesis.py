"""Synthesis jobs' policy (``policies/synthesis.yaml``): the methods a steward may choose
and the limits of the jobs that run them.

The file is shared with the synthesis engine (``kimed_demos.synthesis``), which reads
the same file inside the job's container (mounted at ``/etc/kimed/synthesis.yaml``) for
its methods and thresholds. The hub reads from it only what the service needs: each
method's name, kernel and labels (the form, the interpreter to run) and the ``jobs``
section (time limit, queue length, output limits). Validated with the whole policy set
(fail closed) against ``schemas/synthesis.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import cached_policy, parse_size

#: Where each curated kernel's interpreter lives in the single-user image.
KERNEL_PYTHON = "/opt/kernels/{kernel}/bin/python"


@dataclass(frozen=True)
class SynthesisMethod:
    """One method a steward may choose: the kernel whose interpreter runs it."""

    name: str
    kernel: str
    label_en: str
    label_de: str
    min_rows: int = 0

    @property
    def interpreter(self) -> str:
        """The kernel's Python in the single-user image."""
        return KERNEL_PYTHON.format(kernel=self.kernel)


@dataclass(frozen=True)
class SynthesisPolicy:
    """The methods and the ``jobs`` limits."""

    methods: dict[str, SynthesisMethod]
    timeout: int  # seconds one job may run
    max_waiting: int  # jobs queued or running at once
    max_table_size: int  # bytes of the source table a job may read
    max_output_size: int  # bytes of all files a job may write
    suffix: str  # the synthetic version's identifier: <source><suffix>
    default_seed: int

    @classmethod
    def from_policy(cls, data: dict[str, Any]) -> SynthesisPolicy:
        """Built from the validated file."""
        jobs = data["jobs"]
        methods = {
            name: SynthesisMethod(
                name=name,
                kernel=entry["kernel"],
                label_en=entry.get("label_en", name),
                label_de=entry.get("label_de", entry.get("label_en", name)),
                min_rows=int(entry.get("min_rows", 0)),
            )
            for name, entry in data["methods"].items()
        }
        return cls(
            methods=methods,
            timeout=jobs["timeout"],
            max_waiting=jobs["max_waiting"],
            max_table_size=parse_size(jobs["max_table_size"]),
            max_output_size=parse_size(jobs["max_output_size"]),
            suffix=jobs["identifier_suffix"],
            default_seed=jobs["default_seed"],
        )


def synthesis_policy(directory: Path | None = None) -> SynthesisPolicy:
    """The current synthesis policy (re-read when the file changes; invalid: PolicyError)."""
    return cached_policy("synthesis", directory, SynthesisPolicy.from_policy)
