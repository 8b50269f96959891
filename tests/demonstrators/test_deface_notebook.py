"""The defacing notebook runs under papermill with the venv's python3 kernel, at 2 mm.

Select it alone with ``pytest tests/demonstrators/test_deface_notebook.py``.
"""

import csv
import json
import time
from pathlib import Path

import nbformat
import papermill

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "deface_mri.ipynb"
# Measured 28-38 s on two busy cores (four registrations at 2 mm); the issue asks < 2 min.
TIME_LIMIT_S = 120


def test_notebook_is_stored_without_outputs_and_has_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for name in ("input_path", "output_dir", "seed"):
        assert f"{name} = " in code[0].source
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_notebook_runs_under_papermill_at_2_mm(tmp_path):
    out_dir = tmp_path / "artefacts"
    started = time.monotonic()
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "executed.ipynb"),
        parameters={"spacing_mm": 2.0, "n_simulated": 1, "seed": 1, "output_dir": str(out_dir)},
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    assert time.monotonic() - started < TIME_LIMIT_S
    report = json.loads((out_dir / "ch2_qc.json").read_text())
    assert report["passed"] and report["spacing_mm"] == 2.0
    assert (out_dir / "ch2_qc.png").read_bytes()[:4] == b"\x89PNG"
    assert (out_dir / "ch2_defaced.nii.gz").is_file()
    with open(out_dir / "batch" / "summary.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["passed"] for row in rows] == ["True"]
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    text = json.dumps([c.get("outputs", []) for c in executed.cells])
    assert "mirrored front-back" in text and "registration_geometry" in text


def test_notebook_defaces_another_head_given_as_input_path(tmp_path):
    """The runner's batch parameter: any head, with the Colin27 demonstrations skipped."""
    from kimed_demos.deface.data import pydeface_file

    out_dir = tmp_path / "artefacts"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "executed.ipynb"),
        parameters={
            "input_path": str(pydeface_file("mean_reg2mean.nii.gz")),
            "spacing_mm": 2.0,
            "n_simulated": 0,
            "output_dir": str(out_dir),
        },
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    report = json.loads((out_dir / "mean_reg2mean_qc.json").read_text())
    assert report["passed"], report["failures"]
    assert "warped" in report["checks"]["brain_untouched"]["brain_mask"]
    assert not (out_dir / "batch").exists()
