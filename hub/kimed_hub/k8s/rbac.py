"""The portal's own Kubernetes identity and the fence around the runs it starts.

The portal runs in the hub pod, whose service account (the chart's) may create any pod.
The portal's Job runner (``job_api``) uses its own account instead, ``kimed-portal``, with
a long-lived token from a Secret mounted read-only into the hub pod
(:data:`PORTAL_TOKEN_MOUNT`), allowed exactly: create/get/list/watch/delete Jobs and
get/list pods and their logs, in the workbench's namespace only. Every run's pod is
fenced by a NetworkPolicy with no ingress and no egress at all (the one-machine runs
have network mode ``none``).
"""

from __future__ import annotations

from typing import Any

from .job import JOB_LABELS
from .values import PORTAL_ACCOUNT, PORTAL_TOKEN_SECRET, Site

#: What the portal may do, and nothing more (tests compare by equality).
PORTAL_RULES = [
    {
        "apiGroups": ["batch"],
        "resources": ["jobs"],
        "verbs": ["create", "get", "list", "watch", "delete"],
    },
    {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]},
]
JOBS_NETWORK_POLICY = "kimed-jobs-no-network"


def portal_rbac(site: Site) -> list[dict[str, Any]]:
    """The portal's ServiceAccount, its token Secret, the Role and the RoleBinding."""
    ns = site.namespace
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": PORTAL_ACCOUNT, "namespace": ns},
        "automountServiceAccountToken": False,
    }
    token = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/service-account-token",
        "metadata": {
            "name": PORTAL_TOKEN_SECRET,
            "namespace": ns,
            "annotations": {"kubernetes.io/service-account.name": PORTAL_ACCOUNT},
        },
    }
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": PORTAL_ACCOUNT, "namespace": ns},
        "rules": PORTAL_RULES,
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": PORTAL_ACCOUNT, "namespace": ns},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": PORTAL_ACCOUNT,
        },
        "subjects": [{"kind": "ServiceAccount", "name": PORTAL_ACCOUNT, "namespace": ns}],
    }
    return [account, token, role, binding]


def jobs_network_policy(site: Site) -> dict[str, Any]:
    """No ingress and no egress at all for the runs' pods (not even DNS)."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": JOBS_NETWORK_POLICY, "namespace": site.namespace},
        "spec": {
            "podSelector": {"matchLabels": dict(JOB_LABELS)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [],
            "egress": [],
        },
    }
