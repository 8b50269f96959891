"""Every pattern recognizer's patterns as one flat table, scanned once per letter.

The lean analyzer (:mod:`.engine`) used to keep one object per recognizer that built a
presidio ``RecognizerResult`` (with a copied metadata dict) for every match and ran
presidio's ``remove_duplicates`` on them (a set of f-string hashes, three sorts and a
``groupby``), recognizer by recognizer. :class:`PatternScanner` keeps the same
patterns, scores, cues, validators and the same per-recognizer de-duplication, but
works on ``(start, end, score)`` tuples and builds a result object only for what
survives. Same results in the same order (``test_deid_engine.py`` compares with
presidio's own path; ``bench/deid_findings.py`` compares every finding).

Measured and dropped (seventh speed round, ``bench/deid.py`` letters): the patterns
compiled together into one alternation. The ``regex`` engine then tries every
alternative at every position and loses its skip to a pattern's literal text or
leading digit: 3.5-4 times slower than the patterns one by one, for groups of 4, 16
or 48 patterns alike (and a ``\\K`` inside a lookahead, which would keep presidio's
overlapping matches, makes ``finditer`` loop until its timeout).

Eighth speed round: a Hyperscan pass per letter (:mod:`.prefilter`) says which patterns
can match at all; only those run (about 49 of 144 per bench letter, 26 of which match).
"""

from __future__ import annotations

from collections.abc import Sequence

import regex
from presidio_analyzer import EntityRecognizer, PatternRecognizer, RecognizerResult

from .recognizers import GermanPatternRecognizer

_NAME, _ID = RecognizerResult.RECOGNIZER_NAME_KEY, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
_MAX_SCORE = EntityRecognizer.MAX_SCORE


def fast_form(pattern: str) -> str:
    """``pattern`` with a leading lookbehind ``(?<=LABEL)VALUE`` written ``LABEL\\KVALUE``.

    Same matches (the match still starts after the label), but the regex engine no
    longer tries the variable-width lookbehind at every position of the text: for the
    labelled-number patterns that was 25 times slower (bench/deid.py, issue 11).
    """
    from .leading import closing

    if not pattern.startswith("(?<="):
        return pattern
    end = closing(pattern, 0)
    label, rest = pattern[4:end], pattern[end + 1 :]
    return pattern if "\\K" in label else f"(?:{label})\\K{rest}"


def dedup(spans: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """presidio's ``remove_duplicates`` for results of one entity type, on tuples.

    Equal results count once; a result inside another one of at least its score goes;
    the rest comes back in presidio's order (score down, start, longer first).
    """
    kept, active = [], []
    for span in sorted(set(spans), key=lambda s: (s[0], s[0] - s[1], -s[2])):
        start, end, score = span
        active = [a for a in active if a[1] >= start]
        if any(a[0] <= start and end <= a[1] and score <= a[2] for a in active):
            continue
        kept.append(span)
        active.append(span)
    return sorted(kept, key=lambda s: (-s[2], s[0], s[0] - s[1]))


class _Recognizer:
    """One pattern recognizer: its rows (regex, score, cue number) and result facts."""

    def __init__(self, recognizer: PatternRecognizer, cue_number, first: int):
        flags = recognizer.global_regex_flags
        #: The global number of this recognizer's first row (the prefilter's index).
        self.first = first
        cues = getattr(recognizer, "cues", {})
        self.recognizer = recognizer
        self.rows = [
            (regex.compile(fast_form(p.regex), flags=flags), p.score,
             cue_number(cues[p.name], flags) if p.name in cues else -1)
            for p in recognizer.patterns
        ]  # fmt: skip
        self.entity = recognizer.supported_entities[0]
        self.meta = {_NAME: recognizer.name, _ID: recognizer.id}
        self.check = _checker(recognizer)

    def spans(self, text: str, timeout: float | None, cued: list, cues: list,
              possible: set | None) -> list[tuple]:  # fmt: skip
        """(start, end, score) of every match of every row, scored as presidio scores it;
        ``cued[i]``: whether ``cues[i]`` occurs in ``text`` (None: not searched yet);
        ``possible``: the rows that can match (global numbers; None: all)."""
        out = []
        for number, (compiled, base, cue) in enumerate(self.rows, self.first):
            if possible is not None and number not in possible:
                continue
            if cue >= 0:
                if cued[cue] is None:
                    cued[cue] = cues[cue].search(text) is not None
                if not cued[cue]:
                    continue
            for match in compiled.finditer(text, timeout=timeout):
                start, end = match.span()
                if start != end:
                    score = base if self.check is None else self.check(text[start:end], base)
                    if score > 0.0:
                        out.append((start, end, score))
        return out


def _checker(recognizer: PatternRecognizer):
    """None if the recognizer changes no score, else ``(matched text, score) -> score``
    as presidio's ``validate_result``/``invalidate_result`` change it."""
    cls = type(recognizer)
    validates = cls.validate_result is not PatternRecognizer.validate_result
    invalidates = cls.invalidate_result is not PatternRecognizer.invalidate_result
    if cls.validate_result is GermanPatternRecognizer.validate_result and not invalidates:
        # Its validator only drops a match (see recognizers._checked); most have none.
        validator = recognizer._validator
        if validator is None:
            return None
        return lambda text, score: score if validator(text) else 0.0
    if not (validates or invalidates):
        return None

    def check(text: str, score: float) -> float:
        if validates:
            valid = recognizer.validate_result(text)
            if valid is not None:
                score = _MAX_SCORE if valid else 0.0
        if invalidates and recognizer.invalidate_result(text):
            score = 0.0
        return score

    return check


def _prefilter(recognizers: Sequence[PatternRecognizer]):
    """The :class:`~.prefilter.Prefilter` of every row of ``recognizers``, in order,
    its compiled databases cached in ``<demonstrators' cache>/hyperscan``."""
    from ..locations import cache_dir
    from .prefilter import Prefilter

    rows = [(fast_form(p.regex), r.global_regex_flags) for r in recognizers for p in r.patterns]
    return Prefilter(rows, cache_dir() / "hyperscan")


class PatternScanner:
    """The pattern recognizers of a registry, run as presidio's ``PatternRecognizer``
    runs them (every match of every pattern, per-recognizer de-duplication), faster.

    A pattern's cue (see :class:`~.recognizers.GermanPatternRecognizer`) is searched
    at most once per text, however many patterns share it; a pattern whose cue the
    text lacks is not run, nor one the :class:`~.prefilter.Prefilter` rules out
    (``prefilter=False``: every pattern runs, for comparisons).
    """

    def __init__(self, recognizers: Sequence[PatternRecognizer], prefilter: bool = True):
        self.cues: list = []
        numbers: dict = {}

        def cue_number(cue: str, flags) -> int:
            if (cue, flags) not in numbers:
                numbers[cue, flags] = len(self.cues)
                self.cues.append(regex.compile(cue, flags=flags))
            return numbers[cue, flags]

        self.recognizers, first = [], 0
        for recognizer in recognizers:
            self.recognizers.append(_Recognizer(recognizer, cue_number, first))
            first += len(recognizer.patterns)
        self.prefilter = _prefilter(recognizers) if prefilter else None

    def scan(self, text: str, timeout: float | None) -> list[RecognizerResult]:
        """Every recognizer's results for ``text``, in recognizer order (``timeout``
        on every regex call, None for none)."""
        cued, results = [None] * len(self.cues), []
        possible = None if self.prefilter is None else self.prefilter.candidates(text)
        for rec in self.recognizers:
            spans = rec.spans(text, timeout, cued, self.cues, possible)
            if len(spans) > 1:
                spans = dedup(spans)
            entity, meta = rec.entity, rec.meta
            results += [RecognizerResult(entity, s, e, p, None, dict(meta)) for s, e, p in spans]
        return results
