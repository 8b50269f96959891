"""An in-memory bitset index over the facet table, for fast filtering, counting and paging.

Why not SQL alone: a facet count over the datasets matching a broad query touches every
matching row once per facet, and at 100,000 records that costs far more than the search
budget (50 ms), on SQLite and PostgreSQL alike. Bitsets make the same work a few dozen
AND/popcount operations on Python integers. The database stays the only source of
truth: the index is rebuilt or updated from ``portal_dataset_facets`` whenever the
catalogue's search generation (bumped in the same transaction as every change) has
moved, so several hub processes stay consistent without talking to each other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import numpy as np
from sqlalchemy import Connection, func, select

from ..database import datasets, raw_rows, search_changes
from . import facet_counts
from .bits import members
from .facet_counts import ValueCodes, members_array
from .range_index import RangeIndex

#: Orders a page can be sorted by (besides relevance, which is computed per query).
ORDERS = {
    "title": (datasets.c.sort_title, datasets.c.pk),
    "modified": (datasets.c.modified.desc().nulls_last(), datasets.c.pk),
    "size": (datasets.c.n_individuals.desc().nulls_last(), datasets.c.pk),
}
#: Above this many changed datasets since the last refresh, rebuilding is cheaper.
REBUILD_SHARE = 0.2
#: Sets up to this size are listed bit by bit; larger ones by numpy over the whole bitset.
SORT_LIMIT = 4096


class FacetIndex:
    """Bitsets per facet value plus the sort orders, refreshed from the database."""

    def __init__(self):
        self._lock = threading.RLock()
        self.generation = -1
        self._values: dict[str, dict[str, bytearray]] = {}
        self._present = bytearray()
        self._ints: dict[tuple[str, str], int] = {}
        self._orders: dict[str, np.ndarray] = {}
        self._tables: dict[str, ValueCodes] = {}
        self._last: tuple[int, object] | None = None
        self.ranges = RangeIndex()

    @contextmanager
    def view(self, conn: Connection) -> Iterator[FacetIndex]:
        """The index, brought up to date with ``conn``'s view of the catalogue."""
        with self._lock:
            self._refresh(conn)
            yield self

    # --- reading ----------------------------------------------------------------------

    def universe(self) -> int:
        """All datasets in the index."""
        return self._int("", "", self._present)

    def values(self, facet: str) -> list[str]:
        """The values ``facet`` has in the catalogue."""
        return list(self._values.get(facet, {}))

    def bits(self, facet: str, value: str) -> int:
        """Datasets with ``facet`` = ``value``."""
        buf = self._values.get(facet, {}).get(value)
        return self._int(facet, value, buf) if buf is not None else 0

    def any_of(self, facet: str, values: Iterable[str]) -> int:
        """Datasets with any of ``values`` for ``facet`` (OR within a facet)."""
        found = 0
        for value in values:
            found |= self.bits(facet, value)
        return found

    def counts(self, facet: str, within: int) -> dict[str, int]:
        """How many datasets of ``within`` have each value of ``facet`` (zeros left out)."""
        size = len(self._present) * 8
        if size >= facet_counts.MIN_BITS and within.bit_count() <= size * facet_counts.SPARSE_SHARE:
            return self._codes(facet).counts(self._members(within))
        found = {}
        for value in self._values.get(facet, {}):
            count = (within & self.bits(facet, value)).bit_count()
            if count:
                found[value] = count
        return found

    def _codes(self, facet: str) -> ValueCodes:
        if facet not in self._tables:
            self._tables[facet] = ValueCodes(self._values.get(facet, {}), len(self._present) * 8)
        return self._tables[facet]

    def _members(self, within: int):
        # One search asks for several facets' counts over the same set: convert it once.
        if self._last is None or self._last[0] != within:
            self._last = (within, members_array(within))
        return self._last[1]

    def page(self, conn: Connection, selected: int, order: str, start: int, size: int) -> list[int]:
        """Primary keys ``start`` .. ``start + size`` of ``selected`` in ``order``."""
        rank = self._order(conn, order)
        wanted = start + size
        small = selected.bit_count() <= SORT_LIMIT
        keys = np.array(members(selected), dtype=np.int64) if small else members_array(selected)
        keys = keys[keys < len(rank)]  # added after the order was read: next search
        ranks = rank[keys]
        # Only the first ``wanted`` in order matter: partition, then sort those few (a walk
        # along the whole order took 10^5 steps when the members sat late in it).
        if wanted < len(keys):
            first = np.argpartition(ranks, wanted - 1)[:wanted]
            first = first[np.argsort(ranks[first], kind="stable")]
        else:
            first = np.argsort(ranks, kind="stable")
        return keys[first][start:].tolist()

    def _int(self, facet: str, value: str, buf: bytearray) -> int:
        key = (facet, value)
        if key not in self._ints:
            self._ints[key] = int.from_bytes(buf, "little")
        return self._ints[key]

    def _order(self, conn: Connection, order: str) -> np.ndarray:
        """The position of each dataset key in ``order`` (keys not in it sort last)."""
        if order not in self._orders:
            query = select(datasets.c.pk).order_by(*ORDERS[order])
            sequence = np.fromiter(conn.scalars(query), dtype=np.int64)
            rank = np.full(int(sequence.max(initial=0)) + 1, len(sequence), dtype=np.int64)
            rank[sequence] = np.arange(len(sequence))
            self._orders[order] = rank
        return self._orders[order]

    # --- refreshing -------------------------------------------------------------------

    def _refresh(self, conn: Connection) -> None:
        # Asked on every search: plain SQL, no statement to build.
        sql = "SELECT generation FROM portal_search_state WHERE id = 1"
        generation = raw_rows(conn, sql)[0][0]
        if generation == self.generation:
            return
        changed = None
        if self.generation >= 0:
            query = (
                select(search_changes.c.dataset_pk)
                .where(
                    search_changes.c.generation > self.generation,
                    search_changes.c.generation <= generation,
                )
                .distinct()
            )
            changed = list(conn.scalars(query))
        size = max(self.universe().bit_count(), 1) if self.generation >= 0 else 0
        if changed is None or len(changed) > max(500, size * REBUILD_SHARE):
            self._rebuild(conn)
        else:
            self._apply(conn, changed)
        # Rows committed after the generation was read are re-applied next time (the
        # updates are idempotent), so the index never lags behind for long.
        self.generation = generation
        self._ints.clear()
        self._orders.clear()
        self._tables.clear()
        self._last = None
        self.ranges.clear()

    def _rebuild(self, conn: Connection) -> None:
        self._values, self._present = {}, bytearray()
        self._grow(conn.scalar(select(func.max(datasets.c.pk))) or 0)
        self._load(conn, None)

    def _apply(self, conn: Connection, changed: list[int]) -> None:
        self._grow(max(changed))
        for pk in changed:  # forget what they were, then load what they are now
            byte, mask = pk >> 3, ~(1 << (pk & 7)) & 0xFF
            self._present[byte] &= mask
            for by_value in self._values.values():
                for buf in by_value.values():
                    buf[byte] &= mask
        for chunk in range(0, len(changed), 500):
            self._load(conn, changed[chunk : chunk + 500])

    def _load(self, conn: Connection, pks: list[int] | None) -> None:
        rows_sql = "SELECT facet, value, dataset_pk FROM portal_dataset_facets"
        present_sql = "SELECT pk FROM portal_datasets"
        params: tuple = ()
        if pks is not None:
            marks = ", ".join("?" * len(pks))
            rows_sql += f" WHERE dataset_pk IN ({marks})"
            present_sql += f" WHERE pk IN ({marks})"
            params = tuple(pks)
        for facet, value, pk in raw_rows(conn, rows_sql, params):
            if pk >> 3 >= len(self._present):  # added since the size was read
                self._grow(pk)
            by_value = self._values.setdefault(facet, {})
            buf = by_value.get(value)
            if buf is None:
                buf = by_value[value] = bytearray(len(self._present))
            buf[pk >> 3] |= 1 << (pk & 7)
        for (pk,) in raw_rows(conn, present_sql, params):
            if pk >> 3 >= len(self._present):
                self._grow(pk)
            self._present[pk >> 3] |= 1 << (pk & 7)

    def _grow(self, max_pk: int) -> None:
        extra = max_pk // 8 + 1 - len(self._present)
        if extra > 0:
            self._present.extend(bytes(extra))
            for by_value in self._values.values():
                for buf in by_value.values():
                    buf.extend(bytes(extra))
