"""Grading in the locked container: every course's solutions pass in the image's curated
kernels (nbval proves the host; this proves the workbench), untouched or wrong work fails
with feedback, and trainee code in the grader reaches no network and cannot write."""

from __future__ import annotations

import copy
import json

import pytest

from kimed_hub.runtime import detect
from kimed_hub.testing import Canary, new_prefix
from kimed_hub.training import load_catalogue, trainee_version
from kimed_hub.training.grading import GradingSandbox, grade
from kimed_hub.training.policy import training_policy

pytestmark = pytest.mark.integration
CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def sandbox(singleuser_image):
    # as the portal makes it: the client is created at first use (see GradingSandbox.api)
    runtime = detect().base_url
    return GradingSandbox(None, singleuser_image, training_policy(), new_prefix("g"), runtime)


def _notebooks(course, version=lambda nb: nb) -> dict:
    return {p.name: version(json.loads(p.read_text())) for p in course.notebook_paths()}


@pytest.mark.parametrize("course_id", list(CATALOGUE))
def test_solutions_pass_in_the_curated_kernels(sandbox, course_id):
    course = CATALOGUE[course_id]
    results = grade(sandbox, course, "solver", _notebooks(course))
    failed = [(r.notebook, r.grade_id, r.feedback) for r in results if not r.passed]
    assert results and not failed, failed


def test_untouched_missing_and_wrong_work_fail_with_feedback(sandbox):
    course = CATALOGUE["secure-environment"]
    handed_in = _notebooks(course, trainee_version)
    first, second = course.notebooks
    attempt = copy.deepcopy(handed_in[first])
    for cell in attempt["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "ex1-answer":
            cell["source"] = "answers = {i: 'data' for i in range(1, 6)}"
    results = grade(sandbox, course, "t", {first: attempt, second: None})
    by_check = {(r.notebook, r.grade_id): r for r in results}
    assert not any(r.passed for r in results)
    assert "Rule 1" in by_check[(first, "ex1")].feedback  # the check's own message
    assert "NotImplementedError" in by_check[(first, "ex2")].feedback
    assert by_check[(second, "ex1")].feedback.startswith("Not handed in")
    untouched = grade(sandbox, course, "t", handed_in)
    assert all(r.feedback.startswith("Not attempted") for r in untouched)


def test_trainee_code_in_the_grader_reaches_nothing_and_writes_nothing(sandbox):
    course = CATALOGUE["secure-environment"]
    canary = Canary()
    probe = f"""
import socket, pathlib
outcome = []
for host in ("127.0.0.1", "10.0.2.2"):
    try:
        socket.create_connection((host, {canary.port}), timeout=3).close()
        outcome.append("reached " + host)
    except OSError:
        outcome.append("blocked")
for path in ("/opt/kimed/x", "/grading/x", "/home/jovyan/x"):
    try:
        pathlib.Path(path).write_text("x")
        outcome.append("wrote " + path)
    except OSError:
        outcome.append("blocked")
assert outcome == ["blocked"] * 5, outcome
answers = {{1: "settings", 2: "projects", 3: "outputs", 4: "people", 5: "data"}}
"""
    notebook = trainee_version(json.loads(course.notebook_paths()[0].read_text()))
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "ex1-answer":
            cell["source"] = probe
    try:
        results = grade(sandbox, course, "t", {course.notebooks[0]: notebook})
    finally:
        canary.close()
    ex1 = next(r for r in results if r.grade_id == "ex1" and r.notebook == course.notebooks[0])
    assert ex1.passed, ex1.feedback  # every probe was blocked, so the answer stood
    assert canary.hits == 0
