"""The airlock widgets: a release request against the stand-in portal (shapes of the
airlock API), and "what would fail" on generated tables with ACRO for real.

The stand-in proves what the widget sends and shows for given answers; the real portal's
answers to the same calls are checked in tests/integration/test_airlock_api.py (same
endpoints) and the checks themselves in tests/demonstrators/test_disclosure_generated.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kimed_widgets import release_request, render, what_would_fail

from .conftest import Answer

HOME = {
    "path": "out",
    "entries": [
        {"name": "figure.png", "kind": "file", "size": 2048, "requestable": True},
        {"name": "passwd.csv", "kind": "link", "size": None, "requestable": False},
        {"name": "run.sh", "kind": "file", "size": 10, "requestable": False},
        {"name": "table.csv", "kind": "file", "size": 90, "requestable": True},
        {"name": "old", "kind": "folder", "size": None, "requestable": False},
    ],
}
CREATED = {
    "id": "ER-7",
    "state": "IN_REVIEW",
    "file_details": [
        {
            "name": "out/table.csv",
            "role": "output",
            "check_status": "fail",
            "findings": [
                {
                    "rule": "threshold",
                    "message": "threshold: fewer than 10 contributors",
                    "cells": [{"row": "18-39 / m", "column": "n"}],
                }
            ],
        },
        {"name": "out/figure.png", "role": "output", "check_status": "review", "findings": []},
        {"name": "analysis.ipynb", "role": "notebook", "check_status": "pass", "findings": []},
    ],
}
WHY = "Table 2 of the paper: counts by age group and sex."


def test_lists_what_the_airlock_would_take_and_why_not_the_rest(portal):
    portal.routes[("GET", "airlock/home")] = Answer(body=HOME)
    widget = release_request(client=portal.client(), folder="out")
    assert portal.calls[0].params == [("path", "out")]
    assert widget.files.options == ("out/figure.png", "out/table.csv")
    hidden = render.plain(widget.not_requestable.value)
    assert "passwd.csv: a link: never released" in hidden
    assert "run.sh: a file type the policy does not allow" in hidden
    assert "old" not in hidden  # folders are not files


def test_submits_the_chosen_files_and_shows_the_checks_without_values(portal):
    portal.routes[("GET", "airlock/home")] = Answer(body=HOME)
    portal.routes[("POST", "airlock/requests")] = Answer(201, CREATED)
    widget = release_request(client=portal.client(), folder="out", notebook="analysis.ipynb")
    widget.files.value = ("out/table.csv", "out/figure.png")
    widget.justification.value = WHY
    widget.submit_button.click()
    (call,) = portal.calls_to("POST", "airlock/requests")
    assert call.body == {
        "files": ["out/table.csv", "out/figure.png"],
        "justification": WHY,
        "title": "",
        "submit": True,
        "notebook": "analysis.ipynb",
    }
    shown = render.plain(widget.result.value)
    assert "threshold: fewer than 10 contributors: row 18-39 / m / column n" in shown
    assert "analysis.ipynb" not in shown  # the notebook is never released
    assert 'href="/services/portal/airlock/ER-7"' in widget.result.value
    assert widget.notice.shown.startswith("ER-7 is IN_REVIEW: two output checkers")


def test_nothing_chosen_or_refused_shows_a_message(portal):
    portal.routes[("GET", "airlock/home")] = Answer(body=HOME)
    portal.routes[("POST", "airlock/requests")] = Answer(
        400, {"error": "bad_input", "message": "The justification must say why ..."}
    )
    widget = release_request(client=portal.client(), folder="out")
    widget.submit_button.click()
    assert widget.notice.shown == "Choose at least one file to release."
    assert not portal.calls_to("POST", "airlock/requests")
    widget.files.value = ("out/table.csv",)
    widget.submit_button.click()
    assert widget.notice.shown == "The justification must say why ..."
    assert widget.result.value == ""


def test_no_home_yet_is_a_message(portal):
    portal.routes[("GET", "airlock/home")] = Answer(
        400, {"error": "bad_input", "message": "researcher has no home yet: start your server"}
    )
    widget = release_request(client=portal.client())
    assert widget.notice.shown == "researcher has no home yet: start your server"
    assert widget.files.options == ()


def cohort(small_cell: bool) -> pd.DataFrame:
    """Microdata: 40 people per age group and sex, or only 3 men aged 18-39."""
    rng = np.random.default_rng(7)
    groups = [("18-39", "f", 40), ("18-39", "m", 3 if small_cell else 40)]
    groups += [("40-64", "f", 40), ("40-64", "m", 40)]
    rows = [(age, sex) for age, sex, n in groups for _ in range(n)]
    data = pd.DataFrame(rows, columns=["age_group", "sex"])
    data["cost"] = rng.gamma(2.0, 500.0, len(data))
    return data


def test_what_would_fail_names_the_small_cell_and_never_its_count():
    view = what_would_fail(cohort(small_cell=True), "age_group", "sex")
    assert not view.check.passed
    shown = render.plain(view.cells.value)
    assert "18-39" in shown and "m" in shown and "threshold" in shown
    assert view.cells.value.count('class="kimed-failing-cell"') == 1
    assert ">3<" not in view.cells.value  # the count itself is never shown
    assert "SUPPRESSED 1 of 4 cells" in render.plain(view.verdict.value)


def test_what_would_fail_passes_a_safe_table_with_magnitudes():
    view = what_would_fail(cohort(small_cell=False), "age_group", "sex", values="cost")
    assert view.check.passed
    assert "No cell would fail" in render.plain(view.cells.value)
