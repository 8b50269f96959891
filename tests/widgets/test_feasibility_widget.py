"""The feasibility widget against the stand-in portal: what it sends, what it shows.

The real portal's answers to the same rows are checked in
tests/interop/test_feasibility_portal.py (same row format, same endpoint)."""

from __future__ import annotations

from kimed_widgets import feasibility, render

from .conftest import Answer

ANSWER = {
    "dataset": "mii-demo",
    "count": "140",
    "suppressed": False,
    "remaining_queries": 19,
    "protection": {"min_count": 10, "round_to": 10, "noise": 3, "quota_queries": 20,
                   "quota_hours": 24},
}  # fmt: skip
PATH = "datasets/mii-demo/feasibility"


def test_rows_go_to_the_portal_and_the_answer_is_shown(portal):
    portal.routes[("POST", PATH)] = Answer(body=ANSWER)
    widget = feasibility("mii-demo", client=portal.client())
    first = widget.rows.children[0]
    first.kind.value, first.codes.value, first.start.value = "diagnosis", "E11*, I10", "2020-01-01"
    second = widget.add_row()
    second.kind.value, second.codes.value = "lab", "4548-4"
    second.low.value, second.unit.value, second.at_least.value = "6,5", "%", "2"
    second.within.value, second.exclude.value = "365", True
    widget.reference_date.value = "2024-12-31"
    widget.count_button.click()
    (sent,) = portal.calls_to("POST", PATH)
    assert sent.headers["Authorization"] == "token secret-token"
    assert sent.body == {
        "criteria": [
            {"kind": "diagnosis", "codes": ["E11*", "I10"], "from": "2020-01-01"},
            {"kind": "lab", "codes": ["4548-4"], "min": 6.5, "unit": "%", "at_least": 2,
             "within_days": 365, "exclude": True},
        ],
        "reference_date": "2024-12-31",
    }  # fmt: skip
    shown = render.plain(widget.result.value)
    assert "Patients meeting the criteria: 140" in shown and "19 questions left" in shown
    assert widget.notice.shown == ""


def test_refusals_and_bad_numbers_show_a_message_and_no_count(portal):
    portal.routes[("POST", PATH)] = Answer(
        429, {"error": "quota_exceeded", "message": "rita has used all 20 feasibility queries"}
    )
    widget = feasibility("mii-demo", client=portal.client())
    widget.rows.children[0].codes.value = "E11*"
    widget.count_button.click()
    assert widget.notice.shown == "rita has used all 20 feasibility queries"
    assert widget.result.value == ""
    widget.rows.children[0].at_least.value = "two"
    widget.count_button.click()
    assert "at_least: 'two' is not a number" in widget.notice.shown
    assert len(portal.calls_to("POST", PATH)) == 1  # the bad number was never sent
    for _ in range(20):
        widget.add_row()
    assert len(widget.rows.children) == 12 and "At most 12" in widget.notice.shown
