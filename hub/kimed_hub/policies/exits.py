"""The closed exits of the user's server (``policies/workspace-exits.yaml``), hub side.

The file is read inside each user's server by ``kimed_exits`` (extensions/kimed_exits/),
which the image carries; the hub validates the same file at start-up and in ``kimed
policy check`` with its own loader, so a broken exits policy is reported before any image
is built. The policy's meaning lives in one place, ``kimed_exits.policy.ExitsPolicy``.
"""

from __future__ import annotations

from pathlib import Path

from kimed_exits.policy import ExitsPolicy, ExitsPolicyError

from .loader import PolicyError, cached_policy

POLICY_NAME = "workspace-exits"


def _build(data: dict) -> ExitsPolicy:
    try:
        return ExitsPolicy.from_data(data, f"{POLICY_NAME}.yaml")
    except ExitsPolicyError as exc:  # one error type for every policy on the hub
        raise PolicyError(str(exc)) from exc


def workspace_exits_policy(directory: Path | None = None) -> ExitsPolicy:
    """The current exits policy (re-read when the file changes)."""
    return cached_policy(POLICY_NAME, directory, _build)
