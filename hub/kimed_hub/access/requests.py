"""Access requests: the workflow service and the grants the spawner mounts.

Every action goes through :meth:`AccessRequests._act`: lock the request row, check the
rule (``workflow.authorise``: state, role, applicant-only, conflict of interest), run the
action's own checks, update the row and append the audit entry, all in one transaction.
:meth:`AccessRequests.active_grants` is what the spawner calls at each spawn: the
datasets a user may have mounted read-only right now (ACTIVE and within its dates;
a grant past its end date is expired even before ``expire_due`` records it).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, time

from sqlalchemy import Connection, insert, select, update

from .. import audit
from ..catalogue.store import CatalogueStore
from ..database import access_requests as requests
from ..database import datasets, request_people, request_versions
from ..errors import BadInput, Conflict, NotFound, PermissionDenied, ValidationFailed, Violation
from ..serde import canonical_json, check_limits, from_data, normalised
from .application import Application, format_problems, submission_problems
from .grants import Grant, active_grants_in, stamp
from .rows import (
    AccessRequest,
    insert_draft,
    locked_row,
    party,
    request_query,
    save_links,
    stage_of,
    title_of,
    to_request,
)
from .workflow import (
    DECISIONS,
    FINAL,
    QUEUES,
    RULES,
    Actor,
    Facts,
    Role,
    Stage,
    State,
    authorise,
)

SYSTEM = Actor("system", frozenset({Role.SYSTEM}))
#: Workflow actions people take on an existing request → the method that takes them
#: (``edit`` takes an application and has its own method; ``expire`` and ``supersede``
#: are the system's).
ACTION_METHODS = {
    action: action for action in RULES if action not in ("edit", "expire", "supersede")
} | {"return": "return_for_changes"}


class AccessRequests:
    """The access-request workflow on the catalogue's database."""

    def __init__(self, store: CatalogueStore):
        self.store, self.db = store, store.db

    # --- reading --------------------------------------------------------------------------

    def get(self, request_id: str) -> AccessRequest:
        """The request ``request_id``; NotFound if there is none (no visibility check:
        for the workflow itself; people's views use :meth:`get_for`)."""
        query = request_query().where(requests.c.request_id == request_id)
        with self.db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"there is no access request {request_id!r}")
        return to_request(row)

    def get_for(self, request_id: str, actor: Actor) -> AccessRequest:
        """The request if ``actor`` may see it (``workflow.VISIBLE_FROM``); otherwise the
        same NotFound as for a request that does not exist, so ids reveal nothing."""
        found = self.get(request_id)
        if not found.visible_to(actor):
            raise NotFound(f"there is no access request {request_id!r}")
        return found

    def history_for(self, request_id: str, actor: Actor) -> list[audit.AuditEntry]:
        """The request's audit entries, if ``actor`` may see the request (:meth:`get_for`)."""
        self.get_for(request_id, actor)
        return self.history(request_id)

    def list_for(self, username: str) -> list[AccessRequest]:
        """Requests where ``username`` is the applicant or a team member and may see them
        (a team member not before submission), newest first."""
        mine = select(request_people.c.request_pk).where(request_people.c.username == username)
        query = request_query().where(requests.c.pk.in_(mine)).order_by(requests.c.pk.desc())
        with self.db.read() as conn:
            found = [to_request(row) for row in conn.execute(query)]
        person = Actor(username, frozenset())
        return [r for r in found if r.visible_to(person)]

    def queue(self, *states: State, reviewer: Actor | None = None) -> list[AccessRequest]:
        """Requests in the given states, oldest first (the steward's or committee's queue).

        With ``reviewer``, only requests that reviewer may see, and without those they are
        part of (applicant or team member): they could not act on them (conflict of
        interest), so they are not work waiting for them; they still see them under
        their own requests."""
        query = request_query().where(requests.c.state.in_([str(s) for s in states]))
        if reviewer is not None:
            theirs = select(request_people.c.request_pk).where(
                request_people.c.username == reviewer.name
            )
            query = query.where(requests.c.pk.not_in(theirs))
        with self.db.read() as conn:
            found = [to_request(row) for row in conn.execute(query.order_by(requests.c.pk))]
        return [r for r in found if reviewer is None or r.visible_to(reviewer)]

    def queue_for(self, actor: Actor) -> list[AccessRequest]:
        """What waits for ``actor``'s reviewer roles (``workflow.QUEUES``), oldest first,
        without the requests ``actor`` is part of."""
        states = {state for role in actor.roles for state in QUEUES.get(role, ())}
        return self.queue(*sorted(states), reviewer=actor) if states else []

    def allowed_actions(self, request_id: str, actor: Actor) -> list[str]:
        """The actions ``actor`` could take on the request now (for buttons in the UI)."""
        found = self.get(request_id)
        facts = Facts(
            found.request_id,
            found.state,
            found.applicant,
            found.application.usernames(),
            found.stage,
        )
        possible = []
        for action in sorted(a for a, rule in RULES.items() if found.state in rule.sources):
            try:
                authorise(action, facts, actor, comment="(probe)")
            except Exception:  # noqa: BLE001 - any refusal means "not offered"
                continue
            possible.append(action)
        return possible

    def history(self, request_id: str) -> list[audit.AuditEntry]:
        """The request's audit entries in order: every action, who, when, from/to."""
        return self.store.audit_entries(f"request:{request_id}")

    def active_grants(self, username: str, at: datetime | None = None) -> list[Grant]:
        """The datasets ``username`` may have mounted at ``at`` (now): one grant each
        (the spawner's read-only view, ``grants.active_grants_in``)."""
        with self.db.read() as conn:
            return active_grants_in(conn, username, at)

    def perform(self, action: str, request_id: str, actor: Actor, **arguments) -> AccessRequest:
        """Take workflow ``action`` (a name in ``workflow.RULES`` with a method here) on
        the request; returns what the method returns (an amendment: the new DRAFT).
        Callers that must enforce the consequences use ``portal_service.enforcement.act``."""
        method = ACTION_METHODS.get(action)
        if method is None:
            raise BadInput(
                f"there is no workflow action {action!r}; actions: {', '.join(ACTION_METHODS)}"
            )
        return getattr(self, method)(request_id, actor, **arguments)

    # --- the applicant's actions ----------------------------------------------------------

    def create(self, actor: Actor, application: Application | dict) -> AccessRequest:
        """Start a DRAFT request for ``actor`` (who needs the applicant role)."""
        if Role.APPLICANT not in actor.roles:
            raise PermissionDenied(f"{actor.name} cannot create access requests: no applicant role")
        app = self._checked(application, actor.name)
        with self.db.write() as conn:
            request_id = insert_draft(conn, actor.name, app, amends=None)
        return self.get(request_id)

    def edit(self, request_id: str, actor: Actor, application: Application | dict) -> AccessRequest:
        """Replace the application of a DRAFT or RETURNED request (an amendment)."""
        app = self._checked(application, actor.name)

        def change(conn, row):
            save_links(conn, row.pk, app)
            return {"application": canonical_json(app), "title": title_of(app)}

        return self._act(request_id, "edit", actor, apply=change)

    def submit(self, request_id: str, actor: Actor) -> AccessRequest:
        """Send a complete DRAFT to the data stewards."""
        return self._act(request_id, "submit", actor, apply=self._submission)

    def resubmit(self, request_id: str, actor: Actor, comment: str = "") -> AccessRequest:
        """Send an amended RETURNED request back; it becomes a new version."""
        return self._act(request_id, "resubmit", actor, comment, apply=self._submission)

    def withdraw(self, request_id: str, actor: Actor, comment: str = "") -> AccessRequest:
        """Withdraw a request before it is decided."""
        return self._act(request_id, "withdraw", actor, comment)

    def accept_conditions(self, request_id: str, actor: Actor) -> AccessRequest:
        """Accept the committee's conditions: the request becomes APPROVED."""
        return self._act(request_id, "accept_conditions", actor)

    def decline_conditions(self, request_id: str, actor: Actor, comment: str = "") -> AccessRequest:
        """Decline the committee's conditions: the request is WITHDRAWN."""
        return self._act(request_id, "decline_conditions", actor, comment)

    def request_amendment(self, request_id: str, actor: Actor) -> AccessRequest:
        """Start an amendment of an ACTIVE grant: a new DRAFT; the grant runs on meanwhile."""
        with self.db.write() as conn:
            row = locked_row(conn, request_id)
            self._transition(conn, row, "request_amendment", actor, "amendment started")
            open_ones = conn.scalars(
                select(requests.c.request_id).where(
                    requests.c.amends == request_id, requests.c.state.not_in(list(FINAL))
                )
            ).all()
            if open_ones:
                raise Conflict(f"{request_id} already has an open amendment: {open_ones[0]}")
            app = from_data(Application, json.loads(row.application))
            new_id = insert_draft(conn, actor.name, app, amends=request_id)
        return self.get(new_id)

    def close(self, request_id: str, actor: Actor, comment: str = "") -> AccessRequest:
        """End an ACTIVE grant early (project finished)."""
        return self._act(request_id, "close", actor, comment)

    # --- the data steward's and committee's actions ---------------------------------------

    def start_check(self, request_id: str, actor: Actor) -> AccessRequest:
        """A steward takes a SUBMITTED request into the formal check."""
        return self._act(request_id, "start_check", actor)

    def return_for_changes(self, request_id: str, actor: Actor, comment: str) -> AccessRequest:
        """Send the request back to the applicant with what to change."""
        return self._act(request_id, "return", actor, comment)

    def reject(self, request_id: str, actor: Actor, comment: str) -> AccessRequest:
        """Reject in the formal check (out of scope, not fixable)."""
        return self._act(request_id, "reject", actor, comment)

    def forward(self, request_id: str, actor: Actor, comment: str = "") -> AccessRequest:
        """Pass a formally complete request to the committee."""
        return self._act(request_id, "forward", actor, comment)

    def comment(self, request_id: str, actor: Actor, comment: str) -> AccessRequest:
        """Add a reviewer's comment; the state does not change."""
        return self._act(request_id, "comment", actor, comment)

    def decide(
        self,
        request_id: str,
        actor: Actor,
        outcome: State | str,
        comment: str,
        conditions: str = "",
    ) -> AccessRequest:
        """The committee's decision: APPROVED, APPROVED_WITH_CONDITIONS, REJECTED or RETURNED."""
        if outcome not in [str(d) for d in DECISIONS]:
            raise BadInput(f"outcome must be one of {', '.join(DECISIONS)}, got {outcome!r}")
        outcome = State(outcome)
        if (outcome == State.APPROVED_WITH_CONDITIONS) != bool(conditions.strip()):
            raise BadInput(
                "conditions are given exactly when the outcome is APPROVED_WITH_CONDITIONS"
            )
        changes = {"conditions": conditions.strip()} if conditions.strip() else {}
        return self._act(
            request_id, "decide", actor, comment, target=outcome, apply=lambda c, r: changes
        )

    def activate(
        self,
        request_id: str,
        actor: Actor,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> AccessRequest:
        """Make an APPROVED request an ACTIVE grant from ``start`` (now) to ``end``.

        ``end`` defaults to the end of the project's last day. An approved amendment
        replaces the grant it amends, which is closed in the same transaction.
        """

        def change(conn, row):
            app = from_data(Application, json.loads(row.application))
            begin = start or datetime.now(UTC)
            finish = end or (
                datetime.combine(app.project.end, time.max, UTC) if app.project.end else None
            )
            if finish is None or finish <= begin or finish <= datetime.now(UTC):
                raise BadInput("a grant needs an end after its start and in the future")
            parent = locked_row(conn, row.amends) if row.amends else None
            if parent is not None and parent.state == State.ACTIVE:
                self._transition(
                    conn, parent, "supersede", SYSTEM, f"superseded by {row.request_id}"
                )
            return {"valid_from": stamp(begin), "valid_until": stamp(finish)}

        return self._act(request_id, "activate", actor, apply=change)

    def revoke(self, request_id: str, actor: Actor, comment: str) -> AccessRequest:
        """End an ACTIVE grant at once (breach, withdrawn consent ...)."""
        return self._act(request_id, "revoke", actor, comment)

    def expire_due(self, at: datetime | None = None) -> list[str]:
        """Record EXPIRED for every ACTIVE grant whose end has passed; return their ids."""
        moment = stamp(at or datetime.now(UTC))
        query = select(requests.c.request_id).where(
            requests.c.state == State.ACTIVE, requests.c.valid_until <= moment
        )
        with self.db.read() as conn:
            due = list(conn.scalars(query))
        for request_id in due:
            self._act(request_id, "expire", SYSTEM, "end date reached")
        return due

    # --- machinery ------------------------------------------------------------------------

    def _checked(self, application: Application | dict, applicant: str) -> Application:
        app = (
            application
            if isinstance(application, Application)
            else from_data(Application, application, "application")
        )
        lead = app.people.applicant
        if lead.username and lead.username != applicant:
            raise BadInput(f"people.applicant.username must be {applicant} (the acting user)")
        app = normalised(
            replace(app, people=replace(app.people, applicant=replace(lead, username=applicant)))
        )
        check_limits(app, "application")
        problems = format_problems(app)
        if problems:
            raise ValidationFailed("application", problems)
        return app

    def _submission(self, conn: Connection, row) -> dict:
        app = from_data(Application, json.loads(row.application))
        problems = submission_problems(app, row.applicant)
        wanted = set(app.data.datasets)
        found = set(
            conn.scalars(select(datasets.c.identifier).where(datasets.c.identifier.in_(wanted)))
        )
        problems += [
            Violation("data.datasets", f"{d} is not in the catalogue")
            for d in sorted(wanted - found)
        ]
        if problems:
            raise ValidationFailed(f"request {row.request_id}", problems)
        version = row.version + (1 if row.state == State.RETURNED else 0)
        conn.execute(
            insert(request_versions),
            [
                {
                    "request_pk": row.pk,
                    "version": version,
                    "submitted_at": audit.utc_now(),
                    "application": row.application,
                }
            ],
        )
        return {"version": version}

    def _act(
        self,
        request_id: str,
        action: str,
        actor: Actor,
        comment: str = "",
        *,
        target: State | None = None,
        apply=None,
    ) -> AccessRequest:
        with self.db.write() as conn:
            row = locked_row(conn, request_id)
            self._transition(conn, row, action, actor, comment, target, apply)
        return self.get(request_id)

    def _transition(
        self,
        conn: Connection,
        row,
        action: str,
        actor: Actor,
        comment: str,
        target: State | None = None,
        apply=None,
    ) -> None:
        stage = Stage(conn.execute(select(stage_of()).where(requests.c.pk == row.pk)).scalar_one())
        facts = Facts(row.request_id, State(row.state), row.applicant, party(conn, row.pk), stage)
        rule = authorise(action, facts, actor, comment)
        changes = apply(conn, row) if apply else {}
        new_state = target or rule.target or facts.state
        values = {"state": new_state, "updated_at": audit.utc_now(), **changes}
        conn.execute(update(requests).where(requests.c.pk == row.pk).values(**values))
        details = {
            "from": facts.state,
            "to": new_state,
            "version": values.get("version", row.version),
            "roles": sorted(rule.roles & actor.roles),
        }
        if comment:
            details["comment"] = comment
        audit.append(conn, actor.name, f"request.{action}", f"request:{row.request_id}", details)
