"""Round six of issue 11: where a model finding without a known name is no name.

The second stage (:mod:`.mentions`) scores a model finding 0.6 when none of its words is a
known name and some word is unknown to the word lists. Unknown is weak evidence: device
names, English phrases and diagnoses after a code are unknown words too. :func:`not_a_name`
tells such findings by where they stand; each class has one reason, and none applies to a
finding with a known name (those score 0.8 and are not asked).
"""

from __future__ import annotations

import regex as re

from . import wordclass
from .entities import Finding

_LETTERS = re.compile(r"\p{L}+")
_CODE_BEFORE = re.compile(rf"[ \t]*(?:[-•*][ ])?{wordclass.ICD10.pattern}[ \t]+")
_CAPITALISED_BEFORE = re.compile(r"(?:\p{Lu}\p{Ll}+[ ]){1,4}$")
_CAPITALISED_AFTER = re.compile(r"(?:[ ]\p{Lu}\p{Ll}+){1,4}")


def not_a_name(piece: Finding, text: str) -> bool:
    """True if a model finding without a known name stands where no name stands (round
    six, each a class of clinical words the model took for names):

    - an inflected clinical or position adjective as its first word: a noun phrase;
    - an ICD-10 code in it or before it at the line start ("E11.9 <diagnosis>");
    - a model number after it or inside it ("<maker> <line> X75"): a device;
    - an English phrase: two common English words in the run of capitalised words
      around it ("Palliative <Care> <Unit>", "<Care> <Team>"), its own words English
      or ordinary.
    """
    value = text[piece.start : piece.end]
    words = _LETTERS.findall(value)
    if len(words) > 1 and _adjective_first(words):
        return True  # "Ventrikuläre <noun>": an inflected adjective before a noun
    line_start = text.rfind("\n", 0, piece.start) + 1
    if wordclass.ICD10.search(value) or _CODE_BEFORE.fullmatch(text, line_start, piece.start):
        return True
    if wordclass.MODEL_NUMBER.match(text, piece.end) or wordclass.MODEL_NUMBER.search(value):
        return True
    return _english_phrase(piece, text)


def _adjective_first(words: list[str]) -> bool:
    """True if the first of ``words`` is an inflected clinical or position adjective, or a
    short-stem Latin one before ordinary words only ("Nasale <noun>"; a short stem alone
    is weak: surnames look alike)."""
    first = words[0]
    if wordclass.is_medical_adjective(first) or wordclass.is_position_adjective(first):
        return True
    if not wordclass.is_short_latin_adjective(first):
        return False
    from .mentions import is_common_word  # mentions imports this module

    return all(is_common_word(w) for w in words[1:])


def _english_phrase(piece: Finding, text: str) -> bool:
    """True if the capitalised run around ``piece`` holds two common English words and
    every word of ``piece`` is English or ordinary (see :func:`not_a_name`)."""
    english = wordclass.english_words()
    own = _LETTERS.findall(text[piece.start : piece.end])
    if not any(w.lower() in english for w in own):
        return False
    left = _CAPITALISED_BEFORE.search(text, max(0, piece.start - 60), piece.start)
    right = _CAPITALISED_AFTER.match(text, piece.end)
    run = [*own, *(_LETTERS.findall(left.group()) if left else ()),
           *(_LETTERS.findall(right.group()) if right else ())]  # fmt: skip
    if sum(w.lower() in english for w in run) < 2:
        return False
    from .mentions import is_common_word  # mentions imports this module

    return all(w.lower() in english or is_common_word(w) for w in own)
