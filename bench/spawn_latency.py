"""Spawn-to-ready latency of the workbench, and the hub API's latency meanwhile.

    .venv/bin/python bench/spawn_latency.py [--sequential 5] [--concurrent 10]

Starts a real hub (its own ports, data folder and container prefix), then:
1. sequential: one user spawns, waits until ready, stops; repeated;
2. concurrent: N users request their servers at once; each one's time to ready;
while a background thread calls the hub API every 100 ms. Prints a markdown table and
writes bench/results/spawn_latency.json. Targets (2-core machine): sequential p50 < 5 s,
all 10 concurrent ready within 30 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from results_io import save_results  # bench/results_io.py
from tqdm import tqdm

from kimed_hub import images
from kimed_hub.testing import HubProcess, HubUser, new_prefix


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class ApiPoller:
    """Calls GET /hub/api/users/<admin> every 100 ms; records each latency."""

    def __init__(self, admin: HubUser):
        self.admin, self.latencies, self._stop = admin, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            started = time.monotonic()
            self.admin.api("GET", f"/users/{self.admin.name}")
            self.latencies.append(time.monotonic() - started)
            time.sleep(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def spawn_as(admin: HubUser, name: str, timeout: float = 180) -> float:
    """Admin-requested spawn of ``name``; seconds until the hub reports it ready."""
    started = time.monotonic()
    response = admin.api("POST", f"/users/{name}/server")
    response.raise_for_status()
    while time.monotonic() - started < timeout:
        state = admin.api("GET", f"/users/{name}").json()["servers"].get("", {})
        if state.get("ready"):
            return time.monotonic() - started
        time.sleep(0.1)
    raise TimeoutError(f"{name} not ready after {timeout} s")


def stop_as(admin: HubUser, name: str) -> None:
    admin.api("DELETE", f"/users/{name}/server")
    while admin.api("GET", f"/users/{name}").json()["servers"]:
        time.sleep(0.2)


def run(sequential: int, concurrent: int) -> dict[str, list[float]]:
    images.ensure_singleuser_image()
    hub = HubProcess(Path(tempfile.mkdtemp(prefix="kimed-bench-")), new_prefix("b")).start()
    with hub:
        admin = hub.login("admin")
        names = [f"bench-{i:02d}" for i in range(concurrent)]
        admin.api("POST", "/users", json={"usernames": names})
        # Profiles come from group roles: benchmark users are researchers (cpu-standard).
        admin.api("POST", "/groups/researchers/users", json={"users": names}).raise_for_status()
        results: dict[str, list[float]] = {"sequential": [], "concurrent": [], "api": []}
        for _ in tqdm(range(sequential), desc="sequential spawns"):
            results["sequential"].append(spawn_as(admin, names[0]))
            stop_as(admin, names[0])
        with ApiPoller(admin) as poller, ThreadPoolExecutor(concurrent) as pool:
            started = time.monotonic()
            results["concurrent"] = list(pool.map(lambda n: spawn_as(admin, n), names))
            results["concurrent_all_ready"] = [time.monotonic() - started]
        results["api"] = poller.latencies
        for name in names:
            stop_as(admin, name)
        return results


def table(results: dict[str, list[float]]) -> str:
    rows = ["| measurement | n | p50 (s) | p95 (s) | max (s) |", "|---|---|---|---|---|"]
    labels = {
        "sequential": "spawn-to-ready, sequential",
        "concurrent": "spawn-to-ready, concurrent",
        "concurrent_all_ready": "all concurrent ready",
        "api": "hub API during concurrent spawns",
    }
    for key, label in labels.items():
        values = results.get(key) or []
        if values:
            rows.append(
                f"| {label} | {len(values)} | {statistics.median(values):.3f} | "
                f"{percentile(values, 0.95):.3f} | {max(values):.3f} |"
            )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=5)
    parser.add_argument("--concurrent", type=int, default=10)
    args = parser.parse_args()
    results = run(args.sequential, args.concurrent)
    print(table(results))
    save_results("spawn_latency", results, table(results))


if __name__ == "__main__":
    main()
