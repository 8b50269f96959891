"""Export requests: states, votes, who may do what, and the objects the service returns.

The state machine (``docs/airlock.md``)::

    DRAFT -> SUBMITTED -> CHECKED -> IN_REVIEW -> APPROVED -> RELEASED
                                              \\-> CHANGES_REQUESTED (resubmit: a new request)
                                              \\-> REJECTED
    withdrawal (-> WITHDRAWN) is possible before a decision.

SUBMITTED and CHECKED are passed in one call (the automated checks run on submission);
both are on the audit log. Each file gets its own decision, the most restrictive of its
reviews: a request can release two of three files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    """Where an export request is in its life."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    CHECKED = "CHECKED"
    IN_REVIEW = "IN_REVIEW"
    APPROVED = "APPROVED"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    REJECTED = "REJECTED"
    RELEASED = "RELEASED"
    WITHDRAWN = "WITHDRAWN"


#: Before a decision: the requester may still withdraw.
UNDECIDED = frozenset({State.DRAFT, State.SUBMITTED, State.CHECKED, State.IN_REVIEW})
#: Where nothing more happens (a CHANGES_REQUESTED request lives on as its resubmission).
FINAL = frozenset({State.RELEASED, State.REJECTED, State.WITHDRAWN, State.CHANGES_REQUESTED})

#: Allowed transitions: action -> (from states, to state).
TRANSITIONS: dict[str, tuple[frozenset[State], State]] = {
    "submit": (frozenset({State.DRAFT}), State.SUBMITTED),
    "check": (frozenset({State.SUBMITTED}), State.CHECKED),
    "start_review": (frozenset({State.CHECKED}), State.IN_REVIEW),
    "review": (frozenset({State.IN_REVIEW}), State.IN_REVIEW),
    "approve": (frozenset({State.IN_REVIEW}), State.APPROVED),
    "request_changes": (frozenset({State.IN_REVIEW}), State.CHANGES_REQUESTED),
    "reject": (frozenset({State.IN_REVIEW}), State.REJECTED),
    "release": (frozenset({State.APPROVED}), State.RELEASED),
    "withdraw": (UNDECIDED, State.WITHDRAWN),
}


class Vote(StrEnum):
    """An output checker's verdict on one file."""

    APPROVE = "approve"
    APPROVE_WITH_COMMENT = "approve_with_comment"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"


class Decision(StrEnum):
    """A file's decision once every review is in (the most restrictive vote wins)."""

    APPROVED = "APPROVED"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    REJECTED = "REJECTED"


#: Vote -> decision, and the order of restrictiveness (later wins).
VOTE_DECISION = {
    Vote.APPROVE: Decision.APPROVED,
    Vote.APPROVE_WITH_COMMENT: Decision.APPROVED,
    Vote.REQUEST_CHANGES: Decision.CHANGES_REQUESTED,
    Vote.REJECT: Decision.REJECTED,
}
RESTRICTIVENESS = [Decision.APPROVED, Decision.CHANGES_REQUESTED, Decision.REJECTED]


class CheckStatus(StrEnum):
    """The automated checks' verdict on one file."""

    PASS = "pass"  # no rule failed; a checker still reviews it
    REVIEW = "review"  # figures, free text, unreadable cells: a person must look
    FAIL = "fail"  # a disclosure rule failed; approval needs a comment (an exception)
    BLOCKED = "blocked"  # not an allowed type (content does not match); never releasable


@dataclass(frozen=True)
class ExportFile:
    """One file of a request: what was snapshotted, what the checks said, the decision."""

    position: int
    name: str  # path relative to the home, as the requester named it
    role: str  # "output" (to be released) or "notebook" (produced the outputs; re-run)
    file_type: str
    kind: str
    size: int
    sha256: str
    check_status: str
    findings: list[dict]
    decision: str | None = None
    rerun: dict | None = None

    @property
    def releasable(self) -> bool:
        """Whether a checker may approve it at all (an output of an allowed type)."""
        return self.role == "output" and self.check_status != CheckStatus.BLOCKED


@dataclass(frozen=True)
class Review:
    """One output checker's review: a vote and a reason per file, and a comment."""

    reviewer: str
    submitted_at: str
    votes: dict[str, dict]  # file name -> {"vote": ..., "reason": ...}
    comment: str = ""


@dataclass(frozen=True)
class ExportRequest:
    """An export request as stored."""

    request_id: str
    state: State
    requester: str
    title: str
    justification: str
    sources: list[str]  # access requests the data came from
    party: list[str]  # the requester and their project's team: never reviewers
    datasets: list[str]
    thresholds: dict
    predecessor: str | None
    created_at: str
    updated_at: str
    files: list[ExportFile] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)

    def file(self, name: str) -> ExportFile:
        """The file called ``name`` (KeyError if the request has none)."""
        for entry in self.files:
            if entry.name == name:
                return entry
        raise KeyError(name)

    @property
    def outputs(self) -> list[ExportFile]:
        """The files asked to be released (not the supporting notebook)."""
        return [f for f in self.files if f.role == "output"]

    @property
    def released(self) -> list[ExportFile]:
        """The files released (only once the request is RELEASED)."""
        if self.state != State.RELEASED:
            return []
        return [f for f in self.outputs if f.decision == Decision.APPROVED]
