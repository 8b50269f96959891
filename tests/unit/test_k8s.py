"""The Kubernetes configuration, proven without a cluster.

Real components: the unchanged Zero to JupyterHub chart (../shared/standards/z2jh-chart)
rendered by Helm itself (helm-python-sdk, client-side dry run), its own values schema,
kubernetes-validate's strict schemas for Kubernetes 1.33, and KubeSpawner's own
``get_pod_manifest`` (a kubeconfig pointing at a loopback port that is never contacted).
Not proven here: that a cluster admits and runs the pods (Pod Security Admission, the
ValidatingAdmissionPolicy's CEL, NetworkPolicy enforcement by a CNI, the NVIDIA device
plugin); the grants' database read is replaced by a fixed list of granted mounts in the
pod tests (tests/unit/test_k8s_data.py builds a pod from a real grant and consent view).
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from tornado import web

from kimed_hub.k8s import pod
from kimed_hub.k8s.render import extra_manifests, render
from kimed_hub.k8s.values import chart_values
from kimed_hub.paths import project_root
from tests.k8s_chart import (
    CHART,
    K8S_VERSION,
    MOUNTS,
    SITE,
    admitted_pod,
    built_pod,
    coalesce,
    failing_rules,
    helm_render,
)

NFS = ("nfs.example.org", "/datasets")
#: Datasets with ACTIVE grants: a source, the consent-governed MII demo, a synthetic one.
IN_FORCE = ["chest-xray", "mii-demo", "synthea-sample"]


@pytest.fixture(scope="module")
def values() -> dict:
    return json.loads(json.dumps(chart_values(SITE)))


@pytest.fixture(scope="module")
def chart_docs(values) -> list[dict]:
    if not CHART.is_dir():
        pytest.fail(f"the Zero to JupyterHub chart is not at {CHART} (shared/standards)")
    return helm_render(values)


@pytest.fixture(scope="module")
def ours() -> list[dict]:
    return extra_manifests(SITE, IN_FORCE, NFS, "reg/postgres:16", synthetic=["synthea-sample"])


def pod_specs(docs: list[dict]):
    for doc in docs:
        spec = doc.get("spec", {})
        template = spec.get("template", {}).get("spec")
        if template:
            yield doc["metadata"]["name"], template


def test_values_pass_the_charts_own_schema(values):
    schema = json.loads((CHART / "values.schema.json").read_text())
    merged = coalesce(yaml.safe_load((CHART / "values.yaml").read_text()), values)
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(merged)]
    assert errors == []


def test_every_manifest_validates_strictly(chart_docs, ours):
    kinds = {d["kind"] for d in chart_docs}
    assert {"Deployment", "NetworkPolicy", "ConfigMap"} <= kinds
    for doc in chart_docs + ours:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_user_pods_reach_only_hub_and_proxy(chart_docs, values):
    (policy,) = [
        d
        for d in chart_docs
        if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "singleuser"
    ]
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    peers = set()
    for rule in policy["spec"]["egress"]:
        for to in rule["to"]:
            assert set(to) == {"podSelector"}, f"egress beyond pods of the release: {rule}"
            peers.add(to["podSelector"]["matchLabels"]["component"])
    assert peers <= {"hub", "proxy", "autohttps"}
    assert values["singleuser"]["cloudMetadata"]["blockWithIptables"] is False


def test_no_privileged_container_anywhere(chart_docs, ours):
    found = list(pod_specs(chart_docs + ours))
    assert {"hub", "proxy", "kimed-portal-db"} <= {name for name, _ in found}
    for name, spec in found:
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            context = {**spec.get("securityContext", {}), **container.get("securityContext", {})}
            assert not context.get("privileged"), name
            assert context.get("allowPrivilegeEscalation") is False, name
            assert context.get("runAsNonRoot") is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert not context["capabilities"].get("add"), name
        assert not any("hostPath" in v for v in spec.get("volumes", [])), name


def test_namespace_is_restricted(ours):
    labels = ours[0]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_dataset_volumes_are_read_only(ours):
    """The export (the hub's) and one claim for the source dataset in force: none for the
    consent-governed one (a view) or the synthetic version (the views claim)."""
    volumes = [d for d in ours if d["kind"] == "PersistentVolume"]
    assert [v["spec"]["claimRef"]["name"] for v in volumes] == [
        "kimed-datasets",
        "kimed-dataset-chest-xray",
    ]
    for volume in volumes:
        assert volume["spec"]["accessModes"] == ["ReadOnlyMany"]
        assert volume["spec"]["nfs"]["readOnly"] is True


# -- the pod KubeSpawner itself builds ---------------------------------------------------


@pytest.mark.parametrize("profile", ["cpu-standard", "cpu-large", "gpu"])
@pytest.mark.parametrize("mounts", [[], MOUNTS], ids=["no-grants", "four-mounts"])
def test_kubespawner_pod_has_the_controls(profile, mounts, monkeypatch, tmp_path, values):
    from kimed_hub.policies import resource_profiles, security_profile

    manifest = built_pod("researchers", {"profile": profile}, mounts, monkeypatch, tmp_path, values)
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)
    security, limits = security_profile(), resource_profiles().profiles[profile]
    (container,) = manifest["spec"]["containers"]
    context = container["securityContext"]
    assert context["runAsUser"] == security.uid and context["runAsNonRoot"] is True
    assert context["readOnlyRootFilesystem"] is security.read_only_root
    assert context["allowPrivilegeEscalation"] is False and context["privileged"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"]["localhostProfile"].startswith("kimed/seccomp-")
    assert manifest["spec"]["automountServiceAccountToken"] is False
    assert not manifest["spec"].get("initContainers")
    resources = container["resources"]
    assert str(resources["limits"]["memory"]) == str(limits.memory)
    assert float(resources["limits"]["cpu"]) == limits.cpus
    assert resources["limits"].get("nvidia.com/gpu") == (str(limits.gpus) if limits.gpus else None)
    mounts_, mounts = mounts, {m["mountPath"]: m for m in container["volumeMounts"]}
    claims = {v["name"]: v.get("persistentVolumeClaim") for v in manifest["spec"]["volumes"]}
    for granted in mounts_:
        mount = mounts[granted.container_path]
        assert mount["readOnly"] is True and claims[mount["name"]]["readOnly"] is True
    assert {p for p in mounts if p.startswith("/data/")} == {m.container_path for m in mounts_}
    home = mounts[security.home_mount]
    assert home["name"] == "home" and home["subPath"] == "alice"
    assert claims["home"] == {"claimName": "kimed-homes"}
    assert container["image"].endswith(SITE.gpu_tag if limits.gpus else SITE.singleuser_tag)


def test_a_username_that_could_leave_its_home_folder_is_refused():
    from kimed_hub.server_plan import server_plan

    plan = server_plan({"profile": "cpu-standard"}, ["researchers"], [])
    for name in ("../bob", "a/b", "", "Alice", "-x"):
        with pytest.raises(ValueError, match="cannot name a home folder"):
            pod.home_volume(plan, name)


def test_homes_are_one_shared_claim_the_hub_reads_for_the_airlock(values, chart_docs, ours):
    """User pods mount their own folder of kimed-homes (the chart's static storage, the
    spawner's subPath); the hub pod mounts the claim read-only and the portal's airlock
    reads homes there; the claim itself is in our manifests, ReadWriteMany."""
    storage = values["singleuser"]["storage"]
    assert storage["type"] == "static"
    assert storage["static"] == {"pvcName": "kimed-homes", "subPath": "{username}"}
    (hub,) = [d for d in chart_docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "hub"]
    spec = hub["spec"]["template"]["spec"]
    (homes,) = [v for v in spec["volumes"] if v["name"] == "homes"]
    assert homes["persistentVolumeClaim"] == {"claimName": "kimed-homes", "readOnly": True}
    (container,) = [c for c in spec["containers"] if c["name"] == "hub"]
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == "homes"]
    assert mount["readOnly"] is True
    portal = values["hub"]["services"]["portal"]["command"]
    assert portal[portal.index("--homes-dir") + 1] == mount["mountPath"]
    assert portal[portal.index("--airlock-dir") + 1].startswith("/srv/jupyterhub/")
    (claim,) = [d for d in ours if d["metadata"]["name"] == "kimed-homes"]
    assert claim["kind"] == "PersistentVolumeClaim"
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]


def test_the_admission_policy_ties_the_home_mount_to_the_pods_user(ours):
    (policy,) = [
        d
        for d in ours
        if d["kind"] == "ValidatingAdmissionPolicy" and d["metadata"]["name"] == "kimed-user-pods"
    ]
    (rule,) = [v for v in policy["spec"]["validations"] if "kimed-homes" in v["expression"]]
    assert "m.subPath == object.metadata.labels['hub.jupyter.org/username']" in rule["expression"]


def test_a_profile_the_groups_do_not_allow_is_refused(monkeypatch, tmp_path, values):
    with pytest.raises(web.HTTPError) as refused:
        built_pod("trainees", {"profile": "gpu"}, {}, monkeypatch, tmp_path, values)
    assert refused.value.status_code == 403


def test_other_spawn_options_are_refused(monkeypatch, tmp_path, values):
    args = (
        "researchers",
        {"profile": "cpu-standard", "image": "evil"},
        {},
        monkeypatch,
        tmp_path,
        values,
    )
    with pytest.raises(web.HTTPError) as refused:
        built_pod(*args)
    assert refused.value.status_code == 400


# -- a policy change changes the output ---------------------------------------------------


@pytest.fixture
def policies(tmp_path) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(project_root() / "policies", folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}: adjust the test to the policy file"
    path.write_text(text.replace(old, new, 1))


def rendered(folder: Path, tmp_path: Path) -> tuple[dict, list[dict]]:
    out = render(tmp_path / "out", SITE, ["mii-demo"], NFS, "reg/postgres:16", folder)
    docs = list(yaml.safe_load_all((out / "manifests.yaml").read_text()))
    return yaml.safe_load((out / "values.yaml").read_text()), docs


POLICY_EDITS = [
    (
        "container-security.yaml",
        "uid: 1000",
        "uid: 1001",
        lambda v, d: (v["singleuser"]["uid"], d[-2]["spec"]["validations"][0]["expression"]),
    ),
    (
        "profiles.yaml",
        "memory: 12G\n    memory_swap: 12G",
        "memory: 16G\n    memory_swap: 16G",
        lambda v, d: v["singleuser"]["profileList"][1]["kubespawner_override"]["mem_limit"],
    ),
    (
        "roles.yaml",
        '"custom:kimed:read:audit-log", "custom:kimed:read:catalogue",',
        '"custom:kimed:read:catalogue",',
        lambda v, d: v["hub"]["loadRoles"]["kimed-auditor"]["scopes"],
    ),
    ("sessions.yaml", "timeout: 3600", "timeout: 1800", lambda v, d: v["cull"]["timeout"]),
    (
        "seccomp.json",
        '"chmod",\n',
        "",
        lambda v, d: v["singleuser"]["extraPodConfig"]["securityContext"]["seccompProfile"],
    ),
]


@pytest.mark.parametrize("name,old,new,pick", POLICY_EDITS, ids=[e[0] for e in POLICY_EDITS])
def test_a_policy_change_changes_the_output(name, old, new, pick, policies, tmp_path):
    before = pick(*rendered(policies, tmp_path))
    edit(policies, name, old, new)
    after = pick(*rendered(policies, tmp_path))
    assert before != after


def test_the_plan_and_the_one_machine_expectation_agree(tmp_path):
    """WorkbenchSpawner is verified against container_expectations.expected_container;
    the Kubernetes spawner builds from server_plan: both must say the same."""
    from kimed_hub.container_expectations import SpawnFacts, expected_container
    from kimed_hub.policies import resource_profiles, seccomp_profile, security_profile
    from kimed_hub.server_plan import server_plan

    for profile in resource_profiles().profiles:
        plan = server_plan({"profile": profile}, ["researchers"], ["mii-demo"])
        facts = SpawnFacts(
            "podman", "kimed-home-alice", data_mounts=(("/srv/data/mii-demo", "/data/mii-demo"),)
        )
        expected = expected_container(security_profile(), plan.profile, seccomp_profile(), facts)
        assert expected.limits == plan.profile and expected.image_variant == plan.image_variant
        assert expected.user == f"{plan.uid}:{plan.gid}"
        assert expected.read_only_root == plan.read_only_root
        assert expected.privileged == plan.privileged
        assert expected.no_new_privileges == plan.no_new_privileges
        assert expected.capabilities_added == frozenset(plan.add_capabilities)
        assert tuple(expected.security.drop_capabilities) == plan.drop_capabilities
        assert expected.seccomp == plan.seccomp
        assert expected.tmpfs == plan.tmpfs and expected.shm_size == plan.shm_size
        assert expected.sysctls == plan.sysctls and expected.home_mount == plan.home_mount
        assert set(expected.data_mounts) == {path for _, path in plan.data_mounts}
        assert expected.server_port == plan.server_port
        assert tuple(expected.security.allowed_peers) == plan.allowed_peers
        context = pod.container_security_context(plan)
        assert context["allowPrivilegeEscalation"] is (not expected.no_new_privileges)
        assert context["readOnlyRootFilesystem"] is expected.read_only_root


def test_render_refuses_a_folder_that_is_not_a_render(tmp_path):
    from kimed_hub.k8s.render import RenderError

    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(RenderError, match="not an earlier render"):
        render(tmp_path, SITE, [], NFS, "reg/postgres:16")
    assert (tmp_path / "notes.txt").read_text() == "keep me"


# -- the admission policy's CEL, evaluated on KubeSpawner's own pods ----------------------

cel = pytest.importorskip("cel")  # common-expression-language: CEL's Rust implementation

#: One tampering per control: (what is done to the pod, a word of the rule that must fail).
TAMPERINGS = {
    "root user": (
        lambda p: p["spec"]["containers"][0]["securityContext"].update(runAsUser=0),
        "uid",
    ),
    "writable root": (
        lambda p: p["spec"]["containers"][0]["securityContext"].update(
            readOnlyRootFilesystem=False
        ),
        "read-only",
    ),
    "privileged": (
        lambda p: p["spec"]["containers"][0]["securityContext"].update(privileged=True),
        "privileged",
    ),
    "escalation": (
        lambda p: p["spec"]["containers"][0]["securityContext"].update(
            allowPrivilegeEscalation=True
        ),
        "escalation",
    ),
    "added capability": (
        lambda p: p["spec"]["containers"][0]["securityContext"]["capabilities"].update(
            add=["SYS_ADMIN"]
        ),
        "added",
    ),
    "no seccomp": (
        lambda p: p["spec"]["containers"][0]["securityContext"].update(
            seccompProfile={"type": "Unconfined"}
        ),
        "seccomp",
    ),
    "no limits": (lambda p: p["spec"]["containers"][0]["resources"].pop("limits"), "limits"),
    "init container": (
        lambda p: p["spec"].update(initContainers=[p["spec"]["containers"][0]]),
        "init containers",
    ),
    "host path": (
        lambda p: p["spec"]["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
        "hostPath",
    ),
    "writable dataset": (
        lambda p: [
            v["persistentVolumeClaim"].update(readOnly=False)
            for v in p["spec"]["volumes"]
            if v.get("persistentVolumeClaim", {}).get("claimName", "").startswith("kimed-dataset")
        ],
        "dataset volumes",
    ),
    "writable /data": (
        lambda p: [
            m.update(readOnly=False)
            for m in p["spec"]["containers"][0]["volumeMounts"]
            if m["mountPath"].startswith("/data/")
        ],
        "/data",
    ),
    "another user's home": (
        lambda p: [
            m.update(subPath="bob")
            for m in p["spec"]["containers"][0]["volumeMounts"]
            if m["name"] == "home"
        ],
        "home mount",
    ),
    "whole homes claim": (
        lambda p: [
            m.pop("subPath")
            for m in p["spec"]["containers"][0]["volumeMounts"]
            if m["name"] == "home"
        ],
        "home mount",
    ),
    "host network": (lambda p: p["spec"].update(hostNetwork=True), "host network"),
    "API token": (lambda p: p["spec"].update(automountServiceAccountToken=True), "token"),
}


@pytest.fixture(scope="module")
def admitted(values) -> dict:
    """KubeSpawner's pod for a researcher with four data mounts (built once)."""
    return admitted_pod(values)


def test_kubespawners_pod_passes_every_admission_rule(admitted, ours):
    assert failing_rules(admitted, ours) == []


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
def test_a_tampered_pod_breaks_the_rule_for_that_control(tampering, admitted, ours):
    change, word = TAMPERINGS[tampering]
    manifest = copy.deepcopy(admitted)
    change(manifest)
    failing = failing_rules(manifest, ours)
    assert any(word in message for message in failing), (tampering, failing)
