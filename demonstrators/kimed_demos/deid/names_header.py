"""A patient's name in a letter's header or form, whatever the words (round eleven).

The name lists and the model drop surnames that are German words (a body part, a
blanket, smoke); in a header's or form's name field the position alone says it is a name:

- "Pat.: <Surname>, <First>" (also "Patientin:", "Name:", "Bewohner:", "Versicherte:")
  at the start of a line: the field holds surname and first name, whatever they are;
- "Name <Surname>   Vorname <First>" and "Name: <Surname>, Vorname: <First>": a form's
  two fields side by side;
- "<First> <Word> (geb. <date>)": a birth date in brackets follows a person's name, so
  the two words before it are first name and surname, the surname even when it is a
  word; the first must be no ordinary word ("Kind <Name> (geb. ...)" keeps "Kind").

Found here, such a surname is then removed where the letter uses it as a name ("Frau
<Word>") by :func:`.names_inverted.word_surname_findings`, while the word's ordinary use
("der <Word>") stays.
"""

from __future__ import annotations

import regex as re

from .entities import Finding
from .lexicon import is_common_word

_WORD = r"\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"
_LABEL = r"(?:Pat\.|Patient(?:in)?|Name|Bewohner(?:in)?|Versicherte[rn]?|Klient(?:in)?)"
_FIELD = re.compile(
    rf"(?m)(?<=^[ \t]*{_LABEL}[ \t]*:[ \t]*)(?P<name>{_WORD},[ ]{_WORD})(?=[ \t]*[,(\n]|$)"
)
_FORM = re.compile(
    rf"(?m)(?<=^[ \t]*Name:?[ \t]+)(?P<surname>{_WORD}),?[ \t]+Vorname:?[ \t]+(?P<first>{_WORD})"
    r"(?![\w-])"
)
_BEFORE_BIRTH = re.compile(
    rf"(?<![\w-])(?P<first>{_WORD})[ ](?P<surname>{_WORD})(?=[ ]\((?:geb\.|\*)[ ]?\d)"
)
SCORE = 0.7


def header_name_findings(text: str) -> list[Finding]:
    """PERSON for the name fields of a header or form (see module)."""
    found = [
        Finding(m.start("name"), m.end("name"), "PERSON", SCORE) for m in _FIELD.finditer(text)
    ]
    for m in _FORM.finditer(text):
        found.append(Finding(m.start("surname"), m.end("surname"), "PERSON", SCORE))
        found.append(Finding(m.start("first"), m.end("first"), "PERSON", SCORE))
    for m in _BEFORE_BIRTH.finditer(text):
        if not is_common_word(m.group("first")):
            found.append(Finding(m.start("first"), m.end("surname"), "PERSON", SCORE))
    return found


def header_surnames(text: str) -> frozenset[str]:
    """The surnames of the header's and form's name fields: names even when they are
    must-keep words (a body part), so trimming and spreading treat them as names."""
    names = {m.group("name").split(",")[0] for m in _FIELD.finditer(text)}
    names.update(m.group("surname") for m in _FORM.finditer(text))
    return frozenset(names)
