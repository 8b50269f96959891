"""Record linkage at the trust centre: 10^5 x 10^5 records, wall time, quality, memory.

Two generated holders (``kimed_hub.trust_centre.demo``: ``--persons`` each, a share
``--overlap`` of them seen by both, 10 % name typos, 5 % birth-date errors, 5 % moves)
are linked by each method, and the found pairs scored against the generator's truth:

* ``bloom``: Bloom-filter encodings made at each holder (timed apart: the holders' work),
  then LSH blocking and Dice matching at the trust centre (``bloom_match``);
* ``splink``: probabilistic linkage of the clear identifiers (Fellegi-Sunter, Splink on
  DuckDB), training included.

Each method runs in its own forked process, so its peak resident memory (generated data
included, as a real run would hold its deliveries) is its own. Prints a markdown table.

    .venv/bin/python bench/linkage.py                       # 10^5 x 10^5, both methods
    .venv/bin/python bench/linkage.py --persons 10000 --methods bloom
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import resource
import time

from kimed_hub.trust_centre.bloom import encode
from kimed_hub.trust_centre.bloom_match import match_encodings
from kimed_hub.trust_centre.demo import generate_holders, true_pairs
from kimed_hub.trust_centre.identifiers import IDAT_FIELDS, LOCAL_ID
from kimed_hub.trust_centre.matching import quality
from kimed_hub.trust_centre.policy import trust_centre_policy
from kimed_hub.trust_centre.probabilistic import link_clear

SECRET = b"bench-shared-secret-0123456789ab"


def _bloom(a, b, policy) -> dict:
    started = time.perf_counter()
    ea, eb = encode(a.idat, SECRET), encode(b.idat, SECRET)
    encoded = time.perf_counter()
    left, right, _ = match_encodings(ea, eb, policy.bloom_threshold)
    found = {(ea.ids[i], eb.ids[j]) for i, j in zip(left, right, strict=True)}
    return {"holders_s": encoded - started, "link_s": time.perf_counter() - encoded,
            "found": found}  # fmt: skip


def _splink(a, b, policy) -> dict:
    logging.getLogger("splink").setLevel(logging.ERROR)
    started = time.perf_counter()
    threshold = policy.probabilistic_threshold
    left, right, _ = link_clear(a.idat, b.idat, list(IDAT_FIELDS), threshold)
    ids_a, ids_b = a.idat[LOCAL_ID].to_numpy(), b.idat[LOCAL_ID].to_numpy()
    found = {(ids_a[i], ids_b[j]) for i, j in zip(left, right, strict=True)}
    return {"holders_s": 0.0, "link_s": time.perf_counter() - started, "found": found}


METHODS = {"bloom": _bloom, "splink": _splink}


def _child(method: str, a, b, queue) -> None:
    result = METHODS[method](a, b, trust_centre_policy())
    q = quality(result.pop("found"), true_pairs(a, b))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({**result, "precision": q.precision, "recall": q.recall, "f1": q.f1,
               "found": q.found, "true": q.true, "peak_mb": peak_mb})  # fmt: skip


def run(method: str, a, b) -> dict:
    """``method`` in a forked process; its figures."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(method, a, b, queue))
    process.start()
    figures = queue.get()
    process.join()
    return figures


def main() -> None:
    """Generate, link with each method, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000, help="records per holder")
    parser.add_argument("--overlap", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"generating 2 x {args.persons:,} records ...", flush=True)
    a, b = generate_holders(["klinikum-a", "praxisnetz-b"], args.persons, args.overlap, args.seed)
    print(f"  {time.perf_counter() - started:.1f} s", flush=True)
    rows = []
    for method in args.methods:
        print(f"linking with {method} ...", flush=True)
        rows.append((method, run(method, a, b)))
    size = f"{args.persons:,} x {args.persons:,}"
    print("\n| method | records | holders' encoding s | linkage s | precision | recall | F1 "
          "| peak MB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for method, f in rows:
        scores = f"{f['precision']:.4f} | {f['recall']:.4f} | {f['f1']:.4f}"
        print(f"| {method} | {size} | {f['holders_s']:.1f} | {f['link_s']:.1f} | {scores} | "
              f"{f['peak_mb']:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
