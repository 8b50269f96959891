"""Identifiers by shape and position, not by label (issue 11, round ten).

Every earlier round taught the recognizers one more label ("Fallzahl", "PIZ", ...), and
the next letters used labels none had seen. The values themselves have shapes that no
clinical value has, so this module keys on the value and on where it stands:

- **the value of a label pair**: a code that mixes letters and digits ("QX-4417-C",
  "XY.ABC.03918274", "2026/QRS/4417", "ABC-7e2d-1194-ac03") or a group of six or more
  digits, also joined to other groups ("26-407215", "00519826"), standing after a
  label word with or without a colon ("Unters.-Zeichen QX-4417-C", "(MPI) : 00519826");
- **a number in brackets after a surname-first name** of a worklist or table row
  ("Musterfrau, Erika (260304718)").

What is not an identifier stays out, by shape or by the label before it: dates and times
(dots or colons between one- and two-digit groups), phone numbers (a phone label, or
groups split by spaces), measurements with a unit, doses, ICD/OPS/ATC codes (a letter,
two digits and a dot, or few digits), a device's PZN, LOT, REF or batch, page, form and
revision numbers, and norms (DIN, ISO).
"""

from __future__ import annotations

import re

from .lexicon import lower_case_words
from .recognizers import GermanPatternRecognizer

# Labels whose values are no identifiers of a person (a device, product, page, form,
# phone, norm or code system) - the eval guidelines leave them unmarked.
_NOT_PERSON_LABEL = (
    r"(?:PZN|LOT|Lot|REF|Ref|Charge|Ch\.-B\.|Ch\.|SN|S/N|Serien-Nr\.|Seriennummer|Artikel"
    r"|Art\.-Nr\.|Bestell-Nr\.|ICD|ICD-10|ICD-10-GM|OPS|ATC|Seite|S\.|Version|Rev\.|Revision"
    r"|Muster|Formular|Form\.|Gebäude|Raum|Zimmer|Hörsaal|Bett|Tel\.|Tel|Telefon|Fax|Mobil"
    r"|mobil|Handy|Fon|Status|Kit|DIN|ISO|EN|IEC|NCT|EudraCT|DRKS|Modell|Typ|Gerät|UDI|GTIN|EAN)"
)
# A label word: capitalised or an acronym, may carry dots and hyphens ("Unters.-Zeichen",
# "Aufn.-Zahl", "AME", "PIZ"), and a remark after it ("(MPI)", "alt"), then ":" or a gap.
_LABEL = (
    # The exclusion holds for compounds too ("Kit-Nr.", "Tel.-Nr."), not for longer words
    # ("Referenz").
    rf"(?<![\w.-])(?!{_NOT_PERSON_LABEL}(?!\p{{Ll}}))\p{{Lu}}[\p{{L}}.-]{{1,24}}"
    r"(?:[ ]\((?:\p{Lu}{2,6})\)|[ ](?:alt|neu|intern|extern))?"
)
# A code mixing letters and digits: groups joined by "-", "/" or "." (at least one
# joint), or one group of capitals and digits; lower-case hex groups count as digits.
_MIXED = (
    r"(?=[\p{L}\d./-]*\d)(?=[\p{L}\d./-]*\p{L})"
    r"\p{L}?[\p{L}\d]{1,10}(?:[-/.][\p{L}\d]{1,12}){1,4}"
)
# Six or more digits in one group, also joined to other groups ("26-407215").
_DIGITS = r"(?:\d{1,4}[-/.])?\d{6,12}(?:[-/.]\d{1,6})?"
# Three or more digit groups joined by "-" or "/" with nine digits or more ("26-03-14-0822",
# a call-out or order number); phone numbers start with 0 (see _value_ok).
_GROUPS = r"\d{2,4}(?:[-/]\d{2,5}){2,4}"


_GROUP_SPLIT = re.compile(r"[-/.]")
_ISO_DATE = re.compile(r"(?:19|20)\d\d-\d\d-\d\d")


def _value_ok(text: str) -> bool:
    """A person's number, not a date, time, dose or code: at least four digits; digits
    alone need a group of six ("14.2-5530/25" is no OPS code, "12.03.2024" no number) or
    nine digits in short groups that do not start with 0 (a phone number does)."""
    digits = sum(ch.isdigit() for ch in text)
    if digits < 4 or _ISO_DATE.fullmatch(text):
        return False
    if any(ch.isalpha() for ch in text) or any(len(g) >= 6 for g in _GROUP_SPLIT.split(text)):
        return True
    return digits >= 9 and not text.startswith("0")


def label_value_recognizer() -> GermanPatternRecognizer:
    """CASE_NUMBER: a code of identifier shape that is the value of a label pair."""
    value = rf"(?:{_MIXED}|{_DIGITS}|{_GROUPS})"
    # The value ends at a space, line end, bracket, comma or semicolon; never before a
    # unit or another digit group (a phone or a measurement goes on).
    end = r"(?![\w/-]|[.,]\d|[ ]?(?:mg|g|kg|ml|l|mm|cm|m|h|min|µg|IE|U|%|x)\b|[ ]\d)"
    return GermanPatternRecognizer(
        "CASE_NUMBER",
        # (?<=[ \t])(?=...\d): cheap checks first, so the label lookbehind runs only
        # before a word with a digit after a blank (speed, same matches).
        [
            (
                "label value",
                rf"(?<=[ \t])(?=[\p{{L}}\d./-]*\d)(?<={_LABEL}[ ]?:?[ \t]{{1,12}})"
                rf"{value}{end}",
                0.6,
            )
        ],
        validator=_value_ok,
    )


def table_cell_code_recognizer() -> GermanPatternRecognizer:
    """CASE_NUMBER: a code of identifier shape that opens a "|" table cell ("| Q-2741, ...")
    whatever the column's header: a study log or a worklist numbers its rows so."""
    end = r"(?=[ \t]*(?:[|,;]|$))"
    return GermanPatternRecognizer(
        "CASE_NUMBER",
        [
            (
                "code opening a cell",
                rf"(?<=\|[ \t]{{0,3}})(?:{_MIXED}|{_DIGITS}|{_GROUPS}){end}",
                0.6,
            )
        ],
        validator=_value_ok,
        cues={"code opening a cell": r"\|"},
    )


def bracket_number_recognizer() -> GermanPatternRecognizer:
    """CASE_NUMBER: six or more digits in brackets after a surname-first name."""
    name = r"\p{Lu}[\p{L}'-]+,[ ]\p{Lu}[\p{L}'-]+(?:[ ]\p{Lu}[\p{L}'-]+)?"
    return GermanPatternRecognizer(
        "CASE_NUMBER",
        [("number after name", rf"(?<={name}[ ]\()\d{{6,12}}(?=\))", 0.6)],
        cues={"number after name": r",[ ]\p{Lu}"},
    )


def _adjective_first(text: str) -> bool:
    """The street's first word is an inflected German adjective ("Hohes", "Stillen"):
    its lower-case form is an ordinary word, so "Diabetes Typ 2" is no street."""
    first = text.split()[0]
    return first.lower() in lower_case_words()


def two_word_street_recognizer() -> GermanPatternRecognizer:
    """LOCATION: an adjective, a noun and a house number before ", <town>" or ", <postcode>"
    ("Hohes Ried 4, <Town>"): a street without a street word, as many are named."""
    adjective = r"\p{Lu}\p{Ll}+(?:e|en|er|es)"
    town = r"(?:\d{5}[ ])?\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?(?=[ ]*(?:$|[·|,]))"
    return GermanPatternRecognizer(
        "LOCATION",
        [("adjective noun number",
          rf"(?<![\w-]){adjective}[ ]\p{{Lu}}\p{{Ll}}+[ ]\d{{1,4}}[a-z]?(?=,[ ]{town})", 0.65)],
        validator=_adjective_first,
        cues={"adjective noun number": r"\d,[ ]"},
    )  # fmt: skip


def shape_recognizers() -> list[GermanPatternRecognizer]:
    """All recognizers of this module, one instance each."""
    return [
        label_value_recognizer(), table_cell_code_recognizer(), bracket_number_recognizer(),
        two_word_street_recognizer(),
    ]  # fmt: skip
