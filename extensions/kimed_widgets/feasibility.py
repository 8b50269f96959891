"""Feasibility in a notebook: how many patients of a dataset meet criteria, before access.

    from kimed_widgets import feasibility
    feasibility("mii-demo")        # rows: kind, codes, value range, time window, exclude

Each row is one criterion as the portal's API takes it (``POST datasets/{id}/feasibility``
with ``criteria`` rows: kind, codes, min, max, unit, from, to, at_least, within_days,
exclude). The portal counts only consenting patients, protects the count (small counts
suppressed, noise and rounding) and counts the question against the caller's quota; the
widget shows the answer, or the portal's message (a used-up quota included).
"""

from __future__ import annotations

import ipywidgets as widgets

from . import render
from .client import PortalClient
from .ui import Notice, button, guarded

#: The row kinds the portal knows (``interop.feasibility_rows.KINDS``), with labels.
KINDS = [
    ("diagnosis (ICD-10-GM)", "diagnosis"),
    ("procedure (OPS)", "procedure"),
    ("lab value (LOINC)", "lab"),
    ("medication (ATC)", "medication"),
    ("age (years)", "age"),
]
MAX_ROWS = 12


def _number(text: str, whole: bool = False) -> float | int | None:
    """A typed number (decimal comma allowed) or None when empty; ValueError otherwise."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    value = float(cleaned)
    if whole and not value.is_integer():
        raise ValueError(f"{text!r} is not a whole number")
    return int(value) if value.is_integer() else value


def _box(placeholder: str, width: str) -> widgets.Text:
    return widgets.Text(placeholder=placeholder, layout=widgets.Layout(width=width))


class CriterionRow(widgets.HBox):
    """One criterion's controls; ``criterion()`` is the row as the API takes it."""

    def __init__(self) -> None:
        self.kind = widgets.Dropdown(options=KINDS, value="diagnosis", description="kind")
        self.codes = widgets.Text(placeholder="E11*, I10", description="codes")
        self.low, self.high = _box("min", "6em"), _box("max", "6em")
        self.unit = _box("unit", "6em")
        self.start, self.end = _box("from YYYY-MM-DD", "10em"), _box("to YYYY-MM-DD", "10em")
        self.at_least, self.within = _box("≥ n times", "7em"), _box("within days", "8em")
        self.exclude = widgets.Checkbox(description="exclude", indent=False)
        super().__init__(
            [self.kind, self.codes, self.low, self.high, self.unit, self.start, self.end]
            + [self.at_least, self.within, self.exclude]
        )

    def criterion(self) -> dict:
        """The row for the API (empty fields left out); ValueError for a bad number."""
        row: dict = {"kind": self.kind.value}
        codes = [c.strip() for c in self.codes.value.replace(";", ",").split(",") if c.strip()]
        if codes:
            row["codes"] = codes
        numbers = (("min", self.low, False), ("max", self.high, False))
        numbers += (("at_least", self.at_least, True), ("within_days", self.within, True))
        for name, control, whole in numbers:
            try:
                value = _number(control.value, whole)
            except ValueError:
                raise ValueError(f"{name}: {control.value!r} is not a number") from None
            if value is not None:
                row[name] = value
        for name, control in (("unit", self.unit), ("from", self.start), ("to", self.end)):
            if control.value.strip():
                row[name] = control.value.strip()
        if self.exclude.value:
            row["exclude"] = True
        return row


class Feasibility(widgets.VBox):
    """Criterion rows, "add a row", "count patients" and the portal's answer."""

    def __init__(self, dataset: str, client: PortalClient | None = None):
        self.dataset = dataset
        self.client = client or PortalClient()
        self.answer: dict | None = None
        self.notice = Notice()
        self.rows = widgets.VBox([CriterionRow()])
        self.reference_date = widgets.Text(placeholder="YYYY-MM-DD", description="ages on")
        self.add_button = button("Add a criterion", self.add_row, icon="plus")
        self.count_button = button("Count patients", self.count, icon="calculator")
        self.result = widgets.HTML()
        super().__init__(
            [
                widgets.HTML(f"<b>Feasibility: {render.text(dataset)}</b>"),
                self.rows,
                widgets.HBox([self.add_button, self.reference_date, self.count_button]),
                self.notice,
                self.result,
            ]
        )

    def add_row(self) -> CriterionRow | None:
        """One more (empty) criterion row, up to the portal's limit."""
        if len(self.rows.children) >= MAX_ROWS:
            self.notice.error(f"At most {MAX_ROWS} criteria per question.")
            return None
        row = CriterionRow()
        self.rows.children = [*self.rows.children, row]
        return row

    def criteria(self) -> list[dict]:
        """Every row as the API takes it."""
        return [row.criterion() for row in self.rows.children]

    @guarded
    def count(self) -> None:
        """Ask the portal; show the protected count and the questions left."""
        self.result.value = ""
        try:
            criteria = self.criteria()
        except ValueError as error:
            self.notice.error(str(error))
            return
        day = self.reference_date.value.strip() or None
        self.answer = self.client.feasibility(self.dataset, criteria, day)
        self.notice.clear()
        self.result.value = render.feasibility_answer(self.answer)


def feasibility(dataset: str, client: PortalClient | None = None):
    """A feasibility form for one imported dataset (display it as a cell's last line)."""
    return Feasibility(dataset, client)
