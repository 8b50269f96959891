"""Throughput of German clinical de-identification on one CPU core, and its quality.

Measures letters per second for letters of about 1.45 KB (held-out letters joined
until they are that long) through: the full analyzer with the project's NER on the
batch path (the headline: what folders, the notebook and ``findings_many`` use) and one
letter per call, the pattern recognizers alone, the spaCy pipeline alone (spaCy's own
NER decoding, for comparison) and the anonymiser (surrogates, mask), then the
analyzer's CPU time stage by stage.
Prints markdown tables; ``--json PATH`` also
writes the figures. ``--eval FOLDER`` prints the issue-11 scorecard for annotated
JSONL documents instead (``--eval default``: the independent evaluation set).

    .venv/bin/python bench/deid.py                  # default model, 300 letters
    .venv/bin/python bench/deid.py --documents 100 --model-dir /path/to/model
    .venv/bin/python bench/deid.py --eval default   # headline quality figures
    .venv/bin/python bench/deid.py --patterns 15    # the costliest recognizer patterns

The process pins itself to one core (Linux ``sched_setaffinity``) and keeps numeric
libraries single-threaded, so the figure is "per core".
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy is imported: one core means one thread

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from kimed_demos.deid import (  # noqa: E402
    AnonymizationConfig,
    Anonymizer,
    Deidentifier,
    ensure_model,
    generate_corpus,
    load_pipeline,
)

TARGET = 200.0  # letters per second per core (issue 11)
LETTER_CHARS = 1450  # the letter size


def pin_to_one_core() -> str:
    """Restrict this process to its first allowed core; say which (or why not)."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this OS)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


def timed(label: str, n: int, work) -> dict:
    """Run ``work()`` once; its throughput by wall clock and by this process's CPU time.

    On a shared machine other processes take turns on the pinned core: wall-clock
    throughput then understates what the core does, CPU time does not.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"stage": label, "documents": n, "seconds": wall, "cpu_seconds": cpu,
            "docs_per_s": n / wall, "docs_per_cpu_s": n / cpu}  # fmt: skip


def letters(n: int, size: int = LETTER_CHARS, seed: int = 4242) -> list[str]:
    """``n`` letters of about ``size`` characters: held-out letters joined in order, cut
    at the first line break after ``size``."""
    pool = iter(generate_corpus("heldout", n * 3, seed=seed))
    out = []
    while len(out) < n:
        text = next(pool).text
        while len(text) < size:
            text += "\n\n" + next(pool).text
        cut = text.find("\n", size)
        out.append(text if cut < 0 else text[:cut])
    return out


def run(documents: int, model_dir: str | None, batch_size: int) -> tuple[list[dict], dict]:
    """All measurements; returns the rows and facts about the run."""
    pinning = pin_to_one_core()
    model = Path(model_dir) if model_dir else ensure_model()
    texts = letters(documents)
    with_ner, patterns = Deidentifier(model, batch_size=batch_size), Deidentifier(None)
    nlp = load_pipeline(model)
    for deid in (with_ner, patterns):  # warm-up: regex compilation, first allocations
        deid.findings_many(texts[:10])
    spacy_only = lambda: list(nlp.pipe(texts, batch_size=batch_size))  # noqa: E731
    rows = [
        timed(f"**analyzer with NER, batches of {batch_size}** (folders, notebook)", documents,
              lambda: with_ner.findings_many(texts)),
        timed("analyzer with NER, one letter per call", documents,
              lambda: [with_ner.findings(t) for t in texts]),
        timed("patterns only (no NER), batches", documents,
              lambda: patterns.findings_many(texts)),
        timed("spaCy pipeline alone (spaCy's own NER decoding)", documents, spacy_only),
    ]  # fmt: skip
    found = with_ner.findings_many(texts)
    for operator in ("surrogate", "mask"):
        anonymizer = Anonymizer(AnonymizationConfig(default=operator))
        rows.append(
            timed(
                f"anonymiser ({operator})",
                documents,
                lambda a=anonymizer: [a.anonymize(t, f) for t, f in zip(texts, found, strict=True)],
            )
        )
    facts = {
        "pinning": pinning,
        "model": str(model),
        "mean_chars": round(statistics.mean(len(t) for t in texts)),
        "batch_size": batch_size,
        "target_docs_per_s": TARGET,
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    return rows, facts


def _cpu(work) -> float:
    """CPU seconds of ``work()``."""
    start = time.process_time()
    work()
    return time.process_time() - start


def stages(model: Path, texts: list[str], batch_size: int) -> list[tuple[str, float]]:
    """(stage, CPU seconds) of the analyzer with NER, stage by stage, on ``texts``.

    A fresh analyzer warmed up on other letters, as the "analyzer with NER" row's is.
    """
    from kimed_demos.deid.analyzer import lean_analyzer, resolve_overlaps
    from kimed_demos.deid.keeplist import keep_spans
    from kimed_demos.deid.ocr import text_for_analysis

    deid = Deidentifier(model)
    deid.findings_many(letters(10, seed=99))  # word lists, regex compilation: once per process
    lean = lean_analyzer(deid.analyzer)
    out, state = [], {}

    def step(label, work):
        start = time.process_time()
        result = work()
        out.append((label, time.process_time() - start))
        return result

    views = step("OCR repair (O for 0)", lambda: [text_for_analysis(t) for t in texts])
    docs = step(
        "spaCy tokenizer (its cache warmed)",
        lambda: [lean.nlp.make_doc(lean.tokenizer_cache.warm(v)) for v in views],
    )
    for name, component in lean.nlp.pipeline:
        state["docs"], state["component"] = docs, component
        pipe = getattr(component, "pipe", None)
        if name == "ner" and lean.fast_ner is not None:
            docs = step(
                "spaCy ner (its model, decoded by fastner.GreedyNer)",
                lambda: [
                    doc
                    for i in range(0, len(state["docs"]), batch_size)
                    for doc in lean.fast_ner(state["docs"][i : i + batch_size])
                ],
            )
        elif pipe is not None:
            docs = step(
                f"spaCy {name}", lambda p=pipe: list(p(state["docs"], batch_size=batch_size))
            )
        else:
            docs = step(f"spaCy {name}", lambda c=component: [c(d) for d in state["docs"]])
    pairs = list(zip(views, docs, strict=True))
    results = step("recognizers, context words", lambda: [lean.analyze_doc(v, d) for v, d in pairs])
    step("  of which in the next row: keep list", lambda: [keep_spans(v) for v in views])
    step(
        "second stage (keep list, names, merge)",
        lambda: [resolve_overlaps(r, v) for r, v in zip(results, views, strict=True)],
    )
    return out


def stage_markdown(rows: list[tuple[str, float]], n: int) -> str:
    """The per-stage table: CPU ms per letter and share of the stages' sum."""
    total = sum(seconds for stage, seconds in rows if not stage.startswith("  "))
    lines = ["| stage (analyzer with NER) | CPU ms/letter | share |", "|---|---:|---:|"]
    for stage, seconds in rows:
        lines.append(f"| {stage} | {1000 * seconds / n:.2f} | {seconds / total:.0%} |")
    lines.append(f"| sum | {1000 * total / n:.2f} | 100% |")
    return "\n".join(lines)


def markdown(rows: list[dict], facts: dict) -> str:
    """The results as a markdown table with a one-line header of facts."""
    lines = [
        f"letters: {rows[0]['documents']} (held-out letters joined), "
        f"mean {facts['mean_chars']} characters; "
        f"{facts['pinning']}; batch size {facts['batch_size']}; target {TARGET:.0f} letters/s; "
        f"load average {facts['load_average']}",
        "",
        "| stage | letters/s (wall) | letters/CPU-s | CPU ms/letter | meets target (CPU) |",
        "|---|---:|---:|---:|---|",
    ]
    for r in rows:
        ok = "yes" if r["docs_per_cpu_s"] >= TARGET else "no"
        lines.append(
            f"| {r['stage']} | {r['docs_per_s']:.0f} | {r['docs_per_cpu_s']:.0f} "
            f"| {1000 / r['docs_per_cpu_s']:.1f} | {ok} |"
        )
    return "\n".join(lines)


def pattern_costs(texts: list[str], top: int) -> str:
    """The costliest recognizer patterns as the lean analyzer runs them (cue included):
    CPU ms per letter and matches on ``texts``, a markdown table of the ``top`` ones."""
    from kimed_demos.deid.analyzer import lean_analyzer
    from kimed_demos.deid.ocr import text_for_analysis

    lean = lean_analyzer(Deidentifier(None).analyzer)
    views = [text_for_analysis(t) for t in texts]
    rows = []
    cues = lean.scanner.cues
    for rec in lean.scanner.recognizers:
        named = zip(rec.rows, rec.recognizer.patterns, strict=True)
        for (regex, _, cue), pattern in named:
            start, found = time.process_time(), 0
            for view in views:
                if cue < 0 or cues[cue].search(view) is not None:
                    found += sum(1 for _ in regex.finditer(view, timeout=lean.timeout))
            seconds = time.process_time() - start
            rows.append((seconds, f"{rec.recognizer.name} / {pattern.name}", found))
    total = 1000 * sum(r[0] for r in rows) / len(texts)
    lines = [
        f"{len(rows)} patterns, {total:.2f} CPU ms per letter in all; the {top} costliest:",
        "",
        "| recognizer / pattern | CPU ms/letter | matches |",
        "|---|---:|---:|",
    ]
    for seconds, name, found in sorted(rows, reverse=True)[:top]:
        lines.append(f"| {name} | {1000 * seconds / len(texts):.3f} | {found} |")
    return "\n".join(lines)


def scorecard_table(folder: str, model_dir: str | None, age_policy: str) -> str:
    """The issue-11 table for ``folder`` with the default (or given) model."""
    from kimed_demos.deid.evalset import EVAL_DIR
    from kimed_demos.deid.scorecard import evaluate_folder

    model = Path(model_dir) if model_dir else ensure_model()
    deid = Deidentifier(model, age_policy=age_policy)
    card = evaluate_folder(EVAL_DIR if folder == "default" else folder, deid, age_policy)
    return card.to_markdown()


def main() -> None:
    """Parse arguments, measure, print the table (and write JSON if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--model-dir", default=None, help="trained model folder (default: cache)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--json", default=None, help="also write the results to this file")
    parser.add_argument("--eval", default=None, metavar="FOLDER",
                        help="print the scorecard for annotated *.jsonl in FOLDER ('default': "
                             "the independent evaluation set) and exit")  # fmt: skip
    parser.add_argument("--age-policy", default="over89", choices=("over89", "all"))
    parser.add_argument("--patterns", type=int, default=0, metavar="N",
                        help="print the N costliest recognizer patterns and exit")  # fmt: skip
    args = parser.parse_args()
    if args.eval:
        print(scorecard_table(args.eval, args.model_dir, args.age_policy))
        return
    if args.patterns:
        print(pin_to_one_core())
        print(pattern_costs(letters(args.documents), args.patterns))
        return
    rows, facts = run(args.documents, args.model_dir, args.batch_size)
    print(markdown(rows, facts))
    model = Path(facts["model"])
    per_stage = stages(model, letters(args.documents), args.batch_size)
    print()
    print(stage_markdown(per_stage, args.documents))
    facts["stages_cpu_seconds"] = dict(per_stage)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"facts": facts, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
