"""Locked runs on Kubernetes: the same contract as :class:`kimed_hub.locked_run.LockedRun`
(``session``, ``create``, ``verify``, ``execute``, ``logs``, ``inspect``), as Jobs.

The steps, beside the one-machine ones:

1. ``session``: a fresh run folder ``.runs/<run>/`` on the views claim (the hub pod's
   data root); ``home`` is its ``home/`` (the caller prepares it as it would prepare the
   one-machine volume), ``results`` its ``result/`` (what the run leaves for the
   portal); at the end the Job is deleted and the folder removed, whatever happened;
2. ``create``: the Job manifest (:func:`kimed_hub.k8s.job.job_manifest`) from the server
   plan of the profile, with the given inputs read-only: data-root folders through
   :func:`kimed_hub.k8s.data.locate` (a source dataset's claim, or a link in the run's
   folder to a view), other files copied into the run's folder first;
3. ``verify``: a server-side dry run: the API server's admission (the job-pod policy,
   restricted Pod Security) judges it before anything runs; a refusal never runs;
4. ``execute``: the Job created and watched until it finished or passed its deadline;
   the exit status from its pod;
5. the Job deleted (its pod with it) and the run folder removed.

The API is any object with :class:`~kimed_hub.k8s.job_api.KubeJobsApi`'s methods (the
tests pass a fake one: no cluster runs here).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..data_grants import DataMount
from ..locked_container import OFFLINE_ENV
from ..locked_run import RunRefused
from ..policies import ResourceProfile, resource_profiles, security_profile
from ..server_plan import ServerPlan, plan_for_profile
from . import data, job
from .job_api import JobRefused

log = logging.getLogger("kimed.k8s.jobs")


@dataclass
class JobSession:
    """One run's API, name and folders while :meth:`KubeJobRun.session` is open."""

    client: object  # KubeJobsApi or a stand-in with its methods
    name: str  # the Job's and the run folder's name
    home: Path  # staged for the run (its home's starting content), on the views claim
    results: Path  # what the run left for the portal (the kept paths of its home)
    labels: dict = field(default_factory=dict)  # on the Job and its pod (what it is for)
    manifest: dict = field(default_factory=dict)
    container: str | None = None  # the pod's name, once it ran


class KubeJobRun:
    """Runs commands as locked Jobs of one image in one namespace."""

    refused = RunRefused
    what = "container"
    poll_seconds = 5.0  # between two looks at the Job's status

    def __init__(
        self,
        api_factory: Callable[[], object],
        image: str,
        namespace: str,
        data_root: Path,
        policies_dir: Path | None = None,
    ):
        """``api_factory()``: a :class:`~kimed_hub.k8s.job_api.KubeJobsApi` (one per run);
        ``data_root``: the hub pod's data root, the views claim (``k8s.data``)."""
        self.api_factory, self.image, self.namespace = api_factory, image, namespace
        self.data_root, self.policies_dir = Path(data_root), policies_dir

    @contextmanager
    def session(self, kind: str, key: str, label: str) -> Iterator[JobSession]:
        """A fresh run folder and Job name ``kimed-<kind>-<key>-<random>`` (labelled
        ``label: key``); the Job and the folder are removed when the block ends, whatever
        happened."""
        name = f"kimed-{kind}-{key.lower()}-{uuid.uuid4().hex[:8]}"
        folder = job.run_folder(self.data_root, name)
        client = self.api_factory()
        try:
            (folder / "home").mkdir(parents=True)
            (folder / "result").mkdir()
            yield JobSession(client, name, folder / "home", folder / "result", {label: key})
        finally:
            try:
                client.delete_job(name)
            except JobRefused as error:  # must not hide the error that got us here
                log.warning("run clean-up: %s", error)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
                client.close()

    def owner(self) -> tuple[int, int]:
        """Who the files the caller prepares belong to: the hub pod's own user (a non-root
        process cannot give files away; the run's uid must be the same: docs)."""
        return os.geteuid(), os.getegid()

    def cpus(self, profile: ResourceProfile | None = None) -> int:
        """Whole CPUs of the run's profile (at least one)."""
        return max(1, int(self._profile(profile).cpus))

    def home_path(self, *parts: str) -> str:
        """A path under the container's home (``/home/jovyan/...``)."""
        return str(PurePosixPath(security_profile(self.policies_dir).home_mount, *parts))

    def _profile(self, profile: ResourceProfile | None) -> ResourceProfile:
        profiles = resource_profiles(self.policies_dir)
        return profile or profiles.profiles[profiles.default]

    def plan(self, profile: ResourceProfile | None, datasets=()) -> ServerPlan:
        """The server plan a user's pod of ``profile`` gets (default: the default one)."""
        return plan_for_profile(self._profile(profile), datasets, self.policies_dir)

    def create(
        self,
        run: JobSession,
        command: list[str],
        read_only: list[tuple[str, str]],
        environment: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        *,
        keep: tuple[str, ...] = (),
        timeout: int = 0,
        profile: ResourceProfile | None = None,
        image: str | None = None,
    ) -> dict:
        """The Job's manifest (not submitted): ``command`` with the plan's controls,
        ``read_only`` (hub-pod path, container path) mounted read-only, ``keep`` (paths in
        the home) copied to the results when the command ends, a deadline of ``timeout``
        seconds (plus the start margin). Returns the manifest."""
        located = [self._locate(run, host, target, n) for n, (host, target) in enumerate(read_only)]
        datasets = [s.dataset for s in located if s.container_path.startswith("/data/")]
        plan = self.plan(profile, datasets)
        run.manifest = job.job_manifest(
            plan,
            image or self.image,
            run.name,
            self.namespace,
            job.entry_command(plan, list(keep), command),
            located,
            {**OFFLINE_ENV, **(environment or {})},
            timeout,
            {**run.labels, **(labels or {})},
        )
        return run.manifest

    def _locate(self, run: JobSession, host: str, target: str, n: int) -> data.DataSource:
        """A read-only input as a claim and subPath: a data-root folder as a user's pod
        would mount it (a view through a link in the run's folder, so that every views
        mount stays inside ``.runs/<run>/``), anything else copied into the run's folder."""
        folder = run.home.parent
        path = Path(host)
        if path.is_relative_to(self.data_root):
            dataset = PurePosixPath(target).name
            mount = DataMount(dataset, path, target, "run input")
            source = data.locate(mount, self.data_root, data.consent_governed(self.policies_dir))
            if source.claim != data.VIEWS_CLAIM:
                return source
            link = folder / "data" / dataset
            link.parent.mkdir(exist_ok=True)
            link.symlink_to(Path("../../..") / source.sub_path, target_is_directory=True)
            sub_path = f"{job.RUNS}/{run.name}/data/{dataset}"
        else:
            copy = folder / "files" / str(n) / path.name
            copy.parent.mkdir(parents=True)
            copier = shutil.copytree if path.is_dir() else shutil.copyfile
            copier(path, copy)
            sub_path = f"{job.RUNS}/{run.name}/files/{n}/{path.name}"
        return data.DataSource(PurePosixPath(target).name, data.VIEWS_CLAIM, sub_path, target)

    def verify(self, run: JobSession, expected: dict) -> None:
        """The API server's admission on a dry run (nothing is made): a Job it refuses is
        never submitted."""
        try:
            run.client.create_job(expected, dry_run=True)
        except JobRefused as error:
            raise self.refused(
                f"The {self.what} was refused by the cluster's admission checks and was not "
                f"started: {error}. Tell the operators."
            ) from None

    def execute(self, run: JobSession, timeout: int) -> int | None:
        """Submit the Job and watch it: the container's exit status, or None when it ran
        out of time (the Job's deadline; Kubernetes then kills the pod)."""
        run.client.create_job(run.manifest)
        deadline = time.monotonic() + timeout + job.START_MARGIN + 60
        while time.monotonic() < deadline:
            status = run.client.job_status(run.name)
            finished = _finished(status)
            if finished == "Complete":
                self._note_pod(run)
                return 0
            if finished == "DeadlineExceeded":
                return None
            if finished:
                code = self._note_pod(run)
                log.warning("%s failed (%s):\n%s", run.name, finished, self.logs(run, 20))
                return 1 if code is None else code
            time.sleep(self.poll_seconds)
        return None  # the session's end deletes it

    def _note_pod(self, run: JobSession) -> int | None:
        """Remember the Job's pod; its container's exit code (None: unknown)."""
        for pod in run.client.pods(run.name):
            run.container = pod["metadata"]["name"]
            for state in pod.get("status", {}).get("containerStatuses") or []:
                terminated = (state.get("state") or {}).get("terminated")
                if terminated:
                    return int(terminated.get("exitCode", 1))
        return None

    def logs(self, run: JobSession, tail: int) -> str:
        """The last ``tail`` lines the run's container wrote ("" before it ran)."""
        if run.container is None:
            self._note_pod(run)
        return run.client.pod_log(run.container, tail) if run.container else ""

    def inspect(self, run: JobSession) -> dict:
        """What the run's container is, in the runtime's inspect terms (for the evidence
        kept with a job), from the manifest the API server admitted."""
        spec = run.manifest["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        context = container["securityContext"]
        return {
            "HostConfig": {
                "NetworkMode": "none (NetworkPolicy: no ingress, no egress)",
                "ReadonlyRootfs": context["readOnlyRootFilesystem"],
                "CapDrop": context["capabilities"]["drop"],
            },
            "Mounts": [
                {"Destination": m["mountPath"], "RW": not m.get("readOnly", False)}
                for m in container["volumeMounts"]
            ],
            "Image": container["image"],
        }


def _finished(status: dict) -> str:
    """ "Complete", the reason a Job failed, or "" while it runs."""
    for condition in status.get("conditions") or []:
        if condition.get("status") != "True":
            continue
        if condition.get("type") == "Complete":
            return "Complete"
        if condition.get("type") == "Failed":
            return condition.get("reason") or "Failed"
    return ""
