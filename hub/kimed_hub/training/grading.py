"""Grading: run a trainee's notebooks with the course's own checks in a locked container.

Why not nbgrader's autograder: it runs submissions on the grading host with the grader's
rights, keeps a gradebook database of its own and collects through a world-writable
exchange folder. Here trainee code must never run on the host, so each trainee's
notebooks run in a fresh container of the single-user image (the same curated kernels the
trainee used), with no network at all, a read-only root, no capabilities, memory, CPU and
pids limits from policies/training.yaml, and nothing mounted but the submitted notebooks
(read-only). The notebooks keep nbgrader's markup, so a site can still use nbgrader.

Before running, the instructor's check cells replace the trainee's (``with_reference_checks``),
so editing a check does not change what it asserts. A notebook not handed in, or handed in
untouched, fails its checks without being run. A check's feedback is its assertion message.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from .catalogue import Course
from .notebooks import check_cells, check_results, trainee_version, with_reference_checks
from .policy import TrainingPolicy
from .store import Result

MARKER = "KIMED-GRADED "
#: Runs inside the container: execute each notebook in its own kernel, print it back.
_RUNNER = f"""
import json, sys, nbformat
from nbclient import NotebookClient
for path in sys.argv[2:]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=int(sys.argv[1]), allow_errors=True,
                            kernel_name=nb.metadata.get("kernelspec", {{}}).get("name", ""),
                            resources={{"metadata": {{"path": "/tmp"}}}})
    try:
        client.execute()
    except Exception as error:  # a timeout or a dead kernel: the cells not run fail
        print("grading:", path, type(error).__name__, error, file=sys.stderr)
    print({MARKER!r} + json.dumps({{"name": path.rsplit("/", 1)[-1], "notebook": nb}}), flush=True)
"""


@dataclass
class GradingSandbox:
    """Where and how submissions run: the container runtime (a Docker-API client, or the
    URL to make one from at first use), the single-user image and the policy's limits."""

    client: object | None  # docker.APIClient; None: made from runtime_url when needed
    image: str
    policy: TrainingPolicy
    prefix: str = "kimed"
    runtime_url: str = ""

    def api(self):
        """The runtime client, made on first use: asking the runtime its version at the
        portal's start can take a minute on a busy host, and must not stop the portal."""
        if self.client is None:
            import docker

            self.client = docker.APIClient(base_url=self.runtime_url, timeout=300)
        return self.client

    def run(self, notebooks: dict[str, dict]) -> dict[str, dict]:
        """Execute ``{name: notebook}`` in one locked container; return the executed
        notebooks by name (a notebook missing from the answer did not come back)."""
        workdir = Path(tempfile.mkdtemp(prefix="kimed-grading-"))
        try:
            for name, notebook in notebooks.items():
                (workdir / name).write_text(json.dumps(notebook))
            workdir.chmod(0o755)
            for path in workdir.iterdir():
                path.chmod(0o644)
            return self._execute(workdir, sorted(notebooks))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _execute(self, workdir: Path, names: list[str]) -> dict[str, dict]:
        limit = self.policy.grading_timeout
        command = ["python", "-c", _RUNNER, str(limit), *[f"/grading/{n}" for n in names]]
        container = self.api().create_container(
            self.image,
            command=command,
            user="1000:100",
            working_dir="/tmp",
            name=f"{self.prefix}-grading-{uuid.uuid4().hex[:8]}",
            host_config=self._host_config(workdir),
            environment={
                "HOME": "/tmp",
                "MPLCONFIGDIR": "/tmp/mpl",
                "IPYTHONDIR": "/tmp/ipython",
                "JUPYTER_RUNTIME_DIR": "/tmp/runtime",
                "JUPYTER_DATA_DIR": "/tmp/jupyter",
            },
        )
        try:
            self.api().start(container)
            try:
                self.api().wait(container, timeout=limit * max(len(names), 1) + 60)
            except Exception:  # noqa: BLE001 - overran: what printed so far still counts
                self.api().kill(container)
            logs = self.api().logs(container, stdout=True, stderr=False).decode()
        finally:
            self.api().remove_container(container, force=True)
        found = {}
        for line in logs.splitlines():
            if line.startswith(MARKER):
                item = json.loads(line[len(MARKER) :])
                found[item["name"]] = item["notebook"]
        return found

    def _host_config(self, workdir: Path) -> dict:
        # The same controls as a user's server (read-only root, no capabilities, limits),
        # and stricter: no network at all, no home volume, no datasets.
        return self.api().create_host_config(
            network_mode="none",
            read_only=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            pids_limit=self.policy.grading_pids,
            mem_limit=self.policy.grading_memory_bytes,
            memswap_limit=self.policy.grading_memory_bytes,
            nano_cpus=int(self.policy.grading_cpus * 1e9),
            tmpfs={"/tmp": "size=1G,mode=1777"},
            binds={str(workdir): {"bind": "/grading", "mode": "ro"}},
        )


def _feedback(cell: dict) -> str:
    """What a failed check said: its assertion message (or error), without the traceback."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            message = output.get("evalue") or ""
            return f"{output.get('ename', 'Error')}: {message}" if message else output["ename"]
    return "This check did not run (the notebook stopped before it, or ran out of time)."


def _untouched(submission: dict, reference: dict) -> bool:
    """True when every exercise cell is still the trainee version's stub."""

    def answers(nb):
        return [
            c["source"] if isinstance(c["source"], str) else "".join(c["source"])
            for c in nb["cells"]
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")
        ]

    return answers(submission) == answers(trainee_version(reference))


def grade(sandbox: GradingSandbox, course: Course, username: str, handed_in: dict) -> list[Result]:
    """Results for every check of every notebook of ``course`` from ``handed_in``
    (``{notebook name: notebook dict or None}``)."""
    references = {p.name: json.loads(p.read_text()) for p in course.notebook_paths()}
    to_run, verdicts = {}, {}
    for name, reference in references.items():
        submission = handed_in.get(name)
        if submission is None:
            verdicts[name] = "Not handed in: the notebook was not in your courses folder."
        elif _untouched(submission, reference):
            verdicts[name] = "Not attempted: the exercises are still empty."
        else:
            to_run[name] = with_reference_checks(submission, reference)
    executed = sandbox.run(to_run) if to_run else {}
    graded = []
    for name, reference in references.items():
        ran = executed.get(name)
        outcome = check_results(ran) if ran else {}
        cells = {
            c["metadata"]["nbgrader"]["grade_id"]: c
            for c in (ran or {}).get("cells", [])
            if c.get("metadata", {}).get("nbgrader", {}).get("grade")
        }
        for check in check_cells(reference):
            passed = outcome.get(check.grade_id, False)
            if name in verdicts:
                why = verdicts[name]
            elif ran is None:
                why = "The notebook could not be run (see the instructor)."
            else:
                why = "" if passed else _feedback(cells.get(check.grade_id, {}))
            graded.append(
                Result(username, course.id, name, check.grade_id, check.points, passed, why)
            )
    return graded
