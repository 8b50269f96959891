"""The airlock's re-run and the synthesis jobs as Kubernetes Jobs, proven without a cluster.

Real here: the runners (``k8s.job_runners``) building their Jobs from the policies'
server plan, the run folders on a data root laid out as the hub pod's, the Job's entry
script (``k8s.job_entry``, run as a real process with the staged, result and home folders
as local folders), the portal's reading of the results (``collect_outcome``, ``collect``),
kubernetes-validate's strict schemas, and the rendered admission policies' CEL evaluated
by ``common-expression-language`` on the runners' own manifests and on tampered copies.

NOT proven (no Kubernetes runs here; the API object is a fake that records the calls and
plays the pod by running the entry script): that an API server admits the Jobs (the
ValidatingAdmissionPolicies, restricted Pod Security, RBAC of the portal's Role), that a
scheduler places them and a kubelet runs them (image pull, the seccomp profile on the
node, subPath resolution of the run folder's links), the volume permissions on a real
ReadWriteMany claim (the hub pod's and the run's uid), the CNI enforcing the
NetworkPolicy. ``KubeJobsApi``'s HTTP calls are checked against a loopback stand-in in
tests/unit/test_k8s_job_api.py.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest

from kimed_hub.airlock.rerun_container import EXECUTED, RerunRefused
from kimed_hub.airlock.rerun_plan import RerunBlocked
from kimed_hub.data_grants import DataMount
from kimed_hub.k8s import job, job_admission, rbac
from kimed_hub.k8s.job_api import JobRefused
from kimed_hub.k8s.job_runners import KubeRerun, KubeSynthesis
from kimed_hub.k8s.render import extra_manifests
from kimed_hub.k8s.values import PORTAL_TOKEN_MOUNT, chart_values
from kimed_hub.paths import project_root
from kimed_hub.policies import resource_profiles
from kimed_hub.policies.synthesis import synthesis_policy
from kimed_hub.server_plan import plan_for_profile
from kimed_hub.synthesis.container import JobRequest
from tests.k8s_chart import K8S_VERSION, SITE

NFS = ("nfs.example.org", "/datasets")


class FakeJobsApi:
    """Records the calls; on a real create it plays the pod: the Job's own command (the
    entry script) with the mounts replaced by local folders and the user command by
    ``play`` (papermill and the engine do not run here)."""

    def __init__(
        self, root: Path, play: list[str], refuse: str = "", exit_code: int = 0, reason: str = ""
    ):
        self.root, self.play, self.refuse, self.exit_code = root, play, refuse, exit_code
        self.reason = reason  # the Failed condition's reason (DeadlineExceeded: timed out)
        self.calls: list[tuple] = []
        self.manifests: list[dict] = []
        self.kept: list[str] = []  # what the run left in its result folder

    def create_job(self, manifest: dict, dry_run: bool = False) -> None:
        self.calls.append(("create", manifest["metadata"]["name"], dry_run))
        self.manifests.append(copy.deepcopy(manifest))
        if self.refuse:
            raise JobRefused(self.refuse)
        if not dry_run:
            self.status = self._play(manifest)

    def _play(self, manifest: dict) -> int:
        name = manifest["metadata"]["name"]
        (container,) = manifest["spec"]["template"]["spec"]["containers"]
        python, flag, source, staged, result, home, keep, dashes = container["command"][:8]
        assert (python, flag, dashes) == ("python3", "-c", "--")
        assert (staged, result) == (job.STAGED_MOUNT, job.RESULT_MOUNT)
        self._resolve_like_the_kubelet(manifest)
        folder = self.root / job.RUNS / name
        local_home = folder.parent / f"{name}.emptydir"
        local_home.mkdir()
        # an emptyDir belongs to root, mode 0777: the entry script must not chmod it (a
        # non-root process cannot), so its mode stays whatever the staged folder's is
        local_home.chmod(0o777)
        (folder / "home").chmod(0o750)
        args = [str(folder / "home"), str(folder / "result"), str(local_home), keep]
        done = subprocess.run([sys.executable, "-c", source, *args, "--", *self.play])
        assert local_home.stat().st_mode & 0o777 == 0o777
        result = folder / "result"
        self.kept = sorted(str(p.relative_to(result)) for p in result.rglob("*"))
        return done.returncode or self.exit_code

    def _resolve_like_the_kubelet(self, manifest: dict) -> None:
        """Every views-claim subPath exists and, links resolved, stays inside the claim
        (the kubelet refuses one that leaves the volume)."""
        spec = manifest["spec"]["template"]["spec"]
        views = {
            v["name"]
            for v in spec["volumes"]
            if v.get("persistentVolumeClaim", {}).get("claimName") == "kimed-views"
        }
        for mount in spec["containers"][0]["volumeMounts"]:
            if mount["name"] in views:
                resolved = (self.root / mount["subPath"]).resolve(strict=True)
                assert resolved.is_relative_to(self.root.resolve()), mount

    def job_status(self, name: str) -> dict:
        self.calls.append(("status", name))
        kind = "Complete" if self.status == 0 and not self.reason else "Failed"
        reason = self.reason or "BackoffLimitExceeded"
        return {"conditions": [{"type": kind, "status": "True", "reason": reason}]}

    def pods(self, name: str) -> list[dict]:
        self.calls.append(("pods", name))
        terminated = {"exitCode": self.status}
        status = {"containerStatuses": [{"state": {"terminated": terminated}}]}
        return [{"metadata": {"name": f"{name}-abcde"}, "status": status}]

    def pod_log(self, pod: str, tail: int) -> str:
        self.calls.append(("log", pod))
        return "the engine's message\n"

    def delete_job(self, name: str) -> None:
        self.calls.append(("delete", name))

    def close(self) -> None:
        self.calls.append(("close",))


def writer(files: dict[str, str], links: dict[str, str] = ()) -> list[str]:
    """A stand-in user command: writes ``files`` (and ``links``) under the current home."""
    code = (
        "import json, os, sys; files, links = json.loads(sys.argv[1]), json.loads(sys.argv[2])\n"
        "for p, t in files.items():\n"
        "    os.makedirs(os.path.dirname(p) or '.', exist_ok=True); open(p, 'w').write(t)\n"
        "for p, t in links.items(): os.symlink(t, p)\n"
    )
    return [sys.executable, "-c", code, json.dumps(files), json.dumps(dict(links))]


@pytest.fixture
def root(tmp_path) -> Path:
    """The hub pod's data root: a source dataset linked into the export, a synthetic
    version folder on the views claim."""
    root, export = tmp_path / "data", tmp_path / "export"
    (export / "chest-xray").mkdir(parents=True)
    (export / "chest-xray" / "table.csv").write_text("a,b\n1,2\n")
    root.mkdir()
    (root / "chest-xray").symlink_to(export / "chest-xray", target_is_directory=True)
    (root / "synthea-sample").mkdir()
    return root


MOUNTS = ["chest-xray", "synthea-sample"]


def rerunner(root: Path, api: FakeJobsApi) -> KubeRerun:
    def mounts_for(user: str) -> list[DataMount]:
        return [DataMount(d, root / d, f"/data/{d}", "grant AR-000001") for d in MOUNTS]

    images = {"cpu": "registry.example.org/kimed/singleuser:" + "a" * 16}
    runner = KubeRerun(lambda: api, images, SITE.namespace, root, mounts_for)
    runner.poll_seconds = 0
    return runner


NOTEBOOK = ("analysis/run.ipynb", b'{"cells": []}')
OUTPUTS = {"analysis/out/table.csv": 1000, "analysis/out/leak.csv": 1000, "missing.csv": 1000}


def run_rerun(root: Path, api: FakeJobsApi):
    return rerunner(root, api).run("ER-000007", "alice", NOTEBOOK, OUTPUTS, timeout=600)


def test_a_rerun_submits_watches_reads_back_and_deletes(root):
    play = writer(
        {"analysis/out/table.csv": "n\n12\n", EXECUTED: "{}", "stray.txt": "not kept"},
        {"analysis/out/leak.csv": "/etc/passwd"},
    )
    api = FakeJobsApi(root, play)
    outcome = run_rerun(root, api)
    name = api.calls[0][1]
    assert name.startswith("kimed-rerun-er-000007-")
    assert [c[0] for c in api.calls] == ["create", "create", "status", "pods", "delete", "close"]
    assert api.calls[:2] == [("create", name, True), ("create", name, False)]  # dry run first
    assert outcome.regenerated == {
        "analysis/out/table.csv": b"n\n12\n",
        "analysis/out/leak.csv": None,  # a link is never followed, as on one machine
        "missing.csv": None,
    }
    assert outcome.failure == ""
    # only the requested paths came back (stray.txt stayed in the emptyDir)
    assert "stray.txt" not in api.kept and "analysis/out/table.csv" in api.kept
    assert outcome.environment["profile"] == resource_profiles().default
    assert outcome.environment["datasets"] == ["/data/chest-xray", "/data/synthea-sample"]
    assert not (root / job.RUNS / name).exists()  # the run folder is removed


def test_a_failed_rerun_says_so_and_still_cleans_up(root):
    api = FakeJobsApi(root, writer({}), exit_code=1)
    outcome = run_rerun(root, api)
    assert outcome.failure == "papermill exited with status 1"
    assert set(outcome.regenerated.values()) == {None}
    assert api.calls[-2][0] == "delete"


def test_a_rerun_past_its_deadline_is_a_timeout(root):
    api = FakeJobsApi(root, writer({}), reason="DeadlineExceeded")
    outcome = run_rerun(root, api)
    assert outcome.failure == "the notebook did not finish within 600 s"
    assert api.calls[-2][0] == "delete"


def test_a_job_the_cluster_refuses_never_runs(root):
    api = FakeJobsApi(root, writer({}), refuse="KIMed policy (runs): no retries")
    with pytest.raises(RerunRefused, match="no retries"):
        run_rerun(root, api)
    assert [c[0] for c in api.calls] == ["create", "delete", "close"]  # only the dry run
    assert api.calls[0][2] is True
    assert list((root / job.RUNS).iterdir()) == []


def synthesis_job(root: Path, tmp_path: Path) -> tuple[FakeJobsApi, object]:
    policy = synthesis_policy()
    request = JobRequest(
        job_id="SJ-3",
        dataset="chest-xray",
        source=root / "chest-xray",
        policy_file=Path(__file__).parents[2] / "policies" / "synthesis.yaml",
        method=policy.methods["gaussian_copula"],
        table="table.csv",
        target=None,
        seed=1,
    )
    play = writer({"out/synthetic.csv": "a\n1\n", "out/report.json": "{}"})
    api = FakeJobsApi(root, play)
    runner = KubeSynthesis(lambda: api, "reg/singleuser:x", SITE.namespace, root)
    runner.poll_seconds = 0
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return api, runner.run(request, 600, scratch, 10_000)


def test_a_synthesis_job_runs_as_a_job_and_its_files_come_back(root, tmp_path):
    api, outcome = synthesis_job(root, tmp_path)
    assert outcome.status == 0
    assert sorted(outcome.files) == ["report.json", "synthetic.csv"]
    assert outcome.files["synthetic.csv"].read_text() == "a\n1\n"
    assert outcome.container["network_mode"].startswith("none")
    assert outcome.container["read_only_root"] is True
    assert "/data/chest-xray (ro)" in outcome.container["mounts"]
    assert api.calls[-2][0] == "delete"


# -- the manifests: strict schemas and the admission policies' CEL -------------------------


@pytest.fixture
def manifests(root, tmp_path) -> dict[str, dict]:
    """The Jobs the two runners submitted (copied at their dry run)."""
    rerun_api = FakeJobsApi(root, writer({}))
    run_rerun(root, rerun_api)
    synth_api, _ = synthesis_job(root, tmp_path)
    return {"rerun": rerun_api.manifests[0], "synthesis": synth_api.manifests[0]}


@pytest.fixture(scope="module")
def ours() -> list[dict]:
    return extra_manifests(SITE, ["chest-xray"], NFS, "reg/postgres:16")


@pytest.mark.parametrize("kind", ["rerun", "synthesis"])
def test_the_jobs_validate_strictly(kind, manifests):
    kubernetes_validate.validate(manifests[kind], K8S_VERSION, strict=True)


def as_pod(manifest: dict) -> dict:
    """The pod the Job controller makes from the Job's template."""
    template = manifest["spec"]["template"]
    return {"apiVersion": "v1", "kind": "Pod", **copy.deepcopy(template)}


def failing(manifest: dict, ours: list[dict]) -> list[str]:
    """Messages of the job-pod and job rules ``manifest`` (a Job) breaks."""
    cel = pytest.importorskip("cel")
    policies = {d["metadata"]["name"]: d for d in ours if d["kind"] == "ValidatingAdmissionPolicy"}
    subjects = {job_admission.POD_POLICY: as_pod(manifest), job_admission.JOB_POLICY: manifest}
    out = []
    for name, subject in subjects.items():
        for rule in policies[name]["spec"]["validations"]:
            if cel.evaluate(rule["expression"], {"object": subject}) is not True:
                out.append(f"{name}: {rule['message']}")
    return out


@pytest.mark.parametrize("kind", ["rerun", "synthesis"])
def test_the_jobs_pass_every_admission_rule(kind, manifests, ours):
    assert failing(manifests[kind], ours) == []


def _spec(m):
    return m["spec"]["template"]["spec"]


def _mounts(m):
    return _spec(m)["containers"][0]["volumeMounts"]


#: One tampering per run control: (change, a word of the rule that must fail, both times:
#: on the pod the Job makes and on the Job's template).
TAMPERINGS = {
    "retries": (lambda m: m["spec"].update(backoffLimit=3), "no retries"),
    "no deadline": (lambda m: m["spec"].pop("activeDeadlineSeconds"), "deadline"),
    "kept forever": (lambda m: m["spec"].pop("ttlSecondsAfterFinished"), "time-to-live"),
    "unlabelled": (lambda m: m["spec"]["template"]["metadata"]["labels"].pop("component"), "carry"),
    "restarts": (lambda m: _spec(m).update(restartPolicy="OnFailure"), "never restarted"),
    "API token": (lambda m: _spec(m).update(automountServiceAccountToken=True), "token"),
    "root user": (
        lambda m: _spec(m)["containers"][0]["securityContext"].update(runAsUser=0),
        "uid",
    ),
    "a user's home": (
        lambda m: [
            v.pop("emptyDir") and v.update(persistentVolumeClaim={"claimName": "kimed-homes"})
            for v in _spec(m)["volumes"]
            if v["name"] == "home"
        ],
        "user home",
    ),
    "writable staged folder": (
        lambda m: [x.pop("readOnly") for x in _mounts(m) if x["mountPath"] == job.STAGED_MOUNT],
        "own folder",
    ),
    "another run's folder": (
        lambda m: [
            x.update(subPath=".runs/kimed-rerun-other/result")
            for x in _mounts(m)
            if x["mountPath"] == job.RESULT_MOUNT
        ],
        "own folder",
    ),
    "a user's views": (
        lambda m: [
            x.update(subPath=".users/alice/synthea-sample")
            for x in _mounts(m)
            if x["mountPath"] == "/data/synthea-sample"
        ],
        "own folder",
    ),
    "the whole export": (
        lambda m: _spec(m)["volumes"].append(
            {"name": "x", "persistentVolumeClaim": {"claimName": "kimed-datasets"}}
        ),
        "export",
    ),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
def test_a_tampered_job_breaks_the_rule_for_that_control(tampering, manifests, ours):
    change, word = TAMPERINGS[tampering]
    manifest = copy.deepcopy(manifests["rerun"])
    change(manifest)
    broken = failing(manifest, ours)
    assert any(word in message for message in broken), (tampering, broken)
    if not tampering.startswith(("retries", "no deadline", "kept", "unlabelled")):
        # a pod-level control is also refused on the Job itself (its dry run)
        assert any(m.startswith(job_admission.JOB_POLICY) and word in m for m in broken), broken


# -- the portal's identity and the runs' network fence ------------------------------------


def test_the_portals_role_is_least_privilege(ours):
    (role,) = [d for d in ours if d["kind"] == "Role"]
    assert role["metadata"]["namespace"] == SITE.namespace
    assert role["rules"] == [
        {"apiGroups": ["batch"], "resources": ["jobs"],
         "verbs": ["create", "get", "list", "watch", "delete"]},
        {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]},
    ]  # fmt: skip
    assert not [d for d in ours if d["kind"] in ("ClusterRole", "ClusterRoleBinding")]
    (binding,) = [d for d in ours if d["kind"] == "RoleBinding"]
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "kimed-portal", "namespace": SITE.namespace}
    ]


def test_the_portal_uses_its_own_token_and_runs_jobs(ours):
    values = chart_values(SITE)
    (token,) = [d for d in ours if d["kind"] == "Secret"]
    assert token["type"] == "kubernetes.io/service-account-token"
    assert token["metadata"]["annotations"] == {
        "kubernetes.io/service-account.name": "kimed-portal"
    }
    mounts = {m["mountPath"]: m for m in values["hub"]["extraVolumeMounts"]}
    assert mounts[PORTAL_TOKEN_MOUNT]["readOnly"] is True
    volumes = {v["name"]: v for v in values["hub"]["extraVolumes"]}
    assert (
        volumes[mounts[PORTAL_TOKEN_MOUNT]["name"]]["secret"]["secretName"]
        == token["metadata"]["name"]
    )
    command = values["hub"]["services"]["portal"]["command"]
    at = command.index("--runtime-kind")
    assert command[at + 1] == "kubernetes"
    assert command[command.index("--k8s-credentials") + 1] == PORTAL_TOKEN_MOUNT


def test_job_pods_have_no_network_at_all(ours, manifests):
    (fence,) = [d for d in ours if d["metadata"]["name"] == rbac.JOBS_NETWORK_POLICY]
    spec = fence["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert spec["ingress"] == [] and spec["egress"] == []
    labels = manifests["rerun"]["spec"]["template"]["metadata"]["labels"]
    assert spec["podSelector"]["matchLabels"].items() <= labels.items()


def test_new_manifests_validate_strictly(ours):
    new = {"ServiceAccount", "Secret", "Role", "RoleBinding", "ValidatingAdmissionPolicy"}
    for doc in ours:
        if doc["kind"] in new or doc["metadata"]["name"] == rbac.JOBS_NETWORK_POLICY:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_job_pod_is_the_user_pods_plan(manifests):
    """Reuse, not restatement: the run's container carries the default profile's plan."""
    from kimed_hub.k8s import pod

    profiles = resource_profiles()
    plan = plan_for_profile(profiles.profiles[profiles.default], ["chest-xray"])
    spec = _spec(manifests["synthesis"])
    assert spec["securityContext"] == pod.pod_security_context(plan)
    assert spec["containers"][0]["securityContext"] == pod.container_security_context(plan)
    assert spec["automountServiceAccountToken"] is False
    assert manifests["synthesis"]["spec"]["backoffLimit"] == 0
    assert manifests["synthesis"]["spec"]["activeDeadlineSeconds"] == 600 + job.START_MARGIN


def test_a_gpu_requesters_rerun_gets_the_gpu_image_and_the_device_plugins_gpu(root):
    profiles = resource_profiles()
    api = FakeJobsApi(root, writer({}))
    runner = rerunner(root, api)
    runner.profile_for = lambda user: profiles.profiles["gpu"]
    runner.images["gpu"] = "registry.example.org/kimed/singleuser-gpu:" + "b" * 16
    outcome = runner.run("ER-000008", "alice", NOTEBOOK, OUTPUTS, timeout=600)
    (container,) = _spec(api.manifests[0])["containers"]
    assert container["image"] == runner.images["gpu"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert container["resources"]["requests"] == container["resources"]["limits"]
    assert outcome.environment["gpus"] == 1 and outcome.environment["profile"] == "gpu"


def test_a_profile_without_its_image_blocks_the_rerun_before_anything_is_made(root):
    api = FakeJobsApi(root, writer({}))
    runner = rerunner(root, api)
    runner.profile_for = lambda user: resource_profiles().profiles["gpu"]
    with pytest.raises(RerunBlocked, match="gpu"):
        runner.run("ER-000009", "alice", NOTEBOOK, OUTPUTS, timeout=600)
    assert api.calls == [] and not (root / job.RUNS).exists()


def test_the_rendered_portal_runs_reruns_and_synthesis_as_jobs(tmp_path):
    """The portal's command as the values render it, parsed by the portal itself: on
    Kubernetes both runners are the Job runners, with the site's images."""
    from kimed_hub.portal_service.app import arguments, rerunner_from, synthesis_runner

    command = chart_values(SITE)["hub"]["services"]["portal"]["command"]
    args = arguments().parse_args(command[3:])  # after "python3 -m kimed_hub.portal_service"
    rerun = rerunner_from(args, "sqlite://")
    assert isinstance(rerun, KubeRerun)
    assert rerun.images == {
        "cpu": f"{SITE.registry}/kimed-singleuser:{SITE.singleuser_tag}",
        "gpu": f"{SITE.registry}/kimed-singleuser-gpu:{SITE.gpu_tag}",
    }
    assert rerun.namespace == SITE.namespace and str(rerun.data_root) == "/srv/kimed/data"
    assert isinstance(synthesis_runner(args), KubeSynthesis)


def test_a_policy_change_changes_the_jobs_and_their_admission(root, tmp_path):
    """An edited policy (the container user) reaches the run's Job and the rendered job
    rules alike: nothing about a run is restated."""
    from tests.unit.test_k8s import edit

    folder = tmp_path / "policies"
    shutil.copytree(project_root() / "policies", folder)
    edit(folder, "container-security.yaml", "uid: 1000", "uid: 1001")
    api = FakeJobsApi(root, writer({}))
    runner = rerunner(root, api)
    runner.policies_dir = folder
    runner.run("ER-000010", "alice", NOTEBOOK, OUTPUTS, timeout=600)
    (container,) = _spec(api.manifests[0])["containers"]
    assert container["securityContext"]["runAsUser"] == 1001
    rendered = extra_manifests(SITE, ["chest-xray"], NFS, "reg/postgres:16", folder)
    assert failing(api.manifests[0], rendered) == []
    assert failing(api.manifests[0], extra_manifests(SITE, ["chest-xray"], NFS, "r/p:16")) != []


def test_a_kept_path_behind_a_link_out_of_the_home_is_not_copied(tmp_path):
    """The run's code could replace a kept folder by a link to a mounted dataset: the
    entry script copies nothing through it (the one-machine reader refuses links too)."""
    from kimed_hub.k8s.job_entry import copy_out

    home, result, data = tmp_path / "home", tmp_path / "result", tmp_path / "data"
    for folder in (home, result, data):
        folder.mkdir()
    (data / "rows.csv").write_text("raw microdata")
    (home / "outputs").symlink_to(data)
    (home / "table.csv").write_text("n\n12\n")
    copy_out(str(home), str(result), ["outputs/rows.csv", "table.csv", "../data/rows.csv"])
    assert sorted(p.name for p in result.rglob("*")) == ["table.csv"]


def test_results_that_cannot_be_kept_leave_nothing_the_portal_reads(tmp_path, monkeypatch):
    """A full volume while copying out: the run reports COPY_FAILED and the result folder
    holds only the partial folder, so no truncated output counts as regenerated."""
    from kimed_hub.k8s import job_entry

    home, result = tmp_path / "home", tmp_path / "result"
    home.mkdir(), result.mkdir()
    (home / "table.csv").write_text("n\n12\n")
    assert job_entry.keep_results(str(home), str(result), ["table.csv"])
    assert (result / "table.csv").read_text() == "n\n12\n" and not (result / ".partial").exists()

    def full(source, target, *args, **kwargs):
        open(target, "w").write("n\n1")  # half a file, then the volume is full
        raise OSError(28, "No space left on device")

    again = tmp_path / "again"
    again.mkdir()
    monkeypatch.setattr(job_entry.shutil, "copyfile", full)
    assert not job_entry.keep_results(str(home), str(again), ["table.csv"])
    assert [p.name for p in again.iterdir()] == [".partial"]
