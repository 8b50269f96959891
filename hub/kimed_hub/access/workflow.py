"""The access-request state machine: states, roles, and who may do what from where.

The rules are one table (:data:`RULES`), read by one function (:func:`authorise`) that
every transition passes through, so the machine in ``docs/portal.md`` and the code are
the same thing. Two guards apply to every rule: the actor needs one of the rule's roles,
and nobody decides on a request they are part of (applicant or listed team member).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..errors import BadInput, ConflictOfInterest, IllegalTransition, PermissionDenied


class State(StrEnum):
    """Where a request is in its life."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    FORMAL_CHECK = "FORMAL_CHECK"
    RETURNED = "RETURNED"
    COMMITTEE_REVIEW = "COMMITTEE_REVIEW"
    APPROVED = "APPROVED"
    APPROVED_WITH_CONDITIONS = "APPROVED_WITH_CONDITIONS"
    REJECTED = "REJECTED"
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    CLOSED = "CLOSED"
    WITHDRAWN = "WITHDRAWN"


class Role(StrEnum):
    """Roles the hub gives users (from JupyterHub groups/scopes in phase 2)."""

    APPLICANT = "applicant"
    STEWARD = "steward"
    COMMITTEE = "committee"
    SYSTEM = "system"


#: States in which a request is finished; nothing can happen to it any more.
FINAL = frozenset({State.REJECTED, State.EXPIRED, State.REVOKED, State.CLOSED, State.WITHDRAWN})
#: States before a decision: the applicant may still withdraw.
UNDECIDED = frozenset(
    {State.DRAFT, State.SUBMITTED, State.FORMAL_CHECK, State.RETURNED, State.COMMITTEE_REVIEW}
)
#: Outcomes the committee can decide on.
DECISIONS = (State.APPROVED, State.APPROVED_WITH_CONDITIONS, State.REJECTED, State.RETURNED)


#: What waits for each reviewer role: the states from which that role moves a request on.
QUEUES = {
    Role.STEWARD: (State.SUBMITTED, State.FORMAL_CHECK, State.APPROVED),
    Role.COMMITTEE: (State.COMMITTEE_REVIEW,),
}


@dataclass(frozen=True)
class Actor:
    """Who acts: their workbench username and roles (supplied by the hub, never by input)."""

    name: str
    roles: frozenset[str]

    @classmethod
    def of(cls, name: str, *roles: str) -> Actor:
        """Shorthand: ``Actor.of("alice", "applicant")``."""
        return cls(name, frozenset(roles))


@dataclass(frozen=True)
class Rule:
    """One action: from which states, to which state, by whom.

    ``owner``: only the applicant may do it. ``decision``: a role holder who is not part
    of the request. ``target`` None means the action chooses it (the committee decision).
    """

    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    owner: bool = False
    decision: bool = False
    needs_comment: bool = False


def _rule(sources, target, roles, **flags) -> Rule:
    return Rule(frozenset(sources), target, frozenset(roles), **flags)


A, S, C, SYS = Role.APPLICANT, Role.STEWARD, Role.COMMITTEE, Role.SYSTEM
RULES: dict[str, Rule] = {
    "edit": _rule({State.DRAFT, State.RETURNED}, None, {A}, owner=True),
    "submit": _rule({State.DRAFT}, State.SUBMITTED, {A}, owner=True),
    "resubmit": _rule({State.RETURNED}, State.SUBMITTED, {A}, owner=True),
    "withdraw": _rule(UNDECIDED, State.WITHDRAWN, {A}, owner=True),
    "start_check": _rule({State.SUBMITTED}, State.FORMAL_CHECK, {S}, decision=True),
    "return": _rule({State.FORMAL_CHECK}, State.RETURNED, {S}, decision=True, needs_comment=True),
    "reject": _rule({State.FORMAL_CHECK}, State.REJECTED, {S}, decision=True, needs_comment=True),
    "forward": _rule({State.FORMAL_CHECK}, State.COMMITTEE_REVIEW, {S}, decision=True),
    "comment": _rule({State.FORMAL_CHECK, State.COMMITTEE_REVIEW}, None, {S, C}, decision=True),
    "decide": _rule({State.COMMITTEE_REVIEW}, None, {C}, decision=True, needs_comment=True),
    "accept_conditions": _rule({State.APPROVED_WITH_CONDITIONS}, State.APPROVED, {A}, owner=True),
    "decline_conditions": _rule({State.APPROVED_WITH_CONDITIONS}, State.WITHDRAWN, {A}, owner=True),
    "activate": _rule({State.APPROVED}, State.ACTIVE, {S}, decision=True),
    "request_amendment": _rule({State.ACTIVE}, None, {A}, owner=True),
    "revoke": _rule({State.ACTIVE}, State.REVOKED, {S, C}, decision=True, needs_comment=True),
    "close": _rule({State.ACTIVE}, State.CLOSED, {A, S}),
    "expire": _rule({State.ACTIVE}, State.EXPIRED, {SYS}),
    "supersede": _rule({State.ACTIVE}, State.CLOSED, {SYS}),
}


def allowed_actions(state: State) -> list[str]:
    """The actions possible from ``state`` (for error messages and the UI)."""
    return sorted(action for action, rule in RULES.items() if state in rule.sources)


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about a request."""

    request_id: str
    state: State
    applicant: str
    party: tuple[str, ...]  # everyone the request would give data to


def authorise(action: str, facts: Facts, actor: Actor, comment: str = "") -> Rule:
    """Return the rule for ``action`` if ``actor`` may do it now; raise otherwise."""
    rule = RULES.get(action)
    if rule is None or facts.state not in rule.sources:
        raise IllegalTransition(facts.request_id, action, facts.state, allowed_actions(facts.state))
    applicant, party = facts.applicant, facts.party
    if not rule.roles & actor.roles:
        needed = " or ".join(sorted(rule.roles))
        raise PermissionDenied(f"'{action}' needs the {needed} role; {actor.name} has not got it")
    if rule.owner and actor.name != applicant:
        raise PermissionDenied(f"only the applicant ({applicant}) can '{action}' this request")
    if rule.decision and actor.name in party:
        raise ConflictOfInterest(
            f"{actor.name} is part of this request and cannot '{action}' it; "
            "a steward or committee member who is not on the team must do it"
        )
    if rule.needs_comment and not comment.strip():
        raise BadInput(f"'{action}' needs a comment that explains it to the applicant")
    return rule
