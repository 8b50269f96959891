"""Statistical disclosure control for tables and models, in the style of ACRO (SACRO).

The rules and their defaults are ACRO's (its ``default.yaml``):

* threshold: a cell needs at least ``threshold`` (10) contributors; empty cells count as
  failing too unless ``zeros_disclosive`` is off (a zero can tell that nobody in a group has
  a condition);
* p-ratio (p% rule, for magnitude tables): the contributors other than the two largest must
  add up to at least ``p_ratio`` (10%) of the largest, or the second largest contributor can
  estimate the largest too closely; cells with fewer than 3 contributors fail;
* n,k dominance: the ``nk_n`` (2) largest contributors must not make up more than ``nk_k``
  (90%) of the cell total;
* models: residual degrees of freedom at least ``dof_threshold`` (10).

Failing cells are suppressed (set to NaN) and the report says which rule each failed, never
the suppressed value or count. There is no secondary suppression: print tables without
margins, or a suppressed cell can be recovered by subtraction. Thresholds are parameters
(`DisclosurePolicy`), so they can later come from a project's policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class DisclosurePolicy:
    """Disclosure-check thresholds (ACRO defaults)."""

    threshold: int = 10
    p_ratio: float = 0.10
    nk_n: int = 2
    nk_k: float = 0.90
    dof_threshold: int = 10
    zeros_disclosive: bool = True


DEFAULT_POLICY = DisclosurePolicy()


@dataclass
class DisclosureCheck:
    """A checked table: the safe version, and per cell why it was suppressed ("" if safe)."""

    name: str
    table: pd.DataFrame
    reasons: pd.DataFrame
    policy: DisclosurePolicy

    @property
    def passed(self) -> bool:
        """True when no cell had to be suppressed."""
        return not self.reasons.astype(bool).to_numpy().any()

    def report(self) -> pd.DataFrame:
        """One row per suppressed cell: its row and column labels and the failed rules."""
        stacked = self.reasons.stack()
        failing = stacked[stacked.astype(bool)].rename("failed rules")
        failing.index = failing.index.set_names(["row", "column"])
        return failing.reset_index()

    def summary(self) -> str:
        """One line for the notebook: PASS, or how many cells were suppressed and why."""
        cells = self.reasons.size
        if self.passed:
            return f"{self.name}: PASS ({cells} cells checked, none suppressed)"
        rules = pd.Series(
            [r.split(":")[0] for cell in self.report()["failed rules"] for r in cell.split("; ")]
        ).value_counts()
        why = ", ".join(f"{rule} {count}" for rule, count in rules.items())
        return f"{self.name}: SUPPRESSED {len(self.report())} of {cells} cells ({why})"


def cell_reasons(values: np.ndarray, policy: DisclosurePolicy, magnitude: bool) -> str:
    """The rules one cell fails, given its contributors' values ("" when it passes)."""
    n = len(values)
    reasons = []
    if n < policy.threshold and (n > 0 or policy.zeros_disclosive):
        reasons.append(f"threshold: fewer than {policy.threshold} contributors")
    if magnitude and n > 0:
        # Dominance is about shares of a total, so contributions are taken as magnitudes.
        x = np.sort(np.abs(values))[::-1]
        total = x.sum()
        if total > 0 and x[: policy.nk_n].sum() > policy.nk_k * total:
            reasons.append(f"n,k dominance: top {policy.nk_n} > {policy.nk_k:.0%} of total")
        if total > 0 and (n < 3 or total - x[0] - x[1] < policy.p_ratio * x[0]):
            reasons.append(f"p-ratio: rest < {policy.p_ratio:.0%} of the largest")
    return "; ".join(reasons)


def _as_frame(table: pd.DataFrame | pd.Series) -> pd.DataFrame:
    return table.to_frame() if isinstance(table, pd.Series) else table


def check_counts(
    counts: pd.DataFrame | pd.Series, policy: DisclosurePolicy = DEFAULT_POLICY, name: str = ""
) -> DisclosureCheck:
    """Check a frequency table of person counts (threshold rule) and suppress failing cells."""
    counts = _as_frame(counts).astype("Int64")  # nullable ints: suppressed cells print <NA>
    reasons = counts.map(lambda c: cell_reasons(np.ones(int(c)), policy, magnitude=False))
    return DisclosureCheck(name or "counts", counts.mask(reasons.astype(bool)), reasons, policy)


def crosstab(
    data: pd.DataFrame,
    index: str,
    columns: str | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    name: str = "",
) -> DisclosureCheck:
    """Count persons by one or two categorical columns, checked; no margins (see module doc)."""
    if columns is None:
        counts = data[index].value_counts().sort_index().rename("n")
    else:
        counts = pd.crosstab(data[index], data[columns])
    label = f"count by {index}" if columns is None else f"count by {index} x {columns}"
    return check_counts(counts, policy, name or label)


def aggregate(
    data: pd.DataFrame,
    by: str | Sequence[str],
    value: str,
    aggfunc: str = "mean",
    policy: DisclosurePolicy = DEFAULT_POLICY,
    name: str = "",
) -> DisclosureCheck:
    """`aggfunc` of `value` per group (a second `by` column becomes table columns), checked
    with the threshold, p-ratio and n,k rules on each cell's contributions."""
    keys = [by] if isinstance(by, str) else list(by)
    grouped = data.dropna(subset=[value]).groupby(keys, observed=True)[value]
    stats = grouped.agg(aggfunc)
    reasons = grouped.apply(lambda v: cell_reasons(v.to_numpy(), policy, magnitude=True))
    if len(keys) == 2:
        stats = stats.unstack()
        # A combination nobody falls into is an empty cell: a zero, so the threshold decides.
        reasons = reasons.unstack().fillna(cell_reasons(np.array([]), policy, magnitude=True))
    stats, reasons = _as_frame(stats), _as_frame(reasons).reindex_like(_as_frame(stats))
    label = name or f"{aggfunc} {value} by {' x '.join(keys)}"
    return DisclosureCheck(label, stats.mask(reasons.astype(bool)), reasons, policy)


def check_model(
    table: pd.DataFrame,
    dof: float | pd.Series,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    name: str = "",
) -> DisclosureCheck:
    """Check a table of model estimates: a row is withheld if its model's residual degrees of
    freedom (`dof`: one number, or one per row) are below the threshold."""
    reason = f"dof: residual degrees of freedom < {policy.dof_threshold}"
    failing = pd.Series(dof, index=table.index) < policy.dof_threshold
    numeric = table.select_dtypes("number").columns  # labels (e.g. outcome names) stay
    reasons = pd.DataFrame("", index=table.index, columns=table.columns)
    reasons.loc[failing, numeric] = reason
    safe = table.astype({c: float for c in numeric})
    safe.loc[failing, numeric] = np.nan
    return DisclosureCheck(name or "model", safe, reasons, policy)
