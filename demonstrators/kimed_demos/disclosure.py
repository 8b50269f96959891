"""Statistical disclosure control for tables and models: a thin layer over ACRO (SACRO).

ACRO (PyPI ``acro``, the SACRO project's engine) does the checking; this module only
feeds it and reads its verdict back, so the rules and their names are ACRO's:

* ``MinimumThresholdCheck`` (threshold): a cell needs at least ``threshold`` (10)
  contributors; an empty cell fails too;
* ``PPercentCheck`` (p-ratio, magnitude tables): the contributors other than the two
  largest must add up to at least ``p_ratio`` (10%) of the largest;
* ``NKCheck`` (n,k dominance): the ``nk_n`` (2) largest contributors must not make up
  ``nk_k`` (90%) or more of the cell total;
* ``PresenceOfZeroCheck`` (zeros): a zero cell fails while ``zeros_disclosive`` is on;
* ``MissingCheck`` (missing): a cell with missing values needs a look (``missing_disclosive``);
* ``MinimumDoFCheck`` (dof): a model needs ``dof_threshold`` (10) residual degrees of freedom.

What this layer adds: thresholds as parameters (:class:`DisclosurePolicy`; the workbench's
airlock fills them from ``policies/airlock.yaml``), categorical grouping columns (ACRO's
pandas crosstabs are several times faster on them: a 10^6-row table in well under 2 s),
one verdict object (:class:`DisclosureCheck`) with the failing cells masked and a report
that names the rule per cell and **never** the suppressed value or count, and
:func:`check_counts` for a finished count table (the airlock checks submitted CSV files
with ACRO's own check functions on their counts, since no microdata come with them).
There is no secondary suppression: print tables without margins, or a suppressed cell can
be recovered by subtraction (ACRO's ``PresenceOfLinkedTableCheck`` says the same).
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd

#: ACRO's check names → the short rule names this layer reports (and the airlock shows).
RULES = {
    "MinimumThresholdCheck": "threshold",
    "NKCheck": "n,k dominance",
    "PPercentCheck": "p-ratio",
    "PresenceOfZeroCheck": "zeros",
    "MissingCheck": "missing",
    "MinimumDoFCheck": "dof",
    "AllSameValuesCheck": "all values the same",
}


@dataclass(frozen=True)
class DisclosurePolicy:
    """Disclosure-check thresholds (ACRO's defaults; the airlock's come from policy)."""

    threshold: int = 10
    p_ratio: float = 0.10
    nk_n: int = 2
    nk_k: float = 0.90
    dof_threshold: int = 10
    zeros_disclosive: bool = True
    missing_disclosive: bool = False

    def explain(self, rule: str) -> str:
        """The rule's one-line explanation with this policy's threshold (no cell values)."""
        return {
            "threshold": f"threshold: fewer than {self.threshold} contributors",
            "n,k dominance": f"n,k dominance: top {self.nk_n} >= {self.nk_k:.0%} of total",
            "p-ratio": f"p-ratio: rest < {self.p_ratio:.0%} of the largest",
            "zeros": "zeros: an empty cell (zeros are disclosive)",
            "missing": "missing: the cell has missing values",
            "dof": f"dof: residual degrees of freedom < {self.dof_threshold}",
            "all values the same": "all values the same: every contributor has one value",
        }.get(rule, rule)

    def acro_config(self) -> dict:
        """The policy in ACRO's configuration names (its ``default.yaml`` keys)."""
        return {
            "safe_threshold": self.threshold,
            "safe_pratio_p": self.p_ratio,
            "safe_nk_n": self.nk_n,
            "safe_nk_k": self.nk_k,
            "safe_dof_threshold": self.dof_threshold,
            "zeros_are_disclosive": self.zeros_disclosive,
            "check_missing_values": self.missing_disclosive,
        }


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

    def cells(self) -> list[dict]:
        """The failing cells as JSON-ready data: row and column labels and rule names."""
        return [
            {"row": str(row), "column": str(column), "rules": _rule_names(text)}
            for row, column, text in self.report().itertuples(index=False, name=None)
        ]

    def summary(self) -> str:
        """One line for the notebook: PASS, or how many cells were suppressed and why."""
        cells = self.reasons.size
        if self.passed:
            return f"{self.name}: PASS ({cells} cells checked, none suppressed)"
        rules = pd.Series([rule for cell in self.cells() for rule in cell["rules"]]).value_counts()
        why = ", ".join(f"{rule} {count}" for rule, count in rules.items())
        return f"{self.name}: SUPPRESSED {len(self.report())} of {cells} cells ({why})"

    def _repr_html_(self) -> str:
        """In a notebook: the verdict, then the failing cells (never their values)."""
        report = self.report()
        body = "" if report.empty else report.to_html(index=False)
        return f"<p><b>{self.summary()}</b></p>{body}"


def _rule_names(text: str) -> list[str]:
    return [part.split(":")[0] for part in text.split("; ") if part]


_ACRO_IMPORT = threading.Lock()


def load_acro(module: str = "acro"):
    """``module`` of ACRO, imported late (it loads statsmodels and matplotlib) and quietly.

    ACRO's import calls ``logging.basicConfig(level=logging.INFO)``: the root logger gets
    a stderr handler at INFO, so in a kernel every library's INFO line became a red cell
    output, and a researcher's own ``basicConfig`` did nothing. The root logger is put
    back as it was; ACRO's own loggers stay at WARNING (it logs every table at INFO on
    "acro", "acro:records" and "acro:summary": a colon, not children of "acro"). Nothing
    of the verdict is lost: results come from ACRO's return values, never its log, and
    its warnings still show (Python's last-resort handler prints WARNING and above)."""
    with _ACRO_IMPORT:  # one import at a time: each restores what it found
        if "acro.acro" not in sys.modules:
            root = logging.getLogger()
            level, handlers = root.level, list(root.handlers)
            importlib.import_module("acro")
            root.setLevel(level)
            for handler in [h for h in root.handlers if h not in handlers]:
                root.removeHandler(handler)
    for name in ("acro", "acro:records", "acro:summary"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return importlib.import_module(module)


def _session(policy: DisclosurePolicy):
    """A fresh ACRO session with ``policy``'s thresholds (ACRO reads its config dict at
    each check, so changing it after construction applies)."""
    session = load_acro().ACRO(suppress=False)
    session.config.update(policy.acro_config())
    return session


def _outcome_reasons(outcome: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """ACRO's per-cell outcome ("ok" or "NKCheck; MinimumThresholdCheck; ") as this
    layer's reasons ("" or "n,k dominance: ...; threshold: ...")."""

    def words(cell) -> str:
        checks = [c.strip() for c in str(cell).split(";") if c.strip() and c.strip() != "ok"]
        return "; ".join(policy.explain(RULES.get(c, c)) for c in checks)

    return outcome.map(words)


# ACRO formats its interim tables into debug-log f-strings whether or not debug logging
# is on; with pandas' default display options that was half the time of a check.
_TERSE = ("display.max_rows", 4, "display.max_columns", 4, "display.width", 80)


def _categorical(series: pd.Series) -> pd.Series:
    # ACRO groups with pandas crosstabs; on categorical keys these run several times
    # faster than on strings, with identical results (only observed categories count).
    return series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")


def _acro_table(
    data: pd.DataFrame,
    keys: list[str],
    value: str | None,
    aggfunc: str | None,
    policy: DisclosurePolicy,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ACRO's crosstab on ``keys`` (one or two columns) and return (table, reasons).

    One key gets a constant second key named after the value (``n`` for counts), so the
    result is a one-column table, as before this layer used ACRO."""
    index = _categorical(data[keys[0]])
    if len(keys) == 2:
        columns = _categorical(data[keys[1]])
    else:
        label = value or "n"
        columns = pd.Series(pd.Categorical([label] * len(data)), index=data.index, name="")
    session = _session(policy)
    values = data[value] if value else None
    with warnings.catch_warnings(), pd.option_context(*_TERSE):
        # ACRO passes numpy callables to pandas, which warns about its own future change.
        warnings.simplefilter("ignore", FutureWarning)
        table = session.crosstab(index, columns, values=values, aggfunc=aggfunc)
    record = session.results.get(session.results.get_keys()[-1])
    reasons = _outcome_reasons(record.outcome, policy).reindex_like(table).fillna("")
    return table, reasons


def check_my_table(
    data: pd.DataFrame,
    index: str,
    columns: str | None = None,
    values: str | None = None,
    aggfunc: str = "mean",
    policy: DisclosurePolicy = DEFAULT_POLICY,
    name: str = "",
) -> DisclosureCheck:
    """Check the table you are about to release, before you request its release.

    ``data`` is the microdata (one row per person); the table is counts by ``index``
    (and ``columns``), or ``aggfunc`` of ``values`` per cell. The result shows which
    cells would fail the airlock's checks and why, with those cells masked.
    """
    if values is None:
        return crosstab(data, index, columns, policy, name)
    by = [index] if columns is None else [index, columns]
    return aggregate(data, by, values, aggfunc, policy, name)


def check_counts(
    counts: pd.DataFrame | pd.Series, policy: DisclosurePolicy = DEFAULT_POLICY, name: str = ""
) -> DisclosureCheck:
    """Check a finished table of person counts with ACRO's threshold, zeros and missing
    checks (no microdata: dominance needs contributions and cannot be judged here)."""
    counts = counts.to_frame() if isinstance(counts, pd.Series) else counts
    numbers = counts.apply(pd.to_numeric, errors="coerce").astype(float)
    masks = _count_masks(numbers, policy)
    reasons = pd.DataFrame("", index=counts.index, columns=counts.columns)
    for rule, mask in masks.items():
        text = policy.explain(rule)
        hit = mask.to_numpy(dtype=bool)
        reasons = reasons.mask(hit, reasons.where(reasons == "", reasons + "; ") + text)
    safe = numbers.astype("Float64").mask(reasons.astype(bool))
    return DisclosureCheck(name or "counts", safe, reasons, policy)


def _count_masks(numbers: pd.DataFrame, policy: DisclosurePolicy) -> dict[str, pd.DataFrame]:
    """ACRO's own threshold, zero and missing checks run on a finished count table."""
    sdc = load_acro("acro.sdcchecks")
    checks = sdc.SDCChecks({**_session_defaults(), **policy.acro_config()})
    evidence = sdc.SDCEvidence(interim_tables={"count_table": numbers, "missing": numbers.isna()})
    model = SimpleNamespace(model_type="table", get_allfalse_table=lambda: numbers.isna() & False)
    masks = {
        # ACRO's threshold mask holds zeros too; a zero is reported by its own rule.
        "threshold": checks.check_min_threshold("count", evidence, model)[2] & (numbers != 0),
        "zeros": checks.check_presence_of_zero("count", evidence, model)[2],
    }
    if policy.missing_disclosive:
        masks["missing"] = checks.check_missing("count", evidence, model)[2]
    return masks


def _session_defaults() -> dict:
    return {"safe_round_base": 5, "survival_safe_threshold": 10}


def crosstab(
    data: pd.DataFrame,
    index: str,
    columns: str | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    name: str = "",
) -> DisclosureCheck:
    """Count persons by one or two categorical columns, checked; no margins (see module doc)."""
    keys = [index] if columns is None else [index, columns]
    table, reasons = _acro_table(data, keys, None, None, policy)
    table = table.astype("Int64")  # nullable ints: suppressed cells print <NA>
    label = f"count by {index}" if columns is None else f"count by {index} x {columns}"
    return _verdict(name or label, table, reasons, policy)


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
    table, reasons = _acro_table(data.dropna(subset=[value]), keys, value, aggfunc, policy)
    label = name or f"{aggfunc} {value} by {' x '.join(keys)}"
    return _verdict(label, table, reasons, policy)


def _verdict(name, table, reasons, policy) -> DisclosureCheck:
    table.index.name, table.columns.name = table.index.name, None
    reasons = reasons.set_axis(table.columns, axis=1).set_axis(table.index, axis=0)
    return DisclosureCheck(name, table.mask(reasons.astype(bool)), reasons, policy)


def check_model(
    table: pd.DataFrame,
    dof: float | pd.Series,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    name: str = "",
) -> DisclosureCheck:
    """Check a table of model estimates: a row is withheld if its model's residual degrees of
    freedom (`dof`: one number, or one per row) fail ACRO's MinimumDoFCheck."""
    sdc = load_acro("acro.sdcchecks")
    checks = sdc.SDCChecks({**_session_defaults(), **policy.acro_config()})
    per_row = pd.Series(dof, index=table.index)
    failing = per_row.map(
        lambda d: checks.check_model_dof("model", sdc.SDCEvidence(dof=int(d)), None)[0] == "fail"
    ).astype(bool)
    numeric = table.select_dtypes("number").columns  # labels (e.g. outcome names) stay
    reasons = pd.DataFrame("", index=table.index, columns=table.columns)
    reasons.loc[failing, numeric] = policy.explain("dof")
    safe = table.astype({c: float for c in numeric})
    safe.loc[failing, numeric] = np.nan
    return DisclosureCheck(name or "model", safe, reasons, policy)
