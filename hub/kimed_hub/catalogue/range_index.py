"""Range filters (cohort size, age span, time span) as bitsets, from sorted columns.

Each numeric column is held sorted, with the bitset of every 1/64th prefix precomputed,
so "value ≥ x" or "value ≤ y" costs one binary search, one stored bitset and at most a
64th of the column in Python, instead of a database scan over all matching rows.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from datetime import date

from sqlalchemy import Connection, select

from ..database import datasets
from .bits import to_bits
from .search import SearchQuery

COLUMNS = {
    "n_individuals": datasets.c.n_individuals,
    "min_age": datasets.c.min_age,
    "max_age": datasets.c.max_age,
    "time_start": datasets.c.time_start,
    "time_end": datasets.c.time_end,
}
STEPS = 64


class SortedColumn:
    """One column's non-null values in order, with prefix bitsets."""

    def __init__(self, pairs: list[tuple[int, int]]):
        # Typed arrays: a million Python ints in a list would take ten times the memory.
        self.values = array("q", (value for value, _ in pairs))
        self.pks = array("q", (pk for _, pk in pairs))
        self.step = max(1, len(pairs) // STEPS)
        self.prefix = [0]
        acc = bytearray(max(self.pks, default=0) // 8 + 1)
        for i, pk in enumerate(self.pks, start=1):
            acc[pk >> 3] |= 1 << (pk & 7)
            if i % self.step == 0:
                self.prefix.append(int.from_bytes(acc, "little"))
        self.present = int.from_bytes(acc, "little")

    @classmethod
    def load(cls, conn: Connection, name: str) -> SortedColumn:
        """Read column ``name`` of all datasets, sorted (dates as day numbers)."""
        column = COLUMNS[name]
        query = select(column, datasets.c.pk).where(column.is_not(None))
        rows = conn.execute(query.order_by(column, datasets.c.pk)).all()
        return cls([(_number(value), pk) for value, pk in rows])

    def _first(self, count: int) -> int:
        whole = count // self.step
        return self.prefix[whole] | to_bits(self.pks[whole * self.step : count])

    def at_most(self, value) -> int:
        """Datasets whose value is ≤ ``value``."""
        return self._first(bisect_right(self.values, _number(value)))

    def at_least(self, value) -> int:
        """Datasets whose value is ≥ ``value``."""
        return self.present ^ self._first(bisect_left(self.values, _number(value)))


def _number(value) -> int:
    return value.toordinal() if isinstance(value, date) else value


class RangeIndex:
    """The range columns, loaded on first use after each catalogue change."""

    def __init__(self):
        self._columns: dict[str, SortedColumn] = {}

    def clear(self) -> None:
        """Forget the columns (the catalogue changed)."""
        self._columns.clear()

    def column(self, conn: Connection, name: str) -> SortedColumn:
        """Column ``name``, loaded if needed."""
        if name not in self._columns:
            self._columns[name] = SortedColumn.load(conn, name)
        return self._columns[name]

    def matching(self, conn: Connection, query: SearchQuery) -> int | None:
        """Datasets within all of ``query``'s ranges; None when it sets no range."""
        parts = []
        low, high = query.cohort_size
        if low is not None:
            parts.append(self.column(conn, "n_individuals").at_least(low))
        if high is not None:
            parts.append(self.column(conn, "n_individuals").at_most(high))
        # Age and time are spans: a dataset matches when its span overlaps the asked one.
        low, high = query.age
        if low is not None:
            parts.append(self.column(conn, "max_age").at_least(low))
        if high is not None:
            parts.append(self.column(conn, "min_age").at_most(high))
        low, high = query.time
        if low is not None:  # an open end means the collection is ongoing
            start, end = self.column(conn, "time_start"), self.column(conn, "time_end")
            ongoing = start.present ^ (start.present & end.present)
            parts.append(end.at_least(low) | ongoing)
        if high is not None:
            parts.append(self.column(conn, "time_start").at_most(high))
        if not parts:
            return None
        found = parts[0]
        for part in parts[1:]:
            found &= part
        return found
