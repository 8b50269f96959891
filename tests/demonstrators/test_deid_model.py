"""The trained NER in the full analyzer: held-out recall, tricky cases, cache, lemmas.

Thresholds are justified in docs/demonstrators/deid.md (measured for the session
fixture's model size, SMALL_MODEL in conftest.py, over several training seeds).
"""

import pytest

from kimed_demos.deid import ModelSettings, ensure_model, evaluate, load_pipeline

from .conftest import SMALL_MODEL

# Lowest value measured over training seeds minus a margin (see docs/demonstrators/deid.md).
MIN_PERSON_TOKEN_RECALL = 0.75
MIN_DATE_SPAN_RECALL = 0.95
MIN_ANY_TOKEN_RECALL = 0.93
MIN_ANY_TOKEN_PRECISION = 0.90


def test_heldout_recall_for_names_and_dates(heldout, heldout_findings):
    result = evaluate(heldout, heldout_findings)
    token, span = result.scores("token"), result.scores("span")
    assert token["PERSON"]["recall"] >= MIN_PERSON_TOKEN_RECALL, result.to_markdown()
    assert span["DATE"]["recall"] >= MIN_DATE_SPAN_RECALL, result.to_markdown()
    assert token["ANY"]["recall"] >= MIN_ANY_TOKEN_RECALL, result.to_markdown()
    assert token["ANY"]["precision"] >= MIN_ANY_TOKEN_PRECISION, result.to_markdown()


# (text, identifiers that must be removed, words that must stay). A word given twice
# as ("Winter", 1) means its second occurrence.
TRICKY = [
    ("Herr Vogel wurde am 12.03.2024 auf Station 4B aufgenommen.",
     ["Vogel", "12.03.2024", "4B"], ["Herr", "Station", "aufgenommen"]),
    ("Frau Winter berichtet, im Winter nehme der Schwindel zu.",
     ["Winter"], [("Winter", 1), "Schwindel"]),
    ("Rücksprache mit Dr. Koch erfolgte nach der Visite.", ["Koch"], ["Rücksprache", "Visite"]),
    ("Bei der Visite auf Station zeigte sich im Befund keine Veränderung.",
     [], ["Visite", "Station", "Befund", "Veränderung"]),
    ("Labor: Hb 12.3 g/dl, Leukozyten 7.2 /nl, Kreatinin 1,1 mg/dl.",
     [], ["12.3", "7.2", "1,1"]),
    ("Therapie: Ramipril 5 mg 1-0-0, RR 120/80 mmHg, Puls 72/min.",
     [], ["5 mg", "120/80", "72"]),
    ("Versichertennummer A000500015, alte Karte A000500016.", ["A000500015"], []),
]  # fmt: skip


def _position(text, word):
    """(start, end) of a word, or of its n-th occurrence for (word, n)."""
    word, nth = word if isinstance(word, tuple) else (word, 0)
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


@pytest.mark.parametrize(("text", "identifiers", "keep"), TRICKY)
def test_tricky_cases_no_leak_nothing_wrongly_removed(deidentifier, text, identifiers, keep):
    findings = deidentifier.findings(text)
    spans = [(f.start, f.end, f.entity_type) for f in findings]

    def covered(start, end):
        return [s for s in spans if s[0] < end and start < s[1]]

    for word in identifiers:
        assert covered(*_position(text, word)), f"leaked {word!r}: {spans}"
    for word in keep:
        assert not covered(*_position(text, word)), f"wrongly removed {word!r}: {spans}"


def test_wrong_kvnr_check_digit_is_not_a_kvnr(deidentifier):
    text = "Versichertennummer A000500016."
    assert not [f for f in deidentifier.findings(text) if f.entity_type == "DE_HEALTH_INSURANCE"]


def test_model_is_cached_by_inputs_hash(small_model):
    messages = []
    settings = ModelSettings(**SMALL_MODEL)
    assert ensure_model(settings, small_model, log=messages.append) == small_model
    assert messages == []  # same inputs: loaded, not trained again


def test_pipeline_gives_tokens_lowercase_lemmas(small_model):
    nlp = load_pipeline(small_model)
    assert nlp.pipe_names == ["kimed_lower_lemma", "ner"]
    assert [t.lemma_ for t in nlp("Tel. Versichertennummer")] == ["tel.", "versichertennummer"]


def test_loading_a_folder_that_is_no_model_says_so(tmp_path):
    with pytest.raises(ValueError, match="not a spaCy pipeline folder.*ensure_model"):
        load_pipeline(tmp_path)


def test_tiny_model_trains_into_a_new_nested_folder_and_retrains_on_new_inputs(tmp_path):
    folder = tmp_path / "models" / "nested" / "ner"
    tiny = ModelSettings(n_documents=4, epochs=1)
    messages = []
    assert ensure_model(tiny, folder, log=messages.append) == folder
    assert (folder / "config.cfg").exists() and messages  # trained
    messages.clear()
    ensure_model(tiny, folder, log=messages.append)
    assert messages == []  # cached
    ensure_model(ModelSettings(n_documents=4, epochs=1, seed=99), folder, log=messages.append)
    assert messages  # other inputs hash: trained again
