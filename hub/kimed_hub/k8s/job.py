"""A locked run (airlock re-run, synthesis job) as a ``batch/v1`` Job (pure functions).

The pod comes from the SAME server plan and the same translation as a user's pod
(:mod:`kimed_hub.k8s.pod`: security contexts, seccomp, limits, tmpfs; :mod:`.data`:
claims and subPaths, read-only), with what a run differs in:

* its home is an emptyDir (never a user's home; the homes claim is not mounted at all);
* what the portal staged for it is the run's folder ``.runs/<run>/home`` on the views
  claim, mounted read-only; what it leaves for the portal goes to ``.runs/<run>/result``,
  the only writable mount of that claim (:mod:`.job_entry` copies between them);
* no service account token, ``restartPolicy: Never``, ``backoffLimit: 0``, a deadline
  from the policy's timeout and a time-to-live after it finished;
* the label :data:`JOB_LABELS` that the NetworkPolicy (no ingress, no egress at all)
  and the admission policy for job pods (``admission.job_admission_policy``) key on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..server_plan import ServerPlan
from . import data, pod

#: The label every run's pod carries: the admission policy and the NetworkPolicy key on it.
JOB_LABELS = {"component": "kimed-job"}
#: The label naming the run; its folder on the views claim is ``.runs/<run>/``.
RUN_LABEL = "kimed/run"
#: The runs' folders on the views claim (the hub pod writes them, removes them after).
RUNS = data.RUNS
#: Where the staged folder and the result folder appear inside the run's pod.
STAGED_MOUNT, RESULT_MOUNT = "/srv/kimed-run/staged", "/srv/kimed-run/result"
#: An emptyDir on the node's disk: a run that writes more is evicted, not the node filled.
HOME_SIZE = "20Gi"
#: Seconds a finished Job (and its pod, with the logs) stays for the portal to read.
TTL_AFTER_FINISHED = 3600
#: Seconds beyond the policy's timeout for scheduling, image pull and copying.
START_MARGIN = 300
#: A run's name: a DNS label (Job name, label value, folder name).
RUN_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def run_folder(root: Path, name: str) -> Path:
    """The run's folder on the hub pod's data root (the views claim)."""
    if not RUN_NAME.match(name):
        raise ValueError(f"run name {name!r} is not a DNS label")
    return Path(root) / RUNS / name


def entry_command(plan: ServerPlan, keep: list[str], command: list[str]) -> list[str]:
    """``python3 -c <job_entry> ...``: stage in, run ``command``, copy ``keep`` out."""
    source = (Path(__file__).with_name("job_entry.py")).read_text(encoding="utf-8")
    args = [STAGED_MOUNT, RESULT_MOUNT, plan.home_mount, json.dumps(keep), "--", *command]
    return ["python3", "-c", source, *args]


def _run_volume(name: str) -> tuple[dict, list[dict]]:
    """The views claim for the run's own folders: staged (read-only), result (writable)."""
    folder = f"{RUNS}/{name}"
    volume = {"name": "run", "persistentVolumeClaim": {"claimName": data.VIEWS_CLAIM}}
    mounts = [
        {"name": "run", "mountPath": STAGED_MOUNT, "subPath": f"{folder}/home", "readOnly": True},
        {"name": "run", "mountPath": RESULT_MOUNT, "subPath": f"{folder}/result"},
    ]
    return volume, mounts


def _container(plan, image, command, env, mounts) -> dict[str, Any]:
    traits = pod.resource_traits(plan)
    limits = {"cpu": str(traits["cpu_limit"]), "memory": str(traits["mem_limit"])}
    limits |= traits["extra_resource_limits"]
    return {
        "name": "run",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": command,
        "workingDir": plan.home_mount,
        "env": [{"name": k, "value": v} for k, v in sorted(env.items())],
        "securityContext": pod.container_security_context(plan),
        "resources": {"limits": limits, "requests": dict(limits)},
        "volumeMounts": mounts,
    }


def job_manifest(
    plan: ServerPlan,
    image: str,
    name: str,
    namespace: str,
    command: list[str],
    located: list[data.DataSource],
    env: dict[str, str],
    timeout: int,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The Job for one run: ``command`` (already wrapped by :func:`entry_command`) in
    ``image`` with the plan's controls, ``located`` data read-only, no API token."""
    home = {"name": "home", "emptyDir": {"sizeLimit": HOME_SIZE}}
    home_mount = {"name": "home", "mountPath": plan.home_mount}
    scratch, scratch_mounts = pod.scratch_volumes(plan)
    data_vols, data_mounts = data.data_volumes(located)
    run_vol, run_mounts = _run_volume(name)
    env = {**env, "HOME": plan.home_mount}
    mounts = [home_mount, *scratch_mounts, *data_mounts, *run_mounts]
    pod_labels = {**(labels or {}), **JOB_LABELS, RUN_LABEL: name}
    spec = {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,  # no other service's address in the environment
        "securityContext": pod.pod_security_context(plan),
        "containers": [_container(plan, image, command, env, mounts)],
        "volumes": [home, *scratch, *data_vols, run_vol],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace, "labels": pod_labels},
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": int(timeout) + START_MARGIN,
            "ttlSecondsAfterFinished": TTL_AFTER_FINISHED,
            "template": {"metadata": {"labels": pod_labels}, "spec": spec},
        },
    }
