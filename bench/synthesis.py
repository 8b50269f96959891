"""Synthesis benchmark: wall time and peak memory per method for 10^4 and 10^5 rows x 30
columns (issue 15), every run the real command line in its own process, measurements
included.

    python bench/synthesis.py [--rows 10000 100000] [--methods gaussian_copula cart tvae]
                              [--tvae-epochs 30 5]

The table: 18 numbers driven by three latent factors (so they correlate), 12 categories
cut from factors or drawn independently, a binary target. The TVAE trains for fewer
epochs than the policy's 300 (--tvae-epochs, one per size): the table says how many, and
its fit time grows linearly with epochs. Peak memory is the job process's maximum
resident set (report.json); wall is the whole command, interpreter start included; CPU
is the process's user + system time (on a shared machine, wall includes waiting); fit,
sample and measure are the steps' wall times from report.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from results_io import save_results

REPO = Path(__file__).resolve().parents[1]
POLICY = REPO / "policies" / "synthesis.yaml"


def table(rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` x 30 columns with known correlations (see the module docstring)."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(rows, 3))
    data = {}
    for j in range(18):
        loading = np.array([0.8, 0.4, 0.0])[np.roll(np.arange(3), j % 3)]
        data[f"num{j:02d}"] = (factors @ loading + 0.6 * rng.normal(size=rows)) * (j + 1) + 50
    for j in range(12):
        if j < 6:
            noisy = factors[:, j % 3] + 0.5 * rng.normal(size=rows)  # cut from a factor
            cuts = np.quantile(noisy, [0.3, 0.7])
            data[f"cat{j:02d}"] = np.array(["a", "b", "c"])[np.searchsorted(cuts, noisy)]
        else:
            data[f"cat{j:02d}"] = rng.choice([f"k{k}" for k in range(j)], rows)
    data["cat11"] = np.where(factors[:, 0] + rng.normal(size=rows) > 0, "yes", "no")
    return pd.DataFrame(data).round(3)


def run_one(method: str, rows: int, epochs: int, folder: Path) -> dict:
    """One job in a fresh process; its timings and peak memory."""
    source = folder / f"table-{rows}.csv"
    if not source.exists():
        table(rows).to_csv(source, index=False)
    policy = _policy(folder, epochs)
    out = folder / f"out-{method}-{rows}"
    out.mkdir()
    command = [
        sys.executable, "-m", "kimed_demos.synthesis", "run", "--source", str(source),
        "--out", str(out), "--method", method, "--policy", str(policy), "--target", "cat11",
    ]  # fmt: skip
    start, cpu_before = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu_before
    if done.returncode not in (0, 3):
        raise SystemExit(f"{method} at {rows} rows crashed:\n{done.stderr}")
    report = json.loads((out / "report.json").read_text())
    return {"method": method, "rows": rows, "columns": len(report["columns"]),
            "epochs": epochs if method == "tvae" else None, "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            **{f"{k}_s": v for k, v in report["timings_s"].items()},
            "peak_mb": report["peak_memory_mb"], "passed": report["passed"],
            "failures": report["failures"]}  # fmt: skip


def _children_cpu() -> float:
    """CPU seconds (user + system) of finished child processes: on a shared machine the
    wall time includes waiting for the CPU, this does not."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _policy(folder: Path, epochs: int) -> Path:
    """The reviewed policy with only the TVAE's epochs changed (the bench's budget)."""
    target = folder / f"policy-{epochs}"
    if not target.exists():
        (target / "schemas").mkdir(parents=True)
        policy = yaml.safe_load(POLICY.read_text())
        policy["methods"]["tvae"]["epochs"] = epochs
        (target / "synthesis.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True))
        schema = POLICY.parent / "schemas" / "synthesis.schema.json"
        (target / "schemas" / schema.name).write_text(schema.read_text())
    return target / "synthesis.yaml"


def markdown(results: list[dict]) -> str:
    """The results as a markdown table."""
    lines = [
        "| method | rows x cols | epochs | wall s | CPU s | fit s | sample s | measure s "
        "| peak MB | passed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        measure = sum(r.get(f"{k}_s", 0.0) for k in ("fidelity", "utility", "privacy"))
        lines.append(
            f"| {r['method']} | {r['rows']:,} x {r['columns']} | {r['epochs'] or '-'} "
            f"| {r['wall_s']} | {r['cpu_s']} "
            f"| {r['fit_s']:.1f} | {r['sample_s']:.1f} | {measure:.1f} | {r['peak_mb']:.0f} "
            f"| {'yes' if r['passed'] else 'no: ' + ', '.join(r['failures'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run every method at every size, print the table, save the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--methods", nargs="+", default=["gaussian_copula", "cart", "tvae"])
    parser.add_argument("--tvae-epochs", type=int, nargs="+", default=[30, 5])
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-synthesis-") as tmp:
        for rows, epochs in zip(args.rows, args.tvae_epochs, strict=True):
            for method in args.methods:
                print(f"{method} at {rows:,} rows ...", file=sys.stderr, flush=True)
                results.append(run_one(method, rows, epochs, Path(tmp)))
                print(markdown(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    table_md = markdown(results)
    print(table_md)
    save_results("synthesis", results, table_md)


if __name__ == "__main__":
    main()
