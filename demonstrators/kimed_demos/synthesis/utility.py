"""Utility: does a model trained on the synthetic table work on real data?

Train on synthetic, test on real (TSTR): a gradient-boosted model predicts the declared
target from the other columns; trained once on the synthetic rows and once on the real
training rows, both tested on the holdout rows that neither the method nor the model saw.
The measurement is the ratio of the two scores above chance: 1 means the synthetic table
teaches as much as the real one, 0 no more than guessing. Score: balanced accuracy for a
categorical target (chance: 1 / number of classes), R² for a numeric one (chance: 0).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import balanced_accuracy_score, r2_score

from .encode import categorical_mask, ordinal
from .tables import TableInfo

MIN_REAL_GAIN = 0.02  # a real model this close to chance makes the ratio meaningless


def tstr(train, synth, holdout, info: TableInfo, cats, target: str, seed: int) -> dict:
    """Scores of the real-trained and synthetic-trained models and their ratio (or None
    with a reason when the target cannot be predicted from the real data either)."""
    features = TableInfo(
        numeric=[c for c in info.numeric if c != target],
        categorical=[c for c in info.categorical if c != target],
        order=[c for c in info.columns if c != target],
    )
    categorical = target in info.categorical
    scores = {}
    for name, rows in (("real", train), ("synthetic", synth)):
        rows = rows[rows[target].notna()]
        model = _model(categorical, categorical_mask(features, cats), seed)
        model.fit(ordinal(rows, features, cats), _labels(rows[target], categorical))
        truth = holdout[holdout[target].notna()]
        predicted = model.predict(ordinal(truth, features, cats))
        scores[name] = _score(truth[target], predicted, categorical)
    chance = 1.0 / holdout[target].nunique() if categorical else 0.0
    gain = scores["real"] - chance
    result = {
        "score_real": scores["real"],
        "score_synthetic": scores["synthetic"],
        "chance": chance,
    }
    if gain < MIN_REAL_GAIN:
        result["ratio"] = None
        result["note"] = f"the target {target!r} is not predictable from the real data either"
    else:
        result["ratio"] = max(0.0, (scores["synthetic"] - chance) / gain)
    return result


def _model(categorical: bool, mask: np.ndarray, seed: int):
    cls = HistGradientBoostingClassifier if categorical else HistGradientBoostingRegressor
    return cls(max_iter=100, categorical_features=mask, random_state=seed)


def _labels(values: pd.Series, categorical: bool) -> np.ndarray:
    return values.astype(str).to_numpy() if categorical else values.to_numpy(dtype=float)


def _score(truth: pd.Series, predicted: np.ndarray, categorical: bool) -> float:
    if categorical:
        with warnings.catch_warnings():  # a class only the synthetic model predicts is just wrong
            warnings.simplefilter("ignore", UserWarning)
            return float(balanced_accuracy_score(truth.astype(str), predicted))
    return float(r2_score(truth.to_numpy(dtype=float), predicted))
