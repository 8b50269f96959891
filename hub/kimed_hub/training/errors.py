"""Training errors: the portal's error types (each carries its HTTP status), named for
what went wrong in a course or workshop. Messages are shown to people as they are."""

from __future__ import annotations

from ..errors import BadInput, Conflict, NotFound, PermissionDenied, TooLarge


class UnknownCourse(NotFound):
    """A course id that is not in courses/catalogue.yaml."""

    code = "unknown_course"


class WorkshopInputError(BadInput):
    """A workshop's fields are wrong (size, dates, names); nothing was created."""

    code = "bad_workshop"


class NotYourWorkshop(PermissionDenied):
    """An instructor acting on a workshop they do not run."""

    code = "not_your_workshop"


class WorkshopState(Conflict):
    """The action does not fit the workshop's state (e.g. grading before collection)."""

    code = "workshop_state"


class SubmissionTooLarge(TooLarge):
    """A submitted notebook over the size the grader reads."""

    code = "submission_too_large"


__all__ = [
    "NotYourWorkshop",
    "SubmissionTooLarge",
    "UnknownCourse",
    "WorkshopInputError",
    "WorkshopState",
]
