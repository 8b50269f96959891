"""A :class:`~kimed_hub.server_plan.ServerPlan` in Kubernetes terms (pure functions).

Used twice: by ``WorkbenchKubeSpawner`` for the user's pod and by ``values`` for the
chart's ``singleuser`` section and ``profileList``, so both say the same thing. What
Kubernetes cannot express is listed in docs/kubernetes.md ("What differs"): a per-pod
process limit (the kubelet's ``podPidsLimit`` is node-wide) and swap (off on nodes by
default, so ``memory_swap`` equal to ``memory`` holds).
"""

from __future__ import annotations

import re
from typing import Any

from ..server_plan import ServerPlan

#: Where nodes keep the project's seccomp profile, relative to the kubelet's seccomp
#: folder (/var/lib/kubelet/seccomp): see docs/kubernetes.md, "Seccomp profile".
SECCOMP_FOLDER = "kimed"
#: The one ReadWriteMany claim holding every home as a ``<username>/`` folder: each user
#: pod mounts only its own folder (subPath); the hub pod mounts the claim read-only so
#: that the airlock can snapshot what a user asks to release (docs/kubernetes.md).
HOMES_CLAIM = "kimed-homes"
#: The label KubeSpawner puts the (escaped) username in; the admission rule compares the
#: home mount's subPath with it.
USERNAME_LABEL = "hub.jupyter.org/username"
#: Usernames the workbench issues; any other is refused before a subPath is built from it.
SAFE_USERNAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: KubeSpawner's resource name of NVIDIA's device plugin.
GPU_RESOURCE = "nvidia.com/gpu"


def seccomp_localhost(plan: ServerPlan) -> str:
    """The ``localhostProfile`` path: content-addressed, so an edited policy names a new
    file and a node without it refuses the pod (it never runs an older profile)."""
    return f"{SECCOMP_FOLDER}/{plan.seccomp.file_name}"


def container_security_context(plan: ServerPlan) -> dict[str, Any]:
    """The user container's securityContext, every field from the policy."""
    capabilities: dict[str, Any] = {"drop": list(plan.drop_capabilities)}
    if plan.add_capabilities:
        capabilities["add"] = list(plan.add_capabilities)
    return {
        "runAsUser": plan.uid,
        "runAsGroup": plan.gid,
        "runAsNonRoot": plan.uid != 0,
        "readOnlyRootFilesystem": plan.read_only_root,
        "privileged": plan.privileged,
        "allowPrivilegeEscalation": not plan.no_new_privileges,
        "capabilities": capabilities,
        "seccompProfile": {"type": "Localhost", "localhostProfile": seccomp_localhost(plan)},
    }


def pod_security_context(plan: ServerPlan) -> dict[str, Any]:
    """The pod's securityContext: non-root, home files owned by the policy's group."""
    return {
        "runAsUser": plan.uid,
        "runAsGroup": plan.gid,
        "runAsNonRoot": plan.uid != 0,
        "fsGroup": plan.gid,
        "seccompProfile": {"type": "Localhost", "localhostProfile": seccomp_localhost(plan)},
        "sysctls": [{"name": k, "value": v} for k, v in sorted(plan.sysctls.items())],
    }


def resource_traits(plan: ServerPlan) -> dict[str, Any]:
    """KubeSpawner's limit traits: guarantees equal to limits (the one-machine hard
    limits; Guaranteed QoS), GPUs as the device plugin's extended resource."""
    profile = plan.profile
    traits: dict[str, Any] = {
        "cpu_limit": profile.cpus,
        "cpu_guarantee": profile.cpus,
        "mem_limit": profile.memory,
        "mem_guarantee": profile.memory,
        "extra_resource_limits": {},
        "extra_resource_guarantees": {},
    }
    if profile.gpus:
        traits["extra_resource_limits"] = {GPU_RESOURCE: str(profile.gpus)}
        traits["extra_resource_guarantees"] = {GPU_RESOURCE: str(profile.gpus)}
    return traits


def _volume_name(path: str) -> str:
    return "kimed-" + (path.strip("/").replace("/", "-").replace(".", "-").lower() or "root")


def scratch_volumes(plan: ServerPlan) -> tuple[list[dict], list[dict]]:
    """tmpfs mounts and /dev/shm as memory-backed emptyDirs of the policy's sizes."""
    sized = {**plan.tmpfs, "/dev/shm": plan.shm_size}
    volumes = [
        {"name": _volume_name(path), "emptyDir": {"medium": "Memory", "sizeLimit": str(size)}}
        for path, size in sorted(sized.items())
    ]
    mounts = [{"name": _volume_name(path), "mountPath": path} for path in sorted(sized)]
    return volumes, mounts


def home_volume(plan: ServerPlan, username: str) -> tuple[dict, dict]:
    """The user's persistent home: their own folder of the shared homes claim (subPath),
    at the policy's path. A username that could leave that folder is refused."""
    if not SAFE_USERNAME.match(username):
        raise ValueError(
            f"username {username!r} cannot name a home folder (lower-case letters, digits "
            "and '-' only); rename the account at the identity provider"
        )
    volume = {"name": "home", "persistentVolumeClaim": {"claimName": HOMES_CLAIM}}
    return volume, {"name": "home", "mountPath": plan.home_mount, "subPath": username}
