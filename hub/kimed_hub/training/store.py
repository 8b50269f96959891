"""Workshops, participants, submissions and results in the portal's database.

The tables live beside the catalogue's (same database, same engine) so that every change
is written in one transaction with its entry in the portal's hash-chained audit log
(``portal.audit``): no workshop created, collected, graded or torn down without its entry.
Collected notebooks and results are kept when a workshop is torn down; only the
participants' accounts, servers and homes go (``portal_service.training_ops``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from ..audit import append, utc_now
from ..database import Database
from ..errors import NotFound
from .errors import NotYourWorkshop, WorkshopState
from .plans import WorkshopPlan

metadata = MetaData()

workshops = Table(
    "training_workshops",
    metadata,
    Column("slug", String(16), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("course_id", String(40), nullable=False),
    Column("instructor", String(80), nullable=False, index=True),
    Column("starts", Date, nullable=False),
    Column("ends", Date, nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("closed_at", String(40)),
)
participants = Table(
    "training_participants",
    metadata,
    Column("workshop", String(16), ForeignKey("training_workshops.slug"), primary_key=True),
    Column("username", String(80), primary_key=True),
    Column("temporary", Boolean, nullable=False),
)
submissions = Table(
    "training_submissions",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("workshop", String(16), ForeignKey("training_workshops.slug"), nullable=False),
    Column("username", String(80), nullable=False, index=True),
    Column("notebook", String(120), nullable=False),
    Column("content", Text),  # the notebook's JSON; NULL when the trainee had none
    Column("collected_at", String(40), nullable=False),
)
results = Table(
    "training_results",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("workshop", String(16)),  # NULL: a trainee checking a course on their own
    Column("username", String(80), nullable=False, index=True),
    Column("course_id", String(40), nullable=False),
    Column("notebook", String(120), nullable=False),
    Column("grade_id", String(80), nullable=False),
    Column("points", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("feedback", Text, nullable=False),
    Column("graded_at", String(40), nullable=False),
)

#: Workshop states: OPEN (accounts and material exist), COLLECTED, GRADED, CLOSED (torn down).
OPEN, COLLECTED, GRADED, CLOSED = "OPEN", "COLLECTED", "GRADED", "CLOSED"


@dataclass(frozen=True)
class Workshop:
    """One workshop as stored."""

    slug: str
    title: str
    course_id: str
    instructor: str
    starts: date
    ends: date
    state: str
    created_at: str
    closed_at: str | None

    @property
    def group(self) -> str:
        """The JupyterHub group of its participants."""
        return f"workshop-{self.slug}"


@dataclass(frozen=True)
class Result:
    """One check of one notebook for one trainee."""

    username: str
    course_id: str
    notebook: str
    grade_id: str
    points: float
    passed: bool
    feedback: str
    workshop: str | None = None
    graded_at: str = ""


class TrainingStore:
    """The training tables on a portal database (``CatalogueStore.db``)."""

    def __init__(self, db: Database):
        self.db = db
        metadata.create_all(db.engine)

    # --- workshops --------------------------------------------------------------------
    def create_workshop(
        self, slug: str, plan: WorkshopPlan, instructor: str, members: list[tuple[str, bool]]
    ) -> Workshop:
        """Store a workshop and its participants ``(username, temporary)``, audited."""
        now = utc_now()
        row = dict(
            slug=slug,
            title=plan.title,
            course_id=plan.course_id,
            instructor=instructor,
            starts=plan.starts,
            ends=plan.ends,
            state=OPEN,
            created_at=now,
        )
        with self.db.write() as conn:
            conn.execute(insert(workshops).values(**row))
            if members:
                conn.execute(
                    insert(participants),
                    [dict(workshop=slug, username=u, temporary=t) for u, t in members],
                )
            details = {
                "course": plan.course_id,
                "title": plan.title,
                "starts": str(plan.starts),
                "ends": str(plan.ends),
                "participants": [u for u, _ in members],
                "temporary": [u for u, t in members if t],
            }
            append(conn, instructor, "workshop.create", f"workshop:{slug}", details)
        return self.workshop(slug)

    def workshop(self, slug: str) -> Workshop:
        """The workshop ``slug``, or NotFound."""
        with self.db.read() as conn:
            row = conn.execute(select(workshops).where(workshops.c.slug == slug)).first()
        if row is None:
            raise NotFound(f"There is no workshop {slug!r}.")
        return Workshop(**row._mapping)

    def owned(self, slug: str, instructor: str) -> Workshop:
        """The workshop if ``instructor`` runs it, else NotYourWorkshop (or NotFound)."""
        found = self.workshop(slug)
        if found.instructor != instructor:
            raise NotYourWorkshop(
                f"Workshop {slug!r} is run by another instructor; you can only manage your own."
            )
        return found

    def workshops_of(self, instructor: str) -> list[Workshop]:
        """The instructor's workshops, newest first."""
        query = select(workshops).where(workshops.c.instructor == instructor)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(workshops.c.created_at.desc())).all()
        return [Workshop(**r._mapping) for r in rows]

    def slug_taken(self, slug: str) -> bool:
        """True when a workshop (also a closed one) has this slug."""
        with self.db.read() as conn:
            return (
                conn.execute(select(workshops.c.slug).where(workshops.c.slug == slug)).first()
                is not None
            )

    def participants(self, slug: str) -> list[tuple[str, bool]]:
        """``(username, temporary)`` of the workshop's participants, by name."""
        query = select(participants.c.username, participants.c.temporary).where(
            participants.c.workshop == slug
        )
        with self.db.read() as conn:
            return [tuple(r) for r in conn.execute(query.order_by(participants.c.username))]

    def workshops_of_trainee(self, username: str) -> list[Workshop]:
        """The workshops ``username`` takes part in (not closed ones)."""
        query = (
            select(workshops)
            .join(participants, participants.c.workshop == workshops.c.slug)
            .where(participants.c.username == username, workshops.c.state != CLOSED)
        )
        with self.db.read() as conn:
            return [Workshop(**r._mapping) for r in conn.execute(query)]

    def set_state(self, found: Workshop, state: str, actor: str, action: str, details: dict):
        """Move the workshop to ``state`` with an audit entry ``action``."""
        if found.state == CLOSED:
            raise WorkshopState(f"Workshop {found.slug!r} is closed; nothing can change any more.")
        values = {"state": state}
        if state == CLOSED:
            values["closed_at"] = utc_now()
        with self.db.write() as conn:
            conn.execute(update(workshops).where(workshops.c.slug == found.slug).values(**values))
            append(conn, actor, action, f"workshop:{found.slug}", details)

    # --- submissions and results ------------------------------------------------------
    def save_submissions(self, found: Workshop, actor: str, collected: dict) -> None:
        """Keep ``{username: {notebook: notebook dict or None}}`` (replacing earlier
        collections of the same workshop) and mark it COLLECTED, audited."""
        now = utc_now()
        rows = [
            dict(
                workshop=found.slug,
                username=user,
                notebook=name,
                collected_at=now,
                content=None if nb is None else json.dumps(nb),
            )
            for user, notebooks in collected.items()
            for name, nb in notebooks.items()
        ]
        summary = {
            u: sorted(n for n, nb in nbs.items() if nb is not None) for u, nbs in collected.items()
        }
        with self.db.write() as conn:
            conn.execute(delete(submissions).where(submissions.c.workshop == found.slug))
            if rows:
                conn.execute(insert(submissions), rows)
            conn.execute(
                update(workshops).where(workshops.c.slug == found.slug).values(state=COLLECTED)
            )
            append(
                conn, actor, "workshop.collect", f"workshop:{found.slug}", {"collected": summary}
            )

    def submissions(self, slug: str) -> dict[str, dict[str, dict | None]]:
        """``{username: {notebook: notebook dict or None}}`` last collected."""
        query = select(submissions).where(submissions.c.workshop == slug)
        out: dict[str, dict] = {}
        with self.db.read() as conn:
            for row in conn.execute(query):
                content = json.loads(row.content) if row.content else None
                out.setdefault(row.username, {})[row.notebook] = content
        return out

    def save_results(self, actor: str, action: str, graded: list[Result], workshop: str | None):
        """Replace the results of the (user, course, notebook) pairs in ``graded`` for
        ``workshop`` (None: self-paced), audited as ``action`` with the points per user."""
        now = utc_now()
        keys = {(r.username, r.course_id, r.notebook) for r in graded}
        same = results.c.workshop.is_(None) if workshop is None else results.c.workshop == workshop
        points: dict[str, float] = {}
        for r in graded:
            points[r.username] = points.get(r.username, 0) + (r.points if r.passed else 0)
        with self.db.write() as conn:
            for user, course, notebook in keys:
                conn.execute(
                    delete(results).where(
                        same,
                        results.c.username == user,
                        results.c.course_id == course,
                        results.c.notebook == notebook,
                    )
                )
            if graded:
                conn.execute(insert(results), [_result_row(r, workshop, now) for r in graded])
            if workshop is not None:
                conn.execute(
                    update(workshops).where(workshops.c.slug == workshop).values(state=GRADED)
                )
            obj = (
                f"workshop:{workshop}"
                if workshop
                else f"course:{graded[0].course_id if graded else '-'}"
            )
            append(conn, actor, action, obj, {"points": points})

    def results(self, username: str | None = None, workshop: str | None = None) -> list[Result]:
        """Results of one trainee and/or one workshop, in notebook and check order."""
        query = select(results)
        if username is not None:
            query = query.where(results.c.username == username)
        if workshop is not None:
            query = query.where(results.c.workshop == workshop)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(results.c.pk)).all()
        return [Result(**{k: v for k, v in r._mapping.items() if k != "pk"}) for r in rows]


def _result_row(result: Result, workshop: str | None, now: str) -> dict:
    return dict(
        workshop=workshop,
        username=result.username,
        course_id=result.course_id,
        notebook=result.notebook,
        grade_id=result.grade_id,
        points=result.points,
        passed=result.passed,
        feedback=result.feedback[:2000],
        graded_at=now,
    )
