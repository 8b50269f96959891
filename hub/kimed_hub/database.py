"""The portal's tables and database connection (SQLAlchemy 2; SQLite or PostgreSQL).

SQLite is the embedded default (one file under the state folder); a PostgreSQL URL in
``KIMED_PORTAL_DB_URL`` (or passed to the store) selects PostgreSQL. Everything else is
the same on both, except the full-text index (FTS5 table vs. ``tsvector`` column, set up
here by backend-specific DDL) and the append-only guard on the audit log (triggers in
each dialect's own syntax).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.schema import DDL

from .paths import hub_data_dir

metadata = MetaData()


def _stamps() -> list[Column]:
    return [Column("created_at", String(40), nullable=False), Column("updated_at", String(40))]


datasets = Table(
    "portal_datasets",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("identifier", String(80), nullable=False, unique=True),
    Column("revision", Integer, nullable=False),
    *_stamps(),
    Column("title_de", Text),
    Column("title_en", Text),
    Column("summary_de", Text),
    Column("summary_en", Text),
    Column("sort_title", String(200), index=True),
    Column("access_rights", String(40)),
    Column("n_individuals", BigInteger, index=True),
    Column("n_records", BigInteger),
    Column("min_age", Integer, index=True),
    Column("max_age", Integer, index=True),
    Column("time_start", Date, index=True),
    Column("time_end", Date, index=True),
    Column("is_synthetic", Boolean, nullable=False),
    Column("source_identifier", String(80), index=True),
    Column("modified", Date, index=True),
)

# The record itself and its full text live apart from the search columns above, and
# apart from each other, so that each search step reads small rows only.
dataset_documents = Table(
    "portal_dataset_documents",
    metadata,
    Column(
        "dataset_pk",
        Integer,
        ForeignKey("portal_datasets.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("document", Text, nullable=False),
)
dataset_content = Table(
    "portal_dataset_content",
    metadata,
    Column(
        "dataset_pk",
        Integer,
        ForeignKey("portal_datasets.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("fts_title", Text),
    Column("fts_body", Text),
    Column("fts_keywords", Text),
    Column("fts_variables", Text),
)

# Records written by other portals keep their whole description as received (N-Triples),
# exported verbatim; the datasets row above is the portal's searchable copy.
foreign_records = Table(
    "portal_foreign_records",
    metadata,
    Column(
        "dataset_pk",
        Integer,
        ForeignKey("portal_datasets.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("source_iri", Text, nullable=False),
    Column("triples", Text, nullable=False),
)

dataset_facets = Table(
    "portal_dataset_facets",
    metadata,
    Column(
        "dataset_pk",
        Integer,
        ForeignKey("portal_datasets.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("facet", String(32), primary_key=True),
    Column("value", String(300), primary_key=True),
)
# The primary key serves "facets of these datasets" (counts); this index serves filters.
Index(
    "ix_portal_facet_value",
    dataset_facets.c.facet,
    dataset_facets.c.value,
    dataset_facets.c.dataset_pk,
)

algorithms = Table(
    "portal_algorithms",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("identifier", String(80), nullable=False, unique=True),
    Column("document", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    *_stamps(),
    Column("name", Text, nullable=False),
    Column("version", String(60), nullable=False),
    Column("task", Text, nullable=False),
)

algorithm_training = Table(
    "portal_algorithm_training",
    metadata,
    Column(
        "algorithm_pk",
        Integer,
        ForeignKey("portal_algorithms.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("dataset_identifier", String(80), primary_key=True, index=True),
)

access_requests = Table(
    "portal_access_requests",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(20), nullable=False, unique=True),
    Column("state", String(40), nullable=False, index=True),
    Column("applicant", String(100), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("application", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("conditions", Text, nullable=False),
    Column("valid_from", String(40)),
    Column("valid_until", String(40)),
    Column("amends", String(20), index=True),
    *_stamps(),
)

request_people = Table(
    "portal_request_people",
    metadata,
    Column(
        "request_pk",
        Integer,
        ForeignKey("portal_access_requests.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("username", String(100), primary_key=True, index=True),
)

request_datasets = Table(
    "portal_request_datasets",
    metadata,
    Column(
        "request_pk",
        Integer,
        ForeignKey("portal_access_requests.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("dataset_identifier", String(80), primary_key=True, index=True),
)

request_versions = Table(
    "portal_request_versions",
    metadata,
    Column("request_pk", Integer, ForeignKey("portal_access_requests.pk"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("submitted_at", String(40), nullable=False),
    Column("application", Text, nullable=False),
)

audit_log = Table(
    "portal_audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("ts", String(40), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    Column("object", String(200), nullable=False, index=True),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "portal_audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# Search generation: bumped (with the changed datasets noted) in every transaction that
# changes what search sees, so each process's in-memory facet index knows to refresh.
search_state = Table(
    "portal_search_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("generation", BigInteger, nullable=False),
)
search_changes = Table(
    "portal_search_changes",
    metadata,
    Column("generation", BigInteger, primary_key=True, autoincrement=False),
    Column("dataset_pk", Integer, primary_key=True, autoincrement=False),
)
event.listen(
    search_state,
    "after_create",
    DDL("INSERT INTO portal_search_state (id, generation) VALUES (1, 0)"),
)

#: The "previous hash" of the first audit entry.
GENESIS = "0" * 64
# The head row exists from the start, so concurrent first appends lock it like any other.
event.listen(
    audit_head,
    "after_create",
    DDL(f"INSERT INTO portal_audit_head (id, seq, hash) VALUES (1, 0, '{GENESIS}')"),
)

_FTS_COLUMNS = "fts_title, fts_body, fts_keywords, fts_variables"
_NEW = ", ".join(f"new.{c}" for c in _FTS_COLUMNS.split(", "))
_OLD = ", ".join(f"old.{c}" for c in _FTS_COLUMNS.split(", "))
_SQLITE_FTS = [
    # External-content FTS5: the text lives once, in portal_dataset_content; triggers
    # keep the index in step inside the same transaction as the row change.
    f"""CREATE VIRTUAL TABLE portal_datasets_fts USING fts5({_FTS_COLUMNS},
        content='portal_dataset_content', content_rowid='dataset_pk',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    f"""CREATE TRIGGER portal_content_ai AFTER INSERT ON portal_dataset_content BEGIN
        INSERT INTO portal_datasets_fts(rowid, {_FTS_COLUMNS})
        VALUES (new.dataset_pk, {_NEW}); END""",
    f"""CREATE TRIGGER portal_content_ad AFTER DELETE ON portal_dataset_content BEGIN
        INSERT INTO portal_datasets_fts(portal_datasets_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.dataset_pk, {_OLD}); END""",
    f"""CREATE TRIGGER portal_content_au AFTER UPDATE ON portal_dataset_content BEGIN
        INSERT INTO portal_datasets_fts(portal_datasets_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.dataset_pk, {_OLD});
        INSERT INTO portal_datasets_fts(rowid, {_FTS_COLUMNS})
        VALUES (new.dataset_pk, {_NEW}); END""",
]


def _pg_vector(columns: list[str]) -> str:
    return (
        "to_tsvector('simple'::regconfig, "
        + " || ' ' || ".join(f"coalesce({col}, '')" for col in columns)
        + ")"
    )


#: The PostgreSQL text searches: every text (a stored vector column), the title (relevance
#: tier 0), title and keywords (tier 1) (expression indexes). Queries use these texts.
PG_VECTORS = {
    "all": "search_all",
    "title": _pg_vector(["fts_title"]),
    "title_keywords": _pg_vector(["fts_title", "fts_keywords"]),
}
# A prefix match without weights needs no recheck of the row, so a search reads the GIN
# index and, per match, the heap row only for its key and visibility. Rows are kept narrow
# so that few pages hold them all: the vector and the source text are moved out of the row
# (storage EXTERNAL, 128-byte toast target; the ~2 kB vector makes every row long enough
# for PostgreSQL to start moving values out). The earlier layout, a weighted vector kept in
# the row, made each row ~2 kB and each match a page read: 82 ms p95 at 10^5 datasets.
# These statements also run on start-up (``_upgrade_postgres``) for older databases.
_PG_FTS = [
    "ALTER TABLE portal_dataset_content DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE portal_dataset_content ADD COLUMN IF NOT EXISTS search_all tsvector "
    f"GENERATED ALWAYS AS ({_pg_vector(_FTS_COLUMNS.split(', '))}) STORED",
    *(
        f"ALTER TABLE portal_dataset_content ALTER COLUMN {col} SET STORAGE EXTERNAL"
        for col in [*_FTS_COLUMNS.split(", "), "search_all"]
    ),
    "ALTER TABLE portal_dataset_content SET (toast_tuple_target = 128)",
    "CREATE INDEX IF NOT EXISTS ix_portal_content_search_all "
    "ON portal_dataset_content USING GIN (search_all)",
    *(
        f"CREATE INDEX IF NOT EXISTS ix_portal_content_{name} "
        f"ON portal_dataset_content USING GIN ({PG_VECTORS[name]})"
        for name in ("title", "title_keywords")
    ),
]
_APPEND_ONLY = "portal_audit_log is append-only"
_SQLITE_AUDIT = [
    f"""CREATE TRIGGER portal_audit_no_{op} BEFORE {op.upper()} ON portal_audit_log
        BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"""
    for op in ("update", "delete")
]
_PG_AUDIT = [
    f"""CREATE OR REPLACE FUNCTION portal_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$""",
    """CREATE TRIGGER portal_audit_no_change BEFORE UPDATE OR DELETE ON portal_audit_log
        FOR EACH ROW EXECUTE FUNCTION portal_audit_refuse()""",
    """CREATE TRIGGER portal_audit_no_truncate BEFORE TRUNCATE ON portal_audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION portal_audit_refuse()""",
]
for _table, _statements in (
    (dataset_content, (_SQLITE_FTS, _PG_FTS)),
    (audit_log, (_SQLITE_AUDIT, _PG_AUDIT)),
):
    for _dialect, _ddl in zip(("sqlite", "postgresql"), _statements, strict=True):
        for _sql in _ddl:
            event.listen(_table, "after_create", DDL(_sql).execute_if(dialect=_dialect))


def default_url() -> str:
    """``KIMED_PORTAL_DB_URL``, else a SQLite file beside the hub's own database (each hub
    data folder, so each test hub, has its own portal)."""
    url = os.environ.get("KIMED_PORTAL_DB_URL")
    if url:
        return url
    folder = hub_data_dir() / "portal"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'catalogue.sqlite'}"


def masked_url(url: str) -> str:
    """``url`` with any password replaced by ``***``: the only form of a database URL
    that may appear in a log, an error message or printed output."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(a malformed database URL)"


class Database:
    """One portal database: the engine, the schema and transaction helpers."""

    def __init__(self, url: str, create: bool = True):
        """``create``: make missing tables (the portal service); False for a process that
        only uses the tables the portal made (the hub's one audited write)."""
        self.engine = create_engine(url, pool_pre_ping=True)
        self.backend = self.engine.dialect.name
        if self.backend == "sqlite":
            _configure_sqlite(self.engine)
        elif self.backend != "postgresql":
            raise ValueError(f"unsupported database {self.backend!r}; use SQLite or PostgreSQL")
        if create:
            metadata.create_all(self.engine)
            if self.backend == "postgresql":
                _upgrade_postgres(self.engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed on success, rolled back on error."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(portal_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (a plain transaction, rolled back at the end)."""
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        """Close all pooled connections (tests, shutdown)."""
        self.engine.dispose()


def _upgrade_postgres(engine) -> None:
    """Bring the full-text layout of an existing PostgreSQL database up to date (each
    statement does nothing when it is already done)."""
    with engine.begin() as conn:
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_portal_content_search_all'"
        ).first()
        if exists is None:
            for sql in _PG_FTS:
                conn.exec_driver_sql(sql)


def raw_rows(conn: Connection, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of ``sql`` (``?`` placeholders) through the driver, bypassing result objects.

    Only for the search hot paths that read tens of thousands of keys, where
    SQLAlchemy's per-row result processing costs more than the query itself.
    """
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            sql = sql.replace("?", "%s")
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _configure_sqlite(engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        # WAL lets searches read while a write is in progress; the memory map and a
        # larger page cache keep full-text and index lookups off the read() syscall path.
        pragmas = (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "synchronous=NORMAL",
            "mmap_size=1073741824",
            "cache_size=-65536",
        )
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock up front; upgrading a read lock later can deadlock
        # two writers (SQLITE_BUSY), and every write here reads first.
        write = conn.get_execution_options().get("portal_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
