"""Link exposures to visits by place (district) and time (a window of months before the visit).

The window covers the ``window`` full calendar months before the visit month; the visit
month itself is left out because it is only partly before the visit. Visits whose window is
not fully covered by the exposure series are excluded and counted, never filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: How each exposure is summarised over the window.
WINDOW_SUMMARY = {
    "pm25": "mean",
    "no2": "mean",
    "temperature": "mean",
    "heat_days": "sum",
    "green_share": "mean",
}


@dataclass
class Linked:
    """Visits with their window exposures, and how many visits could not be linked."""

    data: pd.DataFrame
    excluded: int
    window: int


def window_exposures(exposure: pd.DataFrame, window: int) -> pd.DataFrame:
    """Per district and month: each exposure summarised over the `window` months before it.

    Columns are named ``<exposure>_<window>m`` (e.g. ``pm25_12m``); months without a full
    window are NaN. Fails if a district's monthly series has gaps, since a rolling window
    over a gap would silently span the wrong months.
    """
    ordered = exposure.sort_values(["area", "month"])
    steps = ordered.groupby("area")["month"].diff().dropna().dt.days
    if not steps.between(28, 31).all():
        raise ValueError("exposure series must be monthly without gaps in every area")
    out = ordered[["area", "month"]].copy()
    for column, how in WINDOW_SUMMARY.items():
        rolled = ordered.groupby("area")[column].transform(
            lambda s, how=how: s.rolling(window, min_periods=window).agg(how).shift(1)
        )
        out[f"{column}_{window}m"] = rolled
    return out


def link(participants: pd.DataFrame, exposure: pd.DataFrame, window: int = 12) -> Linked:
    """Join each visit to its district's window exposures (see module doc)."""
    windows = window_exposures(exposure, window)
    visits = participants.assign(month=participants["visit_date"].dt.to_period("M").dt.start_time)
    merged = visits.merge(windows, on=["area", "month"], how="left", validate="many_to_one")
    complete = merged[[f"{c}_{window}m" for c in WINDOW_SUMMARY]].notna().all(axis=1)
    return Linked(merged[complete].drop(columns="month"), int((~complete).sum()), window)
