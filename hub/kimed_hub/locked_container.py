"""The locked-down container settings the policies prescribe, in one place.

Every container the workbench starts for a user, their server
(:class:`~kimed_hub.spawner.WorkbenchSpawner`) or the airlock's re-run of their notebook
(:mod:`kimed_hub.airlock.rerun_container`), gets these host-config settings from
``policies/container-security.yaml``, the chosen resource profile and the seccomp
profile, and is verified against the same policy before it starts
(:func:`kimed_hub.container_expectations.expected_container`,
:mod:`kimed_hub.container_checks`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .policies import ResourceProfile, SecurityProfile

# Libraries in the kernels that would otherwise reach for the internet on first use: they
# must not even try (the egress rules would stop them, but no attempt should be made).
# tldextract (presidio's e-mail and URL recognizers) fetches the public-suffix list unless
# given no URLs; Hugging Face libraries look for model updates unless offline.
OFFLINE_ENV = {
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
}


def locked_host_config(
    security: SecurityProfile, limits: ResourceProfile, seccomp_opt: str
) -> dict[str, Any]:
    """The policy's host-config settings (docker-py ``create_host_config`` keywords):
    read-only root, capabilities, no-new-privileges and the seccomp profile
    (``seccomp_opt``: :func:`kimed_hub.container_expectations.seccomp_option`), a private
    cgroup namespace, the profile's swap and process limits, /dev/shm, the tmpfs mounts
    and ulimits. Memory and CPUs: the caller sets them (DockerSpawner from its traits)."""
    return {
        "read_only": security.read_only_root,
        "privileged": security.privileged,
        "cap_drop": list(security.drop_capabilities),
        "cap_add": list(security.add_capabilities),
        "security_opt": [
            *(["no-new-privileges"] if security.no_new_privileges else []),
            seccomp_opt,
        ],
        # Docker honours this; podman 4's compatible API ignores it (the policy's
        # namespaces.host_cgroup_exception); oci_spec_checks reads what podman did.
        "cgroupns": "private",
        "memswap_limit": limits.memory_swap,
        "pids_limit": limits.pids,
        "shm_size": security.shm_size,
        "tmpfs": {
            path: f"size={size}" + (",mode=1777" if path.endswith("tmp") else "")
            for path, size in security.tmpfs.items()
        },
        "ulimits": [
            {"Name": name, "Soft": soft, "Hard": hard}
            for name, (soft, hard) in security.ulimits.items()
        ]
        or None,
    }


class InitFailed(RuntimeError):
    """podman could not initialise a container, or its runtime spec is unreadable."""


def podman_init(api, container_id: str) -> tuple[dict[str, Any], int]:
    """podman ``init``: the namespaces and the OCI runtime spec without running the image's
    process. Returns the spec (for :func:`kimed_hub.oci_spec_checks.verify_oci_spec`) and
    the container's pid (for egress rules); InitFailed with podman's words otherwise.
    ``api``: a docker-py ``APIClient`` on podman's socket."""
    response = api.post(api._url("/libpod/containers/{0}/init", container_id))
    if response.status_code not in (204, 304):
        raise InitFailed(f"podman could not initialise it: {response.text}")
    libpod = api.get(api._url("/libpod/containers/{0}/json", container_id)).json()
    try:
        spec = json.loads(Path(libpod["OCIConfigPath"]).read_text())
    except (KeyError, OSError, ValueError) as exc:
        raise InitFailed(f"its runtime spec is unreadable: {exc}") from None
    return spec, libpod["State"]["Pid"]
