"""Catalogue search latency and import throughput at 1,000 / 100,000 / 1,000,000 records.

    .venv/bin/python bench/portal_search.py [--sizes 1000 100000] [--queries 200]
                                            [--database-url postgresql+psycopg://...]

For each size: a fresh catalogue (SQLite file in a temporary folder, or a PostgreSQL
database given by URL, which must be empty; it is emptied after each size) is filled
with generated records (``kimed_hub.catalogue.generated``, batches of 1,000; model checks,
no SHACL), then timed:
- ``text+2facets`` (the target: p95 < 50 ms at 100,000): a disease or body-site word
  plus a health-category and a modality selection, relevance order, with facet counts;
- ``browse`` (no filter, facet counts over everything), ``text`` alone, ``facet`` alone
  with a non-relevance sort, ``range`` (cohort size and age span).
The first query after the import builds the in-memory facet index; it is reported
separately (``index build``) and not part of the percentiles. Import throughput is
reported for the bulk path and, on the first 1,000 records, for the fully validated
path (SHACL on every record). Prints a markdown table and writes
bench/results/portal_search.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from tqdm import tqdm

from kimed_hub.catalogue.generated import CITIES, DISEASES, SITES, generate_datasets
from kimed_hub.catalogue.search import SearchQuery
from kimed_hub.catalogue.store import CatalogueStore
from kimed_hub.database import _SQLITE_FTS, dataset_content, datasets, metadata

RESULTS = Path(__file__).parent / "results"
CATEGORIES = ["EHRS", "RQSH", "HGPD", "HPML", "PGEH", "EMRD", "MRMR"]
MODALITIES = ["CT", "MR", "XR", "TABULAR", "TEXT", "SM", "GENOMICS", "ECG"]


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def words() -> list[str]:
    """Query words users would type: diseases and body sites in both languages, towns."""
    found = [w for pair in DISEASES + SITES for text in pair for w in text.split()]
    return sorted({w.lower().strip(":'s") for w in found + CITIES if len(w) > 3})


def workloads(rng: random.Random, n: int) -> dict[str, list[SearchQuery]]:
    """The query mixes, ``n`` queries each (distinct, so no cache could help)."""
    vocabulary = words()

    def two_facets() -> dict:
        """A health-category and a modality selection."""
        return {"health_category": (rng.choice(CATEGORIES),), "modality": (rng.choice(MODALITIES),)}

    return {
        "text+2facets": [
            SearchQuery(text=rng.choice(vocabulary), facets=two_facets()) for _ in range(n)
        ],
        "browse": [SearchQuery(page=rng.randint(1, 5)) for _ in range(max(20, n // 5))],
        "text": [SearchQuery(text=rng.choice(vocabulary)) for _ in range(n)],
        "facet": [
            SearchQuery(
                facets={"modality": (rng.choice(MODALITIES),)},
                sort=rng.choice(["title", "size", "modified"]),
            )
            for _ in range(n)
        ],
        "range": [
            SearchQuery(
                cohort_size=(rng.choice([100, 1000, 10_000]), None), age=(rng.randint(0, 60), None)
            )
            for _ in range(max(20, n // 5))
        ],
    }


def fill(store: CatalogueStore, size: int) -> dict:
    """Import ``size`` generated records; the first 1,000 fully validated (SHACL)."""
    validated = min(size, 1000)
    began = started = time.perf_counter()
    store.add_datasets(generate_datasets(validated), actor="bench", shacl=True, batch=250)
    shacl_rate = validated / (time.perf_counter() - started)
    rest = size - validated
    started = time.perf_counter()
    with tqdm(total=rest, desc=f"import {size:,}", unit="rec", disable=rest == 0) as bar:
        for chunk_start in range(validated, size, 10_000):
            count = min(10_000, size - chunk_start)
            store.add_datasets(
                generate_datasets(count, start=chunk_start), actor="bench", shacl=False, batch=1000
            )
            bar.update(count)
    bulk_rate = rest / (time.perf_counter() - started) if rest else None
    return {
        "import_validated_records_per_s": shacl_rate,
        "import_bulk_records_per_s": bulk_rate,
        "import_s": time.perf_counter() - began,
    }


def replicate(store: CatalogueStore, copies: int) -> float:
    """Copy every stored dataset ``copies`` times under new identifiers and keys, in SQL
    (the full-text triggers index each copy as for any insert); return the seconds taken.

    For the 10^6 size on this shared 2-core machine: generating and checking a million
    records in Python takes hours under load, SQL copies of 10^5 take minutes. Every copy
    is a distinct row with its own key, so text matches, facet counts and range filters
    cost what they cost for 10^6 generated records (the same value distributions).
    """
    started = time.perf_counter()
    with store.db.write() as conn:
        top = conn.exec_driver_sql("SELECT max(pk) FROM portal_datasets").scalar()
    columns = [c.name for c in datasets.columns if c.name not in ("pk", "identifier")]
    plain = ", ".join(c for c in columns if c != "source_identifier")
    texts = ", ".join(c.name for c in dataset_content.columns if c.name != "dataset_pk")
    new_id = "identifier || '-c' || :k"
    doc = (  # the record's own identifier follows its row's
        f"json_set(document, '$.identifier', d.{new_id})"
        if store.backend == "sqlite"
        else f"jsonb_set(document::jsonb, '{{identifier}}', to_jsonb(d.{new_id}))::text"
    )
    statements = [
        f"INSERT INTO portal_datasets (pk, identifier, source_identifier, {plain}) "
        f"SELECT pk + :shift, {new_id}, source_identifier || '-c' || :k, {plain} "
        "FROM portal_datasets WHERE pk <= :top",
        "INSERT INTO portal_dataset_documents (dataset_pk, document) "
        f"SELECT dataset_pk + :shift, {doc} FROM portal_dataset_documents o "
        "JOIN portal_datasets d ON d.pk = o.dataset_pk WHERE d.pk <= :top",
        f"INSERT INTO portal_dataset_content (dataset_pk, {texts}) "
        f"SELECT dataset_pk + :shift, {texts} FROM portal_dataset_content "
        "WHERE dataset_pk <= :top",
        "INSERT INTO portal_dataset_facets (dataset_pk, facet, value) "
        "SELECT dataset_pk + :shift, facet, value FROM portal_dataset_facets "
        "WHERE dataset_pk <= :top",
    ]
    with _bulk_text_index(store):
        for k in tqdm(range(1, copies + 1), desc="copies", unit="copy"):
            shift = {"k": str(k), "shift": k * top, "top": top}
            with store.db.write() as conn:  # one copy per transaction: a bounded WAL
                for sql in statements:
                    conn.execute(text(sql), shift)
    with store.db.write() as conn:
        conn.execute(text("UPDATE portal_search_state SET generation = generation + 1"))
        if store.backend == "postgresql":
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


@contextmanager
def _bulk_text_index(store: CatalogueStore):
    """SQLite: copy without the full-text triggers, then build the FTS5 index in one go
    (incremental inserts of 10^6 rows take hours here) and put the triggers back."""
    if store.backend != "sqlite":
        yield
        return
    triggers = ("portal_content_ai", "portal_content_ad", "portal_content_au")
    with store.db.write() as conn:
        for name in triggers:
            conn.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    with store.db.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO portal_datasets_fts(portal_datasets_fts) VALUES('rebuild')"
        )
        for sql in _SQLITE_FTS[1:]:
            conn.exec_driver_sql(sql)


def measure(store: CatalogueStore, n: int) -> dict:
    """Latency percentiles (ms) per workload, plus the index build on first use."""
    started = time.perf_counter()
    store.search(SearchQuery())
    results = {"index_build_s": time.perf_counter() - started}
    for name, queries in workloads(random.Random(42), n).items():
        store.search(queries[0])  # loads what this kind of query needs (orders, ranges)
        times, cpu = [], []
        for query in queries:
            started, used = time.perf_counter(), time.process_time()
            store.search(query)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        # CPU time of this process: on a shared, busy machine the wall time includes
        # waiting for a core; SQLite's work is in-process, PostgreSQL's server is not.
        results[name] = {
            "p50_ms": percentile(times, 0.5),
            "p95_ms": percentile(times, 0.95),
            "cpu_p50_ms": percentile(cpu, 0.5),
            "cpu_p95_ms": percentile(cpu, 0.95),
            "n": len(times),
        }
    return results


def run_size(
    size: int, queries: int, url: str | None, keep: Path | None = None, generate: int = 0
) -> dict:
    """Fill a fresh catalogue with ``size`` records and measure it.

    With ``keep`` (a folder), the catalogue is filled once and reused by later runs: the
    SQLite file ``keep/catalogue-<size>.sqlite``, or the given PostgreSQL database (not
    emptied afterwards); ``keep/<backend>-<size>.done`` records the import figures.
    """
    with tempfile.TemporaryDirectory(prefix="kimed-portal-bench-") as folder:
        path = (keep or Path(folder)) / f"catalogue-{size}.sqlite"
        store = CatalogueStore(url or f"sqlite:///{path}")
        done = (keep or Path(folder)) / f"{store.backend}-{size}.done"
        try:
            result = {"size": size, "backend": store.backend}
            if keep and done.exists():
                result |= json.loads(done.read_text())
            elif store.dataset_identifiers():
                raise SystemExit("the benchmark database must be empty")
            else:
                result |= build(store, size, generate)
                done.write_text(json.dumps(result))
            result |= measure(store, queries)
            # Peak resident memory of this process (import + in-memory search index).
            result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            result["load_average"] = os.getloadavg()
            return result
        finally:
            if url and not keep:  # leave the given database empty for the next size
                metadata.drop_all(store.db.engine)
            store.close()


def build(store: CatalogueStore, size: int, generate: int) -> dict:
    """Import ``size`` generated records, or ``generate`` of them and SQL copies."""
    if not generate or generate >= size:
        return fill(store, size)
    if size % generate:
        raise SystemExit(f"--generate {generate} must divide the size {size}")
    result = fill(store, generate) | {"generated": generate}
    result["copy_s"] = replicate(store, size // generate - 1)
    result["import_s"] += result["copy_s"]
    return result


def table(rows: list[dict]) -> str:
    """The results as a markdown table."""
    names = ["text+2facets", "browse", "text", "facet", "range"]
    head = "| records | backend | " + " | ".join(f"{n} p50 / p95 (ms)" for n in names)
    head += " | index build (s) | import bulk (rec/s) | import validated (rec/s) |"
    head += " load average |"
    lines = [head, "|" + "---|" * (len(names) + 6)]
    for r in rows:
        cells = [f"{r[n]['p50_ms']:.1f} / {r[n]['p95_ms']:.1f}" for n in names]
        bulk = f"{r['import_bulk_records_per_s']:.0f}" if r["import_bulk_records_per_s"] else "–"
        lines.append(
            f"| {r['size']:,} | {r['backend']} | "
            + " | ".join(cells)
            + f" | {r['index_build_s']:.1f} | {bulk} | {r['import_validated_records_per_s']:.0f} |"
            + f" {r['load_average'][0]:.1f} |"
        )
    lines.append("")
    lines.append(
        "CPU ms of the benchmark process, p50 / p95: "
        + "; ".join(
            f"{r['size']:,} {r['backend']}: "
            + ", ".join(f"{n} {r[n]['cpu_p50_ms']:.1f} / {r[n]['cpu_p95_ms']:.1f}" for n in names)
            for r in rows
        )
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    """Run the sizes given on the command line; print and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--queries", type=int, default=200, help="queries per workload")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument(
        "--keep", type=Path, help="a folder where SQLite catalogues are built once and reused"
    )
    parser.add_argument(
        "--generate",
        type=int,
        default=0,
        help="generate this many records per size and reach the size with SQL copies of them",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "portal_search.json")
    args = parser.parse_args(argv)
    rows = [
        run_size(size, args.queries, args.database_url, args.keep, args.generate)
        for size in args.sizes
    ]
    print(table(rows))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": _cpus()}
    args.output.write_text(json.dumps({"machine": machine, "results": rows}, indent=2) + "\n")
    return rows


def _cpus() -> int:
    """CPUs this process may use (the machine's size for the record)."""
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
