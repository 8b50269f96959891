"""The jobs section of ``policies/synthesis.yaml``: read as the service needs it, and
failing closed (the whole policy set refuses to load) when it is incomplete or names a
method the reviewed schema does not allow, such as the test-only planted leak."""

from __future__ import annotations

import shutil

import pytest
import yaml

from kimed_hub.paths import policies_dir
from kimed_hub.policies import PolicyError, check_all, synthesis_policy


@pytest.fixture
def policies(tmp_path):
    folder = tmp_path / "policies"
    shutil.copytree(policies_dir(), folder)
    return folder


def edit(folder, change) -> None:
    path = folder / "synthesis.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_the_shipped_policy_gives_methods_kernels_and_limits():
    policy = synthesis_policy()
    assert policy.methods["gaussian_copula"].interpreter == "/opt/kernels/python-base/bin/python"
    assert policy.methods["tvae"].kernel == "python-imaging"
    assert "planted_leak" not in policy.methods
    assert policy.timeout >= 30 and policy.suffix.startswith("-")


def test_a_missing_limit_stops_the_set(policies):
    edit(policies, lambda data: data["jobs"].pop("timeout"))
    with pytest.raises(PolicyError, match="timeout"):
        check_all(policies)


def test_the_reviewed_schema_refuses_the_planted_leak(policies):
    leak = {"kernel": "python-base", "min_rows": 50, "label_en": "x", "label_de": "x"}
    edit(policies, lambda data: data["methods"].update(planted_leak=leak))
    with pytest.raises(PolicyError, match="planted_leak"):
        check_all(policies)
