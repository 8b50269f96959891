"""Reading export requests from their rows (the service writes them)."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from ..errors import NotFound
from .model import ExportFile, ExportRequest, Review, State
from .tables import export_files, export_requests, export_reviews


def locked_row(conn: Connection, request_id: str, lock: bool = True):
    """The request's row (locked for update in a write transaction); NotFound if none."""
    query = select(export_requests).where(export_requests.c.request_id == request_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"there is no export request {request_id!r}")
    return row


def to_request(conn: Connection, row) -> ExportRequest:
    """The whole request: its row, its files in order and its reviews."""
    files = conn.execute(
        select(export_files)
        .where(export_files.c.request_pk == row.pk)
        .order_by(export_files.c.position)
    ).all()
    reviews = conn.execute(
        select(export_reviews)
        .where(export_reviews.c.request_pk == row.pk)
        .order_by(export_reviews.c.submitted_at)
    ).all()
    return ExportRequest(
        request_id=row.request_id,
        state=State(row.state),
        requester=row.requester,
        title=row.title,
        justification=row.justification,
        sources=json.loads(row.sources),
        party=json.loads(row.party),
        datasets=json.loads(row.datasets),
        thresholds=json.loads(row.thresholds),
        predecessor=row.predecessor,
        created_at=row.created_at,
        updated_at=row.updated_at,
        files=[_file(f) for f in files],
        reviews=[
            Review(r.reviewer, r.submitted_at, json.loads(r.votes), r.comment) for r in reviews
        ],
    )


def _file(row) -> ExportFile:
    return ExportFile(
        position=row.position,
        name=row.name,
        role=row.role,
        file_type=row.file_type,
        kind=row.kind,
        size=row.size,
        sha256=row.sha256,
        check_status=row.check_status,
        findings=json.loads(row.findings),
        decision=row.decision,
        rerun=json.loads(row.rerun) if row.rerun else None,
    )


def dumps(value) -> str:
    """Canonical JSON for the JSON text columns."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
