"""The spawner's side of admission control (``spawn_queue.py``): wait for a slot, start
within a time limit that counts from admission, tell the user where they are, and time
each phase of the start.

``SpawnAdmission`` is a mixin for ``WorkbenchSpawner``: its ``start()`` calls
:meth:`SpawnAdmission.start_admitted` around the container work. Why the timeout moves:
JupyterHub 6 arms ``asyncio.wait_for(spawner.start(), spawner.start_timeout)`` when it
calls ``start()`` (user.py), so a wait in the queue would eat the start's own time. The
hub's outer ``start_timeout`` is therefore set (in :meth:`run_pre_spawn_hook`, before the
hub reads it) to the longest queue wait plus the start's limit, and the start's limit
(``admitted_start_timeout``) is enforced here from the moment of admission.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from jupyterhub.utils import maybe_future, wait_for_http_server
from traitlets import Integer
from traitlets.config import LoggingConfigurable

from .spawn_phases import PhaseClock
from .spawn_queue import SPAWN_QUEUE, Ticket, limit_for_host

#: Progress (percent) and what the spawn-pending page says in each phase.
PHASE_PROGRESS = {
    "prepare": (15, "Your turn: preparing your server (data access, image)"),
    "create": (30, "Creating your container"),
    "checks": (45, "Checking the container's security controls and closing its network"),
    "start": (60, "Starting your container"),
    "ready": (75, "Waiting for JupyterLab in your container to answer"),
}
#: How often a waiting user's estimate is refreshed even when nothing moved (seconds).
REFRESH_EVERY = 5.0


class SpawnAdmission(LoggingConfigurable):
    """Mixin: spawns wait in the hub's FIFO queue, then start under their own time limit."""

    concurrent_starts = Integer(
        0,
        config=True,
        help="""Servers that may be starting at the same time (policies/sessions.yaml
        spawns.concurrent_starts); the others wait in the order they asked. 0: one per CPU
        of the host, at least 2.""",
    )
    admitted_start_timeout = Integer(
        120,
        config=True,
        help="""Seconds a start may take once admitted from the queue (creating the
        container until the server answers). Time spent waiting in the queue never counts.""",
    )
    max_queue_wait = Integer(
        3600,
        config=True,
        help="""Seconds a spawn may wait in the queue before the hub gives up on it (a
        backstop for a stuck host, not a limit anyone should meet).""",
    )

    _ticket: Ticket | None = None
    _clock: PhaseClock | None = None

    async def run_pre_spawn_hook(self):
        """Before the hub arms its timeout: make it cover the queue wait and the start."""
        self.start_timeout = self.max_queue_wait + self.admitted_start_timeout
        self._ticket, self._clock = None, None
        return await maybe_future(super().run_pre_spawn_hook())

    async def start_admitted(self, start: Callable[[], Awaitable[Any]]) -> Any:
        """Wait for a slot, then run ``start`` (which returns ``(ip, port)``) and wait until
        the server answers HTTP, within ``admitted_start_timeout`` s; the slot is held until
        then, because the server's own start-up is most of a spawn's CPU."""
        SPAWN_QUEUE.limit = self.concurrent_starts or limit_for_host()
        self._clock = PhaseClock()
        # the ticket is kept before the wait, so progress events can show its place
        self._ticket = SPAWN_QUEUE.enter(self._spawn_holder)
        await SPAWN_QUEUE.wait(self._ticket)
        self._clock.mark("queue")
        self.log.info(
            "admitted %s to start after waiting %.1f s (%s)",
            self._spawn_holder,
            self._ticket.waited,
            SPAWN_QUEUE.snapshot(),
        )
        # The hub reports a timeout with spawner.start_timeout; make that number true.
        self.start_timeout = int(self._ticket.waited) + self.admitted_start_timeout
        try:
            return await asyncio.wait_for(self._start_and_wait(start), self.admitted_start_timeout)
        finally:
            SPAWN_QUEUE.release(self._ticket)
            self.log.info("spawn phases of %s: %s", self._spawn_holder, self._clock.summary())

    async def _start_and_wait(self, start: Callable[[], Awaitable[Any]]) -> Any:
        ip, port = await start()
        url = f"http://{ip}:{port}{self.server.base_url if self.server else '/'}"
        await wait_for_http_server(url, timeout=self.admitted_start_timeout)
        self._mark("ready")
        return ip, port

    @property
    def _spawn_holder(self) -> str:
        return f"{self.user.name}/{self.name}" if self.name else self.user.name

    def _mark(self, phase: str) -> None:
        if self._clock is not None:
            self._clock.mark(phase)
            SPAWN_QUEUE._notify()  # wake progress streams: a new phase began

    # -- phase marks around DockerSpawner's steps ------------------------------------------

    async def create_object(self):
        """DockerSpawner's create, timed (what came before it is the 'prepare' phase)."""
        self._mark("prepare")
        result = await super().create_object()
        self._mark("create")
        return result

    async def start_object(self):
        """DockerSpawner's start, timed (the checks and egress rules ran just before)."""
        self._mark("checks")
        result = await super().start_object()
        self._mark("start")
        return result

    # -- progress: the spawn-pending page and GET .../server/progress -----------------------

    async def progress(self):
        """Queue position and estimate while waiting, then the phase of the start; ends
        once the server answered (the hub then sends its own "ready" event)."""
        last = None
        while True:
            event = self.progress_event()
            if event != last:
                yield event
                last = event
            if self._clock is not None and not self._clock.next_phase(list(PHASE_PROGRESS)):
                return
            await SPAWN_QUEUE.changed(REFRESH_EVERY)

    def progress_event(self) -> dict[str, Any]:
        """The event for the spawn's current state."""
        ticket = self._ticket
        if ticket is None or self._clock is None:
            return {"progress": 5, "message": "Checking your request"}
        position = SPAWN_QUEUE.position(ticket)
        if position:
            return self._queued_event(position)
        upcoming = self._clock.next_phase(list(PHASE_PROGRESS))
        percent, message = PHASE_PROGRESS.get(upcoming, (90, "Your server answers; connecting"))
        return {"progress": percent, "message": message, "queue_position": 0}

    def _queued_event(self, position: int) -> dict[str, Any]:
        seconds = SPAWN_QUEUE.estimate(position)
        ahead = position - 1
        message = (
            f"Waiting to start: you are number {position} in the queue "
            f"({ahead} ahead of you; {SPAWN_QUEUE.limit} servers start at a time), "
            f"about {_human(seconds)}. Your place is kept; there is no need to reload."
        )
        return {
            "progress": 10,
            "message": message,
            "queue_position": position,
            "queue_estimate_seconds": round(seconds),
            "queue_waited_seconds": round(time.monotonic() - self._ticket.enqueued),
        }


def _human(seconds: float) -> str:
    if seconds < 60:
        return f"{max(5, round(seconds / 5) * 5)} s"
    return f"{round(seconds / 60)} min"
