"""The search API: what a query may ask for and what a result contains.

One :class:`SearchQuery` serves both database backends and the future REST endpoint
(:meth:`SearchQuery.from_params` reads URL query parameters). Facets combine with AND
across facets and OR within one facet; facet counts are *disjunctive* (each facet is
counted as if its own selection were not applied), so selecting "CT" still shows how
many MRI datasets the rest of the query would find. The result lists the active
filters with labels, for filter chips, and :meth:`SearchQuery.without` builds the query
that removes one chip.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from ..errors import BadInput
from .indexing import FACETS, facet_value_label

SORTS = ("relevance", "title", "modified", "size")
MAX_PAGE_SIZE = 100
MAX_VALUES_PER_FACET = 20
MAX_QUERY_CHARS = 500
RANGES = {
    "cohort_size": ("Kohortengröße", "Cohort size"),
    "age": ("Alter", "Age"),
    "time": ("Zeitraum", "Time span"),
}


@dataclass(frozen=True)
class SearchQuery:
    """A catalogue query: text, facet selections, ranges, sort and page."""

    text: str = ""
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cohort_size: tuple[int | None, int | None] = (None, None)
    age: tuple[int | None, int | None] = (None, None)
    time: tuple[date | None, date | None] = (None, None)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    lang: str = "en"

    def validate(self) -> SearchQuery:
        """Return self, or raise BadInput naming the first problem."""
        if len(self.text) > MAX_QUERY_CHARS:
            raise BadInput(f"query text is longer than {MAX_QUERY_CHARS} characters")
        for name, values in self.facets.items():
            if name not in FACETS:
                raise BadInput(f"unknown facet {name!r}; facets: {', '.join(FACETS)}")
            if len(values) > MAX_VALUES_PER_FACET:
                raise BadInput(f"facet {name}: at most {MAX_VALUES_PER_FACET} values")
        for name in RANGES:
            low, high = getattr(self, name)
            if low is not None and high is not None and low > high:
                raise BadInput(f"{name}: the lower bound {low} is above the upper bound {high}")
        if self.sort not in SORTS:
            raise BadInput(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        if self.page < 1 or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise BadInput(f"page must be ≥ 1 and page_size 1-{MAX_PAGE_SIZE}")
        if self.lang not in ("de", "en"):
            raise BadInput("lang must be 'de' or 'en'")
        return self

    @property
    def selected(self) -> dict[str, tuple[str, ...]]:
        """The facets with at least one selected value."""
        return {name: values for name, values in self.facets.items() if values}

    def without(self, kind: str, name: str, value: str = "") -> SearchQuery:
        """This query minus one active filter (a chip), back on page 1."""
        if kind == "text":
            return replace(self, text="", page=1)
        if kind == "range":
            return replace(self, **{name: (None, None)}, page=1)
        remaining = tuple(v for v in self.facets.get(name, ()) if v != value)
        return replace(self, facets={**self.facets, name: remaining}, page=1)

    def to_params(self) -> list[tuple[str, str]]:
        """The URL parameters that :meth:`from_params` reads back as this query (defaults
        left out), for links such as a filter chip's remove link or the next page."""
        bounds = {
            "cohort_min": self.cohort_size[0],
            "cohort_max": self.cohort_size[1],
            "age_min": self.age[0],
            "age_max": self.age[1],
            "time_from": self.time[0],
            "time_to": self.time[1],
        }
        defaults = SearchQuery()
        params = [("q", self.text)] if self.text else []
        params += [(name, value) for name, values in self.facets.items() for value in values]
        params += [(name, str(value)) for name, value in bounds.items() if value is not None]
        params += [
            (name, str(getattr(self, name)))
            for name in ("sort", "page", "page_size", "lang")
            if getattr(self, name) != getattr(defaults, name)
        ]
        return params

    @classmethod
    def from_params(cls, params: dict[str, list[str]]) -> SearchQuery:
        """A query from URL parameters (``q``, facet names, ``cohort_min`` ..., ``page``)."""
        return _from_params(cls, params).validate()

    def active_filters(self) -> list[ActiveFilter]:
        """The filters a user has set, with labels in ``lang`` (for filter chips)."""
        de = self.lang == "de"
        chips = []
        if self.text.strip():
            chips.append(
                ActiveFilter("text", "q", self.text, f"„{self.text}“" if de else f'"{self.text}"')
            )
        for name, values in self.selected.items():
            title = FACETS[name][0 if de else 1]
            for value in values:
                label = f"{title}: {facet_value_label(name, value, self.lang)}"
                chips.append(ActiveFilter("facet", name, value, label))
        for name, titles in RANGES.items():
            low, high = getattr(self, name)
            if low is not None or high is not None:
                shown = f"{'' if low is None else low}–{'' if high is None else high}"
                chips.append(
                    ActiveFilter("range", name, shown, f"{titles[0 if de else 1]}: {shown}")
                )
        return chips


@dataclass(frozen=True)
class ActiveFilter:
    """One active filter: ``kind`` is text, facet or range; remove it with ``without``."""

    kind: str
    name: str
    value: str
    label: str


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet, its label, how many datasets have it, and if it is selected."""

    value: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Hit:
    """One dataset in a result list: what the list view shows, in the query's language."""

    identifier: str
    title: str
    summary: str
    access_rights: str
    is_synthetic: bool
    number_of_individuals: int | None
    min_age: int | None
    max_age: int | None
    time_start: date | None
    time_end: date | None
    modified: date | None
    facets: dict[str, list[str]]

    @property
    def not_for_inference(self) -> bool:
        """Synthetic data may be used to build and test pipelines, never for inference."""
        return self.is_synthetic


@dataclass(frozen=True)
class SearchResult:
    """A page of hits with the total, facet counts and the active filters."""

    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    active_filters: list[ActiveFilter]

    @property
    def pages(self) -> int:
        """How many pages the result has at the query's page size."""
        return max(1, -(-self.total // self.query.page_size))


def _from_params(cls: type[SearchQuery], params: dict[str, list[str]]) -> SearchQuery:
    single = {k: v[-1] for k, v in params.items() if v}
    known = {"q", "sort", "page", "page_size", "lang"} | set(FACETS)
    known |= {f"{n}_{end}" for n in ("cohort", "age") for end in ("min", "max")}
    known |= {"time_from", "time_to"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise BadInput(f"unknown search parameter(s): {', '.join(unknown)}")
    return cls(
        text=single.get("q", ""),
        facets={name: tuple(params[name]) for name in FACETS if params.get(name)},
        cohort_size=(_number(single, "cohort_min"), _number(single, "cohort_max")),
        age=(_number(single, "age_min"), _number(single, "age_max")),
        time=(_day(single, "time_from"), _day(single, "time_to")),
        sort=single.get("sort", "relevance"),
        page=_number(single, "page") or 1,
        page_size=_number(single, "page_size") or 20,
        lang=single.get("lang", "en"),
    )


def _number(params: dict[str, str], name: str) -> int | None:
    if name not in params or params[name] == "":
        return None
    try:
        return int(params[name])
    except ValueError:
        raise BadInput(f"{name} must be a whole number, got {params[name]!r}") from None


def _day(params: dict[str, str], name: str) -> date | None:
    if not params.get(name):
        return None
    try:
        return date.fromisoformat(params[name])
    except ValueError:
        raise BadInput(f"{name} must be a date like 2020-01-31, got {params[name]!r}") from None
