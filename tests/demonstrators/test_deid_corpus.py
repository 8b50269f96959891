"""The synthetic corpus: reproducible, correctly annotated, TRAIN and HELD-OUT disjoint."""

import spacy

from kimed_demos.deid import (
    NER_LABELS,
    generate_corpus,
    templates_heldout,
    templates_train,
    wordlist,
)


def test_same_seed_same_corpus_and_prefix_stable():
    a = generate_corpus("train", 20, seed=3)
    assert a == generate_corpus("train", 20, seed=3)
    assert a[:10] == generate_corpus("train", 10, seed=3)
    assert a != generate_corpus("train", 20, seed=4)


def test_spans_are_inside_the_text_and_align_with_spacy_tokens():
    nlp = spacy.blank("de")
    for split in ("train", "heldout"):
        for doc in generate_corpus(split, 60, seed=1):
            tokens = nlp.make_doc(doc.text)
            for span in doc.spans:
                assert 0 <= span.start < span.end <= len(doc.text)
                assert doc.text[span.start : span.end].strip() == doc.text[span.start : span.end]
                if span.label in NER_LABELS:
                    assert tokens.char_span(span.start, span.end) is not None, span


def test_train_and_heldout_families_and_sentences_are_disjoint():
    assert not set(templates_train.FAMILIES) & set(templates_heldout.FAMILIES)
    train_doc_types = {f["doc_type"] for f in templates_train.FAMILIES.values()}
    heldout_doc_types = {f["doc_type"] for f in templates_heldout.FAMILIES.values()}
    assert not train_doc_types & heldout_doc_types

    def sentences(module):
        parts = set(module.NEGATIVES)
        for family in module.FAMILIES.values():
            parts.update(family["header"], family["body"], family["footer"])
        return parts

    assert not sentences(templates_train) & sentences(templates_heldout)


def test_name_town_and_noun_pools_are_disjoint():
    for pool in (wordlist.last_names, wordlist.cities, wordlist.german_nouns):
        assert not set(pool("train")) & set(pool("heldout"))
    assert not set(wordlist.first_names("train", True)) & set(wordlist.first_names("heldout", True))
    assert {"Visite", "Station", "Befund"} <= set(wordlist.CLINICAL_NOUNS)


def test_corpus_holds_every_entity_type_and_entity_free_sentences():
    docs = generate_corpus("train", 200, seed=5)
    labels = {s.label for d in docs for s in d.spans}
    assert labels >= {"PERSON", "DATE", "AGE", "LOCATION", "DE_PLZ", "PHONE_NUMBER",
                      "EMAIL_ADDRESS", "DE_HEALTH_INSURANCE", "CASE_NUMBER", "DE_LANR",
                      "DE_BSNR", "IBAN_CODE", "ORGANIZATION", "WARD"}  # fmt: skip
    # AGE is annotated only over 89 (HIPAA Safe Harbor): younger ages stay in the text.
    assert all(int(t) > 89 for d in docs for label, t in d.entities() if label == "AGE")
