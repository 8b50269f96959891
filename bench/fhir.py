"""FHIR import throughput and feasibility latency (MII core-dataset data).

    .venv/bin/python bench/fhir.py [--resources 100000 1000000] [--workers 2]
                                   [--modes sample all] [--feasibility-patients 100000]
                                   [--queries 100] [--source EXPORT_DIR] [--repeat N]

For each size: fictional MII data (``kimed_hub.interop.generate``, about 21 resources per
patient) is generated into a temporary folder, then imported in a child process
(``import_fhir``) once per validation mode so that its peak memory (max RSS of the
importer and its workers) and its CPU time are its own (on a shared machine the wall
time depends on the others' load, the CPU time much less: the table gives the load
average before and after each import, and CPU seconds per 10^5 resources). Modes: ``sample`` (the
default import: MII checks and the kept values' FHIR formats on every resource, the full
fhir.resources structure check on 1 in 20) and ``all`` (``--validate-all``:
fhir.resources on every resource). ``--own-medications`` also generates each size as DIZ
exports of the MII Medication module often are: every MedicationStatement and
MedicationAdministration names a Medication resource of its own (``generate_mii(...,
medications="per-statement")``: one per statement, the most there can be) by
``medicationReference``, which the import resolves across the files and joins into the
statement tables (the resource count then includes the Medications).
Targets: >= 20,000 resources/s, <= 1 GB peak. Feasibility: ``--feasibility-patients``
patients are generated and imported, the tables loaded once, then ``--queries`` queries
(inclusion/exclusion criteria from codes, lab values with time windows and age) are timed
through ``FeasibilityService.ask`` (the portal's call: consent-filtered population,
engine, protection, audit event, quota); target p95 <= 200 ms. ``--feasibility-patients
0`` skips it. Prints a markdown table; nothing is written outside the temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import date
from pathlib import Path

# This file is bench/fhir.py: with bench/ first on sys.path, the import workers (spawned
# processes inherit sys.path) would find it instead of the fhir.resources package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

RESOURCES_PER_PATIENT = 21.5
IMPORT = """
import sys, time, resource
from pathlib import Path
from kimed_hub.interop.importer import import_fhir
if __name__ == "__main__":
    started = time.perf_counter()
    source, root, workers = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    every = sys.argv[4] == "all"
    result = import_fhir(
        source, "bench", root=root, workers=workers, progress=False, validate_all=every
    )
    took = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(u.ru_utime + u.ru_stime for u in (own, kids))
    print(result.manifest["resources"], took, own.ru_maxrss, kids.ru_maxrss, cpu)
"""


def bench_import(
    resources: int,
    workers: int,
    modes: list[str],
    tmp: Path,
    source: Path | None = None,
    medications: bool = False,
) -> list[dict]:
    """One row per validation mode for ``resources`` generated resources (or for the
    export folder ``source``, kept); ``medications``: every drug a Medication resource of
    its own, one per statement."""
    from kimed_hub.interop.generate import generate_mii

    export = source or tmp / f"export-{resources}"
    if source is None:
        patients = max(1, round(resources / RESOURCES_PER_PATIENT))
        form = "per-statement" if medications else "codeable"
        generate_mii(export, patients=patients, seed=1, medications=form)
    script = tmp / "import_child.py"
    script.write_text(IMPORT)
    rows = []
    for mode in modes:
        target = tmp / f"ds-{resources}-{mode}"
        command = [sys.executable, str(script), str(export), str(target), str(workers), mode]
        load_before = os.getloadavg()[0]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        load = (load_before, os.getloadavg()[0])
        row = {"mode": mode, "load": load, "medications": medications}
        rows.append({**row, **_import_row(*out.split())})
        shutil.rmtree(target)
    if source is None:
        shutil.rmtree(export)
    return rows


def _import_row(count: str, took: str, own: str, kids: str, cpu: str) -> dict:
    return {
        "cpu_seconds": float(cpu),
        "cpu_per_1e5": float(cpu) * 100_000 / int(count),
        "per_cpu_second": int(count) / float(cpu),
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
    """Questions through the portal's library call (``FeasibilityService.ask``): the
    consent-filtered population (loaded once, as the portal keeps it), the engine, the
    protection, the quota count and the audit event on a SQLite catalogue."""
    from kimed_hub.catalogue import CatalogueStore
    from kimed_hub.interop.catalogue_record import update_catalogue
    from kimed_hub.interop.feasibility import FeasibilityPolicy
    from kimed_hub.interop.feasibility_service import FeasibilityService
    from kimed_hub.interop.generate import generate_mii
    from kimed_hub.interop.importer import import_fhir

    generate_mii(tmp / "feas", patients=patients, seed=2)
    dataset = "mii-demo"  # policies/mii-consent.yaml declares its use: consent applies
    result = import_fhir(tmp / "feas", dataset, root=tmp / "ds-feas", workers=workers)
    policy = FeasibilityPolicy(10, 10, 3, queries + 1, 24)
    rng, times, cpu = random.Random(3), [], []
    with closing(CatalogueStore(f"sqlite:///{tmp / 'portal.sqlite'}")) as store:
        update_catalogue(store, dataset, result.manifest, result.folder, "bench")
        service = FeasibilityService(store, tmp / "ds-feas", secret=b"b" * 32, policy=policy)
        started = time.perf_counter()
        service.tables(dataset, date.today())
        load = time.perf_counter() - started
        for _ in range(queries):
            started, started_cpu = time.perf_counter(), time.process_time()
            service.ask("bench", dataset, _criteria(rng))
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    cpu.sort()
    return {
        "patients": patients,
        "load_s": load,
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "cpu_p50": statistics.median(cpu),
        "cpu_p95": cpu[int(0.95 * (len(cpu) - 1))],
    }


def _import_table(rows: list[dict], workers: int) -> None:
    print(f"\nFHIR import ({workers} worker(s), {os.cpu_count()} CPUs)")
    print(
        "| resources | FHIR structure check | medications | load average (1 min, "
        "before-after) | wall s | resources/s (target >= 20,000) | CPU s "
        "| CPU s per 10^5 resources | resources per CPU-second | peak MB (target <= 1,024) |"
    )
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        check = "every resource" if r["mode"] == "all" else "1 in 20 (default)"
        drugs = "Medication resources" if r["medications"] else "in the statements"
        print(
            f"| {r['resources']:,} | {check} | {drugs} | {r['load'][0]:.1f}-{r['load'][1]:.1f} "
            f"| {r['seconds']:.1f} | {r['rate']:,.0f} | {r['cpu_seconds']:.1f} "
            f"| {r['cpu_per_1e5']:.2f} | {r['per_cpu_second']:,.0f} | {r['peak_mb']:,.0f} |"
        )
    print(
        "(CPU s: user + system time of the importer and its workers; on a machine shared "
        "with other work the wall-clock rate understates what the import does alone)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resources", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--modes", nargs="*", choices=["sample", "all"], default=["sample", "all"])
    parser.add_argument("--feasibility-patients", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument(
        "--source", type=Path, help="import this export folder instead of generated data"
    )
    parser.add_argument("--repeat", type=int, default=1, help="imports per size and mode")
    parser.add_argument(
        "--own-medications",
        action="store_true",
        help="also import each size with every drug as a Medication resource of its own",
    )
    args = parser.parse_args()
    sizes = [0] if args.source else args.resources
    with tempfile.TemporaryDirectory(prefix="kimed-bench-fhir-") as tmp:
        kinds = [False, True] if args.own_medications and not args.source else [False]
        rows = [
            r
            for n in sizes
            for own in kinds
            for _ in range(args.repeat)
            for r in bench_import(n, args.workers, args.modes, Path(tmp), args.source, own)
        ]
        feas = args.feasibility_patients and bench_feasibility(
            args.feasibility_patients, args.queries, args.workers, Path(tmp)
        )
    if rows:
        _import_table(rows, args.workers)
    if feas:
        print(f"\nFeasibility on {feas['patients']:,} patients, {args.queries} queries")
        print(
            "| tables loaded once (s) | p50 ms | p95 ms (target <= 200) | CPU ms p50 "
            "| CPU ms p95 |\n|---:|---:|---:|---:|---:|"
        )
        print(
            f"| {feas['load_s']:.1f} | {feas['p50']:.0f} | {feas['p95']:.0f} "
            f"| {feas['cpu_p50']:.0f} | {feas['cpu_p95']:.0f} |"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(max RSS of this process: {rss:,.0f} MB)")


if __name__ == "__main__":
    main()
