"""The presidio analyzer for German clinical text: NER model + German recognizers.

:func:`build_analyzer` wires presidio's ``AnalyzerEngine`` to the project's spaCy
pipeline (or to a tokenizer-only pipeline when no NER is wanted), the recognizers of
:mod:`.recognizers` and a lemma context enhancer. :func:`analyze_texts` runs it over
many texts with ``BatchAnalyzerEngine`` (spaCy's ``nlp.pipe`` underneath) and returns
non-overlapping :class:`Finding` lists, which is what anonymiser and evaluation need.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from pathlib import Path

from presidio_analyzer import (
    AnalyzerEngine,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from spacy.attrs import IDX, LEMMA
from spacy.language import Language
from spacy.tokens import Doc
from tqdm.auto import tqdm

from .abbreviations import abbreviation_findings
from .engine import LeanAnalyzer, is_punct
from .entities import NER_LABELS, Finding
from .keeplist import keep_spans
from .mentions import check_model_findings, complete_mentions, first_name_findings
from .model import blank_pipeline, load_pipeline
from .names_inverted import trim_keep_edges, unusual_name_findings, word_surname_findings
from .ocr import text_for_analysis
from .policy import DEFAULT_AGE_POLICY, check_age_policy
from .recognizers import LANGUAGE, german_recognizers
from .recognizers_extra import extra_recognizers
from .recognizers_structured import StructuredRecordRecognizer
from .recognizers_unusual import unusual_recognizers
from .spread import initials_findings, spread_mentions
from .towns import town_findings, towns_after_names

DEFAULT_THRESHOLD = 0.5
NER_RAW_SCORE = 0.52


class PipelineNlpEngine(SpacyNlpEngine):
    """presidio's spaCy engine over a pipeline object that is already built.

    ``SpacyNlpEngine.load`` resolves a model name and may try to download it; this
    engine never does, it uses the pipeline it was given.
    """

    def __init__(self, nlp: Language):
        mapping = {label: label for label in NER_LABELS}
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": "kimed-deid"}],
            # The model's raw score is a constant (spaCy NER has none); below every
            # pattern score, so presidio's de-duplication never lets a model span
            # swallow a pattern finding. The second stage (mentions.py) re-scores it.
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=mapping, default_score=NER_RAW_SCORE
            ),
        )
        self._pipeline = nlp

    def load(self) -> None:
        """Use the given pipeline for German."""
        self.nlp = {LANGUAGE: self._pipeline}

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        """As presidio's, but lemmas and offsets come from one array, not token by token."""
        lemma_ids, offsets = doc.to_array([LEMMA, IDX]).T
        entities, scores = self._get_updated_entities(
            self._get_entities(doc), self._get_scores_for_entities(doc)
        )
        return NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=offsets.tolist(),
            lemmas=[doc.vocab.strings[int(i)] for i in lemma_ids],
            nlp_engine=self,
            language=language,
            scores=scores,
        )

    def is_stopword(self, word: str, language: str) -> bool:
        """Stop word test on the language's list, without adding ``word`` to the vocab.

        presidio asks this for every lemma of every text; the default looks the word
        up in ``vocab``, which creates a lexeme per unseen word (slow, and it grows).
        """
        return word.lower() in self._pipeline.Defaults.stop_words

    def is_punct(self, word: str, language: str) -> bool:
        """True if every character of ``word`` is punctuation (no vocab lookup)."""
        return is_punct(word)


class TokenIndexContextEnhancer(LemmaContextAwareEnhancer):
    """presidio's lemma context enhancer with an O(log n) token lookup.

    The original walks the whole spaCy doc for every result to find the token at the
    result's start, which was a third of the analyzer's time on letters.
    """

    @staticmethod
    def _find_index_of_match_token(word, start, tokens, tokens_indices) -> int:
        """Index of the token that contains ``start`` (or the next token after a space)."""
        i = max(bisect.bisect_right(tokens_indices, start) - 1, 0)
        if start >= tokens_indices[i] + len(tokens[i]) and i + 1 < len(tokens_indices):
            i += 1
        return i

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        """As presidio's, but only results of recognizers that have context words go in.

        presidio deep-copies every result first; the model's and most patterns' results
        have nothing to gain, and copying them was a sixth of the analyzer's time.
        """
        with_context = {r.id for r in recognizers if r.context}
        key = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
        needs = [r for r in raw_results if (r.recognition_metadata or {}).get(key) in with_context]
        rest = [
            r for r in raw_results if (r.recognition_metadata or {}).get(key) not in with_context
        ]
        enhanced = super().enhance_using_context(text, needs, nlp_artifacts, recognizers, context)
        return rest + enhanced


def check_text(text, where: str = "text") -> str:
    """Return ``text`` if it is a non-empty str, else raise a ValueError saying why."""
    if not isinstance(text, str):
        raise ValueError(
            f"{where} must be a str, got {type(text).__name__}; "
            "decode bytes first (e.g. data.decode('utf-8'))"
        )
    if not text.strip():
        raise ValueError(f"{where} is empty: there is nothing to de-identify")
    return text


def build_analyzer(
    model: str | Path | Language | None,
    threshold: float = DEFAULT_THRESHOLD,
    age_policy: str = DEFAULT_AGE_POLICY,
) -> AnalyzerEngine:
    """An ``AnalyzerEngine`` for German with the project's recognizers.

    ``model`` is a pipeline folder from :func:`~.model.ensure_model`, a loaded
    pipeline, or None for patterns only (a tokenizer with lemmas, no NER).
    ``age_policy``: "over89" (default) or "all", see :mod:`.policy`.
    """
    check_age_policy(age_policy)
    if model is None:
        nlp = blank_pipeline()
    elif isinstance(model, Language):
        nlp = model
    else:
        nlp = load_pipeline(model)
    registry = RecognizerRegistry(
        recognizers=[
            *german_recognizers(age_policy),
            *extra_recognizers(),
            StructuredRecordRecognizer(age_policy),
            *unusual_recognizers(),
        ],
        supported_languages=[LANGUAGE],
    )
    if "ner" in nlp.pipe_names:
        registry.add_recognizer(
            SpacyRecognizer(supported_language=LANGUAGE, supported_entities=list(NER_LABELS))
        )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=PipelineNlpEngine(nlp),
        supported_languages=[LANGUAGE],
        default_score_threshold=threshold,
        context_aware_enhancer=TokenIndexContextEnhancer(
            context_similarity_factor=0.35,
            min_score_with_context_similarity=0.55,
            context_prefix_count=5,
            context_suffix_count=0,
        ),
    )


def _is_ner(result) -> bool:
    """True for a result of the spaCy NER (rather than of a pattern recognizer)."""
    meta = getattr(result, "recognition_metadata", None) or {}
    return meta.get("recognizer_name") == SpacyRecognizer.__name__


def _trim_ner(ner: Finding, patterns: list[Finding], text: str) -> list[Finding]:
    """The parts of a NER finding outside every pattern finding, stripped of spaces.

    The NER sometimes runs over a date or number ("MRT Schädel nativ am 24.03.2025"
    as a place); the pattern finding is more precise there and keeps its type.
    """
    pieces = [(ner.start, ner.end)]
    for p in patterns:
        pieces = [
            part
            for start, end in pieces
            for part in ((start, min(end, p.start)), (max(start, p.end), end))
            if part[0] < part[1]
        ]
    kept = []
    for start, end in pieces:
        chunk = text[start:end]
        stripped = chunk.strip(" \t\n,.;:-")
        if any(ch.isalnum() for ch in stripped):
            offset = start + chunk.index(stripped)
            kept.append(Finding(offset, offset + len(stripped), ner.entity_type, ner.score))
    return kept


def _merge(findings: Iterable[Finding]) -> list[Finding]:
    """Merge overlapping findings into one each, sorted by position.

    A merged finding covers the union of its parts, so nothing a recognizer flagged
    survives partly; it takes the type of the highest-scoring part (longer wins ties).
    """
    merged: list[Finding] = []
    best = (0.0, 0)
    for f in sorted(findings, key=lambda r: (r.start, -r.end)):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            kind, score = last.entity_type, last.score
            if (f.score, f.end - f.start) > best:
                best, kind, score = (f.score, f.end - f.start), f.entity_type, f.score
            merged[-1] = Finding(last.start, max(last.end, f.end), kind, score)
        else:
            best = (f.score, f.end - f.start)
            merged.append(f)
    return merged


WEAK_PATTERN_SCORE = 0.6


def _in_keep(f: Finding, keep: list[tuple[int, int]]) -> bool:
    """True if ``f`` lies inside one must-keep span."""
    return any(a <= f.start and f.end <= b for a, b in keep)


def resolve_overlaps(results: Iterable, text: str) -> list[Finding]:
    """Non-overlapping findings from presidio's results for ``text``.

    Pattern results take precedence inside their spans over the NER (see
    :func:`_trim_ner`); model findings then pass the second-stage check and names are
    completed and spread through the document (:mod:`.mentions`); what still
    overlaps is merged (see :func:`_merge`).
    """
    results = list(results)
    patterns = [Finding(r.start, r.end, r.entity_type, r.score) for r in results if not _is_ner(r)]
    ner = [Finding(r.start, r.end, r.entity_type, r.score) for r in results if _is_ner(r)]
    overlapping = lambda f: [p for p in patterns if p.start < f.end and f.start < p.end]  # noqa: E731
    trimmed = [piece for f in ner for piece in _trim_ner(f, overlapping(f), text)]
    keep = keep_spans(text)
    checked = check_model_findings(trimmed, text, keep)
    # Weak shapes ("nach Stoller" as a town, score below 0.6) yield to the keep list too;
    # anchored patterns do not ("Dr. Barthel" stays a person).
    patterns = [p for p in patterns if p.score >= WEAK_PATTERN_SCORE or not _in_keep(p, keep)]
    towns = [t for t in town_findings(text) if not _in_keep(t, keep)]  # "Morbus <town>"
    # A first name alone is weak evidence too: "<first name> (Antibiotikum)" is a drug.
    first = [f for f in first_name_findings(text) if not _in_keep(f, keep)]
    merged = _merge([*patterns, *checked, *first, *unusual_name_findings(text), *towns])
    # Completion and spreading work on whole mentions, so they come after the merge.
    completed = complete_mentions(merged, text)
    completed += towns_after_names(completed, text)
    completed += initials_findings(completed, text)
    completed += word_surname_findings(completed, text)  # "Frau Herbst", not "im Herbst"
    completed += abbreviation_findings(completed, text)  # "(ABC)" of an organisation found
    # Spread names are completed too ("I. Schnabel" where "Schnabel" was found elsewhere).
    spread = _merge(complete_mentions(spread_mentions(completed, text, keep), text))
    return trim_keep_edges(spread, text, keep)


def lean_analyzer(analyzer: AnalyzerEngine) -> LeanAnalyzer:
    """The :class:`~.engine.LeanAnalyzer` for ``analyzer`` (built once, kept on it)."""
    lean = getattr(analyzer, "_kimed_lean", None)
    if lean is None:
        enhancer = analyzer.context_aware_enhancer
        lean = LeanAnalyzer(
            analyzer.nlp_engine.nlp[LANGUAGE],
            analyzer.registry.recognizers,
            threshold=analyzer.default_score_threshold,
            ner_score=NER_RAW_SCORE,
            factor=enhancer.context_similarity_factor,
            min_score=enhancer.min_score_with_context_similarity,
            prefix=enhancer.context_prefix_count,
            suffix=enhancer.context_suffix_count,
        )
        analyzer._kimed_lean = lean
    return lean


def analyze_texts(
    analyzer: AnalyzerEngine,
    texts: Sequence[str],
    batch_size: int = 32,
    progress: bool = False,
) -> list[list[Finding]]:
    """Findings for each text, in order.

    Each text is analysed as :func:`~.ocr.text_for_analysis` repairs it (an O read
    for a zero). Texts go to spaCy in batches of ``batch_size`` (``nlp.pipe``), the recognizers run
    through :class:`~.engine.LeanAnalyzer` (presidio's results, a fraction of its
    time); ``progress`` shows a tqdm bar.
    """
    for i, text in enumerate(texts):
        check_text(text, where=f"texts[{i}]")
    lean = lean_analyzer(analyzer)
    # Same length as the texts, so the findings' offsets hold for the originals.
    views = [text_for_analysis(t) for t in texts]
    findings: list[list[Finding]] = []
    with tqdm(total=len(texts), desc="analysing", unit="doc", disable=not progress) as bar:
        for view, results in zip(views, lean.analyze_many(views, batch_size), strict=True):
            findings.append(resolve_overlaps(results, view))
            bar.update(1)
    return findings


def analyze_texts_presidio(analyzer: AnalyzerEngine, texts: Sequence[str]) -> list[list[Finding]]:
    """Findings through presidio's own ``AnalyzerEngine.analyze``: the reference that
    :func:`analyze_texts` must equal (tests), and the path for presidio's own options."""
    views = [text_for_analysis(check_text(t)) for t in texts]
    return [resolve_overlaps(analyzer.analyze(text=v, language=LANGUAGE), v) for v in views]


def analyze_text(analyzer: AnalyzerEngine, text: str) -> list[Finding]:
    """Findings in one text (see :func:`analyze_texts`)."""
    check_text(text)
    return analyze_texts(analyzer, [text])[0]
