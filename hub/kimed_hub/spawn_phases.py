"""Wall time and CPU time of each phase of a spawn (queue, prepare, create, checks, start,
ready), for the hub's log and ``bench/storm.py``.

A spawn's work is spread over processes the hub does not own, so CPU is counted for the
workbench's own processes, not the host (which other people's work shares):

* ``runtime_cpu``: CPU-seconds of the container runtime's API service (podman's
  ``system service`` or ``dockerd``), including the helpers it ran and reaped (runc);
* ``hub_cpu``: CPU-seconds of the hub process itself.

With concurrent spawns the phases overlap and the runtime's CPU in a phase is shared by
all of them; per-spawn figures come from a spawn on its own. The server's own start-up in
the container is counted by the container's cgroup (:func:`container_cpu_seconds`, used
by the benchmark). conmon (one small monitor per container) is not counted.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_RUNTIME_NAMES = (("podman", "system", "service"), ("dockerd",))
_runtime_pid: int | None = None


def process_cpu_seconds(pid: int, children: bool = True) -> float:
    """utime + stime of ``pid`` (and of its reaped children); 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / _TICKS


def runtime_pid() -> int | None:
    """The container runtime's API service process (found once, again if it went away)."""
    global _runtime_pid  # a cache of a fact about the host, not state  # noqa: PLW0603
    if _runtime_pid and Path(f"/proc/{_runtime_pid}").exists():
        return _runtime_pid
    _runtime_pid = None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = [os.path.basename(a) for a in (proc / "cmdline").read_bytes().split(b"\0")]
        except OSError:
            continue
        words = [a.decode(errors="replace") for a in argv]
        if any(all(n in words for n in names) for names in _RUNTIME_NAMES):
            _runtime_pid = int(proc.name)
            break
    return _runtime_pid


def container_cpu_seconds(pid: int) -> float | None:
    """CPU-seconds used so far by the container whose main process is ``pid`` (its cgroup:
    v1 ``cpuacct.usage`` or v2 ``cpu.stat``); None if it cannot be read."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "cpuacct" in controllers.split(","):
            usage = Path(f"/sys/fs/cgroup/cpuacct{path}/cpuacct.usage")
            return int(usage.read_text()) / 1e9 if usage.exists() else None
        if controllers == "":
            stat = Path(f"/sys/fs/cgroup{path}/cpu.stat")
            if stat.exists():
                usec = dict(x.split() for x in stat.read_text().splitlines())["usage_usec"]
                return int(usec) / 1e6
    return None


@dataclass
class Phase:
    """One finished phase."""

    name: str
    wall: float
    runtime_cpu: float
    hub_cpu: float


@dataclass
class PhaseClock:
    """Marks the end of each phase; a phase runs from the previous mark to its own."""

    phases: list[Phase] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._last = self._now()

    @staticmethod
    def _now() -> tuple[float, float, float]:
        runtime = runtime_pid()
        runtime_cpu = process_cpu_seconds(runtime) if runtime else 0.0
        return time.monotonic(), runtime_cpu, time.process_time()

    def mark(self, name: str) -> Phase:
        """End the phase called ``name`` now and start the next one."""
        now = self._now()
        wall, runtime, hub = (b - a for a, b in zip(self._last, now, strict=True))
        self._last = now
        phase = Phase(name, wall, runtime, hub)
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
        """One log line: ``name wall s (runtime cpu s, hub cpu s)`` per phase."""
        return ", ".join(
            f"{p.name} {p.wall:.2f} s (runtime cpu {p.runtime_cpu:.2f} s, "
            f"hub cpu {p.hub_cpu:.2f} s)"
            for p in self.phases
        )
