"""Running a :class:`~kimed_hub.catalogue.search.SearchQuery` on either database backend.

Three sources are combined as bitsets (``facet_index``): the full-text match (SQLite
FTS5 or PostgreSQL ``tsvector``/GIN, returning primary keys), the range filters (indexed
columns) and the facet selections (in-memory). Totals, disjunctive facet counts and the
page's keys come from bit operations; only the page's rows are then read from the
database. Relevance is tiered, the same on both backends: all terms in the title, then
in title or keywords, then anywhere (description, variable names); alphabetical within
a tier, so both backends return the same order.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from datetime import date

from sqlalchemy import Connection

from ..database import PG_VECTORS, raw_rows
from .bits import from_csv
from .facet_index import FacetIndex
from .indexing import FACETS, facet_value_label, query_terms
from .search import FacetValue, Hit, SearchQuery, SearchResult

#: Facet values listed per facet (most frequent first); selected ones are always shown.
FACET_LIMIT = 50
#: Relevance tiers: (FTS5 column filter, PostgreSQL vector) where all terms must match.
TIERS = (("{fts_title}", "title"), ("{fts_title fts_keywords}", "title_keywords"))


class TextMatch:
    """The datasets matching every term of a query, and the relevance tiers among them.

    Each question is one index query that returns the matching keys as one string
    (``bits.from_csv``): SQLite's FTS5 table with a column filter per tier, PostgreSQL's
    GIN expression index per tier (``database.PG_VECTORS``). Tiers are asked lazily: a
    page is often filled from the first tier alone.
    """

    def __init__(self, conn: Connection, backend: str, terms: list[str]):
        self.conn, self.backend, self.terms = conn, backend, terms
        self._tiers: dict[int, int] = {}
        self.all = self._keys(None)

    def tier(self, tier: int) -> int:
        """Datasets with every term in the title (tier 0) or in title or keywords (1)."""
        if tier not in self._tiers:
            self._tiers[tier] = self._keys(tier)
        return self._tiers[tier]

    def _keys(self, tier: int | None) -> int:
        if self.backend == "sqlite":
            expression = " AND ".join(f'"{t}"*' for t in self.terms)  # terms are [a-z0-9]+
            if tier is not None:
                expression = f"{TIERS[tier][0]} : ({expression})"
            sql = (
                "SELECT group_concat(rowid) FROM portal_datasets_fts "
                "WHERE portal_datasets_fts MATCH ?"
            )
        else:
            expression = " & ".join(f"{t}:*" for t in self.terms)
            vector = PG_VECTORS[TIERS[tier][1] if tier is not None else "all"]
            sql = (
                "SELECT string_agg(dataset_pk::text, ',') FROM portal_dataset_content "
                f"WHERE {vector} @@ to_tsquery('simple', ?)"
            )
        return from_csv(raw_rows(self.conn, sql, (expression,))[0][0])


def run(conn: Connection, backend: str, index: FacetIndex, query: SearchQuery) -> SearchResult:
    """Execute ``query`` and return one page with total, facets and active filters."""
    query.validate()
    terms = query_terms(query.text)
    with index.view(conn) as view:
        base = view.universe()
        match = TextMatch(conn, backend, terms) if terms else None
        if match:
            base &= match.all
        within = view.ranges.matching(conn, query)
        if within is not None:
            base &= within
        chosen = {name: view.any_of(name, values) for name, values in query.selected.items()}
        selected = _intersect(base, chosen.values())
        counts = {
            name: view.counts(name, _intersect(base, _others(chosen, name))) for name in FACETS
        }
        keys = _page_keys(conn, view, query, match, selected)
    hits = _hits(conn, keys, query.lang)
    facet_values = {name: _facet_values(name, counts[name], query) for name in FACETS}
    return SearchResult(query, selected.bit_count(), hits, facet_values, query.active_filters())


def _intersect(bits: int, others) -> int:
    for other in others:
        bits &= other
    return bits


def _others(chosen: dict[str, int], name: str) -> list[int]:
    # Disjunctive counting: a facet is counted as if its own selection were not applied.
    return [bits for other, bits in chosen.items() if other != name]


def _page_keys(conn, view, query: SearchQuery, match: TextMatch | None, selected: int) -> list[int]:
    start, size = (query.page - 1) * query.page_size, query.page_size
    if not (match and query.sort == "relevance"):
        order = query.sort if query.sort != "relevance" else "title"
        return view.page(conn, selected, order, start, size)
    keys, remaining = [], selected
    for tier in range(len(TIERS)):
        in_tier = remaining & match.tier(tier)
        keys += view.page(conn, in_tier, "title", 0, start + size - len(keys))
        remaining ^= in_tier
        if len(keys) >= start + size:
            return keys[start:]
    keys += view.page(conn, remaining, "title", 0, start + size - len(keys))
    return keys[start:]


HIT_COLUMNS = (
    "pk",
    "identifier",
    "title_de",
    "title_en",
    "summary_de",
    "summary_en",
    "access_rights",
    "is_synthetic",
    "n_individuals",
    "min_age",
    "max_age",
    "time_start",
    "time_end",
    "modified",
)
HitRow = namedtuple("HitRow", HIT_COLUMNS)


def _hits(conn: Connection, keys: list[int], lang: str) -> list[Hit]:
    # Plain SQL through the driver: a page is read on every search, and building and
    # compiling a SQLAlchemy statement with an IN list costs more than the query.
    if not keys:
        return []
    marks = ", ".join("?" * len(keys))
    sql = f"SELECT {', '.join(HIT_COLUMNS)} FROM portal_datasets WHERE pk IN ({marks})"
    rows = {row[0]: HitRow(*row) for row in raw_rows(conn, sql, tuple(keys))}
    sql = (
        f"SELECT dataset_pk, facet, value FROM portal_dataset_facets WHERE dataset_pk IN ({marks})"
    )
    tags: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for pk, name, value in raw_rows(conn, sql, tuple(keys)):
        tags[pk][name].append(value)
    # A dataset deleted since the index was read is simply left out of the page.
    return [_hit(rows[pk], tags[pk], lang) for pk in keys if pk in rows]


def _day(value) -> date | None:
    """A date column as read by the driver (SQLite gives ISO text, PostgreSQL dates)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _hit(row, tags: dict[str, list[str]], lang: str) -> Hit:
    de = lang == "de"
    return Hit(
        identifier=row.identifier,
        title=(row.title_de if de else row.title_en) or row.title_en or row.title_de,
        summary=(row.summary_de if de else row.summary_en) or row.summary_en or "",
        access_rights=row.access_rights,
        is_synthetic=bool(row.is_synthetic),
        number_of_individuals=row.n_individuals,
        min_age=row.min_age,
        max_age=row.max_age,
        time_start=_day(row.time_start),
        time_end=_day(row.time_end),
        modified=_day(row.modified),
        facets={name: sorted(values) for name, values in tags.items()},
    )


def _facet_values(name: str, counts: dict[str, int], query: SearchQuery) -> list[FacetValue]:
    chosen = query.facets.get(name, ())
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]
    shown = dict(top) | {value: counts.get(value, 0) for value in chosen}
    values = [
        FacetValue(v, facet_value_label(name, v, query.lang), c, v in chosen)
        for v, c in shown.items()
    ]
    return sorted(values, key=lambda fv: (-fv.count, fv.label))
