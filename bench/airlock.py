"""Time of the airlock's automated checks and its submit-to-checked latency.

    .venv/bin/python bench/airlock.py [--repeat 3]

Rows: ACRO checks (through ``kimed_demos.disclosure.check_my_table``) of microdata
tables of 10^3, 10^5 and 10^6 rows (counts by two columns, and a mean with dominance
rules); a 50-file request (create: snapshot of 50 CSV tables; submit: every file's
checks, to CHECKED and IN_REVIEW). ACRO's first import (about 3 s: statsmodels,
matplotlib) is timed apart, once per process. Target: a 10^6-row table in <= 2 s.
Each row gives the median wall time and the median CPU time of this process (on the
shared 2-core machine the wall time grows with the load; the CPU time much less), and the
table ends with the load average before and after the run. Prints a markdown table and
writes bench/results/airlock.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from results_io import save_results  # bench/results_io.py
from tqdm import tqdm

from kimed_demos.disclosure import load_acro

TARGET_SECONDS = 2.0


def microdata(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age_group": rng.choice([f"{a}-{a + 9}" for a in range(20, 90, 10)], rows),
            "sex": rng.choice(["f", "m"], rows),
            "cost": rng.gamma(2.0, 300.0, rows),
        }
    )


def timed(function, repeat: int) -> dict:
    """The median wall and CPU (this process, all threads) seconds of ``function()`` over
    ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return {"seconds": statistics.median(walls), "cpu_seconds": statistics.median(cpus)}


def table_rows(repeat: int) -> list[dict]:
    from kimed_demos.disclosure import check_my_table

    rows = []
    for size in tqdm((10**3, 10**5, 10**6), desc="tables"):
        data = microdata(size)
        counts = timed(lambda d=data: check_my_table(d, "age_group", "sex"), repeat)
        mean = timed(
            lambda d=data: check_my_table(d, "age_group", "sex", values="cost", aggfunc="mean"),
            repeat,
        )
        rows.append({"what": f"ACRO counts, {size:,} rows", **counts})
        rows.append({"what": f"ACRO mean + dominance, {size:,} rows", **mean})
    # The same 10^6 rows with categorical group columns, as a researcher can pass them
    # (the layer converts text columns itself; this shows what that conversion costs).
    data = microdata(10**6).astype({"age_group": "category", "sex": "category"})
    mean = timed(lambda: check_my_table(data, "age_group", "sex", values="cost"), repeat)
    rows.append({"what": "ACRO mean + dominance, 1,000,000 rows, categorical", **mean})
    return rows


def request_rows(repeat: int) -> list[dict]:
    """Create and submit a 50-file request on a throwaway portal database."""
    from kimed_hub.access import Actor
    from kimed_hub.airlock import REQUESTER, ExportRequests, HomeReader
    from kimed_hub.catalogue.store import CatalogueStore

    creates, submits = [], []  # (wall, cpu) per run
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        home = root / "home"
        home.mkdir()
        rng = np.random.default_rng(1)
        for i in range(50):
            counts = pd.DataFrame({"group": [f"g{j}" for j in range(40)]})
            counts["n"] = rng.integers(5, 500, 40)
            counts.to_csv(home / f"t{i}.csv", index=False)
        store = CatalogueStore(f"sqlite:///{root / 'portal.sqlite'}")
        airlock = ExportRequests(store, root / "airlock")
        actor = Actor.of("bench", REQUESTER)
        files = [f"t{i}.csv" for i in range(50)]
        for _ in tqdm(range(repeat), desc="50-file requests"):
            request = {}

            def create(request=request):
                text = "benchmark: fifty tables"
                request["id"] = airlock.create(actor, HomeReader(home), files, text).request_id

            creates.append(timed(create, 1))
            submits.append(timed(lambda request=request: airlock.submit(request["id"], actor), 1))
        store.close()
    return [
        {"what": "50-file request: create (snapshot)", **_medians(creates)},
        {"what": "50-file request: submit to CHECKED", **_medians(submits)},
    ]


def _medians(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    # The first import, timed on its own (the layer's import: ACRO and its quiet logging).
    first_import = timed(load_acro, 1)
    rows = [{"what": "ACRO first import (once per process)", **first_import}]
    rows += table_rows(args.repeat) + request_rows(args.repeat)
    load_after = os.getloadavg()
    lines = ["| what | wall s (median) | CPU s (median) |", "|---|---:|---:|"]
    lines += [f"| {r['what']} | {r['seconds']:.3f} | {r['cpu_seconds']:.3f} |" for r in rows]
    million = max(r["seconds"] for r in rows if "1,000,000" in r["what"])
    verdict = "meets" if million <= TARGET_SECONDS else "MISSES"
    lines.append(f"\n10^6 rows: {million:.2f} s, {verdict} the {TARGET_SECONDS:.0f} s target.")
    lines.append(
        f"Load average (1/5/15 min) before: {_load(load_before)}; after: {_load(load_after)} "
        f"on {os.cpu_count()} CPUs."
    )
    table = "\n".join(lines)
    print(table)
    save_results("airlock", rows, table)


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
