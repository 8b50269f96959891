"""One CPU-time budget per letter instead of a timeout on every regex call (issue 11).

presidio runs every pattern with the ``regex`` module's ``timeout`` (60 s), a guard
against a pattern that backtracks without end. The module then matches more slowly (it
keeps track of the time while it matches), whatever the timeout's value: 0.4-0.9 of
the 3.7 ms that the patterns take per ``bench/deid.py`` letter (one process,
alternating). :func:`letter_budget` keeps a guard at almost no cost: one
virtual-time timer (``SIGVTALRM``) for a whole letter's patterns, whose handler raises
:class:`BudgetExceeded` (the ``regex`` module checks for signals while it matches, so
a runaway pattern is interrupted). The caller then scans that letter again with the
per-call timeout, exactly as before; so every letter gets what it got before, the
slow ones later.

Signals only reach Python's main thread, and the timer is the process's: where this
code does not run in the main thread, or something else uses ``SIGVTALRM`` or its
timer, no budget is armed and the caller keeps the per-call timeout.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class BudgetExceeded(BaseException):  # noqa: N818 - not an error: a signal to redo
    """A letter's scan ran past its CPU budget (a BaseException, so no ``except
    Exception`` in a validator swallows it)."""


#: Whether the handler may raise: cleared first when a block ends, so a signal that
#: arrives while the timer is being disarmed does nothing.
_ARMED = [False]


def _raise(signum, frame) -> None:
    """The timer's handler: interrupt the scan (only while a budget is armed)."""
    if _ARMED[0]:
        raise BudgetExceeded


def _free() -> bool:
    """True if this thread may use the virtual timer: the main thread, and neither the
    timer nor a handler for its signal in use by anything else."""
    return (
        hasattr(signal, "SIGVTALRM")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGVTALRM) in (signal.SIG_DFL, None)
        and signal.getitimer(signal.ITIMER_VIRTUAL) == (0.0, 0.0)
    )


@contextlib.contextmanager
def letter_budget(seconds: float) -> Iterator[bool]:
    """Arm a ``seconds`` CPU-time budget for the block; yields whether it is armed.

    If armed, the block runs its regexes without a per-call timeout and may be
    interrupted by :class:`BudgetExceeded` (the caller catches it and redoes the work
    with the per-call timeout); if not, the block must use the per-call timeout.
    """
    if not _free():
        yield False
        return
    previous = signal.signal(signal.SIGVTALRM, _raise)
    try:
        _ARMED[0] = True
        signal.setitimer(signal.ITIMER_VIRTUAL, seconds)  # one shot: fires at most once
        yield True
    finally:
        try:
            _ARMED[0] = False
        finally:  # restored even if the signal interrupts the line above
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            signal.signal(signal.SIGVTALRM, previous)
