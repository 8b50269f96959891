"""CatalogueStore: validated dataset and algorithm records, their search index and audit.

Every write goes the same way: build the record (from a dataclass or JSON data), normal
form, size limits, model checks, SHACL validation of its RDF form; then, in one database
transaction, the row, its search-index rows and an audit entry. Any failure raises a
:class:`~kimed_hub.errors.PortalError` and leaves the database as it was. The
hub service (phase 2) wraps these methods in REST handlers; nothing here knows HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, select

from .. import audit
from ..database import (
    Database,
    algorithm_training,
    algorithms,
    dataset_content,
    datasets,
    default_url,
)
from ..errors import BadInput, Conflict, NotFound, ValidationFailed
from ..serde import check_limits, from_data, normalised
from . import foreign_rows, harvest, search_sql
from . import store_rows as rows
from .algorithm import Algorithm
from .facet_index import FacetIndex
from .model import Dataset
from .rdf_io import dump_records, load_document
from .rdf_records import KINDS, Record, records_to_graph
from .search import SearchQuery, SearchResult
from .validation import check_graph

DEFAULT_BASE_IRI = "https://kimed.example.org/catalogue/"


@dataclass
class ImportResult:
    """What an import stored: identifiers, and per record of another portal the properties
    kept verbatim (exported again) but not modelled (not searchable or shown here)."""

    identifiers: list[str]
    kept_not_modelled: dict[str, list[str]] = field(default_factory=dict)


CATALOGUE_INFO = {
    "title_de": "KIMed-Katalog für Daten und Algorithmen",
    "title_en": "KIMed data and algorithm catalogue",
    "description_de": "Gesundheitsdaten und KI-Algorithmen, die in der KIMed Workbench "
    "zugänglich sind.",
    "description_en": "Health datasets and AI algorithms available in the KIMed Workbench.",
    "publisher": "KIMed Workbench",
    "email": "katalog@kimed.example.org",
    "homepage": "https://kimed.example.org/",
}


class CatalogueStore:
    """The catalogue: datasets, algorithms, search, import/export and the audit log.

    ``url`` is a SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://...``);
    without it ``KIMED_PORTAL_DB_URL`` or a SQLite file in the state folder is used.
    ``base_iri`` is where the records' IRIs live (``<base>dataset/<identifier>``).
    """

    def __init__(self, url: str | None = None, *, base_iri: str = DEFAULT_BASE_IRI):
        self.db = Database(url or default_url())
        self.base_iri = base_iri
        self._facets = FacetIndex()

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.db.backend

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()

    # --- validation -----------------------------------------------------------------------

    def prepare(self, record: Record | dict, kind: type = Dataset, shacl: bool = True) -> Record:
        """A record checked like a write would check it (normal form, limits, rules, SHACL).

        ``record`` may be JSON-ready data (``kind`` says which type); raises on problems.
        """
        if isinstance(record, dict):
            record = from_data(kind, record, kind.__name__.lower())
        record = normalised(record)
        subject = f"{type(record).__name__.lower()} {record.identifier or '(no identifier)'}"
        check_limits(record, subject)
        problems = KINDS[type(record)][2](record)
        if problems:
            raise ValidationFailed(subject, problems)
        if shacl:
            check_graph(records_to_graph([record], self.base_iri), subject)
        return record

    # --- datasets -------------------------------------------------------------------------

    def put_dataset(
        self, record: Dataset | dict, *, actor: str, expected_revision: int | None = None
    ) -> int:
        """Create or replace a dataset record; return its new revision.

        ``expected_revision`` (0 for "must be new") guards against lost updates.
        """
        identifier = record.get("identifier") if isinstance(record, dict) else record.identifier
        with self.db.read() as conn:  # before the checks: they would name KIMed's rules
            foreign_rows.refuse_edits(conn, [str(identifier or "")])
        ds = self.prepare(record, Dataset)
        with self.db.write() as conn:
            foreign_rows.refuse_edits(conn, [ds.identifier])
            return rows.write_datasets(conn, [ds], actor, expected_revision)[0]

    def add_datasets(
        self, records: Iterable[Dataset], *, actor: str, shacl: bool = True, batch: int = 500
    ) -> int:
        """Add many new datasets, ``batch`` per transaction; return how many were added.

        Each batch is validated as one RDF graph (much faster than one by one) and
        written atomically. ``shacl=False`` skips only the SHACL step and is meant for
        records this code generated itself (the search benchmark).
        """
        added, chunk = 0, []
        for record in records:
            chunk.append(self.prepare(record, Dataset, shacl=False))
            if len(chunk) == batch:
                added += self._add_batch(chunk, actor, shacl)
                chunk = []
        return added + (self._add_batch(chunk, actor, shacl) if chunk else 0)

    def _add_batch(self, chunk: list[Dataset], actor: str, shacl: bool) -> int:
        if shacl:
            check_graph(records_to_graph(chunk, self.base_iri), f"{len(chunk)} datasets")
        with self.db.write() as conn:
            rows.write_datasets(conn, chunk, actor, expected=0)
        return len(chunk)

    def get_dataset(self, identifier: str) -> Dataset:
        """The dataset record ``identifier``; NotFound if there is none."""
        return self._get(datasets, Dataset, identifier)

    def dataset_revision(self, identifier: str) -> int:
        """The current revision of a dataset (0 if it does not exist)."""
        with self.db.read() as conn:
            found = conn.scalar(
                select(datasets.c.revision).where(datasets.c.identifier == identifier)
            )
        return found or 0

    def dataset_identifiers(self) -> list[str]:
        """All dataset identifiers, sorted."""
        with self.db.read() as conn:
            return list(conn.scalars(select(datasets.c.identifier).order_by(datasets.c.identifier)))

    def synthetic_versions(self, identifier: str) -> list[str]:
        """The synthetic versions derived from dataset ``identifier``, sorted."""
        query = select(datasets.c.identifier).where(datasets.c.source_identifier == identifier)
        with self.db.read() as conn:
            return list(conn.scalars(query.order_by(datasets.c.identifier)))

    def missing_datasets(self, identifiers: Iterable[str]) -> list[str]:
        """Those of ``identifiers`` that are not in the catalogue."""
        wanted = set(identifiers)
        with self.db.read() as conn:
            found = set(
                conn.scalars(select(datasets.c.identifier).where(datasets.c.identifier.in_(wanted)))
            )
        return sorted(wanted - found)

    def delete_dataset(self, identifier: str, *, actor: str) -> None:
        """Remove a dataset that nothing refers to (synthetic versions, models, requests)."""
        with self.db.write() as conn:
            row = self._row(conn, datasets, identifier)
            users = rows.dataset_users(conn, identifier)
            if users:
                raise Conflict(f"dataset {identifier} is still referred to by: {', '.join(users)}")
            # Content first: its delete trigger keeps the full-text index in step.
            conn.execute(delete(dataset_content).where(dataset_content.c.dataset_pk == row.pk))
            conn.execute(delete(datasets).where(datasets.c.pk == row.pk))
            rows.mark_changed(conn, [row.pk])
            rows.refresh_synthetic_flags(conn, {row.source} - {None})
            audit.append(
                conn, actor, "dataset.delete", f"dataset:{identifier}", {"revision": row.revision}
            )

    # --- algorithms -----------------------------------------------------------------------

    def put_algorithm(
        self, record: Algorithm | dict, *, actor: str, expected_revision: int | None = None
    ) -> int:
        """Create or replace an algorithm record; its training datasets must exist."""
        algo = self.prepare(record, Algorithm)
        with self.db.write() as conn:
            return rows.write_algorithm(conn, algo, actor, expected_revision)

    def get_algorithm(self, identifier: str) -> Algorithm:
        """The algorithm record ``identifier``; NotFound if there is none."""
        return self._get(algorithms, Algorithm, identifier)

    def list_algorithms(self, *, trained_on: str | None = None) -> list[Algorithm]:
        """All algorithm records (or those trained on one dataset), by identifier."""
        query = select(algorithms.c.document).order_by(algorithms.c.identifier)
        if trained_on:
            users = select(algorithm_training.c.algorithm_pk).where(
                algorithm_training.c.dataset_identifier == trained_on
            )
            query = query.where(algorithms.c.pk.in_(users))
        with self.db.read() as conn:
            return [from_data(Algorithm, json.loads(doc)) for doc in conn.scalars(query)]

    def delete_algorithm(self, identifier: str, *, actor: str) -> None:
        """Remove an algorithm record."""
        with self.db.write() as conn:
            row = self._row(conn, algorithms, identifier)
            conn.execute(delete(algorithms).where(algorithms.c.pk == row.pk))
            audit.append(
                conn,
                actor,
                "algorithm.delete",
                f"algorithm:{identifier}",
                {"revision": row.revision},
            )

    # --- exchange, search, audit -----------------------------------------------------------

    def import_rdf(self, data: bytes | str, fmt: str, *, actor: str) -> list[str]:
        """Import a Turtle/JSON-LD document: all its records or, on any problem, none."""
        return self.import_document(data, fmt, actor=actor).identifiers

    def import_document(self, data: bytes | str, fmt: str, *, actor: str) -> ImportResult:
        """Import a document of this portal's records and/or other portals' records.

        Everything or nothing is stored. The result names, per record from another
        portal, the properties kept verbatim but not modelled (not searchable here).
        """
        records, foreign = load_document(data, fmt, self.base_iri)
        records = [self.prepare(r, shacl=False) for r in records]
        with self.db.write() as conn:
            self._write_records(conn, records, actor)
            if foreign:
                foreign_rows.write_foreign(conn, foreign, actor)
        return ImportResult(
            [r.identifier for r in records] + [f.record.identifier for f in foreign],
            {f.record.identifier: f.unsupported for f in foreign},
        )

    def put_records(self, records: list[Record], *, actor: str, shacl: bool = True) -> list[str]:
        """Create or replace datasets and algorithms together, in one transaction.

        Sources go before their synthetic versions and datasets before algorithms, so a
        document may hold records that refer to each other. ``shacl=False`` is for
        records that were just validated as a whole document (``import_rdf``).
        """
        records = [self.prepare(r, shacl=shacl) for r in records]
        with self.db.write() as conn:
            self._write_records(conn, records, actor)
        return [r.identifier for r in records]

    def _write_records(self, conn: Connection, records: list[Record], actor: str) -> None:
        found = sorted(
            (r for r in records if isinstance(r, Dataset)), key=lambda d: bool(d.derived_from)
        )
        foreign_rows.refuse_edits(conn, [r.identifier for r in found])
        if found:
            rows.write_datasets(conn, found, actor, None)
        for algo in (r for r in records if isinstance(r, Algorithm)):
            rows.write_algorithm(conn, algo, actor, None)

    def export_rdf(self, fmt: str = "turtle", identifiers: list[str] | None = None) -> str:
        """The catalogue (or the named records, each alone) as DCAT Turtle or JSON-LD."""
        return self._export(fmt, identifiers, wrap=identifiers is None)

    def harvest_page(
        self, fmt: str, page: int, page_size: int, since: str, url: Callable[[int], str]
    ) -> str:
        """One page of the datasets changed since ``since`` (ISO date/time, '' for all), as
        a dcat:Catalog with its hydra paging node; ``url(n)`` is page n's address."""
        if not 1 <= page_size <= harvest.MAX_PAGE_SIZE:
            raise BadInput(f"page_size must be 1 to {harvest.MAX_PAGE_SIZE}; got {page_size}")
        with self.db.read() as conn:
            found, total = harvest.changed_datasets(
                conn, harvest.parse_since(since), page, page_size
            )
        view = harvest.PageView(page, page_size, total, url)
        if page > view.last:
            raise NotFound(f"page {page} does not exist; there are {view.last} page(s)")
        return self._export(fmt, found, wrap=True, view=view)

    def _export(self, fmt: str, identifiers, *, wrap: bool, view=None) -> str:
        records: list[Record] = []
        with self.db.read() as conn:
            for table, cls in ((datasets, Dataset), (algorithms, Algorithm)):
                if view is not None and table is algorithms:
                    continue  # a harvest page lists datasets only
                query = rows.document_query(table).order_by(table.c.identifier)
                if identifiers is not None:
                    query = query.where(table.c.identifier.in_(identifiers))
                records += [from_data(cls, json.loads(r.document)) for r in conn.execute(query)]
            if identifiers is not None and view is None:
                missing = sorted(set(identifiers) - {r.identifier for r in records})
                if missing:
                    raise NotFound(f"no record with identifier {', '.join(missing)}")
            kept = foreign_rows.originals(conn, [r.identifier for r in records])
        info = CATALOGUE_INFO if wrap else None
        return dump_records(records, fmt, self.base_iri, info, kept, view)

    def search(self, query: SearchQuery) -> SearchResult:
        """Full-text and faceted search over the datasets (see ``search.py``)."""
        with self.db.read() as conn:
            return search_sql.run(conn, self.db.backend, self._facets, query)

    def audit_entries(self, obj: str | None = None, after: int = 0, limit: int = 1000):
        """Audit entries in order, optionally about one object (``dataset:<id>``)."""
        return audit.entries(self.db, obj, after, limit)

    # --- helpers --------------------------------------------------------------------------

    def _get(self, table, cls: type, identifier: str) -> Any:
        with self.db.read() as conn:
            row = self._row(conn, table, identifier)
        return from_data(cls, json.loads(row.document))

    @staticmethod
    def _row(conn: Connection, table, identifier: str):
        query = rows.document_query(table).where(table.c.identifier == identifier)
        row = conn.execute(query).first()
        if row is None:
            kind = "dataset" if table is datasets else "algorithm"
            raise NotFound(f"there is no {kind} {identifier!r} in the catalogue")
        return row
