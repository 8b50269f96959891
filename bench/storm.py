"""Spawn storms: N users ask for their servers at once, through the public proxy, up to a
first executed cell; what a workshop at nine o'clock does to the workbench.

    .venv/bin/python bench/storm.py [N ...] [--concurrent-starts K]     (default N: 1 10 20 50)

One real hub for all runs (its own ports, data folder and container prefix). For each N:
N users in ``researchers`` (profile cpu-standard) request their servers at the same moment
through ``POST /hub/api/users/{name}/server`` (admin token, as a workshop pre-start
would), each waits until the hub says ready, then runs ``print(1)`` in a new kernel over
the websocket with a token of its own. Meanwhile a thread calls the hub API every 100 ms.
A warm-up spawn runs first (printed, not in the table: see ``warm_up``). Printed per N:
ready and first-cell p50/p95/max, failures, hub API p50/p95, CPU-seconds
per spawn of the workbench's own processes (hub + container runtime during the storm,
plus each container's cgroup up to its first cell: other people's work on a shared host
is not counted), and the mean of each spawn phase from the hub's log
(spawn_admission.py, spawn_phases.py). Targets (2-core machine): N = 50 →
50 ready, 0 failed, last first cell ≤ 90 s; hub API p95 ≤ 300 ms; N = 1 → ready ≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from results_io import save_results  # bench/results_io.py
from spawn_latency import ApiPoller, percentile  # bench/spawn_latency.py

from kimed_hub import images
from kimed_hub.paths import policies_dir
from kimed_hub.runtime import ensure_runtime, runtime_client
from kimed_hub.spawn_phases import container_cpu_seconds, process_cpu_seconds, runtime_pid
from kimed_hub.testing import HubProcess, HubUser, new_prefix

PHASE = re.compile(r"(\w[\w+ ]*?) ([\d.]+) s \(runtime cpu ([\d.]+) s, hub cpu ([\d.]+) s\)")


def spawn_to_first_cell(admin: HubUser, user: HubUser, started: float) -> dict:
    """One user's storm: request, wait for ready, run a cell; times from ``started``."""
    try:
        response = admin.api("POST", f"/users/{user.name}/server", timeout=120)
        if response.status_code not in (201, 202):
            return {"error": f"HTTP {response.status_code}: {response.text[:200]}"}
        # the progress event stream, as the spawn-pending page in a browser listens to it:
        # N clients polling the status instead would be most of the hub's CPU in a storm
        last = user.progress_events(timeout=600)[-1]
        if not last.get("ready"):
            return {"error": f"spawn failed: {last.get('message', last)}"}
        ready = time.monotonic() - started
        user.run_code("print(1)", timeout=120)
        return {"ready": ready, "first_cell": time.monotonic() - started}
    except Exception as exc:  # noqa: BLE001 - a failed spawn is a result here
        return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}


def workbench_cpu(hub: HubProcess) -> float:
    """CPU-seconds so far of the hub process and the container runtime's API service."""
    runtime = runtime_pid()
    hub_cpu = process_cpu_seconds(hub.process.pid, children=False)
    return hub_cpu + (process_cpu_seconds(runtime) if runtime else 0.0)


def containers_cpu(prefix: str) -> float:
    """CPU-seconds used by every running container of this hub (their cgroups)."""
    client, total = runtime_client(), 0.0
    for container in client.containers(filters={"name": prefix}):
        pid = client.inspect_container(container["Id"])["State"]["Pid"]
        total += container_cpu_seconds(pid) or 0.0
    return total


def storm(hub: HubProcess, admin: HubUser, users: list[HubUser]) -> dict:
    """All ``users`` at once; per-user results, API latencies, CPU, phases. CPU per spawn:
    the hub and the runtime during the storm plus what the containers used up to the end
    of it (server start, a kernel, one cell); other people's work on the host is not in it."""
    log_offset = hub.log_path.stat().st_size
    load_before = os.getloadavg()[0]
    cpu_before, started = workbench_cpu(hub), time.monotonic()
    with ApiPoller(admin) as poller, ThreadPoolExecutor(len(users)) as pool:
        results = list(pool.map(lambda u: spawn_to_first_cell(admin, u, started), users))
    wall = time.monotonic() - started
    load_after = os.getloadavg()[0]
    control = workbench_cpu(hub) - cpu_before
    containers = containers_cpu(hub.prefix)
    with open(hub.log_path, errors="replace") as log:
        log.seek(log_offset)
        phases = phase_means(log.read())
    for user in users:
        user.stop_server(timeout=120)
    return {
        "results": results,
        "api": poller.latencies,
        "wall": wall,
        "control_cpu_per_spawn": control / len(users),
        "container_cpu_per_spawn": containers / len(users),
        "phases": phases,
        # 1-minute load average as the storm began and ended: on a shared host the
        # figures mean little without it (someone else's build shows here)
        "load": (load_before, load_after),
    }


def phase_means(log: str) -> dict[str, dict[str, float]]:
    """Mean wall and host-CPU seconds of each spawn phase in the hub's log lines."""
    sums: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for line in log.splitlines():
        if "spawn phases of" in line:
            for name, wall, host, _hub in PHASE.findall(line.split(":", 3)[-1]):
                sums[name.strip()].append((float(wall), float(host)))
    return {
        name: {
            "wall": statistics.mean(w for w, _ in values),
            "runtime_cpu": statistics.mean(c for _, c in values),
        }
        for name, values in sums.items()
    }


def row(n: int, run: dict) -> str:
    done = [r for r in run["results"] if "error" not in r]
    failed = len(run["results"]) - len(done)
    ready = [r["ready"] for r in done] or [float("nan")]
    cells = [r["first_cell"] for r in done] or [float("nan")]
    api = [x * 1000 for x in run["api"]] or [float("nan")]
    return (
        f"| {n} | {statistics.median(ready):.1f} / {percentile(ready, 0.95):.1f} / "
        f"{max(ready):.1f} | {statistics.median(cells):.1f} / {percentile(cells, 0.95):.1f} / "
        f"{max(cells):.1f} | {failed} | {statistics.median(api):.0f} / "
        f"{percentile(api, 0.95):.0f} | {run['control_cpu_per_spawn']:.2f} + "
        f"{run['container_cpu_per_spawn']:.2f} | {run['load'][0]:.1f} / {run['load'][1]:.1f} |"
    )


def table(runs: dict[int, dict]) -> str:
    lines = [
        "| N | ready p50/p95/max (s) | first cell p50/p95/max (s) | failed "
        "| hub API p50/p95 (ms) | CPU-s per spawn: hub+runtime + container "
        "| load avg before / after |",
        "|---|---|---|---|---|---|---|",
        *(row(n, run) for n, run in runs.items()),
        "",
        "phase means, wall s / runtime CPU-s (shared by overlapping spawns):",
        "",
        "| N | " + " | ".join(_phase_names(runs)) + " |",
        "|---|" + "---|" * len(_phase_names(runs)),
    ]
    for n, run in runs.items():
        cells = [run["phases"].get(p) for p in _phase_names(runs)]
        text = [f"{c['wall']:.2f} s / {c['runtime_cpu']:.2f}" if c else "-" for c in cells]
        lines.append(f"| {n} | " + " | ".join(text) + " |")
    return "\n".join(lines)


def _phase_names(runs: dict[int, dict]) -> list[str]:
    order = ["queue", "prepare", "create", "checks", "start", "ready"]
    seen = {p for run in runs.values() for p in run["phases"]}
    return [p for p in order if p in seen]


def start_hub(concurrent_starts: int | None) -> HubProcess:
    """A hub with the project's policies, or a copy with another admission limit."""
    data = Path(tempfile.mkdtemp(prefix="kimed-storm-"))
    env = {}
    if concurrent_starts:
        policies = data / "policies"
        shutil.copytree(policies_dir(), policies)
        sessions = yaml.safe_load((policies / "sessions.yaml").read_text())
        sessions["spawns"]["concurrent_starts"] = concurrent_starts
        (policies / "sessions.yaml").write_text(yaml.safe_dump(sessions))
        env["KIMED_POLICIES_DIR"] = str(policies)
    return HubProcess(data / "hub", new_prefix("s"), extra_env=env).start()


def warm_up(admin: HubUser, user: HubUser) -> None:
    """One spawn before the storms, printed but not in the table. The first server after
    an image build reads the image's files from disk and the hub's first spawn makes its
    runtime client (podman answers its /version call with ~0.6 CPU-s of work): both are
    one-time costs of a new image or hub, not of a storm on a workbench that has run."""
    first = spawn_to_first_cell(admin, user, time.monotonic())
    user.stop_server(timeout=120)
    if "error" in first:
        raise SystemExit(f"the warm-up spawn failed, no storm run: {first['error']}")
    print(
        f"warm-up spawn (not in the table): ready {first['ready']:.1f} s, "
        f"first cell {first['first_cell']:.1f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1, 10, 20, 50])
    parser.add_argument("--concurrent-starts", type=int, help="override the policy's limit")
    args = parser.parse_args()
    ensure_runtime()  # podman's API service, as `kimed setup` starts it
    images.ensure_singleuser_image()
    with start_hub(args.concurrent_starts) as hub:
        admin = hub.login("admin")
        names = [f"storm-{i:02d}" for i in range(max(args.sizes))]
        admin.api("POST", "/users", json={"usernames": names})
        admin.api("POST", "/groups/researchers/users", json={"users": names}).raise_for_status()
        users = [HubUser.with_token(hub, n, admin.user_token(n)) for n in names]
        warm_up(admin, users[0])
        runs = {}
        for n in args.sizes:
            print(f"storm of {n} ...", flush=True)
            runs[n] = storm(hub, admin, users[:n])
            print(row(n, runs[n]), flush=True)
        errors = [r["error"] for run in runs.values() for r in run["results"] if "error" in r]
    print(table(runs))
    for error in errors[:5]:
        print("failure:", error)
    save_results("storm", {str(n): run for n, run in runs.items()}, table(runs))


if __name__ == "__main__":
    main()
