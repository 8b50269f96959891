"""A ValidatingAdmissionPolicy: the API server refuses a user pod that lacks a control.

The cluster's own check before a pod runs, beside the namespace's restricted Pod Security
level (which cannot pin the seccomp profile, read-only root, read-only data or limits).
Its expressions (CEL) are built from the plan of the policies, so an edited policy
changes them. Needs Kubernetes 1.30 or later (admissionregistration.k8s.io/v1).
"""

from __future__ import annotations

from typing import Any

from ..server_plan import ServerPlan
from .data import DATASET_CLAIM, DATASETS_CLAIM, USER_SUBPATH, USERS, VIEWS_CLAIM
from .pod import HOMES_CLAIM, USERNAME_LABEL, seccomp_localhost
from .values import Site

POLICY_NAME = "kimed-user-pods"
ALL_CONTAINERS = "object.spec.containers"


def _every(condition: str) -> str:
    return f"{ALL_CONTAINERS}.all(c, {condition})"


def validations(plan: ServerPlan, governed: list[str] = ()) -> list[dict[str, str]]:
    """One CEL rule per control, each with the message the API server returns;
    ``governed``: the consent-governed datasets (never mounted unfiltered)."""
    rules = [*pod_rules(plan), _home_rule(), *data_rules(governed)]
    return [{"expression": expr, "message": f"KIMed policy: {msg}"} for expr, msg in rules]


def pod_rules(plan: ServerPlan) -> list[tuple[str, str]]:
    """The controls every workbench pod has, a user's server or a run (``job_rules``)."""
    sc = "has(c.securityContext) && "
    drop = str(list(plan.drop_capabilities)).replace("'", '"')
    seccomp = seccomp_localhost(plan)
    dataset_prefix = DATASET_CLAIM.split("{", 1)[0]
    rules = [
        (_every(sc + f"c.securityContext.runAsUser == {plan.uid}"), "must run as the policy's uid"),
        (_every(sc + "c.securityContext.runAsNonRoot == true"), "must run as non-root"),
        (
            _every(sc + f"c.securityContext.readOnlyRootFilesystem == {_cel(plan.read_only_root)}"),
            "root filesystem must be read-only as the policy says",
        ),
        (
            _every(sc + "c.securityContext.allowPrivilegeEscalation == false")
            if plan.no_new_privileges
            else "true",
            "privilege escalation must be off",
        ),
        (
            _every("!has(c.securityContext.privileged) || c.securityContext.privileged == false"),
            "no privileged container",
        ),
        (
            _every(sc + f"c.securityContext.capabilities.drop == {drop}"),
            f"capabilities {drop} must be dropped",
        ),
        (
            _every(sc + "!has(c.securityContext.capabilities.add)")
            if not plan.add_capabilities
            else "true",
            "no capability may be added",
        ),
        (
            _every(
                sc + "c.securityContext.seccompProfile.type == 'Localhost' && "
                f"c.securityContext.seccompProfile.localhostProfile == '{seccomp}'"
            ),
            f"the project's seccomp profile ({seccomp}) is required",
        ),
        (
            _every(
                "has(c.resources.limits) && 'memory' in c.resources.limits && "
                "'cpu' in c.resources.limits"
            ),
            "every container needs CPU and memory limits",
        ),
        (
            "!has(object.spec.initContainers) || size(object.spec.initContainers) == 0",
            "no init containers (nothing runs unchecked before the server)",
        ),
        (
            "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))",
            "no hostPath volumes",
        ),
        (
            "!has(object.spec.volumes) || object.spec.volumes.all(v, "
            f"!has(v.persistentVolumeClaim) || !v.persistentVolumeClaim.claimName.startsWith("
            f"'{dataset_prefix}') || v.persistentVolumeClaim.readOnly == true)",
            "dataset volumes must be read-only",
        ),
        (
            _every(
                "!has(c.volumeMounts) || c.volumeMounts.all(m, "
                "!m.mountPath.startsWith('/data/') || m.readOnly == true)"
            ),
            "mounts under /data must be read-only",
        ),
        (
            "!has(object.spec.hostNetwork) || object.spec.hostNetwork == false",
            "no host network",
        ),
        (
            "has(object.spec.automountServiceAccountToken) && "
            "object.spec.automountServiceAccountToken == false",
            "user pods get no Kubernetes API token",
        ),
    ]
    return rules


def _home_rule() -> tuple[str, str]:
    """The shared homes claim: a pod sees only the folder of the user it runs for."""
    return (
        "!has(object.spec.volumes) || object.spec.volumes.all(v, "
        "!has(v.persistentVolumeClaim) || "
        f"v.persistentVolumeClaim.claimName != '{HOMES_CLAIM}' "
        f"|| (has(object.metadata.labels) && '{USERNAME_LABEL}' in object.metadata.labels && "
        f"{ALL_CONTAINERS}.all(c, !has(c.volumeMounts) || c.volumeMounts.all(m, "
        "m.name != v.name || (has(m.subPath) && "
        f"m.subPath == object.metadata.labels['{USERNAME_LABEL}'])))))",
        "a home mount must be the pod's own user's folder (subPath = username label)",
    )


def _claims(condition: str) -> str:
    """``condition`` on every claim volume ``v`` of the pod."""
    return (
        "!has(object.spec.volumes) || object.spec.volumes.all(v, "
        f"!has(v.persistentVolumeClaim) || ({condition}))"
    )


def data_rules(governed: list[str]) -> list[tuple[str, str]]:
    """The data claims of a user's pod: :func:`shared_data_rules`, and the views claim
    read-only, only through the pod's own user's folder of links, one dataset per mount
    (``data.user_links``)."""
    own = f"'{USERS}/' + object.metadata.labels['{USERNAME_LABEL}'] + '/'"
    view_mount = (
        "m.name != v.name || (m.readOnly == true && has(m.subPath) && "
        f"m.subPath.matches('{USER_SUBPATH}') && m.subPath.startsWith({own}))"
    )
    return [
        *shared_data_rules(governed),
        (
            _claims(
                f"v.persistentVolumeClaim.claimName != '{VIEWS_CLAIM}' || "
                "(v.persistentVolumeClaim.readOnly == true && has(object.metadata.labels) && "
                f"'{USERNAME_LABEL}' in object.metadata.labels && "
                f"{ALL_CONTAINERS}.all(c, !has(c.volumeMounts) || "
                f"c.volumeMounts.all(m, {view_mount})))"
            ),
            f"{VIEWS_CLAIM} is mounted read-only, one dataset per mount, and only through "
            f"the folder of the pod's own user ({USERS}/<username>/<dataset>)",
        ),
    ]


def shared_data_rules(governed: list[str]) -> list[tuple[str, str]]:
    """Every pod's data claims: never the whole export, never a consent-governed
    dataset's unfiltered claim."""
    unfiltered = str([DATASET_CLAIM.format(dataset=d) for d in governed]).replace("'", '"')
    return [
        (
            _claims(f"v.persistentVolumeClaim.claimName != '{DATASETS_CLAIM}'"),
            "the whole datasets export is the hub's, never a user pod's",
        ),
        (
            _claims(f"!({unfiltered}.exists(n, v.persistentVolumeClaim.claimName == n))"),
            "a consent-governed dataset is mounted only as its consent-filtered view, "
            "never unfiltered",
        ),
    ]


def _cel(value: bool) -> str:
    return "true" if value else "false"


def admission_policy(
    site: Site, plan: ServerPlan, governed: list[str] = ()
) -> list[dict[str, Any]]:
    """The policy and its binding (deny), for user pods in the workbench's namespace."""
    policy = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": POLICY_NAME},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {
                "resourceRules": [
                    {
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": ["pods"],
                    }
                ]
            },
            "validations": validations(plan, governed),
        },
    }
    binding = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": POLICY_NAME},
        "spec": {
            "policyName": POLICY_NAME,
            "validationActions": ["Deny"],
            "matchResources": {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": site.namespace}
                },
                "objectSelector": {"matchLabels": {"component": "singleuser-server"}},
            },
        },
    }
    return [policy, binding]
