"""A synthesis job's run: the engine's CLI in a fresh locked container without network.

The container (:class:`kimed_hub.locked_run.LockedRun`, the same machinery as the
airlock's server-side re-run) is the single-user image with the policy's locked host
config and no network at all. It sees exactly:

* the dataset's folder, read-only, at ``/data/<dataset>`` (the steward's grant);
* ``policies/synthesis.yaml`` and its schema, read-only, at ``/etc/kimed/synthesis.yaml``
  and ``/etc/kimed/schemas/synthesis.schema.json`` (the engine validates the policy and
  reads its methods and thresholds);
* a fresh, empty volume as its home; the engine writes into ``~/out``.

The command is the engine's (``kimed_demos.synthesis run``, docs/synthesis.md), run by
the method's kernel interpreter. Afterwards the files it wrote are copied out of the
volume without following links and within the policy's size limit, and the container
and the volume are removed whatever happened. What the runtime reported about the
container (network mode, read-only root, mounts) is kept with the job as evidence.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..access.grants import data_mount_path
from ..airlock.snapshot import HomeReader
from ..errors import BadInput
from ..locked_run import LockedRun, RunRefused, RunSession
from ..policies.synthesis import SynthesisMethod

log = logging.getLogger("kimed.synthesis")
#: Where the container finds the policy (the engine's ``--policy``) and its schema (the
#: engine reads ``<policy folder>/schemas/synthesis.schema.json``).
POLICY_IN_CONTAINER = "/etc/kimed/synthesis.yaml"
SCHEMA_IN_CONTAINER = "/etc/kimed/schemas/synthesis.schema.json"
#: The engine's final files (report.html and figures are optional: the engine may not
#: write them for every method).
REQUIRED = ("synthetic.csv", "report.json")
OPTIONAL = ("report.html",)
MAX_FIGURES = 40
#: Exit codes the engine promises (contract): all thresholds passed, one failed, bad input.
PASSED, FAILED_CHECKS, BAD_INPUT = 0, 3, 2


class SynthesisRefused(RunRefused):
    """The job's container did not pass the security checks; it was never started."""

    code = "synthesis_refused"


@dataclass(frozen=True)
class JobRequest:
    """What one run needs: where the dataset and the policy are on the host, and the
    engine's arguments."""

    job_id: str
    dataset: str
    source: Path  # the dataset's folder on the host
    policy_file: Path  # its schema: schemas/synthesis.schema.json beside it
    method: SynthesisMethod
    table: str
    target: str | None
    seed: int


@dataclass
class JobOutcome:
    """What the run produced: the exit status (None: timed out), the engine's last
    stderr line for bad input, the files copied out, and the container's inspect facts."""

    status: int | None
    message: str = ""
    files: dict[str, Path] = field(default_factory=dict)
    container: dict = field(default_factory=dict)


class SynthesisRun:
    """A synthesis job's steps on a locked runner: :class:`SynthesisContainer` on one
    machine, ``k8s.job_run.KubeSynthesis`` on Kubernetes (the same session contract)."""

    refused = SynthesisRefused
    what = "synthesis job's container"

    def run(self, job: JobRequest, timeout: int, scratch: Path, limit: int) -> JobOutcome:
        """Run ``job``; copy what it wrote into ``scratch`` (at most ``limit`` bytes)."""
        with self.session("synth", job.job_id, "kimed.synthesis.job") as run:
            owner = self.owner()
            os.chown(run.home, *owner)
            (run.home / "out").mkdir()
            os.chown(run.home / "out", *owner)
            read_only = [
                (str(job.source), data_mount_path(job.dataset)),
                (str(job.policy_file), POLICY_IN_CONTAINER),
                (str(job.policy_file.parent / "schemas" / "synthesis.schema.json"),
                 SCHEMA_IN_CONTAINER),
            ]  # fmt: skip
            # OpenMP spinning on a busy host made the engine's classifiers 100x slower.
            threads = {"OMP_NUM_THREADS": str(self.cpus())}
            expected = self.create(
                run, self.command(job), read_only, environment=threads, keep=("out",),
                timeout=timeout,
            )  # fmt: skip
            self.verify(run, expected)
            facts = container_facts(self.inspect(run))
            status = self.execute(run, timeout)
            outcome = JobOutcome(status, container=facts)
            if status == BAD_INPUT:
                outcome.message = last_line(self.logs(run, 5))
            if status in (PASSED, FAILED_CHECKS):
                outcome.files = collect(run, scratch, limit)
            return outcome

    def command(self, job: JobRequest) -> list[str]:
        """The engine's command line (docs/synthesis.md)."""
        command = [
            job.method.interpreter, "-m", "kimed_demos.synthesis", "run",
            "--source", data_mount_path(job.dataset),
            "--out", self.home_path("out"),
            "--method", job.method.name,
            "--policy", POLICY_IN_CONTAINER,
            "--table", job.table,
            "--seed", str(job.seed),
        ]  # fmt: skip
        return command + (["--target", job.target] if job.target else [])


class SynthesisContainer(SynthesisRun, LockedRun):
    """Runs synthesis jobs in fresh locked containers of one runtime and image."""


def container_facts(inspect: dict) -> dict:
    """What the runtime says about the job's container: the evidence kept with the job."""
    host = inspect.get("HostConfig") or {}
    return {
        "network_mode": host.get("NetworkMode"),
        "read_only_root": bool(host.get("ReadonlyRootfs")),
        "cap_drop": sorted(host.get("CapDrop") or []),
        "mounts": sorted(
            f"{m.get('Destination')} ({'rw' if m.get('RW') else 'ro'})"
            for m in inspect.get("Mounts") or []
        ),
        "image": inspect.get("Image"),
    }


def collect(run: RunSession, scratch: Path, limit: int) -> dict[str, Path]:
    """The engine's final files, copied without following links, within ``limit`` bytes
    in all; a missing required file or a file over the limit is an error."""
    reader, copied, total = HomeReader(run.results), {}, 0
    figures = sorted(
        f"figures/{p.name}" for p in (run.results / "out" / "figures").glob("*.png") if p.is_file()
    )[:MAX_FIGURES]
    (scratch / "figures").mkdir(parents=True, exist_ok=True)
    for name in [*REQUIRED, *OPTIONAL, *figures]:
        try:
            copy = reader.copy(f"out/{name}", scratch / name, max(limit - total, 1))
        except BadInput as error:
            if name in REQUIRED:
                raise BadInput(f"the engine's {name}: {error}") from None
            continue
        total += copy.size
        copied[name] = copy.path
    return copied


def last_line(text: str) -> str:
    """The last non-empty line (the engine's one-line message for bad input)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:500] if lines else ""


__all__ = ["JobOutcome", "JobRequest", "SynthesisContainer", "SynthesisRefused", "SynthesisRun"]
