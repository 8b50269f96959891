"""Generated tables with known unsafe cells: ACRO (through kimed_demos.disclosure) flags
every one of them, names the rule, never the value; safe tables pass. Many random
tables per rule, so a check that only sometimes works fails here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kimed_demos import disclosure

SEEDS = range(8)


def microdata(rng, groups=("a", "b", "c"), cats=("x", "y"), low=12, high=60) -> pd.DataFrame:
    rows = []
    for g in groups:
        for c in cats:
            rows += [(g, c, v) for v in rng.uniform(1, 10, rng.integers(low, high))]
    return pd.DataFrame(rows, columns=["group", "cat", "cost"])


@pytest.mark.parametrize("seed", SEEDS)
def test_small_count_is_always_flagged(seed):
    rng = np.random.default_rng(seed)
    data = microdata(rng)
    small = int(rng.integers(1, 10))
    keep = data.index[(data.group == "b") & (data.cat == "y")][:small]
    data = data.drop(data.index[(data.group == "b") & (data.cat == "y")].difference(keep))
    check = disclosure.check_my_table(data, "group", "cat")
    assert [(c["row"], c["column"]) for c in check.cells()] == [("b", "y")]
    assert check.cells()[0]["rules"] == ["threshold"]
    assert pd.isna(check.table.loc["b", "y"])  # suppressed; the report names no value:
    assert list(check.report().columns) == ["row", "column", "failed rules"]
    assert set(check.cells()[0]) == {"row", "column", "rules"}


@pytest.mark.parametrize("seed", SEEDS)
def test_dominated_cell_is_always_flagged(seed):
    rng = np.random.default_rng(seed)
    data = microdata(rng)
    target = data.index[(data.group == "c") & (data.cat == "x")][0]
    data.loc[target, "cost"] = 1e6 * (1 + rng.random())
    check = disclosure.check_my_table(data, "group", "cat", values="cost", aggfunc="sum")
    assert [(c["row"], c["column"]) for c in check.cells()] == [("c", "x")]
    assert {"n,k dominance", "p-ratio"} <= set(check.cells()[0]["rules"])


@pytest.mark.parametrize("seed", SEEDS)
def test_zero_cell_in_a_count_table_is_always_flagged(seed):
    rng = np.random.default_rng(seed)
    counts = pd.DataFrame(rng.integers(10, 500, (4, 3)), index=list("ABCD"), columns=list("uvw"))
    row, column = rng.choice(list("ABCD")), rng.choice(list("uvw"))
    counts.loc[row, column] = 0
    check = disclosure.check_counts(counts)
    assert [(c["row"], c["column"], c["rules"]) for c in check.cells()] == [
        (row, column, ["zeros"])
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_safe_tables_pass(seed):
    rng = np.random.default_rng(seed)
    data = microdata(rng)
    assert disclosure.check_my_table(data, "group", "cat").passed
    assert disclosure.check_my_table(data, "group", values="cost", aggfunc="mean").passed
    counts = pd.DataFrame(rng.integers(10, 500, (4, 3)), index=list("ABCD"), columns=list("uvw"))
    assert disclosure.check_counts(counts).passed


def test_model_with_too_few_degrees_of_freedom_fails():
    table = pd.DataFrame({"term": ["x"], "estimate": [0.3]})
    assert not disclosure.check_model(table, 4).passed
    assert disclosure.check_model(table, 400).passed
