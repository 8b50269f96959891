"""Zero to JupyterHub chart values from the reviewed policies.

Every security-relevant value comes from ``policies/`` through ``server_plan`` and
``pod``: the profile list (CPU, memory, ``nvidia.com/gpu``), the user pod's security
context and seccomp profile, roles and custom scopes (``roles.yaml``), the culler's
timeouts (``sessions.yaml``). Site facts (registry, tags, storage classes, the identity
provider) come from :class:`Site`. Deliberate departures from the chart's defaults:
user pods reach the hub and the proxy only (``nonPrivateIPs``, ``privateIPs`` and every
DNS rule off), cloud metadata is blocked by that NetworkPolicy, not by the chart's
privileged iptables init container, and the image pullers and user scheduler are off
(images come from the site registry; the namespace is restricted).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..policies import resource_profiles, roles_policy, sessions_policy
from ..portal_service.wiring import PORTAL_SCOPES, SERVICE_SCOPES
from ..server_plan import ServerPlan, plan_for_profile
from . import data, pod

SPAWNER_CLASS = "kimed_hub.k8s.spawner.WorkbenchKubeSpawner"
AUTHENTICATOR_CLASS = "kimed_hub.identity.KimedOIDCAuthenticator"
#: Where the hub image keeps the project (policies, wheelhouse): docs/kubernetes.md.
IMAGE_ROOT = "/srv/kimed"
#: Managed services in the hub pod, on these ports of the ``hub`` Service.
SERVICE_PORTS = {"portal": 8098, "package-index": 8099}
#: The hub's own volume (the chart's sqlite-pvc); the airlock keeps its files there.
HUB_DATA = "/srv/jupyterhub"
#: Where the hub pod mounts the shared homes claim, read-only, for the airlock.
HOMES_MOUNT = f"{IMAGE_ROOT}/homes"
#: Secrets the operator creates (docs/kubernetes.md, "Install"); never rendered.
PORTAL_DB_SECRET = "kimed-portal-db"
OIDC_SECRET = "kimed-oidc"
#: The portal's own service account (``rbac.py``) and where its token is mounted in the
#: hub pod, for the Job runner (``job_api``): never the hub's own account.
PORTAL_ACCOUNT = "kimed-portal"
PORTAL_TOKEN_SECRET = "kimed-portal-token"
PORTAL_TOKEN_MOUNT = f"{IMAGE_ROOT}/portal-token"


@dataclass(frozen=True)
class Site:
    """Facts about one site's cluster; none of them a security control."""

    registry: str  # e.g. registry.example.org/kimed (no trailing slash)
    singleuser_tag: str  # the content hash ``kimed image build`` tags with
    gpu_tag: str
    hub_tag: str
    public_url: str  # https://workbench.example.org
    oidc_issuer: str
    oidc_client_id: str = "kimed-workbench"
    namespace: str = "kimed"
    home_storage_class: str = ""  # must offer ReadWriteMany (NFS, CephFS, ...)
    homes_capacity: str = "1Ti"  # all homes together: one shared claim
    dataset_storage_class: str = "kimed-datasets"
    views_storage_class: str = ""  # ReadWriteMany: consent views, linked and synthetic data
    views_capacity: str = "1Ti"

    def image(self, name: str, tag: str) -> dict[str, str]:
        return {"name": f"{self.registry}/{name}", "tag": tag}


def image_ref(site: Site, plan: ServerPlan) -> str:
    """The site-registry reference of the plan's image (same repository name, same tag)."""
    name = plan.image_repository.rsplit("/", 1)[-1]
    tag = site.gpu_tag if plan.image_variant == "gpu" else site.singleuser_tag
    return f"{site.registry}/{name}:{tag}"


def profile_list(site: Site, policies: Path | None = None) -> list[dict[str, Any]]:
    """``singleuser.profileList``: one entry per policy profile (the spawner offers each
    user only those their groups allow and re-applies the plan at start)."""
    profiles = resource_profiles(policies)
    entries = []
    for name, profile in profiles.profiles.items():
        plan = plan_for_profile(profile, (), policies)
        override = {"image": image_ref(site, plan), **pod.resource_traits(plan)}
        entries.append(
            {
                "slug": name,
                "display_name": profile.display_name,
                "description": profile.description,
                "default": name == profiles.default,
                "kubespawner_override": override,
            }
        )
    return entries


def chart_values(site: Site, policies: Path | None = None) -> dict[str, Any]:
    """The whole values document for the Zero to JupyterHub chart."""
    return {
        "hub": hub_values(site, policies),
        "proxy": {"service": {"type": "ClusterIP"}, "https": {"enabled": False}},
        "singleuser": singleuser_values(site, policies),
        "scheduling": {
            "userScheduler": {"enabled": False},
            "userPlaceholder": {"enabled": False},
            "podPriority": {"enabled": False},
        },
        "prePuller": {"hook": {"enabled": False}, "continuous": {"enabled": False}},
        "cull": cull_values(policies),
        "ingress": {"enabled": False},
        "debug": {"enabled": False},
    }


def cull_values(policies: Path | None) -> dict[str, Any]:
    """The chart's culler (a hub service) with the timeouts of ``sessions.yaml``."""
    sessions = sessions_policy(policies)
    return {
        "enabled": True,
        "timeout": sessions.idle_timeout,
        "every": sessions.cull_every,
        "maxAge": sessions.max_age,
    }


def singleuser_values(site: Site, policies: Path | None) -> dict[str, Any]:
    """User pods: default profile's plan, the profile list, storage, the NetworkPolicy."""
    profiles = resource_profiles(policies)
    plan = plan_for_profile(profiles.profiles[profiles.default], (), policies)
    name, tag = image_ref(site, plan).rsplit(":", 1)
    limits = pod.resource_traits(plan)
    return {
        "image": {"name": name, "tag": tag, "pullPolicy": "IfNotPresent"},
        "uid": plan.uid,
        "fsGid": plan.gid,
        "allowPrivilegeEscalation": not plan.no_new_privileges,
        "cpu": {"limit": limits["cpu_limit"], "guarantee": limits["cpu_guarantee"]},
        "memory": {"limit": limits["mem_limit"], "guarantee": limits["mem_guarantee"]},
        "extraPodConfig": {
            "securityContext": pod.pod_security_context(plan),
            "automountServiceAccountToken": False,
        },
        "profileList": profile_list(site, policies),
        "cloudMetadata": {"blockWithIptables": False, "ip": "169.254.169.254"},
        "networkPolicy": {
            "enabled": True,
            "ingress": [],
            "egress": [],
            "egressAllowRules": dict.fromkeys(EGRESS_RULES, False),
            "interNamespaceAccessLabels": "ignore",
            "allowedIngressPorts": [],
        },
        # One shared claim, each user's folder mounted by subPath (the spawner builds the
        # mount; this keeps the chart's own storage logic in step): the hub pod can then
        # read a home for the airlock without mounting each user's volume.
        "storage": {
            "type": "static",
            "homeMountPath": plan.home_mount,
            "static": {"pvcName": pod.HOMES_CLAIM, "subPath": "{username}"},
        },
        "startTimeout": 300,
    }


#: The chart's egress exceptions; all off: user pods reach the hub and the proxy only.
EGRESS_RULES = (
    "cloudMetadataServer",
    "dnsPortsCloudMetadataServer",
    "dnsPortsKubeSystemNamespace",
    "dnsPortsPrivateIPs",
    "nonPrivateIPs",
    "privateIPs",
)


def hub_values(site: Site, policies: Path | None) -> dict[str, Any]:
    """The hub: our spawner and authenticator, roles and scopes, the services."""
    roles = roles_policy(policies)
    load_roles = {
        role["name"]: {k: v for k, v in role.items() if k != "name"} for role in roles.hub_roles()
    }
    load_roles["kimed-portal"] = {"scopes": list(SERVICE_SCOPES), "services": ["portal"]}
    return {
        "image": site.image("kimed-hub", site.hub_tag),
        "config": hub_config(site, policies),
        "loadRoles": load_roles,
        "services": services(site, policies),
        "service": {
            "type": "ClusterIP",
            "extraPorts": [
                {"name": name, "port": port, "targetPort": port}
                for name, port in SERVICE_PORTS.items()
            ],
        },
        "networkPolicy": {
            "enabled": True,
            # the proxy routes /services/<name>/ to the managed services in the hub pod
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"component": "proxy"}}}],
                    "ports": [{"port": port} for port in SERVICE_PORTS.values()],
                }
            ],
        },
        **hub_volumes(site),
        "extraEnv": {
            "KIMED_PORTAL_DB_URL": _secret(PORTAL_DB_SECRET, "url"),
            "OAUTH_CLIENT_SECRET": _secret(OIDC_SECRET, "client-secret"),
            "KIMED_DATA_DIR": data.HUB_DATA_ROOT,
        },
        "extraConfig": {
            "kimed": EXTRA_CONFIG.format(
                issuer=site.oidc_issuer.rstrip("/"),
                portal_port=SERVICE_PORTS["portal"],
                export=data.EXPORT_MOUNT,
            )
        },
    }


def hub_volumes(site: Site) -> dict[str, list[dict[str, Any]]]:
    """The hub pod's storage beside its own: every home read-only (the airlock), the
    datasets export read-only, and the views claim read-write as the data root
    (``data.py``)."""
    claim = {
        "homes": (pod.HOMES_CLAIM, True, HOMES_MOUNT),
        "views": (data.VIEWS_CLAIM, False, data.HUB_DATA_ROOT),
        "datasets": (data.DATASETS_CLAIM, True, data.EXPORT_MOUNT),
    }
    volumes = [
        {"name": name, "persistentVolumeClaim": {"claimName": c, "readOnly": ro}}
        for name, (c, ro, _) in claim.items()
    ]
    mounts = [
        {"name": name, "mountPath": path, "readOnly": ro} for name, (_, ro, path) in claim.items()
    ]
    # the portal's own API token (its Job runner), never the hub account's
    volumes.append({"name": "portal-token", "secret": {"secretName": PORTAL_TOKEN_SECRET}})
    mounts.append({"name": "portal-token", "mountPath": PORTAL_TOKEN_MOUNT, "readOnly": True})
    return {"extraVolumes": volumes, "extraVolumeMounts": mounts}


# Runs in the hub at start-up: the provider's endpoints (one request, as on one machine)
# and the portal database for grants, from the environment (a secret), never the values.
EXTRA_CONFIG = """\
import os
from kimed_hub.identity import discover
endpoints = discover("{issuer}")
auth = c.KimedOIDCAuthenticator
auth.authorize_url = endpoints["authorization_endpoint"]
auth.token_url = endpoints["token_endpoint"]
auth.userdata_url = endpoints["userinfo_endpoint"]
c.WorkbenchKubeSpawner.portal_db_url = os.environ["KIMED_PORTAL_DB_URL"]
for service in c.JupyterHub.services:
    if service.get("command"):  # the managed services listen on the pod's address
        service.setdefault("environment", {{}})["KIMED_SERVICE_BIND_HOST"] = "0.0.0.0"
    if service["name"] == "portal":
        service["environment"]["KIMED_PORTAL_DB_URL"] = os.environ["KIMED_PORTAL_DB_URL"]
        # as on one machine (portal_service.wiring): the data root the trust centre and
        # synthetic versions write to, the state folder (trust centre, feasibility key)
        service["environment"]["KIMED_DATA_DIR"] = os.environ["KIMED_DATA_DIR"]
        service["environment"]["KIMED_STATE_DIR"] = os.environ["KIMED_STATE_DIR"]
# the export's datasets linked into the data root (again before each spawn)
from kimed_hub.k8s.data import link_sources
link_sources(os.environ["KIMED_DATA_DIR"], "{export}")
# consent-filtered mounts are audited by the portal first, asked over the pod's loopback
from kimed_hub.config import configure_consent_audit
configure_consent_audit(
    c, [{{"name": "portal", "url": "http://127.0.0.1:{portal_port}"}}], "WorkbenchKubeSpawner"
)
"""


def _secret(name: str, key: str) -> dict[str, Any]:
    return {"valueFrom": {"secretKeyRef": {"name": name, "key": key}}}


def hub_config(site: Site, policies: Path | None) -> dict[str, Any]:
    """``hub.config``: traitlets configuration the chart passes through."""
    roles, sessions = roles_policy(policies), sessions_policy(policies)
    image_variants = variant_images(site, policies)
    return {
        "JupyterHub": {
            "spawner_class": SPAWNER_CLASS,
            "authenticator_class": AUTHENTICATOR_CLASS,
            "custom_scopes": roles.hub_custom_scopes(),
        },
        "Authenticator": {
            "auth_refresh_age": sessions.refresh_age,
            "refresh_pre_spawn": True,
            "enable_auth_state": True,
        },
        "KimedOIDCAuthenticator": {
            "client_id": site.oidc_client_id,
            "oauth_callback_url": f"{site.public_url.rstrip('/')}/hub/oauth_callback",
            "scope": ["openid", "profile", "email"],
            "username_claim": "preferred_username",
            "manage_groups": True,
            "auth_state_groups_key": "oauth_user.groups",
            "allowed_groups": sorted(roles.allowed_groups),
            "admin_groups": sorted(roles.admin_groups),
        },
        "WorkbenchKubeSpawner": {
            "image_variants": image_variants,
            "policies_dir": f"{IMAGE_ROOT}/policies",
            "dataset_root": data.HUB_DATA_ROOT,
            "export_root": data.EXPORT_MOUNT,
        },
    }


def variant_images(site: Site, policies: Path | None) -> dict[str, str]:
    """The site-registry image of each variant the profiles use."""
    return {
        profile.image_variant: image_ref(site, plan_for_profile(profile, (), policies))
        for profile in resource_profiles(policies).profiles.values()
    }


def job_runner_args(site: Site, policies: Path | None) -> list[str]:
    """The portal's options for its re-runs and synthesis jobs as Kubernetes Jobs."""
    images = variant_images(site, policies)
    args = ["--runtime-kind", "kubernetes", "--rerun-image", images["cpu"]]
    args += ["--rerun-gpu-image", images["gpu"]] if "gpu" in images else []
    return args + [
        "--dataset-root",
        data.HUB_DATA_ROOT,
        "--k8s-namespace",
        site.namespace,
        "--k8s-credentials",
        PORTAL_TOKEN_MOUNT,
    ]


def services(site: Site, policies_dir: Path | None = None) -> dict[str, Any]:
    """The portal and the package index, managed by the hub in its pod (as on one
    machine), reachable through the proxy at /services/<name>/; the portal starts its
    re-runs and synthesis jobs as Jobs (``k8s.job_runners``)."""
    python, policies = "python3", f"{IMAGE_ROOT}/policies"
    portal, index = SERVICE_PORTS["portal"], SERVICE_PORTS["package-index"]
    return {
        "portal": {
            "url": f"http://hub:{portal}",
            "display": True,
            "info": {"description": "Datasets, algorithms and access requests"},
            "oauth_no_confirm": True,
            "oauth_client_allowed_scopes": list(PORTAL_SCOPES),
            "command": [
                python,
                "-m",
                "kimed_hub.portal_service",
                "--policies-dir",
                policies,
                # the airlock: its files on the hub's volume, homes read from the shared
                # claim, re-runs and synthesis jobs as Jobs (docs/kubernetes.md)
                "--airlock-dir",
                f"{HUB_DATA}/airlock",
                "--homes-dir",
                HOMES_MOUNT,
                *job_runner_args(site, policies_dir),
            ],
        },
        "package-index": {
            "url": f"http://hub:{index}",
            "display": False,
            "command": [
                python,
                "-m",
                "kimed_hub.package_index",
                "--wheelhouse",
                f"{IMAGE_ROOT}/wheelhouse",
                "--policies-dir",
                policies,
            ],
        },
    }
