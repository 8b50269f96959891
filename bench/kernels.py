"""Benchmark kernel start per curated kernel, in a real user container spawned by a real hub.

For each kernel, ``--runs`` times: start the kernel through the server's REST API and
time until a first trivial cell has run (what a user waits for after "New notebook"),
then time a cell importing the kernel's key packages (the first real cell). Prints a
markdown table and writes it (and JSON) to ``bench/results/``::

    .venv/bin/python bench/kernels.py            # 3 runs per kernel
    .venv/bin/python bench/kernels.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import requests
from results_io import save_results  # bench/results_io.py

from kimed_hub import images
from kimed_hub.testing import HubProcess, HubUser, _execute, new_prefix

KEY_IMPORTS = {
    "python-base": "import pandas, numpy, scipy, statsmodels.api, sklearn, matplotlib.pyplot, "
    "seaborn, acro",
    "python-imaging": "import torch, monai, nibabel, SimpleITK",
    "python-text": "import spacy, presidio_analyzer, presidio_anonymizer",
    "r": "library(IRkernel); library(jsonlite)",
}
TRIVIAL = {"r": "cat(1)"}


def one_run(user: HubUser, kernel: str) -> tuple[float, float]:
    """Seconds to a first cell's reply, and for the key-imports cell, in a new kernel."""
    headers = {"Authorization": f"token {user.token}"}
    started = time.monotonic()
    created = requests.post(
        user.server_url("api/kernels"), headers=headers, json={"name": kernel}, timeout=120
    )
    created.raise_for_status()
    kernel_id = created.json()["id"]
    url = user.hub.url.replace("http", "ws") + f"/user/{user.name}/api/kernels/{kernel_id}/channels"
    try:
        _execute(url, headers, TRIVIAL.get(kernel, "pass"), 300)
        ready = time.monotonic() - started
        started = time.monotonic()
        _execute(url, headers, KEY_IMPORTS[kernel], 300)
        return ready, time.monotonic() - started
    finally:
        requests.delete(user.server_url(f"api/kernels/{kernel_id}"), headers=headers, timeout=60)


def measure(runs: int) -> list[dict]:
    """Start a hub, spawn a server, time every kernel ``runs`` times."""
    images.ensure_singleuser_image()
    with (
        tempfile.TemporaryDirectory() as tmp,
        HubProcess(Path(tmp), new_prefix("b")).start() as hub,
    ):
        user = hub.login("researcher")
        user.spawn()
        rows = []
        for kernel in images.kernel_names():
            samples = [one_run(user, kernel) for _ in range(runs)]
            print(f"{kernel}: {samples}", flush=True)
            rows.append(
                {
                    "kernel": kernel,
                    "start_median_s": statistics.median(s[0] for s in samples),
                    "start_max_s": max(s[0] for s in samples),
                    "imports_median_s": statistics.median(s[1] for s in samples),
                    "runs": runs,
                }
            )
        user.stop_server()
        return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| kernel | start to first cell, median (max) | key-imports cell, median | runs |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kernel']} | {r['start_median_s']:.2f} s ({r['start_max_s']:.2f} s) | "
            f"{r['imports_median_s']:.2f} s | {r['runs']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="kernel starts per kernel")
    args = parser.parse_args()
    rows = measure(args.runs)
    text = table(rows)
    print(text)
    save_results("kernels", rows, text)


if __name__ == "__main__":
    main()
