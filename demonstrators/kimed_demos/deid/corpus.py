"""Annotated synthetic German clinical documents, reproducible from a seed.

``generate_corpus("train", n, seed)`` renders TRAIN families, ``"heldout"`` the
HELD-OUT ones; both interleave entity-free negative sentences. Every document carries
character spans for every identifier it contains, so the same corpus trains the NER
model, measures the analyzer and feeds the batch demonstrator (``write_corpus``).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from . import phrases, templates_heldout, templates_train
from .fills import Persona

_TEMPLATES = {"train": templates_train, "heldout": templates_heldout}
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Span:
    """An annotated entity: character offsets [start, end) and its entity type."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class AnnotatedDocument:
    """A synthetic document, its entity spans and where it came from."""

    text: str
    spans: tuple[Span, ...]
    family: str
    doc_type: str
    split: str

    def entities(self) -> list[tuple[str, str]]:
        """(label, text) of every span, in order; handy for reading and tests."""
        return [(s.label, self.text[s.start : s.end]) for s in self.spans]


def render(template: str, persona: Persona) -> tuple[str, list[Span]]:
    """Fill the slots of ``template`` from ``persona``; return text and spans."""
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    position = 0
    for match in _SLOT.finditer(template):
        literal = template[position : match.start()]
        parts.append(literal)
        offset += len(literal)
        for text, label in persona.fill(match.group(1)):
            if label is not None and text:
                spans.append(Span(offset, offset + len(text), label))
            parts.append(text)
            offset += len(text)
        position = match.end()
    parts.append(template[position:])
    return "".join(parts), spans


def _body_sentences(split: str, family: dict, rng: random.Random, ratio: float) -> list:
    """Pick body sentences in document order and mix in negative sentences.

    TRAIN documents also get composed sentences (:mod:`.phrases`), about as many as
    template sentences; HELD-OUT documents get none, so they stay unseen text.
    """
    body, negatives = family["body"], _TEMPLATES[split].NEGATIVES
    chosen = [body[i] for i in sorted(rng.sample(range(len(body)), rng.randint(4, 8)))]
    extra = [rng.choice(negatives) for _ in chosen if rng.random() < ratio]
    if split == "train":
        extra += [phrases.random_sentence(rng) for _ in range(rng.randint(2, 8))]
    for sentence in extra:
        chosen.insert(rng.randrange(len(chosen) + 1), sentence)
    return chosen


def _join(pieces: list[str], rng: random.Random) -> str:
    """Join sentences as running text with occasional paragraph breaks."""
    out = pieces[0]
    for piece in pieces[1:]:
        out += rng.choice(("\n", " ", " ", " ")) + piece
    return out


def make_document(split: str, rng: random.Random, negative_ratio: float) -> AnnotatedDocument:
    """One document of a random family of ``split``, drawn from ``rng``."""
    module = _TEMPLATES[split]
    family_name = rng.choice(sorted(module.FAMILIES))
    family = module.FAMILIES[family_name]
    body = _body_sentences(split, family, rng, negative_ratio)
    template = "\n\n".join(
        [rng.choice(family["header"]), _join(body, rng), rng.choice(family["footer"])]
    )
    text, spans = render(template, Persona(rng, split))
    return AnnotatedDocument(text, tuple(spans), family_name, family["doc_type"], split)


def generate_corpus(
    split: str, n_documents: int, seed: int = 0, negative_ratio: float = 0.35
) -> list[AnnotatedDocument]:
    """``n_documents`` annotated documents of ``split`` ('train' or 'heldout').

    Document ``i`` is seeded from (seed, split, i) alone, so a larger corpus extends a
    smaller one with the same seed instead of reshuffling it.
    """
    if split not in _TEMPLATES:
        raise ValueError(f"unknown split {split!r}; use 'train' or 'heldout'")
    if not isinstance(n_documents, int) or n_documents < 1:
        raise ValueError(f"n_documents must be a positive integer, got {n_documents!r}")
    return [
        make_document(split, random.Random(f"{seed}-{split}-{i}"), negative_ratio)
        for i in range(n_documents)
    ]


def write_corpus(documents: list[AnnotatedDocument], folder: str | Path) -> list[Path]:
    """Write ``NNNN.txt`` plus ``NNNN.ann.json`` (gold spans) per document."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, doc in enumerate(documents):
        path = folder / f"{i:04d}.txt"
        path.write_text(doc.text, encoding="utf-8")
        meta = {k: v for k, v in asdict(doc).items() if k != "text"}
        path.with_suffix(".ann.json").write_text(json.dumps(meta, ensure_ascii=False))
        paths.append(path)
    return paths


def read_gold_spans(text_path: str | Path) -> tuple[Span, ...] | None:
    """Gold spans from the ``.ann.json`` beside a ``.txt`` file, or None if absent."""
    sidecar = Path(text_path).with_suffix(".ann.json")
    if not sidecar.exists():
        return None
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    return tuple(Span(**span) for span in data["spans"])
