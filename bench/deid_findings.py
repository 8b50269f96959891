"""Dump every de-identification finding, or compare against an earlier dump.

A speed change to the de-identification must not change what is found. This writes
the findings of the default model and of the rules alone (batch path, and one letter
per call for the model) on the ten evaluation sets and the 300 bench letters to a
JSON file; ``--compare`` reads an earlier dump and lists every document whose findings
differ (exit status 1 if any do).

    .venv/bin/python bench/deid_findings.py /tmp/before.json           # before a change
    .venv/bin/python bench/deid_findings.py /tmp/after.json --compare /tmp/before.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from deid import letters  # bench/deid.py: the same 300 letters
from tqdm.auto import tqdm

from kimed_demos.deid import Deidentifier, ensure_model
from kimed_demos.deid.evalset import (
    EVAL2_DIR,
    EVAL3_DIR,
    EVAL4_DIR,
    EVAL5_DIR,
    EVAL6_DIR,
    EVAL7_DIR,
    EVAL8_DIR,
    EVAL9_DIR,
    EVAL10_DIR,
    EVAL_DIR,
    read_jsonl_folder,
)


def corpora(documents: int) -> dict[str, list[str]]:
    """Name -> texts: the ten evaluation sets and the bench letters."""
    folders = (EVAL_DIR, EVAL2_DIR, EVAL3_DIR, EVAL4_DIR, EVAL5_DIR, EVAL6_DIR, EVAL7_DIR)
    folders += (EVAL8_DIR, EVAL9_DIR, EVAL10_DIR)
    sets = {p.name: [d.text for d in read_jsonl_folder(p)] for p in folders}
    sets["bench"] = letters(documents)
    return sets


def _row(f) -> list:
    """A finding as a JSON row (score kept exactly, as its repr)."""
    return [f.start, f.end, f.entity_type, repr(f.score)]


def dump(documents: int) -> dict[str, list]:
    """Key (analyzer/corpus/path) -> findings per text, as lists of lists."""
    model = Deidentifier(ensure_model())
    rules = Deidentifier(None)
    out = {}
    for name, texts in tqdm(corpora(documents).items(), desc="corpora"):
        for label, deid in (("model", model), ("rules", rules)):
            out[f"{label}/{name}/batch"] = [
                [_row(f) for f in fs] for fs in deid.findings_many(texts)
            ]
        out[f"model/{name}/single"] = [[_row(f) for f in model.findings(t)] for t in texts]
    return out


def compare(now: dict, before: dict) -> list[str]:
    """One line per (key, document) whose findings differ between the dumps."""
    lines = [f"{key}: missing in one dump" for key in sorted(set(now) ^ set(before))]
    for key in sorted(set(now) & set(before)):
        for i, (a, b) in enumerate(zip(now[key], before[key], strict=True)):
            if a != b:
                gone = [f for f in b if f not in a]
                new = [f for f in a if f not in b]
                lines.append(f"{key}[{i}]: now lost {gone}, now new {new}")
    return lines


def main() -> int:
    """Write the dump; compare when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="JSON file to write")
    parser.add_argument("--compare", help="earlier dump to compare with")
    parser.add_argument("--documents", type=int, default=300, help="bench letters (default 300)")
    args = parser.parse_args()
    now = dump(args.documents)
    Path(args.out).write_text(json.dumps(now))
    total = sum(len(fs) for docs in now.values() for fs in docs)
    print(f"{len(now)} runs, {total} findings written to {args.out}")
    if not args.compare:
        return 0
    diff = compare(now, json.loads(Path(args.compare).read_text()))
    print("\n".join(diff[:50]) if diff else "identical to " + args.compare)
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
