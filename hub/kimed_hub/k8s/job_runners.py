"""The airlock's re-run and the synthesis jobs on Kubernetes: the same ``run`` as their
one-machine runners (``airlock.rerun_container.ContainerRerun``,
``synthesis.container.SynthesisContainer``), on :class:`~.job_run.KubeJobRun`, so the
portal's callers (``airlock.service_rerun``, ``synthesis.service``) stay the same.

What differs from one machine: the files the caller prepares belong to the hub pod's
own user (it cannot give them away; the Job's pod runs as the policy's uid, which must
be the hub pod's, the chart's default 1000: docs/kubernetes.md), and GPUs are the
device plugin's to assign (no pool in the portal).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..airlock.rerun_container import (
    EXECUTED,
    RerunOutcome,
    RerunRefused,
    collect_outcome,
    papermill_command,
    prepare_home,
)
from ..airlock.rerun_plan import RerunBlocked, profile_image
from ..data_grants import DataMount
from ..policies import ResourceProfile
from ..synthesis.container import SynthesisRun
from .job_run import KubeJobRun


class KubeSynthesis(SynthesisRun, KubeJobRun):
    """Synthesis jobs as locked Jobs (the steward's dataset claim read-only)."""


class KubeRerun(KubeJobRun):
    """The server-side re-run as a locked Job of the requester's profile and grants."""

    refused = RerunRefused
    what = "re-run's container"

    def __init__(
        self,
        api_factory: Callable[[], object],
        images: dict[str, str],
        namespace: str,
        data_root: Path,
        mounts_for: Callable[[str], list[DataMount]],
        profile_for: Callable[[str], ResourceProfile] | None = None,
        policies_dir: Path | None = None,
    ):
        """``images``: variant -> reference (``cpu`` at least); ``mounts_for`` and
        ``profile_for`` as for :class:`~kimed_hub.airlock.rerun_container.ContainerRerun`."""
        super().__init__(api_factory, images["cpu"], namespace, data_root, policies_dir)
        self.images, self.mounts_for, self.profile_for = images, mounts_for, profile_for

    def run(
        self,
        request_id: str,
        requester: str,
        notebook: tuple[str, bytes],
        outputs: dict[str, int],
        timeout: int,
    ) -> RerunOutcome:
        """Execute ``notebook`` for ``requester``; collect ``outputs`` ({path: limit})."""
        profile = self._profile(self.profile_for(requester) if self.profile_for else None)
        # RerunBlocked before anything is made; GPUs are the device plugin's to assign.
        image = profile_image(profile, self.images)
        mounts = self.mounts_for(requester)
        with self.session("rerun", request_id, "kimed.airlock.rerun") as run:
            prepare_home(run.home, notebook, outputs, self.owner())
            command = papermill_command(self.home_path(), notebook[0], timeout)
            read_only = [(str(m.host_path), m.container_path) for m in mounts]
            keep = (*outputs, EXECUTED)
            self.verify(run, self.create(
                run, command, read_only, keep=keep, timeout=timeout, profile=profile,
                image=image,
            ))  # fmt: skip
            status = self.execute(run, timeout)
            failure = _failure(status, timeout)
            outcome = collect_outcome(run.results, outputs, failure)
            outcome.environment = self.environment(run, profile, image, mounts)
            return outcome

    def environment(self, run, profile: ResourceProfile, image: str, mounts) -> dict:
        """What the re-run's pod was (from the submitted manifest): shown to reviewers."""
        (container,) = run.manifest["spec"]["template"]["spec"]["containers"]
        limits = container["resources"]["limits"]
        return {
            "profile": profile.name,
            "image": image,
            "memory": limits["memory"],
            "cpus": limits["cpu"],
            "pids": None,  # node-wide on Kubernetes (podPidsLimit)
            "gpus": int(limits.get("nvidia.com/gpu", 0)),
            "datasets": sorted(m.container_path for m in mounts),
        }


def _failure(status: int | None, timeout: int) -> str:
    if status is None:
        return f"the notebook did not finish within {timeout} s"
    return "" if status == 0 else f"papermill exited with status {status}"


__all__ = ["KubeRerun", "KubeSynthesis", "RerunBlocked"]
