"""Benchmark the offline image builds: cold and warm build times, check times, image and
kernel sizes, wheelhouse sizes.

Prints a markdown table and writes it (and JSON) to ``bench/results/``::

    .venv/bin/python bench/image_build.py          # warm checks + a cold single-user build
    .venv/bin/python bench/image_build.py --cold   # also a cold base build (debootstrap)
    .venv/bin/python bench/image_build.py --gpu    # also build the GPU image (CUDA PyTorch:
                                                   # downloads several GB once; not in CI)

Cold builds go into scratch tags (``:bench-cold``) that are removed afterwards, so the
images the workbench uses are never deleted or replaced. The single-user cold build runs
without the layer cache and with every package registry unreachable (the wheelhouses
exist by then), so it also shows that the build is offline; the base cold build runs
debootstrap against the host's Debian mirror (network).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial

from results_io import save_results  # bench/results_io.py

from kimed_hub.images import (
    all_envs,
    base_image_ref,
    ensure_base_image,
    ensure_singleuser_image,
    ensure_wheelhouse,
    image_envs,
    singleuser_image_ref,
)
from kimed_hub.images._common import container_cli, inspect_image
from kimed_hub.images.base import build_base_image

SCRATCH_BASE = "localhost/kimed-base:bench-cold"
SCRATCH_SINGLEUSER = "localhost/kimed-singleuser:bench-cold"
UNREACHABLE = "http://127.0.0.1:9/"
Row = tuple[str, str, str]


def timed(action: Callable[[], object]) -> float:
    """Seconds one call of ``action`` takes."""
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _seconds(action: Callable[[], object]) -> str:
    return f"{timed(action):.2f} s"


def warm_rows() -> list[Row]:
    """The checks a start-up pays when nothing changed."""
    script = "import kimed_hub.images as i; i.ensure_singleuser_image(progress=False)"
    new_process = partial(subprocess.run, [sys.executable, "-c", script], check=True)
    rows = [("base image check (warm)", _seconds(partial(ensure_base_image, False)), "tag exists")]
    for env in all_envs():
        if env.variant == "cpu":
            check = partial(ensure_wheelhouse, False, env)
            rows.append((f"wheelhouse check {env.key} (warm)", _seconds(check), "sha256 of all"))
    rows += [
        ("single-user ensure (warm)", _seconds(partial(ensure_singleuser_image, False)), ""),
        ("single-user ensure, new process", _seconds(new_process), "with Python start-up"),
    ]
    return rows


def cold_singleuser_row() -> Row:
    """A full single-user build (server and every kernel) from the wheelhouses, no layer
    cache, registries unreachable, into a scratch tag; run in a child process so that the
    unreachable-registry environment cannot leak into this one."""
    env = {
        **os.environ,
        "PIP_INDEX_URL": UNREACHABLE,
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_FIND_LINKS": "",
        "HTTP_PROXY": UNREACHABLE,
        "HTTPS_PROXY": UNREACHABLE,
        "http_proxy": UNREACHABLE,
        "https_proxy": UNREACHABLE,
    }
    script = (
        "from kimed_hub.images import build_singleuser_image as b; "
        f"r = b({SCRATCH_SINGLEUSER!r}, force=True, no_cache=True); print(r.seconds)"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
        )
    finally:
        remove(SCRATCH_SINGLEUSER)
    seconds = float(result.stdout.strip().splitlines()[-1])
    return ("single-user build (cold, no cache)", f"{seconds:.0f} s", "registries unreachable")


def cold_base_row() -> Row:
    """debootstrap + import into a scratch tag (needs the Debian mirror)."""
    try:
        seconds = timed(lambda: build_base_image(SCRATCH_BASE))
    finally:
        remove(SCRATCH_BASE)
    return ("base build (cold: debootstrap + import)", f"{seconds:.0f} s", "Debian mirror")


def gpu_row() -> Row:
    """The GPU image (CUDA PyTorch), built or reused; its size."""
    seconds = timed(lambda: ensure_singleuser_image(variant="gpu"))
    ref = singleuser_image_ref("gpu")
    size = inspect_image(ref)["Size"] / 1e9
    return (f"GPU image {ref}", f"{seconds:.0f} s, {size:.1f} GB", "build (or reuse) and size")


def size_rows() -> list[Row]:
    """Image sizes as the container engine reports them, each environment's size in the
    image, and the wheelhouses' sizes."""
    rows = []
    for ref in (base_image_ref(), singleuser_image_ref()):
        size = inspect_image(ref)["Size"] / 1e6
        rows.append((f"size of {ref}", f"{size:.0f} MB", "engine's Size"))
    paths = [env.install_path for env in image_envs()] + ["/usr/lib/R"]
    du = subprocess.run(
        [
            container_cli(),
            "run",
            "--rm",
            "--network=none",
            singleuser_image_ref(),
            "du",
            "-sm",
            *paths,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in du.stdout.splitlines():
        megabytes, path = line.split("\t")
        rows.append((f"in the image: {path}", f"{megabytes} MB", "du"))
    for env in all_envs():
        if env.variant == "cpu":
            files = list(ensure_wheelhouse(progress=False, env=env).iterdir())
            total = sum(p.stat().st_size for p in files) / 1e6
            rows.append((f"wheelhouse {env.key}", f"{total:.0f} MB", f"{len(files)} wheels"))
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
    parser.add_argument("--gpu", action="store_true", help="also build the GPU image")
    args = parser.parse_args()
    ensure_singleuser_image()  # everything exists before anything is timed
    rows = warm_rows() + [cold_singleuser_row()]
    if args.cold:
        rows.append(cold_base_row())
    if args.gpu:
        rows.append(gpu_row())
    rows += size_rows()
    text = table(rows)
    print(text)
    save_results("image_build", rows, text)


if __name__ == "__main__":
    main()
