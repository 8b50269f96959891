"""The lean analyzer finds exactly what presidio's ``AnalyzerEngine`` finds.

``analyze_texts`` runs the recognizers through :class:`kimed_demos.deid.engine.LeanAnalyzer`
for speed; presidio's own ``analyze`` is kept as the reference. Both feed the same
second stage, so equal findings on many kinds of letters (held-out generator letters,
the three hand-written evaluation sets) show the shortcut changed the speed, not the
result. The lean path also decodes the NER with :class:`kimed_demos.deid.fastner.GreedyNer`
while presidio's runs spaCy's own parser, so this compares those two as well.
What this does not prove: equality on texts unlike these (the rules are the same code,
so a difference would come from presidio's bookkeeping, e.g. a future presidio release).
"""

from __future__ import annotations

import pytest

from kimed_demos.deid.analyzer import analyze_texts, analyze_texts_presidio
from kimed_demos.deid.evalset import EVAL2_DIR, EVAL3_DIR, EVAL_DIR, read_jsonl_folder


@pytest.fixture(scope="module")
def texts(heldout):
    """Held-out letters and the documents of the three evaluation sets."""
    sets = [
        d.text for folder in (EVAL_DIR, EVAL2_DIR, EVAL3_DIR) for d in read_jsonl_folder(folder)
    ]
    return [d.text for d in heldout[:40]] + sets


@pytest.mark.parametrize("which", ["deidentifier", "patterns_only"])
def test_lean_analyzer_equals_presidio(which, texts, request):
    analyzer = request.getfixturevalue(which).analyzer
    lean = analyze_texts(analyzer, texts, batch_size=8)
    reference = analyze_texts_presidio(analyzer, texts)
    differing = [i for i, (a, b) in enumerate(zip(lean, reference, strict=True)) if a != b]
    assert not differing, [(texts[i][:60], set(lean[i]) ^ set(reference[i])) for i in differing]
    assert sum(map(len, lean)) > 10 * len(texts)  # the comparison is not vacuous


def test_short_texts_with_and_without_context_words_agree(patterns_only):
    """Context words sit before the match or not at all; both paths score alike."""
    analyzer = patterns_only.analyzer
    for text in ("Anschrift: 34125 Kassel", "Wir messen 34125 Zellen"):
        assert analyze_texts(analyzer, [text]) == analyze_texts_presidio(analyzer, [text])


def test_tokenizer_cache_keeps_spacy_tokens(texts):
    """Warming spaCy's cache piece by piece changes how fast, not which tokens."""
    from kimed_demos.deid.engine import TokenizerCache
    from kimed_demos.deid.model import blank_pipeline

    plain, warmed = blank_pipeline().tokenizer, blank_pipeline().tokenizer
    cache = TokenizerCache(warmed)
    extra = ["  zwei Leerzeichen\n\n\tTab (Dr. med. Z.n. OP)  ", " \n Anfang mit Leerraum"]
    for text in [*texts, *extra, *texts]:  # twice: the second pass reads the cache
        expected = [(t.text, t.whitespace_) for t in plain(text)]
        assert [(t.text, t.whitespace_) for t in warmed(cache.warm(text))] == expected
    assert len(cache.seen) > 1000  # the cache was really used


def test_letter_budget_gives_the_per_call_timeout_results(patterns_only, texts, monkeypatch):
    """Scanning under one CPU budget per letter finds what per-call timeouts find; a
    letter past its budget is interrupted and scanned again the old way, same results."""
    from kimed_demos.deid import budget
    from kimed_demos.deid.analyzer import lean_analyzer

    lean = lean_analyzer(patterns_only.analyzer)
    sample = [*texts[:20], "\n\n".join(texts)]  # the last one takes ~0.1 CPU-s to scan
    reference = [lean._scan(t, lean.timeout) for t in sample]
    key = lambda rs: [(r.start, r.end, r.entity_type, r.score) for r in rs]  # noqa: E731
    before = lean.budgeted
    assert [key(lean._pattern_results(t)) for t in sample] == [key(r) for r in reference]
    assert lean.budgeted == before + len(sample)  # the budget was really armed
    monkeypatch.setattr(lean, "budget", 0.001)  # the long letter runs past its budget...
    redone = lean._pattern_results(sample[-1])
    assert lean.budgeted == before + len(sample)  # ...and was scanned again
    assert key(redone) == key(reference[-1])
    assert budget._free()  # the timer and the signal handler were given back


def test_no_budget_outside_the_main_thread():
    """Signals reach only the main thread: elsewhere the per-call timeout stays."""
    import threading

    from kimed_demos.deid.budget import letter_budget

    armed = []

    def work():
        with letter_budget(60) as on:
            armed.append(on)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert armed == [False]


def test_scanner_dedup_equals_presidio_remove_duplicates():
    """The scanner's de-duplication on tuples keeps what presidio's keeps, in its order
    (random overlapping, nested, equal and zero-width-apart spans of one type)."""
    import random

    from presidio_analyzer import EntityRecognizer, RecognizerResult

    from kimed_demos.deid.scanner import dedup

    rng = random.Random(11)
    for _ in range(300):
        spans = []
        for _ in range(rng.randint(2, 12)):
            start = rng.randint(0, 30)
            spans.append((start, start + rng.randint(1, 8), rng.choice((0.3, 0.5, 0.65, 1.0))))
        spans += rng.sample(spans, 2)  # exact duplicates
        objects = [RecognizerResult("PERSON", s, e, p) for s, e, p in spans]
        expected = [(r.start, r.end, r.score) for r in EntityRecognizer.remove_duplicates(objects)]
        assert dedup(spans) == expected, spans
