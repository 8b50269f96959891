"""The access-request state machine: states, roles, and who may do what from where.

The rules are one table (:data:`RULES`), read by one function (:func:`authorise`) that
every transition passes through, so the machine in ``docs/portal.md`` and the code are
the same thing. Each rule says, per role that may act, how the actor must stand to the
request: its applicant (OWNER) or someone not part of it (OUTSIDER: nobody decides on a
request they are applicant or team member of). Who may *see* a request at which stage is
the second table, :data:`VISIBLE_FROM`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..errors import BadInput, ConflictOfInterest, IllegalTransition, NotFound, PermissionDenied


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


class Party(StrEnum):
    """How an actor must stand to the request to act in a role (the rule table's cells)."""

    OWNER = "owner"  # the request's applicant
    OUTSIDER = "outsider"  # not the applicant nor a team member (no conflict of interest)
    ANYONE = "anyone"  # the system's own actions


@dataclass(frozen=True)
class Rule:
    """One action: from which states, to which state, and who may take it: for each role
    that may, how its holder must stand to the request (``who``). An actor may act when
    they hold one of the roles AND stand as that role requires. ``target`` None means the
    action chooses it (the committee decision)."""

    sources: frozenset[State]
    target: State | None
    who: tuple[tuple[Role, Party], ...]
    needs_comment: bool = False

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that may take the action (each with its own condition in ``who``)."""
        return frozenset(role for role, _ in self.who)


def _rule(sources, target, who: dict[Role, Party], **flags) -> Rule:
    return Rule(frozenset(sources), target, tuple(sorted(who.items())), **flags)


A, S, C, SYS = Role.APPLICANT, Role.STEWARD, Role.COMMITTEE, Role.SYSTEM
OWN, OUT = Party.OWNER, Party.OUTSIDER
RULES: dict[str, Rule] = {
    "edit": _rule({State.DRAFT, State.RETURNED}, None, {A: OWN}),
    "submit": _rule({State.DRAFT}, State.SUBMITTED, {A: OWN}),
    "resubmit": _rule({State.RETURNED}, State.SUBMITTED, {A: OWN}),
    "withdraw": _rule(UNDECIDED, State.WITHDRAWN, {A: OWN}),
    "start_check": _rule({State.SUBMITTED}, State.FORMAL_CHECK, {S: OUT}),
    "return": _rule({State.FORMAL_CHECK}, State.RETURNED, {S: OUT}, needs_comment=True),
    "reject": _rule({State.FORMAL_CHECK}, State.REJECTED, {S: OUT}, needs_comment=True),
    "forward": _rule({State.FORMAL_CHECK}, State.COMMITTEE_REVIEW, {S: OUT}),
    "comment": _rule({State.FORMAL_CHECK, State.COMMITTEE_REVIEW}, None, {S: OUT, C: OUT}),
    "decide": _rule({State.COMMITTEE_REVIEW}, None, {C: OUT}, needs_comment=True),
    "accept_conditions": _rule({State.APPROVED_WITH_CONDITIONS}, State.APPROVED, {A: OWN}),
    "decline_conditions": _rule({State.APPROVED_WITH_CONDITIONS}, State.WITHDRAWN, {A: OWN}),
    "activate": _rule({State.APPROVED}, State.ACTIVE, {S: OUT}),
    "request_amendment": _rule({State.ACTIVE}, None, {A: OWN}),
    "revoke": _rule({State.ACTIVE}, State.REVOKED, {S: OUT, C: OUT}, needs_comment=True),
    # Closing ends the team's access early: the applicant, who answers for the project,
    # or a data steward who is not on the team; never any other team member.
    "close": _rule({State.ACTIVE}, State.CLOSED, {A: OWN, S: OUT}),
    "expire": _rule({State.ACTIVE}, State.EXPIRED, {SYS: Party.ANYONE}),
    "supersede": _rule({State.ACTIVE}, State.CLOSED, {SYS: Party.ANYONE}),
}


class Stage(StrEnum):
    """How far a request has come; decides who may see it (and its history)."""

    DRAFTED = "drafted"  # never submitted: the applicant's own
    SUBMITTED = "submitted"  # submitted at least once
    IN_COMMITTEE = "in_committee"  # forwarded to the committee at least once


class Seat(StrEnum):
    """How a person stands to a request, apart from their roles."""

    APPLICANT = "the request's applicant"
    TEAM = "a team member of the request"


#: The authorization matrix for reading: who sees a request (and its history) from which
#: stage on: the request's own people by their seat, everyone else through a reviewer
#: role. Anyone not listed (an applicant who is not on the request, the output checker)
#: never sees it: 404, as for a request that does not exist.
VISIBLE_FROM: dict[str, Stage] = {
    Seat.APPLICANT: Stage.DRAFTED,
    Seat.TEAM: Stage.SUBMITTED,
    Role.STEWARD: Stage.SUBMITTED,
    Role.COMMITTEE: Stage.IN_COMMITTEE,
}
_ORDER = list(Stage)


def may_see(actor: Actor, applicant: str, team: tuple[str, ...] | list[str], stage: Stage) -> bool:
    """Whether ``actor`` may see a request of ``applicant`` with ``team`` at ``stage``
    (:data:`VISIBLE_FROM`)."""
    seats: list[str] = [role for role in actor.roles if role in (Role.STEWARD, Role.COMMITTEE)]
    if actor.name == applicant:
        seats.append(Seat.APPLICANT)
    elif actor.name in team:
        seats.append(Seat.TEAM)
    reached = _ORDER.index(stage)
    return any(_ORDER.index(VISIBLE_FROM[seat]) <= reached for seat in seats)


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
    stage: Stage = Stage.DRAFTED  # how far it has come (who may see it)


def _stands(party: Party, facts: Facts, actor: Actor) -> bool:
    if party == Party.OWNER:
        return actor.name == facts.applicant
    if party == Party.OUTSIDER:
        return actor.name not in facts.party and actor.name != facts.applicant
    return True


def _who(rule: Rule, applicant: str) -> str:
    """The rule's "who" in words, for refusals."""
    words = {
        Party.OWNER: f"the applicant ({applicant})",
        Party.OUTSIDER: "a {role} who is not part of the request",
        Party.ANYONE: "the {role}",
    }
    return " or ".join(words[party].format(role=role) for role, party in rule.who)


def authorise(action: str, facts: Facts, actor: Actor, comment: str = "") -> Rule:
    """Return the rule for ``action`` if ``actor`` may do it now; raise otherwise."""
    rule = RULES.get(action)
    if rule is None or facts.state not in rule.sources:
        raise IllegalTransition(facts.request_id, action, facts.state, allowed_actions(facts.state))
    held = [(role, party) for role, party in rule.who if role in actor.roles]
    system = all(party == Party.ANYONE for _, party in held)
    if held and not system and not may_see(actor, facts.applicant, facts.party, facts.stage):
        # Nobody acts on a request they may not see (a committee member on a request not
        # yet forwarded, a steward on a draft): the same answer as for no request at all.
        raise NotFound(f"there is no access request {facts.request_id!r}")
    if not held:
        needed = " or ".join(sorted(rule.roles))
        raise PermissionDenied(f"'{action}' needs the {needed} role; {actor.name} has not got it")
    if not any(_stands(party, facts, actor) for _, party in held):
        if all(party == Party.OUTSIDER for _, party in held):
            raise ConflictOfInterest(
                f"{actor.name} is part of this request and cannot '{action}' it; "
                "a steward or committee member who is not on the team must do it"
            )
        raise PermissionDenied(f"only {_who(rule, facts.applicant)} can '{action}' this request")
    if rule.needs_comment and not comment.strip():
        raise BadInput(f"'{action}' needs a comment that explains it to the applicant")
    return rule
