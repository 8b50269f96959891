"""Each method reproduces the known structure of conftest.py's table within tolerances.

Fitted directly (no measurements), on 1,500 rows. The TVAE trains for 80 epochs instead
of the policy's 300 to keep the suite fast; with fewer epochs its tolerances are the
loosest here, and the policy's full training only does better (bench/synthesis.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from kimed_demos.synthesis import tables
from kimed_demos.synthesis.methods import method_module

from .conftest import POLICY, TRUE_CORRELATION, known_table

TOLERANCE = {"gaussian_copula": 0.08, "cart": 0.08, "tvae": 0.12}


@pytest.fixture(scope="module")
def real():
    return known_table(1500)


@pytest.fixture(scope="module", params=list(TOLERANCE))
def synthesised(request, real):
    method = request.param
    settings = dict(yaml.safe_load(POLICY.read_text())["methods"][method])
    if method == "tvae":
        pytest.importorskip("torch", reason="the TVAE needs torch (python-imaging kernel)")
        settings["epochs"] = 80
    info = tables.describe(real)
    model = method_module(method).fit(tables.prepare(real, info), info, settings, seed=3)
    return method, tables.finish(model.sample(1500, seed=4), info)


def test_columns_and_types_are_kept(synthesised, real):
    _, synth = synthesised
    assert list(synth.columns) == list(real.columns)
    assert synth["age"].dtype == "Int64" and synth["age"].between(18, 95).all()
    assert set(synth["group"]) <= {"low", "mid", "high"}


def test_numeric_correlation_is_reproduced(synthesised):
    method, synth = synthesised
    assert synth["x"].corr(synth["y"]) == pytest.approx(TRUE_CORRELATION, abs=TOLERANCE[method])


def test_marginals_are_reproduced(synthesised, real):
    method, synth = synthesised
    assert synth["x"].mean() == pytest.approx(real["x"].mean(), abs=1.5)
    assert synth["x"].std() == pytest.approx(real["x"].std(), rel=0.15)
    shares = synth["site"].value_counts(normalize=True)
    for site, share in real["site"].value_counts(normalize=True).items():
        assert shares.get(site, 0) == pytest.approx(share, abs=TOLERANCE[method])


def test_category_follows_its_number(synthesised):
    """group is low/mid/high by x: the synthetic groups keep their order on x."""
    _, synth = synthesised
    means = synth.groupby("group")["x"].mean()
    assert means["low"] < means["mid"] < means["high"]


def test_outcome_depends_on_y_as_in_the_real_data(synthesised, real):
    method, synth = synthesised
    real_gap = _outcome_gap(real)
    assert _outcome_gap(synth) == pytest.approx(real_gap, abs=2 * TOLERANCE[method])
    assert _outcome_gap(synth) > 0.2  # the dependence is there, not just noise


def _outcome_gap(frame: pd.DataFrame) -> float:
    """P(outcome=yes | y above median) - P(outcome=yes | y below median)."""
    high = frame["y"] > frame["y"].median()
    yes = frame["outcome"] == "yes"
    return float(yes[high].mean() - yes[~high].mean())


def test_the_independent_column_stays_independent(synthesised):
    _, synth = synthesised
    table = pd.crosstab(synth["site"], synth["group"], normalize="columns")
    assert np.abs(table.sub(table.mean(axis=1), axis=0)).to_numpy().max() < 0.1


def test_missing_values_are_drawn_at_their_real_share(real):
    holes = real.copy()
    rng = np.random.default_rng(1)
    holes.loc[rng.uniform(size=len(holes)) < 0.2, "y"] = np.nan
    holes.loc[rng.uniform(size=len(holes)) < 0.1, "site"] = np.nan
    info = tables.describe(holes)
    settings = yaml.safe_load(POLICY.read_text())["methods"]
    for method in ("gaussian_copula", "cart"):
        model = method_module(method).fit(tables.prepare(holes, info), info, settings[method], 0)
        synth = model.sample(3000, 1)
        assert synth["y"].isna().mean() == pytest.approx(0.2, abs=0.04), method
        assert synth["site"].isna().mean() == pytest.approx(0.1, abs=0.04), method
