"""Admission for the runs' Jobs and pods: the user pods' controls, plus a run's own.

Two ValidatingAdmissionPolicies (CEL, built from the same plan as the user pods' in
``admission.py``):

* ``kimed-job-pods`` on every pod labelled ``component: kimed-job``: every control of a
  user's pod (:func:`kimed_hub.k8s.admission.pod_rules`, the shared data rules), and:
  no homes claim at all, the home an emptyDir, ``restartPolicy: Never``, the views claim
  only through the run's own folder ``.runs/<kimed/run label>/`` (read-only, but for its
  ``result``);
* ``kimed-jobs`` on every Job of the namespace: ``backoffLimit: 0``, a deadline and a
  time-to-live, the label the pod policy and the NetworkPolicy key on, and the same pod
  rules applied to its template, so a server-side dry run (``job_run.verify``) is refused
  already (a dry run creates no pod for the pod policy to judge).
"""

from __future__ import annotations

from typing import Any

from ..server_plan import ServerPlan
from .admission import ALL_CONTAINERS, _claims, pod_rules, shared_data_rules
from .data import VIEWS_CLAIM
from .job import JOB_LABELS, RUN_LABEL, RUN_NAME, RUNS
from .pod import HOMES_CLAIM
from .values import Site

POD_POLICY, JOB_POLICY = "kimed-job-pods", "kimed-jobs"


def job_pod_rules(plan: ServerPlan, governed: list[str] = ()) -> list[tuple[str, str]]:
    """The rules for a run's pod (CEL on ``object``, a Pod)."""
    labelled = f"has(object.metadata.labels) && '{RUN_LABEL}' in object.metadata.labels"
    run = f"'{RUNS}/' + object.metadata.labels['{RUN_LABEL}'] + '/'"
    own_folder = (
        "m.name != v.name || (has(m.subPath) && "
        f"m.subPath.startsWith({run}) && !m.subPath.contains('..') && "
        f"((has(m.readOnly) && m.readOnly == true) || m.subPath == {run} + 'result'))"
    )
    home = (
        f"{ALL_CONTAINERS}.all(c, has(c.volumeMounts) && c.volumeMounts.exists(m, "
        f"m.mountPath == '{plan.home_mount}' && object.spec.volumes.exists(v, "
        "v.name == m.name && has(v.emptyDir))))"
    )
    return [
        *pod_rules(plan),
        *shared_data_rules(governed),
        (_claims(f"v.persistentVolumeClaim.claimName != '{HOMES_CLAIM}'"), "no user home in a run"),
        (home, "a run's home is an emptyDir"),
        ("object.spec.restartPolicy == 'Never'", "a run is never restarted"),
        (
            f"{labelled} && object.metadata.labels['{RUN_LABEL}'].matches('{RUN_NAME.pattern}')",
            f"a run's pod carries its {RUN_LABEL} label",
        ),
        (
            _claims(
                f"v.persistentVolumeClaim.claimName != '{VIEWS_CLAIM}' || ({labelled} && "
                f"{ALL_CONTAINERS}.all(c, !has(c.volumeMounts) || "
                f"c.volumeMounts.all(m, {own_folder})))"
            ),
            f"{VIEWS_CLAIM} only through the run's own folder ({RUNS}/<run>/), "
            "read-only but for its result",
        ),
    ]


def job_rules(plan: ServerPlan, governed: list[str] = ()) -> list[tuple[str, str]]:
    """The rules for a run's Job (CEL on ``object``, a Job): its own fields and the pod
    rules on its template."""
    ((key, value),) = JOB_LABELS.items()
    template = [
        (expr.replace("object.", "object.spec.template."), message)
        for expr, message in job_pod_rules(plan, governed)
    ]
    return [
        ("has(object.spec.backoffLimit) && object.spec.backoffLimit == 0", "no retries"),
        ("has(object.spec.activeDeadlineSeconds)", "a deadline"),
        ("has(object.spec.ttlSecondsAfterFinished)", "a time-to-live after it finished"),
        (
            "has(object.spec.template.metadata.labels) && "
            f"'{key}' in object.spec.template.metadata.labels && "
            f"object.spec.template.metadata.labels['{key}'] == '{value}'",
            f"its pods carry {key}: {value} (the network fence and the pod policy)",
        ),
        *template,
    ]


def _policy(name: str, group: str, resource: str, rules, match: dict, site: Site) -> list:
    policy = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {
                "resourceRules": [
                    {
                        "apiGroups": [group],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": [resource],
                    }
                ]
            },
            "validations": [
                {"expression": expr, "message": f"KIMed policy (runs): {msg}"}
                for expr, msg in rules
            ],
        },
    }
    resources: dict[str, Any] = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": site.namespace}}
    }
    resources |= match
    binding = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name},
        "spec": {
            "policyName": name,
            "validationActions": ["Deny"],
            "matchResources": resources,
        },
    }
    return [policy, binding]


def job_admission_policies(
    site: Site, plan: ServerPlan, governed: list[str] = ()
) -> list[dict[str, Any]]:
    """Both policies and their bindings (deny)."""
    pods = {"objectSelector": {"matchLabels": dict(JOB_LABELS)}}
    return [
        *_policy(POD_POLICY, "", "pods", job_pod_rules(plan, governed), pods, site),
        *_policy(JOB_POLICY, "batch", "jobs", job_rules(plan, governed), {}, site),
    ]
