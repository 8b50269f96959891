"""The seccomp profile of every user container (``policies/seccomp.json``).

Reviewed data in the format Docker and podman read. Besides its schema (deny by default,
an explicit allowlist, no capability- or architecture-dependent rules), the profile is
checked against the project's floor: the calls below are never allowed, whatever the
file says, and ``clone``/``clone3`` must be restricted as Docker does for containers
without CAP_SYS_ADMIN. The spawner applies the profile to every container and verifies
it at each spawn by its SHA-256 (``container_checks.check_seccomp``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import PolicyError, cached_policy

POLICY_NAME = "seccomp"

# Never allowed in a user container: namespaces (an unprivileged user namespace makes its
# creator root there and opens the kernel's namespaced attack surface), mounts, the kernel
# keyring, eBPF, performance counters, userfaultfd, io_uring, and looking into or changing
# other processes (ptrace, process_vm_*: attaching to or reading the Jupyter server).
NEVER_ALLOWED = frozenset(
    """unshare setns mount umount umount2 pivot_root chroot fsopen fsconfig fsmount fspick
    move_mount open_tree mount_setattr keyctl add_key request_key bpf perf_event_open
    userfaultfd io_uring_setup io_uring_enter io_uring_register ptrace process_vm_readv
    process_vm_writev kcmp pidfd_getfd init_module finit_module delete_module kexec_load
    kexec_file_load open_by_handle_at""".split()
)
# clone's flags that create namespaces (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID
# |NEWNET): clone is allowed only when none of them is set.
CLONE_NAMESPACE_FLAGS = 0x7E020000
ENOSYS = 38


@dataclass(frozen=True)
class SeccompProfile:
    """The validated profile: its canonical JSON text and that text's SHA-256."""

    text: str
    sha256: str
    allowed: frozenset[str]

    @classmethod
    def from_policy(cls, data: dict[str, Any]) -> SeccompProfile:
        """Build from a schema-validated profile; raise :class:`PolicyError` below the floor."""
        _check_floor(data)
        text = canonical_text(data)
        allowed = frozenset(
            name
            for rule in data["syscalls"]
            if rule["action"] == "SCMP_ACT_ALLOW"
            for name in rule["names"]
        )
        return cls(text, hashlib.sha256(text.encode()).hexdigest(), allowed)

    @property
    def file_name(self) -> str:
        """A content-addressed name for the copy podman reads (see ``seccomp_file``)."""
        return f"seccomp-{self.sha256[:32]}.json"


def canonical_text(data: Any) -> str:
    """One JSON text per profile, whatever its formatting: what the hash is taken of."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _problem(detail: str) -> PolicyError:
    return PolicyError(
        f"policy seccomp.json: {detail}. The project never allows this in a user "
        "container; restore the file (git checkout -- policies/seccomp.json) or fix it."
    )


def _check_floor(data: dict[str, Any]) -> None:
    for rule in data["syscalls"]:
        names = set(rule["names"])
        if rule["action"] != "SCMP_ACT_ALLOW":
            continue
        if names & NEVER_ALLOWED:
            raise _problem(f"a rule allows {sorted(names & NEVER_ALLOWED)}")
        if "clone3" in names:
            raise _problem("clone3 is allowed (its flags cannot be checked; it must fail ENOSYS)")
        if "clone" in names and not _namespaces_masked(rule.get("args") or []):
            raise _problem(
                "clone is allowed without the argument rule that refuses namespace flags "
                f"(index 0, SCMP_CMP_MASKED_EQ, value {CLONE_NAMESPACE_FLAGS}, valueTwo 0)"
            )
    clone3 = [r for r in data["syscalls"] if "clone3" in r["names"]]
    if not any(r["action"] == "SCMP_ACT_ERRNO" and r.get("errnoRet") == ENOSYS for r in clone3):
        raise _problem("clone3 must have its own rule failing with ENOSYS (errnoRet 38)")


def _namespaces_masked(args: list[dict[str, Any]]) -> bool:
    return any(
        a["index"] == 0
        and a["op"] == "SCMP_CMP_MASKED_EQ"
        and a["value"] & CLONE_NAMESPACE_FLAGS == CLONE_NAMESPACE_FLAGS
        and a.get("valueTwo", 0) == 0
        for a in args
    )


def seccomp_profile(directory: Path | None = None) -> SeccompProfile:
    """The current profile (re-read, with the whole policy set, when a file changes)."""
    return cached_policy(POLICY_NAME, directory, SeccompProfile.from_policy)
