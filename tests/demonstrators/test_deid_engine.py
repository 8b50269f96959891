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


def _random_texts(texts: list[str], n: int, seed: int) -> list[str]:
    """``n`` texts spliced at random from pieces of ``texts`` (cut at any character),
    with digits, punctuation, line breaks and characters the prefilter cannot judge
    ("²", a combining mark) mixed in: material no rule was written for."""
    import random

    rng = random.Random(seed)
    extra = [*"0123456789.,:;-/()|·\n\t  ", "Nr. ", "Str. ", "Dr. ", "²", "a\u0308", "„", "’"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(3, 12)):
            text = rng.choice(texts)
            start = rng.randrange(len(text))
            parts.append(text[start : start + rng.randint(1, 200)])
            parts += rng.choices(extra, k=rng.randint(0, 3))
        out.append("".join(parts))
    return out


@pytest.fixture(scope="module")
def all_sets(texts):
    """The held-out letters, every evaluation set, and random texts spliced from them."""
    from kimed_demos.deid import evalset

    folders = [getattr(evalset, f"EVAL{n}_DIR") for n in range(4, 10)]
    sets = [d.text for folder in folders for d in read_jsonl_folder(folder)]
    return texts + sets + _random_texts(texts + sets, 400, seed=8)


def test_prefilter_never_drops_a_pattern_match(patterns_only, all_sets):
    """The scanner with the Hyperscan prefilter finds what it finds running every
    pattern, on all sets and 400 random texts; and it does skip patterns."""
    from kimed_demos.deid.analyzer import lean_analyzer
    from kimed_demos.deid.scanner import PatternScanner

    scanner = lean_analyzer(patterns_only.analyzer).scanner
    every = PatternScanner([r.recognizer for r in scanner.recognizers], prefilter=False)
    skipped, total = 0, sum(len(r.rows) for r in scanner.recognizers)
    for text in all_sets:
        assert scanner.scan(text, None) == every.scan(text, None), text[:80]
        possible = scanner.prefilter.candidates(text)
        skipped += 0 if possible is None else total - len(possible)
    assert skipped > 50 * len(all_sets)  # the prefilter is really in use


def test_keep_list_prefilter_finds_every_span(all_sets):
    """The keep list's prefiltered alternation finds the spans of the whole one."""
    from kimed_demos.deid.keeplist import _compiled

    expressions = _compiled()[1]
    reduced = 0
    for text in [*all_sets, *(t.lower() for t in all_sets[:100])]:
        whole = [m.span() for e in (expressions.whole, *expressions.labelled)
                 for m in e.finditer(text)]  # fmt: skip
        chosen = expressions.for_text(text)
        assert [m.span() for e in chosen for m in e.finditer(text)] == whole, text[:80]
        reduced += expressions.whole not in chosen
    assert reduced > len(all_sets) // 2


def test_prefilter_text_classes_agree_with_regex():
    """On every character the prefilter judges (not :data:`_UNSAFE`), Hyperscan and the
    ``regex`` module agree on the classes the patterns use; so a pattern's prefilter
    form matches wherever the pattern does. Outside those, texts skip the prefilter."""
    import hyperscan
    import regex

    from kimed_demos.deid.prefilter import _UNSAFE

    classes = [r"\w", r"\W", r"\s", r"\S", r"\d", r"\D", r"\p{L}", r"\p{Lu}", r"\p{Ll}",
               r"\P{L}", r"[^\w]", r"."]  # fmt: skip
    flags = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP | hyperscan.HS_FLAG_SINGLEMATCH
    safe = [chr(i) for i in range(0x2600) if not 0xD800 <= i < 0xE000]
    safe = [c for c in safe if not _UNSAFE.search(c)]
    assert len(safe) > 900 and "²" not in safe and "a" in safe
    for cls in classes:
        db = hyperscan.Database()
        db.compile(expressions=[f"^{cls}$".encode()], ids=[0], flags=[flags])
        wanted = regex.compile(cls)
        for char in safe:
            hit = []
            db.scan(char.encode(), match_event_handler=lambda *a, hit=hit: hit.append(1))
            assert bool(hit) == bool(wanted.fullmatch(char)), (cls, hex(ord(char)))


def test_prefilter_runs_what_it_cannot_judge(monkeypatch):
    """Patterns with constructs PCRE reads otherwise, or that Hyperscan rejects, always
    run; without the hyperscan package the error says what to install."""
    import sys

    import regex

    from kimed_demos.deid.prefilter import Prefilter, prefilter_form

    for pattern, flags in [(r"\mWort", 0), (r"a{,3}", 0), (r"(?i)name", 0), (r"[[:alpha:]]", 0),
                           (r"(?:Mayer){e<=1}", 0), ("Name", regex.IGNORECASE)]:  # fmt: skip
        assert prefilter_form(pattern, flags) is None, pattern
    assert prefilter_form(r"(?:Nr\.)\K\d+", regex.M) == r"(?:Nr\.)\d+"
    # Long bounded repeats are widened (a superset, compiled far faster); not in classes
    # or escaped braces.
    widened = prefilter_form(r"a[^\n]{0,40}b[{0,40}]\{0,40}c{1,3}[]{0,40}]d{2,12}?", 0)
    assert widened == r"a[^\n]{0,}b[{0,40}]\{0,40}c{1,3}[]{0,40}]d{2,}?"
    prefilter = Prefilter([(r"\bNr\.\s\d+", regex.M), (r"\p{NoSuchProperty}b", 0), (r"x{,2}", 0)])
    assert prefilter.always == {1, 2}
    assert prefilter.candidates("Nr. 12") == {0, 1, 2}
    assert prefilter.candidates("ohne") == {1, 2}
    assert prefilter.candidates("Fläche 3 m²") is None
    monkeypatch.setitem(sys.modules, "hyperscan", None)
    with pytest.raises(ImportError, match="pip install hyperscan==0.9.1"):
        Prefilter([("a", 0)])
