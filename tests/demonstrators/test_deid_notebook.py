"""The de-identification notebook runs under papermill with the venv's python3 kernel.

Select it alone with ``pytest tests/demonstrators/test_deid_notebook.py``.
"""

import json
from pathlib import Path

import nbformat
import papermill

from .conftest import SMALL_MODEL

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "deid_german_clinical.ipynb"


def test_notebook_is_stored_without_outputs_and_has_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_notebook_runs_under_papermill(tmp_path, small_model):
    out_dir = tmp_path / "artefacts"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "executed.ipynb"),
        parameters={
            "n_documents": 12,
            "seed": 3,
            "operator": "mask",
            "keep_length": True,
            "output_dir": str(out_dir),
            "model_dir": str(small_model),
            "train_documents": SMALL_MODEL["n_documents"],
            "train_epochs": SMALL_MODEL["epochs"],
        },
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert metrics["n_documents"] == 12 and metrics["operator"] == "mask"
    assert metrics["span"]["DATE"]["support"] > 0
    assert (out_dir / "scores.png").read_bytes()[:4] == b"\x89PNG"
    originals = sorted((out_dir / "original").glob("*.txt"))
    masked = sorted((out_dir / "deidentified").glob("*.txt"))
    assert len(originals) == len(masked) == 12
    assert all(
        len(a.read_text()) == len(b.read_text()) for a, b in zip(originals, masked, strict=True)
    )
