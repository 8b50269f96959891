"""A lean batch path through the same recognizers as presidio's ``AnalyzerEngine``.

Profiling the analyzer on 1.45 KB letters (cProfile, bench/deid.py) showed that most
of the time went into presidio's bookkeeping rather than into finding anything: an
explanation object and two ``datetime.now()`` calls per pattern match, a deep copy of
every result for the context enhancer, a linear ``list`` search per token for context
keywords, and a stop-word lookup that adds every unseen word to spaCy's vocabulary.
:class:`LeanAnalyzer` runs the *same* recognizer objects, patterns, scores, context
words, threshold and duplicate removal, in the same order, without that overhead:

1. spaCy (``nlp.pipe``) once per batch: tokens, lower-case lemmas, the model's entities;
2. every pattern of every pattern recognizer (their compiled regexes, presidio's
   timeout as one CPU budget per letter where possible (:mod:`.budget`),
   ``validate_result``/``invalidate_result``, per-recognizer de-duplication);
   other recognizers (the phone-number one) through their own ``analyze``;
3. presidio's lemma context rule: a recognizer's context word that is a substring of
   one of the ``prefix + 1`` keywords before the match (and the match's own token)
   raises the score by ``factor``, at least to ``min_score``;
4. the score threshold and presidio's ``remove_duplicates``.

A test (tests/demonstrators/test_deid_engine.py) holds its results equal to
``AnalyzerEngine.analyze`` on held-out letters and both evaluation sets.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence

from presidio_analyzer import EntityRecognizer, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from spacy.attrs import IDX, LEMMA
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from .budget import BudgetExceeded, letter_budget
from .entities import NER_LABELS
from .fastner import GreedyNer
from .scanner import PatternScanner, fast_form

__all__ = ["LeanAnalyzer", "TokenizerCache", "fast_form", "is_punct"]

_WHITESPACE = re.compile(r"\s+")
_NAME, _ID = RecognizerResult.RECOGNIZER_NAME_KEY, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
_MAX_SCORE = EntityRecognizer.MAX_SCORE


@functools.lru_cache(maxsize=4096)
def is_punct(word: str) -> bool:
    """Every character is Unicode punctuation (what spaCy's ``is_punct`` means)."""
    return bool(word) and all(unicodedata.category(ch).startswith("P") for ch in word)


class TokenizerCache:
    """Makes spaCy's tokenizer cache work for whole letters; the tokens stay spaCy's own.

    spaCy caches the tokens of each whitespace-separated piece of a text, but once one
    piece of a text needed a special case ("Dr.", "z.B."), it caches no further piece of
    that text (spaCy issue #1250, one flag per text). In letters that happens early, so
    nearly every piece was split by the affix rules again: 1.8 ms of 2 ms per letter
    (bench/deid.py). Tokenizing each piece not seen before on its own first stores it in
    spaCy's cache (one flag per piece); the call on the whole text then finds it there.
    The tokens are what spaCy makes of the text: the cache holds spaCy's own results.
    """

    #: Pieces remembered before the set starts again (spaCy's own cache stays).
    MAX_SEEN = 500_000

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.seen: set[str] = set()

    def warm(self, text: str) -> str:
        """Put the pieces of ``text`` not seen before into spaCy's cache; return ``text``."""
        if len(self.seen) > self.MAX_SEEN:
            self.seen.clear()
        seen, tokenize = self.seen, self.tokenizer
        for piece in text.split():
            if piece not in seen:
                seen.add(piece)
                tokenize(piece)
        # Runs of whitespace other than one space are pieces too ("\n\n", "  ");
        # spaCy drops a leading space of a run after a word, so both forms go in.
        for run in _WHITESPACE.findall(text):
            if run not in seen:
                seen.add(run)
                tokenize(run)
                if len(run) > 1:
                    tokenize(run[1:])
        return text


class LeanAnalyzer:
    """Findings of presidio's analyzer for many texts, computed without its overhead.

    ``nlp``: the spaCy pipeline (tokenizer, lemma component, optionally NER);
    ``recognizers``: the registry's recognizers; the remaining arguments are those of
    ``AnalyzerEngine`` and ``LemmaContextAwareEnhancer`` (see :mod:`.analyzer`).
    """

    #: Distinct lemmas remembered by :meth:`_keywords` before it starts again.
    MAX_LEMMAS = 200_000

    def __init__(self, nlp: Language, recognizers: Sequence[EntityRecognizer], *,
                 threshold: float, ner_score: float, factor: float, min_score: float,
                 prefix: int, suffix: int):  # fmt: skip
        from presidio_analyzer.pattern_recognizer import REGEX_TIMEOUT_SECONDS

        self.nlp, self.threshold, self.ner_score = nlp, threshold, ner_score
        self.factor, self.min_score, self.prefix, self.suffix = factor, min_score, prefix, suffix
        self.timeout = REGEX_TIMEOUT_SECONDS
        #: CPU seconds a letter's pattern scan may take before it is redone with
        #: ``timeout`` on every regex call (:mod:`.budget`).
        self.budget = float(REGEX_TIMEOUT_SECONDS)
        self.entities = sorted({e for r in recognizers for e in r.supported_entities})
        self.ner = next((r for r in recognizers if isinstance(r, SpacyRecognizer)), None)
        self.scanner = PatternScanner(
            [r for r in recognizers if type(r).analyze is PatternRecognizer.analyze]
        )
        plain = [r for r in recognizers if r is not self.ner]
        self.others = [r for r in plain if type(r).analyze is not PatternRecognizer.analyze]
        self.context = {r.id: [w.lower() for w in r.context] for r in recognizers if r.context}
        self.stop_words = nlp.Defaults.stop_words
        self.tokenizer_cache = TokenizerCache(nlp.tokenizer)
        self.fast_ner = GreedyNer.for_pipeline(nlp)
        self._lemma_parts: dict[str, tuple[str, ...]] = {}
        #: Letters scanned under a letter budget rather than per-call timeouts (tests).
        self.budgeted = 0

    def analyze_many(self, texts: Sequence[str], batch_size: int = 32) -> Iterator[list]:
        """presidio-equivalent results for each text, in order (spaCy in batches)."""
        for text, doc in zip(texts, self.docs(texts, batch_size), strict=True):
            yield self.analyze_doc(text, doc)

    def docs(self, texts: Sequence[str], batch_size: int = 32) -> Iterator[Doc]:
        """spaCy docs of ``texts``, in order: the pipeline's, with the NER decoded by
        :class:`~.fastner.GreedyNer` where it mirrors the model (same entities, faster)."""
        warmed = map(self.tokenizer_cache.warm, texts)
        if self.fast_ner is None:
            yield from self.nlp.pipe(warmed, batch_size=batch_size)
            return
        docs = self.nlp.pipe(warmed, batch_size=batch_size, disable=["ner"])
        for batch in minibatch(docs, batch_size):
            yield from self.fast_ner(batch)

    def analyze_doc(self, text: str, doc: Doc) -> list[RecognizerResult]:
        """Results for one text whose spaCy ``doc`` is already made."""
        results = self._ner_results(doc) + self._pattern_results(text)
        for recognizer in self.others:
            found = recognizer.analyze(text, self.entities, None) or []
            for r in found:  # as presidio's engine: every result names its recognizer
                r.recognition_metadata = r.recognition_metadata or {_NAME: recognizer.name}
                r.recognition_metadata.setdefault(_ID, recognizer.id)
            results += found
        if any(r.recognition_metadata[_ID] in self.context for r in results):
            self._enhance(doc, results)
        kept = [r for r in results if r.score >= self.threshold]
        return EntityRecognizer.remove_duplicates(kept)

    def _pattern_results(self, text: str) -> list[RecognizerResult]:
        """Every pattern recognizer's results: under one CPU budget for the letter
        where one can be armed (:mod:`.budget`), else, or if the letter exceeds it,
        with presidio's timeout on every regex call (the same results, slower)."""
        try:
            with letter_budget(self.budget) as armed:
                if armed:
                    self.budgeted += 1
                    return self._scan(text, None)
        except BudgetExceeded:
            self.budgeted -= 1
        return self._scan(text, self.timeout)

    def _scan(self, text: str, timeout: float | None) -> list[RecognizerResult]:
        """The compiled recognizers' results for ``text`` (``timeout`` per regex call)."""
        return self.scanner.scan(text, timeout)

    def _ner_results(self, doc: Doc) -> list[RecognizerResult]:
        """The model's entities of a supported type, at the engine's constant score."""
        if self.ner is None:
            return []
        meta = {_NAME: self.ner.name, _ID: self.ner.id}
        score = self.ner_score
        return [
            RecognizerResult(e.label_, e.start_char, e.end_char, score, None, dict(meta))
            for e in doc.ents
            if e.label_ in NER_LABELS
        ]

    def _enhance(self, doc: Doc, results: list[RecognizerResult]) -> None:
        """presidio's lemma context rule, applied in place to results with context words."""
        lemma_ids, offsets = doc.to_array([LEMMA, IDX]).T
        strings = doc.vocab.strings
        lemmas = [strings[int(i)] for i in lemma_ids]
        offsets = offsets.tolist()
        keywords = self._keywords(lemmas)
        for r in results:
            words = self.context.get(r.recognition_metadata[_ID])
            if not words or not lemmas:
                continue
            i = self._token_at(r.start, doc, offsets)
            around = self._words(i, -1, self.prefix, lemmas, keywords)
            around += self._words(i, 1, self.suffix, lemmas, keywords)
            if any(w in k for w in words for k in around):
                r.score = min(max(r.score + self.factor, self.min_score), _MAX_SCORE)

    def _keywords(self, lemmas: list[str]) -> set[str]:
        """presidio's keyword set: lower lemmas, no stop words or punctuation, split at ':'.

        Each distinct lemma is judged once per process, not once per token (speed).
        """
        if len(self._lemma_parts) > self.MAX_LEMMAS:
            self._lemma_parts.clear()
        words, known = set(), self._lemma_parts
        for lemma in set(lemmas):
            parts = known.get(lemma)
            if parts is None:
                parts = known[lemma] = self._keyword_parts(lemma)
            words.update(parts)
        return words

    def _keyword_parts(self, lemma: str) -> tuple[str, ...]:
        """What one lemma adds to the keyword set (nothing for stop words, punctuation)."""
        low = lemma.lower()
        if low in self.stop_words or is_punct(lemma) or lemma in ("-PRON-", "be"):
            return ()
        return tuple(low.split(":"))

    @staticmethod
    def _token_at(start: int, doc: Doc, offsets: list[int]) -> int:
        """Index of the first token that ends after ``start`` (presidio's rule)."""
        i = max(bisect.bisect_right(offsets, start) - 1, 0)
        if start >= offsets[i] + len(doc[i]) and i + 1 < len(offsets):
            i += 1
        return i

    @staticmethod
    def _words(i: int, step: int, n: int, lemmas: list[str], keywords: set[str]) -> list[str]:
        """Up to ``n + 1`` keyword lemmas from token ``i`` on in direction ``step``."""
        out, remaining = [], n + 1
        while 0 <= i < len(lemmas) and remaining > 0:
            low = lemmas[i].lower()
            if low in keywords:
                out.append(low)
                remaining -= 1
            i += step
        return out
