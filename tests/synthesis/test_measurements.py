"""The measurements tell good synthetic tables from bad ones, by the policy's thresholds.

"Synthetic" tables here are made by hand from the known generator of conftest.py: a fresh
draw from the same generator (what a perfect method would produce, sharing no person
with the real rows), the same with one column shifted, with the correlation destroyed,
and copies of the training rows (a planted leak).
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from kimed_demos.synthesis import tables
from kimed_demos.synthesis.job import step_timer
from kimed_demos.synthesis.measure import failures, measure_all
from kimed_demos.synthesis.privacy import risk

from .conftest import POLICY, known_table

POLICY_DATA = yaml.safe_load(POLICY.read_text())


@pytest.fixture(scope="module")
def split():
    real = known_table(1500)
    info = tables.describe(real)
    train, holdout = tables.split_holdout(tables.prepare(real, info), 0.3, seed=0)
    return info, train, holdout


def measure(split, synth) -> dict:
    info, train, holdout = split
    synth = tables.prepare(synth, info)
    found = measure_all(train, holdout, synth, info, POLICY_DATA, "outcome", 0, step_timer({}))
    return {m["id"]: m for m in found.measurements}


def test_a_fresh_draw_of_the_same_population_passes_everything(split):
    measured = measure(split, known_table(1500, seed=99))
    assert failures(list(measured.values())) == []
    assert measured["fidelity.detection_auc"]["value"] < 0.65
    assert measured["privacy.dcr_closer_than_holdout_share"]["value"] == pytest.approx(
        0.5, abs=0.06
    )


def test_a_shifted_column_fails_the_marginal_thresholds(split):
    shifted = known_table(1500, seed=99)
    shifted["x"] += 8  # 0.8 standard deviations
    measured = measure(split, shifted)
    assert measured["fidelity.marginal_tvd_max"]["passed"] is False
    assert measured["fidelity.marginal_ks_max"]["passed"] is False


def test_a_lost_correlation_fails_the_association_threshold(split):
    broken = known_table(1500, seed=99)
    broken["y"] = np.random.default_rng(5).permutation(broken["y"].to_numpy())
    measured = measure(split, broken)
    assert measured["fidelity.correlation_diff_max"]["value"] > 0.6
    assert measured["fidelity.correlation_diff_max"]["passed"] is False
    assert measured["fidelity.marginal_tvd_max"]["passed"] is True  # marginals are intact


def test_copied_training_rows_fail_every_privacy_measurement(split):
    _, train, _ = split
    measured = measure(split, train.sample(frac=1.0, random_state=1))
    for id_, m in measured.items():
        if id_.startswith("privacy."):
            assert m["passed"] is False, (id_, m["value"])
    assert measured["privacy.exact_copies_share"]["value"] == 1.0
    assert measured["privacy.linkability_risk"]["value"] > 0.9


def test_risk_is_the_success_beyond_the_control():
    assert risk(0.5, 0.5) == 0.0
    assert risk(0.4, 0.5) == 0.0  # never negative
    assert risk(1.0, 0.2) == 1.0
    assert risk(0.6, 0.2) == pytest.approx(0.5)
