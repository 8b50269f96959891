"""`kimed demo`: registry, parameter checks, atomic output folders, batch runs, real notebooks.

The runner's mechanics are tested with a three-cell notebook registered for the test (fast:
one kernel start per run); the exposome and OMICS notebooks run end to end through it.
"""

import json
from pathlib import Path

import nbformat
import papermill
import pytest

from kimed_demos import registry, runner
from kimed_demos.registry import Demonstrator
from kimed_hub.cli import main as kimed_main

ROOT = Path(__file__).parents[2]
OURS = {"exposome", "omics"}


def write_toy_notebook(path: Path) -> Path:
    """A notebook that writes one artefact and fails when its input's name contains 'bad'."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            'input_path = ""  # file to process\nrepeat = 1  # how often\noutput_dir = "."',
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell(
            "from pathlib import Path\n"
            "assert 'bad' not in Path(input_path).name, f'cannot process {input_path}'"
        ),
        nbformat.v4.new_code_cell(
            "(Path(output_dir) / 'result.txt').write_text(Path(input_path).name * repeat)"
        ),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A demonstrator 'toy' (batch over *.txt) registered for this test only."""
    notebook = write_toy_notebook(tmp_path / "toy.ipynb")
    demo = Demonstrator("toy", str(notebook), "test notebook", runtime="1 s",
                        batch_parameter="input_path", batch_glob="*.txt")  # fmt: skip
    monkeypatch.setattr(registry, "DEMONSTRATORS", [*registry.DEMONSTRATORS, demo])
    return demo


def run(capsys, *argv) -> tuple[int, str]:
    code = runner.main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


# --- registry ------------------------------------------------------------------------------


def test_registry_names_are_unique_and_include_all_demonstrators():
    names = [d.name for d in registry.DEMONSTRATORS]
    assert len(names) == len(set(names))
    assert {"exposome", "omics", "deid", "deface"} <= set(names)


@pytest.mark.parametrize("demo", registry.DEMONSTRATORS, ids=lambda d: d.name)
def test_registered_notebooks_are_clean_and_declare_their_parameters(demo):
    path = demo.notebook_path(ROOT)
    if not path.is_file():
        assert demo.name not in OURS
        pytest.skip(f"{demo.notebook} not written yet")
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "stored with outputs"
    params = papermill.inspect_notebook(str(path))
    expected = {registry.OUTPUT_PARAMETER, *demo.parameters}
    expected |= {demo.batch_parameter} if demo.batch_parameter else set()
    assert expected <= set(params)


def test_list_shows_every_demonstrator_and_flags_missing_notebooks(capsys, monkeypatch):
    ghost = Demonstrator("ghost", "notebooks/ghost.ipynb", "not written")
    monkeypatch.setattr(registry, "DEMONSTRATORS", [*registry.DEMONSTRATORS, ghost])
    code, out = run(capsys, "list")
    assert code == 0
    for demo in registry.DEMONSTRATORS:
        assert demo.name in out and demo.notebook in out
    assert "ghost.ipynb  (notebook not written yet)" in out


def test_show_lists_parameters_with_types_and_defaults(capsys):
    code, out = run(capsys, "show", "exposome")
    assert code == 0
    assert "-p n_participants   int   = 5000" in out and "output_dir" not in out


def test_kimed_cli_delegates_demo(capsys):
    assert kimed_main(["demo", "list"]) == 0
    assert "exposome" in capsys.readouterr().out


# --- errors the user can act on -------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "nope"], "no demonstrator called 'nope'; known: exposome"),
        (["run", "exposome", "-p", "colour", "red"], "has no parameter 'colour'; it accepts:"),
        (["run", "exposome", "-p", "n_participants", "many"], "expects int (default 5000)"),
        (["run", "exposome", "-p", "beta_pm25", "true"], "expects float"),
        (["run", "exposome", "-p", "output_dir", "x"], "use --output DIR"),
        (["run", "exposome", "--kernel", "no-such-kernel"], "ipykernel install --sys-prefix"),
        (["run", "exposome", "--batch", "."], "exposome takes no input file"),
        (["run", "toy", "--batch", "/nonexistent/*.txt"], "nothing matches /nonexistent/*.txt"),
    ],
)
def test_bad_requests_fail_with_what_to_do(capsys, toy, argv, message):
    code, out = run(capsys, *argv)
    assert code == 2 and message in out


def test_registered_notebook_that_does_not_exist_yet(capsys, monkeypatch):
    ghost = Demonstrator("ghost", "notebooks/ghost.ipynb", "not written")
    monkeypatch.setattr(registry, "DEMONSTRATORS", [*registry.DEMONSTRATORS, ghost])
    code, out = run(capsys, "run", "ghost")
    assert code == 2 and "notebook notebooks/ghost.ipynb does not exist yet" in out


def test_non_empty_output_folder_is_never_overwritten(capsys, tmp_path, toy):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("results")
    code, out = run(capsys, "run", "toy", "--output", str(tmp_path / "out"))
    assert code == 2 and "exists and is not empty" in out


# --- runs ------------------------------------------------------------------------------------


def test_run_moves_the_finished_folder_into_place(capsys, tmp_path, toy):
    src = tmp_path / "in.txt"
    src.write_text("x")
    code, out = run(capsys, "run", "toy", "-p", "input_path", str(src), "-p", "repeat", "2",
                    "--output", str(tmp_path / "out"))  # fmt: skip
    assert code == 0, out
    assert (tmp_path / "out" / "result.txt").read_text() == "in.txtin.txt"
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert record["ok"] and record["parameters"] == {"input_path": str(src), "repeat": 2}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_failed_run_keeps_the_executed_notebook_in_a_failed_folder(capsys, tmp_path, toy):
    code, out = run(capsys, "run", "toy", "-p", "input_path", "bad.txt",
                    "--output", str(tmp_path / "out"))  # fmt: skip
    assert code == 1 and "AssertionError: cannot process" in out
    assert not (tmp_path / "out").exists()
    failed = tmp_path / "out-failed"
    executed = nbformat.read(failed / "toy.ipynb", as_version=4)
    assert any(
        o.get("ename") == "AssertionError" for c in executed.cells for o in c.get("outputs", [])
    )
    assert json.loads((failed / "run.json").read_text())["ok"] is False


def test_batch_runs_every_input_and_fails_overall_if_one_failed(capsys, tmp_path, toy):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for name in ("a.txt", "bad.txt", "c.txt", "ignored.csv"):
        (inputs / name).write_text(name)
    code, out = run(capsys, "run", "toy", "--batch", str(inputs), "--output", str(tmp_path / "b"))
    assert code == 1
    batch = tmp_path / "b"
    assert (batch / "a" / "result.txt").read_text() == "a.txt"
    assert (batch / "c" / "result.txt").exists() and (batch / "bad-failed" / "toy.ipynb").exists()
    summary = json.loads((batch / "batch-summary.json").read_text())
    assert [(Path(r["input"]).name, r["ok"]) for r in summary] == [
        ("a.txt", True), ("bad.txt", False), ("c.txt", True)
    ]  # fmt: skip
    assert "2 succeeded, 1 failed" in out and "| bad.txt | FAILED |" in out


def test_batch_accepts_a_glob(capsys, tmp_path, toy):
    for name in ("one.txt", "two.txt"):
        (tmp_path / name).write_text(name)
    code, out = run(capsys, "run", "toy", "--batch", str(tmp_path / "*.txt"),
                    "--output", str(tmp_path / "b"))  # fmt: skip
    assert code == 0 and "2 succeeded, 0 failed" in out


def test_exposome_notebook_runs_through_the_runner(capsys, tmp_path):
    out = tmp_path / "exposome"
    code, log = run(capsys, "run", "exposome", "-p", "n_participants", "500", "--output", str(out))
    assert code == 0, log
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["linked_visits"] == 500 and len(metrics["estimates"]) == 4
    assert (out / "figures" / "estimates.png").exists()
    assert (out / "tables" / "disclosure_report.csv").exists()


def test_omics_notebook_runs_through_the_runner(capsys, tmp_path):
    out = tmp_path / "omics"
    code, log = run(capsys, "run", "omics", "--output", str(out))
    assert code == 0, log
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["clusters"] >= 6 and "B cells" in metrics["cell_types"].values()
    assert {p.name for p in (out / "figures").iterdir()} == {
        "qc_violins.png", "umap.png", "marker_dotplot.png"
    }  # fmt: skip
