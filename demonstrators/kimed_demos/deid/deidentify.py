"""One object for the whole job: find identifiers, then replace them.

Example::

    deid = Deidentifier(ensure_model(), AnonymizationConfig(default="surrogate"))
    deid.deidentify("Herr Vogel wurde am 12.03.2024 aufgenommen.")
    # e.g. 'Herr Berger wurde am 27.06.2024 aufgenommen.'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from spacy.language import Language

from .analyzer import (
    DEFAULT_THRESHOLD,
    Finding,
    analyze_text,
    analyze_texts,
    build_analyzer,
    check_text,
)
from .anonymize import AnonymizationConfig, Anonymizer
from .policy import DEFAULT_AGE_POLICY


class Deidentifier:
    """German clinical de-identification: presidio analyzer + anonymizer.

    ``model``: a pipeline folder (see :func:`~.model.ensure_model`), a loaded spaCy
    pipeline, or None for pattern recognizers only (no names, towns or hospitals
    beyond the honorific and address patterns). ``age_policy``: "over89" (HIPAA Safe
    Harbor, the default) or "all" ages, a per-project choice (see :mod:`.policy`).
    """

    def __init__(
        self,
        model: str | Path | Language | None,
        config: AnonymizationConfig | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        batch_size: int = 32,
        age_policy: str = DEFAULT_AGE_POLICY,
    ):
        self.age_policy = age_policy
        self.analyzer = build_analyzer(model, threshold=threshold, age_policy=age_policy)
        self.anonymizer = Anonymizer(config)
        self.batch_size = batch_size

    def findings(self, text: str) -> list[Finding]:
        """Identifiers found in one text."""
        return analyze_text(self.analyzer, text)

    def findings_many(self, texts: Sequence[str], progress: bool = False) -> list[list[Finding]]:
        """Identifiers found in each of many texts (batched through spaCy)."""
        return analyze_texts(self.analyzer, texts, self.batch_size, progress)

    def deidentify(self, text: str) -> str:
        """``text`` with its identifiers replaced."""
        check_text(text)
        return self.anonymizer.anonymize(text, self.findings(text))

    def deidentify_many(self, texts: Sequence[str], progress: bool = False) -> list[str]:
        """Each text with its identifiers replaced."""
        found = self.findings_many(texts, progress)
        return [self.anonymizer.anonymize(t, f) for t, f in zip(texts, found, strict=True)]
