"""The airlock's tables, on the portal's shared metadata (same database, same audit chain).

Created by :func:`ensure_tables` when the airlock service opens a database, so the
portal's own ``database.py`` needs no change for them. JSON columns are TEXT holding
canonical JSON (SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, Text

from ..database import Database, metadata

export_requests = Table(
    "airlock_requests",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(20), nullable=False, unique=True),
    Column("state", String(40), nullable=False, index=True),
    Column("requester", String(100), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("justification", Text, nullable=False),
    Column("sources", Text, nullable=False),  # JSON list of access-request ids
    Column("party", Text, nullable=False),  # JSON list: requester + project team
    Column("datasets", Text, nullable=False),  # JSON list
    Column("thresholds", Text, nullable=False),  # JSON: the thresholds the checks used
    Column("predecessor", String(20), index=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

export_files = Table(
    "airlock_files",
    metadata,
    Column(
        "request_pk",
        Integer,
        ForeignKey("airlock_requests.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("file_type", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("check_status", String(20), nullable=False),
    Column("findings", Text, nullable=False),  # JSON list (rules and cells, never values)
    Column("decision", String(40)),
    Column("rerun", Text),  # JSON: the server-side re-run's comparison
)

export_reviews = Table(
    "airlock_reviews",
    metadata,
    Column(
        "request_pk",
        Integer,
        ForeignKey("airlock_requests.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("reviewer", String(100), primary_key=True),
    Column("submitted_at", String(40), nullable=False),
    Column("votes", Text, nullable=False),  # JSON: file name -> {vote, reason}
    Column("comment", Text, nullable=False),
)

TABLES = [export_requests, export_files, export_reviews]


def ensure_tables(db: Database) -> None:
    """Create the airlock's tables if they are missing (idempotent)."""
    metadata.create_all(db.engine, tables=TABLES)
