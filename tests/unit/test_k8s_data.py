"""Data services on Kubernetes: consent views, linked project tables, synthetic versions.

What a user's pod mounts is decided by ``data_grants.granted_mounts`` (the one-machine
decision) and translated by ``kimed_hub.k8s.data`` into claims and subPaths. Real
components: a generated MII export imported for real, a real SQLite portal database with
a grant made through the access workflow, the real consent view and its audit entry,
KubeSpawner's own ``get_pod_manifest``, the unchanged chart rendered by Helm, strict
Kubernetes 1.33 schemas and the admission policy's CEL (``common-expression-language``).
Not proven here: a cluster admitting and running the pods, NFS and the RWX claim, and the
HTTP call of the consent audit between hub and portal (the portal's half,
``consent_audit.record``, is called directly; the call itself runs on a real hub in
tests/integration/test_mii_consent.py).
"""

from __future__ import annotations

import asyncio
import copy
import csv
import json
import os
import re
import shutil
import time
from dataclasses import replace
from datetime import date

import kubernetes_validate
import pytest
import yaml

from kimed_hub.data_grants import DataMount
from kimed_hub.k8s import data
from kimed_hub.k8s.render import extra_manifests, render
from kimed_hub.k8s.values import chart_values
from kimed_hub.paths import project_root
from tests.interop.conftest import export, imported  # noqa: F401 (fixtures)
from tests.k8s_chart import (
    K8S_VERSION,
    MOUNTS,
    ROOT,
    SITE,
    admitted_pod,
    built_pod,
    failing_rules,
    helm_render,
    make_spawner,
)

NFS = ("nfs.example.org", "/datasets")


@pytest.fixture(scope="module")
def values() -> dict:
    return json.loads(json.dumps(chart_values(SITE)))


@pytest.fixture(scope="module")
def ours() -> list[dict]:
    return extra_manifests(SITE, ["chest-xray", "mii-demo"], NFS, "reg/postgres:16")


@pytest.fixture(scope="module")
def admitted(values) -> dict:
    return admitted_pod(values)


def _container(manifest: dict) -> dict:
    (container,) = manifest["spec"]["containers"]
    return container


def test_each_mount_is_its_own_claim_or_one_folder_of_the_views_claim(admitted):
    kubernetes_validate.validate(admitted, K8S_VERSION, strict=True)
    claims = {
        v["name"]: v["persistentVolumeClaim"]
        for v in admitted["spec"]["volumes"]
        if "persistentVolumeClaim" in v
    }
    found = {
        m["mountPath"]: (claims[m["name"]]["claimName"], m.get("subPath", ""), m["readOnly"])
        for m in _container(admitted)["volumeMounts"]
        if m["mountPath"].startswith("/data/")
    }
    assert found == {
        "/data/chest-xray": ("kimed-dataset-chest-xray", "", True),
        "/data/mii-demo": ("kimed-views", ".users/alice/mii-demo", True),
        "/data/cohort-a": ("kimed-views", ".users/alice/cohort-a", True),
        "/data/synthea-sample": ("kimed-views", ".users/alice/synthea-sample", True),
    }
    assert all(claim["readOnly"] is True for name, claim in claims.items() if name != "home")


def test_the_users_links_lead_to_the_decided_folders_inside_the_claim(tmp_path):
    """What the kubelet does with a subPath: resolve its links, require the result
    inside the volume. Each of alice's links resolves to the folder the decision chose;
    a link of a grant she no longer holds is gone at her next start."""
    root, nfs = tmp_path / "data", tmp_path / "export"
    (nfs / "chest-xray").mkdir(parents=True)
    root.mkdir()
    assert data.link_sources(root, nfs) == ["chest-xray"]
    located = [
        data.locate(replace(m, host_path=root / m.host_path.relative_to(ROOT)), root,
                    data.consent_governed())
        for m in MOUNTS
    ]  # fmt: skip
    assert located[0].claim == "kimed-dataset-chest-xray"  # the link into the export
    for source in located:
        (root / source.sub_path).mkdir(parents=True, exist_ok=True)
    (root / ".users" / "alice").mkdir(parents=True)
    (root / ".users" / "alice" / "old-grant").symlink_to("../../old-grant")
    linked = data.user_links(root, "alice", located)
    for before, after in zip(located, linked, strict=True):
        if before.claim != "kimed-views":
            assert after == before
            continue
        resolved = (root / after.sub_path).resolve()
        assert resolved == (root / before.sub_path).resolve()
        assert resolved.is_relative_to(root.resolve())
    assert sorted(p.name for p in (root / ".users" / "alice").iterdir()) == [
        "cohort-a",
        "mii-demo",
        "synthea-sample",
    ]
    with pytest.raises(data.UnmountableData, match="cannot name a folder"):
        data.user_links(root, "../bob", located)


def test_an_unfiltered_consent_governed_dataset_or_a_path_outside_the_root_is_refused():
    governed = data.consent_governed()
    assert "mii-demo" in governed  # policies/mii-consent.yaml
    raw = DataMount("mii-demo", ROOT / "mii-demo", "/data/mii-demo", "grant AR-000001")
    with pytest.raises(data.UnmountableData, match="governed by MII broad consent"):
        data.locate(raw, ROOT, governed)
    outside = DataMount("x", ROOT.parent / "x", "/data/x", "grant AR-000001")
    with pytest.raises(data.UnmountableData, match="not under the data root"):
        data.locate(outside, ROOT, governed)


def test_the_spawner_refuses_the_start_rather_than_mount_unfiltered_consent_data(
    values, monkeypatch, tmp_path
):
    raw = [DataMount("mii-demo", ROOT / "mii-demo", "/data/mii-demo", "grant AR-000001")]
    with pytest.raises(RuntimeError, match="Your server was not started.*consent"):
        built_pod("researchers", {}, raw, monkeypatch, tmp_path, values)


def test_a_refused_profile_mounts_and_audits_nothing(values, monkeypatch, tmp_path):
    """The options are checked before the data: no consent view is made or audited and
    no link written for a start that is refused anyway."""
    from tornado import web

    async def build():
        spawner = make_spawner("trainees", {"profile": "gpu"}, [], monkeypatch, tmp_path, values)

        async def never():
            raise AssertionError("data prepared for a refused start")

        monkeypatch.setattr(spawner, "granted_mounts", never)
        await spawner.load_user_options()

    with pytest.raises(web.HTTPError) as refused:
        asyncio.run(build())
    assert refused.value.status_code == 403


# -- a real consent view, from a real grant, through the spawner's real decision ------------


def real_pod(values, monkeypatch, tmp_path, url: str, root, orm_user=None, **traits):
    """(spawner, pod) for ``researcher`` whose mounts the spawner decides itself, from
    the portal database ``url`` and the data root ``root`` (``orm_user``: the user's
    database record, for their scopes; ``traits``: more settings)."""

    async def build():
        spawner = make_spawner(
            "researchers", {}, None, monkeypatch, tmp_path, values, username="researcher"
        )
        spawner.portal_db_url, spawner.dataset_root = url, str(root)
        spawner.user.orm_user = orm_user
        for name, value in traits.items():
            setattr(spawner, name, value)
        await spawner.load_user_options()
        manifest = await spawner.get_pod_manifest()
        manifest = spawner.api.api_client.sanitize_for_serialization(manifest)
        manifest["metadata"].setdefault("labels", {})["hub.jupyter.org/username"] = "researcher"
        return spawner, manifest

    return asyncio.run(build())


@pytest.fixture
def granted(imported, tmp_path):  # noqa: F811 (the interop fixture)
    """A data root holding the import as ``mii-demo`` and a portal database in which
    ``researcher`` holds an ACTIVE grant for it (the real access workflow)."""
    from kimed_hub.access import AccessRequests
    from kimed_hub.catalogue import CatalogueStore
    from kimed_hub.interop.catalogue_record import update_catalogue
    from tests.integration.test_mii_consent import DATASET, _grant

    root, nfs = tmp_path / "data", tmp_path / "export"
    root.mkdir()
    nfs.mkdir()
    (nfs / DATASET).symlink_to(imported.folder)  # the holder's folder on the export
    data.link_sources(root, nfs)  # what the hub does at start and before each spawn
    url = f"sqlite:///{tmp_path / 'portal.sqlite'}"
    store = CatalogueStore(url)
    update_catalogue(store, DATASET, imported.manifest, imported.folder, actor="importer")
    _grant(AccessRequests(store))
    yield root, url, store
    store.close()


def test_a_consent_governed_grant_mounts_its_audited_view_from_the_views_claim(
    granted, values, monkeypatch, tmp_path, ours
):
    from kimed_hub.access.grants import GrantsReader
    from kimed_hub.consent_audit import record

    root, url, store = granted
    reader = GrantsReader(url)
    # the portal's half of the audit, called directly (no HTTP here)
    audit = lambda user, dataset, view, *_: record(  # noqa: E731
        reader, store.db, root, user, dataset, view.name
    )
    try:
        spawner, manifest = real_pod(
            values, monkeypatch, tmp_path, url, root, _audit_consent_view=audit
        )
    finally:
        reader.close()
    (mount,) = [
        m for m in _container(manifest)["volumeMounts"] if m["mountPath"] == "/data/mii-demo"
    ]
    assert mount["subPath"] == ".users/researcher/mii-demo" and mount["readOnly"]
    assert re.match(data.USER_SUBPATH, mount["subPath"])
    view = (root / mount["subPath"]).resolve()  # as the kubelet resolves it
    assert view.parent == (root / ".consent-views" / "mii-demo").resolve()
    (volume,) = [v for v in manifest["spec"]["volumes"] if v["name"] == mount["name"]]
    assert volume["persistentVolumeClaim"] == {"claimName": "kimed-views", "readOnly": True}
    # the view holds exactly the consenting patients the audit entry counts
    (entry,) = [e for e in store.audit_entries() if e.action == "consent.filter"]
    with (view / "patient.csv").open(newline="") as rows:
        patients = {row["patient_id"] for row in csv.DictReader(rows)}
    assert entry.details["user"] == "researcher"
    assert entry.details["patients_permitted"] == len(patients)
    assert entry.details["patients_permitted"] < entry.details["patients_total"]
    assert spawner.get_state()["kimed_data_mounts"] == {"mii-demo": "grant AR-000001"}
    assert failing_rules(manifest, ours) == []
    _old_views_go_and_the_linked_one_stays(spawner, root, view)


def _old_views_go_and_the_linked_one_stays(spawner, root, view):
    """Pruning after a start: an earlier day's view nobody links is removed, the view the
    user's link leads to stays; at stop the user's links go."""
    from kimed_hub.interop.consent_mount import VIEWS, consent_mount
    from tests.integration.test_mii_consent import DATASET, GRANT_START

    old, _ = consent_mount(
        DATASET, root / DATASET, GRANT_START, root / VIEWS, today=date(2025, 1, 2)
    )
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    asyncio.run(spawner._prune_consent_views())
    assert not old.exists() and view.is_dir()
    data.drop_user_links(root, "researcher")
    assert not (root / ".users" / "researcher" / DATASET).exists()


# -- the admission policy on the data claims ----------------------------------------------


def _mount(pod: dict, path: str) -> dict:
    (found,) = [m for m in _container(pod)["volumeMounts"] if m["mountPath"] == path]
    return found


def _raw_consent_claim(pod: dict) -> None:
    _mount(pod, "/data/mii-demo").update(name="raw")
    _mount(pod, "/data/mii-demo").pop("subPath")
    claim = {"claimName": "kimed-dataset-mii-demo", "readOnly": True}
    pod["spec"]["volumes"].append({"name": "raw", "persistentVolumeClaim": claim})


def _export(pod: dict) -> None:
    claim = {"claimName": "kimed-datasets", "readOnly": True}
    pod["spec"]["volumes"].append({"name": "all", "persistentVolumeClaim": claim})
    _container(pod)["volumeMounts"].append(
        {"name": "all", "mountPath": "/data/all", "readOnly": True}
    )


def _views_volume(pod: dict) -> dict:
    (volume,) = [v for v in pod["spec"]["volumes"] if v["name"] == "data-views"]
    return volume


#: One tampering per data control: (change, a word of the rule that must fail).
DATA_TAMPERINGS = {
    "unfiltered consent dataset": (_raw_consent_claim, "consent-governed"),
    "the whole export": (_export, "export"),
    "the whole views claim": (lambda p: _mount(p, "/data/mii-demo").pop("subPath"), "own user"),
    "another user's view": (
        lambda p: _mount(p, "/data/mii-demo").update(subPath=".users/bob/mii-demo"),
        "own user",
    ),
    "every user's links": (
        lambda p: _mount(p, "/data/mii-demo").update(subPath=".users"),
        "own user",
    ),
    "a shared view folder, not the user's link": (
        lambda p: _mount(p, "/data/mii-demo").update(
            subPath=".consent-views/mii-demo/2025-01-01_2026-12-07_0123456789ab"
        ),
        "own user",
    ),
    "a path out of the user's folder": (
        lambda p: _mount(p, "/data/mii-demo").update(subPath=".users/alice/../bob/mii-demo"),
        "own user",
    ),
    "another project's linked tables": (
        lambda p: _mount(p, "/data/cohort-a").update(subPath=".linked/AR-000009/cohort-a"),
        "own user",
    ),
    "no username label": (lambda p: p["metadata"]["labels"].clear(), "own user"),
    "writable views volume": (
        lambda p: _views_volume(p)["persistentVolumeClaim"].update(readOnly=False),
        "own user",
    ),
    "writable view mount": (
        lambda p: _mount(p, "/data/synthea-sample").update(readOnly=False),
        "own user",
    ),
}


def test_kubespawners_pod_with_every_kind_of_data_passes_admission(admitted, ours):
    assert failing_rules(admitted, ours) == []


@pytest.mark.parametrize("tampering", sorted(DATA_TAMPERINGS))
def test_a_tampered_data_mount_breaks_its_rule(tampering, admitted, ours):
    change, word = DATA_TAMPERINGS[tampering]
    manifest = copy.deepcopy(admitted)
    change(manifest)
    failing = failing_rules(manifest, ours)
    assert any(word in message for message in failing), (tampering, failing)


# -- the render: the claims, the hub pod's data root --------------------------------------


def test_the_render_makes_the_views_claim_and_the_export_for_the_hub(ours):
    by_name = {(d["kind"], d["metadata"]["name"]): d for d in ours}
    views = by_name[("PersistentVolumeClaim", "kimed-views")]
    assert views["spec"]["accessModes"] == ["ReadWriteMany"]
    export_ = by_name[("PersistentVolume", "kimed-kimed-datasets")]
    assert export_["spec"]["nfs"] == {"server": NFS[0], "path": NFS[1], "readOnly": True}
    assert ("PersistentVolumeClaim", "kimed-dataset-chest-xray") in by_name
    assert ("PersistentVolumeClaim", "kimed-dataset-mii-demo") not in by_name  # a view only
    for doc in ours:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_hub_pod_writes_the_views_and_reads_the_export(values):
    docs = helm_render(values)
    (hub,) = [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "hub"]
    spec = hub["spec"]["template"]["spec"]
    kubernetes_validate.validate(hub, K8S_VERSION, strict=True)
    claims = {v["name"]: v.get("persistentVolumeClaim") for v in spec["volumes"]}
    (container,) = [c for c in spec["containers"] if c["name"] == "hub"]
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    root, nfs = mounts[data.HUB_DATA_ROOT], mounts[data.EXPORT_MOUNT]
    assert claims[root["name"]] == {"claimName": "kimed-views", "readOnly": False}
    assert root["readOnly"] is False
    assert claims[nfs["name"]] == {"claimName": "kimed-datasets", "readOnly": True}
    assert nfs["readOnly"] is True and "subPath" not in nfs
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["KIMED_DATA_DIR"] == data.HUB_DATA_ROOT
    config = values["hub"]["config"]["WorkbenchKubeSpawner"]
    assert config["dataset_root"] == data.HUB_DATA_ROOT
    assert config["export_root"] == data.EXPORT_MOUNT
    start = values["hub"]["extraConfig"]["kimed"]
    assert "configure_consent_audit" in start and f'"{data.EXPORT_MOUNT}"' in start


def test_the_consent_audit_wiring_reaches_the_kubernetes_spawner():
    from traitlets.config import Config

    from kimed_hub.config import configure_consent_audit

    c = Config()
    c.JupyterHub.services, c.JupyterHub.load_roles, c.JupyterHub.custom_scopes = [], [], {}
    configure_consent_audit(
        c, [{"name": "portal", "url": "http://127.0.0.1:8098"}], "WorkbenchKubeSpawner"
    )
    spawner = c.WorkbenchKubeSpawner
    assert spawner.consent_audit_url == (
        "http://127.0.0.1:8098/services/portal/api/v1/consent-audits"
    )
    assert len(spawner.consent_audit_token) == 64
    assert [s["name"] for s in c.JupyterHub.services] == ["kimed-spawner"]


def test_a_consent_policy_change_changes_claims_and_admission(tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(project_root() / "policies", policies)

    def render_docs() -> list[dict]:
        out = render(tmp_path / "out", SITE, ["chest-xray"], NFS, "reg/postgres:16", policies)
        return list(yaml.safe_load_all((out / "manifests.yaml").read_text()))

    def claims(docs):
        return {d["metadata"]["name"] for d in docs if d["kind"] == "PersistentVolumeClaim"}

    before = render_docs()
    assert "kimed-dataset-chest-xray" in claims(before)
    path = policies / "mii-consent.yaml"
    text = path.read_text()
    path.write_text(
        text + "  chest-xray:\n    required:\n      - 2.16.840.1.113883.3.1937.777.24.5.3.8\n"
    )
    after = render_docs()
    assert "kimed-dataset-chest-xray" not in claims(after)
    (policy,) = [
        d
        for d in after
        if d["kind"] == "ValidatingAdmissionPolicy" and d["metadata"]["name"] == "kimed-user-pods"
    ]
    rules = [v["expression"] for v in policy["spec"]["validations"]]
    assert any('"kimed-dataset-chest-xray"' in rule for rule in rules)


def test_the_render_reads_grants_from_the_portal_database(granted, tmp_path):
    """``kimed k8s render --portal-db``: the MII demo (granted, consent-governed) gets no
    claim of its own for user pods (only the hub reads it, through the export)."""
    from kimed_hub.cli import main

    _, url, _ = granted
    out = tmp_path / "out"
    site = ["--registry", "reg.example.org/kimed", "--public-url", "https://wb.example.org"]
    site += ["--oidc-issuer", "https://id.example.org/r", "--hub-tag", "h"]
    site += ["--singleuser-tag", "s", "--gpu-tag", "g", "--portal-db", url]
    assert main(["k8s", "render", str(out), *site]) == 0
    docs = list(yaml.safe_load_all((out / "manifests.yaml").read_text()))
    claims = {d["metadata"]["name"] for d in docs if d["kind"] == "PersistentVolumeClaim"}
    assert claims == {"kimed-homes", "kimed-views", "kimed-datasets"}


# -- linked project tables and synthetic versions, from the real trust centre and catalogue --


@pytest.fixture
def linked(monkeypatch, tmp_path):
    """The trust centre's demo holders with a two-holder request activated through the
    real workflow (linked at once), and a released synthetic version in the catalogue."""
    from tests.portal.samples import dataset, synthetic
    from tests.trust_centre.conftest import DATASETS, make_demo
    from tests.trust_centre.test_activation import _activate, _approved

    (tmp_path / "demo").mkdir()
    demo = make_demo(tmp_path / "demo")
    monkeypatch.setenv("KIMED_DATA_DIR", str(demo.root))  # what the activation reads
    monkeypatch.setenv("KIMED_TRUST_CENTRE_DIR", str(demo.files.root))
    source = dataset("open-sample")
    demo.store.put_dataset(source, actor="steward")
    demo.store.put_dataset(synthetic(source), actor="steward")
    released = demo.root / synthetic(source).identifier  # as synthesis.publish leaves it
    released.mkdir()
    (released / "cohort.csv").write_text("age,outcome\n50,1\n")
    request_id = _approved(demo.store, DATASETS)
    _activate(demo.store, request_id)
    yield demo, request_id, released
    demo.store.close()


def test_linked_tables_and_a_synthetic_version_mount_through_the_users_links(
    linked, values, ours, monkeypatch, tmp_path
):
    """The spawner's real decision gives the project's linked tables and the synthetic
    version, each through the user's own link on the views claim, and never a holder's
    own claim."""
    from kimed_hub.access.grants import linked_folder
    from kimed_hub.data_grants import SYNTHETIC_SCOPE
    from tests.trust_centre.conftest import DATASETS
    from tests.trust_centre.test_activation import _url

    demo, request_id, released = linked
    monkeypatch.setattr("kimed_hub.k8s.spawner.get_scopes_for", lambda _: {SYNTHETIC_SCOPE})
    _, manifest = real_pod(values, monkeypatch, tmp_path, _url(demo), demo.root,
                           orm_user=object())  # fmt: skip
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)
    mounts = {m["mountPath"]: m for m in _container(manifest)["volumeMounts"]}
    expected = {d: linked_folder(demo.root, request_id) / d for d in DATASETS}
    expected[released.name] = released
    assert {p for p in mounts if p.startswith("/data/")} == {f"/data/{d}" for d in expected}
    for name, folder in expected.items():
        mount = mounts[f"/data/{name}"]
        assert mount["subPath"] == f".users/researcher/{name}" and mount["readOnly"]
        assert (demo.root / mount["subPath"]).resolve() == folder.resolve()
    claims = {v["persistentVolumeClaim"]["claimName"] for v in manifest["spec"]["volumes"]
              if "persistentVolumeClaim" in v}  # fmt: skip
    assert claims == {"kimed-homes", "kimed-views"}  # no holder's own dataset claim
    assert failing_rules(manifest, ours) == []


def test_views_a_running_locked_run_reaches_are_not_pruned(tmp_path):
    """A re-run Job reaches a consent view through ``.runs/<run>/data/<dataset>``
    (job_run._locate): pruning must count it as mounted, like a user's link."""
    root = tmp_path / "data"
    view = root / ".consent-views" / "mii-demo-2026-12-07"
    view.mkdir(parents=True)
    (root / ".runs" / "run-1" / "data").mkdir(parents=True)
    (root / ".runs" / "run-1" / "data" / "mii-demo").symlink_to(
        "../../../" + str(view.relative_to(root))
    )
    assert data.linked_targets(root) == {os.path.normpath(view)}


def test_a_source_linked_by_a_concurrent_spawn_is_no_error(tmp_path, monkeypatch):
    """Two spawns link a new export folder at once: the one that loses the race skips it."""
    root, nfs = tmp_path / "data", tmp_path / "export"
    (nfs / "chest-xray").mkdir(parents=True)
    root.mkdir()

    def raced(self, target, target_is_directory=False):
        os.symlink(target, self)  # the other spawn, a moment earlier
        raise FileExistsError(17, "File exists", str(self))

    monkeypatch.setattr(type(root), "symlink_to", raced)
    assert data.link_sources(root, nfs) == []
    assert (root / "chest-xray").is_symlink()
