"""Manifests the chart does not make: the restricted namespace, the shared homes and views
claims, read-only dataset volumes (the export for the hub pod, one per dataset with
ACTIVE grants for user pods), and the portal's database.

The database's password lives in the Secret ``kimed-portal-db`` the operator creates
(docs/kubernetes.md); nothing secret is rendered.
"""

from __future__ import annotations

from typing import Any

from .data import DATASET_CLAIM, DATASETS_CLAIM, VIEWS_CLAIM
from .pod import HOMES_CLAIM
from .values import PORTAL_DB_SECRET, Site

#: The pod security level enforced (and audited, warned) for everything in the namespace.
POD_SECURITY = "restricted"
PORTAL_DB = "kimed-portal-db"
DB_LABELS = {"app.kubernetes.io/name": PORTAL_DB}


def namespace(site: Site) -> dict[str, Any]:
    """The namespace, Pod Security Admission ``restricted`` in all three modes."""
    labels = {
        f"pod-security.kubernetes.io/{mode}": POD_SECURITY for mode in ("enforce", "audit", "warn")
    }
    labels |= {f"pod-security.kubernetes.io/{m}-version": "latest" for m in ("enforce", "audit")}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": site.namespace, "labels": labels},
    }


def homes_claim(site: Site) -> dict[str, Any]:
    """The one ReadWriteMany claim holding every user's home as a folder: user pods mount
    their own folder (subPath, checked by the admission policy), the hub pod the whole
    claim read-only (the airlock's snapshots)."""
    return _shared_claim(site, HOMES_CLAIM, site.homes_capacity, site.home_storage_class)


def views_claim(site: Site) -> dict[str, Any]:
    """The ReadWriteMany claim of what the workbench derives from the datasets (consent
    views, linked project tables, synthetic versions; ``data.py``): the hub pod writes
    it, user pods mount one folder of it each, read-only (admission-checked)."""
    return _shared_claim(site, VIEWS_CLAIM, site.views_capacity, site.views_storage_class)


def _shared_claim(site: Site, name: str, capacity: str, storage_class: str) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": capacity}},
    }
    if storage_class:
        spec["storageClassName"] = storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": site.namespace},
        "spec": spec,
    }


def dataset_volumes(site: Site, datasets: list[str], nfs: tuple[str, str]) -> list[dict]:
    """A read-only PersistentVolume (NFS export ``<path>/<dataset>``) bound to a
    ReadOnlyMany claim, per dataset; user pods mount the claim read-only too."""
    server, root = nfs
    out: list[dict] = []
    for dataset in datasets:
        claim = DATASET_CLAIM.format(dataset=dataset)
        path = f"{root.rstrip('/')}/{dataset}"
        out += _nfs_volume(site, claim, (server, path), {"kimed/dataset": dataset})
    return out


def datasets_export(site: Site, nfs: tuple[str, str]) -> list[dict]:
    """The whole export, read-only, for the hub pod: it mounts each source dataset's
    folder (a subPath) into its data root to make consent views and linked tables. The
    admission policy keeps it out of user pods."""
    return _nfs_volume(site, DATASETS_CLAIM, nfs, {"kimed/datasets": "export"})


def _nfs_volume(site: Site, claim: str, nfs: tuple[str, str], labels: dict) -> list[dict]:
    """A read-only NFS PersistentVolume and the ReadOnlyMany claim bound to it."""
    server, path = nfs
    volume = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": f"{site.namespace}-{claim}", "labels": labels},
        "spec": {
            "capacity": {"storage": "1Ti"},  # informational for a pre-filled export
            "accessModes": ["ReadOnlyMany"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": site.dataset_storage_class,
            "mountOptions": ["ro", "nosuid", "nodev", "noexec"],
            "nfs": {"server": server, "path": path, "readOnly": True},
            "claimRef": {"namespace": site.namespace, "name": claim},
        },
    }
    bound = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": claim, "namespace": site.namespace},
        "spec": {
            "accessModes": ["ReadOnlyMany"],
            "storageClassName": site.dataset_storage_class,
            "volumeName": f"{site.namespace}-{claim}",
            "resources": {"requests": {"storage": "1Ti"}},
        },
    }
    return [volume, bound]


def portal_database(site: Site, image: str, size: str = "20Gi") -> list[dict[str, Any]]:
    """PostgreSQL for the portal: a one-replica StatefulSet (restricted security context),
    its Service, and a NetworkPolicy letting only the hub pod (the portal runs there) in."""
    ns = site.namespace
    container = {
        "name": "postgres",
        "image": image,
        "ports": [{"name": "postgres", "containerPort": 5432}],
        "env": [
            {"name": "POSTGRES_DB", "value": "portal"},
            {"name": "POSTGRES_USER", "value": "portal"},
            {
                "name": "POSTGRES_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": PORTAL_DB_SECRET, "key": "password"}},
            },
            {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
        ],
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 999,
            "runAsGroup": 999,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [
            {"name": "data", "mountPath": "/var/lib/postgresql/data"},
            {"name": "run", "mountPath": "/var/run/postgresql"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
    }
    statefulset = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": PORTAL_DB, "namespace": ns, "labels": DB_LABELS},
        "spec": {
            "serviceName": PORTAL_DB,
            "replicas": 1,
            "selector": {"matchLabels": DB_LABELS},
            "template": {
                "metadata": {"labels": DB_LABELS},
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": {"fsGroup": 999, "runAsNonRoot": True},
                    "containers": [container],
                    "volumes": [
                        {"name": "run", "emptyDir": {}},
                        {"name": "tmp", "emptyDir": {}},
                    ],
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": size}},
                    },
                }
            ],
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": PORTAL_DB, "namespace": ns, "labels": DB_LABELS},
        "spec": {"selector": DB_LABELS, "ports": [{"name": "postgres", "port": 5432}]},
    }
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": PORTAL_DB, "namespace": ns},
        "spec": {
            "podSelector": {"matchLabels": DB_LABELS},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"component": "hub"}}}],
                    "ports": [{"port": 5432}],
                }
            ],
            "egress": [],
        },
    }
    return [statefulset, service, policy]
