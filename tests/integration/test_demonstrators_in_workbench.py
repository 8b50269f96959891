"""The demonstrators inside a real user container of the workbench, spawned by the real hub:
each notebook runs end to end as a batch job (`kimed-demo run`, papermill in the server's
venv) in its curated kernel, offline (the container's network reaches only the hub), with
small parameters, and writes its artefacts to the home volume; one notebook also runs cell
by cell over the kernel websocket, as a researcher runs it in JupyterLab.

The commands run from a notebook cell in the user's own server (``subprocess`` in a
kernel, like ``!kimed-demo run ...``), through the proxy, as a user would.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from kimed_demos import registry
from kimed_hub.testing import HubUser

pytestmark = pytest.mark.integration

RUN_TIMEOUT = 900  # the whole `kimed-demo run`; deface imports torch and registers a head

# Small, quick parameters per demonstrator, and the file whose JSON the test checks.
SMALL = {
    "exposome": (["n_participants", "500"], "metrics.json"),
    "omics": ([], "metrics.json"),
    # A small NER trained in the container: proves the model cache works on a read-only root.
    "deid": (
        ["n_documents", "12", "operator", "mask", "train_documents", "60", "train_epochs", "2"],
        "metrics.json",
    ),
    "deface": (["spacing_mm", "2.0", "n_simulated", "1", "seed", "1"], "ch2_qc.json"),
}

# Runs in the container: one `kimed-demo run`, then what it left (the run record, the
# checked JSON, every artefact's path, where the deid model was cached).
RUN_DEMO = """
import json, pathlib, subprocess
out = pathlib.Path.home() / "demo-runs" / {folder!r}
params = [arg for pair in zip(["-p"] * 99, {params!r}[::2], {params!r}[1::2]) for arg in pair]
proc = subprocess.run(["kimed-demo", "run", {name!r}, *params, "--output", str(out)],
                      capture_output=True, text=True, timeout={timeout})
def read(path):
    return json.loads(path.read_text()) if path.is_file() else None
models = pathlib.Path.home() / ".cache" / "kimed" / "models"
print(json.dumps({{
    "rc": proc.returncode, "log": (proc.stdout + proc.stderr)[-4000:],
    "record": read(out / "run.json"), "checked": read(out / {checked!r}),
    "files": sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
             if out.is_dir() else [],
    "models": sorted(p.parent.name for p in models.glob("*/kimed_inputs.json")),
}}))
"""


@pytest.fixture(scope="module")
def researcher(hub):
    """A researcher's server on the cpu-large profile (2 CPUs, as imaging work would use);
    stopped when the module is done."""
    user = hub.login("researcher")
    started = time.monotonic()
    response = user.api("POST", f"/users/{user.name}/server", json={"profile": "cpu-large"})
    assert response.status_code in (201, 202), response.text
    user.wait_ready(started)
    yield user
    user.stop_server()


def run_demo(user: HubUser, name: str) -> dict:
    """`kimed-demo run NAME` with the small parameters, inside the user's container."""
    params, checked = SMALL[name]
    code = RUN_DEMO.format(
        folder=f"{name}-{uuid.uuid4().hex[:8]}",
        params=params,
        name=name,
        checked=checked,
        timeout=RUN_TIMEOUT,
    )
    return json.loads(user.run_code(code, RUN_TIMEOUT + 60).strip().splitlines()[-1])


def test_kimed_demo_lists_the_demonstrators_with_their_workbench_kernels(
    hub_diagnostics, researcher
) -> None:
    code = (
        "import subprocess\n"
        "for argv in (['kimed-demo', 'list'], ['kimed-demo', 'run', 'nope']):\n"
        "    p = subprocess.run(argv, capture_output=True, text=True)\n"
        "    print(p.returncode, p.stdout + p.stderr, sep='|', end='@@')\n"
    )
    listed, unknown = researcher.run_code(code, 120).split("@@")[:2]
    assert listed.startswith("0|")
    for demo in registry.DEMONSTRATORS:
        rows = [line.split() for line in listed.splitlines()[1:]]
        assert any(row[:1] == [demo.name] and demo.kernel in row for row in rows), listed
    assert "notebook not written yet" not in listed
    status, message = unknown.split("|", 1)
    assert status == "2" and "kimed-demo: error: no demonstrator called 'nope'" in message


@pytest.mark.parametrize("name", list(SMALL))
def test_demonstrator_runs_as_a_batch_job_in_its_curated_kernel(
    hub_diagnostics, researcher, name
) -> None:
    seen = run_demo(researcher, name)
    assert seen["rc"] == 0, seen["log"]
    record, checked, files = seen["record"], seen["checked"], seen["files"]
    assert record["ok"] and record["kernel"] == registry.get(name).kernel
    notebook = Path(registry.get(name).notebook).name
    assert notebook in files and "run.json" in files
    if name == "exposome":
        assert checked["linked_visits"] == 500 and len(checked["estimates"]) == 4
        assert {"figures/estimates.png", "tables/disclosure_report.csv"} <= set(files)
    elif name == "omics":
        assert checked["clusters"] >= 6 and "B cells" in checked["cell_types"].values()
        assert {"figures/umap.png", "figures/marker_dotplot.png"} <= set(files)
    elif name == "deid":
        assert checked["n_documents"] == 12 and checked["span"]["DATE"]["support"] > 0
        assert len([f for f in files if f.startswith("deidentified/")]) == 12
        assert "scores.png" in files
        assert any(m.startswith("deid-ner-") for m in seen["models"])  # cached in the home
    else:
        assert checked["passed"] and checked["spacing_mm"] == 2.0
        assert {"ch2_qc.png", "ch2_defaced.nii.gz", "batch/summary.csv"} <= set(files)


def test_copied_notebook_runs_cell_by_cell_over_the_kernel_websocket(
    hub_diagnostics, researcher
) -> None:
    """Interactive use: `kimed-demo copy` puts writable copies into ~/demonstrators; the
    exposome notebook's cells then run one by one in its kernel (from its metadata)."""
    copied = researcher.run_code(
        "import os, subprocess\n"
        "print(subprocess.run(['kimed-demo', 'copy'], capture_output=True, text=True).stdout)\n"
        "print(os.access(os.path.expanduser('~/demonstrators/exposome_cohort.ipynb'), os.W_OK),"
        " os.access('/opt/kimed/notebooks/exposome_cohort.ipynb', os.W_OK))\n",
        120,
    )
    assert copied.strip().splitlines()[-1] == "True False"
    # Opened as JupyterLab opens it: through the server's contents API.
    opened = researcher.get("api/contents/demonstrators/exposome_cohort.ipynb")
    opened.raise_for_status()
    notebook = nbformat.from_dict(opened.json()["content"])
    kernel = notebook.metadata["kernelspec"]["name"]
    assert kernel == registry.get("exposome").kernel
    cells = [c.source for c in notebook.cells if c.cell_type == "code"]
    folder = f"/home/jovyan/interactive-{uuid.uuid4().hex[:8]}"
    # What a researcher does after opening it: smaller cohort, own output folder.
    cells.insert(1, f"n_participants = 500\noutput_dir = {folder!r}")
    cells.append(
        "import json, pathlib\n"
        f"print(json.dumps(json.loads((pathlib.Path({folder!r}) / 'metrics.json').read_text())))"
    )
    outputs = researcher.run_cells(cells, timeout=300, kernel=kernel)
    metrics = json.loads(outputs[-1].strip().splitlines()[-1])
    assert metrics["linked_visits"] == 500 and len(metrics["estimates"]) == 4
