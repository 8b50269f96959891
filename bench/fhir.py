"""FHIR import throughput and feasibility latency (MII core-dataset data).

    .venv/bin/python bench/fhir.py [--resources 100000 1000000] [--workers 2]
                                   [--feasibility-patients 100000] [--queries 100]

For each size: fictional MII data (``kimed_hub.interop.generate``, about 21 resources per
patient) is generated into a temporary folder, then imported in a child process
(``import_fhir``, FHIR R4 validation with fhir.resources and the MII checks on every
resource) so that its peak memory (max RSS of the importer and its workers) is its own.
Targets: >= 20,000 resources/s, <= 1 GB peak. Feasibility: ``--feasibility-patients``
patients are generated and imported, the tables loaded once, then ``--queries`` queries
(inclusion/exclusion criteria from codes, lab values with time windows and age) are timed
through ``Feasibility.count`` (engine, protection, audit event, quota); target p95 <=
200 ms. Prints a markdown table; nothing is written outside the temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

RESOURCES_PER_PATIENT = 21.5
IMPORT = """
import sys, time, resource
from pathlib import Path
from kimed_hub.interop.importer import import_fhir
if __name__ == "__main__":
    started = time.perf_counter()
    source, root, workers = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    result = import_fhir(source, "bench", root=root, workers=workers, progress=False)
    took = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(result.manifest["resources"], took, own, kids)
"""


def bench_import(resources: int, workers: int, tmp: Path) -> dict:
    from kimed_hub.interop.generate import generate_mii

    patients = max(1, round(resources / RESOURCES_PER_PATIENT))
    export = tmp / f"export-{resources}"
    generate_mii(export, patients=patients, seed=1)
    script = tmp / "import_child.py"
    script.write_text(IMPORT)
    out = subprocess.run(
        [sys.executable, str(script), str(export), str(tmp / f"ds-{resources}"), str(workers)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    count, took, own, kids = out.split()
    return {
        "resources": int(count),
        "seconds": float(took),
        "rate": int(count) / float(took),
        "peak_mb": max(int(own), int(kids)) / 1024,
    }


def _criteria(rng: random.Random) -> dict:
    low = rng.choice([6.0, 6.5, 7.0])
    hba1c = {
        "single": {
            "resource": "observation",
            "codes": {"system": "loinc", "codes": ["4548-4"]},
            "value": {"min": low, "unit": "%"},
        }
    }
    prefix = rng.choice(["E11", "I10", "I48", "N18", "J44"])
    dx = {
        "single": {
            "resource": "condition",
            "codes": {"system": "icd-10-gm", "prefixes": [prefix]},
            "period": {"from": f"{rng.randint(2016, 2020)}-01-01"},
        }
    }
    age = {"single": {"resource": "patient", "age": {"min": rng.randint(18, 70)}}}
    twice = {"count": {"of": "hba1c", "at_least": 2, "within_days": rng.choice([180, 365])}}
    drug = {
        "single": {
            "resource": "medication_statement",
            "codes": {"system": "atc", "prefixes": ["A10"]},
        }
    }
    return {
        "inclusion": {"hba1c": hba1c, "dx": dx, "age": age, "twice": twice},
        "exclusion": {"drug": drug},
        "reference_date": "2024-12-31",
    }


def bench_feasibility(patients: int, queries: int, workers: int, tmp: Path) -> dict:
    from kimed_hub.catalogue import CatalogueStore
    from kimed_hub.interop.feasibility import Feasibility, FeasibilityPolicy
    from kimed_hub.interop.generate import generate_mii
    from kimed_hub.interop.importer import import_fhir
    from kimed_hub.interop.phenotype_engine import ClinicalTables

    generate_mii(tmp / "feas", patients=patients, seed=2)
    folder = import_fhir(tmp / "feas", "feas", root=tmp / "ds-feas", workers=workers).folder
    tables = ClinicalTables.load(folder)
    policy = FeasibilityPolicy(10, 10, 3, queries + 1, 24)
    rng, times = random.Random(3), []
    with closing(CatalogueStore(f"sqlite:///{tmp / 'portal.sqlite'}")) as store:
        service = Feasibility(store, b"b" * 32, policy)
        for _ in range(queries):
            started = time.perf_counter()
            service.count("bench", "feas", tables, _criteria(rng))
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "patients": patients,
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resources", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--feasibility-patients", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kimed-bench-fhir-") as tmp:
        rows = [bench_import(n, args.workers, Path(tmp)) for n in args.resources]
        feas = bench_feasibility(args.feasibility_patients, args.queries, args.workers, Path(tmp))
    print(f"\nFHIR import ({args.workers} worker(s), {os.cpu_count()} CPUs)")
    print("| resources | seconds | resources/s (target >= 20,000) | peak MB (target <= 1,024) |")
    print("|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['resources']:,} | {r['seconds']:.1f} | {r['rate']:,.0f} | {r['peak_mb']:,.0f} |"
        )
    print(f"\nFeasibility on {feas['patients']:,} patients, {args.queries} queries")
    print("| p50 ms | p95 ms (target <= 200) |\n|---:|---:|")
    print(f"| {feas['p50']:.0f} | {feas['p95']:.0f} |")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(max RSS of this process: {rss:,.0f} MB)")


if __name__ == "__main__":
    main()
