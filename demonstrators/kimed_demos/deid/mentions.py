"""Second stage after the recognizers: check model findings, complete and spread mentions.

The NER scores every span alike (spaCy's transition model has no calibrated
confidence), so a threshold cannot separate "Apgar" from "Apgar"-the-surname. This
stage decides with evidence the model does not have:

- :func:`check_model_findings`: a model finding inside a must-keep term
  (:mod:`.keeplist`) is dropped; one whose words are all ordinary German words
  (Debian's word list, sentence-start adverbs) and none a known name is dropped, and
  one without a known name that stands where no name stands (:mod:`.evidence`).
- :func:`complete_mentions`: a found name grows to the whole mention - particles
  (von, van, zu), initials, hyphenated and double names, a known first name before a
  surname, a second name after "/" - so no part of a name survives.
- :func:`first_name_findings`: a known first name, with the surname after it.

Which words are names or ordinary words is decided in :mod:`.lexicon`; spreading a
found name over the document is :mod:`.spread`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import regex as re

from . import wordclass
from .entities import Finding
from .evidence import not_a_name
from .keeplist import keep_spans, keep_words
from .lexicon import (
    _CLINICAL_WORDS,
    _dictionary,
    _ordinary,
    first_names,
    is_common_word,
    is_known_name,
    lower_case_words,
)

_L, _UP, _LOW = r"\p{L}", r"\p{Lu}", r"\p{Ll}"
NAME_WORD = rf"{_UP}{_LOW}+(?:['’]{_LOW}+)?(?:-{_UP}{_LOW}+)*"
_WORDS = re.compile(rf"{_L}[{_L}'’-]*")
# Dutch and Romance particles too ("ter Veen", "van den Berg", "de la Cruz").
_PARTICLE_BEFORE = re.compile(
    r"(?:\b(?:von der|van der|van den|van de|de la|von|van|vom|zu|zur|de|ten|ter|v\.)[ ])$"
)
_INITIAL_BEFORE = re.compile(rf"(?<![\w.])(?:{_UP}\.[ ]?){{1,2}}$")
_NAME_BEFORE = re.compile(rf"(?<![\w.-])({NAME_WORD})[ ]$")
_AFTER = (
    re.compile(rf"^-{NAME_WORD}"),  # the rest of a hyphenated name
    re.compile(rf"^[ ](?:von der|van der|von|van|vom|zu|zur|de|v\.)[ ]{NAME_WORD}"),
    re.compile(rf"^[ ]{_UP}\.(?![\w])"),  # "Tobias W."
)
_NAME_AFTER = re.compile(rf"^[ ]({NAME_WORD})(?![\w.-])")
_COMMA_FIRST = re.compile(rf"^,[ ]({NAME_WORD})(?![\w.-])")
_SLASH_NAME = re.compile(rf"^[ ]?/[ ]?(?:(?:Dr|Prof|PD)\.?[ ])*({NAME_WORD})(?![\w.-])")
_TITLE_WORDS = frozenset({
    "Prof", "Dipl", "Psych", "Frau", "Herr", "Herrn", "med", "Med", "dent", "Dr", "PD", "Sr",
    "Pfl", "Schw", "OA", "OÄ", "MFA", "Sc",
})  # fmt: skip
# Compiled once: the regex module's cache lookup per call cost more than the matching.
_LETTERS = re.compile(r"\p{L}+")
_GAP = re.compile(r"[ ]{3,}|\t|\n")
_AFTER_DELIMITER = re.compile(r"(?:^|[\n,(·:;/])[ \t]*$")
# A profession or role noun (also as the end of a compound) before a name.
ROLE_NOUN = (
    r"(?:therapeut|therapeutin|pfleger|pflegerin|schwester|helfer|helferin|berater"
    r"|beraterin|assistent|assistentin|experte|expertin|fachkraft|techniker|technikerin"
    r"|Kollege|Kollegin|Hebamme)"
)
_ROLE_BEFORE = re.compile(rf"{ROLE_NOUN}[ ]$")
_FUNCTION_WORDS = frozenset({"von", "van", "zu", "der", "de", "den", "am", "an", "im", "bei"})

# Lower-case parts of names of other countries ("ibn", "della", "dos") stay evidence of a
# name (German words among them, "bin", "das", would count as ordinary anyway).
_NAME_PARTICLES = frozenset({"ibn", "abu", "della", "degli", "dos", "del"})

#: Second-stage scores of a model finding: a word of the name lists in it, or only
#: words that are neither ordinary nor known. Ordinary words only: dropped.
SCORE_KNOWN_NAME, SCORE_UNKNOWN_WORD = 0.8, 0.6


def second_stage_score(text: str) -> float:
    """Score of a model finding's text by the words in it (0 means: not an identifier)."""
    words = [w.strip("-’'") for w in _LETTERS.findall(text)
             if w not in _FUNCTION_WORDS and w not in _TITLE_WORDS]  # fmt: skip
    words = [w for w in words if len(w) > 2]  # "C", "Ar" in "CIWA-Ar": no evidence of a name
    # "x 18 mm", "C": measurements and letters; a form's checkboxes ("[ ] Notfall"): no name
    if not words or "[" in text:
        return 0.0
    if any(is_known_name(w) for w in words):
        return SCORE_KNOWN_NAME
    # Names are capitalised: beside a capitalised word, a lower-case one that the list
    # lacks ("ulzerös-nekrotisierende <noun>") is an adjective, no evidence of a name.
    if any(w[:1].isupper() for w in words):
        words = [w for w in words if not w[:1].islower() or w in _NAME_PARTICLES]
    return 0.0 if all(is_common_word(w) for w in words) else SCORE_UNKNOWN_WORD


def _outside(f: Finding, spans: Sequence[tuple[int, int]], text: str) -> list[Finding]:
    """The pieces of ``f`` outside ``spans``, stripped of spaces and punctuation."""
    pieces = [(f.start, f.end)]
    for a, b in spans:
        if a < f.end and f.start < b:
            pieces = [p for s, e in pieces for p in ((s, min(e, a)), (max(s, b), e)) if p[0] < p[1]]
    out = []
    for s, e in pieces:
        chunk = text[s:e]
        stripped = chunk.strip(" \t\n,.;:-()/")
        if stripped:
            start = s + chunk.index(stripped)
            out.append(Finding(start, start + len(stripped), f.entity_type, f.score))
    return out


def check_model_findings(
    findings: Iterable[Finding], text: str, keep: Sequence[tuple[int, int]] | None = None
) -> list[Finding]:
    """The NER findings outside must-keep terms that pass the dictionary check, re-scored.

    ``keep``: the text's must-keep spans, if the caller has them already.
    """
    keep = keep_spans(text) if keep is None else keep
    kept = []
    # A column gap or line break ends a name: the model sometimes runs across table cells.
    gaps = lambda f: [m.span() for m in _GAP.finditer(text, f.start, f.end)]  # noqa: E731
    for piece in (p for f in findings for p in _outside(f, [*keep, *gaps(f)], text)):
        score = second_stage_score(text[piece.start : piece.end])
        if piece.entity_type == "WARD" and _WARD_CODE.search(text, piece.start, piece.end):
            score = SCORE_UNKNOWN_WORD  # a ward code ("TK 4") names the ward, words or not
        elif score == SCORE_UNKNOWN_WORD and not_a_name(piece, text):
            score = 0.0
        if score and not _abbreviated(text[piece.start : piece.end], text, piece.end):
            kept.append(Finding(piece.start, piece.end, piece.entity_type, score))
    return kept


_WARD_CODE = re.compile(r"\b\p{Lu}{1,4}[ ]?\d{1,3}\b")


def _abbreviated(value: str, text: str, end: int) -> bool:
    """True for one word cut short before a dot ("Ltg.", "Auftr.", "Stat. N3"): a
    label or clinical abbreviation; names of the lists are never taken for one."""
    if is_known_name(value):
        return False
    return wordclass.abbreviated_before_dot(value, text, end, _dictionary()[0])


# One capitalised word at a time; the next word is only looked at (not consumed), so
# "Patient Karl-Heinz Pieper" still offers "Karl-Heinz" with "Pieper" after it.
_CAP_WORD = re.compile(
    rf"(?<![\w.-])({NAME_WORD})(?![\w-])(?=(?:[ ](?:(von|van|zu|de)[ ])?({NAME_WORD})(?![\w-]))?)"
)


def _plain_first_name(word: str) -> bool:
    """A first name of the lists that is no ordinary word (so not "Mark", "Frank")."""
    parts = word.split("-")
    if not all(p in first_names() for p in parts) or word in keep_words():
        return False
    return not _ordinary(word)


def first_name_findings(text: str) -> list[Finding]:
    """PERSON for every known first name, with the surname after it when there is one.

    Names stand in lists, signature lines and brackets where no title or label
    announces them; a first name of the name lists is evidence enough.
    """
    found = []
    for m in _CAP_WORD.finditer(text):
        if not _plain_first_name(m.group(1)):
            continue
        surname = m.group(3)
        if surname and (m.group(2) or not is_common_word(surname)):
            found.append(Finding(m.start(), m.end(3), "PERSON", SCORE_UNKNOWN_WORD + 0.1))
        else:
            found.append(Finding(m.start(1), m.end(1), "PERSON", SCORE_UNKNOWN_WORD))
    return found


def _grow(f: Finding, text: str) -> Finding:
    """``f`` widened over particles, initials, name parts and first names around it."""
    start, end = f.start, f.end
    for _ in range(3):  # "K. v. Hagen": initial, then particle
        before = text[max(0, start - 12) : start]
        # A login in lower case ("erzeugt von mmuster") takes no particle before it.
        particle = _PARTICLE_BEFORE.search(before) if text[start : start + 1].isupper() else None
        match = particle or _INITIAL_BEFORE.search(before)
        name = _NAME_BEFORE.search(before)
        if match:
            start -= len(match.group())
        elif name and _name_like(
            name.group(1), text, start - len(name.group()), alone=" " not in text[start:end]
        ):
            start -= len(name.group())
        elif inverted := _SURNAME_COMMA_BEFORE.search(text, max(0, start - 40), start):
            if " " in text[start:end] or not _surname_word(inverted.group(1)):
                break
            start = inverted.start()
        else:
            break
    for _ in range(3):
        after = text[end : end + 40]
        match = next((m for p in _AFTER if (m := p.match(after))), None)
        if match and match.re is _AFTER[1] and is_common_word(match.group().split()[-1]):
            match = None  # "Dr. Ulmer vom Betriebsrat": a body, not a particle name
        name = _NAME_AFTER.match(after) or _COMMA_FIRST.match(after)
        if match:
            end += len(match.group())
        elif name and (
            _continues(text[start:end], name.group(1))
            or _ends_mention(text, end + len(name.group()), name.group(1))
            or _word_surname_after(text[start:end], name, text, end)
        ):
            end += len(name.group())
        else:
            break
    return Finding(start, end, f.entity_type, f.score)


# A gap of two spaces or a tab ends a mention too: form columns ("van Rijn, Maarten   geb.");
# round nine: so does a spaced dash before a heading ("Dres. A & <First> <Word> – Liste").
_DELIMITER = re.compile(r"^(?:[ \t]*(?:[,)(\n·|/;]|$)|[ ]{2}|\t|[ ][–—][ ])")
# Eighth round: "<Surname>, <first name>" after a label or at a line start ("<Label>:
# <Word>, <First>"): the word before the comma is the surname, also when it is a word.
_SURNAME_COMMA_BEFORE = re.compile(rf"(?:(?<=\n)|(?<=:[ \t]))({NAME_WORD}),[ ]$")


def _surname_word(word: str) -> bool:
    """A capitalised word that can be a surname although it may be ordinary ("Ferse",
    "Stein"): no title, no must-keep term, no clinical noun, no word the list writes in
    lower case ("Ich, <First> <Surname>": a pronoun)."""
    if word.lower() in lower_case_words():
        return False
    return word not in _TITLE_WORDS and word not in keep_words() and word not in _CLINICAL_WORDS


def _word_surname_after(found: str, name, text: str, end: int) -> bool:
    """Eighth round: after a plain first name (no ordinary word), a capitalised word that
    closes the mention (a delimiter after it) is the surname, also when it is an ordinary
    word ("<First> <Word>, geb.", "Unterschrift: <First> <Word>"); ``name``: its match."""
    words = _WORDS.findall(found)
    if name.group().startswith(",") or not words or not _plain_first_name(words[-1]):
        return False
    after = end + len(name.group())
    return _surname_word(name.group(1)) and bool(_DELIMITER.match(text[after : after + 5]))


def _name_like(word: str, text: str, start: int, alone: bool = False) -> bool:
    """A word before a found name belongs to it: a known first name, or any word
    that is neither ordinary nor a title when it starts a line or follows a
    delimiter ("Lennart Voigt (Psychoonkologie)"), or before a surname found alone."""
    if word in _TITLE_WORDS or is_common_word(word):
        return False
    if word in first_names():
        return True
    # A capitalised word that no list knows, before a surname that stands alone, is its
    # first name: first names of other countries are missing from the lists ("und
    # Oleksij Marchenko", "Rechtsanwältin Gülay Ersoy"), and no ordinary or clinical
    # word is left at this point.
    if alone and word not in keep_words() and word not in _CLINICAL_WORDS:
        return True
    if _ROLE_BEFORE.search(text, max(0, start - 24), start):
        return True  # "Atmungstherapeut Quirin Wendisch": after a profession comes the person
    before = text[max(0, start - 3) : start]
    return start == 0 or bool(_AFTER_DELIMITER.search(before))


def _ends_mention(text: str, end: int, word: str) -> bool:
    """A word after a found name closes the mention: not ordinary, delimiter after it."""
    return (
        not is_common_word(word)
        and word not in _TITLE_WORDS
        and bool(_DELIMITER.match(text[end : end + 5]))
    )


def _continues(found: str, word: str) -> bool:
    """True if ``word`` after ``found`` belongs to the same name.

    After a known first name any name-like word that is not an ordinary word is the
    surname ("Goran Petrović"); after a surname only a known first name follows
    ("Dragović, Stefan").
    """
    last = _WORDS.findall(found)[-1] if _WORDS.findall(found) else ""
    if last in first_names():
        return not is_common_word(word)
    return word in first_names() and not is_common_word(word)


def complete_mentions(findings: Sequence[Finding], text: str) -> list[Finding]:
    """PERSON findings grown to the whole mention, plus names joined to them by '/'."""
    out = []
    for f in findings:
        if f.entity_type != "PERSON":
            out.append(f)
            continue
        grown = _grow(f, text)
        out.append(grown)
        slash = _SLASH_NAME.match(text[grown.end : grown.end + 40])
        if slash and not is_common_word(slash.group(1)):
            s = grown.end + slash.start(1)
            out.append(Finding(s, s + len(slash.group(1)), "PERSON", f.score))
    return out
