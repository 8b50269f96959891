"""Course notebooks: the trainee version of an instructor notebook, and its graded cells.

Notebooks use nbgrader's cell metadata and markers, so they stay usable with nbgrader:
an exercise cell (``nbgrader.solution``) holds the instructor's answer between
``### BEGIN SOLUTION`` and ``### END SOLUTION``; a check cell (``nbgrader.grade`` with a
``grade_id`` and ``points``) asserts and ends by printing that it passed. The trainee
version replaces each answer by ``raise NotImplementedError()`` and drops every output,
so no solution reaches a trainee's server, not even as a stored output.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
_SOLUTION = re.compile(
    rf"^([ \t]*){re.escape(BEGIN)}[ \t]*\n(.*?)^[ \t]*{re.escape(END)}[ \t]*$", re.M | re.S
)


@dataclass(frozen=True)
class CheckCell:
    """One graded cell: its id, points and source (the instructor's, authoritative)."""

    grade_id: str
    points: float
    source: str


def _nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def strip_solution(source: str) -> str:
    """``source`` with every solution region replaced by the stub, at its indentation."""

    def stub(match: re.Match) -> str:
        # The solution's own indentation wins over the marker's: a marker written at the
        # left margin inside a function must not move the stub out of the function.
        body = [line for line in match.group(2).split("\n") if line.strip()]
        indent = re.match(r"[ \t]*", body[0]).group() if body else match.group(1)
        return "\n".join(indent + line for line in STUB.split("\n"))

    return _SOLUTION.sub(stub, source)


def trainee_version(notebook: dict) -> dict:
    """A copy of ``notebook`` without solutions and without any output."""
    release = copy.deepcopy(notebook)
    for cell in release["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            if _nbgrader(cell).get("solution"):
                cell["source"] = strip_solution(_source(cell))
        cell.get("metadata", {}).pop("execution", None)
    return release


def check_cells(notebook: dict) -> list[CheckCell]:
    """The graded cells in notebook order."""
    return [
        CheckCell(meta["grade_id"], float(meta.get("points", 0)), _source(cell))
        for cell in notebook["cells"]
        if (meta := _nbgrader(cell)).get("grade") and cell["cell_type"] == "code"
    ]


def with_reference_checks(submission: dict, reference: dict) -> dict:
    """``submission`` with each check cell's source set to the reference's (matched by
    grade_id): a trainee who edits a check cannot change what it asserts. Check cells
    the trainee deleted are put back at the end, so a deleted check still counts as failed
    instead of disappearing."""
    wanted = {c.grade_id: c for c in check_cells(reference)}
    merged, seen = copy.deepcopy(submission), set()
    for cell in merged["cells"]:
        grade_id = _nbgrader(cell).get("grade_id")
        if _nbgrader(cell).get("grade") and grade_id in wanted:
            cell["source"] = wanted[grade_id].source
            seen.add(grade_id)
        elif _nbgrader(cell).get("grade"):
            cell["metadata"]["nbgrader"]["grade"] = False  # an invented check earns nothing
    for grade_id, check in wanted.items():
        if grade_id not in seen:
            merged["cells"].append(_check_cell(check))
    return merged


def _check_cell(check: CheckCell) -> dict:
    return {
        "id": f"check-{check.grade_id}"[:64],
        "cell_type": "code",
        "execution_count": None,
        "metadata": {
            "nbgrader": {
                "grade": True,
                "grade_id": check.grade_id,
                "points": check.points,
                "solution": False,
                "locked": True,
                "schema_version": 3,
            }
        },
        "outputs": [],
        "source": check.source,
    }


def check_results(executed: dict) -> dict[str, bool]:
    """{grade_id: passed} of an executed notebook: a check passed when its cell ran and
    raised nothing. Cells that never ran (the kernel died, the time ran out) fail."""
    results = {}
    for cell in executed["cells"]:
        meta = _nbgrader(cell)
        if not (meta.get("grade") and cell["cell_type"] == "code"):
            continue
        ran = cell.get("execution_count") is not None
        failed = any(out.get("output_type") == "error" for out in cell.get("outputs", []))
        results[meta["grade_id"]] = ran and not failed
    return results
