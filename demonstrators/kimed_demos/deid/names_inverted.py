"""Names written surname first, and surnames that are words, where they stand as names.

Lists, schedules, forms and handovers write people surname first: "SOMMER, Ilse",
"Falke, Gerda, 88 J.", "zur Eiche, Helga". The model and the name lists tag the
first name and leave the surname when it is an ordinary word (Sommer, Falke, Amsel),
the worst kind of partial removal (issue 11). These rules close that:

- :func:`inverted_name_findings`: a word (or particle + word) before ", <known first
  name>" that ends the mention is a surname, whatever the word; the whole mention is
  one PERSON finding;
- :func:`first_name_word_findings`: a known first name followed by an ordinary word
  that closes the mention ("Torsten Kiefer, Pflege"): the word is the surname;
- :func:`lower_case_findings`: portal messages and chats are written in lower case
  ("jana kowalski", "in regensburg", "die aok", "frau doktor amsel"): a known first name
  that is no German word, with the surname after it, a known town after a
  preposition, an insurer after an article, a word after "frau/herr doktor";
- :func:`trim_keep_edges`: a person mention never starts or ends with a must-keep
  term ("Anton Komma" in a dictation: the name grew over a spoken comma);
- :func:`word_surname_findings`: a surname of the letter that is an ordinary word is
  not spread everywhere (:func:`.spread.spread_mentions` leaves "im Sommer" alone),
  but it is removed in capitals ("SOMMER") and where it stands as a name: after an
  honorific, title or role ("Frau Sommer", "Dr. Amsel") or as a list entry before a
  colon ("- Falke: ..."); a found surname glued in lower case into a file name is
  removed too (:func:`glued_surname_findings`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import regex as re

from .entities import Finding
from .keeplist import keep_words
from .lexicon import _ordinary, first_names, is_common_word, is_known_name, lower_case_words
from .mentions import _TITLE_WORDS, _WORDS, _plain_first_name
from .names_chat import speaker_findings, user_name_findings
from .names_header import header_name_findings, header_surnames
from .spread import _words_of
from .towns import known_towns

_SURNAME = r"\p{Lu}[\p{Lu}\p{Ll}'’]+(?:-\p{Lu}[\p{Lu}\p{Ll}'’]+)*"
_FIRST = r"\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?"
_PARTICLE = r"(?:(?:van|von|de|ten|ter|zu|zur|vom|da|di|dos)(?:[ ](?:der|den|dem|'t|’t))?[ ])"
# The first name closes the mention: punctuation, a bracket, a gap, a number, the line end,
# or a lower-case word ("Falke, Konrad aus der ZNA"), not a second capitalised word.
_ENDS = r"(?=[ \t]*(?:[,(\n;|·/)„“\"”–]|$)|[ ]{2}|\t|[ ]\d|[ ]\p{Ll}|[ ]-)"
_INVERTED = re.compile(
    rf"(?<![\w.’'-])(?P<particle>{_PARTICLE})?(?P<surname>{_SURNAME}(?:[ ]{_SURNAME})?)"
    # A second given name ("Meier, Lukas Johannes"), as forms and police reports list them.
    rf",[ ](?P<first>{_FIRST}(?:[ ]{_FIRST})?){_ENDS}",
    re.MULTILINE,
)
# Words that stand before ", Name" in greetings and prose, not as surnames.
_NOT_SURNAMES = frozenset(
    "Hallo Hi Liebe Lieber Liebes Danke Bitte Ja Nein Guten Morgen Tag Abend Gruß Grüße "
    "Kollege Kollegin Herr Frau Herrn Sehr Geehrte Geehrter Also Und Oder Aber Sowie".split()
)
_ARTICLE_BEFORE = re.compile(r"\b(?:der|die|das|dem|den|des|ein|eine|einer|einem|einen)[ ]$")
SCORE = 0.7


def _first_name(word: str) -> bool:
    """A known first name, hyphenated ones as a whole or part by part ("Hans-Dieter")."""
    return word in first_names() or all(part in first_names() for part in word.split("-"))


def _surname_ok(surname: str, first: str) -> bool:
    """The words before the comma can be a surname: no greeting or title; when the first
    name is also an ordinary word ("Rose"), the surname must not be one."""
    words = surname.split()
    if any(w.title() in _NOT_SURNAMES or w in _TITLE_WORDS for w in words):
        return False
    return not _ordinary(first) or not all(is_common_word(w.title()) for w in words)


_COMMA_NAME = re.compile(rf",[ ]({_FIRST})")


def inverted_name_findings(text: str) -> list[Finding]:
    """PERSON for "SURNAME, Vorname" and "Surname, Vorname" mentions (see module)."""
    # Most letters have no ", <first name>": one cheap scan spares the full pattern.
    if not any(_first_name(m.group(1)) for m in _COMMA_NAME.finditer(text)):
        return []
    found = []
    for m in _INVERTED.finditer(text):
        surname, first = m.group("surname"), m.group("first")
        start = m.start("surname")
        if " " in surname and is_common_word(surname.split()[0]):
            start += surname.index(" ") + 1  # "Aufnahme Falke, Konrad": one word
            surname = surname.split()[1]
        if not all(map(_first_name, first.split())) or not _surname_ok(surname, first.split()[0]):
            continue
        if m.group("particle") and start == m.start("surname"):
            start = m.start("particle")
        if _ARTICLE_BEFORE.search(text, max(0, start - 8), start):
            continue  # "der Klinik, Anna ...": a noun phrase
        found.append(Finding(start, m.end("first"), "PERSON", SCORE))
    return found


_NAME_CUE = (
    r"(?:Herr|Herrn|Frau|Hr\.|Fr\.|Dr\.|Prof\.|Pat\.|Patient|Patientin|Sr\.|Schwester|Pfleger"
    r"|Kollege|Kollegin|Kollegen|Doktor|OA|OÄ|Oberarzt|Oberärztin|Ass\.-Ärztin|Ass\.-Arzt"
    # A signature after the closing formula: "Mit freundlichen Grüßen Dachs".
    r"|Grüßen|Gruß|gez\.|i\.[ ]A\.)"
)


def _word_surnames(findings: Sequence[Finding], text: str) -> set[str]:
    """Surnames of PERSON findings that are ordinary words (so spread_mentions skips them)."""
    out = set()
    for f in findings:
        if f.entity_type != "PERSON":
            continue
        for word in _WORDS.findall(text[f.start : f.end]):
            title = word.title() if word.isupper() else word
            if (
                len(word) >= 3
                and word[0].isupper()  # "von der Krause": a lower-case particle is no surname
                and title not in first_names()
                and title not in keep_words()
                and title not in _TITLE_WORDS
                and _ordinary(title)
            ):
                out.add(title)
    return out


_CUE_BEFORE = re.compile(rf"\b{_NAME_CUE}[ ](?:Dr\.[ ])?$")
_LIST_ENTRY_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:[-–•*][ ])?$")


def glued_surname_findings(findings: Sequence[Finding], text: str) -> list[Finding]:
    """PERSON for a found surname written in lower case inside a file name or handle
    ("2024-05-02_kowalczyk-m_01.jpg"), with an initial glued on by a hyphen."""
    names = {
        w.lower()
        for f in findings
        if f.entity_type == "PERSON"
        for w in _WORDS.findall(text[f.start : f.end])
        # Cheap tests first: most surnames never appear in lower case.
        if len(w) >= 4 and w[0].isupper() and w.lower() in text
        and w.lower() not in lower_case_words() and w.title() not in first_names()
        and not _ordinary(w.title())
    }  # fmt: skip
    names = sorted(names)
    if not names:
        return []
    alternatives = "|".join(re.escape(n) for n in names)
    glued = re.compile(rf"(?<!\p{{L}})(?:{alternatives})(?:-\p{{L}}(?!\p{{L}}))?(?!\p{{L}})")
    return [Finding(*m.span(), "PERSON", SCORE) for m in glued.finditer(text)]


def word_surname_findings(findings: Sequence[Finding], text: str) -> list[Finding]:
    """PERSON for surnames that are words, in capitals or in a name position, and for
    surnames glued into file names (see module and :func:`glued_surname_findings`)."""
    glued = glued_surname_findings(findings, text)
    # Round eleven: a header's surname is a name even when it is a must-keep word.
    words = _word_surnames(findings, text) | {w for w in header_surnames(text) if _ordinary(w)}
    if not words:
        return glued
    upper = {w.upper() for w in words}
    found = []
    for start, end, word in _words_of(text):  # the text's words, computed once per text
        if word in upper:
            found.append(Finding(start, end, "PERSON", SCORE))
        elif word in words:
            before = text[max(0, start - 30) : start]
            if _CUE_BEFORE.search(before) or (
                text[end : end + 1] == ":" and _LIST_ENTRY_BEFORE.search(before)
            ):
                found.append(Finding(start, end, "PERSON", SCORE))
    return found + glued


def unusual_name_findings(text: str) -> list[Finding]:
    """Surname-first names, first name + word surname, names, towns and insurers
    written in lower case, and chat speakers and logins (:mod:`.names_chat`)."""
    return [
        *inverted_name_findings(text),
        *header_name_findings(text),
        *first_name_word_findings(text),
        *lower_case_findings(text),
        *speaker_findings(text),
        *user_name_findings(text),
    ]


# A known first name and one capitalised word that closes the mention: a delimiter
# after it ("Torsten Kiefer, Pflege", "Dr. Ewa Stahl · geb.", "Ina Blum (Heirat ...)").
_FIRST_AND_WORD = re.compile(
    rf"(?<![\w.’'-])(?P<first>{_FIRST})[ ](?P<surname>\p{{Lu}}\p{{Ll}}+(?:-\p{{Lu}}\p{{Ll}}+)?)"
    r"(?=[ \t]*(?:[,;·|()\n]|$)|[ ][–+]|[ ]{2}|\t)",
    re.MULTILINE,
)


# Round nine: after an honorific, a known first name and one capitalised word are first
# name and surname wherever the mention ends ("Herr <First> <Word> fragte"), also when the
# word is a must-keep term (a relation noun); the word's ordinary uses stand elsewhere and stay.
# Round ten: also after a title or a doctor's specialty ("Dr. <First> <Word>", "Zahnarzt
# <First> <Word>", "Urologin <First> <Word>"): the same position, staff instead of patients.
_HONORIFIC = (
    r"(?:Herrn?|Frau|Dr\.|Prof\.|PD|OA|OÄ|Dipl\.-Med\.|\p{Lu}\p{Ll}*(?:arzt|ärztin|loge|login))"
)
_HONORIFIC_FIRST = rf"(?<=\b{_HONORIFIC}[ ])"
_HONORIFIC_FIRST_WORD = re.compile(
    rf"{_HONORIFIC_FIRST}(?P<first>{_FIRST})[ ]"
    r"(?P<surname>\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)(?![\w-])"
)
_HONORIFIC_FIRST_BEFORE = re.compile(rf"\b{_HONORIFIC}[ ](?P<first>{_FIRST})[ ]$")
_INITIAL_BEFORE = re.compile(r"(?<![\w.])\p{Lu}\.[ ]$")


def _after_honorific_first(text: str, start: int) -> bool:
    """True if "Herr/Frau <known first name> " or an initial ("M. ") stands right before
    ``start``: a surname's position, whatever the word."""
    if _INITIAL_BEFORE.search(text, max(0, start - 4), start):
        return True
    m = _HONORIFIC_FIRST_BEFORE.search(text, max(0, start - 40), start)
    return bool(m) and _plain_first_name(m.group("first"))


def first_name_word_findings(text: str) -> list[Finding]:
    """PERSON for a known first name followed by a surname that is an ordinary word
    ("Pfleger", "Ehrlich") where the mention ends after it, or after an honorific; the
    name lists complete only surnames that are no words."""
    found = [
        Finding(m.start(), m.end(), "PERSON", SCORE)
        for m in _HONORIFIC_FIRST_WORD.finditer(text)
        if _plain_first_name(m.group("first"))
        and m.group("surname") not in _TITLE_WORDS
        and (_ordinary(m.group("surname")) or m.group("surname") in keep_words())
    ]
    for m in _FIRST_AND_WORD.finditer(text):
        surname = m.group("surname")
        if (
            _plain_first_name(m.group("first"))
            and surname not in keep_words()
            and surname not in _TITLE_WORDS
            and _ordinary(surname)
        ):
            found.append(Finding(m.start(), m.end(), "PERSON", SCORE))
    return found


# The article is matched and dropped with \K, not looked behind for at every position
# of the text (speed, same matches).
_LOWER_INSURER = re.compile(
    r"\b(?:die|der|bei|von)[ ]\K(?:tk|aok|dak|barmer|hkk|ikk|bkk|knappschaft|techniker)(?![\w-])"
)
_LOWER_TITLE = re.compile(r"\b(?:frau|herr|herrn)[ ](?:doktor|dr\.?|prof\.?)[ ](\p{Ll}[\p{Ll}-]+)")
_LOWER_PLACE_CUE = re.compile(r"\b(?:in|aus|nach|bei|von)[ ]$")


def _lower_words() -> frozenset[str]:
    """Lower-case words of the German list ("rot", "lang"): never lower-case names."""
    return lower_case_words()


@functools.cache
def _lower_first_names() -> frozenset[str]:
    """Known first names in lower case that are no German word ("jana", not "mark")."""
    return frozenset(
        n.lower() for n in first_names() if n.lower() not in _lower_words() and _plain_first_name(n)
    )


@functools.cache
def _lower_towns() -> frozenset[str]:
    """Known towns in lower case that are no German word."""
    return frozenset(t.lower() for t in known_towns() if t.lower() not in _lower_words())


def _lower_surname(word: str) -> bool:
    """A lower-case word after a first name that is a surname: a known name, or no word."""
    title = "-".join(p.title() for p in word.split("-"))
    return word not in _lower_words() and (is_known_name(title) or not is_common_word(title))


def lower_case_findings(text: str) -> list[Finding]:
    """PERSON, LOCATION and ORGANIZATION written in lower case (see module)."""
    found = []
    words = _words_of(text)  # the text's words, computed once per text
    firsts, towns = _lower_first_names(), _lower_towns()
    for i, (start, end, word) in enumerate(words):
        if word in firsts:
            nxt = words[i + 1] if i + 1 < len(words) else None
            if nxt and nxt[0] == end + 1 and nxt[2].islower() and _lower_surname(nxt[2]):
                end = nxt[1]
            found.append(Finding(start, end, "PERSON", SCORE))
        elif word in towns and _LOWER_PLACE_CUE.search(text, max(0, start - 9), start):
            found.append(Finding(start, end, "LOCATION", SCORE))
    found += [Finding(*m.span(), "ORGANIZATION", SCORE) for m in _LOWER_INSURER.finditer(text)]
    found += [Finding(*m.span(1), "PERSON", SCORE) for m in _LOWER_TITLE.finditer(text)]
    return found


_EDGE_WORD = re.compile(r"[\p{L}\d][\p{L}\d.'’-]*")


def _kept_word(text: str, keep: Sequence[tuple[int, int]], span: tuple[int, int]) -> bool:
    """A word inside a must-keep term that is no known name ("Komma", not "Abbott"), or
    a later word of one: a product line or maker ("Xience Sierra", "L-Thyroxin Henning")."""
    inside = [a for a, b in keep if a <= span[0] and span[1] <= b]
    return bool(inside) and (min(inside) < span[0] or not is_known_name(text[slice(*span)]))


def trim_keep_edges(
    findings: Sequence[Finding], text: str, keep: Sequence[tuple[int, int]]
) -> list[Finding]:
    """PERSON findings without must-keep words at their edges: a name grown over a
    dictation command ("Anton Komma") or a heading loses that word; a finding of
    must-keep words only is dropped. Other types are returned as they are."""
    out = []
    header = header_surnames(text)  # round eleven: "Pat.: <Word>, <First>" keeps <Word> a name

    def kept(span: tuple[int, int]) -> bool:
        return text[slice(*span)] not in header and _kept_word(text, keep, span)

    for f in findings:
        if f.entity_type != "PERSON" or not keep:
            out.append(f)
            continue
        words = [m.span() for m in _EDGE_WORD.finditer(text, f.start, f.end)]
        while words and kept(words[0]):
            words.pop(0)
        while words and (kept(words[-1]) or text[slice(*words[-1])] in _TITLE_WORDS):
            if _after_honorific_first(text, words[-1][0]):
                break  # "Herr <First> <Term>", "M. <Term>": a surname (round nine)
            words.pop()  # nor with a title ("Komma Frau" after a kin word)
        if words:
            out.append(Finding(words[0][0], words[-1][1], f.entity_type, f.score))
    return out
