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
    resource_profiles,
    security_profile,
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
        "seccomp",
        "airlock",
        "workspace-exits",
        "training",
        "synthesis",
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


def test_every_field_of_the_security_profile_is_used():
    """Each field of container-security.yaml reaches the SecurityProfile object (and from
    there the container, its expectation or the firewall): none is parsed and dropped."""
    profile = security_profile()
    assert profile.image_repositories == {
        "cpu": "localhost/kimed-singleuser",
        "gpu": "localhost/kimed-singleuser-gpu",
    }
    assert profile.allowed_peers == ("hub_api", "proxy") and profile.allow_ipv6 is False
    assert profile.network_modes == ("slirp4netns", "internal-bridge")
    assert profile.seccomp_profile == "seccomp.json" and profile.tmpfs["/tmp"] == parse_size("1G")


def test_policies_are_rechecked_as_a_whole_when_a_file_changes(policy_copy):
    """A profile raised above the ceiling after start-up is refused at the next read (the
    next spawn), not used; fixing the file makes the set usable again."""
    assert resource_profiles(policy_copy).profiles["gpu"].memory == parse_size("32G")
    original = (policy_copy / "profiles.yaml").read_text()
    _edit(
        policy_copy,
        lambda d: d["profiles"]["gpu"].update(memory="512G", memory_swap="512G"),
        "profiles",
    )
    with pytest.raises(PolicyError, match="profiles.gpu.memory' exceeds the ceiling"):
        resource_profiles(policy_copy)
    with pytest.raises(PolicyError, match="exceeds the ceiling"):
        security_profile(policy_copy)  # the whole set is refused, not only profiles.yaml
    (policy_copy / "profiles.yaml").write_text(original)
    assert resource_profiles(policy_copy).profiles["gpu"].memory == parse_size("32G")


def test_profile_with_an_image_variant_the_policy_does_not_name_is_refused(policy_copy):
    _edit(policy_copy, lambda d: d["image"]["repositories"].pop("gpu"))
    with pytest.raises(PolicyError, match="image_variant' is 'gpu'"):
        check_all(policy_copy)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["image"].update(tag="latest"), "image.tag"),
        (lambda d: d["namespaces"].update(own=["pid"]), "namespaces.own"),
        (lambda d: d["sysctls"].update({"kernel.shm_rmid_forced": "0"}), "sysctls"),
        (lambda d: d["privileges"].update(seccomp_profile="none.json"), "seccomp_profile"),
        (lambda d: d["network"]["publish"].update(host_ip="0.0.0.0"), "network.publish.host_ip"),
        (lambda d: d["network"].update(modes=["host"]), "network.modes"),
    ],
)
def test_relaxed_security_field_is_refused(policy_copy, change, field):
    _edit(policy_copy, change)
    with pytest.raises(PolicyError, match=field.replace(".", r"\.")):
        load_policy("container-security", policy_copy)
