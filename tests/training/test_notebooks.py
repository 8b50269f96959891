"""Trainee versions carry no solution, checks fail on wrong or missing answers and pass
on the solutions, and a trainee cannot change what a check asserts."""

from __future__ import annotations

import copy
import json

import nbformat
import pytest
from nbclient import NotebookClient

from kimed_hub.training import check_cells, check_results, load_catalogue, trainee_version
from kimed_hub.training.notebooks import BEGIN, END, STUB, strip_solution, with_reference_checks

CATALOGUE = load_catalogue()
FIVE_SAFES = CATALOGUE["secure-environment"].notebook_paths()[0]


def _load(path):
    return json.loads(path.read_text())


def _run(notebook: dict) -> dict:
    """Execute on the host with the venv's kernel (instructor and test code only)."""
    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True).execute()
    return nb


def _answer(notebook: dict, grade_id: str, source: str) -> dict:
    """``notebook`` with the exercise cell for ``grade_id`` replaced by ``source``."""
    changed = copy.deepcopy(notebook)
    for cell in changed["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == f"{grade_id}-answer":
            cell["source"] = source
    return changed


@pytest.mark.parametrize("course_id", list(CATALOGUE))
def test_trainee_versions_hold_no_solution_and_no_output(course_id):
    for path in CATALOGUE[course_id].notebook_paths():
        reference = _load(path)
        release = trainee_version(reference)
        text = json.dumps(release)
        assert BEGIN not in text and "SOLUTION" not in text
        assert all(not c.get("outputs") for c in release["cells"] if c["cell_type"] == "code")
        assert [c.grade_id for c in check_cells(release)] == [
            c.grade_id for c in check_cells(reference)
        ]
        # the instructor's copy is unchanged
        assert BEGIN in path.read_text()


def test_strip_keeps_the_indentation_and_the_surrounding_code():
    source = f"def f():\n    x = 1\n    {BEGIN}\n    return x\n    ### END SOLUTION\nprint(f)"
    stripped = strip_solution(source)
    assert (
        stripped
        == "def f():\n    x = 1\n"
        + "\n".join("    " + line for line in STUB.split("\n"))
        + "\nprint(f)"
    )


def test_checks_fail_on_the_trainee_version_and_a_wrong_answer_and_pass_on_the_solution():
    reference = _load(FIVE_SAFES)
    assert set(check_results(_run(reference)).values()) == {True}
    assert set(check_results(_run(trainee_version(reference))).values()) == {False}
    wrong = _answer(trainee_version(reference), "ex1", "answers = {i: 'data' for i in range(1, 6)}")
    executed = _run(wrong)
    assert check_results(executed) == {"ex1": False, "ex2": False}
    error = next(
        o
        for c in executed["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "ex1"
        for o in c["outputs"]
        if o["output_type"] == "error"
    )
    assert "Rule 1" in error["evalue"]  # the check's own message is the feedback


def test_a_trainee_cannot_weaken_or_delete_a_check():
    reference = _load(FIVE_SAFES)
    submission = trainee_version(reference)
    for cell in submission["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "ex1":
            cell["source"] = "pass  # checked, honest"
    submission["cells"] = [
        c for c in submission["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != "ex2"
    ]
    merged = with_reference_checks(submission, reference)
    assert check_cells(merged) == check_cells(reference)
    assert check_results(_run(merged)) == {"ex1": False, "ex2": False}


def test_cells_that_never_ran_count_as_failed():
    reference = _load(FIVE_SAFES)
    assert set(check_results(trainee_version(reference)).values()) == {False}


def test_a_marker_at_the_margin_keeps_the_stub_inside_the_function():
    source = f'def f():\n    "doc"\n{BEGIN}\n    return 1\n{END}\n'
    namespace: dict = {}
    exec(strip_solution(source), namespace)  # defines f without raising
    with pytest.raises(NotImplementedError):
        namespace["f"]()
