"""The demonstrator run behind notebooks/deid_german_clinical.ipynb.

:func:`run_demo` does what the notebook shows: a held-out sample, the trained (or
cached) model, de-identification, evaluation, and the artefacts a reviewer takes
away: ``metrics.json``, ``scores.png``, and originals next to de-identified texts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .anonymize import AnonymizationConfig
from .corpus import AnnotatedDocument, generate_corpus, write_corpus
from .deidentify import Deidentifier
from .evaluate import Evaluation, evaluate, plot_scores, save_metrics
from .model import ModelSettings, ensure_model


@dataclass
class DemoResult:
    """What a demonstrator run produced, for display and for the artefact folder."""

    documents: list[AnnotatedDocument]
    deidentified: list[str]
    evaluation: Evaluation
    model_path: Path
    output_dir: Path
    seconds: float

    def example(self, index: int = 0) -> tuple[str, str]:
        """(original, de-identified) text of one document."""
        return self.documents[index].text, self.deidentified[index]


def run_demo(
    n_documents: int = 40,
    seed: int = 7,
    operator: str = "surrogate",
    output_dir: str | Path = "deid-output",
    keep_length: bool = False,
    model_dir: str | Path | None = None,
    settings: ModelSettings | None = None,
    progress: bool = True,
) -> DemoResult:
    """Generate ``n_documents`` held-out letters, de-identify and evaluate them.

    The model comes from :func:`ensure_model` (trained once, then cached). Writes into
    ``output_dir``: ``original/`` (letters with gold ``.ann.json``), ``deidentified/``,
    ``metrics.json`` and ``scores.png``.
    """
    config = AnonymizationConfig(default=operator, keep_length=keep_length, seed=seed)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    model_path = ensure_model(settings, model_dir)
    documents = generate_corpus("heldout", n_documents, seed)
    deid = Deidentifier(model_path, config)
    found = deid.findings_many([d.text for d in documents], progress=progress)
    texts = [deid.anonymizer.anonymize(d.text, f) for d, f in zip(documents, found, strict=True)]
    evaluation = evaluate(documents, found)
    write_corpus(documents, output_dir / "original")
    (output_dir / "deidentified").mkdir(exist_ok=True)
    for i, text in enumerate(texts):
        (output_dir / "deidentified" / f"{i:04d}.txt").write_text(text, encoding="utf-8")
    seconds = time.perf_counter() - start
    save_metrics(
        evaluation,
        output_dir / "metrics.json",
        n_documents=n_documents,
        seed=seed,
        operator=operator,
        keep_length=keep_length,
        model=str(model_path),
        seconds=round(seconds, 2),
    )
    plot_scores(evaluation, output_dir / "scores.png")
    return DemoResult(documents, texts, evaluation, model_path, output_dir, seconds)
