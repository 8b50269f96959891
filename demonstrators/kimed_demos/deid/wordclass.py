"""Word classes of clinical German that the word list does not cover (round five).

The second stage (:mod:`.mentions`) drops a model finding made only of ordinary words.
Debian's list lacks most clinical adjectives and Latin plurals, and on some machines
even base forms of common nouns ("Schule", "Dienst"), so these classes decide by shape
and by what the list holds of a word's relatives. Each class has one reason; none holds
a name, and :func:`.lexicon.is_common_word` asks the name lists first ("Fischer").
"""

from __future__ import annotations

import bisect
import functools

import regex as re

# Clinical adjectives are Latin loans in -al/-är/-ös/-iv/-ell/-iert/-isch/-il; capitalised
# at a line or sentence start they carry an inflection ("Retrosternaler", "Ödematöse").
# The stem before the inflection needs 6 letters: short surnames look alike ("Heller").
# Present participles of Latin verbs in -ieren too ("Stabilisierende", round six).
_MEDICAL_ADJECTIVE = re.compile(
    r"\p{L}{4,}(?:al|är|ar|ös|iv|ell|iert|ierend|isch|il)(?:e|er|es|en|em)", re.IGNORECASE
)
# Greek and Latin plurals of clinical nouns ("Metastasen", "Synovitiden", "Arthrosen",
# "Karzinomata"); "-stasen"/"-ktasen" only, as Danish surnames end in "-asen".
_CLINICAL_PLURAL = re.compile(r"\p{L}{3,}(?:stasen|ktasen|itiden|itides|osen|omata)")
# Endings of compound surnames and towns (Bergmann, Falkenhain, Schlachtensee): such
# words are not taken apart.
_SURNAME_HEADS = (
    "mann", "hain", "feld", "berg", "thal", "bach", "dorf", "hausen", "stein", "kamp",
    "hof", "heim", "burg", "brück", "wald", "horst", "hagen", "meier", "meyer", "bauer",
    "schmidt", "müller", "lein", "haus", "hardt", "rath", "land", "mühl", "born", "brink",
    "weber", "hafen", "stadt", "hausen", "kirchen", "stätter", "ke", "berger", "felder",
    "baum", "kopf", "hut", "herr", "bein", "fuß", "mund", "bart", "horn", "wein", "ring",
    "leben", "rode", "stedt", "see", "höhe",
)  # fmt: skip
_LINKS = ("", "s", "es", "e", "n", "en", "ns")  # inflections and linking letters
# A word ending in a stop + r or in "pfl" was cut short: no German word ends so ("Auftr",
# "Fachpfl"); "-dl", "-kl" stay out, Bavarian surnames end so ("Seidl", "Stöckl").
_CUT_SHORT = re.compile(r"\p{L}*[aeiouäöüy]\p{L}*?(?:(?:[bcdfgkpt]|ch)r|pfl)")
_VOWEL = re.compile(r"[aeiouäöüy]", re.IGNORECASE)
# After an abbreviation's dot the sentence goes on: a colon, a lower-case word, a number
# or a code ("Stat. N3", "Auftr. P-7"); a surname ending a sentence is followed otherwise.
_GOES_ON = re.compile(r"[:,]|[ ](?:\p{Ll}|\d|\p{Lu}[\p{Lu}\d-])")


# Round six: Greek tumour nouns in -om ("<organ>karzinom", "Lymphom"; not "-om" alone, which
# ends surnames such as "Blom"), and -sepsis, -rhythmus, -hernie (clinical nouns the word
# list lacks in compounds: "Cholangiosepsis", "Theta-Rhythmus", "Nabelhernie").
_CLINICAL_NOUN = re.compile(
    r"\p{L}*(?:(?:karzin|sark|lymph|aden|gli|melan|my|lip|hämat|fibr|angi|blast|zyt|mening"
    r"|neurin|papill|thym|chondr|oste|atherom|glauk)om(?:e|en|s|a|ata)?"
    r"|sepsis|rhythmus|hernie|hernien"
    # -tikum/-tika, -olikum: Latin drug and sound nouns ("Analgetikum", "Diuretika",
    # "Diastolikum"; not "-ikum" alone: "Klinikum" heads names of hospitals); -ula(e):
    # Latin anatomy ("Fibula", "Scapulae"; first names in -ula are in the name lists)
    r"|tikum|tika|olikum|ula|ulae"
    # Round seven: Greek -emesis ("Hyperemesis"), -axie(n) ("Ataxie", "Dyspraxie") and
    # Latin skin and fever diseases in -karia/-laria ("Malaria").
    r"|emesis|axie|axien|karia|laria"
    # Round nine: Greek growth nouns ("<organ>hyperplasie", "Dysplasien", "Atrophie"); no
    # name ends so, and the word list lacks most compounds of them.
    r"|plasie|plasien|trophie|trophien"
    # Round nine: compounds of "-diagnostik" ("Feindiagnostik") and Latin "-varizen" (varices).
    r"|diagnostik|varize|varizen)"
)
# Measured quantities written as a symbol and its statistic ("Vmax", "Pmean", "Tmin").
_MEASURE_SYMBOL = re.compile(r"\p{Lu}(?:max|min|mean|peak)")
# Anatomical sides and positions, inflected ("Rechter", "Obere"), and Latin adjectives with
# a short stem ("Nasale", "Vitaler"): first in a finding they start a noun phrase.
_POSITION_ADJECTIVE = re.compile(
    r"(?:link|recht|ober|unter|vorder|hinter|inner|äußer|mittler)(?:e|er|es|en|em)", re.IGNORECASE
)
_SHORT_LATIN_ADJECTIVE = re.compile(
    r"\p{L}{3}(?:al|är|ar|ös|iv|ell|isch|il)(?:e|er|es|en|em)", re.IGNORECASE
)
# Laboratory abbreviations mix cases within three letters ("IgA", "HbA", "pCO"): no name.
# (Four letters are often part of an identifier: "<office>-AbCd-<number>".)
_MIXED_CASE = re.compile(r"(?=\p{L}*\p{Ll}\p{Lu})\p{L}{2,3}")
# An ICD-10 code ("E11.9", "M54.5", "J18.0 G"): the words after it are a diagnosis.
ICD10 = re.compile(r"(?<![\w.])[A-TV-Z]\d{2}(?:\.\d{1,2})?[GVAZLRB+*!]?(?![\w])")
# A device's model number after its maker and line ("X75", "Z-500", "S2000"): letters
# glued to two or more digits; a name is followed by no such token.
MODEL_NUMBER = re.compile(r"[ ]\p{L}{1,3}-?\d{2,5}\p{L}{0,2}(?![\w-])")


# Acronyms that no name in capitals looks like: no vowel at all ("CVVHF", "PTBS" has none
# but 4 letters pass the short-acronym test already), or a plural "s" after capitals
# ("EKGs", "CTs").
_ACRONYM = re.compile(r"[\p{Lu}\d]*\p{Lu}[\p{Lu}\d]*|\p{Lu}{2,5}s")


def is_acronym(word: str) -> bool:
    """True for capitals without a vowel ("CVVHF") or an acronym's plural ("EKGs")."""
    return bool(_ACRONYM.fullmatch(word)) and (word.endswith("s") or not _VOWEL.search(word))


def is_clinical_noun(word: str) -> bool:
    """True for a clinical noun by its Greek or Latin ending ("Mammakarzinom")."""
    return len(word) >= 5 and bool(_CLINICAL_NOUN.fullmatch(word.lower()))


def is_mixed_case_abbreviation(word: str) -> bool:
    """True for a short abbreviation with a capital after a small letter ("IgM") or a
    measured quantity's symbol ("Vmax")."""
    return bool(_MIXED_CASE.fullmatch(word) or _MEASURE_SYMBOL.fullmatch(word))


def is_position_adjective(word: str) -> bool:
    """True for an inflected adjective of side or position ("Rechter", "Obere")."""
    return bool(_POSITION_ADJECTIVE.fullmatch(word))


def is_short_latin_adjective(word: str) -> bool:
    """True for an inflected Latin adjective with a three-letter stem ("Nasale")."""
    return bool(_SHORT_LATIN_ADJECTIVE.fullmatch(word))


@functools.cache
def english_words() -> frozenset[str]:
    """Common English words (Faker's en_US lorem list, about a thousand, lower case).

    English phrases stand capitalised in German letters ("Care Team", "Palliative Care
    Unit"); two such words together are a phrase, not a name (Debian's English lists are
    not installed here; Faker is, as the source of the name lists)."""
    from faker.providers.lorem.en_US import Provider

    return frozenset(w.lower() for w in Provider.word_list if len(w) >= 3)


def is_medical_adjective(word: str) -> bool:
    """True for an inflected clinical adjective ("Ventrikuläre", "Sequestrierter")."""
    return bool(_MEDICAL_ADJECTIVE.fullmatch(word))


def is_clinical_plural(word: str) -> bool:
    """True for a Greek or Latin plural of a clinical noun ("Metastasen")."""
    return len(word) >= 8 and bool(_CLINICAL_PLURAL.fullmatch(word.lower()))


def in_list(word: str, words: frozenset[str]) -> bool:
    """True if the list holds ``word`` or an inflected form of it ("Dienst": "Dienste")."""
    return any(word + link in words for link in _LINKS)


def is_feminine_noun(word: str, words: frozenset[str]) -> bool:
    """True for a feminine noun in -in whose plural in -innen is listed ("Freundin")."""
    return word.endswith("in") and word[:1].isupper() and word + "nen" in words


@functools.cache
def _sorted_words(words: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the list sorted, its capitalised words reversed and sorted): prefix and suffix lookups."""
    reversed_nouns = sorted(w[::-1].lower() for w in words if w[:1].isupper())
    return tuple(sorted(words)), tuple(reversed_nouns)


def _count_prefixed(items: tuple[str, ...], prefix: str, limit: int) -> int:
    """How many of the sorted ``items`` start with ``prefix`` (counted up to ``limit``)."""
    i = bisect.bisect_left(items, prefix)
    return sum(1 for item in items[i : i + limit] if item.startswith(prefix))


def is_compound_head(head: str, words: frozenset[str]) -> bool:
    """True if at least eight nouns of the list end in ``head`` ("-schule", "-sorge"): a
    noun that heads compounds, even where the list lacks its base form."""
    return _count_prefixed(_sorted_words(words)[1], head.lower()[::-1], 8) >= 8


def starts_compounds(word: str, words: frozenset[str], count: int = 3) -> bool:
    """True if at least ``count`` longer words of the list start with ``word``
    ("Willensbildung", "Willenskraft" ...): a noun in everyday use, not a genitive ("Klages")."""
    return _count_prefixed(_sorted_words(words)[0], word, count + 1) > count


def is_abbreviation(word: str, words: frozenset[str], mid_sentence: bool) -> bool:
    """True for a word cut short before a dot: no vowel ("Ltg"), an ending no German
    word has ("Auftr"), or, when the sentence goes on after the dot (``mid_sentence``:
    a surname may end a sentence), the start of a longer word of the list that is no
    word itself ("Stat. N3" of "Station"). The caller checks for the dot and names."""
    if len(word) < 2 or len(word) > 10 or not word.isalpha():
        return False
    if not _VOWEL.search(word) or _CUT_SHORT.fullmatch(word.lower()):
        return True
    if not mid_sentence or len(word) < 4 or in_list(word, words) or word.lower() in words:
        return False
    return _count_prefixed(_sorted_words(words)[0], word, 1) > 0


def surname_head(head: str, stem: str) -> bool:
    """True for a head that ends compound surnames and towns ("-mann", "-baum"); "-ke"
    only after a short stem ("Reinecke", but "Erinnerungslücke")."""
    low = head.lower()
    singular = low.rstrip("n").rstrip("e")  # "Wolfshofen": a town, not "Hofe"
    # Speed: one C-level test for all heads first; most parts of new words end in none
    # (this runs for every cut of every word not seen before, see lexicon._is_compound).
    if not (low.endswith(_SURNAME_HEADS) or singular.endswith(_SURNAME_HEADS)):
        return False
    ends = [e for e in _SURNAME_HEADS if low.endswith(e) or singular.endswith(e)]
    return ends != ["ke"] or len(stem) < 7


def stem_is_word(stem: str, words: frozenset[str], lower: frozenset[str]) -> bool:
    """True if the part before a compound's head is a word of the list (or inflects there)."""
    if stem.lower() in lower or stem.capitalize() in words:
        return True
    return in_list(stem.capitalize(), words)


def abbreviated_before_dot(word: str, text: str, end: int, words: frozenset[str]) -> bool:
    """True if ``word``, ending at ``end`` in ``text``, is followed by a dot and is an
    abbreviation (:func:`is_abbreviation`); the caller rules out names."""
    if text[end : end + 1] != "." or not word.isalpha():
        return False
    return is_abbreviation(word, words, bool(_GOES_ON.match(text, end + 1)))


def verb_noun_head(head: str, lower: frozenset[str]) -> bool:
    """True for a head in -e of 5+ letters that the list holds only as a verb form
    ("Sperre": "sperre"); German nouns of this kind (Schleife, Pumpe) often lack their own
    entry. Surnames of a noun and a word ("...hager", "...moser") do not end so."""
    return len(head) >= 5 and head.endswith("e") and head.lower() in lower


# Umlauts of an adjective's vowel in the abstract noun made from it ("kalt": "Kälte").
_UMLAUT_BACK = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})


def is_adjective_noun(word: str, lower: frozenset[str]) -> bool:
    """True for an abstract noun of an adjective of the list, umlauted and in -e ("Nässe",
    "Kälte", "Schwäche"; round seven): the list holds them without plural, like towns,
    but a surname is not an umlauted adjective (the umlaut is required: "Lange" may be one)."""
    stem = word[:-1].lower()
    if len(word) < 5 or not word.endswith("e") or stem == stem.translate(_UMLAUT_BACK):
        return False
    return stem.translate(_UMLAUT_BACK) in lower


_COMPOUND_LINKS = ("", "s", "es", "n", "en")
# Districts and institutions are named as compounds of words too ("<Region>kreis",
# "<Office>amt <district>"): a place or an organisation, not an ordinary noun.
_PLACE_HEADS = (
    "kreis", "gau", "amt", "gericht", "kasse", "schule", "klinik", "klinikum", "zentrum",
    "praxis", "werk", "verein", "verband", "bund", "stift", "stiftung",
)  # fmt: skip


def is_noun_compound(
    word: str, is_noun_part, lower: frozenset[str], verb_head: bool = False
) -> bool:
    """True for a compound of nouns and verb stems of the list ending in a noun
    ("Vermögenssorge", "Sicherheitsbeauftragter", "Gehhilfe"; round seven).

    ``is_noun_part(part)`` says whether a capitalised part is an ordinary noun; a verb stem
    is a part whose infinitive the list holds ("geh": "gehen"), allowed inside the word
    only (``verb_head`` for the stems before the head). The head needs 4 letters and is
    never a surname ending (:func:`surname_head`): "Rosenbaum" stays a name."""
    if word.lower().endswith(_PLACE_HEADS):
        return False
    for cut in range(3, len(word) - 2):
        stem, head = word[:cut].capitalize(), word[cut:].capitalize()
        if surname_head(head, stem) or not _part(head, is_noun_part, lower, verb_head):
            continue
        for link in _COMPOUND_LINKS:
            part = stem[: len(stem) - len(link)]
            if not stem.endswith(link) or len(part) < 3:
                continue
            if _part(part, is_noun_part, lower, True):
                return True
            if len(part) >= 6 and is_noun_compound(part, is_noun_part, lower, True):
                return True
    return False


def _part(part: str, is_noun_part, lower: frozenset[str], verb: bool) -> bool:
    """True if ``part`` is a noun of 4+ letters, or (``verb``) a noun or verb stem of 3+."""
    if len(part) < (3 if verb else 4):
        return False
    if is_noun_part(part) or (verb and part.lower() + "en" in lower):
        return True
    # An adjectival noun's ending after the noun ("-beauftragter": "Beauftragte" + r)
    return not verb and part[-1] in "rnms" and is_noun_part(part[:-1])
