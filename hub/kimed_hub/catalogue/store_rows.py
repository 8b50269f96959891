"""Writing catalogue records to their tables, inside a caller's transaction.

Kept apart from ``store.py`` (the public API) because this is about rows: revisions and
lost-update checks, the search-index rows, the "synthetic version available" flag that
depends on other records, and the audit event of each change. Batches are written with
one multi-row statement per table, so bulk imports are not one round trip per record.
"""

from __future__ import annotations

import hashlib
import json
from typing import NamedTuple

from sqlalchemy import Connection, delete, insert, null, select, update

from .. import audit
from ..database import (
    algorithm_training,
    algorithms,
    dataset_facets,
    datasets,
    search_changes,
    search_state,
)
from ..database import dataset_content as content
from ..database import dataset_documents as documents
from ..database import request_datasets as requested
from ..errors import Conflict, ValidationFailed, Violation
from ..serde import canonical_json, from_data
from .algorithm import Algorithm
from .indexing import facet_rows, index_columns, text_columns
from .model import Dataset
from .rdf_records import Record


class Stored(NamedTuple):
    """What is stored for a record now (``NEW`` when nothing is)."""

    pk: int | None
    revision: int
    document: str
    source: str | None


NEW = Stored(None, 0, "", None)


def stored(conn: Connection, table, identifiers: list[str]) -> dict[str, Stored]:
    """The stored state of the named records of ``table``."""
    rows = conn.execute(document_query(table).where(table.c.identifier.in_(identifiers)))
    return {row[0]: Stored(row[1], row[2], row[3], row[4] or None) for row in rows}


def document_query(table):
    """SELECT identifier, pk, revision, document, source of ``table``'s records."""
    if table is datasets:
        query = select(
            datasets.c.identifier,
            datasets.c.pk,
            datasets.c.revision,
            documents.c.document,
            datasets.c.source_identifier.label("source"),
        )
        return query.join(documents, documents.c.dataset_pk == datasets.c.pk)
    columns = (table.c.identifier, table.c.pk, table.c.revision, table.c.document)
    return select(*columns, null().label("source"))


def check_revisions(records: list, current: dict[str, Stored], expected: int | None) -> None:
    """Raise Conflict unless each record is at ``expected`` (None: any revision is fine)."""
    if expected is None:
        return
    for record in records:
        found = current.get(record.identifier, NEW).revision
        if found != expected:
            state = "does not exist" if found == 0 else f"is at revision {found}"
            raise Conflict(
                f"{record.identifier} {state}, not {expected}; reload it and apply the change again"
            )


def write_datasets(conn: Connection, records: list[Dataset], actor: str, expected) -> list[int]:
    """Create or replace ``records``; return their revisions (unchanged ones keep theirs)."""
    current = stored(conn, datasets, [r.identifier for r in records])
    check_revisions(records, current, expected)
    _check_sources(conn, records)
    docs = {ds.identifier: canonical_json(ds) for ds in records}
    changed = [
        ds for ds in records if current.get(ds.identifier, NEW).document != docs[ds.identifier]
    ]
    pks = _save(conn, datasets, changed, current, docs)
    _replace_facets(conn, pks, changed)
    sources = {ds.derived_from for ds in changed if ds.derived_from}
    sources |= {current[ds.identifier].source for ds in changed if ds.identifier in current}
    refresh_synthetic_flags(conn, sources - {None})
    events = [_event(actor, "dataset", ds, docs[ds.identifier], current) for ds in changed]
    audit.append_many(conn, events)
    touched = {ds.identifier for ds in changed}
    return [current.get(r.identifier, NEW).revision + (r.identifier in touched) for r in records]


def write_algorithm(conn: Connection, algo: Algorithm, actor: str, expected: int | None) -> int:
    """Create or replace one algorithm; its training datasets must be in the catalogue."""
    current = stored(conn, algorithms, [algo.identifier])
    check_revisions([algo], current, expected)
    query = select(datasets.c.identifier).where(datasets.c.identifier.in_(algo.training_data))
    missing = sorted(set(algo.training_data) - set(conn.scalars(query)))
    if missing:
        problems = [Violation("training_data", f"{m} is not in the catalogue") for m in missing]
        raise ValidationFailed(f"algorithm {algo.identifier}", problems)
    doc, before = canonical_json(algo), current.get(algo.identifier, NEW)
    if before.document == doc:
        return before.revision
    (pk,) = _save(conn, algorithms, [algo], current, {algo.identifier: doc})
    conn.execute(delete(algorithm_training).where(algorithm_training.c.algorithm_pk == pk))
    if algo.training_data:
        links = [{"algorithm_pk": pk, "dataset_identifier": d} for d in algo.training_data]
        conn.execute(insert(algorithm_training), links)
    audit.append_many(conn, [_event(actor, "algorithm", algo, doc, current)])
    return before.revision + 1


def _save(conn: Connection, table, records: list[Record], current: dict, docs: dict) -> list[int]:
    """Write the rows of ``records`` (new ones in one statement); return pks in order."""
    now, rows = audit.utc_now(), []
    for record in records:
        row = {"revision": current.get(record.identifier, NEW).revision + 1, "updated_at": now}
        if isinstance(record, Dataset):
            rows.append(row | index_columns(record))
        else:
            algo = {"name": record.name, "version": record.version, "task": record.task}
            rows.append(row | algo | {"document": docs[record.identifier]})
    pks = _write_rows(conn, table, records, rows, current, now)
    if table is datasets:
        _write_content(conn, records, pks, current, docs)
    return pks


def _write_content(conn: Connection, records: list, pks: list[int], current: dict, docs: dict):
    """The documents and full-text columns of datasets, next to their search rows."""
    new_docs, new_texts = [], []
    for record, pk in zip(records, pks, strict=True):
        doc, text = docs[record.identifier], text_columns(record)
        if record.identifier in current:
            conn.execute(update(documents).where(documents.c.dataset_pk == pk).values(document=doc))
            conn.execute(update(content).where(content.c.dataset_pk == pk).values(**text))
        else:
            new_docs.append({"dataset_pk": pk, "document": doc})
            new_texts.append(text | {"dataset_pk": pk})
    if new_docs:
        conn.execute(insert(documents), new_docs)
        conn.execute(insert(content), new_texts)


def _write_rows(conn: Connection, table, records: list, rows: list, current: dict, now: str):
    new = [(r, row) for r, row in zip(records, rows, strict=True) if r.identifier not in current]
    pks: dict[str, int] = {}
    if new:
        # One multi-row INSERT, then the keys by identifier: SQLite cannot return keys
        # in parameter order for a batch, and row-by-row inserts would be much slower.
        values = [row | {"identifier": r.identifier, "created_at": now} for r, row in new]
        conn.execute(insert(table), values)
        query = select(table.c.identifier, table.c.pk)
        names = [r.identifier for r, _ in new]
        pks |= dict(conn.execute(query.where(table.c.identifier.in_(names))).all())
    for record, row in zip(records, rows, strict=True):
        if record.identifier in current:
            pk = current[record.identifier].pk
            conn.execute(update(table).where(table.c.pk == pk).values(**row))
            pks[record.identifier] = pk
    return [pks[r.identifier] for r in records]


def mark_changed(conn: Connection, pks: list[int]) -> None:
    """Bump the search generation and note ``pks``: facet indexes refresh from them."""
    state = select(search_state.c.generation).where(search_state.c.id == 1).with_for_update()
    generation = conn.scalar(state) + 1
    conn.execute(update(search_state).where(search_state.c.id == 1).values(generation=generation))
    rows = [{"generation": generation, "dataset_pk": pk} for pk in sorted(set(pks))]
    if rows:
        conn.execute(insert(search_changes), rows)


def _replace_facets(conn: Connection, pks: list[int], records: list[Dataset]) -> None:
    if not records:
        return
    mark_changed(conn, pks)
    names = [ds.identifier for ds in records]
    query = select(datasets.c.source_identifier).where(datasets.c.source_identifier.in_(names))
    with_synthetic = set(conn.scalars(query))
    conn.execute(delete(dataset_facets).where(dataset_facets.c.dataset_pk.in_(pks)))
    rows = [
        {"dataset_pk": pk, "facet": facet, "value": value}
        for pk, ds in zip(pks, records, strict=True)
        for facet, value in facet_rows(ds, ds.identifier in with_synthetic)
    ]
    conn.execute(insert(dataset_facets), rows)


def refresh_synthetic_flags(conn: Connection, identifiers: set[str]) -> None:
    """Recompute the "synthetic version available" facet of the named datasets."""
    if not identifiers:
        return
    query = document_query(datasets).where(datasets.c.identifier.in_(identifiers))
    found = conn.execute(query).all()
    records = [from_data(Dataset, json.loads(row.document)) for row in found]
    _replace_facets(conn, [row.pk for row in found], records)


def _check_sources(conn: Connection, records: list[Dataset]) -> None:
    """A synthetic version must point to an existing, non-synthetic dataset."""
    wanted = {ds.derived_from for ds in records if ds.derived_from}
    if not wanted:
        return
    query = select(datasets.c.identifier, datasets.c.is_synthetic)
    found = dict(conn.execute(query.where(datasets.c.identifier.in_(wanted))).all())
    found |= {ds.identifier: ds.is_synthetic for ds in records}
    for ds in records:
        if not ds.derived_from:
            continue
        if ds.derived_from == ds.identifier:
            problem = "points to itself"
        elif ds.derived_from not in found or found[ds.derived_from]:
            problem = f"{ds.derived_from} is not a (non-synthetic) dataset of the catalogue"
        else:
            continue
        raise ValidationFailed(f"dataset {ds.identifier}", [Violation("derived_from", problem)])


def dataset_users(conn: Connection, identifier: str) -> list[str]:
    """Records and requests that refer to a dataset (it cannot be deleted while any do)."""
    synthetic = select(datasets.c.identifier).where(datasets.c.source_identifier == identifier)
    models = (
        select(algorithms.c.identifier)
        .join(algorithm_training, algorithm_training.c.algorithm_pk == algorithms.c.pk)
        .where(algorithm_training.c.dataset_identifier == identifier)
    )
    requests = select(requested.c.request_pk).where(requested.c.dataset_identifier == identifier)
    users = [f"dataset {d}" for d in conn.scalars(synthetic)]
    users += [f"algorithm {a}" for a in conn.scalars(models)]
    users += [f"access request #{r}" for r in conn.scalars(requests)]
    return users


def _event(actor: str, kind: str, record: Record, doc: str, current: dict) -> tuple:
    revision = current.get(record.identifier, NEW).revision + 1
    digest = hashlib.sha256(doc.encode()).hexdigest()
    action = f"{kind}.{'create' if revision == 1 else 'update'}"
    return (actor, action, f"{kind}:{record.identifier}", {"revision": revision, "sha256": digest})
