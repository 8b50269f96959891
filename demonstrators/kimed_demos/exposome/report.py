"""What the exposome notebook shows and writes: disclosure-checked tables, figures, metrics.

Only disclosure-checked tables leave this module: each table is built by a function of
`kimed_demos.disclosure`, printed and saved in its suppressed form, and every check's
outcome goes into ``disclosure_report.csv`` beside the tables.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from .. import disclosure
from ..disclosure import DisclosureCheck, DisclosurePolicy
from .generate import SyntheticStudy
from .linkage import Linked
from .models import Estimate, estimates_table

#: Clinical cut-off: PHQ-9 >= 10 is the usual screen for moderate depression.
PHQ9_CUTOFF = 10


def with_screen(data: pd.DataFrame) -> pd.DataFrame:
    """Add ``depression_screen`` (1 if PHQ-9 >= 10), the binary outcome."""
    return data.assign(depression_screen=(data["phq9"] >= PHQ9_CUTOFF).astype(int))


def descriptive_checks(data: pd.DataFrame, policy: DisclosurePolicy) -> list[DisclosureCheck]:
    """The descriptive tables of the notebook, each disclosure-checked."""
    d = disclosure
    return [
        d.crosstab(data, "area", policy=policy, name="participants by district"),
        d.crosstab(data, "area", "ses", policy=policy, name="participants by district x SES"),
        d.crosstab(data, "area", "depression_screen", policy, "PHQ-9 >= 10 by district"),
        d.aggregate(data, "area", "phq9", "mean", policy, "mean PHQ-9 by district"),
        d.aggregate(
            data, ["ses", "smoking"], "phq9", "mean", policy, "mean PHQ-9 by SES x smoking"
        ),
        d.aggregate(data, "area", "pm25_12m", "mean", policy, "mean linked PM2.5 by district"),
    ]


def model_check(estimates: list[Estimate], policy: DisclosurePolicy) -> DisclosureCheck:
    """The estimates table, checked for residual degrees of freedom per model."""
    table = estimates_table(estimates)
    return disclosure.check_model(table, table["dof"], policy, name="model estimates")


def show(check: DisclosureCheck) -> None:
    """Display a checked table in the notebook: outcome line, safe table, why cells went."""
    from IPython.display import display

    print(check.summary())
    display(check.table)
    if not check.passed:
        display(check.report())


def slug(name: str) -> str:
    """A file name for a table title: 'mean PHQ-9 by district' -> 'mean_phq-9_by_district'."""
    return re.sub(r"[^a-z0-9-]+", "_", name.lower()).strip("_")


def save_checks(checks: list[DisclosureCheck], output_dir: str | Path) -> Path:
    """Write each safe table to tables/<slug>.csv and all outcomes to disclosure_report.csv."""
    folder = Path(output_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for check in checks:
        check.table.to_csv(folder / f"{slug(check.name)}.csv")
        report = check.report()
        rows.append({"table": check.name, "passed": check.passed, "summary": check.summary()})
        rows += [{"table": check.name, "passed": False, **r} for r in report.to_dict("records")]
    path = folder / "disclosure_report.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def plot_exposures(exposure: pd.DataFrame) -> Figure:
    """Monthly PM2.5 and heat days per district (environmental data: no persons in it)."""
    fig = Figure(figsize=(11, 6), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    for area, series in exposure.groupby("area"):
        axes[0].plot(series["month"], series["pm25"], lw=0.8, label=area)
        axes[1].plot(series["month"], series["heat_days"], lw=0.8)
    axes[0].set_ylabel("PM2.5 [µg/m³]")
    axes[1].set_ylabel("heat days (Tmax ≥ 30 °C)")
    axes[0].legend(fontsize=7, ncol=4, loc="upper right")
    fig.suptitle("Synthetic monthly exposures, 13 Saxon districts")
    return fig


def plot_estimates(estimates: list[Estimate], truth: dict[str, float]) -> Figure:
    """Forest plot: each estimate with its 95% CI and, where known, the true value."""
    fig = Figure(figsize=(8, 0.6 * len(estimates) + 1.5), layout="constrained")
    ax = fig.subplots()
    for i, e in enumerate(estimates):
        ax.errorbar(e.estimate, i, xerr=[[e.estimate - e.ci_low], [e.ci_high - e.estimate]],
                    fmt="o", capsize=4, color="tab:blue")  # fmt: skip
        if (true := truth.get(f"{e.model}|{e.outcome}")) is not None:
            ax.plot(true, i, "x", color="tab:red", ms=9, label="true" if i == 0 else None)
    ax.set_yticks(range(len(estimates)))
    ax.set_yticklabels([f"{e.outcome} ~ {e.exposure} per {e.per:g}\n{e.model}" for e in estimates])
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("estimate (odds ratio for logistic) with 95% CI")
    ax.legend(loc="lower right")
    return fig


def true_values(study: SyntheticStudy) -> dict[str, float]:
    """The built-in effects keyed like the forest plot: 'model|outcome'."""
    config = study.config
    return {
        "mixed (area RI)|phq9": config.beta_pm25,
        "mixed (area RI)|gad7": config.beta_heat_gad7,
    }


def save_figure(fig: Figure, output_dir: str | Path, name: str) -> Path:
    """Write `fig` as figures/<name>.png."""
    path = Path(output_dir) / "figures" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


def write_metrics(output_dir, study: SyntheticStudy, linked: Linked, estimates, checks) -> Path:
    """metrics.json: true effects, estimates with CIs, linkage counts, disclosure outcomes."""
    metrics = {
        "truth": study.truth(),
        "linked_visits": len(linked.data),
        "excluded_visits": linked.excluded,
        "window_months": linked.window,
        "estimates": estimates_table(estimates).to_dict("records"),
        "disclosure": {c.name: c.summary() for c in checks},
    }
    path = Path(output_dir) / "metrics.json"
    path.write_text(json.dumps(metrics, indent=2, default=str) + "\n")
    return path
