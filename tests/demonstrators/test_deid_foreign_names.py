"""Names of other countries: found and removed whole, without making German words names.

German hospitals' letters name many people whose names are Polish, Turkish, Romanian,
Italian, Dutch, Hungarian ... (`wordlist.FOREIGN_NAME_LOCALES`). The German name
lists lack them, so before they were neither known first names nor completed to the
whole mention. The names below are invented combinations of list entries (none is a
person of an evaluation set).
"""

from __future__ import annotations

import pytest

from .test_deid_tricky import check_case

CASES = {
    "first name and surname in a list": (
        "Anwesend: Mihai Popescu (Pflege), Zsófia Horváth, Giulia Esposito",
        ["Mihai", "Popescu", "Zsófia", "Horváth", "Giulia", "Esposito"],
        ["Anwesend", "Pflege"],
    ),
    "a known foreign first name completes an unknown surname": (
        "Rückruf durch Umut Korkmaz erbeten, Tel. siehe oben.",
        ["Umut", "Korkmaz"],
        ["Rückruf"],
    ),
    "Polish female surname form": (
        "Mutter: Agnieszka Lewandowska, wohnt im selben Haus.",
        ["Agnieszka", "Lewandowska"],
        ["Mutter", "Haus"],
    ),
    "foreign names that are German words stay words": (
        "Schleimhaut rosa, Tuba uterina frei, Post-Zoster-Neuralgie, Migräne mit Aura.",
        [],
        ["rosa", "Tuba", "Post-Zoster-Neuralgie", "Migräne"],
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_rules_alone(patterns_only, kind):
    check_case(patterns_only, CASES, kind)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_with_the_model(deidentifier, kind):
    check_case(deidentifier, CASES, kind)


def test_foreign_names_leave_out_every_german_and_clinical_word():
    """No foreign name is a word of the German list (in any case), a must-keep term or
    a clinical noun: otherwise it would stop being an ordinary word."""
    from kimed_demos.deid import lexicon, wordlist
    from kimed_demos.deid.keeplist import keep_words

    words = set(wordlist.GERMAN_WORDLIST.read_text(encoding="utf-8").split())
    lower = {w.lower() for w in words}
    first, last = lexicon.foreign_names()
    assert len(first) > 3000 and len(last) > 5000, "the locales' lists are missing"
    for name in first | last:
        assert name not in words and name.lower() not in lower, name
        assert name not in keep_words(), name
    raw_first, raw_last = wordlist.foreign_name_lists()
    assert {"Rosa", "Aura", "Post"} <= raw_first | raw_last  # in Faker's lists ...
    assert not {"Rosa", "Aura", "Post"} & (first | last)  # ... and left out here
