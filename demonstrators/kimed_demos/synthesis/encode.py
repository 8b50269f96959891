"""Numeric views of a mixed table, shared by the methods and the measurements.

``ordinal`` gives categories integer codes (the codes of the real table, so real and
synthetic rows are coded alike); ``gower`` scales numbers by the real range and one-hot
codes categories at weight 1/2, so that the L1 distance between two rows is Gower's
distance times the number of columns: the distance the privacy attacks and the distance
to closest record use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .tables import TableInfo


def categories(real: pd.DataFrame, info: TableInfo) -> dict[str, list[str]]:
    """Each categorical column's categories in the real table, most frequent first."""
    return {name: list(real[name].value_counts(dropna=True).index) for name in info.categorical}


def ordinal(frame: pd.DataFrame, info: TableInfo, cats: dict[str, list[str]]) -> np.ndarray:
    """Numbers as they are and categories as codes (unknown or missing: NaN)."""
    columns = []
    for name in info.columns:
        if name in cats:
            codes = pd.Categorical(frame[name], categories=cats[name]).codes.astype(float)
            codes[codes < 0] = np.nan
            columns.append(codes)
        else:
            columns.append(frame[name].to_numpy(dtype=float))
    return np.column_stack(columns)


def categorical_mask(info: TableInfo, cats: dict[str, list[str]]) -> np.ndarray:
    """Which columns of ``ordinal``'s matrix a tree model treats as categories (the
    gradient-boosted trees take at most 255 categories; larger ones stay ordered codes)."""
    return np.array([name in cats and len(cats[name]) < 250 for name in info.columns])


def gower(frame: pd.DataFrame, info: TableInfo, real: pd.DataFrame, cats) -> np.ndarray:
    """Rows as vectors whose L1 distance is the Gower distance (times the column count).

    Missing numbers sit one range below the minimum: far from every value, near each other.
    """
    parts = []
    for name in info.columns:
        if name in cats:
            coded = pd.Categorical(frame[name], categories=cats[name]).codes
            onehot = np.zeros((len(frame), len(cats[name]) + 1))
            onehot[np.arange(len(frame)), coded] = 0.5  # code -1 (missing) -> last column
            parts.append(onehot)
        else:
            low, high = np.nanmin(real[name]), np.nanmax(real[name])
            scaled = (frame[name].to_numpy(dtype=float) - low) / ((high - low) or 1.0)
            parts.append(np.nan_to_num(scaled, nan=-1.0)[:, None])
    return np.hstack(parts)
