"""Every measurement of one synthetic table, compared with the policy's thresholds.

Returns the report's ``measurements`` list (ids, values, thresholds, pass/fail, labels
from the policy) and the details the figures need (per-column distances, association
matrices, distances to closest record). A measurement without a value (a utility ratio
for an unpredictable target) is reported with ``passed: null`` and never counts as
passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import fidelity, privacy, utility
from .encode import categories
from .tables import TableInfo


@dataclass
class Measured:
    """The measurements and what the figures are drawn from."""

    measurements: list[dict] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, id_: str, value: float | None, policy: dict, note: str | None = None) -> None:
        """Record ``value`` for measurement ``id_`` against its policy threshold."""
        rule = policy["thresholds"][id_]
        passed = None
        if value is not None:
            limit = rule["threshold"]
            passed = bool(value <= limit if rule["direction"] == "max" else value >= limit)
        entry = {
            "id": id_, "dimension": id_.split(".")[0],
            "value": None if value is None else round(float(value), 6),
            "threshold": rule["threshold"], "direction": rule["direction"], "passed": passed,
            "label_en": rule["label_en"], "label_de": rule["label_de"],
        }  # fmt: skip
        if note:
            entry["note"] = note
        self.measurements.append(entry)


def measure_all(
    train, holdout, synth, info: TableInfo, policy: dict, target, seed, timer
) -> Measured:
    """Fidelity, utility (if a target is declared) and privacy of ``synth``."""
    result = Measured()
    cats = categories(train, info)
    sample = policy["evaluation"]["sample_rows"]
    real_s, synth_s = _sample(train, sample, seed), _sample(synth, sample, seed + 1)
    with timer("fidelity"):
        _fidelity(result, real_s, synth_s, info, cats, policy, seed)
    if target:
        with timer("utility"):
            found = utility.tstr(real_s, synth_s, holdout, info, cats, target, seed)
            result.details["utility"] = found
            result.add("utility.tstr_ratio", found["ratio"], policy, found.get("note"))
    with timer("privacy"):
        _privacy(result, train, holdout, synth_s, info, cats, policy, seed)
    return result


def _fidelity(result: Measured, real, synth, info, cats, policy, seed) -> None:
    marginals = fidelity.marginal_distances(real, synth, info)
    real_assoc, synth_assoc = fidelity.associations(real, info), fidelity.associations(synth, info)
    result.details.update(marginals=marginals, assoc_real=real_assoc, assoc_synth=synth_assoc)
    result.add("fidelity.marginal_tvd_max", marginals["tvd"].max(), policy)
    ks = marginals["ks"].dropna()
    result.add("fidelity.marginal_ks_max", ks.max() if len(ks) else 0.0, policy)
    diff = (real_assoc - synth_assoc).abs().to_numpy().max()
    result.add("fidelity.correlation_diff_max", diff, policy)
    result.add(
        "fidelity.detection_auc", fidelity.detection_auc(real, synth, info, cats, seed), policy
    )


def _privacy(result: Measured, train, holdout, synth, info, cats, policy, seed) -> None:
    attacks, sample = policy["evaluation"]["attacks"], policy["evaluation"]["sample_rows"]
    holdout = _sample(holdout, sample, seed + 2)  # bounds the distance computations
    target = privacy.targets(train, holdout, seed)
    attack_args = (synth, target, holdout, info)
    singling = privacy.singling_out(*attack_args, attacks, seed)
    linking = privacy.linkability(*attack_args, train, cats, attacks, seed)
    inferring = privacy.inference(*attack_args, train, cats, attacks, seed)
    closest = privacy.dcr(synth, target, holdout, info, train, cats)
    result.details.update(
        singling_out=singling, linkability=linking, inference=inferring, dcr=closest
    )
    result.add("privacy.singling_out_risk", singling["risk"], policy)
    result.add("privacy.linkability_risk", linking["risk"], policy)
    result.add("privacy.inference_risk", inferring["risk"], policy)
    result.add("privacy.exact_copies_share", privacy.exact_copies_share(synth, train, info), policy)
    result.add("privacy.dcr_closer_than_holdout_share", closest["share"], policy)


def _sample(frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    if len(frame) <= n:
        return frame
    index = np.random.default_rng(seed).choice(len(frame), n, replace=False)
    return frame.iloc[np.sort(index)].reset_index(drop=True)


def failures(measurements: list[dict]) -> list[str]:
    """Ids of the measurements that did not pass (a missing value is not a pass)."""
    return [m["id"] for m in measurements if m["passed"] is not True]
