"""The fast NER decoder takes exactly the model's decisions that spaCy's parser takes.

:class:`kimed_demos.deid.fastner.GreedyNer` re-implements spaCy's greedy BILUO decoding
with the same weights (issue 11: spaCy's loop cost more than the network). Equal
entities on held-out letters and all three hand-written evaluation sets, in batches
of different sizes, show that it changes the speed, not the result. What this does
not prove: equality for a model of another shape (those go through spaCy, tested
below) or for a future spaCy whose decoding rules change (the comparison would fail).
"""

from __future__ import annotations

import pytest

from kimed_demos.deid.evalset import EVAL2_DIR, EVAL3_DIR, EVAL_DIR, read_jsonl_folder


@pytest.fixture(scope="module")
def nlp(small_model):
    from kimed_demos.deid.model import load_pipeline

    return load_pipeline(small_model)


@pytest.fixture(scope="module")
def texts(heldout):
    """Held-out letters and the documents of the three evaluation sets."""
    folders = (EVAL_DIR, EVAL2_DIR, EVAL3_DIR)
    return [d.text for d in heldout[:60]] + [
        d.text for folder in folders for d in read_jsonl_folder(folder)
    ]


def _ents(docs):
    return [[(e.start, e.end, e.label_) for e in doc.ents] for doc in docs]


@pytest.mark.parametrize("batch_size", [1, 7, 64])
def test_decoder_equals_spacy(nlp, texts, batch_size):
    from kimed_demos.deid.fastner import GreedyNer

    decoder = GreedyNer.for_pipeline(nlp)
    assert decoder is not None
    expected = _ents(nlp.pipe(texts, batch_size=batch_size))
    found = []
    for i in range(0, len(texts), batch_size):
        found += _ents(decoder(list(nlp.pipe(texts[i : i + batch_size], disable=["ner"]))))
    differing = [i for i, (a, b) in enumerate(zip(found, expected, strict=True)) if a != b]
    assert not differing, [(texts[i][:60], set(found[i]) ^ set(expected[i])) for i in differing]
    assert sum(map(len, expected)) > 5 * len(texts)  # the comparison is not vacuous
    assert any(e - s > 1 for doc in expected for s, e, _ in doc)  # multi-token entities too


def test_every_token_outside_an_entity_is_outside(nlp, texts):
    """As after spaCy's NER, no token is left without an entity decision."""
    from kimed_demos.deid.fastner import GreedyNer

    docs = GreedyNer.for_pipeline(nlp)(list(nlp.pipe(texts[:5], disable=["ner"])))
    assert all(t.ent_iob_ in ("B", "I", "O") for doc in docs for t in doc)


def test_lean_analyzer_uses_the_decoder(deidentifier, nlp, texts):
    from kimed_demos.deid.analyzer import lean_analyzer

    lean = lean_analyzer(deidentifier.analyzer)
    assert lean.fast_ner is not None
    docs = list(lean.docs(texts, batch_size=16))
    assert _ents(docs) == _ents(nlp.pipe(texts))


def test_empty_and_whitespace_texts(nlp):
    from kimed_demos.deid.fastner import GreedyNer

    texts = ["", "  \n", "Herr Meier", "x"]
    docs = GreedyNer.for_pipeline(nlp)(list(nlp.pipe(texts, disable=["ner"])))
    assert _ents(docs) == _ents(nlp.pipe(texts))


def test_preset_entities_go_through_spacy(nlp):
    """A doc that already has entity annotation is decoded by spaCy (its preset rules)."""
    from spacy.tokens import Span

    from kimed_demos.deid.fastner import GreedyNer

    text = "Frau Anna Schulze wohnt in Hamburg."
    doc = nlp.make_doc(text)
    doc.set_ents([Span(doc, 5, 6, label="LOCATION")], default="missing")
    reference = nlp.make_doc(text)
    reference.set_ents([Span(reference, 5, 6, label="LOCATION")], default="missing")
    (decoded,) = GreedyNer.for_pipeline(nlp)([doc])
    assert _ents([decoded]) == _ents([nlp.get_pipe("ner")(reference)])
    assert (5, 6, "LOCATION") in _ents([decoded])[0]


def test_pipelines_it_cannot_mirror_get_none(nlp):
    from kimed_demos.deid.fastner import GreedyNer
    from kimed_demos.deid.model import blank_pipeline

    assert GreedyNer.for_pipeline(blank_pipeline()) is None  # no NER at all
    nlp.get_pipe("ner").cfg["beam_width"] = 4  # beam search: not what the decoder does
    try:
        assert GreedyNer.for_pipeline(nlp) is None
    finally:
        nlp.get_pipe("ner").cfg["beam_width"] = 1


def test_sentence_boundaries_follow_spacys_rules(small_model, texts):
    """With sentence starts set (a sentencizer before the NER), no entity crosses one,
    exactly as in spaCy's decoding (the project's own pipeline sets none)."""
    from kimed_demos.deid.fastner import GreedyNer
    from kimed_demos.deid.model import load_pipeline

    nlp = load_pipeline(small_model)
    nlp.add_pipe("sentencizer", before="ner")
    sample = texts[:20] + ["Dr. Anna Schulze. Berlin Mitte. Herr Max. Müller kam."]
    docs = GreedyNer.for_pipeline(nlp)(list(nlp.pipe(sample, disable=["ner"])))
    assert sum(d.to_array("SENT_START")[1:].tolist().count(1) for d in docs) > 20
    assert _ents(docs) == _ents(nlp.pipe(sample))


def test_scrambled_letters_decode_as_spacy_does(nlp, texts):
    """Words of the letters shuffled, joined by odd whitespace: states the letters rarely
    reach (entities at the very end, next to whitespace tokens, one-word documents)."""
    import random

    from kimed_demos.deid.fastner import GreedyNer

    rng = random.Random(11)
    words = [w for text in texts[:30] for w in text.split()]
    joints = [" ", " ", " ", "\n", "  ", "\n\n", " \t "]
    scrambled = [
        "".join(w + rng.choice(joints) for w in rng.sample(words, rng.randint(1, 60)))
        for _ in range(120)
    ]
    decoder = GreedyNer.for_pipeline(nlp)
    found = _ents(decoder(list(nlp.pipe(scrambled, disable=["ner"]))))
    assert found == _ents(nlp.pipe(scrambled))
    assert sum(map(len, found)) > 100
