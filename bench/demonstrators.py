"""Wall time of each demonstrator end to end, run exactly as `kimed demo run NAME` does.

    .venv/bin/python bench/demonstrators.py [--only exposome omics] [--keep] [--workbench]

``--workbench`` adds a column: the same run inside a user container of the workbench
(a real hub, the cpu-large profile: 2 CPUs), as `kimed-demo run NAME` in the demonstrator's
curated kernel, started from a notebook cell; the time is the runner's own (run.json).

Runs every registered demonstrator with its default parameters through the runner (kernel
start, notebook, artefacts, atomic move), skipping those whose notebook is not written yet
and saying so. Prints a markdown table and writes bench/results/demonstrators.json. The
first run of a notebook that uses numba (OMICS: UMAP, neighbours) includes its compilation.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from results_io import save_results  # bench/results_io.py

from kimed_demos import registry, runner
from kimed_hub.paths import project_root

# Runs in the user's container: `kimed-demo run NAME` with default parameters; prints the
# runner's record (run.json) or the end of its log.
IN_CONTAINER = """
import json, pathlib, subprocess, uuid
out = pathlib.Path.home() / "bench-runs" / f"{name}-{{uuid.uuid4().hex[:8]}}"
proc = subprocess.run(["kimed-demo", "run", {name!r}, "--output", str(out)],
                      capture_output=True, text=True)
record = out / "run.json"
print(json.dumps(json.loads(record.read_text()) if record.is_file()
                 else {{"ok": False, "error": (proc.stdout + proc.stderr)[-500:]}}))
"""


def bench_one(demo: registry.Demonstrator, workdir: Path) -> dict:
    """Run one demonstrator with default parameters; its row of the results."""
    if not demo.notebook_path(project_root()).is_file():
        print(f"skip {demo.name}: {demo.notebook} not written yet", flush=True)
        return {"name": demo.name, "status": "skipped (notebook missing)", "seconds": None}
    print(f"==> {demo.name}", flush=True)
    accepted = runner.notebook_parameters(demo.notebook_path(project_root()))
    params = runner.resolve_parameters(demo, accepted, [])
    kernel = runner.choose_kernel(demo, None)  # the host's python3 where no curated one
    result = runner.execute(demo, params, kernel, workdir / demo.name)
    return {
        "name": demo.name,
        "kernel": kernel,
        "status": "ok" if result.ok else f"failed: {result.error}",
        "seconds": round(result.seconds, 1),
        "folder": str(result.folder),
    }


def bench_in_workbench(rows: list[dict]) -> None:
    """Add ``workbench_seconds`` to each row: the run inside a hub-spawned container."""
    import json
    import time

    from kimed_hub import images
    from kimed_hub.testing import HubProcess, new_prefix

    images.ensure_singleuser_image()
    with (
        tempfile.TemporaryDirectory() as tmp,
        HubProcess(Path(tmp), new_prefix("b")).start() as hub,
    ):
        user = hub.login("researcher")
        started = time.monotonic()
        user.api("POST", f"/users/{user.name}/server", json={"profile": "cpu-large"})
        user.wait_ready(started)
        for row in rows:
            if row["seconds"] is None:
                continue
            print(f"==> {row['name']} in the workbench", flush=True)
            code = IN_CONTAINER.format(name=row["name"])
            record = json.loads(user.run_code(code, 3600).strip().splitlines()[-1])
            row["workbench_kernel"] = record.get("kernel")
            row["workbench_seconds"] = round(record["seconds"], 1) if record["ok"] else None
            row["workbench_status"] = "ok" if record["ok"] else f"failed: {record['error']}"
        user.stop_server()


def markdown(rows: list[dict]) -> str:
    """The results as a markdown table."""
    lines = [
        "| demonstrator | status | host kernel | wall time [s] | in the workbench [s] (kernel) |",
        "|---|---|---|---:|---:|",
    ]
    for row in rows:
        seconds = "-" if row["seconds"] is None else f"{row['seconds']:.1f}"
        inside = row.get("workbench_seconds")
        inside = "-" if inside is None else f"{inside:.1f} ({row['workbench_kernel']})"
        if row.get("workbench_status", "ok") != "ok":
            inside = row["workbench_status"]
        kernel = row.get("kernel", "-")
        lines.append(f"| {row['name']} | {row['status']} | {kernel} | {seconds} | {inside} |")
    return "\n".join(lines)


def main() -> int:
    """Benchmark the selected demonstrators; exit 1 if any ran and failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="demonstrator names (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the run folders")
    parser.add_argument(
        "--workbench", action="store_true", help="also run each in a workbench container"
    )
    args = parser.parse_args()
    demos = [registry.get(n) for n in args.only] if args.only else registry.DEMONSTRATORS
    workdir = Path(tempfile.mkdtemp(prefix="kimed-demo-bench-"))
    try:
        rows = [bench_one(demo, workdir) for demo in demos]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.workbench:
        bench_in_workbench(rows)
    print(markdown(rows))

    when = datetime.now().isoformat(timespec="seconds")
    record = {"when": when, "machine": platform.node(), "cpus": os.cpu_count(), "results": rows}
    save_results("demonstrators", record)
    statuses = [r["status"] for r in rows] + [r.get("workbench_status", "") for r in rows]
    return 1 if any(s.startswith("failed") for s in statuses) else 0


if __name__ == "__main__":
    raise SystemExit(main())
