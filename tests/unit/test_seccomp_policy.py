"""The seccomp profile (policies/seccomp.json): schema-valid, and never below the floor
the project sets (user namespaces, mounts, keyring, bpf, ptrace, io_uring ... stay denied;
clone only without namespace flags; clone3 fails with ENOSYS)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kimed_hub.container_expectations import seccomp_file, seccomp_option
from kimed_hub.paths import policies_dir
from kimed_hub.policies import PolicyError, check_all, load_policy, seccomp_profile
from kimed_hub.policies.seccomp import NEVER_ALLOWED, canonical_text


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(policies_dir(), target)
    return target


def _edit(directory: Path, change) -> None:
    path = directory / "seccomp.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def _clone3_rule(data) -> int:
    return next(i for i, r in enumerate(data["syscalls"]) if "clone3" in r["names"])


def _allow(names: list[str], **rule):
    return lambda d: d["syscalls"].append(
        {"names": names, "action": "SCMP_ACT_ALLOW", "comment": "test", **rule}
    )


def test_shipped_profile_denies_the_floor_and_allows_what_kernels_need():
    profile = seccomp_profile()
    assert not profile.allowed & NEVER_ALLOWED
    for needed in ("clone", "execve", "futex", "mmap", "socket", "shmget", "memfd_create"):
        assert needed in profile.allowed
    assert "clone3" not in profile.allowed and "unshare" not in profile.allowed


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        (_allow(["unshare"]), "allows ['unshare']"),
        (_allow(["ptrace", "read"]), "allows ['ptrace']"),
        (_allow(["io_uring_setup"]), "io_uring_setup"),
        (_allow(["keyctl"]), "keyctl"),
        (_allow(["bpf"]), "bpf"),
        (_allow(["mount"]), "mount"),
        (_allow(["clone3"]), "clone3 is allowed"),
        (_allow(["clone"]), "clone is allowed without the argument rule"),
        (
            _allow(["clone"], args=[{"index": 0, "value": 0x20000, "op": "SCMP_CMP_MASKED_EQ"}]),
            "clone is allowed without",
        ),
        (lambda d: d["syscalls"].pop(_clone3_rule(d)), "ENOSYS"),
    ],
)
def test_profile_below_the_floor_is_refused(policy_copy, change, phrase):
    _edit(policy_copy, change)
    with pytest.raises(PolicyError, match="seccomp.json") as error:
        check_all(policy_copy)
    assert phrase in str(error.value)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(defaultAction="SCMP_ACT_ALLOW"), "defaultAction"),
        (lambda d: d["syscalls"][0].update(action="SCMP_ACT_LOG"), "syscalls.0.action"),
        (
            lambda d: d["syscalls"][0].update(includes={"caps": ["CAP_SYS_ADMIN"]}),
            "syscalls.0.includes",
        ),
        (lambda d: d["syscalls"][0].pop("comment"), "syscalls.0.comment"),
        (lambda d: d["syscalls"][0].update(names=["Not A Name"]), "syscalls.0.names.0"),
    ],
)
def test_schema_refuses_a_malformed_profile(policy_copy, change, field):
    _edit(policy_copy, change)
    with pytest.raises(PolicyError, match=f"field '{field}"):
        load_policy("seccomp", policy_copy)


def test_hash_ignores_formatting_and_option_per_runtime(tmp_path):
    profile = seccomp_profile()
    data = json.loads((policies_dir() / "seccomp.json").read_text())
    assert canonical_text(json.loads(json.dumps(data, indent=7))) == profile.text
    path = seccomp_file(profile, tmp_path)
    assert path.name == profile.file_name and path.read_text() == profile.text
    path.chmod(0o644)
    path.write_text("{}")  # a tampered copy is replaced, never used
    assert seccomp_file(profile, tmp_path).read_text() == profile.text
    assert seccomp_option("podman", profile, str(path)) == f"seccomp={path}"
    assert json.loads(seccomp_option("docker", profile, "").removeprefix("seccomp=")) == data
