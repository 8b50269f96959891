"""Association models for linked exposome x cohort data, reported as estimates with 95% CIs.

* `fit_mixed`: linear mixed model, district random intercept, adjusted for age, sex, SES,
  smoking and urban district (statsmodels MixedLM, REML);
* `fit_logistic`: logistic model for a binary outcome (PHQ-9 >= 10) with the same
  adjustment and districts as fixed effects (13 levels: too few for a robust random effect
  in a GLM without a Laplace/MCMC fit), reported as an odds ratio;
* `fit_crude`: the unadjusted linear model, to show what confounding does.

Exposures enter per ``scale`` units (10 µg/m³ PM2.5, 10 heat days), so estimates read as
"per 10 units".
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.tools.sm_exceptions import ConvergenceWarning

ADJUSTMENT = "age + C(sex) + C(ses, Treatment('high')) + smoking"


@dataclass
class Estimate:
    """One exposure effect: estimate and 95% CI on the reported scale."""

    model: str
    outcome: str
    exposure: str
    per: float
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    n: int
    dof: float  # residual degrees of freedom, for the disclosure check
    converged: bool = True

    def covers(self, value: float) -> bool:
        """Whether the CI contains `value`."""
        return self.ci_low <= value <= self.ci_high


def _term(exposure: str, per: float) -> str:
    return f"I({exposure} / {per:g})"


def _estimate(result, model, outcome, exposure, per, transform=lambda x: x, converged=True):
    """Pick the exposure term out of a fitted statsmodels result."""
    term = _term(exposure, per)
    low, high = result.conf_int().loc[term]
    return Estimate(
        model=model,
        outcome=outcome,
        exposure=exposure,
        per=per,
        estimate=float(transform(result.params[term])),
        ci_low=float(transform(low)),
        ci_high=float(transform(high)),
        p_value=float(result.pvalues[term]),
        n=int(result.nobs),
        dof=float(result.nobs - len(result.params)),
        converged=converged,
    )


def fit_mixed(data: pd.DataFrame, outcome: str, exposure: str, per: float = 10.0) -> Estimate:
    """Linear mixed model: outcome ~ exposure + adjustment + urban + (1 | area)."""
    formula = f"{outcome} ~ {_term(exposure, per)} + {ADJUSTMENT} + urban"
    model = smf.mixedlm(formula, data.assign(urban=data["urban"].astype(int)), groups="area")
    with warnings.catch_warnings():
        # bfgs sometimes stops early and statsmodels retries with powell, warning about the
        # first attempt; whether the final fit converged is reported in the estimate.
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = model.fit(reml=True, method=["bfgs", "powell"])  # lbfgs stops at RE var 0
    converged = bool(result.converged)
    return _estimate(result, "mixed (area RI)", outcome, exposure, per, converged=converged)


def fit_logistic(data: pd.DataFrame, outcome: str, exposure: str, per: float = 10.0) -> Estimate:
    """Logistic model: P(outcome) ~ exposure + adjustment + C(area); reports the odds ratio."""
    formula = f"{outcome} ~ {_term(exposure, per)} + {ADJUSTMENT} + C(area)"
    result = smf.logit(formula, data).fit(disp=0)
    converged = bool(result.mle_retvals.get("converged", True))
    return _estimate(result, "logistic (OR)", outcome, exposure, per, np.exp, converged)


def fit_crude(data: pd.DataFrame, outcome: str, exposure: str, per: float = 10.0) -> Estimate:
    """Unadjusted linear model, outcome ~ exposure: biased by confounding on purpose."""
    result = smf.ols(f"{outcome} ~ {_term(exposure, per)}", data).fit()
    return _estimate(result, "crude linear", outcome, exposure, per)


def estimates_table(estimates: list[Estimate]) -> pd.DataFrame:
    """The estimates as a table (one row per model), rounded for printing."""
    frame = pd.DataFrame([asdict(e) for e in estimates])
    return frame.round({"estimate": 3, "ci_low": 3, "ci_high": 3, "p_value": 4})
