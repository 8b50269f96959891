"""Known names and ordinary words: the dictionary evidence of the de-identification.

The German word list (Debian's ``wngerman``), the name lists (Faker de_DE, names of
other countries) and the clinical word classes (:mod:`.wordclass`) decide whether a
word is a known name (:func:`is_known_name`, :func:`first_names`) or an ordinary word
(:func:`is_common_word`, compounds included). The second stage (:mod:`.mentions`,
:mod:`.spread`) and the recognizers ask here.
"""

from __future__ import annotations

import functools

import regex as re

from . import wordclass, wordlist
from .keeplist import keep_words

_ROMAN = re.compile(r"[IVXLC]+")


@functools.cache
def _german_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words of the German list as written, its lower-case-only words)."""
    path = wordlist.GERMAN_WORDLIST
    if not path.exists():
        raise FileNotFoundError(
            f"German word list {path} not found: install the Debian package 'wngerman'"
        )
    words = frozenset(path.read_text(encoding="utf-8").split())
    return words, frozenset(w for w in words if w.islower())


@functools.cache
def foreign_names() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames) of other countries that are no German or clinical word.

    Patients and staff in German hospitals carry Polish, Turkish, Italian, Dutch ...
    names that the German lists lack ("Jakub", "Wiśniewski"); without them such a
    name is neither completed nor found in a list. A word of the German list in any
    case ("Rosa", "Post", "AStA"), of the keep list or the clinical nouns stays out:
    these names must not make ordinary words look like names.
    """
    words, _ = _german_words()
    folded = {w.lower() for w in words}  # "Asta" is "AStA", "Rosa" is "rosa"
    clinical = keep_words() | _CLINICAL_WORDS

    def plain(name: str) -> bool:
        return name.lower() not in folded and name not in clinical

    first, last = wordlist.foreign_name_lists()
    return frozenset(filter(plain, first)), frozenset(filter(plain, last))


@functools.cache
def _dictionary() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(words of the German list as written, its lower-case-only words, known names)."""
    words, lower = _german_words()
    names = frozenset(
        {*wordlist._FakerPerson.last_names, *wordlist.NOUN_SURNAMES}
        | set(wordlist._FakerPerson.first_names_female)
        | set(wordlist._FakerPerson.first_names_male)
        | first_names()
        | foreign_names()[1]
    )
    return words, lower, names


def lower_case_words() -> frozenset[str]:
    """Words the German list writes in lower case only (verbs, adjectives, adverbs)."""
    return _dictionary()[1]


@functools.cache
def is_noun(word: str) -> bool:
    """True for a capitalised word of the German list that inflects like a noun ("Falke");
    decided per word and remembered (building the whole set took half a second)."""
    words = _dictionary()[0]
    return word[:1].isupper() and word in words and wordlist._inflects_like_a_noun(word, words)


@functools.cache
def first_names() -> frozenset[str]:
    """Known first names: German (Faker de_DE, both genders) and those of other countries."""
    return frozenset(
        {*wordlist._FakerPerson.first_names_female, *wordlist._FakerPerson.first_names_male}
        | foreign_names()[0]
    )


def is_known_name(word: str) -> bool:
    """True for a first name or surname of the name lists."""
    return word in _dictionary()[2]


@functools.cache
def is_common_word(word: str) -> bool:
    """True for an ordinary German word that is not a known name.

    Ordinary: in the keep list or the clinical nouns, written in lower case in the
    word list ("danach", "aktuell": sentence starts), or a capitalised noun of the list
    that has plural or case forms there ("Befund", "Befunde"). Towns are in the list
    too but do not inflect, so "Görlitz" is not ordinary.
    """
    if word.isupper() and (len(word) <= 5 or _ROMAN.fullmatch(word)):
        return True  # acronyms and roman numerals ("CIWA", "III"), not names
    if wordclass.is_acronym(word):
        return True  # "CVVHF", "EKGs": no name in capitals lacks a vowel or ends so
    if word.isupper():  # "PFLEGEÜBERLEITUNGSBOGEN": a heading in capitals
        word = word.capitalize()
    if word in keep_words() or word in _CLINICAL_WORDS or word.lower().endswith("nr"):
        return True  # "Fallnr", "Eingangsnr": abbreviated labels
    if is_known_name(word) or is_known_name(word.title()):
        return False
    words, lower, _ = _dictionary()
    if word.lower() in lower or (word in words and wordlist._inflects_like_a_noun(word, words)):
        return True
    if any(word.lower().endswith(e) and word.lower()[: -len(e)] in lower for e in _ADJ_ENDINGS):
        return True  # "Lumbaler", "Kardiogener": an adjective at the start of a line
    if len(word) >= 7 and word.lower().endswith(_NOUN_SUFFIXES):
        return True  # "Abheilung", "Belastungsdyspnoe": derivational and clinical endings
    if wordclass.is_medical_adjective(word) or wordclass.is_clinical_plural(word):
        return True  # "Retrosternaler", "Metastasen": clinical Latin at a line start
    if wordclass.is_clinical_noun(word) or wordclass.is_mixed_case_abbreviation(word):
        return True  # "Cholangiosepsis", "Mammakarzinom", "IgM": clinical endings, lab acronyms
    if wordclass.is_feminine_noun(word, words):
        return True  # "Freundin": the list has the plural "Freundinnen"
    return _is_compound(word, words, lower)


# Endings of common and clinical nouns that German surnames and towns do not have.
_NOUN_SUFFIXES = (
    "ung", "heit", "keit", "schaft", "tion", "sion", "ität", "ismus", "itis", "ose", "ektomie",
    "skopie", "graphie", "grafie", "therapie", "dyspnoe", "algie", "pathie", "ämie", "urie",
    "plastik", "tomie", "gramm", "zyten", "wechsel", "saal", "befund", "zeichen", "ierung",
    "logie", "iatrie", "bogen", "typ",
    # Clinical Greek and Latin endings (round four): "Reflextachykardie", "Hemiplegie".
    "kardie", "plegie", "parese", "trophie", "penie", "ektasie", "insuffizienz", "rrhoe",
    "ussis", "therie", "tonie", "pneumonie", "oid",
    "olie",  # Greek -olē (round five): "Extrasystolie", "Embolie"
)  # fmt: skip
_CLINICAL_WORDS = frozenset({*wordlist.CLINICAL_NOUNS, *wordlist.MEDICAL_TERMS})
_ADJ_ENDINGS = ("er", "e", "es", "en", "em")


def _is_compound(word: str, words: frozenset[str], lower: frozenset[str]) -> bool:
    """True for a compound of list words: "Verbandwechsel" = Verband + Wechsel.

    The head (last part, at least 5 letters) must be a capitalised word of the list,
    the rest a lower-case word or an inflecting noun of the list, allowing the linking
    letters s, es, n, en, e. Surname endings (-mann, -hain) are never taken apart.
    """
    for cut in range(3, len(word) - 2):
        head, stem = word[cut:].capitalize(), word[:cut]
        # A plural head counts as its singular ("Armschienen": "Schiene").
        listed = head in words or (head.endswith("n") and head[:-1] in words)
        if wordclass.surname_head(head, stem):
            continue
        if len(head) >= 5 and listed:
            if len(stem) >= 4 or stem.lower() in lower or stem.capitalize() in words:
                return True  # "Bergebeutel": an unknown stem before a long list noun
            continue
        if len(stem) >= 4 and wordclass.verb_noun_head(head, lower) and is_noun(stem.capitalize()):
            return True  # "Nackensperre": a listed noun before a noun listed only as a verb
        if not _new_stem_ok(stem, head, words, lower):
            continue
        if wordclass.in_list(head, words) and (len(head) >= 5 or len(stem) >= 6):
            return True  # "Spätdienst", "Rückenlage": a short head needs a long stem
        if word in words and is_noun(stem.capitalize()) and is_noun(head):
            return True  # "Herztod": a listed word of two inflecting nouns (not a town)
        if len(head) >= 5 and wordclass.is_compound_head(head, words):
            return True  # "Nachsorge": a head of many listed compounds, its base unlisted
    return False


def _new_stem_ok(stem: str, head: str, words: frozenset[str], lower: frozenset[str]) -> bool:
    """The weaker head evidence of round five needs a word of 4+ letters before the head,
    no name ("Wilhelmshöhe"), and no linking "s" taken for the head ("...schafts-praxis")."""
    if len(stem) < 4 or is_known_name(stem.removesuffix("s").capitalize()):
        return False
    if head[:1] == "S" and head[1:].capitalize() in words:
        return False
    return wordclass.stem_is_word(stem, words, lower)


def _ordinary(word: str) -> bool:
    """True for a word of the German list (lower-case or an inflecting noun), names or not."""
    words, lower, _ = _dictionary()
    return word.lower() in lower or (word in words and wordlist._inflects_like_a_noun(word, words))
