"""The locked-down container settings the policies prescribe, in one place.

Every container the workbench starts for a user, their server
(:class:`~kimed_hub.spawner.WorkbenchSpawner`) or the airlock's re-run of their notebook
(:mod:`kimed_hub.airlock.rerun_container`), gets these host-config settings from
``policies/container-security.yaml`` and the chosen resource profile, and is verified
against the same policy before it starts (:mod:`kimed_hub.container_checks`).
"""

from __future__ import annotations

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


def locked_host_config(security: SecurityProfile, limits: ResourceProfile) -> dict[str, Any]:
    """Read-only root, no capabilities, no-new-privileges, no privileged mode, the
    profile's swap and process limits, the policy's /dev/shm and tmpfs /tmp (docker-py
    ``create_host_config`` keywords). Memory and CPUs: the caller sets them (DockerSpawner
    from its own traits)."""
    return {
        "read_only": True,
        "privileged": False,
        "cap_drop": ["ALL"],
        "cap_add": [],
        "security_opt": ["no-new-privileges"],
        "memswap_limit": limits.memory_swap,
        "pids_limit": limits.pids,
        "shm_size": security.shm_size,
        "tmpfs": {"/tmp": f"size={security.tmp_size},mode=1777"},
    }
