"""Session and server lifetime (``policies/sessions.yaml``): culling, limits, refresh."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import cached_policy


@dataclass(frozen=True)
class LoginThrottlePolicy:
    """``local_login``: how failed local password logins slow down and lock an account."""

    free_failures: int
    delay_seconds: float
    max_delay_seconds: float
    lockout_after: int
    lockout_seconds: float
    forget_after: float


@dataclass(frozen=True)
class SessionsPolicy:
    idle_timeout: int
    cull_every: int
    max_age: int
    named_servers: bool
    max_running_per_user: int
    refresh_age: int
    local_login: LoginThrottlePolicy

    @classmethod
    def from_policy(cls, data: dict[str, Any]) -> SessionsPolicy:
        culler, servers = data["idle_culler"], data["servers"]
        return cls(
            idle_timeout=culler["timeout"],
            cull_every=culler["every"],
            max_age=culler["max_age"],
            named_servers=servers["named_servers"],
            max_running_per_user=servers["max_running_per_user"],
            refresh_age=data["identity"]["refresh_age"],
            local_login=LoginThrottlePolicy(**data["local_login"]),
        )


def sessions_policy(directory: Path | None = None) -> SessionsPolicy:
    """The current sessions policy (re-read when the file changes)."""
    return cached_policy("sessions", directory, SessionsPolicy.from_policy)
