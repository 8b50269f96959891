"""Reading synthesis jobs from their rows, and the one way their state changes."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select, update

from .. import audit
from ..airlock.rows import dumps
from ..errors import IllegalTransition, NotFound
from .model import TRANSITIONS, JobState, SynthesisJob, allowed_from
from .tables import synthesis_jobs


def locked_row(conn: Connection, job_id: str, lock: bool = True):
    """The job's row (locked for update in a write transaction); NotFound if none."""
    query = select(synthesis_jobs).where(synthesis_jobs.c.job_id == job_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"there is no synthesis job {job_id!r}")
    return row


def to_job(row) -> SynthesisJob:
    """The job as stored."""
    return SynthesisJob(
        job_id=row.job_id,
        state=JobState(row.state),
        steward=row.steward,
        dataset=row.dataset,
        table=row.table_path,
        method=row.method,
        target=row.target,
        seed=row.seed,
        created_at=row.created_at,
        updated_at=row.updated_at,
        failure=row.failure or "",
        report=json.loads(row.report) if row.report else None,
        files=json.loads(row.files or "[]"),
        container=json.loads(row.container) if row.container else None,
        export_request=row.export_request,
        synthetic_dataset=row.synthetic_dataset,
    )


def transition(conn: Connection, row, action: str, actor: str, details: dict, **values):
    """Move the job along ``action`` (IllegalTransition if its state does not allow it),
    set ``values`` on its row, and append the audit entry, in the caller's transaction."""
    sources, target = TRANSITIONS[action]
    if JobState(row.state) not in sources:
        raise IllegalTransition(row.job_id, action, row.state, allowed_from(JobState(row.state)))
    values = {"state": target, "updated_at": audit.utc_now(), **values}
    conn.execute(update(synthesis_jobs).where(synthesis_jobs.c.pk == row.pk).values(values))
    entry = {"from": row.state, "to": target, **details}
    audit.append(conn, actor, f"synthesis.{action}", f"synthesis:{row.job_id}", entry)
    return target


def released_synthetic_versions(db) -> frozenset[str]:
    """Catalogue records that hold a table a synthesis job released (the demo catalogue
    must not overwrite them when it is loaded again)."""
    from .tables import ensure_tables

    ensure_tables(db)
    query = select(synthesis_jobs.c.synthetic_dataset).where(
        synthesis_jobs.c.state == JobState.RELEASED
    )
    with db.read() as conn:
        return frozenset(conn.scalars(query))


__all__ = ["dumps", "locked_row", "released_synthetic_versions", "to_job", "transition"]
