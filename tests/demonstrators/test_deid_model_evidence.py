"""Round six of issue 11: a model finding needs evidence of a name (invented text).

The second stage (:func:`kimed_demos.deid.mentions.check_model_findings`) is given model
findings directly, so these tests are deterministic and do not depend on what a trained
model happens to tag; ``test_deid_tricky.py`` runs the same classes through the analyzer.
"""

from __future__ import annotations

import pytest


def _checked(text: str, value: str, kind: str = "PERSON") -> list[str]:
    """What survives the second stage of one model finding on ``value`` in ``text``."""
    from kimed_demos.deid.entities import Finding
    from kimed_demos.deid.mentions import check_model_findings

    start = text.index(value)
    found = check_model_findings([Finding(start, start + len(value), kind, 0.52)], text)
    return [text[f.start : f.end] for f in found]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # an ICD-10 code before the diagnosis at the line start, or inside the finding
        ("Diagnosen:\n  E11.9 Quorvane Stoffwechsellage\n", "Quorvane Stoffwechsellage"),
        ("Diagnosen:\n  E11.9 Quorvane Stoffwechsellage\n", "E11.9 Quorvane"),
        # a model number after a maker and product line: a device
        ("Gerät: Esaote MyLab X75, Linearschallkopf.", "Esaote MyLab"),
        # English phrases: two common English words in the capitalised run
        ("Besprechung im Care Team am Mittwoch.", "Care Team"),
        ("Weiter nach Palliative Care Unit Konzept.", "Care"),
        # a lower-case adjective beside clinical nouns is no evidence of a name
        ("Histologie: ulzerös-nekrotisierende Kolitis.", "ulzerös-nekrotisierende Kolitis"),
        # clinical endings and lab acronyms the word list lacks
        ("Verdacht auf Cholangiosepsis bei Mammakarzinom.", "Cholangiosepsis"),
        ("Verdacht auf Cholangiosepsis bei Mammakarzinom.", "Mammakarzinom"),
        ("EEG: Theta-Rhythmus, Nabelhernie tastbar.", "Theta-Rhythmus"),
        ("Befund: IgM-Nephropathie, Stabilisierende Maßnahmen.", "IgM-Nephropathie"),
        # an inflected clinical adjective first: a noun phrase ("Femoraler <device>")
        ("Eingriff: Femoraler Quorvane (P2) rechts.", "Femoraler Quorvane"),
        # ... a position adjective, or a short-stem Latin one before ordinary words
        ("Echo: Rechter Vorhof Quorvane, sonst normal.", "Rechter Vorhof Quorvane"),
        ("Keine Vitale Bedrohung.", "Vitale Bedrohung"),
        # Latin sound and drug nouns, measured quantities by their symbol
        ("Auskultation: Diastolikum, Vmax 2,1 m/s.", "Diastolikum"),
        ("Auskultation: Diastolikum, Vmax 2,1 m/s.", "Vmax"),
        ("Befund: Lipom am Hals, gut verschieblich.", "Lipom"),  # five letters suffice
        # a listed noun before a noun that the list holds only as a verb form
        ("Seit gestern Nackensperre und Fieber.", "Nackensperre"),
        # acronyms no name in capitals looks like: no vowel, or a plural "s"
        ("Seit 02:00 CVVHF, EKGs unauffällig.", "CVVHF"),
        ("Seit 02:00 CVVHF, EKGs unauffällig.", "EKGs"),
        # keep patterns: a drug after a treatment noun or a lab value and an arrow, a
        # double eponym with a letter grade
        ("Vorbereitung mit Quorvane, gut vertragen.", "Quorvane"),
        ("K+ 6,1 mmol/l → Quorvane, Kontrolle morgen.", "Quorvane"),
        ("Zirrhose Child-Turcotte B bekannt.", "Child-Turcotte"),
        ("Tätig als: Quorvanebauer, seit 2010.", "Quorvanebauer"),  # a profession after "als:"
    ],
)
def test_clinical_findings_without_name_evidence_are_dropped(text, value):
    assert _checked(text, value) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Rücksprache mit Herrn Quorvane, Tel. folgt.", "Quorvane"),  # unknown word, no class
        ("Besprechung mit Quorvane am Abend.", "Quorvane"),  # "mit" after talking, not treating
        ("Liebe Quorvane, danke für alles!", "Liebe Quorvane"),  # a salutation is no adjective
        ("Zuweisung: Quorvane-Klinikum, Station 3.", "Quorvane-Klinikum"),  # not "-ikum"
        ("Gespräch mit Frau Child-Turcotte B. Quorvane.", "Child-Turcotte"),  # an initial
        ("Gerät bei Ostendorf 12 abgeholt.", "Ostendorf"),  # a number alone is no model number
        ("Anwesend: Wübbena, Thelen (Pflege)", "Wübbena"),
        ("Best regards from Kwame Osei", "Kwame Osei"),  # English around, but a name in it
        ("E11.9 laut Hausarzt; Vorstellung bei Adeyemi.", "Adeyemi"),  # code, but not before
    ],
)
def test_names_keep_their_findings(text, value):
    assert _checked(text, value) == [value]


def test_word_surname_spreads_only_to_name_positions():
    from kimed_demos.deid.entities import Finding
    from kimed_demos.deid.spread import spread_mentions, spread_only_as_name

    assert spread_only_as_name("Wille") and not spread_only_as_name("Klages")
    text = "Dr. R. Wille. Der Wille ist da. Rainer Wille, Frau Wille, WILLE"
    spread = spread_mentions([Finding(7, 12, "PERSON", 0.8)], text)
    found = sorted({f.start for f in spread})
    assert found == [7, text.index("Rainer Wille") + 7, text.index("Frau Wille") + 5,
                     text.index("WILLE")]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        # round seven: compounds of nouns and verb stems, nouns of umlauted adjectives
        ("Aufgaben: Vermögenssorge und Post.", "Vermögenssorge", "PERSON"),
        ("Kontakt: Sicherheitsbeauftragter im Haus.", "Sicherheitsbeauftragter", "PERSON"),
        ("Seit gestern Niesreiz und Schnupfen.", "Niesreiz", "PERSON"),  # a verb stem first
        ("Klagt über Kälte in den Händen.", "Kälte", "LOCATION"),
        # Greek and Latin clinical nouns by their ending
        ("Aufnahme nach Hyperemesis in der 9. SSW.", "Hyperemesis", "LOCATION"),
        ("Seit Tagen Ataxie und Schwindel.", "Ataxie", "PERSON"),
        # a listed word after a determiner or "von" is a noun, no person
        ("Essen in der Mensa vertragen.", "Mensa", "PERSON"),
        ("Nähte von Hand geknotet.", "von Hand", "PERSON"),
    ],
)
def test_round_seven_ordinary_findings_are_dropped(text, value, kind):
    assert _checked(text, value, kind) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Rücksprache mit Frau Gutknecht, Tel. folgt.", "Gutknecht"),  # name position
        ("Dr. Holger Gutknecht, Oberarzt", "Gutknecht"),  # a compound after a first name
        ("Vorstellung bei Mensa Quorvane.", "Mensa Quorvane"),  # an unknown word in it
    ],
)
def test_round_seven_names_keep_their_findings(text, value):
    assert _checked(text, value) == [value]


def test_word_surname_is_not_spread_after_a_determiner():
    """Round seven: a surname the word list holds ("Hand") goes as a name, not as the noun
    after an article or quantifier; "Herr Puls" still goes (name position)."""
    from kimed_demos.deid.entities import Finding
    from kimed_demos.deid.spread import spread_mentions

    text = "Dr. Ina Hand. Die Hand ist warm, in der Hand kein Befund. Frau Hand, HAND"
    start = text.index("Hand")
    spread = spread_mentions([Finding(start, start + 4, "PERSON", 0.8)], text)
    found = sorted({f.start for f in spread})
    assert found == [start, text.index("Frau Hand") + 5, text.index("HAND")]


def test_round_eight_surname_before_comma_and_after_first_name():
    """A first name found alone grows over "<Word>, " after a label, and a first name over
    an ordinary word that closes the mention; a pronoun before the comma stays out."""
    from kimed_demos.deid.entities import Finding
    from kimed_demos.deid.mentions import complete_mentions

    text = "Schwangere: Ferse, Mirelle geb. Okafor\nIch, Marlene Ferse, bestimme dies."
    mirelle, marlene = text.index("Mirelle"), text.index("Marlene")
    grown = complete_mentions(
        [
            Finding(mirelle, mirelle + 7, "PERSON", 0.6),
            Finding(marlene, marlene + 7, "PERSON", 0.6),
        ],
        text,
    )
    assert [text[f.start : f.end] for f in grown] == ["Ferse, Mirelle", "Marlene Ferse"]


def test_round_eight_ordinary_surname_spreads_to_name_positions_only():
    from kimed_demos.deid.entities import Finding
    from kimed_demos.deid.spread import spread_mentions

    text = "Ferse, Henrike. Die Ferse ist rot, der linken Ferse. gez. H. Ferse, Frau FERSE"
    spread = spread_mentions([Finding(0, 14, "PERSON", 0.8)], text)
    found = sorted({f.start for f in spread})
    # 7: "Henrike" inside the finding itself; "Die Ferse", "linken Ferse" stay.
    assert found == [0, 7, text.index("H. Ferse") + 3, text.index("FERSE")]


def test_round_eight_listed_word_after_adjective_or_als_is_a_noun():
    from kimed_demos.deid.evidence import word_as_noun

    text = "Herr Steinmetz arbeitet als Steinmetz, Schmerzen der linken Hand, Frau Hand"
    assert word_as_noun("Steinmetz", text, text.rindex("Steinmetz"))
    assert word_as_noun("Hand", text, text.index("Hand,"))
    assert not word_as_noun("Hand", text, text.rindex("Hand"))
    assert not word_as_noun("Steinmetz", text, text.index("Steinmetz"))


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        # round nine: no capitalised word at all (names are capitalised)
        ("Anfall fokal-bilateral tonisch-klonischen Typs.", "fokal-bilateral tonisch-klonischen",
         "PERSON"),
        # a heading or form label framed by decoration on its line
        ("*** TELEFAX *** Quorvane-Apotheke", "TELEFAX", "PERSON"),
        ("Gruß\n––– Eingangsvermerk Labor –––\nEingang 3.4.", "Eingangsvermerk Labor", "PERSON"),
        # a label cut short before its dot ("Tel.", "Anm."), also after a table bar
        ("Nordstadt | Tel. Zentrale 0421 55", "| Tel", "ORGANIZATION"),
        ("| Arzt | Anm.\n07:30 | ...", "Anm", "PERSON"),
        # a unit named by a field acronym and a generic head: a department
        ("Klinik für Gesichtschirurgie – MKG-Zentrum\nStraße 1", "MKG-Zentrum", "LOCATION"),
        # an adjective of the list (also a compound one) before nouns of the list
        ("Plan: Orale Kost frei, Mobilisation.", "Orale Kost", "PERSON"),
        ("Empfehlung: Alltagsbezogenes Training, 10 x.", "Alltagsbezogenes Training", "PERSON"),
        # what is left of a model finding whose name a pattern took ("<Noun> von")
        ("Sein Chef von Quernberg & Söhne rief an.", "Sein Chef von", "PERSON"),
        # a score by one letter (keep pattern), the rest ordinary
        ("DXA: Schenkelhals T-Score -2,7.", "Schenkelhals T-Score", "PERSON"),
        # a finding with its size after it
        ("Im Ultraschall Quorvane 9 mm, freie Flüssigkeit.", "Ultraschall Quorvane", "PERSON"),
        # a Greek growth noun ("-plasie", "-trophie") the word list lacks in compounds
        ("Histologie: Nebennierenhyperplasie.", "Nebennierenhyperplasie", "ORGANIZATION"),
    ],
)  # fmt: skip
def test_round_nine_findings_without_a_name_form_are_dropped(text, value, kind):
    assert _checked(text, value, kind) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Termin bei Frau Quorvane.", "Quorvane"),  # an unknown word in a name position
        ("Gespräch mit Hr. Tosk. Danach Visite.", "Tosk"),  # short, before a dot, no prefix
        ("*** Eingang *** Herr Quorvane, Zi. 4", "Herr Quorvane"),  # not framed on its line
        ("Orale Quorvane-Lösung.", "Orale Quorvane-Lösung"),  # an unknown word after it
        ("Anschlussreha nach Quorvane am 1.12.", "Quorvane"),  # no link word at its end
    ],
)
def test_round_nine_names_keep_their_findings(text, value):
    assert _checked(text, value) == [value]


def test_round_nine_abbreviation_of_a_found_organisation():
    """An acronym is the organisation where it spells a found one and the letter uses it as
    a name (in brackets after it, or in a found name); a role's letters are not."""
    from kimed_demos.deid.abbreviations import abbreviation_findings
    from kimed_demos.deid.entities import Finding

    text = (
        "Gerinnungszentrum Quernbach Nord (GZQN); Pflegedienst Lindgart. Die PDL und "
        "die Leitung GZQN. Az. GZQN: 4."
    )
    orgs = [("Gerinnungszentrum Quernbach Nord", 0), ("Pflegedienst Lindgart", 0)]
    found = [Finding(text.index(v), text.index(v) + len(v), "ORGANIZATION", 0.6) for v, _ in orgs]
    added = abbreviation_findings(found, text)
    assert [text[f.start : f.end] for f in added] == ["GZQN"] * 3
    assert abbreviation_findings(found[1:], text) == []  # "PDL" spells it, but is no name
