"""Fidelity: how closely the synthetic table resembles the real one.

- Marginals: total variation distance per column (numbers binned at the real deciles,
  categories as they are) and the Kolmogorov-Smirnov statistic per numeric column; the
  report keeps the worst column.
- Pairwise associations: one matrix for mixed types (Pearson for two numbers, Cramér's V
  for two categories, the correlation ratio for a number and a category); the largest
  absolute difference between the real and the synthetic matrix.
- Detection: a gradient-boosted classifier's cross-validated ROC AUC at telling real from
  synthetic rows (0.5: indistinguishable, 1: always told apart). An AUC below 0.5 is
  folded up (``max(auc, 1 - auc)``): it means the classifier tells the rows apart with
  its labels inverted, which happens when synthetic rows repeat real ones (a value seen
  as real in one fold is labelled synthetic in another).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import cross_val_score

from .encode import categorical_mask, ordinal
from .tables import TableInfo


def marginal_distances(real: pd.DataFrame, synth: pd.DataFrame, info: TableInfo) -> pd.DataFrame:
    """Per column: TVD (every column) and KS (numeric columns, else NaN)."""
    rows = []
    for name in info.columns:
        if name in info.categorical:
            real_share = real[name].fillna("<missing>").value_counts(normalize=True)
            synth_share = synth[name].fillna("<missing>").value_counts(normalize=True)
            tvd = 0.5 * real_share.subtract(synth_share, fill_value=0).abs().sum()
            rows.append((name, float(tvd), np.nan))
            continue
        r, s = real[name].dropna().to_numpy(float), synth[name].dropna().to_numpy(float)
        if not len(s) or not len(r):
            rows.append((name, 1.0, 1.0))
            continue
        edges = np.unique(np.quantile(r, np.linspace(0, 1, 11)))
        tvd = 0.5 * np.abs(_binned(r, edges) - _binned(s, edges)).sum()
        rows.append((name, float(tvd), float(stats.ks_2samp(r, s).statistic)))
    return pd.DataFrame(rows, columns=["column", "tvd", "ks"]).set_index("column")


def _binned(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Shares in the bins between ``edges``, open-ended at both ends."""
    index = np.searchsorted(edges[1:-1], values, side="right")
    return np.bincount(index, minlength=max(len(edges) - 1, 1)) / len(values)


def associations(frame: pd.DataFrame, info: TableInfo) -> pd.DataFrame:
    """The mixed-type association matrix (values in [-1, 1], categories in [0, 1])."""
    names = info.columns
    matrix = np.eye(len(names))
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            matrix[i, j] = matrix[j, i] = _association(frame[a], frame[names[j]], info)
    return pd.DataFrame(matrix, index=names, columns=names)


def _association(a: pd.Series, b: pd.Series, info: TableInfo) -> float:
    a_cat, b_cat = a.name in info.categorical, b.name in info.categorical
    if not a_cat and not b_cat:
        value = a.corr(b)
    elif a_cat and b_cat:
        value = _cramers_v(a, b)
    else:
        category, number = (a, b) if a_cat else (b, a)
        value = _correlation_ratio(category, number)
    return 0.0 if pd.isna(value) else float(value)


def _cramers_v(a: pd.Series, b: pd.Series) -> float:
    table = pd.crosstab(a, b).to_numpy()
    if min(table.shape) < 2:
        return 0.0
    chi2 = stats.chi2_contingency(table, correction=False)[0]
    return float(np.sqrt(chi2 / (table.sum() * (min(table.shape) - 1))))


def _correlation_ratio(category: pd.Series, number: pd.Series) -> float:
    """eta: the share of the number's spread that the categories explain, square-rooted."""
    both = pd.DataFrame({"c": category, "x": number}).dropna()
    if both.empty or both["x"].var() == 0:
        return 0.0
    means = both.groupby("c")["x"].transform("mean")
    between = ((means - both["x"].mean()) ** 2).sum()
    return float(np.sqrt(between / ((both["x"] - both["x"].mean()) ** 2).sum()))


def detection_auc(
    real: pd.DataFrame, synth: pd.DataFrame, info: TableInfo, cats, seed: int
) -> float:
    """Cross-validated ROC AUC of a classifier telling real rows from synthetic ones."""
    n = min(len(real), len(synth))
    rng = np.random.default_rng(seed)
    real = real.iloc[rng.choice(len(real), n, replace=False)]
    synth = synth.iloc[rng.choice(len(synth), n, replace=False)]
    features = np.vstack([ordinal(real, info, cats), ordinal(synth, info, cats)])
    labels = np.r_[np.zeros(n), np.ones(n)]
    model = HistGradientBoostingClassifier(
        max_iter=100, categorical_features=categorical_mask(info, cats), random_state=seed
    )
    folds = min(3, n)
    auc = float(cross_val_score(model, features, labels, cv=folds, scoring="roc_auc").mean())
    return max(auc, 1.0 - auc)
