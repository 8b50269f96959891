"""The synthesis jobs' table, on the portal's shared metadata (same database, same audit
chain as the catalogue, the access requests and the airlock).

Created by :func:`ensure_tables` when the service opens a database. JSON columns are
TEXT holding canonical JSON.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text

from ..database import Database, metadata

synthesis_jobs = Table(
    "synthesis_jobs",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(20), nullable=False, unique=True),
    Column("state", String(40), nullable=False, index=True),
    Column("steward", String(100), nullable=False, index=True),
    Column("dataset", String(80), nullable=False, index=True),
    Column("table_path", Text, nullable=False),
    Column("method", String(80), nullable=False),
    Column("target", String(200)),
    Column("seed", Integer, nullable=False),
    Column("failure", Text, nullable=False, default=""),
    Column("report", Text),  # JSON: the engine's report.json
    Column("files", Text, nullable=False, default="[]"),  # JSON list
    Column("container", Text),  # JSON: network mode, read-only root, mounts (inspect)
    Column("export_request", String(20), index=True),
    Column("synthetic_dataset", String(80), index=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)


def ensure_tables(db: Database) -> None:
    """Create the synthesis table if it is missing (idempotent)."""
    metadata.create_all(db.engine, tables=[synthesis_jobs])
