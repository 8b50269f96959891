"""Session and server lifetime (``policies/sessions.yaml``): culling, limits, admission of
spawns, refresh."""

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
    #: Servers starting at once; 0 means one per CPU (spawn_queue.limit_for_host).
    concurrent_starts: int = 0
    max_pending: int = 200
    start_timeout: int = 120
    max_queue_wait: int = 3600

    @classmethod
    def from_policy(cls, data: dict[str, Any]) -> SessionsPolicy:
        culler, servers, spawns = data["idle_culler"], data["servers"], data["spawns"]
        concurrent = spawns["concurrent_starts"]
        return cls(
            idle_timeout=culler["timeout"],
            cull_every=culler["every"],
            max_age=culler["max_age"],
            named_servers=servers["named_servers"],
            max_running_per_user=servers["max_running_per_user"],
            refresh_age=data["identity"]["refresh_age"],
            local_login=LoginThrottlePolicy(**data["local_login"]),
            concurrent_starts=0 if concurrent == "auto" else concurrent,
            max_pending=spawns["max_pending"],
            start_timeout=spawns["start_timeout"],
            max_queue_wait=spawns["max_queue_wait"],
        )


def sessions_policy(directory: Path | None = None) -> SessionsPolicy:
    """The current sessions policy (re-read when the file changes)."""
    return cached_policy("sessions", directory, SessionsPolicy.from_policy)
