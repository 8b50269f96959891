"""Storing records from other portals: the searchable copy and the original description.

Kept apart from ``store_rows.py`` because these records follow other rules: they are
written only by an import (never edited in the portal, which would make the copy and the
original disagree) and exported from the original.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from .. import audit
from ..database import datasets, foreign_records
from ..errors import Conflict
from . import store_rows as rows
from .foreign import ForeignRecord


def write_foreign(conn: Connection, found: list[ForeignRecord], actor: str) -> None:
    """Create or replace foreign records (copy and original together) in ``conn``'s
    transaction, with an audit event naming the source IRI and what is not modelled."""
    rows.write_datasets(conn, [f.record for f in found], actor, None)
    pks = dict(
        conn.execute(
            select(datasets.c.identifier, datasets.c.pk).where(
                datasets.c.identifier.in_([f.record.identifier for f in found])
            )
        ).all()
    )
    for item in found:
        pk = pks[item.record.identifier]
        conn.execute(delete(foreign_records).where(foreign_records.c.dataset_pk == pk))
        conn.execute(
            insert(foreign_records).values(dataset_pk=pk, source_iri=item.iri, triples=item.triples)
        )
        details = {"source": item.iri, "kept_not_modelled": item.unsupported}
        audit.append(
            conn, actor, "dataset.import-foreign", f"dataset:{item.record.identifier}", details
        )


def originals(conn: Connection, identifiers: list[str]) -> dict[str, tuple[str, str]]:
    """identifier → (source IRI, N-Triples) for those of ``identifiers`` that are foreign."""
    query = (
        select(datasets.c.identifier, foreign_records.c.source_iri, foreign_records.c.triples)
        .join(foreign_records, foreign_records.c.dataset_pk == datasets.c.pk)
        .where(datasets.c.identifier.in_(identifiers))
    )
    return {ident: (iri, triples) for ident, iri, triples in conn.execute(query)}


def refuse_edits(conn: Connection, identifiers: list[str]) -> None:
    """Conflict if any of ``identifiers`` came from another portal (re-import to change)."""
    found = originals(conn, identifiers)
    if found:
        sources = ", ".join(f"{i} (from {iri})" for i, (iri, _) in sorted(found.items()))
        raise Conflict(
            f"imported from another portal, so not editable here: {sources}; "
            "change it at its source and import it again"
        )
