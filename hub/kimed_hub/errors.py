"""The portal's error types: one base class, each subclass a 4xx answer the hub can send.

The domain code never speaks HTTP, but every error carries the status a REST handler
should answer with (``http_status``) and a stable machine-readable ``code``, so the
phase-2 Tornado service can map errors to responses without a lookup table. Messages
say what was wrong, where, and what to do, because they are shown to users as they are.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One problem with a record: the field (property path or model path) and why."""

    field: str
    message: str
    focus: str = ""

    def __str__(self) -> str:
        where = f" (in {self.focus})" if self.focus else ""
        return f"{self.field}: {self.message}{where}"

    def as_dict(self) -> dict[str, str]:
        """The violation as JSON-ready data for an API response."""
        return {"field": self.field, "message": self.message, "focus": self.focus}


class PortalError(Exception):
    """Base class: a request the portal refuses; nothing was stored."""

    http_status = 400
    code = "bad_request"

    def as_dict(self) -> dict:
        """The error as JSON-ready data for an API response."""
        return {"error": self.code, "message": str(self)}


class BadInput(PortalError):
    """Malformed input: wrong types, unknown fields, unparsable RDF or JSON."""

    code = "bad_input"


class TooLarge(PortalError):
    """Input over a size limit (record bytes, field length, list length)."""

    http_status = 413
    code = "too_large"


class ValidationFailed(PortalError):
    """A record breaks the metadata rules (SHACL shapes or model checks).

    ``violations`` lists every failing field, so one round trip shows all problems.
    """

    http_status = 422
    code = "validation_failed"

    def __init__(self, subject: str, violations: list[Violation]):
        self.subject = subject
        self.violations = list(violations)
        lines = "\n".join(f"  - {v}" for v in self.violations)
        super().__init__(f"{subject} is not valid ({len(self.violations)} problem(s)):\n{lines}")

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["violations"] = [v.as_dict() for v in self.violations]
        return data


class NotFound(PortalError):
    """The named record, request or dataset does not exist."""

    http_status = 404
    code = "not_found"


class Conflict(PortalError):
    """The change clashes with the stored state (duplicate, stale version, still referenced)."""

    http_status = 409
    code = "conflict"


class IllegalTransition(Conflict):
    """An access-request action that the request's current state does not allow."""

    code = "illegal_transition"

    def __init__(self, request_id: str, action: str, state: str, allowed: list[str]):
        self.request_id, self.action, self.state, self.allowed = request_id, action, state, allowed
        options = ", ".join(allowed) if allowed else "none (final state)"
        super().__init__(
            f"Request {request_id} is {state}; '{action}' is not possible from there. "
            f"Allowed next actions: {options}."
        )


class PermissionDenied(PortalError):
    """The acting user lacks the role the action needs."""

    http_status = 403
    code = "forbidden"


class ConflictOfInterest(PermissionDenied):
    """The actor is the applicant or a team member of the request they try to decide."""

    code = "conflict_of_interest"
