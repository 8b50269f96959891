"""Review rules without storage: who may review, what a valid review is, the outcome.

Kept apart from the service so that the rules read as one page: independence (never the
requester, never their project, never twice), blinding (what each person sees), a vote
per file with reasons, and the consolidation once every review is in.
"""

from __future__ import annotations

from ..errors import BadInput, Conflict, ConflictOfInterest, PermissionDenied
from .model import (
    RESTRICTIVENESS,
    VOTE_DECISION,
    CheckStatus,
    Decision,
    ExportRequest,
    Review,
    State,
    Vote,
)

#: The portal role (from the ``custom:kimed:review:export-requests`` scope).
CHECKER = "output_checker"
#: The portal role that may ask for releases (``custom:kimed:submit:export-requests``).
REQUESTER = "export_requester"
MAX_REASON_CHARS = 10_000


def check_independent(request: ExportRequest, reviewer: str, roles, party: set[str]) -> None:
    """Refuse a reviewer who is not an output checker, is the requester, belongs to the
    requester's project (``party``), or has already reviewed this request."""
    if CHECKER not in roles:
        raise PermissionDenied(
            f"{reviewer} is not an output checker; only output checkers review export requests"
        )
    if reviewer == request.requester:
        raise ConflictOfInterest(
            f"{reviewer} made export request {request.request_id} and cannot review it; "
            "two other output checkers must"
        )
    if reviewer in party:
        raise ConflictOfInterest(
            f"{reviewer} is a member of the project the data of {request.request_id} came "
            "from and cannot review it; output checkers from outside the project must"
        )
    if any(r.reviewer == reviewer for r in request.reviews):
        raise Conflict(
            f"{reviewer} has already reviewed {request.request_id}; each request needs "
            "reviews from different output checkers"
        )


def parse_votes(request: ExportRequest, votes: dict) -> dict[str, dict]:
    """The votes as {file: {vote, reason}}, one for every output file; BadInput otherwise.

    A blocked file (its type does not match) cannot be approved; approving a file that
    failed a disclosure rule, or any vote but a plain approval, needs a reason."""
    if not isinstance(votes, dict):
        raise BadInput("votes must be an object: file name -> {vote, reason}")
    names = {f.name for f in request.outputs}
    unknown, missing = sorted(set(votes) - names), sorted(names - set(votes))
    if unknown or missing:
        raise BadInput(
            "give one vote for every file asked to be released"
            + (f"; not in this request: {', '.join(unknown)}" if unknown else "")
            + (f"; missing: {', '.join(missing)}" if missing else "")
        )
    return {name: _one_vote(request, name, votes[name]) for name in sorted(names)}


def _one_vote(request: ExportRequest, name: str, given) -> dict:
    given = {"vote": given} if isinstance(given, str) else given
    if not isinstance(given, dict) or set(given) - {"vote", "reason"}:
        raise BadInput(f"{name}: a vote is {{'vote': ..., 'reason': ...}}")
    try:
        vote = Vote(given.get("vote"))
    except ValueError:
        options = ", ".join(v.value for v in Vote)
        raise BadInput(f"{name}: vote must be one of {options}") from None
    reason = given.get("reason") or ""
    if not isinstance(reason, str) or len(reason) > MAX_REASON_CHARS:
        raise BadInput(f"{name}: reason must be text of at most {MAX_REASON_CHARS:,} characters")
    entry = request.file(name)
    approving = VOTE_DECISION[vote] == Decision.APPROVED
    if approving and entry.check_status == CheckStatus.BLOCKED:
        raise BadInput(
            f"{name} is blocked (its content does not match an allowed type) and can never "
            "be approved; vote request_changes or reject"
        )
    if vote != Vote.APPROVE and not reason.strip():
        raise BadInput(f"{name}: '{vote}' needs a reason the requester can act on")
    if approving and entry.check_status == CheckStatus.FAIL and vote != Vote.APPROVE_WITH_COMMENT:
        raise BadInput(
            f"{name} failed an automated disclosure check; approving it is an exception that "
            "needs approve_with_comment and a reason"
        )
    return {"vote": vote.value, "reason": reason.strip()}


def consolidate(reviews: list[Review]) -> tuple[State, dict[str, Decision]]:
    """Once every review is in: each file's decision (the most restrictive vote) and the
    request's outcome: changes requested if any file needs changes, else approved if any
    file is approved (the rejected ones stay inside), else rejected."""
    decisions: dict[str, Decision] = {}
    for review in reviews:
        for name, given in review.votes.items():
            decision = VOTE_DECISION[Vote(given["vote"])]
            current = decisions.get(name, Decision.APPROVED)
            decisions[name] = max(current, decision, key=RESTRICTIVENESS.index)
    values = set(decisions.values())
    if Decision.CHANGES_REQUESTED in values:
        return State.CHANGES_REQUESTED, decisions
    if Decision.APPROVED in values:
        return State.APPROVED, decisions
    return State.REJECTED, decisions


def visible_reviews(request: ExportRequest, viewer: str) -> list[Review]:
    """Blinding: while reviews are open, a checker sees only their own and the requester
    none; once decided, everyone who may see the request sees every review."""
    if request.state in (State.IN_REVIEW, State.CHECKED, State.SUBMITTED, State.DRAFT):
        return [r for r in request.reviews if r.reviewer == viewer]
    return list(request.reviews)
