"""One command in a fresh, locked, network-less container of the single-user image.

Used by the synthesis jobs (:mod:`kimed_hub.synthesis.container`). The airlock's
server-side re-run (:mod:`kimed_hub.airlock.rerun_container`) follows the same steps with
the requester's own profile, image variant and GPUs; both take the host config, the
expectation and the checks from the same functions
(:func:`~kimed_hub.locked_container.locked_host_config`,
:func:`~kimed_hub.container_expectations.expected_container`,
:func:`~kimed_hub.container_checks.verify_container`, :mod:`kimed_hub.oci_spec_checks`).
The steps:

1. a fresh, empty named volume as the container's home (never a user's own home),
   prepared from the host by the caller before the container exists;
2. a container with the policy's locked host config
   (:func:`kimed_hub.locked_container.locked_host_config`, seccomp included), the
   default resource profile's limits, the given host folders or files read-only, and
   no network at all (network mode ``none``: only the loopback inside);
3. verified against what the policy expects of a user's container
   (:func:`kimed_hub.container_expectations.expected_container`, network ``none``):
   the inspect document and, on podman, the runtime spec; a container that fails is
   never started;
4. started and waited for, at most for a timeout; the exit status comes back;
5. the container and the volume removed, whatever happened (:meth:`LockedRun.session`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import requests

import docker

from . import oci_spec_checks
from .container_checks import verify_container
from .container_expectations import (
    ExpectedContainer,
    SpawnFacts,
    expected_container,
    host_has_cgroup_v1,
    seccomp_file,
    seccomp_option,
)
from .errors import PortalError
from .locked_container import OFFLINE_ENV, InitFailed, locked_host_config, podman_init
from .paths import state_dir
from .policies import resource_profiles, seccomp_profile, security_profile

log = logging.getLogger("kimed.locked_run")
#: Seconds one runtime API call may take (a busy podman answers slowly; not the run).
API_TIMEOUT = 300


class RunRefused(PortalError):
    """The container did not pass the security checks; it was never started."""

    http_status = 500
    code = "run_refused"


@dataclass
class RunSession:
    """One run's client, names and folders while :meth:`LockedRun.session` is open."""

    client: docker.APIClient
    name: str  # the container's and the volume's name
    home: Path  # the volume's folder on the host (prepare it before ``start``)
    container: str | None = None

    @property
    def results(self) -> Path:
        """Where the run's files are read back: the volume itself (it is the home)."""
        return self.home


class LockedRun:
    """Runs commands in fresh locked containers of one runtime and image."""

    refused = RunRefused  # the error raised for a container that fails the checks
    what = "container"  # how messages name it ("the re-run's container", ...)

    def __init__(
        self,
        base_url: str,
        image: str,
        prefix: str,
        policies_dir: Path | None = None,
        runtime_kind: str = "podman",
        seccomp_dir: Path | None = None,
    ):
        """``seccomp_dir``: where the spawner keeps podman's copy of the seccomp profile
        (podman reads it from a file)."""
        self.base_url, self.image, self.prefix = base_url, image, prefix
        self.policies_dir = policies_dir
        self.runtime_kind = runtime_kind
        self.seccomp_dir = seccomp_dir or state_dir() / "seccomp"  # where the spawner's is

    @contextmanager
    def session(self, kind: str, key: str, label: str) -> Iterator[RunSession]:
        """A fresh volume named ``<prefix>-<kind>-<key>-<random>`` (labelled ``label``),
        removed with its container when the block ends, whatever happened."""
        client = docker.APIClient(base_url=self.base_url, timeout=API_TIMEOUT)
        name = f"{self.prefix}-{kind}-{key.lower()}-{uuid.uuid4().hex[:8]}"
        try:
            volume = client.create_volume(name, labels={label: key})
            yield RunSession(client, name, Path(volume["Mountpoint"]))
        finally:
            # By name when its id never came back (a create that timed out may still be made).
            quietly(client.remove_container, name, force=True)
            quietly(client.remove_volume, name, force=True)
            client.close()

    def owner(self) -> tuple[int, int]:
        """The container user's uid and gid (files the caller prepares belong to them)."""
        security = security_profile(self.policies_dir)
        return security.uid, security.gid

    def cpus(self) -> int:
        """Whole CPUs of the default resource profile (at least one): thread pools'
        size inside the container."""
        profiles = resource_profiles(self.policies_dir)
        return max(1, int(profiles.profiles[profiles.default].cpus))

    def create(
        self,
        run: RunSession,
        command: list[str],
        read_only: list[tuple[str, str]],
        environment: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        *,
        keep: tuple[str, ...] = (),
        timeout: int = 0,
    ) -> ExpectedContainer:
        """Create (not start) the container: the run's volume as the home, ``read_only``
        (host path, container path) bound read-only, no network. Returns what it must
        look like (the policy's expectation for a user's container, network ``none``).
        ``keep`` and ``timeout`` matter to the Kubernetes runner (``k8s.job_run``) only:
        here the volume is the home (everything stays) and ``execute`` waits."""
        del keep, timeout  # the same signature as KubeJobRun.create
        security = security_profile(self.policies_dir)
        profiles = resource_profiles(self.policies_dir)
        limits = profiles.profiles[profiles.default]
        seccomp = seccomp_profile(self.policies_dir)
        podman = self.runtime_kind == "podman"
        seccomp_path = str(seccomp_file(seccomp, self.seccomp_dir)) if podman else ""
        binds = {run.name: {"bind": security.home_mount, "mode": "rw"}}
        binds |= {host: {"bind": target, "mode": "ro"} for host, target in read_only}
        host_config = run.client.create_host_config(
            **locked_host_config(
                security, limits, seccomp_option(self.runtime_kind, seccomp, seccomp_path)
            ),
            binds=binds,
            mem_limit=limits.memory,
            nano_cpus=int(limits.cpus * 1e9),
            network_mode="none",
        )
        run.container = run.client.create_container(
            self.image,
            command=command,
            user=f"{security.uid}:{security.gid}",
            working_dir=security.home_mount,
            environment={**OFFLINE_ENV, "HOME": security.home_mount, **(environment or {})},
            labels={**(labels or {}), "kimed.locked-run": run.name},
            name=run.name,
            host_config=host_config,
        )["Id"]
        facts = SpawnFacts(
            runtime_kind=self.runtime_kind,
            home_volume=run.name,
            data_mounts=tuple(read_only),
            image_id=run.client.inspect_image(self.image)["Id"],
            seccomp_path=seccomp_path,
            cgroup_v1=host_has_cgroup_v1(),
        )
        expected = expected_container(security, limits, seccomp, facts)
        return replace(expected, network_modes=("none",))

    def home_path(self, *parts: str) -> str:
        """A path under the container's home (``/home/jovyan/...``)."""
        return str(PurePosixPath(security_profile(self.policies_dir).home_mount, *parts))

    def verify(self, run: RunSession, expected: ExpectedContainer) -> None:
        """Refuse (never start) a container that differs from the policy: its inspect
        document, and on podman the runtime spec ``podman init`` wrote."""
        problems = verify_container(run.client.inspect_container(run.container), expected)
        if self.runtime_kind == "podman" and not problems:
            try:
                spec, _pid = podman_init(run.client, run.container)
            except InitFailed as error:
                raise self.refused(f"The {self.what}: {error}. Tell the operators.") from None
            problems = oci_spec_checks.verify_oci_spec(spec, expected)
        if problems:
            raise self.refused(
                f"The {self.what} did not pass the workbench's security checks and was not "
                "started: " + "; ".join(problems) + ". Tell the operators."
            )

    def execute(self, run: RunSession, timeout: int) -> int | None:
        """Start it and wait at most ``timeout`` seconds (plus a minute for the start):
        its exit status, or None when it ran out of time (then it is killed)."""
        run.client.start(run.container)
        try:
            status = run.client.wait(run.container, timeout=timeout + 60)["StatusCode"]
        except requests.exceptions.RequestException:  # docker-py's read timeout
            quietly(run.client.kill, run.container)
            return None
        if status != 0:
            log.warning("%s exited with %s:\n%s", run.name, status, self.logs(run, 20))
        return status

    def inspect(self, run: RunSession) -> dict:
        """The runtime's inspect document of the run's container."""
        return run.client.inspect_container(run.container)

    def logs(self, run: RunSession, tail: int) -> str:
        """The last ``tail`` lines the container wrote (stdout and stderr)."""
        return run.client.logs(run.container, tail=tail).decode(errors="replace")


def quietly(call, *args, **kwargs) -> None:
    """Clean-up that must not hide the error that got us here."""
    try:
        call(*args, **kwargs)
    except docker.errors.APIError as error:
        log.warning("locked run clean-up: %s", error)
