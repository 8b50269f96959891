"""The Zero to JupyterHub chart as the tests render it: where the unchanged chart is, a
fixed example site, and Helm itself (helm-python-sdk, client-side dry run) rendering it.
Shared by the unit tests of the values (tests/unit/test_k8s*.py) and the hub image's
integration test (tests/integration/test_hub_image.py), with KubeSpawner's own pod for a
researcher (:func:`built_pod`) and the admission policy's CEL on it (:func:`failing_rules`).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from kimed_hub.data_grants import DataMount
from kimed_hub.k8s.data import HUB_DATA_ROOT
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


ROOT = Path(HUB_DATA_ROOT)
#: What ``data_grants.granted_mounts`` gives a researcher with a grant on a source
#: dataset and on the MII demo (its consent view), a linked project and the open
#: synthetic versions: host paths in the hub pod's data root, laid out as on one machine.
MOUNTS = [
    DataMount("chest-xray", ROOT / "chest-xray", "/data/chest-xray", "grant AR-000001"),
    DataMount(
        "mii-demo",
        ROOT / ".consent-views/mii-demo/2025-01-01_2026-12-07_0123456789ab",
        "/data/mii-demo",
        "grant AR-000001",
    ),
    DataMount("cohort-a", ROOT / ".linked/AR-000002/cohort-a", "/data/cohort-a", "grant AR-000002"),
    DataMount("synthea-sample", ROOT / "synthea-sample", "/data/synthea-sample", "synthetic"),
]


def make_spawner(
    group: str, options: dict, mounts, monkeypatch, tmp_path, values, username="alice"
):
    """A WorkbenchKubeSpawner configured from the rendered values for ``username`` in
    ``group``, whose granted mounts are ``mounts`` (None: read for real, from its
    ``portal_db_url`` and ``dataset_root``, as tests/unit/test_k8s_data.py does)."""
    from kimed_hub.k8s.spawner import WorkbenchKubeSpawner

    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(KUBECONFIG)
    # read once at import by kubernetes_asyncio: the module's default, not $KUBECONFIG
    import kubernetes_asyncio.config.kube_config as kube_config

    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(kubeconfig))
    from jupyterhub.objects import Hub

    user = SimpleNamespace(
        name=username,
        escaped_name=username,
        id=1,
        url=f"/user/{username}/",
        groups=[SimpleNamespace(name=group)],
        server=None,
        settings={},
        orm_user=None,
    )
    config = values["hub"]["config"]["WorkbenchKubeSpawner"]
    spawner = WorkbenchKubeSpawner(
        user=user,
        hub=Hub(),
        namespace=SITE.namespace,
        image_variants=config["image_variants"],
        dataset_root=config["dataset_root"],
        export_root=config["export_root"],
        profile_list=values["singleuser"]["profileList"],
    )

    # the hub pod's data root and the export (holding the one source dataset of MOUNTS)
    root, export = tmp_path / "data", tmp_path / "export"
    spawner.dataset_root, spawner.export_root = str(root), str(export)

    async def granted():
        return [replace(m, host_path=root / m.host_path.relative_to(ROOT)) for m in mounts]

    if mounts is not None:
        root.mkdir(exist_ok=True)
        (export / "chest-xray").mkdir(parents=True, exist_ok=True)
        monkeypatch.setattr(spawner, "granted_mounts", granted)
    spawner.user_options = options
    return spawner


def built_pod(*args) -> dict:
    """make_spawner(*args) inside an event loop (KubeSpawner's client needs one), then
    the pod manifest KubeSpawner builds after the options are loaded."""

    async def build():
        spawner = make_spawner(*args)
        await spawner.load_user_options()
        manifest = await spawner.get_pod_manifest()
        return spawner.api.api_client.sanitize_for_serialization(manifest)

    return asyncio.run(build())


def admitted_pod(values: dict, mounts: list = tuple(MOUNTS)) -> dict:
    """KubeSpawner's pod for a researcher with ``mounts``, labelled as its real start
    labels it (get_pod_manifest leaves the username label to the caller)."""
    import tempfile

    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as tmp:
        manifest = built_pod(
            "researchers", {"profile": "cpu-standard"}, mounts, patch, Path(tmp), values
        )
    manifest["metadata"].setdefault("labels", {}).setdefault("hub.jupyter.org/username", "alice")
    return manifest


def failing_rules(manifest: dict, ours: list[dict]) -> list[str]:
    """The messages of the admission policy's rules that ``manifest`` breaks (CEL
    evaluated by ``common-expression-language``)."""
    cel = pytest.importorskip("cel")
    (policy,) = [
        d
        for d in ours
        if d["kind"] == "ValidatingAdmissionPolicy" and d["metadata"]["name"] == "kimed-user-pods"
    ]
    return [
        rule["message"]
        for rule in policy["spec"]["validations"]
        if cel.evaluate(rule["expression"], {"object": manifest}) is not True
    ]
