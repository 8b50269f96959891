"""Admission control for spawns: at most ``limit`` servers start at once, the rest wait in
the order they asked (first come, first served).

Why: a workshop where 40 people press "Start" together made the hub start 40 containers
at once; the host saturated and 35 spawns hit their timeout (issue 17). Starting a few at
a time finishes every spawn sooner, and nobody's wait counts against their timeout.

One :data:`SPAWN_QUEUE` per hub process, shared by every spawner (like the host-port
pool); a queued spawn lives only as long as the hub process, as JupyterHub's own pending
spawns do, so nothing here needs to survive a restart. Every spawn passes through it,
whoever asked: a user's button, the REST API (``POST /hub/api/users/{name}/server``) or a
workshop's pre-start, so pre-starting 40 servers is simply 40 API calls.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections import deque
from dataclasses import dataclass, field

#: Seconds assumed per start until the first one has been measured (one start on an idle
#: 2-core host took about 2-3 s; a busy one several times that).
FIRST_GUESS_SECONDS = 10.0


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, which containers and cgroups set)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def limit_for_host(cpus: int | None = None) -> int:
    """The default number of concurrent starts: one per CPU, at least 2 (a start spends
    part of its time waiting on podman and the network, so 2 keep even one CPU busy)."""
    return max(2, cpus if cpus is not None else cpu_count())


def _loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


@dataclass(eq=False)
class Ticket:
    """One spawn's place: waiting until ``admitted`` is done, then holding a slot."""

    holder: str
    enqueued: float = field(default_factory=time.monotonic)
    admitted_at: float | None = None
    admitted: asyncio.Future = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def waited(self) -> float:
        """Seconds spent waiting for a slot (so far, if still waiting)."""
        return (self.admitted_at or time.monotonic()) - self.enqueued


class SpawnQueue:
    """A FIFO of waiting spawns in front of ``limit`` slots."""

    def __init__(self, limit: int | None = None, history: int = 20) -> None:
        self.limit = limit or limit_for_host()
        self._waiting: deque[Ticket] = deque()
        self._active: list[Ticket] = []
        self._durations: deque[float] = deque(maxlen=history)
        self._changed: asyncio.Event | None = None

    # -- admission --------------------------------------------------------------------------

    def enter(self, holder: str) -> Ticket:
        """Take a place at the end of the line (admitted at once if a slot is free)."""
        ticket = Ticket(holder)
        self._waiting.append(ticket)
        self._dispatch()
        return ticket

    async def wait(self, ticket: Ticket) -> Ticket:
        """Wait, without a time limit of its own, until ``ticket`` is admitted; the caller
        must :meth:`release` it. Cancelling the wait leaves the queue cleanly."""
        try:
            await asyncio.shield(ticket.admitted)
        except asyncio.CancelledError:
            self.release(ticket)  # admitted in the meantime or not: its place is given up
            raise
        return ticket

    async def admit(self, holder: str) -> Ticket:
        """:meth:`enter` and :meth:`wait` in one."""
        return await self.wait(self.enter(holder))

    def release(self, ticket: Ticket) -> None:
        """Free ``ticket``'s slot (or its place in the line) and admit the next in line."""
        if ticket in self._active:
            self._active.remove(ticket)
            self._durations.append(time.monotonic() - (ticket.admitted_at or ticket.enqueued))
        elif ticket in self._waiting:
            self._waiting.remove(ticket)
        self._dispatch()

    def _dispatch(self) -> None:
        while self._waiting and len(self._active) < self.limit:
            ticket = self._waiting.popleft()
            ticket.admitted_at = time.monotonic()
            self._active.append(ticket)
            if not ticket.admitted.done():
                ticket.admitted.set_result(True)
        self._notify()

    # -- what people are told ----------------------------------------------------------------

    def position(self, ticket: Ticket) -> int:
        """1 for the next in line, 2 for the one after, ...; 0 once admitted (or gone)."""
        try:
            return self._waiting.index(ticket) + 1
        except ValueError:
            return 0

    def seconds_per_start(self) -> float:
        """Mean time a recent start held its slot (a first guess before any finished)."""
        if not self._durations:
            return FIRST_GUESS_SECONDS
        return sum(self._durations) / len(self._durations)

    def estimate(self, position: int) -> float:
        """Seconds until the spawn at ``position`` is admitted: the starts in front of it
        go through ``limit`` at a time, each taking about :meth:`seconds_per_start`."""
        if position <= 0:
            return 0.0
        return math.ceil(position / self.limit) * self.seconds_per_start()

    def snapshot(self) -> dict:
        """The queue as JSON-ready data (for operators, benchmarks and tests)."""
        return {
            "limit": self.limit,
            "starting": [t.holder for t in self._active],
            "waiting": [t.holder for t in self._waiting],
            "seconds_per_start": round(self.seconds_per_start(), 2),
        }

    # -- change notification (progress events wait on it) ------------------------------------

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def changed(self, timeout: float) -> None:
        """Return when the queue next changes, or after ``timeout`` seconds. A
        cancellation always propagates: ``asyncio.timeout``, not Python 3.11's
        ``wait_for``, which can swallow a cancellation that meets its own timeout (a
        progress stream then never ended: seen in a storm of 50)."""
        if self._changed is None:
            self._changed = asyncio.Event()
        try:
            async with asyncio.timeout(timeout):
                await self._changed.wait()
        except TimeoutError:
            pass


#: The hub process's queue; its limit is set from policy by the spawner (SpawnAdmission).
SPAWN_QUEUE = SpawnQueue()
