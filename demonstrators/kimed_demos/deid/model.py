"""The project's own German clinical NER model: built reproducibly, cached by inputs.

No German spaCy model can be installed here, so :func:`ensure_model` trains a small
CNN NER (PERSON, LOCATION, ORGANIZATION) on the TRAIN corpus and saves it under
``.kimed/models/deid-ner-<hash>`` on the host, ``~/.cache/kimed/models/...`` in the
workbench (or a given folder). The hash covers the corpus
text and spans, the settings and the spaCy version: unchanged inputs load the cached
model in a second, any change trains a new one. The pipeline also sets every token's
lemma to its lower-case form, which is what presidio's context enhancer compares its
German context words against ("Tel." -> "tel.", "Versichertennummer" -> ...).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import spacy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import compounding, fix_random_seed, minibatch

from .corpus import AnnotatedDocument, generate_corpus
from .entities import NER_LABELS

LEMMA_COMPONENT = "kimed_lower_lemma"
MODEL_FORMAT = 1  # bump when the pipeline's layout changes, to invalidate caches
_STAMP = "kimed_inputs.json"


@Language.component(LEMMA_COMPONENT)
def lower_lemma(doc: Doc) -> Doc:
    """Set each token's lemma to its lower-case text.

    German lemmatisation proper needs lookup tables we do not ship; presidio only needs
    a stable, case-folded form to match context words, and this is it.
    """
    if len(doc):  # one array copy instead of a Python loop over tokens
        doc.from_array([LEMMA], doc.to_array([LOWER]))
    return doc


@dataclass(frozen=True)
class ModelSettings:
    """Everything besides the code that determines the trained model."""

    n_documents: int = 500
    epochs: int = 12
    seed: int = 13
    negative_ratio: float = 0.35
    # Sized for speed (issue 11): width 64 / depth 3 / maxout 3 / hidden 64 cost 6.9 ms of
    # NER per 1.45 KB letter, this 2.8 ms (bench/deid.py), at equal quality on both
    # evaluation sets (docs/demonstrators/deid.md, "Speed").
    width: int = 32
    depth: int = 2
    embed_size: int = 2000
    hidden_width: int = 32
    maxout_pieces: int = 2
    dropout: float = 0.2

    def __post_init__(self):
        if self.n_documents < 1 or self.epochs < 1:
            raise ValueError("ModelSettings: n_documents and epochs must be at least 1")


def blank_pipeline() -> Language:
    """A German tokenizer plus the lower-case lemma component, without NER."""
    nlp = spacy.blank("de")
    nlp.add_pipe(LEMMA_COMPONENT)
    return nlp


def _ner_config(settings: ModelSettings) -> dict:
    """Config of a small, fast transition-based NER with its own hash-embed CNN."""
    tok2vec = {
        "@architectures": "spacy.HashEmbedCNN.v2",
        "pretrained_vectors": None,
        "width": settings.width,
        "depth": settings.depth,
        "embed_size": settings.embed_size,
        "window_size": 1,
        "maxout_pieces": settings.maxout_pieces,
        "subword_features": True,
    }
    model = {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": settings.hidden_width,
        "maxout_pieces": 2,
        "use_upper": True,
        "nO": None,
        "tok2vec": tok2vec,
    }
    return {"model": model}


def to_examples(nlp: Language, documents: list[AnnotatedDocument]) -> list[Example]:
    """spaCy training examples with the NER labels of each document.

    Spans that do not fall on token boundaries are dropped: they would make the
    whole document unusable for training (they do not occur in our templates).
    """
    examples = []
    for doc in documents:
        spacy_doc = nlp.make_doc(doc.text)
        ents = [
            spacy_doc.char_span(s.start, s.end, label=s.label)
            for s in doc.spans
            if s.label in NER_LABELS
        ]
        spacy_doc.ents = [e for e in ents if e is not None]
        examples.append(Example(nlp.make_doc(doc.text), spacy_doc))
    return examples


def inputs_hash(settings: ModelSettings, documents: list[AnnotatedDocument]) -> str:
    """SHA-256 over the training corpus, the settings and the spaCy version."""
    digest = hashlib.sha256()
    digest.update(json.dumps([asdict(settings), spacy.__version__, MODEL_FORMAT]).encode())
    for doc in documents:
        digest.update(doc.text.encode("utf-8"))
        digest.update(repr(doc.spans).encode())
    return digest.hexdigest()


def train(settings: ModelSettings, documents: list[AnnotatedDocument], log=print) -> Language:
    """Train the NER on ``documents`` with fixed seeds; return the pipeline."""
    fix_random_seed(settings.seed)
    nlp = blank_pipeline()
    ner = nlp.add_pipe("ner", config=_ner_config(settings))
    for label in NER_LABELS:
        ner.add_label(label)
    examples = to_examples(nlp, documents)
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(settings.seed)
    for epoch in range(settings.epochs):
        start, losses = time.perf_counter(), {}
        order.shuffle(examples)
        for batch in minibatch(examples, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, drop=settings.dropout, sgd=optimizer, losses=losses)
        log(f"epoch {epoch + 1}/{settings.epochs}: loss {losses['ner']:.1f} "
            f"({time.perf_counter() - start:.1f} s)")  # fmt: skip
    return nlp


def default_model_root() -> Path:
    """``models/`` in the demonstrators' cache: ``.kimed/models`` on the host,
    ``~/.cache/kimed/models`` in the workbench, whose root is read-only (see
    :func:`kimed_demos.locations.cache_dir`)."""
    from ..locations import cache_dir

    return cache_dir() / "models"


def ensure_model(
    settings: ModelSettings | None = None, model_dir: str | Path | None = None, log=print
) -> Path:
    """Path of a trained model for ``settings``, training it only if needed.

    Without ``model_dir`` the model lives in ``<cache>/models/deid-ner-<hash12>``
    (:func:`default_model_root`).
    A folder whose stamp records the same inputs hash is reused as it is.
    """
    settings = settings or ModelSettings()
    documents = generate_corpus(
        "train", settings.n_documents, settings.seed, settings.negative_ratio
    )
    digest = inputs_hash(settings, documents)
    path = Path(model_dir) if model_dir else default_model_root() / f"deid-ner-{digest[:12]}"
    stamp = path / _STAMP
    if stamp.exists() and json.loads(stamp.read_text()).get("inputs_hash") == digest:
        return path
    log(f"training the de-identification NER into {path} ({settings.n_documents} documents)")
    try:  # before training, so a read-only place fails in a second, not after minutes
        path.parent.mkdir(parents=True, exist_ok=True)  # spaCy creates only the last level
    except OSError as exc:
        raise OSError(
            f"cannot create {path.parent} for the trained model ({exc.strerror}); pass "
            "model_dir=<a writable folder> or set KIMED_DEMO_CACHE"
        ) from exc
    nlp = train(settings, documents, log=log)
    nlp.to_disk(path)
    stamp.write_text(json.dumps({"inputs_hash": digest, "settings": asdict(settings)}))
    return path


def load_pipeline(path: str | Path) -> Language:
    """Load a pipeline saved by :func:`ensure_model` (registers the lemma component)."""
    path = Path(path)
    if not (path / "config.cfg").exists():
        raise ValueError(
            f"{path} is not a spaCy pipeline folder (no config.cfg); "
            "build one with kimed_demos.deid.ensure_model()"
        )
    return spacy.load(path)
