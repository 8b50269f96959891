"""policies/airlock.yaml: the shipped file loads; what would weaken the airlock is refused
at load (fail closed); overrides only ever make a rule stricter."""

from __future__ import annotations

import shutil

import pytest
import yaml

from kimed_hub.paths import policies_dir
from kimed_hub.policies import PolicyError, airlock_policy, load_policy
from kimed_hub.policies.airlock import AirlockPolicy


@pytest.fixture
def policy_copy(tmp_path):
    target = tmp_path / "policies"
    shutil.copytree(policies_dir(), target)
    return target


def _edit(directory, change) -> None:
    path = directory / "airlock.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_shipped_policy_loads():
    policy = airlock_policy()
    assert policy.reviews_required == 2
    assert policy.file_type("Results/T1.CSV").kind == "table"
    assert policy.file_type("plot.png").manual_review
    assert policy.file_type("run.sh") is None and policy.file_type("noext") is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(reviews_required=1), "reviews_required"),
        (lambda d: d["file_types"]["png"].update(manual_review=False), "file_types.png"),
        (lambda d: d["file_types"]["csv"].update(content="application/x-sh"), "content"),
        (lambda d: d["disclosure"]["default"].pop("threshold"), "threshold"),
        (lambda d: d["request"].update(max_total_size="lots"), "max_total_size"),
        (lambda d: d.pop("rerun"), "rerun"),
    ],
    ids=["one-review", "figure-without-review", "unknown-content", "no-threshold", "size", "rerun"],
)
def test_weakening_or_broken_policy_is_refused(policy_copy, change, field):
    _edit(policy_copy, change)
    with pytest.raises(PolicyError, match="will not start") as error:
        load_policy("airlock", policy_copy)
    assert field in str(error.value)


def test_overrides_only_tighten():
    data = yaml.safe_load((policies_dir() / "airlock.yaml").read_text())
    data["disclosure"]["datasets"] = {
        "loose": {"threshold": 3, "nk_k": 0.99},
        "tight": {"threshold": 30},
    }
    policy = AirlockPolicy.from_policy(data)
    assert policy.thresholds(datasets=["loose"]).threshold == 10
    assert policy.thresholds(datasets=["loose"]).nk_k == 0.90
    assert policy.thresholds(["pseudonymised-record-level"], ["tight"]).threshold == 30
