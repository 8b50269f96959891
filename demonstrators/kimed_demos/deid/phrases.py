"""Randomly composed sentences that widen what the NER model sees in training.

Hand-written templates are few; a model trained on them alone learns their frames
("Patient: <name>") instead of what a name looks like. This module composes TRAIN-only
sentences from parts: names in every shape (full, surname after Herr/Frau, "Surname,
First name", with and without titles) after many kinds of people-words, towns and
hospitals in prepositional phrases, and - as often - entity-free lines made of
capitalised German nouns ("Ernährung: passierte Kost", "Kein Anhalt für Erguss").
The parts deliberately avoid the phrasings of the HELD-OUT families.
"""

from __future__ import annotations

import random

PEOPLE = (
    "Sohn", "Tochter", "Ehemann", "Ehefrau", "Nachbarin", "Nachbar", "Betreuer",
    "Lebensgefährtin", "Schwiegertochter", "Physiotherapeutin", "Sozialarbeiterin",
    "Kollege", "Kollegin", "Stationsarzt", "Oberärztin", "Assistenzarzt", "Psychologin",
    "Logopädin", "Diätassistentin", "Seelsorger", "Dolmetscherin", "Notarzt",
)  # fmt: skip
VERBS = (
    "wurde informiert", "ist erreichbar", "kümmert sich um die Versorgung",
    "hat die Einwilligung unterschrieben", "war beim Gespräch anwesend", "bittet um Rückruf",
    "übernimmt die weitere Betreuung", "hat die Vorbefunde mitgebracht",
    "wird die Medikamente abholen", "sieht den Patienten morgen erneut",
)  # fmt: skip
PREPOSITIONS = (
    "Rücksprache mit", "nach Gespräch mit", "laut", "gemäß Absprache mit", "Kopie an",
    "z. Hd.", "vertreten durch", "Terminvergabe durch", "Befundübermittlung an",
)  # fmt: skip
# "P_" stands for the person's slot prefix (pat_, rel_, doc_a_, ...).
NAME_SHAPES = (
    "{P_full}", "{P_hr} {P_last}", "{P_title}{P_full}", "{P_title}{P_last}", "{P_rev}",
    "{P_first}", "{P_abbr} {P_last}", "{P_abbr} {P_title}{P_full}", "{P_init}", "{P_caps}",
    "{P_abbr} {P_first}",
)  # fmt: skip
# Labels of forms and minutes followed by a name (issue 11: names without any title).
NAME_LABELS = (
    "Operateur", "Assistenz", "Untersucherin", "Protokollführung", "Anwesend", "Befundet von",
    "Freigabe", "Ansprechpartnerin", "Bezugspflege", "Kontaktperson", "Dienstarzt", "Unterschrift",
)  # fmt: skip
PLACES = (
    "wohnhaft in {city}", "stammt aus {city}", "Umzug nach {city} geplant",
    "Anschlussheilbehandlung in {city}", "Geburtsort {city}", "{city}, im Frühjahr",
)  # fmt: skip
ORGS = (
    "Verlegung in das {hosp}", "Vorbehandlung im {hosp}", "Befunde aus dem {hosp}",
    "Mitbehandlung durch das {hosp}", "{hosp}, Zentrale Notaufnahme",
    "Rückverlegung in das {care_home}", "Kurzzeitpflege im {care_home}",
    "Kostenträger: {insurer}", "Arbeitgeber: {employer}", "beschäftigt bei {employer}",
    "Versorgung durch {care_service}", "{care_service} kommt zweimal täglich",
    "Mitglied der {insurer}", "{employer}, Personalabteilung",
)  # fmt: skip
ADJECTIVES = (
    "unauffällig", "regelrecht", "gebessert", "stabil", "normale", "passierte", "leichte",
    "deutliche", "keine", "rückläufige", "wechselnde", "erhaltene", "eingeschränkte",
)  # fmt: skip
SECTION_LABELS = (
    "Diagnose", "Nebendiagnosen", "Verdachtsdiagnose", "Indikation", "Therapie", "Anamnese",
    "Vorerkrankungen", "Allergien", "Befund", "Beurteilung", "Procedere", "Diagnostik",
    "Familienanamnese", "Aufnahmegrund", "Epikrise", "Zugang", "Kostform", "Status",
)  # fmt: skip
NOUN_LINES = (
    "{clinical_noun}: {adj} {noun}", "{noun}: {adj}", "Kein Anhalt für {noun}.",
    "Z. n. {noun}.", "{noun} und {noun} {adj}.", "{noun} {adj}, {noun} {adj}.",
    "{clinical_noun} {adj}.", "Die {noun} ist {adj}.", "{noun}\n{noun}: {adj}",
    "Der {noun_surname} wurde erwähnt.", "{noun}, {noun}, {noun}", "{noun} {noun} {adj}",
    "{clinical_noun} {noun}\n", "{noun} {noun}: {adj}", "{noun} {noun}, {noun} {adj}.",
    "{label}: {med_term}", "{label}: {med_term}, {med_term}", "{label}: Verdacht auf {med_term}",
    "Kein {med_term}, kein {med_term}, {noun} {adj}.", "Kein Nachweis von {med_term}.",
    "{med_term} {adj}.", "Z. n. {med_term} {hist_date}.", "{med_term} und {med_term} bekannt.",
    "{label}:\n{med_term} mit {med_term}", "{closing}", "{med_term} Grad II", "{label} {adj}",
    # Hard negatives from the must-keep list: eponyms, drugs, headings, professions.
    "{keep_term} {val}", "{keep_term}: {adj}", "Therapie mit {keep_term} {dose} mg.",
    "{keep_term} und {keep_term} fortführen.", "{keep_term}\n", "{label}: {keep_term} {adj}",
)  # fmt: skip


def _name(rng: random.Random) -> str:
    """A name slot of a random person in a random shape."""
    person = rng.choice(("pat", "rel", "doc_a", "doc_b", "doc_c", "gp"))
    return rng.choice(NAME_SHAPES).replace("P_", f"{person}_")


def person_sentence(rng: random.Random) -> str:
    """A sentence mentioning a person after a people-word or preposition."""
    name = _name(rng)
    shapes = (
        f"{rng.choice(PEOPLE)} {name} {rng.choice(VERBS)}.",
        f"{rng.choice(PREPOSITIONS)} {name}.",
        f"{name} {rng.choice(VERBS)}.",
        f"{rng.choice(PEOPLE)}: {name}",
        f"{rng.choice(PREPOSITIONS)} {rng.choice(PEOPLE)} {name}, Tel. {{phone}}.",
        # A random capitalised noun before or after the name: not part of it.
        f"{{noun}} {name}",
        f"{name} {{noun}} {rng.choice(VERBS)}.",
        f"{name}, {{{rng.choice(('home', 'prax', 'clinic'))}_city}}",
        f"{rng.choice(NAME_LABELS)}: {name}",
        f"{rng.choice(NAME_LABELS)}: {name}, {_name(rng)}",
        f"{name}/{_name(rng)}",
    )
    return rng.choice(shapes)


def place_sentence(rng: random.Random) -> str:
    """A sentence with a town or a hospital."""
    city = rng.choice(("{home_city}", "{prax_city}", "{clinic_city}"))
    if rng.random() < 0.5:
        return rng.choice(PLACES).format(city=city) + "."
    return rng.choice(ORGS) + "."


def noun_line(rng: random.Random) -> str:
    """An entity-free line of capitalised nouns: the hard negatives."""
    line = rng.choice(NOUN_LINES).replace("{adj}", rng.choice(ADJECTIVES))
    return line.replace("{label}", rng.choice(SECTION_LABELS))


def random_sentence(rng: random.Random) -> str:
    """One composed sentence: half noun lines, the rest people and places."""
    roll = rng.random()
    if roll < 0.5:
        sentence = noun_line(rng)
    else:
        sentence = person_sentence(rng) if roll < 0.8 else place_sentence(rng)
    return sentence[0].upper() + sentence[1:]
