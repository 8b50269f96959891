"""Throttling of the local accounts' password login: a growing delay, then a lock-out.

Per username (the one typed, normalised), with the values of ``policies/sessions.yaml``
(``local_login``): after ``free_failures`` failed logins in a row each further failure
makes the next attempt wait ``delay_seconds``, doubling up to ``max_delay_seconds``; an
attempt before that is refused without looking at the password (so parallel guesses gain
nothing). After ``lockout_after`` failures in a row the account is locked for
``lockout_seconds``: every login is refused, the right password included, with a page
that says until when. A success clears the count; a count with no failure for
``forget_after`` seconds starts again. Other usernames are never affected.

The state lives in the hub process's memory: a hub restart clears it (documented in
docs/operators.md; an operator can restart the hub to unlock an account early). Every
refusal and every lock is a warning in the hub log (the hub does not write the portal's
audit log: it holds only read rights on the portal database). OIDC logins are not
throttled here; the identity provider does that.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from .policies.sessions import LoginThrottlePolicy

#: Usernames tracked at most (oldest dropped first): guessing random names cannot grow
#: the hub's memory without bound.
MAX_TRACKED = 10_000


class LoginRefused(Exception):
    """A login refused before the password was checked; ``message`` is for the person."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


@dataclass
class _Record:
    failures: int = 0
    last_failure: float = 0.0
    not_before: float = 0.0  # no attempt before this (the delay)
    locked_until: float = 0.0


class LoginThrottle:
    """Failed-login counts per username and what they mean for the next attempt."""

    def __init__(self, policy: LoginThrottlePolicy, clock: Callable[[], float] = time.time):
        self.policy, self.clock = policy, clock
        self._records: dict[str, _Record] = {}

    def check(self, username: str) -> None:
        """Raise :class:`LoginRefused` when ``username`` may not try now."""
        record, now = self._current(username), self.clock()
        if record is None:
            return
        if record.locked_until > now:
            until = datetime.fromtimestamp(record.locked_until, UTC).strftime("%H:%M:%S UTC")
            raise LoginRefused(
                f"The account {username!r} is locked after {record.failures} failed logins "
                f"in a row. Try again after {until} (in {record.locked_until - now:.0f} s), "
                "or ask the workbench's administrator.",
                record.locked_until - now,
            )
        if record.not_before > now:
            wait = record.not_before - now
            raise LoginRefused(
                f"Too many failed logins for {username!r}: wait {wait:.0f} s before the next try.",
                wait,
            )

    def failed(self, username: str) -> float:
        """Count a failed login; return the delay now imposed (0: none). Locks the
        account when the count reaches ``lockout_after``."""
        policy, now = self.policy, self.clock()
        record = self._current(username) or _Record()
        record.failures += 1
        record.last_failure = now
        counted = record.failures - policy.free_failures
        delay = 0.0
        if counted > 0:
            delay = min(policy.delay_seconds * 2 ** (counted - 1), policy.max_delay_seconds)
            record.not_before = now + delay
        if record.failures >= policy.lockout_after:
            record.locked_until = now + policy.lockout_seconds
        self._records.pop(username, None)
        self._records[username] = record  # newest last: the oldest go first when full
        while len(self._records) > MAX_TRACKED:
            self._records.pop(next(iter(self._records)))
        return delay

    def locked(self, username: str) -> bool:
        """Whether ``username`` is locked now."""
        record = self._current(username)
        return record is not None and record.locked_until > self.clock()

    def succeeded(self, username: str) -> None:
        """A successful login clears the count."""
        self._records.pop(username, None)

    def _current(self, username: str) -> _Record | None:
        record = self._records.get(username)
        if record is None:
            return None
        now = self.clock()
        idle = now - record.last_failure
        if record.locked_until <= now and idle >= self.policy.forget_after:
            del self._records[username]
            return None
        if record.locked_until and record.locked_until <= now:
            # A lock that ran out starts a fresh count.
            self._records[username] = record = _Record(last_failure=record.last_failure)
        return record
