"""German pattern recognizers on their own (no NER): formats, traps and context words."""

import pytest

from kimed_demos.deid import analyze_text


def found(deid, text):
    """(entity type, text) of every finding."""
    return [(f.entity_type, text[f.start : f.end]) for f in deid.findings(text)]


@pytest.mark.parametrize(
    "date", ["12.03.2024", "1.3.2024", "12.03.24", "12. März 2024", "3. Mär. 2024",
             "März 2024", "03/24", "03/2024", "2024-03-12", "12. März"],
)  # fmt: skip
def test_german_date_formats(patterns_only, date):
    assert found(patterns_only, f"Kontrolle am {date}, danach Entlassung.") == [("DATE", date)]


@pytest.mark.parametrize(
    "text",
    ["Hb 12.3 g/dl, Leukozyten 7.2 /nl, CRP 5 mg/l, Kreatinin 1,12 mg/dl.",
     "Ramipril 5 mg 1-0-0, RR 120/80 mmHg, Puls 72/min, SpO2 96 %.",
     "Die Visite auf Station ergab keinen neuen Befund.",
     "Sehr geehrte Frau Kollegin, sehr geehrter Herr Kollege,",
     "Die 84-jährige Patientin ist 84 Jahre alt.",
     "Gabe von 10000 IE Heparin, 1/2 Tablette zur Nacht, Version 3.12.5.",
     "Der Vogel im Garten und der Winter machen ihr zu schaffen."],
)  # fmt: skip
def test_nothing_found_in_clinical_text_without_identifiers(patterns_only, text):
    assert found(patterns_only, text) == []


def test_kvnr_needs_a_valid_check_digit(patterns_only):
    assert found(patterns_only, "Versichertennummer A000500015.") == [
        ("DE_HEALTH_INSURANCE", "A000500015")
    ]
    assert "DE_HEALTH_INSURANCE" not in dict(found(patterns_only, "KVNR: A000500016."))


def test_numbers_by_their_labels(patterns_only):
    text = (
        "Fallnummer: 2024012345, Aufnahmenummer 123-4567, LANR 123456601, BSNR 721234567, "
        "IBAN DE89 3704 0044 0532 0130 00, E-Mail anna.vogel@web.de, Station 4B."
    )
    assert found(patterns_only, text) == [
        ("CASE_NUMBER", "2024012345"), ("CASE_NUMBER", "123-4567"), ("DE_LANR", "123456601"),
        ("DE_BSNR", "721234567"), ("IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
        ("EMAIL_ADDRESS", "anna.vogel@web.de"), ("WARD", "4B"),
    ]  # fmt: skip


def test_address_phone_and_age_over_89(patterns_only):
    text = "Die 93-jährige Patientin, wohnhaft Lindenstraße 12, 01067 Dresden, Tel. 0351 458-1234."
    assert found(patterns_only, text) == [
        ("AGE", "93"), ("LOCATION", "Lindenstraße 12"), ("DE_PLZ", "01067"),
        ("LOCATION", "Dresden"), ("PHONE_NUMBER", "0351 458-1234"),
    ]  # fmt: skip


def test_context_words_work_through_lemmas(patterns_only):
    # "0999 12345" is a weak phone shape (0.4) that phonenumbers accepts neither as a German
    # nor as an Austrian or Swiss number ("0199 ..." would be Vienna); "Tel." before it is a
    # German context word, which presidio's enhancer finds only because every token
    # carries a lemma.
    assert found(patterns_only, "Vorgang 0999 12345 abgeschlossen.") == []
    assert found(patterns_only, "Vorgang 0199 12345 abgeschlossen.") == []  # no cue: no AT
    result = analyze_text(patterns_only.analyzer, "Tel. 0999 12345")
    assert [(f.entity_type, round(f.score, 2)) for f in result] == [("PHONE_NUMBER", 0.75)]


def test_valid_german_numbers_need_no_cue(patterns_only):
    # Issue 11: letterheads print numbers after "Sekretariat" or nothing at all.
    assert found(patterns_only, "Vorgang 0351 458123 abgeschlossen.") == [
        ("PHONE_NUMBER", "0351 458123")
    ]


def test_names_after_honorifics_even_if_they_are_words(patterns_only):
    text = "Herr Vogel, Frau Winter und Dr. Koch besprachen den Befund mit Prof. Dr. med. Fuchs."
    assert found(patterns_only, text) == [
        ("PERSON", "Vogel"), ("PERSON", "Winter"), ("PERSON", "Koch"), ("PERSON", "Fuchs"),
    ]  # fmt: skip


@pytest.mark.parametrize("bad", ["", "   \n", None, b"Herr Vogel", 42])
def test_bad_text_is_a_clear_value_error(patterns_only, bad):
    with pytest.raises(ValueError, match="str|empty"):
        patterns_only.findings(bad)


@pytest.mark.parametrize(
    "text, repaired",
    [
        ("am 14.O3.2O24 um", "am 14.03.2024 um"),
        ("Op. 2O17.", "Op. 2017."),
        ("3 . O6 . 2O23", "3 . 06 . 2023"),
        ("2 l O2 über Maske, SpO2 97 %, CO2 40, O2-Gabe", None),
        ("Ohne Befund, OP um 1O Uhr", None),
    ],
)
def test_scanned_o_for_zero_is_repaired_only_inside_numbers(text, repaired):
    from kimed_demos.deid.ocr import text_for_analysis

    result = text_for_analysis(text)
    assert result == (repaired or text)
    assert len(result) == len(text)  # findings in the repaired text hold for the original
