"""Spread found names over the whole document, and find their initials.

- :func:`spread_mentions`: a name, town or organisation found once is removed
  everywhere in the document (also in capitals), which catches bare surnames in
  signature lines and participant lists; a surname that is also a word only where it
  stands as a name (:func:`spread_only_as_name`).
- :func:`initials_findings`: the initials of a found name where staff sign with them
  (brackets, table cells).

Split from :mod:`.mentions` (module size), which completes the mentions first.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import regex as re

from . import wordclass
from .entities import Finding
from .evidence import word_as_noun
from .keeplist import keep_spans, keep_words
from .lexicon import _CLINICAL_WORDS, _dictionary, _ordinary, first_names, is_common_word
from .mentions import _FUNCTION_WORDS, _TITLE_WORDS, _WORDS, NAME_WORD

_TOKEN = re.compile(r"(?<![\w-])[\p{L}][\p{L}'’]*(?:-[\p{L}]+)*(?![\w-])")


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """True if [start, end) is covered by the union of ``spans``."""
    position = start
    for a, b in sorted(spans):
        if a <= position < b:
            position = b
    return position >= end


@functools.lru_cache(maxsize=4)
def _words_of(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, word) of every word of ``text``; the last few texts' are kept, as
    :func:`town_findings` and :func:`spread_mentions` both need them (speed)."""
    return tuple((m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text))


_PARTICLES = frozenset({"von", "van", "de", "zu", "ten", "vom"})


def _initials(name: str) -> list[str]:
    """Initials of a first name + surname as staff sign: "Lea Haferkamp" -> "LH" and
    "lh"; with a particle also "JdB" ("Joost de Boer"). None of them a keep term."""
    words = [w for w in _WORDS.findall(name) if w not in _TITLE_WORDS]
    particle = [w for w in words if w in _PARTICLES]
    words = [w for w in words if w not in _FUNCTION_WORDS]
    if len(words) != 2 or not all(len(w) >= 2 and w[0].isupper() for w in words):
        return []
    initials = [words[0][0] + words[1][0]]
    # Round nine: a double surname signs with both initials ("Eva Roth-Lenz" -> "ERL").
    parts = words[1].split("-")
    if len(parts) == 2 and all(p[:1].isupper() for p in parts):
        initials.append(words[0][0] + parts[0][0] + parts[1][0])
    if particle:
        initials += [words[0][0] + particle[0][0] + words[1][0], words[0][0] + words[1][0]]
    forms = {*initials, *(i.lower() for i in initials)}
    return sorted(i for i in forms if i not in keep_words())


# Where staff sign with initials: in brackets, or as a table cell (after a tab, "|" or
# two spaces, before the line end, a tab, "|" or two spaces); round nine: also as the
# last item of a line after a comma ("Abgabe-Nr. ..., ERL"), and three capitals.
_SIGNED = re.compile(
    r"(?:(?<=\()(\p{L}\p{Ll}?\p{L}|\p{Lu}{3})(?=\))"
    r"|(?<=(?:\t|\||[ ]{2}|,[ ])[ ]?)(\p{L}\p{Ll}?\p{L}|\p{Lu}{3})(?=[ ]?(?:$|\t|\||[ ]{2})))",
    re.MULTILINE,
)


def initials_findings(findings: Sequence[Finding], text: str) -> list[Finding]:
    """PERSON for the initials of names found in the document where they stand as a
    signature (brackets, table cells): "Hz ... LH" after "Lea Haferkamp". Elsewhere
    two capitals are more often a clinical abbreviation ("DK" for a catheter)."""
    names = {
        initials: f
        for f in findings
        if f.entity_type == "PERSON"
        for initials in _initials(text[f.start : f.end])
    }
    if not names:
        return []
    return [
        Finding(m.start(), m.end(), "PERSON", names[m.group()].score)
        for m in signed_matches(text, names)
    ]


def signed_matches(text: str, names) -> list:
    """The matches of ``_SIGNED.finditer(text)`` whose text is one of ``names``.

    Tried only where a name stands (``str.find``), not at every position of the letter
    (speed: the scan cost 0.14 ms a letter for a handful of hits). The same matches:
    the lookbehinds see the text before the position, and no match can overlap one
    found here, as every match is letters only and needs a delimiter before it.
    """
    starts = set()
    for name in names:
        at = text.find(name)
        while at >= 0:
            starts.add(at)
            at = text.find(name, at + 1)
    matches = (_SIGNED.match(text, at) for at in sorted(starts))
    return [m for m in matches if m is not None and m.group() in names]


# Round ten: also a one-letter ward code ("C4"): found as a ward once, it names the same
# ward where a signature or a transfer line repeats it without a cue.
_UNIT_CODE = re.compile(r"\p{Lu}{1,4}[ ]?\d{1,2}[a-z]?")
# Five digits or more, a letter code with a hyphen and four digits ("T-0408"), or three
# digit groups ("720 31 448"): shorter numbers are doses, scores and years as often.
_RECORD_CODE = re.compile(r"\p{Lu}{1,3}-\d{4,}|\d{5,}(?:[/-]\d{2,})*|\d{2,}(?:[ /-]\d{2,}){2,}")


def _whole_token(text: str, start: int, end: int) -> bool:
    """No letter or digit glued to text[start:end] ("KCI 2" is not in "KCI 21")."""
    return not (start and text[start - 1].isalnum()) and not text[end : end + 1].isalnum()


_WARD_SIDE = re.compile(r"(\d{1,2})[ ]?(Nord|Süd|Ost|West)\b")
# Round ten: a login of an initial and a surname ("a.<surname>") names its user; the
# surname stands capitalised elsewhere in the letter, its umlauts back ("ue" -> "ü").
_DOTTED_LOGIN = re.compile(r"\p{Ll}{1,12}\.(\p{Ll}{3,20})")
_UMLAUTS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))


def _login_surnames(part: str) -> list[str]:
    """The surname of a login's second part as written in a letter, with and without its
    umlauts; none that is an ordinary word."""
    forms = {part.capitalize()}
    for plain, umlaut in _UMLAUTS:
        forms |= {w.replace(plain, umlaut) for w in forms}
    return [w for w in sorted(forms) if not _ordinary(w) and w not in keep_words()]


def _spreadable(f: Finding, text: str) -> list[str]:
    """The strings of a finding that are removed wherever they occur in the document."""
    value = text[f.start : f.end]
    if f.entity_type == "PERSON" and (login := _DOTTED_LOGIN.fullmatch(value)):
        return _login_surnames(login.group(1))
    if f.entity_type == "PERSON":
        # A surname that is also an ordinary word ("Winter", "Krebs") is not spread:
        # elsewhere in the letter it is usually the word.
        return [w for w in _WORDS.findall(value)
                if len(w) >= 3 and w not in _FUNCTION_WORDS and w not in keep_words()
                and w not in _TITLE_WORDS and not _ordinary(w)]  # fmt: skip
    # A unit's acronym code ("KCI 2") names the same ward wherever the letter repeats it.
    if f.entity_type == "WARD" and _UNIT_CODE.fullmatch(value):
        return [value]
    # Round ten: a ward named by number and side ("3 Nord Geriatrie") is written short on
    # labels and in tables of the same letter ("3N").
    if f.entity_type == "WARD" and (side := _WARD_SIDE.match(value)):
        return [value, side.group(1) + side.group(2)[0]]
    # A record's number found once (in a table column, after a label) names the same
    # record where a note repeats it without its label ("in Zeile T-0408 stand ...").
    if f.entity_type == "CASE_NUMBER" and _RECORD_CODE.fullmatch(value):
        return [value]
    if f.entity_type in ("LOCATION", "ORGANIZATION") and len(value) >= 4 and "\n" not in value:
        if not any(ch.isdigit() for ch in value) and not is_common_word(value):
            return [value]
    return []


def _ordinary_surnames(f: Finding, text: str) -> list[str]:
    """Eighth round: the ordinary words of a person finding ("<Word>, <First>", "<First>
    <Word>"), spread only to name positions (:func:`_name_position`): "Frau <Word>", "H.
    <Word>", "<First> <Word>" go, "die <Word>" and "der linken <Word>" stay."""
    if f.entity_type != "PERSON":
        return []
    return [w for w in _WORDS.findall(text[f.start : f.end])
            if len(w) >= 3 and w[0].isupper() and not w.isupper() and w not in _TITLE_WORDS
            and w not in keep_words() and w not in _CLINICAL_WORDS and _ordinary(w)]  # fmt: skip


def spread_only_as_name(word: str) -> bool:
    """True for a surname that the word list holds, that starts compounds there and that
    a word class finds ordinary ("Wille": the list lacks its plural, so :func:`_ordinary`
    does not see it): spread only where it stands as a name, so "Dr. R. Wille" does not
    take "der Wille zur Therapie"; a surname like a genitive ("Klages") spreads as before."""
    words = _dictionary()[0]
    return word in words and wordclass.starts_compounds(word, words) and is_common_word(word)


# A name position: after a title or role word, an initial, or a known first name.
_NAME_POSITION = re.compile(
    rf"(?:\b(?:{'|'.join(sorted(_TITLE_WORDS))})\.?|(?<![\w.])\p{{Lu}}\.|({NAME_WORD}))[ ]$"
)


def _name_position(text: str, start: int) -> bool:
    """True if the word at ``start`` stands where a name stands (:data:`_NAME_POSITION`)."""
    m = _NAME_POSITION.search(text, max(0, start - 40), start)
    return bool(m) and (not m.group(1) or m.group(1) in first_names())


def spread_mentions(
    findings: Sequence[Finding], text: str, keep: Sequence[tuple[int, int]] | None = None
) -> list[Finding]:
    """``findings`` plus every other occurrence of their names, towns and organisations."""
    words: dict[str, Finding] = {}
    phrases: dict[str, Finding] = {}
    as_name: set[str] = set()  # words spread only where they stand as a name
    for f in findings:
        for value in _ordinary_surnames(f, text):
            words.setdefault(value, f)
            words.setdefault(value.upper(), f)
            as_name.update((value, value.upper()))
        for value in _spreadable(f, text):
            table = words if _TOKEN.fullmatch(value) else phrases
            table.setdefault(value, f)
            if f.entity_type == "PERSON":
                table.setdefault(value.upper(), f)
    if not words and not phrases:
        return list(findings)
    keep = keep_spans(text) if keep is None else keep
    hits = [
        (start, end, words[word])
        for start, end, word in _words_of(text)
        if word in words
        and (not (word in as_name or spread_only_as_name(word)) or _name_position(text, start))
        and not word_as_noun(word, text, start)  # "in der Hand": a noun there (round seven)
    ]
    for value, source in phrases.items():  # a few multi-word names: plain search
        start = text.find(value)
        while start >= 0:
            whole = source.entity_type not in ("WARD", "CASE_NUMBER")
            if whole or _whole_token(text, start, start + len(value)):
                hits.append((start, start + len(value), source))
            start = text.find(value, start + 1)
    extra = [
        Finding(s, e, src.entity_type, src.score) for s, e, src in hits if not _inside(s, e, keep)
    ]
    return [*findings, *extra]
