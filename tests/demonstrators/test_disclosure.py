"""ACRO-style disclosure checks: each rule, its threshold as a parameter, and the report."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from kimed_demos import disclosure
from kimed_demos.disclosure import DisclosurePolicy


def people(counts: dict[tuple[str, str], int]) -> pd.DataFrame:
    """Microdata with exactly `counts` persons per (group, category)."""
    rows = [(g, c) for (g, c), n in counts.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["group", "category"])


def test_threshold_suppresses_small_cells_and_reports_the_rule_not_the_count():
    data = people({("a", "x"): 25, ("a", "y"): 12, ("b", "x"): 30, ("b", "y"): 7})
    check = disclosure.crosstab(data, "group", "category")
    assert not check.passed
    assert pd.isna(check.table.loc["b", "y"])
    assert check.table.loc["a", "y"] == 12
    report = check.report()
    assert list(report[["row", "column"]].itertuples(index=False, name=None)) == [("b", "y")]
    assert "fewer than 10" in report["failed rules"][0]
    assert "7" not in check.summary() + report.to_string(columns=["failed rules"])


def test_threshold_is_a_parameter():
    data = people({("a", "x"): 7, ("a", "y"): 12})
    assert not disclosure.crosstab(data, "group", "category").passed
    assert disclosure.crosstab(data, "group", "category", DisclosurePolicy(threshold=5)).passed


def test_zero_cells_fail_unless_zeros_are_declared_safe():
    counts = pd.DataFrame({"x": [20, 0], "y": [15, 11]}, index=["a", "b"])
    assert not disclosure.check_counts(counts).passed
    assert disclosure.check_counts(counts, DisclosurePolicy(zeros_disclosive=False)).passed


def test_passing_table_is_returned_unchanged():
    data = people({("a", "x"): 10, ("a", "y"): 11, ("b", "x"): 12, ("b", "y"): 13})
    check = disclosure.crosstab(data, "group", "category")
    assert check.passed and "PASS" in check.summary()
    assert check.report().empty
    assert check.table.to_numpy().tolist() == [[10, 11], [12, 13]]


def magnitude(values_by_group: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(g, v) for g, values in values_by_group.items() for v in values], columns=["g", "v"]
    )


def test_dominance_and_p_ratio_flag_a_cell_dominated_by_one_contributor():
    data = magnitude({"even": [10.0] * 12, "dominated": [500.0] + [1.0] * 11})
    check = disclosure.aggregate(data, "g", "v", "sum")
    assert check.table.loc["even", "v"] == 120
    assert pd.isna(check.table.loc["dominated", "v"])
    rules = check.reasons.loc["dominated", "v"]
    assert "n,k dominance" in rules and "p-ratio" in rules


def test_n_k_dominance_alone_with_two_large_contributors():
    # Top two hold 95 of 105 (> 90%), but the rest (10) is over 10% of the largest (5).
    data = magnitude({"two": [50.0, 45.0] + [1.0] * 10})
    rules = disclosure.aggregate(data, "g", "v", "sum").reasons.loc["two", "v"]
    assert "n,k dominance" in rules and "p-ratio" not in rules


def test_p_ratio_alone_when_dominance_threshold_is_raised():
    # With defaults a p-ratio failure implies n,k failure; k=99% separates the rules.
    data = magnitude({"c": [100.0, 50.0] + [1.0] * 9})
    policy = DisclosurePolicy(nk_k=0.99)
    rules = disclosure.aggregate(data, "g", "v", "sum", policy).reasons.loc["c", "v"]
    assert rules.startswith("p-ratio")


def test_two_way_aggregate_treats_empty_combinations_as_failing():
    data = pd.DataFrame({"a": ["x"] * 20 + ["y"] * 20, "b": ["u"] * 30 + ["v"] * 10})
    data["v"] = np.arange(1.0, 41.0)
    check = disclosure.aggregate(data, ["a", "b"], "v", "mean")
    assert pd.isna(check.table.loc["x", "v"])  # nobody in (x, v)
    assert "threshold" in check.reasons.loc["x", "v"]
    assert check.table.loc["y", "v"] == pytest.approx(np.arange(31.0, 41.0).mean())


def test_model_rows_with_too_few_residual_dof_are_withheld_but_labels_kept():
    table = pd.DataFrame({"outcome": ["a", "b"], "estimate": [1.0, 2.0], "n": [500, 12]})
    check = disclosure.check_model(table, pd.Series([490.0, 3.0]))
    assert check.table.loc[0, "estimate"] == 1.0
    assert pd.isna(check.table.loc[1, "estimate"]) and check.table.loc[1, "outcome"] == "b"
    assert set(check.report()["column"]) == {"estimate", "n"}


QUIET_KERNEL = """
import logging, sys
import pandas as pd
from kimed_demos import disclosure
data = pd.DataFrame({"ward": ["a"] * 30 + ["b"] * 3})
checked = disclosure.check_my_table(data, "ward")
root = logging.getLogger()
print(checked.summary())
print("root", logging.getLevelName(root.level), len(root.handlers))
logging.getLogger("some.library").info("an INFO line nobody asked for")
logging.getLogger("acro").warning("a warning of ACRO's")
logging.basicConfig(level=logging.INFO, stream=sys.stdout)  # the researcher's own
logging.getLogger("mine").info("my own INFO line")
"""


def test_acro_import_leaves_the_kernel_logging_alone():
    """ACRO's import calls logging.basicConfig(INFO); in a fresh interpreter (as a kernel
    is) checking a table leaves the root logger as it was: no INFO noise on stderr, ACRO's
    warnings and the verdict still shown, the researcher's own basicConfig still works."""
    done = subprocess.run(
        [sys.executable, "-c", QUIET_KERNEL], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "root WARNING 0" in done.stdout
    assert "SUPPRESSED 1 of 2 cells (threshold 1)" in done.stdout, done.stdout
    assert "INFO" not in done.stderr and "nobody asked" not in done.stderr
    assert "a warning of ACRO's" in done.stderr
    assert "INFO:mine:my own INFO line" in done.stdout
