"""Progress lines on stderr (the job service shows them while a job runs)."""

from __future__ import annotations

import sys


def log(message: str) -> None:
    """One progress line on stderr."""
    print(f"[synthesis] {message}", file=sys.stderr, flush=True)
