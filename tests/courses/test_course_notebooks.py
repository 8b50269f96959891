"""Every course notebook runs and still shows the outputs it stores (nbval), and the
catalogue, kernels and exercise markup agree.

The stored notebooks are the instructors' versions with the solutions' outputs; nbval
re-executes each in the host venv's kernel (which has every demonstrator library, like
the curated kernels in the image) and compares outputs, apart from cells tagged
``nbval-ignore-output`` and the patterns in ``courses/nbval-sanitize.cfg``. A broken
course (a library change, a wrong stored output, a failing check) fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kimed_hub.paths import project_root
from kimed_hub.training import check_cells, load_catalogue
from kimed_hub.training.notebooks import BEGIN, END

CATALOGUE = load_catalogue()
ROOT = project_root()


def test_five_courses_with_titles_in_both_languages():
    assert len(CATALOGUE) >= 5
    for course in CATALOGUE.values():
        assert course.title["de"] != course.title["en"], course.id
        assert (ROOT / "kernels" / course.kernel / "kernel.json").is_file(), course.kernel


@pytest.mark.parametrize("course_id", list(CATALOGUE))
def test_exercises_have_solutions_and_checks(course_id):
    """Each notebook: at least one check; every exercise cell marks its solution; every
    check's stored output says it passed (the stored outputs are the solutions')."""
    for path in CATALOGUE[course_id].notebook_paths():
        notebook = json.loads(path.read_text())
        checks = check_cells(notebook)
        assert checks, f"{path.name} has no graded check cell"
        assert len({c.grade_id for c in checks}) == len(checks), f"{path.name}: duplicate ids"
        for cell in notebook["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            source = "".join(cell["source"])
            if meta.get("solution"):
                assert BEGIN in source and END in source, f"{path.name}: {source[:60]!r}"
            if meta.get("grade"):
                printed = "".join("".join(o.get("text", "")) for o in cell["outputs"])
                assert f"{meta['grade_id']} passed" in printed, f"{path.name} {meta['grade_id']}"


@pytest.mark.parametrize("course_id", list(CATALOGUE))
def test_course_runs_under_nbval(course_id):
    """nbval over the course's notebooks, in a pytest of its own (nbval collects .ipynb
    files given on its command line; the suite's own options stay out of it)."""
    paths = [str(p) for p in CATALOGUE[course_id].notebook_paths()]
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
        "--nbval", "--nbval-current-env", "--nbval-cell-timeout=300",
        "--nbval-sanitize-with", str(ROOT / "courses" / "nbval-sanitize.cfg"), *paths,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
