"""Sequential synthesis with decision trees (CART), as synthpop does it (Nowok et al. 2016).

The first column is drawn from its real values (a bootstrap). Every later column is
modelled by a tree fitted on the columns before it; to draw a synthetic value, the
synthetic row's earlier values are passed down the tree and one real value is drawn from
the real rows in the leaf it lands in (the leaf's "donors"). Values are therefore real
values in realistic combinations; ``min_samples_leaf`` (policy, at least 2) keeps every
leaf a pool of several people, so no leaf hands out one person's value by construction.
Categories are coded as integers for the trees; missing values are their own code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ..encode import categories, ordinal
from ..tables import TableInfo

MISSING_CODE = -1.0


@dataclass
class CartModel:
    """Per column after the first: its tree and the donors' values by leaf."""

    info: TableInfo
    cats: dict[str, list[str]]
    first: np.ndarray  # the first column's real values
    trees: list  # (tree, {leaf: donor values}) per later column

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        """``n`` synthetic rows, column by column."""
        rng = np.random.default_rng(seed)
        columns = [self.first[rng.integers(len(self.first), size=n)]]
        for tree, donors in self.trees:
            features = _features(columns)
            leaves = tree.apply(features)
            drawn = np.empty(n, dtype=object)
            for leaf in np.unique(leaves):
                rows = np.flatnonzero(leaves == leaf)
                pool = donors[leaf]
                drawn[rows] = pool[rng.integers(len(pool), size=len(rows))]
            columns.append(drawn)
        return self._decode(columns)

    def _decode(self, columns: list[np.ndarray]) -> pd.DataFrame:
        out = {}
        for name, values in zip(self.info.columns, columns, strict=True):
            values = values.astype(float)
            if name in self.cats:
                labels = np.asarray(self.cats[name] + [None], dtype=object)
                codes = np.where(values == MISSING_CODE, len(labels) - 1, values).astype(int)
                out[name] = labels[codes]
            else:
                out[name] = values
        return pd.DataFrame(out)


def fit(train: pd.DataFrame, info: TableInfo, settings: dict, seed: int) -> CartModel:
    """Fit one tree per column after the first."""
    cats = categories(train, info)
    coded = ordinal(train, info, cats)
    for j, name in enumerate(info.columns):
        if name in cats:
            coded[np.isnan(coded[:, j]), j] = MISSING_CODE
    trees = []
    for j in range(1, coded.shape[1]):
        features, target = _features(list(coded[:, :j].T)), coded[:, j]
        tree = _tree(info.columns[j] in cats, settings["min_samples_leaf"], seed)
        usable = ~np.isnan(target)
        tree.fit(features[usable] if usable.any() else features, _fillable(target, usable))
        leaves = tree.apply(features)
        donors = {leaf: target[leaves == leaf] for leaf in np.unique(leaves)}
        trees.append((tree, donors))
    return CartModel(info, cats, coded[:, 0], trees)


def _tree(categorical: bool, min_leaf: int, seed: int):
    cls = DecisionTreeClassifier if categorical else DecisionTreeRegressor
    return cls(min_samples_leaf=min_leaf, random_state=seed)


def _fillable(target: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """The target where known (a numeric column's missing values are donors, not labels)."""
    return target[usable] if usable.any() else np.zeros(len(target))


def _features(columns: list[np.ndarray]) -> np.ndarray:
    """Earlier columns as the tree's input; missing numbers as a value below all others."""
    matrix = np.column_stack([np.asarray(c, dtype=float) for c in columns])
    return np.nan_to_num(matrix, nan=-1e12)
