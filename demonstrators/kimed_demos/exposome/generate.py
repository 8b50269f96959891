"""Synthetic cohort and exposure series with known effects, so the analysis can be checked.

Built-in truth (all parameters of `StudyConfig`):

* PHQ-9 rises by ``beta_pm25`` points per 10 µg/m³ of PM2.5 averaged over the
  ``window_months`` months before the visit;
* GAD-7 rises by ``beta_heat_gad7`` points per 10 heat days (Tmax >= 30 °C) in that window;
* confounding: districts with more PM2.5 have more low-SES residents, and low SES, smoking
  and living in a kreisfreie Stadt raise PHQ-9 by themselves. Adjusting for SES, smoking and
  ``urban`` removes it; the remaining district effects are independent random intercepts.

Scores are rounded and clipped to their ranges (PHQ-9 0-27, GAD-7 0-21). Baselines keep
clipping rare (about 2% at 0), so it attenuates the linear effects by only a few per cent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .areas import saxon_districts


@dataclass(frozen=True)
class StudyConfig:
    """Size, period, true effects and seed of one synthetic study."""

    n_participants: int = 5000
    beta_pm25: float = 1.0  # PHQ-9 points per 10 µg/m³ PM2.5 (window mean)
    beta_heat_gad7: float = 0.5  # GAD-7 points per 10 heat days (window sum)
    window_months: int = 12
    first_visit: str = "2019-01"
    last_visit: str = "2023-12"
    seed: int = 42

    def __post_init__(self):
        if self.n_participants < 100:
            raise ValueError(f"n_participants must be at least 100, got {self.n_participants}")
        if not 1 <= self.window_months <= 36:
            raise ValueError(f"window_months must be 1..36, got {self.window_months}")
        if pd.Period(self.first_visit, "M") > pd.Period(self.last_visit, "M"):
            raise ValueError("first_visit must not be after last_visit")


@dataclass
class SyntheticStudy:
    """The generated data: one row per participant visit, one per district and month."""

    participants: pd.DataFrame
    exposure: pd.DataFrame
    config: StudyConfig

    def truth(self) -> dict:
        """The built-in effects, for comparing estimates with."""
        return asdict(self.config)


def exposure_series(config: StudyConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Monthly PM2.5, NO2, temperature, heat days and green share per district.

    The series start ``window_months`` before the first visit, so every visit has a full
    window. Each district has its own level, a shared winter peak and downward trend, and
    district-year shocks, so window means vary both between districts and over time.
    """
    start = pd.Period(config.first_visit, "M") - config.window_months
    months = pd.period_range(start, config.last_visit, freq="M")
    areas = saxon_districts()
    frames = [_district_series(row, months, rng) for row in areas.itertuples()]
    return pd.concat(frames, ignore_index=True)


def _district_series(area, months: pd.PeriodIndex, rng: np.random.Generator) -> pd.DataFrame:
    """One district's monthly series (see `exposure_series`)."""
    n = len(months)
    years = months.year.to_numpy() - months.year.min()
    season = np.cos(2 * np.pi * (months.month.to_numpy() - 1) / 12)  # +1 in January
    year_shock = rng.normal(0, 2.0, years.max() + 1)[years]
    level = 9.0 + 4.0 * area.urban + rng.normal(0, 1.5)
    pm25 = level + 3.0 * season - 0.8 * years + year_shock + rng.normal(0, 1.5, n)
    no2 = 12.0 + 10.0 * area.urban + 1.5 * (pm25 - level) + rng.normal(0, 2.0, n)
    temperature = (
        9.5 + 0.8 * area.urban - 9.5 * season + rng.normal(0, 0.8, years.max() + 1)[years]
    ) + rng.normal(0, 1.2, n)
    heat_days = np.minimum(rng.poisson(np.exp(0.5 * (temperature - 17.0))), 31)
    green = 0.45 - 0.2 * area.urban + rng.normal(0, 0.05) - 0.002 * years  # slow loss
    return pd.DataFrame(
        {
            "area": area.area,
            "month": months.to_timestamp(),
            "pm25": np.clip(pm25, 1.0, None).round(2),
            "no2": np.clip(no2, 2.0, None).round(2),
            "temperature": temperature.round(2),
            "heat_days": heat_days,
            "green_share": np.clip(green, 0, 1).round(3),
        }
    )


def window_exposure(exposure: pd.DataFrame, area: np.ndarray, visit: pd.Series, window: int):
    """True PM2.5 window mean and heat-day window sum for each visit (generator side).

    Deliberately computed from cumulative sums per district, independently of
    `linkage.link`, so a linkage bug cannot hide behind the generator making the same one.
    """
    months = exposure["month"].drop_duplicates().sort_values().dt.to_period("M").to_numpy()
    position = np.searchsorted(months, visit.dt.to_period("M").to_numpy())
    out = {}
    for column, reduce in (("pm25", "mean"), ("heat_days", "sum")):
        wide = exposure.pivot(index="month", columns="area", values=column).sort_index()
        cums = np.vstack([np.zeros(wide.shape[1]), wide.to_numpy().cumsum(axis=0)])
        col = wide.columns.get_indexer(area)
        total = cums[position, col] - cums[position - window, col]
        out[column] = total / window if reduce == "mean" else total
    return out["pm25"], out["heat_days"]


def participants(config: StudyConfig, exposure: pd.DataFrame, rng: np.random.Generator):
    """One visit per participant: district, phenotype, visit date, PHQ-9 and GAD-7."""
    areas = saxon_districts().set_index("area")
    n = config.n_participants
    area = rng.choice(areas.index.to_numpy(), size=n, p=areas["weight"].to_numpy())
    urban = areas.loc[area, "urban"].to_numpy()
    # Confounding: districts with higher PM2.5 have more low-SES residents.
    pm_level = exposure.groupby("area")["pm25"].mean()
    ses_shift = -0.6 * ((pm_level - pm_level.mean()) / pm_level.std()).loc[area].to_numpy()
    ses = pd.cut(rng.normal(ses_shift, 1.0), [-np.inf, -0.43, 0.43, np.inf],
                 labels=["low", "mid", "high"])  # fmt: skip
    smoking = rng.random(n) < np.select([ses == "low", ses == "mid"], [0.35, 0.25], 0.15)
    first, last = pd.Timestamp(config.first_visit), pd.Period(config.last_visit, "M").end_time
    days = rng.integers(0, (last - first).days + 1, n)
    visit = pd.Series(first + pd.to_timedelta(days, unit="D")).dt.normalize()
    frame = pd.DataFrame({
        "participant": [f"P{i:06d}" for i in range(n)], "area": area, "urban": urban,
        "age": rng.integers(18, 81, n), "sex": rng.choice(["female", "male"], n),
        "ses": ses, "smoking": smoking.astype(int), "visit_date": visit,
    })  # fmt: skip
    return _add_scores(frame, config, exposure, rng)


def _add_scores(frame, config: StudyConfig, exposure: pd.DataFrame, rng: np.random.Generator):
    """PHQ-9 and GAD-7 from covariates, district effects, true exposures and noise."""
    n = len(frame)
    pm25, heat = window_exposure(
        exposure, frame["area"].to_numpy(), frame["visit_date"], config.window_months
    )
    district = dict(zip(saxon_districts()["area"], rng.normal(0, 0.5, 13), strict=True))
    shared = rng.normal(0, 3.0, n)  # shared mood noise correlates the two scores
    base = (
        1.0 * (frame["sex"] == "female")
        + frame["ses"].map({"low": 1.5, "mid": 0.5, "high": 0.0}).astype(float)
        + 1.0 * frame["smoking"]
        + 0.8 * frame["urban"]
        - 0.02 * (frame["age"] - 50)
        + frame["area"].map(district)
    )
    phq = 5.5 + base + config.beta_pm25 * pm25 / 10 + shared + rng.normal(0, 2.0, n)
    gad = 4.5 + 0.7 * base + config.beta_heat_gad7 * heat / 10 + 0.6 * shared
    gad = gad + rng.normal(0, 2.0, n)
    frame["phq9"] = np.clip(np.round(phq), 0, 27).astype(int)
    frame["gad7"] = np.clip(np.round(gad), 0, 21).astype(int)
    return frame


def generate(config: StudyConfig | None = None, **overrides) -> SyntheticStudy:
    """A synthetic study: `generate(n_participants=500, beta_pm25=0.0, seed=1)`."""
    config = config or StudyConfig(**overrides)
    rng = np.random.default_rng(config.seed)
    exposure = exposure_series(config, rng)
    return SyntheticStudy(participants(config, exposure, rng), exposure, config)
