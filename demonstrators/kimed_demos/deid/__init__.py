"""De-identification of German clinical text (presidio + the project's own spaCy NER).

Typical use::

    from kimed_demos.deid import AnonymizationConfig, Deidentifier, ensure_model

    deid = Deidentifier(ensure_model(), AnonymizationConfig(default="surrogate"))
    print(deid.deidentify("Herr Vogel, geb. 12.03.1950, Tel. 0351 458-1234"))

Modules: :mod:`.corpus` (annotated synthetic letters, TRAIN and HELD-OUT families),
:mod:`.model` (NER training and cache), :mod:`.recognizers` (German patterns with
check digits), :mod:`.analyzer`, :mod:`.anonymize`, :mod:`.evaluate`, :mod:`.batch`.
"""

from .analyzer import Finding, analyze_text, analyze_texts, build_analyzer
from .anonymize import OPERATORS, AnonymizationConfig, Anonymizer
from .batch import deidentify_folder
from .corpus import AnnotatedDocument, Span, generate_corpus, write_corpus
from .deidentify import Deidentifier
from .demo import DemoResult, run_demo
from .entities import ENTITY_TYPES, NER_LABELS
from .evaluate import Evaluation, evaluate, plot_scores, save_metrics
from .model import ModelSettings, ensure_model, load_pipeline

__all__ = [
    "ENTITY_TYPES",
    "NER_LABELS",
    "OPERATORS",
    "AnnotatedDocument",
    "AnonymizationConfig",
    "Anonymizer",
    "Deidentifier",
    "DemoResult",
    "Evaluation",
    "Finding",
    "ModelSettings",
    "Span",
    "analyze_text",
    "analyze_texts",
    "build_analyzer",
    "deidentify_folder",
    "ensure_model",
    "evaluate",
    "generate_corpus",
    "load_pipeline",
    "plot_scores",
    "run_demo",
    "save_metrics",
    "write_corpus",
]
