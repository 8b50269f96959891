"""Pre-starting a workshop: time until every trainee's server is ready with its material.

    .venv/bin/python bench/workshop.py [--trainees 20] [--course secure-environment]

Starts a real hub (own ports, data folder and container prefix); the demo instructor
creates a workshop of N temporary trainees through the portal's API, asks for the
pre-start, and the live view (``GET .../workshops/<slug>``) is polled until every
participant's server is ready and holds the course material. Prints a markdown table
(seconds until the first / median / last trainee was ready, and the creation itself),
writes bench/results/workshop.json, then tears the workshop down (timed too). The spawn
queue of the hub applies to every start, so the figure includes its waiting.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from results_io import save_results  # bench/results_io.py
from tqdm import tqdm

from kimed_hub import images
from kimed_hub.testing import HubProcess, new_prefix
from kimed_hub.testing_workshops import create_workshop, training_call


def watch(instructor, slug: str, trainees: int, timeout: float) -> dict[str, float]:
    """Seconds after the pre-start request at which each trainee became ready."""
    started, ready = time.monotonic(), {}
    with tqdm(total=trainees, desc="ready", unit="trainee") as bar:
        while len(ready) < trainees and time.monotonic() - started < timeout:
            rows = training_call(instructor, "GET", f"workshops/{slug}").json()["participants"]
            for row in rows:
                done = row["server"] in ("ready", "active") and row["prestart"] == "material given"
                if done and row["username"] not in ready:
                    ready[row["username"]] = time.monotonic() - started
                    bar.update(1)
                if row["prestart"].startswith("failed"):
                    raise RuntimeError(f"{row['username']}: {row['prestart']}")
            time.sleep(0.5)
    if len(ready) < trainees:
        raise TimeoutError(f"only {len(ready)} of {trainees} ready after {timeout} s")
    return ready


def run(trainees: int, course: str, timeout: float) -> dict:
    images.ensure_singleuser_image()
    hub = HubProcess(Path(tempfile.mkdtemp(prefix="kimed-bench-")), new_prefix("w")).start()
    with hub:
        instructor = hub.login("instructor")
        t0 = time.monotonic()
        created = create_workshop(instructor, trainees, course=course)
        create_s = time.monotonic() - t0
        slug = created["workshop"]["slug"]
        training_call(instructor, "POST", f"workshops/{slug}/prestart").raise_for_status()
        ready = watch(instructor, slug, trainees, timeout)
        t0 = time.monotonic()
        training_call(instructor, "POST", f"workshops/{slug}/teardown").raise_for_status()
        teardown_s = time.monotonic() - t0
    times = sorted(ready.values())
    return {
        "trainees": trainees,
        "course": course,
        "cpus": os.cpu_count(),
        "create_s": create_s,
        "first_ready_s": times[0],
        "median_ready_s": statistics.median(times),
        "all_ready_s": times[-1],
        "teardown_s": teardown_s,
        "ready_s": ready,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=20)
    parser.add_argument("--course", default="secure-environment")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    result = run(args.trainees, args.course, args.timeout)
    columns = [
        "trainees",
        "create_s",
        "first_ready_s",
        "median_ready_s",
        "all_ready_s",
        "teardown_s",
    ]
    table = "\n".join(
        [
            "| " + " | ".join(c.replace("_s", " (s)") for c in columns) + " |",
            "|" + "---:|" * len(columns),
            "| "
            + " | ".join(f"{result[c]:.1f}" if c != "trainees" else str(result[c]) for c in columns)
            + " |",
        ]
    )
    print(table)
    save_results("workshop", result, table)


if __name__ == "__main__":
    main()
