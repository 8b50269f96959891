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
from .lexicon import _dictionary, is_common_word, is_known_name

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
      or ordinary;
    - (round seven) only ordinary words by a class: compounds of nouns, nouns of adjectives;
    - (round seven) a person finding of listed words after a determiner ("in der Mensa");
    - (round nine) see :func:`_no_name_by_form`: no capital, a framed heading, a label cut
      short, a unit named by a field acronym, an adjective of the list before listed nouns.
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
    if _english_phrase(piece, text) or _ordinary_by_class(words, piece, text):
        return True
    if _no_name_by_form(words, piece, text):
        return True
    return piece.entity_type == "PERSON" and _listed_after_determiner(words, piece, text)


def _ordinary_by_class(words: list[str], piece: Finding, text: str) -> bool:
    """True if every capitalised word of the finding is ordinary, some by a class of round
    seven: a compound of nouns and verb stems ("Vermögenssorge", "Gehhilfe") or an
    umlauted adjective's noun ("Kälte"). Compounds of nouns are surnames and towns too
    ("Sonnenschein", "Königswinter"), so not where a name stands (after a title, initial or
    first name) nor for a place of the places file; organisations are named by ordinary
    nouns ("<Office>amt <district>"), so never for them."""
    from .places import place_words
    from .spread import _name_position  # spread imports this module

    capitalised = [w for w in words if w[:1].isupper() and len(w) > 2]
    if piece.entity_type == "ORGANIZATION" or not capitalised:
        return False
    if _name_position(text, piece.start) or any(w in place_words() for w in capitalised):
        return False
    words_, lower, _ = _dictionary()

    def noun(part: str) -> bool:  # no name, no adjective ("Kalt": "kalt", "kaltes"; a verb
        low = part.lower()  # has "reiz", "reize" but no "reizes")
        adjective = part not in words_ and low in lower and low + "es" in lower
        return is_common_word(part) and not is_known_name(part) and not adjective

    return all(
        is_common_word(w)
        or wordclass.is_adjective_noun(w, lower)
        or wordclass.is_noun_compound(w, noun, lower)
        for w in capitalised
    )


# Before a noun, not before a name: an article, a quantifier or a fused preposition ("in der
# <Noun>", "viel <Noun>", "in der Mensa"); names in letters take no article. For a model
# finding "von"/"mit" too ("Nähte von Hand"): "von" ends in the finding otherwise.
_DETERMINER = (
    r"der|die|das|dem|den|des|ein|eine|einer|einem|einen|eines|kein|keine|keinen|keinem"
    r"|viel|viele|vielen|wenig|seine|seiner|seinem|seinen|ihre|ihrer|ihrem|ihren|im|am|vom"
    r"|zum|zur|beim|ins"
)
_DETERMINER_BEFORE = re.compile(rf"(?<![\w.])(?:{_DETERMINER})[ ]$", re.IGNORECASE)  # "Die Hand"
_PHRASE_BEFORE = re.compile(rf"(?<![\w.])(?:{_DETERMINER}|von|mit)[ ]$", re.IGNORECASE)


def noun_after_determiner(text: str, start: int, phrase: bool = False) -> bool:
    """True if a determiner stands right before ``start`` (``phrase``: "von", "mit" too)."""
    expression = _PHRASE_BEFORE if phrase else _DETERMINER_BEFORE
    return bool(expression.search(text, max(0, start - 12), start))


# Eighth round: a determiner with an inflected adjective between ("der rechten <Noun>",
# "einer kleinen <Noun>"), and "als" after a verb of work or being ("arbeitet als <Noun>",
# "früher als <Noun>"): a profession or thing there, names take neither.
_ADJECTIVE_PHRASE_BEFORE = re.compile(
    rf"(?<![\w.])(?:{_DETERMINER})[ ]\p{{Ll}}+(?:e|en|er|es|em)[ ]$", re.IGNORECASE
)
_AS_BEFORE = re.compile(r"(?<![\w.])als[ ]$")


def word_as_noun(word: str, text: str, start: int) -> bool:
    """True if a name found elsewhere in the letter stands at ``start`` as a noun: a word of
    the German list after a determiner ("Dr. I. Hand" ... "in der Hand", round seven;
    spreading skips it there, "Herr Puls" still goes), after a determiner and an adjective
    or after "als" (round eight: "der rechten <Noun>", "arbeitet als <Noun>")."""
    if word not in _dictionary()[0]:
        return False
    if noun_after_determiner(text, start):
        return True
    window = max(0, start - 30)
    adjective = _ADJECTIVE_PHRASE_BEFORE.search(text, window, start)
    return bool(adjective or _AS_BEFORE.search(text, window, start))


def _listed_after_determiner(words: list[str], piece: Finding, text: str) -> bool:
    """True for a person finding of words the German list holds, after a determiner or
    "von"/"mit", or starting with "von" ("von Hand"); a listed word is a noun there."""
    listed = _dictionary()[0]
    capitalised = [w for w in words if w[:1].isupper()]
    if not capitalised or not all(w in listed for w in capitalised):
        return False
    value = text[piece.start : piece.end]
    return value.startswith(("von ", "mit ")) or noun_after_determiner(text, piece.start, True)


def _adjective_first(words: list[str]) -> bool:
    """True if the first of ``words`` is an inflected clinical or position adjective, or a
    short-stem Latin one before ordinary words only ("Nasale <noun>"; a short stem alone
    is weak: surnames look alike)."""
    first = words[0]
    if wordclass.is_medical_adjective(first) or wordclass.is_position_adjective(first):
        return True
    if not wordclass.is_short_latin_adjective(first):
        return False
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
    return all(w.lower() in english or is_common_word(w) for w in own)


# Round nine: decoration that frames a heading or form label on its own line
# ("*** <LABEL> ***", "––– <label> –––").
_FRAME_BEFORE = re.compile(r"(?:^|\n)[ \t]*[*=#_–—-]{2,}[ \t]*$")
_FRAME_AFTER = re.compile(r"[ \t]*[*=#_–—-]{2,}")
_INFLECTION = ("em", "en", "er", "es", "e")
# The words before a name that a pattern took ("<Noun> von <firm>", "<Noun> der <firm>"):
# a model finding cut there ends in the preposition or article.
_LINK_AT_END = re.compile(r"[ ](?:von|vom|der|des|bei|beim)$")
# A size after it ("<finding> 9 mm"): a finding measured, no name.
_SIZE_AFTER = re.compile(r"[ ]\d+(?:[,.]\d+)?(?:[ ]?[x×][ ]?\d+(?:[,.]\d+)?)?[ ]?(?:mm|cm)\b")


def _no_name_by_form(words: list[str], piece: Finding, text: str) -> bool:
    """Round nine, model findings without a known name that are no name by their form:

    - no capitalised word at all ("fokal-<adjective>"): names are capitalised;
    - framed by decoration on its line ("*** <LABEL> ***"): a heading or form label;
    - one short word cut off before a dot that starts words of the list ("Tel.", "Anm."):
      a label;
    - a unit named by a field acronym and a generic head ("<ABC>-Zentrum"), or a finding
      with its size after it ("<finding> 9 mm");
    - words of the list ending in a preposition or article ("<Noun> von"): what is left of a
      model finding whose name a pattern took;
    - an inflected adjective of the list first, then nouns of the list that are no place
      ("Orale <noun>", "<Noun>bezogenes <noun>"): a noun phrase.
    """
    from .recognizers_orgs import FIELD_UNIT  # recognizers_orgs imports the lexicon

    if not any(w[:1].isupper() for w in words):
        return True
    if _FRAME_BEFORE.search(text, max(0, piece.start - 40), piece.start) and _FRAME_AFTER.match(
        text, piece.end
    ):
        return True
    value = text[piece.start : piece.end]
    if len(words) == 1 and _label_cut_short(words[0], text, piece.end):
        return True
    if FIELD_UNIT.fullmatch(value) or _SIZE_AFTER.match(text, piece.end):
        return True
    if _LINK_AT_END.search(value) and _listed_no_place(words):
        return True
    return len(words) > 1 and _adjective_before_nouns(words)


def _listed_no_place(words: list[str]) -> bool:
    """True if every capitalised word is in the word list (also in lower case: "Sein" at a
    sentence start) and none is a place."""
    from .places import place_words

    (listed, lower, _), places = _dictionary(), place_words()
    return all(
        (w in listed or w.lower() in lower) and w not in places for w in words if w[:1].isupper()
    )


def _label_cut_short(word: str, text: str, end: int) -> bool:
    """True for a word of three or four letters before a dot that starts at least three
    longer words of the list and is no lower-case word ("Tel." of "Telefon", "Telefax")."""
    if text[end : end + 1] != "." or not 3 <= len(word) <= 4 or not word[:1].isupper():
        return False
    listed, lower, _ = _dictionary()
    if word.lower() in lower:
        return False
    return wordclass.starts_compounds(word, listed, 3)


def listed_adjective(word: str, lower: frozenset[str] | None = None) -> bool:
    """True for an inflected adjective of the list ("Orale") or a compound ending in one
    ("<Noun>bezogenes": a noun of the list, then an inflected adjective of it)."""
    lower = _dictionary()[1] if lower is None else lower
    low = word.lower()
    ending = next((e for e in _INFLECTION if low.endswith(e)), None)
    if ending is None:
        return False
    if low in lower and low[: -len(ending)] in lower:
        return True
    listed = _dictionary()[0]
    for cut in range(4, len(low) - 6):
        tail = low[cut:]
        if tail in lower and tail[: -len(ending)] in lower:
            head = word[:cut]
            return head in listed or (head.endswith("s") and head[:-1] in listed)
    return False


def _adjective_before_nouns(words: list[str]) -> bool:
    """True if the first word is an adjective of the list and the others are nouns of the
    list that are neither places nor known names (see :func:`_no_name_by_form`)."""
    from .places import place_words

    listed, lower, _ = _dictionary()
    if not listed_adjective(words[0], lower):
        return False
    places = place_words()
    return all(w in listed and w not in places and not is_known_name(w) for w in words[1:])
