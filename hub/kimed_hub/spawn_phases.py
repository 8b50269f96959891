"""Wall time and CPU time of each phase of a spawn (queue, prepare, create, checks, start,
ready), for the hub's log and ``bench/storm.py``.

CPU is counted two ways, because a spawn's work is spread over processes the hub does not
own (podman's API service, conmon, runc, the server in the container):

* ``host_cpu``: busy CPU-seconds of the whole host (``/proc/stat``) during the phase. It
  includes everything else running at the time, so it is exact only on a quiet host; with
  concurrent spawns the phases overlap and it counts their sum.
* ``hub_cpu``: CPU-seconds of the hub process itself (its share of the phase).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

_TICKS = os.sysconf("SC_CLK_TCK")


def host_busy_seconds() -> float:
    """CPU-seconds all CPUs have spent busy since boot (everything but idle and iowait)."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    values = [int(v) for v in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    # guest time is already inside user/nice; leave those two columns out of the sum
    return (sum(values[:8]) - idle) / _TICKS


@dataclass
class Phase:
    """One finished phase."""

    name: str
    wall: float
    host_cpu: float
    hub_cpu: float


@dataclass
class PhaseClock:
    """Marks the end of each phase; a phase runs from the previous mark to its own."""

    phases: list[Phase] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._last = self._now()

    @staticmethod
    def _now() -> tuple[float, float, float]:
        return time.monotonic(), host_busy_seconds(), time.process_time()

    def mark(self, name: str) -> Phase:
        """End the phase called ``name`` now and start the next one."""
        now = self._now()
        wall, host, hub = (b - a for a, b in zip(self._last, now, strict=True))
        self._last = now
        phase = Phase(name, wall, host, hub)
        self.phases.append(phase)
        return phase

    def next_phase(self, order: list[str]) -> str:
        """The phase of ``order`` after the last one marked (the one running now); the
        first before any, "" after the last. Phases a start skips are passed over."""
        done = [p.name for p in self.phases if p.name in order]
        if not done:
            return order[0] if order else ""
        following = order.index(done[-1]) + 1
        return order[following] if following < len(order) else ""

    def summary(self) -> str:
        """One log line: ``name wall s (host cpu s, hub cpu s)`` per phase."""
        return ", ".join(
            f"{p.name} {p.wall:.2f} s (host cpu {p.host_cpu:.2f} s, hub cpu {p.hub_cpu:.2f} s)"
            for p in self.phases
        )
