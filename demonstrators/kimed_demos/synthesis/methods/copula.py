"""Gaussian copula over mixed types: the fast statistical baseline.

Every column is mapped to standard-normal scores: numbers through their empirical
distribution (ranks), categories through the cumulative frequency interval of their
category, with a uniform draw inside the interval (so ties do not collapse the
correlation). The scores' correlation matrix is the copula, with each category's
correlations corrected for the information the uniform draw removes (``_explained``).
Sampling draws normal vectors with that correlation and maps them back through each
column's empirical quantiles (numbers: interpolated between real values, never outside
their range) or frequency intervals (categories). Missing values are drawn per column at
their real share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..tables import TableInfo


@dataclass
class CopulaModel:
    """A fitted copula: the correlation of normal scores plus each column's marginal."""

    info: TableInfo
    correlation: np.ndarray
    numbers: dict[str, np.ndarray]  # sorted real values
    frequencies: dict[str, tuple[list[str], np.ndarray]]  # categories, cumulative share
    missing: dict[str, float]

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        """``n`` synthetic rows."""
        rng = np.random.default_rng(seed)
        scores = rng.multivariate_normal(np.zeros(len(self.info.columns)), self.correlation, n)
        uniform = stats.norm.cdf(scores)
        out = {}
        for j, name in enumerate(self.info.columns):
            if name in self.numbers:
                values = np.quantile(self.numbers[name], uniform[:, j])
            else:
                labels, cumulative = self.frequencies[name]
                index = np.minimum(np.searchsorted(cumulative, uniform[:, j]), len(labels) - 1)
                values = np.asarray(labels, dtype=object)[index]
            out[name] = _with_missing(values, self.missing[name], rng)
        return pd.DataFrame(out)


def fit(train: pd.DataFrame, info: TableInfo, settings: dict, seed: int) -> CopulaModel:
    """Fit the copula to the training rows."""
    rng = np.random.default_rng(seed)
    numbers = {n: np.sort(train[n].dropna().to_numpy(dtype=float)) for n in info.numeric}
    numeric_scores = {n: _rank_scores(train[n].to_numpy(dtype=float), rng) for n in info.numeric}
    axis = _main_axis(numeric_scores)
    scores, frequencies = [], {}
    for name in info.columns:
        if name in info.categorical:
            frequencies[name] = _frequencies(train[name], axis)
            scores.append(_category_scores(train[name], *frequencies[name], rng))
        else:
            scores.append(numeric_scores[name])
    observed = np.corrcoef(np.column_stack(scores), rowvar=False)
    factors = np.array(
        [_explained(*frequencies[n]) if n in frequencies else 1.0 for n in info.columns]
    )
    correlation = _nearest_correlation(_disattenuate(observed, factors))
    missing = {name: float(train[name].isna().mean()) for name in info.columns}
    return CopulaModel(info, correlation, numbers, frequencies, missing)


def _main_axis(numeric_scores: dict[str, np.ndarray]) -> np.ndarray | None:
    """Each row's position on the numbers' first principal axis (None without numbers)."""
    if not numeric_scores:
        return None
    matrix = np.column_stack(list(numeric_scores.values()))
    if matrix.shape[1] == 1:
        return matrix[:, 0]
    vectors = np.linalg.eigh(np.nan_to_num(np.corrcoef(matrix, rowvar=False)))[1]
    return matrix @ vectors[:, -1]


def _frequencies(column: pd.Series, axis: np.ndarray | None) -> tuple[list[str], np.ndarray]:
    """Categories in copula order, with their cumulative shares.

    A copula is monotone, so a category's place on the line matters: ordered by the mean
    position of their rows on the numbers' main axis, categories that go with low or high
    values (a "low/mid/high" group) keep that relation; without numbers, by frequency.
    """
    counts = column.value_counts(dropna=True)
    if axis is not None:
        means = pd.Series(axis, index=column.index).groupby(column).mean()
        counts = counts.loc[means.reindex(counts.index).fillna(0).sort_values(kind="stable").index]
    return list(counts.index), np.cumsum(counts.to_numpy()) / counts.sum()


def _category_scores(column, labels, cumulative, rng) -> np.ndarray:
    """A normal score inside each category's cumulative-frequency interval."""
    upper = dict(zip(labels, cumulative, strict=True))
    lower = dict(zip(labels, np.concatenate([[0.0], cumulative[:-1]]), strict=True))
    values = column.to_numpy(dtype=object)
    low = np.array([lower.get(v, 0.0) for v in values])
    high = np.array([upper.get(v, 1.0) for v in values])
    return _to_normal(low + rng.uniform(size=len(values)) * (high - low))


def _explained(labels, cumulative: np.ndarray) -> float:
    """The share of a latent normal's variance its category explains: Var(E[Z | category]).

    The uniform draw inside a category's interval carries no information, so a category's
    score correlates with any other column by this factor less than the latent normal
    would (Cov(E[Z|C], X) = rho * Var(E[Z|C]) for X correlated with Z at rho).
    """
    edges = stats.norm.ppf(np.clip(np.concatenate([[0.0], cumulative]), 0, 1))
    shares = np.diff(np.concatenate([[0.0], cumulative]))
    density = stats.norm.pdf(edges)  # pdf(+-inf) = 0
    means = (density[:-1] - density[1:]) / np.maximum(shares, 1e-12)
    return float(max(np.sum(shares * means**2), 1e-6))


def _disattenuate(observed: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """The latent correlations: each observed one divided by both columns' factors."""
    latent = np.nan_to_num(observed, nan=0.0) / np.outer(factors, factors)
    np.fill_diagonal(latent, 1.0)
    return np.clip(latent, -0.999, 0.999)


def _rank_scores(values: np.ndarray, rng) -> np.ndarray:
    """Normal scores of the ranks; a missing value gets an independent random score."""
    present = ~np.isnan(values)
    uniform = rng.uniform(size=len(values))
    ranks = stats.rankdata(values[present])  # ties share their average rank
    uniform[present] = (ranks - 0.5) / present.sum()
    return _to_normal(uniform)


def _to_normal(uniform: np.ndarray) -> np.ndarray:
    return stats.norm.ppf(np.clip(uniform, 1e-6, 1 - 1e-6))


def _nearest_correlation(matrix: np.ndarray) -> np.ndarray:
    """A valid correlation matrix near ``matrix`` (constant columns give NaN; eigenvalues
    below zero come from rounding and missing values)."""
    matrix = np.nan_to_num(matrix, nan=0.0)
    np.fill_diagonal(matrix, 1.0)
    values, vectors = np.linalg.eigh(matrix)
    fixed = vectors @ np.diag(np.maximum(values, 1e-6)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    return fixed / np.outer(scale, scale)


def _with_missing(values: np.ndarray, share: float, rng) -> np.ndarray:
    if share <= 0:
        return values
    values = values.astype(object) if values.dtype == object else values.astype(float)
    values[rng.uniform(size=len(values)) < share] = None if values.dtype == object else np.nan
    return values
