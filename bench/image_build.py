"""Benchmark the offline image builds: cold and warm build times, check times, image sizes.

Prints a markdown table and writes it to ``bench/results/image_build.md``::

    .venv/bin/python bench/image_build.py          # warm checks + a cold single-user build
    .venv/bin/python bench/image_build.py --cold   # also a cold base build (debootstrap)

Cold builds go into scratch tags (``:bench-cold``) that are removed afterwards, so the
images the workbench uses are never deleted or replaced. The single-user cold build runs
without the layer cache; the base cold build runs debootstrap against the host's Debian
mirror (network). Everything else is offline.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial

from kimed_hub.images import (
    base_image_ref,
    build_singleuser_image,
    ensure_base_image,
    ensure_singleuser_image,
    ensure_wheelhouse,
    singleuser_image_ref,
)
from kimed_hub.images._common import container_cli, inspect_image
from kimed_hub.images.base import build_base_image
from kimed_hub.paths import project_root

SCRATCH_BASE = "localhost/kimed-base:bench-cold"
SCRATCH_SINGLEUSER = "localhost/kimed-singleuser:bench-cold"
Row = tuple[str, str, str]


def timed(action: Callable[[], object]) -> float:
    """Seconds one call of ``action`` takes."""
    started = time.monotonic()
    action()
    return time.monotonic() - started


def warm_rows() -> list[Row]:
    """The checks a start-up pays when nothing changed."""
    script = "import kimed_hub.images as i; i.ensure_singleuser_image()"
    new_process = partial(subprocess.run, [sys.executable, "-c", script], check=True)
    return [
        ("base image check (warm)", _seconds(partial(ensure_base_image, False)), "tag exists"),
        ("wheelhouse check (warm)", _seconds(partial(ensure_wheelhouse, False)), "sha256 all"),
        ("single-user ensure (warm)", _seconds(partial(ensure_singleuser_image, False)), ""),
        ("single-user ensure, new process", _seconds(new_process), "with Python start-up"),
    ]


def _seconds(action: Callable[[], object]) -> str:
    return f"{timed(action):.2f} s"


def cold_singleuser_row() -> Row:
    """A full single-user build from the wheelhouse, no layer cache, into a scratch tag."""
    try:
        result = build_singleuser_image(SCRATCH_SINGLEUSER, force=True, no_cache=True)
    finally:
        remove(SCRATCH_SINGLEUSER)
    return ("single-user build (cold, no cache)", f"{result.seconds:.1f} s", "offline")


def cold_base_row() -> Row:
    """debootstrap + import into a scratch tag (needs the Debian mirror)."""
    try:
        seconds = timed(lambda: build_base_image(SCRATCH_BASE))
    finally:
        remove(SCRATCH_BASE)
    return ("base build (cold: debootstrap + import)", f"{seconds:.1f} s", "Debian mirror")


def size_rows() -> list[Row]:
    """Image sizes as the container engine reports them, and the wheelhouse's size."""
    rows = []
    for ref in (base_image_ref(), singleuser_image_ref()):
        size = inspect_image(ref)["Size"] / 1e6
        rows.append((f"size of {ref}", f"{size:.0f} MB", "engine's Size"))
    wheels = ensure_wheelhouse(progress=False)
    total = sum(p.stat().st_size for p in wheels.iterdir()) / 1e6
    rows.append(("wheelhouse size", f"{total:.0f} MB", f"{len(list(wheels.iterdir()))} wheels"))
    return rows


def remove(ref: str) -> None:
    subprocess.run([container_cli(), "rmi", "-f", ref], check=False, capture_output=True)


def table(rows: list[Row]) -> str:
    lines = ["| measurement | value | notes |", "|---|---|---|"]
    return "\n".join(lines + [f"| {a} | {b} | {c} |" for a, b, c in rows]) + "\n"


def main() -> None:
    """Run the measurements, print the table, and save it under bench/results/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="also time a cold base build")
    args = parser.parse_args()
    ensure_singleuser_image()  # everything exists before anything is timed
    rows = warm_rows() + [cold_singleuser_row()]
    if args.cold:
        rows.append(cold_base_row())
    text = table(rows + size_rows())
    print(text)
    out = project_root() / "bench" / "results" / "image_build.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"written to {out.relative_to(project_root())}")


if __name__ == "__main__":
    main()
