"""The catalogue as a national or European catalogue harvests it: pages, changed-since.

A harvester (HealthData@EU, the FDPG, a CKAN with ckanext-dcat) polls one DCAT document
per page and follows ``hydra:next`` until there is none; with ``modified_since`` it asks
only for datasets changed in the portal since its last visit (the portal's own change
time, not the ``dct:modified`` the record claims). Each page is a conformant
``dcat:Catalog`` holding that page's datasets, with a ``hydra:PartialCollectionView``
(the paging vocabulary ckanext-dcat and the EU harvesters read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD
from sqlalchemy import func, select

from ..database import datasets
from ..errors import BadInput

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
#: Largest page a harvester may ask for (each record is a few kB of Turtle).
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class PageView:
    """Where one page sits in the whole: what ``hydra:PartialCollectionView`` says."""

    page: int
    page_size: int
    total: int
    url: Callable[[int], str]  # page number → its URL (with the same filters)

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def add_to(self, graph: Graph) -> None:
        """Add the paging node to ``graph``."""
        node = URIRef(self.url(self.page))
        graph.bind("hydra", HYDRA)
        graph.add((node, RDF.type, HYDRA.PartialCollectionView))
        graph.add((node, HYDRA.totalItems, Literal(self.total, datatype=XSD.nonNegativeInteger)))
        graph.add((node, HYDRA.itemsPerPage, Literal(self.page_size, datatype=XSD.integer)))
        graph.add((node, HYDRA.first, URIRef(self.url(1))))
        graph.add((node, HYDRA.last, URIRef(self.url(self.last))))
        if self.page > 1:
            graph.add((node, HYDRA.previous, URIRef(self.url(self.page - 1))))
        if self.page < self.last:
            graph.add((node, HYDRA.next, URIRef(self.url(self.page + 1))))


def parse_since(value: str) -> str | None:
    """An ISO date or date-time as the portal's change-time form (UTC); None for ''."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(
            f"modified_since must be an ISO 8601 date or date-time (2026-01-31 or "
            f"2026-01-31T08:00:00+01:00); got {value!r}"
        ) from None
    if moment.tzinfo is None:  # a plain date or a local time: read as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def changed_datasets(conn, since: str | None, page: int, page_size: int) -> tuple[list[str], int]:
    """The identifiers on ``page`` (by identifier) of datasets changed since ``since``,
    and how many there are in all."""
    changed = func.coalesce(datasets.c.updated_at, datasets.c.created_at)
    where = [changed >= since] if since else []
    total = conn.scalar(select(func.count()).select_from(datasets).where(*where))
    query = (
        select(datasets.c.identifier)
        .where(*where)
        .order_by(datasets.c.identifier)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return list(conn.scalars(query)), total
