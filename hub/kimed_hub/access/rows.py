"""Access-request rows: the stored request, its grants, and the table helpers.

Split from ``access.py`` (the workflow service) so that the service reads as the list of
actions it offers; everything here is about how a request is kept in the database.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, case, delete, exists, insert, literal, select, update

from .. import audit
from ..database import access_requests as requests
from ..database import audit_log, request_datasets, request_people, request_versions
from ..errors import NotFound
from ..serde import canonical_json, from_data
from .application import Application
from .workflow import Actor, Stage, State, may_see


@dataclass(frozen=True)
class AccessRequest:
    """A request as stored: its state, current application and (when active) its dates."""

    request_id: str
    state: State
    applicant: str
    title: str
    version: int
    application: Application
    conditions: str
    valid_from: datetime | None
    valid_until: datetime | None
    amends: str | None
    created_at: str
    updated_at: str
    stage: Stage = Stage.DRAFTED

    def visible_to(self, actor: Actor) -> bool:
        """Whether ``actor`` may see the request and its history now
        (``workflow.VISIBLE_FROM``: a draft is the applicant's own until submitted; the
        committee sees a request once it has reached the committee)."""
        return may_see(actor, self.applicant, self.application.usernames(), self.stage)

    def effective_state(self, at: datetime | None = None) -> State:
        """The state at ``at``: an ACTIVE grant past its end date counts as EXPIRED."""
        moment = at or datetime.now(UTC)
        if self.state == State.ACTIVE and self.valid_until and moment >= self.valid_until:
            return State.EXPIRED
        return self.state


def title_of(app: Application) -> str:
    return app.project.title or "(untitled draft)"


def insert_draft(conn: Connection, applicant: str, app: Application, amends: str | None) -> str:
    now = audit.utc_now()
    values = {
        "request_id": f"tmp-{uuid.uuid4().hex[:16]}",
        "state": State.DRAFT,
        "applicant": applicant,
        "title": title_of(app),
        "application": canonical_json(app),
        "version": 1,
        "conditions": "",
        "amends": amends,
        "created_at": now,
        "updated_at": now,
    }
    pk = conn.execute(insert(requests).returning(requests.c.pk), [values]).scalar_one()
    request_id = f"AR-{pk:06d}"  # readable, sequential ids for people and letters
    conn.execute(update(requests).where(requests.c.pk == pk).values(request_id=request_id))
    save_links(conn, pk, app)
    details = {"to": State.DRAFT, "version": 1, "amends": amends}
    audit.append(conn, applicant, "request.create", f"request:{request_id}", details)
    return request_id


def save_links(conn: Connection, pk: int, app: Application) -> None:
    conn.execute(delete(request_people).where(request_people.c.request_pk == pk))
    conn.execute(delete(request_datasets).where(request_datasets.c.request_pk == pk))
    conn.execute(
        insert(request_people), [{"request_pk": pk, "username": u} for u in app.usernames()]
    )
    if app.data.datasets:
        rows = [{"request_pk": pk, "dataset_identifier": d} for d in app.data.datasets]
        conn.execute(insert(request_datasets), rows)


def party(conn: Connection, pk: int) -> tuple[str, ...]:
    query = select(request_people.c.username).where(request_people.c.request_pk == pk)
    return tuple(sorted(conn.scalars(query)))


def stage_of():
    """How far each request has come (``workflow.Stage``), from what it left behind: a
    submitted version (``portal_request_versions``), a ``request.forward`` audit entry."""
    submitted = exists().where(request_versions.c.request_pk == requests.c.pk)
    forwarded = exists().where(
        audit_log.c.object == literal("request:") + requests.c.request_id,
        audit_log.c.action == "request.forward",
    )
    return case(
        (forwarded, Stage.IN_COMMITTEE.value),
        (submitted, Stage.SUBMITTED.value),
        else_=Stage.DRAFTED.value,
    ).label("stage")


def request_query():
    """SELECT requests with their stage (what :func:`to_request` reads)."""
    return select(requests, stage_of())


def locked_row(conn: Connection, request_id: str, lock: bool = True):
    query = select(requests).where(requests.c.request_id == request_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"there is no access request {request_id!r}")
    return row


def to_request(row) -> AccessRequest:
    return AccessRequest(
        request_id=row.request_id,
        state=State(row.state),
        applicant=row.applicant,
        title=row.title,
        version=row.version,
        application=from_data(Application, json.loads(row.application)),
        conditions=row.conditions,
        valid_from=datetime.fromisoformat(row.valid_from) if row.valid_from else None,
        valid_until=datetime.fromisoformat(row.valid_until) if row.valid_until else None,
        amends=row.amends,
        created_at=row.created_at,
        updated_at=row.updated_at,
        stage=Stage(row.stage),
    )
