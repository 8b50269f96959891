"""Workshop requests: every problem named at once, nothing accepted that breaks policy."""

from __future__ import annotations

from datetime import date

import pytest

from kimed_hub.training.errors import WorkshopInputError
from kimed_hub.training.plans import check_plan
from kimed_hub.training.policy import training_policy

TODAY = date(2026, 3, 2)
POLICY = training_policy()


def _fields(**changes):
    fields = {
        "title": "SDC basics",
        "course": "disclosure-control",
        "starts": "2026-03-02",
        "ends": "2026-03-03",
        "new_accounts": "5",
        "enrol": "",
    }
    fields.update(changes)
    return fields


def test_a_good_request_becomes_a_plan():
    plan = check_plan(_fields(enrol="trainee, Trainee2"), POLICY, TODAY)
    assert plan.size == 7 and plan.enrol == ("trainee", "trainee2")
    assert plan.starts == TODAY and plan.course_id == "disclosure-control"


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"new_accounts": str(POLICY.max_participants + 1)}, "at most 30 per workshop"),
        ({"starts": "2026-03-01", "ends": "2026-03-01"}, "is in the past"),
        ({"course": "astrology"}, "'astrology' is not a course"),
        ({"ends": "2026-03-01"}, "before the start"),
        ({"ends": "2026-04-30"}, "at most 14 days"),
        ({"starts": "next week"}, "is not a date"),
        ({"title": "  "}, "give the workshop a title"),
        ({"new_accounts": "0"}, "none given"),
        ({"new_accounts": "-3"}, "0 or more"),
        ({"enrol": "ok, Robert'); DROP"}, "are not account names"),
    ],
)
def test_bad_requests_say_what_is_wrong(changes, says):
    with pytest.raises(WorkshopInputError) as caught:
        check_plan(_fields(**changes), POLICY, TODAY)
    assert says in str(caught.value)
    assert caught.value.http_status == 400


def test_every_problem_is_listed_in_one_answer():
    with pytest.raises(WorkshopInputError) as caught:
        check_plan(_fields(course="x", starts="2020-01-01", new_accounts="99"), POLICY, TODAY)
    message = str(caught.value)
    assert "course" in message and "in the past" in message and "participants" in message
