"""Shared fixtures of the synthesis tests: a generated table with KNOWN structure.

Two numbers correlated at about 0.8 (``x`` and ``y``), an integer age, a category that
depends on ``x`` (``group``), a category independent of everything (``site``) and a binary
outcome that depends on ``y`` and ``group`` (the utility target). The structure is set
here, so the tests know what a method has to reproduce.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# One thread per library: the machine running the tests is shared, and OpenMP's worker
# threads spinning under load made the gradient-boosted classifiers 100 times slower.
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "policies" / "synthesis.yaml"
TRUE_CORRELATION = 0.8


def known_table(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` rows of the known structure (documented in the module docstring)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(50, 10, n)
    y = TRUE_CORRELATION * (x - 50) / 10 + np.sqrt(1 - TRUE_CORRELATION**2) * rng.normal(size=n)
    group = np.where(x + rng.normal(0, 4, n) < 45, "low", np.where(x < 58, "mid", "high"))
    age = np.clip(np.round(rng.normal(60, 12, n)), 18, 95).astype(int)
    site = rng.choice(["north", "south", "east"], n, p=[0.5, 0.3, 0.2])
    logit = 1.5 * y + np.where(group == "high", 1.0, 0.0) - 0.3
    outcome = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return pd.DataFrame({"x": x.round(3), "y": y.round(4), "age": age, "group": group,
                         "site": site, "outcome": outcome})  # fmt: skip


@pytest.fixture(scope="session")
def known_csv(tmp_path_factory) -> Path:
    """A dataset folder holding one table of 1,500 rows of the known structure."""
    folder = tmp_path_factory.mktemp("dataset")
    known_table(1500).to_csv(folder / "cohort.csv", index=False)
    return folder


@pytest.fixture
def policy_dir(tmp_path) -> Path:
    """A writable copy of the reviewed policy and its schema (for tests that edit it)."""
    target = tmp_path / "policies"
    (target / "schemas").mkdir(parents=True)
    shutil.copy(POLICY, target / "synthesis.yaml")
    shutil.copy(POLICY.parent / "schemas" / "synthesis.schema.json", target / "schemas")
    return target
