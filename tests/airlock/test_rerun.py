"""The re-run's comparison: a notebook executed with papermill regenerates the outputs;
a submitted table that differs from what the notebook produces is detected, a matching
one (also after floating-point noise) is not. (The re-run in a real locked container:
tests/integration/test_airlock_rerun.py.)"""

from __future__ import annotations

import nbformat
import papermill
import pytest

from kimed_hub.airlock import ExportRequests
from kimed_hub.airlock.rerun import compare
from kimed_hub.airlock.service import RerunUnavailable
from kimed_hub.errors import BadInput

from .conftest import ALICE, JUSTIFICATION

CODE = """
import pandas as pd
table = pd.DataFrame({"age_group": ["18-39", "40-64"], "n": [28, 80], "mean_cost": [1/3, 2/3]})
table.to_csv("out.csv", index=False)
"""


@pytest.fixture
def regenerated(tmp_path) -> bytes:
    notebook = tmp_path / "analysis.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE)]), notebook)
    executed = str(tmp_path / "executed.ipynb")
    papermill.execute_notebook(
        str(notebook), executed, kernel_name="python3", cwd=str(tmp_path), progress_bar=False
    )
    return (tmp_path / "out.csv").read_bytes()


def test_matching_and_differing_tables(regenerated):
    assert compare(regenerated, regenerated, "table", 1e-9) == {
        "match": True, "how": "sha256", "detail": "identical"
    }  # fmt: skip
    noisy = regenerated.replace(b"0.3333333333333333", b"0.33333333333333331")
    assert compare(noisy, regenerated, "table", 1e-9)["match"]
    changed = regenerated.replace(b"28", b"31")  # the submitted table was edited by hand
    result = compare(changed, regenerated, "table", 1e-9)
    assert not result["match"] and result["detail"] == "differs at row 1, column n"
    assert "31" not in result["detail"] and "28" not in result["detail"]
    assert not compare(regenerated, None, "table", 1e-9)["match"]


def test_recorded_rerun_is_shown_per_file_and_audited(airlock, reader, home, regenerated):
    (home / "out" / "cost.csv").write_bytes(regenerated.replace(b"28", b"31"))
    request = airlock.create(ALICE, reader, ["out/cost.csv"], JUSTIFICATION)
    after = airlock.record_rerun(request.request_id, {"out/cost.csv": regenerated})
    assert after.files[0].rerun["match"] is False
    assert airlock.history(request.request_id)[-1].details == {"match": {"out/cost.csv": False}}


def test_failed_rerun_says_why_for_every_missing_output(airlock, reader, home, regenerated):
    (home / "out" / "cost.csv").write_bytes(regenerated)
    request = airlock.create(ALICE, reader, ["out/cost.csv"], JUSTIFICATION)
    failure = "the notebook failed: cell 2 raised KeyError"
    after = airlock.record_rerun(request.request_id, {}, failure)
    assert after.files[0].rerun == {"match": False, "how": "missing", "detail": failure}
    assert airlock.history(request.request_id)[-1].details["failure"] == failure


def test_rerun_needs_a_runner_and_a_notebook(store, tmp_path, reader, home):
    airlock = ExportRequests(store, tmp_path / "airlock")
    request = airlock.create(ALICE, reader, ["out/table.csv"], JUSTIFICATION)
    with pytest.raises(RerunUnavailable, match="not configured"):
        airlock.rerun(request.request_id)
    airlock.rerunner = object()  # never called: the request has no notebook
    with pytest.raises(BadInput, match="carries no notebook"):
        airlock.rerun(request.request_id)


class RecordingRunner:
    """Stands in for the container (tests/airlock/test_rerun_container.py runs the real
    one): records which requests it ran and regenerates the submitted table exactly."""

    def __init__(self, table: bytes):
        self.table, self.ran = table, []

    def run(self, request_id, requester, notebook, outputs, timeout):
        from kimed_hub.airlock.rerun_container import RerunOutcome

        self.ran.append(request_id)
        return RerunOutcome({name: self.table for name in outputs})


def test_a_rerun_cut_off_by_a_restart_runs_again(store, tmp_path, reader, home, regenerated):
    (home / "out" / "cost.csv").write_bytes(regenerated)
    (home / "analysis.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    before = ExportRequests(store, tmp_path / "airlock")  # a portal without the re-run
    request = before.create(
        ALICE, reader, ["out/cost.csv"], JUSTIFICATION, notebook="analysis.ipynb"
    )
    before.submit(request.request_id, ALICE)
    runner = RecordingRunner(regenerated)
    after = ExportRequests(store, tmp_path / "airlock", rerunner=runner)  # restarted
    after._reruns.shutdown(wait=True)  # the queued re-run has finished
    assert runner.ran == [request.request_id]
    assert after.get(request.request_id).outputs[0].rerun["match"] is True
    again = ExportRequests(store, tmp_path / "airlock", rerunner=runner)  # recorded: not again
    again._reruns.shutdown(wait=True)
    assert runner.ran == [request.request_id]
