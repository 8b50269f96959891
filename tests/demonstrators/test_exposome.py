"""Exposome x cohort: linkage windows, the generator, and recovery of the built-in effects.

Tolerance for recovery: at n = 20,000 the mixed model's standard error for the PM2.5 effect
is about 0.14 PHQ-9 points per 10 µg/m³ (40 seeds at n = 5,000 gave an SD of 0.26 and a mean
of 0.95 for a true 1.0: clipping PHQ-9 at 0 attenuates by about 5%). So 0.4 is about
3 SE, room for the 0.05 attenuation, and still rules out the crude estimate (> 2).
"""

import numpy as np
import pandas as pd
import pytest

from kimed_demos.exposome import generate, linkage, models, report
from kimed_demos.exposome.areas import saxon_districts

RECOVERY_N = 20_000
TOLERANCE = 0.4


def toy_exposure(months: int = 24) -> pd.DataFrame:
    """Two districts whose PM2.5 equals the month index (0, 1, 2, ...), heat days 1 a month."""
    index = pd.date_range("2020-01-01", periods=months, freq="MS")
    frames = []
    for area in ("A", "B"):
        frame = pd.DataFrame({"area": area, "month": index, "pm25": np.arange(months, dtype=float)})
        frames.append(frame.assign(no2=1.0, temperature=10.0, heat_days=1, green_share=0.5))
    return pd.concat(frames, ignore_index=True)


def test_window_covers_the_full_months_before_the_visit_month():
    visits = pd.DataFrame({
        "participant": ["p1", "p2", "p3"], "area": ["A", "B", "A"],
        "visit_date": pd.to_datetime(["2021-01-15", "2021-06-30", "2020-06-01"]),
    })  # fmt: skip
    linked = linkage.link(visits, toy_exposure(), window=12)
    by_id = linked.data.set_index("participant")
    assert by_id.loc["p1", "pm25_12m"] == pytest.approx(np.mean(range(12)))  # Jan-Dec 2020
    assert by_id.loc["p2", "pm25_12m"] == pytest.approx(np.mean(range(5, 17)))
    assert by_id.loc["p1", "heat_days_12m"] == 12
    assert linked.excluded == 1 and "p3" not in by_id.index  # only 5 months before June 2020


def test_gaps_in_the_exposure_series_are_refused():
    exposure = toy_exposure().drop(index=[5])
    with pytest.raises(ValueError, match="without gaps"):
        linkage.window_exposures(exposure, 12)


def test_generator_is_reproducible_and_in_range():
    first, second = (
        generate.generate(n_participants=300, seed=7),
        generate.generate(n_participants=300, seed=7),
    )
    pd.testing.assert_frame_equal(first.participants, second.participants)
    people = first.participants
    assert set(people["area"]) <= set(saxon_districts()["area"])
    assert people["phq9"].between(0, 27).all() and people["gad7"].between(0, 21).all()
    assert first.exposure["area"].nunique() == 13
    assert linkage.link(people, first.exposure).excluded == 0  # series start a window early


@pytest.mark.parametrize(
    "overrides", [{"n_participants": 10}, {"window_months": 0}, {"first_visit": "2025-01"}]
)
def test_generator_rejects_bad_settings(overrides):
    with pytest.raises(ValueError):
        generate.StudyConfig(**overrides)


def linked_study(beta_pm25: float, seed: int = 0) -> pd.DataFrame:
    study = generate.generate(n_participants=RECOVERY_N, beta_pm25=beta_pm25, seed=seed)
    return report.with_screen(linkage.link(study.participants, study.exposure).data)


def test_mixed_model_recovers_the_known_effects():
    data = linked_study(beta_pm25=1.0)
    pm = models.fit_mixed(data, "phq9", "pm25_12m")
    assert pm.converged
    assert pm.covers(1.0) and abs(pm.estimate - 1.0) < TOLERANCE, pm
    heat = models.fit_mixed(data, "gad7", "heat_days_12m")
    assert heat.covers(0.5) and abs(heat.estimate - 0.5) < TOLERANCE, heat
    crude = models.fit_crude(data, "phq9", "pm25_12m")
    assert crude.ci_low > 1.0 + TOLERANCE  # the built-in confounding is real
    odds = models.fit_logistic(data, "depression_screen", "pm25_12m")
    assert odds.ci_low > 1.0  # harmful effect shows as OR > 1


def test_zero_effect_gives_intervals_covering_the_null():
    data = linked_study(beta_pm25=0.0)
    assert models.fit_mixed(data, "phq9", "pm25_12m").covers(0.0)
    assert models.fit_logistic(data, "depression_screen", "pm25_12m").covers(1.0)


def test_printed_tables_show_no_value_of_a_failing_cell(tmp_path):
    study = generate.generate(n_participants=500, seed=3)
    data = report.with_screen(linkage.link(study.participants, study.exposure).data)
    checks = report.descriptive_checks(data, report.disclosure.DEFAULT_POLICY)
    assert any(not c.passed for c in checks)  # 500 people over 13 districts x 3 SES
    for check in checks:
        failing = check.reasons.astype(bool).to_numpy()
        assert check.table.isna().to_numpy()[failing].all(), check.name
    path = report.save_checks(checks, tmp_path)
    saved = pd.read_csv(tmp_path / "tables" / "participants_by_district_x_ses.csv", index_col=0)
    assert saved.isna().to_numpy().sum() == checks[1].reasons.astype(bool).to_numpy().sum()
    assert "SUPPRESSED" in path.read_text()
