"""Checking a workshop request before anything is created: every problem at once.

An instructor's form (or API call) becomes a :class:`WorkshopPlan` only when all of it
is right: a known course, a title, dates that are not in the past and not longer or
further ahead than policies/training.yaml allows, and a size within the policy's maximum
(temporary accounts plus enrolled existing trainees). Otherwise
:class:`~.errors.WorkshopInputError` lists each problem with what to do, and nothing
was created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .catalogue import load_catalogue
from .errors import WorkshopInputError
from .policy import TrainingPolicy

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MAX_TITLE = 120


@dataclass(frozen=True)
class WorkshopPlan:
    """A checked workshop request."""

    title: str
    course_id: str
    starts: date
    ends: date
    new_accounts: int  # temporary trainee accounts to create
    enrol: tuple[str, ...]  # existing users to enrol

    @property
    def size(self) -> int:
        """Participants in all."""
        return self.new_accounts + len(self.enrol)


def _date(value, field: str, problems: list[str]) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        problems.append(f"{field}: {value!r} is not a date; give it as YYYY-MM-DD.")
        return None


def _count(value, problems: list[str]) -> int:
    try:
        number = int(str(value if value not in (None, "") else 0).strip())
    except ValueError:
        problems.append(f"new accounts: {value!r} is not a whole number.")
        return 0
    if number < 0:
        problems.append("new accounts: give 0 or more.")
    return max(number, 0)


def _enrolled(value, problems: list[str]) -> tuple[str, ...]:
    names = value if isinstance(value, list | tuple) else re.split(r"[\s,;]+", value or "")
    names = tuple(dict.fromkeys(n.strip().lower() for n in names if n and n.strip()))
    bad = [n for n in names if not _USERNAME.match(n)]
    if bad:
        problems.append(f"enrol: {', '.join(map(repr, bad))} are not account names.")
    return names


def check_plan(fields: dict, policy: TrainingPolicy, today: date) -> WorkshopPlan:
    """A WorkshopPlan from form or JSON ``fields`` (title, course, starts, ends,
    new_accounts, enrol), or WorkshopInputError naming every problem."""
    problems: list[str] = []
    title = " ".join(str(fields.get("title") or "").split())
    if not title:
        problems.append("title: give the workshop a title.")
    elif len(title) > MAX_TITLE:
        problems.append(f"title: at most {MAX_TITLE} characters (has {len(title)}).")
    course_id = str(fields.get("course") or "")
    catalogue = load_catalogue()
    if course_id not in catalogue:
        problems.append(
            f"course: {course_id!r} is not a course; choose one of {', '.join(catalogue)}."
        )
    starts = _date(fields.get("starts"), "starts", problems)
    ends = _date(fields.get("ends"), "ends", problems)
    _check_dates(starts, ends, policy, today, problems)
    new_accounts = _count(fields.get("new_accounts"), problems)
    enrol = _enrolled(fields.get("enrol"), problems)
    size = new_accounts + len(enrol)
    if size == 0:
        problems.append("participants: create temporary accounts or enrol trainees (none given).")
    if size > policy.max_participants:
        problems.append(
            f"participants: {size} asked for, at most {policy.max_participants} per workshop "
            "(policies/training.yaml). Split the group into several workshops."
        )
    if problems:
        raise WorkshopInputError("The workshop was not created:\n  - " + "\n  - ".join(problems))
    return WorkshopPlan(title, course_id, starts, ends, new_accounts, enrol)


def _check_dates(starts, ends, policy: TrainingPolicy, today: date, problems: list[str]):
    if starts is None or ends is None:
        return
    if starts < today:
        problems.append(f"starts: {starts} is in the past (today is {today}).")
    if ends < starts:
        problems.append(f"ends: {ends} is before the start ({starts}).")
    elif (ends - starts).days + 1 > policy.max_days:
        problems.append(f"ends: a workshop lasts at most {policy.max_days} days.")
    if (starts - today).days > policy.max_days_ahead:
        problems.append(f"starts: at most {policy.max_days_ahead} days ahead.")
