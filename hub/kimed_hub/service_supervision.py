"""Managed services (portal, package index, idle culler) end with the hub and end promptly.

Two failures seen before (issue 17), and the one fix for both: every managed service runs
through this small launcher, ``python -m kimed_hub.service_supervision --hub-pid PID
MODULE ARGS...``, which

* asks the kernel to send it SIGTERM when its parent (the hub) dies
  (``prctl(PR_SET_PDEATHSIG)``): after ``kill -9`` of the hub, or any crash, the old
  services end by themselves, so a restarted hub never runs beside a second portal on the
  same database or a second culler. Chosen over a pid file (which cannot tell a reused pid
  from the old service, and only acts when the hub starts again) and over services
  polling the hub's API (which takes a poll interval and mistakes a slow hub for a dead
  one); the kernel's signal comes at once and cannot be missed. If the hub died before the
  launcher could ask, the parent pid is no longer the hub's and the launcher exits.
* ends at once on SIGINT and SIGTERM, whatever the service does: both get the kernel's
  default action (terminate), so no Python code has to run first. Before, a hub started
  with SIGINT ignored (a background job of a script) passed "ignore" on to its services,
  JupyterHub waited 10 s for each to react to SIGINT, 5 s more after SIGTERM, and Ctrl-C
  took 94 s.

Services keep no state of their own that an abrupt exit could lose: the portal writes to
its database in transactions (SQLite or PostgreSQL roll back what was not committed), and
the package index and the culler only read.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import runpy
import signal
import sys

_PR_SET_PDEATHSIG = 1


def supervised(command: list[str], hub_pid: int | None = None) -> list[str]:
    """``[python, -m, module, args...]`` rewritten to run through this launcher, for the
    hub process ``hub_pid`` (default: this process, since the hub's config runs in it)."""
    if command[1:2] != ["-m"]:
        raise ValueError(f"a managed service must be a Python module (-m): {command}")
    pid = os.getpid() if hub_pid is None else hub_pid
    return [command[0], "-m", __name__, "--hub-pid", str(pid), *command[2:]]


def die_with_parent(expected_parent: int) -> None:
    """SIGTERM to this process when its parent ends; exit now if it already has."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != expected_parent:  # the hub died before the line above
        sys.exit(0)


def stop_promptly() -> None:
    """SIGINT and SIGTERM end the process at once, by the kernel's default action.

    Not a Python handler: one runs only when the main thread gets back to Python code,
    which on a busy host took more than 2 s (a handler with a watchdog timer was tried
    first). An inherited "ignore" for SIGINT is undone here as well."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def main(argv: list[str] | None = None) -> None:
    """Run MODULE (as ``python -m MODULE ARGS``) under the hub's supervision."""
    parser = argparse.ArgumentParser(prog="kimed_hub.service_supervision", description=__doc__)
    parser.add_argument("--hub-pid", type=int, required=True, help="the hub's process id")
    parser.add_argument("module", help="the service's Python module")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    options = parser.parse_args(argv)
    die_with_parent(options.hub_pid)
    stop_promptly()
    sys.argv = [options.module, *options.args]
    runpy.run_module(options.module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
