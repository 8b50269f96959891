"""Policy files: valid ones load, bad ones stop start-up with the field named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kimed_hub.paths import policies_dir
from kimed_hub.policies import (
    PolicyError,
    ResourceProfiles,
    SecurityProfile,
    check_all,
    load_policy,
    parse_size,
)


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    """A writable copy of the project's policies/ to break on purpose."""
    target = tmp_path / "policies"
    shutil.copytree(policies_dir(), target)
    return target


def _edit(directory: Path, change, name: str = "container-security") -> None:
    path = directory / f"{name}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_shipped_policies_are_valid():
    assert check_all() == [
        "container-security",
        "profiles",
        "roles",
        "sessions",
        "demo-accounts",
        "package-allowlist",
        "airlock",
        "training",
    ]
    profile = SecurityProfile.from_policy(load_policy("container-security"))
    assert profile.uid != 0 and profile.ceilings.memory == parse_size("64G")
    profiles = ResourceProfiles.from_policy(load_policy("profiles"))
    assert profiles.profiles[profiles.default].memory == parse_size("4G")


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (lambda d: d["ceilings"].pop("pids"), "ceilings.pids", "required"),
        (lambda d: d["ceilings"].update(memory="lots"), "ceilings.memory", "does not match"),
        (
            lambda d: d["filesystem"].update(read_only_root=False),
            "filesystem.read_only_root",
            "relaxing",
        ),
        (
            lambda d: d["privileges"].update(drop_capabilities=[]),
            "privileges.drop_capabilities",
            "must be",
        ),
        (lambda d: d["user"].update(uid=0), "user.uid", "minimum"),
        (lambda d: d["ceilings"].update(pidz=5), "ceilings.pidz", "not a known field"),
        (lambda d: d.pop("network"), "network", "required"),
    ],
)
def test_bad_field_is_named(policy_copy, change, field, reason):
    _edit(policy_copy, change)
    with pytest.raises(PolicyError) as error:
        load_policy("container-security", policy_copy)
    message = str(error.value)
    assert f"field '{field}'" in message and reason in message
    assert "will not start" in message


def test_swap_below_memory_is_refused(policy_copy):
    change = lambda d: d["profiles"]["cpu-standard"].update(memory="4G", memory_swap="2G")  # noqa: E731
    _edit(policy_copy, change, "profiles")
    with pytest.raises(PolicyError, match="profiles.cpu-standard.memory_swap"):
        check_all(policy_copy)


def test_profile_above_ceiling_is_refused(policy_copy):
    _edit(
        policy_copy,
        lambda d: d["profiles"]["gpu"].update(memory="512G", memory_swap="512G"),
        "profiles",
    )
    with pytest.raises(PolicyError, match="profiles.gpu.memory' exceeds the ceiling"):
        check_all(policy_copy)


def test_role_naming_unknown_profile_is_refused(policy_copy):
    _edit(policy_copy, lambda d: d["roles"]["trainee"].update(profiles=["huge"]), "roles")
    with pytest.raises(PolicyError, match="roles.trainee.profiles"):
        check_all(policy_copy)


def test_undeclared_custom_scope_is_refused(policy_copy):
    change = lambda d: d["roles"]["trainee"]["scopes"].append("custom:kimed:do:anything")  # noqa: E731
    _edit(policy_copy, change, "roles")
    with pytest.raises(PolicyError, match="not declared under 'custom_scopes'"):
        check_all(policy_copy)


def test_badly_named_custom_scope_is_refused(policy_copy):
    change = lambda d: d["custom_scopes"].update({"custom:Other": {"description": "x"}})  # noqa: E731
    _edit(policy_copy, change, "roles")
    with pytest.raises(PolicyError, match="custom_scopes"):
        check_all(policy_copy)


def test_role_group_outside_allowed_groups_is_refused(policy_copy):
    _edit(policy_copy, lambda d: d["roles"]["trainee"].update(groups=["guests"]), "roles")
    with pytest.raises(PolicyError, match="not in 'allowed_groups'"):
        check_all(policy_copy)


def test_missing_file_says_how_to_restore(policy_copy):
    (policy_copy / "container-security.yaml").unlink()
    with pytest.raises(PolicyError, match="missing.*git checkout"):
        load_policy("container-security", policy_copy)


def test_broken_yaml_is_reported(policy_copy):
    (policy_copy / "container-security.yaml").write_text("limits: [unclosed\n")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy("container-security", policy_copy)


def test_parse_size_uses_binary_units():
    assert parse_size("512M") == 512 * 1024**2 and parse_size("1.5G") == int(1.5 * 1024**3)
