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


def test_remove_duplicates_equals_presidio():
    """The engine's de-duplication keeps presidio's results and order (random results
    with many equal spans, scores and nested spans; the first of equal results kept)."""
    import random

    from presidio_analyzer import EntityRecognizer, RecognizerResult

    from kimed_demos.deid.engine import remove_duplicates

    rng = random.Random(11)
    for _ in range(300):
        results = []
        for i in range(rng.randint(0, 30)):
            start = rng.randint(0, 40)
            end = start + rng.randint(1, 8)
            kind, score = rng.choice(["PERSON", "DATE", "ID"]), rng.choice([0.0, 0.4, 0.6, 0.85])
            results.append(RecognizerResult(kind, start, end, score, None, {"n": i}))
        expected = EntityRecognizer.remove_duplicates(list(results))
        found = remove_duplicates(list(results))
        key = lambda r: (r.entity_type, r.start, r.end, r.score, r.recognition_metadata)  # noqa: E731
        assert [key(r) for r in found] == [key(r) for r in expected]
