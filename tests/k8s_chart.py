"""The Zero to JupyterHub chart as the tests render it: where the unchanged chart is, a
fixed example site, and Helm itself (helm-python-sdk, client-side dry run) rendering it.
Shared by the unit tests of the values (tests/unit/test_k8s.py) and the hub image's
integration test (tests/integration/test_hub_image.py)."""

from __future__ import annotations

import pytest
import yaml

from kimed_hub.k8s.values import Site
from kimed_hub.paths import project_root

helm_python = pytest.importorskip("helm_python")  # the `k8s` extra

# ../shared beside the checkout (CI, /work/main); a worktree under /work/wt/ has it two up.
CHART = next(
    (
        root / "shared" / "standards" / "z2jh-chart" / "jupyterhub"
        for root in (project_root().parent, project_root().parent.parent)
        if (root / "shared" / "standards" / "z2jh-chart").is_dir()
    ),
    project_root().parent / "shared" / "standards" / "z2jh-chart" / "jupyterhub",
)
K8S_VERSION = "1.33.0"
SITE = Site(
    registry="registry.example.org/kimed",
    singleuser_tag="a" * 16,
    gpu_tag="b" * 16,
    hub_tag="c" * 16,
    public_url="https://workbench.example.org",
    oidc_issuer="https://id.example.org/realms/kimed",
)
KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: none, user: {token: never-used}}]
contexts: [{name: none, context: {cluster: none, user: none, namespace: kimed}}]
current-context: none
"""


def coalesce(base, override):
    """Helm's merge of user values into the chart's (maps merged, the rest replaced)."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {
            k: coalesce(base.get(k), override[k]) if k in base else override[k] for k in override
        } | {k: v for k, v in base.items() if k not in override}
    return override


def helm_render(values: dict) -> list[dict]:
    """Every manifest Helm renders from the chart with ``values``."""
    config = helm_python.Config(kubeconfig_content=KUBECONFIG, storage_driver="memory")
    release = config.install(
        str(CHART), "kimed", values=values, dry_run="client", namespace=SITE.namespace
    )
    return [doc for doc in yaml.safe_load_all(release["manifest"]) if doc]
