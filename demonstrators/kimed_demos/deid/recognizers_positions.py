"""Persons and places by the position letters put them in (issue 11, round ten).

Earlier rounds found a name after a title, a label or a first name and surname pair; the
names that stayed stand where German letters name people with one word:

- **a first name alone after a kinship or a trainee/helper role word** ("Enkel <First>",
  "Praktikant <First>"): a known first name, or a capitalised word that is no noun (a
  verb form (a name that is also a verb) can only be capitalised mid-sentence as a name);
- **the second of two first names joined by "und"** ("Dank an Ina und <First>"), both
  known first names;
- **an initial alone after a title or "gez."** ("Vermerk Dr. F.:", "gez. B." at the line
  end): the doctor who wrote the note;
- **who signed** ("Unterschrift <First> <Surname>") and **a surname in a file name**
  after a case segment ("..._Fall_<Surname>_final.pptx");
- **a town abroad before its country's code** ("(Nichte, <Town> NL)");
- **a park or palace garden used as a place** ("im Stadtpark", "im Hofgarten"), which
  the guidelines mark as a location.
"""

from __future__ import annotations

import regex as re

from .keeplist import keep_words
from .lexicon import first_names, is_noun, lower_case_words
from .recognizers import GermanPatternRecognizer
from .recognizers_extra import _KIN, NAME, _not_ordinary

# Trainees and helpers are named by first name in team notes and rosters.
_HELPER = (
    r"(?:Praktikant(?:in)?|Azubi|Auszubildende[rn]?|Schüler(?:in)?|Student(?:in)?"
    r"|Famulant(?:in)?|Hospitant(?:in)?|PJler(?:in)?|FSJler(?:in)?|Bufdi|Erzieher(?:in)?"
    r"|Kinderpflegerin|Kinderpfleger|Betreuungskraft|Alltagsbegleiter(?:in)?|Schwester"
    r"|Pfleger(?:in)?|Kolleg(?:e|in)|MFA|ZFA)"
)


def _single_name_ok(text: str) -> bool:
    """A known first name, a word that is no ordinary word, or a capitalised verb form
    (no noun; its lower-case form is a word): mid-sentence only a name is written so."""
    if text in first_names() or _not_ordinary(text):
        return True
    return not is_noun(text) and text.lower() in lower_case_words()


def _both_first_names(text: str) -> bool:
    """'<First> und <First>': both words are known first names."""
    first, _, second = text.split(" ")
    return first in first_names() and second in first_names()


def position_person_recognizer() -> GermanPatternRecognizer:
    """PERSON: one name after a kinship or helper word, first names joined by 'und', a
    surname in a file name, an initial after a title."""
    return GermanPatternRecognizer(
        "PERSON",
        [
            # Not before a second name word: "Sohn <First> <Surname>" is the kin
            # recognizer's (recognizers_extra.py).
            ("one name after kin or helper",
             rf"(?<=\b(?:{_KIN}|{_HELPER})[ ]){NAME}(?![\w-]|[ ]\p{{Lu}}\p{{Ll}})", 0.6),
            ("first names joined", rf"(?<![\w-]){NAME}[ ]und[ ]{NAME}(?![\w-])", 0.55),
            # A file name holds the patient's surname after a case or patient segment
            # ("Konferenz_<date>_Fall_<Surname>_v2.pptx").
            ("surname in a file name",
             r"(?<=_(?:Fall|Pat|Patient|Patientin|Name)_)\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"
             r"(?=_[\w.-]*\.(?:pptx?|docx?|pdf|xlsx?|csv|txt|odt)\b)", 0.6),
            ("initial after title",
             r"(?<=\b(?:Dr\.|Prof\.|gez\.|OA|OÄ)[ ])\p{Lu}\.(?=[ ]?:|[ ]*$)", 0.6),
        ],
        validator=_person_ok,
        cues={"first names joined": r"[ ]und[ ]\p{Lu}", "initial after title": r"\.[ ]\p{Lu}\.",
              "surname in a file name": r"_(?:Fall|Pat|Name)"},
    )  # fmt: skip


def _person_ok(text: str) -> bool:
    """The check that fits the matched shape (see the patterns)."""
    if text.endswith("."):
        return True  # an initial after a title: the position is the evidence
    if " und " in text:
        return _both_first_names(text)
    return _single_name_ok(text)


def staff_position_recognizer() -> GermanPatternRecognizer:
    """PERSON: who signed, a doctor by specialty and surname, who did a record's step, a
    practice's doctors (see the patterns)."""
    return GermanPatternRecognizer(
        "PERSON",
        [
            # Who signed: a first name and surname after the word for a signature
            # ("Unterschrift <First> <Surname>"), in a form's stamp field or a note.
            ("name after signature word",
             rf"(?<=\b(?:Unterschrift|unterschrieben[ ]von|Signatur|signiert[ ]von):?[ ])"
             rf"{NAME}(?:[ ]{NAME})?(?![\w.-])", 0.6),
            # A doctor named by specialty and surname alone ("Kinderarzt <Surname>",
            # "Urologin <Surname>"); a title after it is the next pattern's matter.
            ("surname after specialty",
             rf"(?<=\b\p{{Lu}}\p{{Ll}}*(?:arzt|ärztin|loge|login)[ ]){NAME}(?![\w.-])", 0.6),
            # Who did a record's step, alone at the line end after its participle and a
            # colon ("bearbeitet: <Surname>", "erfasst: <Surname>").
            ("name after participle",
             rf"(?<=\b\p{{Ll}}{{3,}}(?:t|en):[ ]){NAME}(?=[ ]*$)", 0.6),
            # A practice named by its doctors joined by "/" ("Hausarztpraxis <A>/<B>").
            ("doctors of a named practice",
             rf"(?<=\b\p{{Lu}}\p{{Ll}}*praxis[ ]){NAME}/{NAME}(?![\w-])", 0.6),
        ],
        validator=_staff_name_ok,
        cues={"name after signature word": r"Unterschrift|unterschrieben|Signatur|signiert",
              "surname after specialty": r"(?:arzt|ärztin|loge|login)[ ]\p{Lu}",
              "name after participle": r"(?:t|en):[ ]\p{Lu}",
              "doctors of a named practice": r"praxis[ ]\p{Lu}"},
    )  # fmt: skip


# A department or subject after a specialty ("Assistenzarzt Anästhesie", "... Urologie").
_SUBJECT_ENDING = re.compile(r"(?:ie|ik|ung|ion|tät|heit|keit|ur)$")


def _staff_name_ok(text: str) -> bool:
    """Each word a known first name or a name-like word: no ordinary word, no must-keep
    term, and no word whose lower-case form is a German word ("Versicherte", "Verletzte":
    participles used as nouns stand where a signer's name would), no subject's ending."""
    words = re.split(r"[ /]", text)
    return all(
        w in first_names()
        or (
            _not_ordinary(w)
            and w not in keep_words()
            and w.lower() not in lower_case_words()
            and not _SUBJECT_ENDING.search(w)
        )
        for w in words
    )


# Compounds in -park that are no place: a fleet, machines, devices.
_NOT_A_PARK = r"(?!(?:Fuhr|Maschinen|Geräte|Fahrzeug|Wagen|Solar|Wind)park\b)"


def park_recognizer() -> GermanPatternRecognizer:
    """LOCATION: a park or palace garden after a preposition of place ("im Stadtpark")."""
    gardens = r"(?:Schloss|Hof|Stadt|Kur|Palmen|Rosen|Tier)garten"
    return GermanPatternRecognizer(
        "LOCATION",
        [("park as place",
          rf"(?<=\b(?:im|am|beim|vom|zum|in[ ]den|durch[ ]den)[ ]){_NOT_A_PARK}"
          rf"(?:\p{{Lu}}\p{{Ll}}+park|{gardens})(?![\w-])", 0.6)],
        cues={"park as place": r"park\b|garten\b"},
    )  # fmt: skip


# Countries by their two-letter code, as addresses abroad add them after the town.
_COUNTRY = r"(?:NL|BE|AT|CH|FR|PL|CZ|DK|LU|IT|ES|TR|GB|UK|SE|NO|HU|RO|HR|SI|SK|GR|PT|IE)"


def town_abroad_recognizer() -> GermanPatternRecognizer:
    """LOCATION: a town before a country's code in brackets or after a comma ("(Nichte,
    <Town> NL)"): where a relative abroad lives."""
    return GermanPatternRecognizer(
        "LOCATION",
        [("town before country code",
          rf"(?<=[(,][ ]?)\p{{Lu}}\p{{Ll}}+(?:-\p{{Lu}}\p{{Ll}}+)?(?=[ ]{_COUNTRY}[),])", 0.6)],
        validator=_not_ordinary,
    )  # fmt: skip


def position_recognizers() -> list[GermanPatternRecognizer]:
    """All recognizers of this module, one instance each."""
    return [
        position_person_recognizer(), staff_position_recognizer(), park_recognizer(),
        town_abroad_recognizer(),
    ]  # fmt: skip
