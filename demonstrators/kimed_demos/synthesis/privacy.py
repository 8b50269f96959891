"""Privacy: what an attacker holding the synthetic table learns about real people.

The three attacks follow anonymeter (Giomi et al. 2022, "A Unified Framework for
Quantifying Privacy Risk in Synthetic Data", PoPETs 2023): each attack is run against
the training rows (people the method saw) and, as the control, against holdout rows of
the same number (people it never saw). What the attack achieves on the control is what
the synthetic table reveals about people in general; only the excess is privacy risk:
``risk = (success_train - success_control) / (1 - success_control)``, at least 0.

- singling out: predicates read off one synthetic row (equality for categories, "at
  least/at most" for numbers, conditions added in random column order until exactly one
  synthetic row matches); a success when the predicate matches exactly one person.
- linkability: the columns are split in two halves (two data sets an attacker could
  hold); a success when a person's nearest synthetic row on one half is also their
  nearest on the other half, linking the two.
- attribute inference: an attacker who knows every other column of a person guesses one
  secret column from the nearest synthetic row; a success when the guess is right
  (numbers: within 5% of the real range). The worst secret column is reported.

Plus two direct checks: the share of synthetic rows that are exact copies of a training
row, and the share of synthetic rows closer to the training rows than to the holdout rows
(distance to closest record, Gower distance; about 0.5 when the method did not memorise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from .encode import gower
from .tables import TableInfo

INFERENCE_TOLERANCE = 0.05
MAX_SECRETS = 8


def risk(success: float, control: float) -> float:
    """anonymeter's privacy risk: the attack's success beyond the control's."""
    if control >= 1.0:
        return 0.0
    return max(0.0, (success - control) / (1.0 - control))


def targets(train: pd.DataFrame, holdout: pd.DataFrame, seed: int) -> pd.DataFrame:
    """As many training rows as there are holdout rows, so both groups are equal in size."""
    n = min(len(train), len(holdout))
    order = np.random.default_rng(seed).permutation(len(train))[:n]
    return train.iloc[order].reset_index(drop=True)


def singling_out(synth, target, control, info: TableInfo, attacks: int, seed: int) -> dict:
    """Singling-out risk from multivariate predicates read off synthetic rows."""
    rng = np.random.default_rng(seed)
    columns = {group: _columns(frame, info) for group, frame in
               (("synth", synth), ("target", target), ("control", control))}  # fmt: skip
    medians = {name: float(np.nanmedian(columns["synth"][name])) for name in info.numeric}
    hits = {"target": 0, "control": 0}
    tried = 0
    for _ in range(attacks * 3):  # rows that no predicate isolates are skipped
        if tried == attacks:
            break
        predicate = _predicate(rng.integers(len(synth)), columns["synth"], medians, info, rng)
        if predicate is None:
            continue
        tried += 1
        hits["target"] += int(_matches(columns["target"], predicate).sum() == 1)
        hits["control"] += int(_matches(columns["control"], predicate).sum() == 1)
    return _result(hits, tried)


def _columns(frame: pd.DataFrame, info: TableInfo) -> dict[str, np.ndarray]:
    """Each column as an array (numbers: floats; categories: strings, missing as None)."""
    return {
        name: frame[name].to_numpy(dtype=object if name in info.categorical else float)
        for name in info.columns
    }


def _predicate(row: int, synth: dict, medians: dict, info: TableInfo, rng) -> list | None:
    """Conditions on the row's values, in random column order, added until they isolate
    the row among the synthetic rows (None if even all of them do not)."""
    predicate = []
    for name in rng.permutation(info.columns):
        value = synth[name][row]
        if pd.isna(value):
            predicate.append((name, "na", None))
        elif name in info.categorical:
            predicate.append((name, "==", value))
        else:  # the tail the value lies in: "at least" above the median, else "at most"
            predicate.append((name, ">=" if value >= medians[name] else "<=", value))
        if _matches(synth, predicate).sum() == 1:
            return predicate
    return None


def _matches(columns: dict[str, np.ndarray], predicate: list) -> np.ndarray:
    mask = None
    for name, op, value in predicate:
        column = columns[name]
        if op == "na":
            found = pd.isna(column)
        elif op == "==":
            found = column == value
        else:
            found = (column >= value) if op == ">=" else (column <= value)
        mask = found if mask is None else mask & found
    return mask


def linkability(synth, target, control, info, real, cats, attacks: int, seed: int) -> dict:
    """Linkability risk: do a person's two halves point to the same synthetic row?"""
    names = list(np.random.default_rng(seed).permutation(info.columns))
    if len(names) < 2:
        return {"risk": 0.0, "success": 0.0, "control": 0.0, "attacks": 0}
    halves = [_subset(info, names[::2]), _subset(info, names[1::2])]
    hits = {}
    for group, people in (("target", target), ("control", control)):
        people = people.iloc[:attacks]
        nearest = [
            _nearest(gower(synth, half, real, cats), gower(people, half, real, cats))[1]
            for half in halves
        ]
        hits[group] = int((nearest[0] == nearest[1]).sum())
    return _result(hits, min(attacks, len(target)))


def inference(synth, target, control, info, real, cats, attacks: int, seed: int) -> dict:
    """Attribute-inference risk: the worst of up to MAX_SECRETS secret columns."""
    rng = np.random.default_rng(seed)
    secrets = list(rng.permutation(info.columns))[:MAX_SECRETS] if len(info.columns) > 1 else []
    worst = {"risk": 0.0, "success": 0.0, "control": 0.0, "attacks": 0, "secret": None}
    for secret in secrets:
        known = _subset(info, [c for c in info.columns if c != secret])
        hits = {}
        for group, people in (("target", target), ("control", control)):
            people = people.iloc[:attacks]
            index = _nearest(gower(synth, known, real, cats), gower(people, known, real, cats))[1]
            guesses = synth[secret].to_numpy()[index]
            hits[group] = int(
                _correct(people[secret].to_numpy(), guesses, secret, info, real).sum()
            )
        result = _result(hits, min(attacks, len(target)))
        if result["risk"] >= worst["risk"]:
            worst = {**result, "secret": secret}
    return worst


def _correct(truth, guesses, secret, info, real) -> np.ndarray:
    if secret in info.categorical:
        pairs = zip(truth, guesses, strict=True)
        return np.array([a == b or (pd.isna(a) and pd.isna(b)) for a, b in pairs])
    spread = (np.nanmax(real[secret]) - np.nanmin(real[secret])) or 1.0
    truth, guesses = truth.astype(float), guesses.astype(float)
    close = np.abs(truth - guesses) <= INFERENCE_TOLERANCE * spread
    return close | (np.isnan(truth) & np.isnan(guesses))


def exact_copies_share(synth: pd.DataFrame, train: pd.DataFrame, info: TableInfo) -> float:
    """The share of synthetic rows equal, in every column, to some training row."""
    seen = set(_row_keys(train, info))
    return float(np.mean([key in seen for key in _row_keys(synth, info)]))


def _row_keys(frame: pd.DataFrame, info: TableInfo):
    rounded = frame[info.columns].copy()
    for name in info.numeric:  # the written table rounds integers; compare as written
        rounded[name] = rounded[name].astype(float).round(6)
    return [
        tuple("<na>" if pd.isna(v) else v for v in row) for row in rounded.itertuples(index=False)
    ]


def dcr(synth, target, control, info, real, cats) -> dict:
    """Distances to the closest target and control rows, and the share closer to targets."""
    points = gower(synth, info, real, cats)
    to_target = _nearest(gower(target, info, real, cats), points)[0]
    to_control = _nearest(gower(control, info, real, cats), points)[0]
    share = float(np.mean(to_target < to_control) + 0.5 * np.mean(to_target == to_control))
    return {"share": share, "to_train": to_target, "to_holdout": to_control}


def _nearest(reference: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to and index of each query's nearest reference row (L1: Gower)."""
    search = NearestNeighbors(n_neighbors=1, metric="manhattan").fit(reference)
    distance, index = search.kneighbors(queries)
    return distance[:, 0], index[:, 0]


def _subset(info: TableInfo, names: list[str]) -> TableInfo:
    chosen = set(names)
    return TableInfo(
        numeric=[c for c in info.numeric if c in chosen],
        categorical=[c for c in info.categorical if c in chosen],
        order=[c for c in info.columns if c in chosen],
    )


def _result(hits: dict, attacks: int) -> dict:
    if not attacks:
        return {"risk": 0.0, "success": 0.0, "control": 0.0, "attacks": 0}
    success, control = hits["target"] / attacks, hits["control"] / attacks
    return {
        "risk": risk(success, control),
        "success": success,
        "control": control,
        "attacks": attacks,
    }
