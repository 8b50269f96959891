"""Wall time of each demonstrator end to end, run exactly as `kimed demo run NAME` does.

    .venv/bin/python bench/demonstrators.py [--only exposome omics] [--keep]

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


def bench_one(demo: registry.Demonstrator, workdir: Path) -> dict:
    """Run one demonstrator with default parameters; its row of the results."""
    if not demo.notebook_path(project_root()).is_file():
        print(f"skip {demo.name}: {demo.notebook} not written yet", flush=True)
        return {"name": demo.name, "status": "skipped (notebook missing)", "seconds": None}
    print(f"==> {demo.name}", flush=True)
    accepted = runner.notebook_parameters(demo.notebook_path(project_root()))
    params = runner.resolve_parameters(demo, accepted, [])
    runner.check_kernel(demo.kernel)
    result = runner.execute(demo, params, demo.kernel, workdir / demo.name)
    return {
        "name": demo.name,
        "status": "ok" if result.ok else f"failed: {result.error}",
        "seconds": round(result.seconds, 1),
        "folder": str(result.folder),
    }


def markdown(rows: list[dict]) -> str:
    """The results as a markdown table."""
    lines = ["| demonstrator | status | wall time [s] |", "|---|---|---:|"]
    for row in rows:
        seconds = "-" if row["seconds"] is None else f"{row['seconds']:.1f}"
        lines.append(f"| {row['name']} | {row['status']} | {seconds} |")
    return "\n".join(lines)


def main() -> int:
    """Benchmark the selected demonstrators; exit 1 if any ran and failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="demonstrator names (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the run folders")
    args = parser.parse_args()
    demos = [registry.get(n) for n in args.only] if args.only else registry.DEMONSTRATORS
    workdir = Path(tempfile.mkdtemp(prefix="kimed-demo-bench-"))
    try:
        rows = [bench_one(demo, workdir) for demo in demos]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(markdown(rows))

    when = datetime.now().isoformat(timespec="seconds")
    record = {"when": when, "machine": platform.node(), "cpus": os.cpu_count(), "results": rows}
    save_results("demonstrators", record)
    return 1 if any(r["status"].startswith("failed") for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
