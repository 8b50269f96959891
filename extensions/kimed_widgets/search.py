"""Catalogue search in a notebook: text, facets, ranges, sort, paging, filter chips.

:class:`SearchState` is what the researcher asked for and turns into the API's query
parameters; :class:`CatalogueSearch` is the widget, which changes the state from its
controls, asks the portal and redraws from the answer. The portal does the searching
and counting; the widget only shows what it answers (facet counts included).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import ipywidgets as widgets

from . import render
from .card import DatasetCard
from .client import PortalClient
from .ui import Notice, button, guarded, on_change

SORTS = [("relevance", "relevance"), ("title", "title"), ("newest", "modified"),
         ("largest cohort", "size")]  # fmt: skip
#: Slider stops for the cohort size: wide ranges need steps that grow with the size.
COHORT_STOPS = (0, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000)
AGE_LIMIT = 100
#: The open end of a slider: the ends of each slider mean "no bound".
OPEN = None


@dataclass(frozen=True)
class SearchState:
    """The query as the widget holds it; ``params()`` is what goes to ``GET datasets``."""

    text: str = ""
    facets: dict[str, frozenset[str]] = field(default_factory=dict)
    cohort: tuple[int | None, int | None] = (OPEN, OPEN)
    age: tuple[int | None, int | None] = (OPEN, OPEN)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10
    lang: str = "en"

    def params(self) -> list[tuple[str, str]]:
        """URL query parameters (facets repeat their name once per selected value)."""
        pairs = [("q", self.text)] if self.text.strip() else []
        for name, values in sorted(self.facets.items()):
            pairs += [(name, value) for value in sorted(values)]
        for prefix, (low, high) in (("cohort", self.cohort), ("age", self.age)):
            pairs += [(f"{prefix}_min", str(low))] if low is not None else []
            pairs += [(f"{prefix}_max", str(high))] if high is not None else []
        pairs += [("sort", self.sort), ("page", str(self.page))]
        return pairs + [("page_size", str(self.page_size)), ("lang", self.lang)]

    def toggled(self, facet: str, value: str, on: bool) -> SearchState:
        """Select or clear one facet value (back to page 1: the result set changed)."""
        values = set(self.facets.get(facet, ()))
        values = values | {value} if on else values - {value}
        return replace(self, facets={**self.facets, facet: frozenset(values)}, page=1)

    def without(self, chip: dict) -> SearchState:
        """The state minus one active filter chip of the portal's answer."""
        kind, name = chip.get("kind"), chip.get("name")
        if kind == "text":
            return replace(self, text="", page=1)
        if kind == "range":
            key = {"cohort_size": "cohort", "age": "age"}.get(str(name))
            return replace(self, **{key: (OPEN, OPEN)}, page=1) if key else self
        return self.toggled(str(name), str(chip.get("value")), False)


def slider_bounds(low: int, high: int, first: int, last: int) -> tuple[int | None, int | None]:
    """A slider's (low, high) as a filter: a handle at an end of the slider is open."""
    return (None if low <= first else low, None if high >= last else high)


class CatalogueSearch(widgets.VBox):
    """The search widget. Drive it from code as a person would: set ``text.value``,
    ``sort.value``, a facet checkbox's ``value`` ... and read ``notice.shown``, ``result``.
    """

    def __init__(self, client: PortalClient | None = None, lang: str = "en", page_size: int = 10):
        self.client = client or PortalClient()
        self.state = SearchState(page_size=page_size, lang=lang)
        self.result: dict | None = None
        self._syncing = False  # True while controls are set from the state, not by a person
        self.notice = Notice()
        self.text = widgets.Text(
            placeholder="Search datasets (e.g. lung CT)", continuous_update=False
        )
        self.sort = widgets.Dropdown(options=SORTS, value="relevance", description="Sort")
        self.cohort = widgets.SelectionRangeSlider(
            options=[(f"{n:,}", n) for n in COHORT_STOPS] + [("more", COHORT_STOPS[-1] + 1)],
            index=(0, len(COHORT_STOPS)),
            description="Individuals",
            continuous_update=False,
        )
        self.age = widgets.IntRangeSlider(
            min=0, max=AGE_LIMIT, value=(0, AGE_LIMIT), description="Age", continuous_update=False
        )
        for control in (self.text, self.sort, self.cohort, self.age):
            on_change(control, self._controls_changed)
        self.facet_box = widgets.VBox(layout=widgets.Layout(width="32%"))
        self.facet_boxes: dict[str, dict[str, widgets.Checkbox]] = {}
        self.chips = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.summary = widgets.HTML()
        self.hits = widgets.VBox()
        self.previous = button("◀ previous", lambda: self.go(-1))
        self.next = button("next ▶", lambda: self.go(+1))
        self.detail = widgets.VBox()
        controls = widgets.HBox([self.text, button("Search", self.run), self.sort])
        ranges = widgets.HBox([self.cohort, self.age])
        results = widgets.VBox(
            [self.summary, self.chips, self.hits, widgets.HBox([self.previous, self.next])],
            layout=widgets.Layout(width="66%"),
        )
        super().__init__(
            [controls, ranges, self.notice, widgets.HBox([self.facet_box, results]), self.detail]
        )
        self.run()

    # --- from the controls to the state -----------------------------------------------
    def _controls_changed(self) -> None:
        if self._syncing:
            return
        cohort_low, cohort_high = self.cohort.value
        self.state = replace(
            self.state,
            text=self.text.value,
            sort=self.sort.value,
            cohort=slider_bounds(cohort_low, cohort_high, COHORT_STOPS[0], COHORT_STOPS[-1] + 1),
            age=slider_bounds(*self.age.value, 0, AGE_LIMIT),
            page=1,
        )
        self.run()

    def toggle(self, facet: str, value: str, on: bool) -> None:
        """Select or clear a facet value, then search again."""
        self.state = self.state.toggled(facet, value, on)
        self.run()

    def remove_chip(self, chip: dict) -> None:
        """Drop one active filter (a chip's ✕), then search again."""
        self.state = self.state.without(chip)
        self._sync_controls()
        self.run()

    def go(self, step: int) -> None:
        """Move ``step`` pages (within the result's pages)."""
        pages = (self.result or {}).get("pages", 1)
        page = min(max(1, self.state.page + step), pages)
        if page != self.state.page:
            self.state = replace(self.state, page=page)
            self.run()

    def _sync_controls(self) -> None:
        """Show the state in the controls without each change starting a search."""
        self._syncing = True
        try:
            self.text.value = self.state.text
            low, high = self.state.cohort
            stops = [value for _label, value in self.cohort.options]
            self.cohort.value = (low or stops[0], high or stops[-1])
            self.age.value = (self.state.age[0] or 0, self.state.age[1] or AGE_LIMIT)
        finally:
            self._syncing = False

    # --- asking the portal and drawing its answer --------------------------------------
    @guarded
    def run(self) -> None:
        """Search with the current state and redraw results, facets and chips."""
        self.result = self.client.search(self.state.params())
        self.notice.clear()
        self._draw()

    def _draw(self) -> None:
        result = self.result or {}
        total, page, pages = result.get("total", 0), result.get("page", 1), result.get("pages", 1)
        self.summary.value = f"<b>{total:,}</b> dataset(s) · page {page} of {pages}"
        self.hits.children = [self._hit_row(item) for item in result.get("hits", [])]
        self.previous.disabled, self.next.disabled = page <= 1, page >= pages
        self.chips.children = [self._chip(chip) for chip in result.get("active_filters", [])]
        self._draw_facets(result.get("facets", {}))

    def _hit_row(self, item: dict) -> widgets.Widget:
        identifier = item.get("identifier", "")
        show = button("details", lambda: self.show_card(identifier), layout={"width": "80px"})
        return widgets.HBox([widgets.HTML(render.hit(item)), show])

    def _chip(self, chip: dict) -> widgets.Button:
        return button(
            f"{chip.get('label', '')} ✕",
            lambda: self.remove_chip(chip),
            tooltip="remove this filter",
            layout={"width": "auto"},
        )

    def _draw_facets(self, facets: dict[str, list[dict]]) -> None:
        self.facet_boxes = {}
        column: list[widgets.Widget] = []
        for name, values in facets.items():
            chosen = self.state.facets.get(name, ())
            shown = [
                v for v in values if v.get("count") or v.get("selected") or v["value"] in chosen
            ]
            if not shown:
                continue
            boxes = {v["value"]: self._facet_checkbox(name, v) for v in shown}
            self.facet_boxes[name] = boxes
            column += [widgets.HTML(f"<b>{render.text(_facet_title(name))}</b>"), *boxes.values()]
        self.facet_box.children = column

    def _facet_checkbox(self, facet: str, value: dict) -> widgets.Checkbox:
        box = widgets.Checkbox(
            # What was asked for; the portal's flag says the same when it answers in step.
            value=value["value"] in self.state.facets.get(facet, ()) or bool(value.get("selected")),
            description=f"{value.get('label') or value['value']} ({value.get('count', 0)})",
            indent=False,
            layout={"width": "auto"},
        )
        box.observe(lambda change: self.toggle(facet, value["value"], change["new"]), "value")
        return box

    @guarded
    def show_card(self, identifier: str) -> None:
        """Open a hit's dataset card below the results."""
        self.detail.children = [DatasetCard(identifier, self.client, lang=self.state.lang)]


#: Facet headings where the parameter name says it less well.
FACET_TITLES = {
    "data_model": "Data model / standard",
    "custodian": "Data holder",
    "access_rights": "Access level",
    "synthetic_available": "Synthetic version available",
}


def _facet_title(name: str) -> str:
    return FACET_TITLES.get(name) or name.replace("_", " ").capitalize()


def search(client: PortalClient | None = None, lang: str = "en", page_size: int = 10):
    """A catalogue search widget (display it as the last line of a notebook cell)."""
    return CatalogueSearch(client, lang=lang, page_size=page_size)
