"""Word pools for the corpus: Faker's German names and places, Debian's German nouns.

Every pool is split into a TRAIN and a HELD-OUT part by a stable hash of the word, so
that the held-out evaluation meets names, cities and nouns the model never saw. The
hard negatives are capitalised words from Debian's ``wngerman`` list: German
capitalises every noun, so a model that learns "capitalised means name" fails on
ordinary text ("Visite", "Station", "Befund").
"""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
import zlib
from pathlib import Path

from faker.providers.address.de_DE import Provider as _FakerAddress
from faker.providers.person.de_DE import Provider as _FakerPerson

GERMAN_WORDLIST = Path("/usr/share/dict/ngerman")
SPLITS = ("train", "heldout")

# Surnames that are also ordinary German nouns: they must be learnt as names after
# "Herr", "Frau" or "Dr." and as nouns elsewhere.
NOUN_SURNAMES = (
    "Vogel", "Winter", "Koch", "Fuchs", "Wolf", "Bauer", "Fischer", "Jung", "Klein",
    "Lang", "Braun", "Sommer", "Hahn", "Kaiser", "König", "Graf", "Stein", "Berg",
    "Busch", "Engel", "Kraft", "Haas", "Schäfer", "Schmied", "Zimmermann", "Becker",
    "Frost", "Baum", "Adler", "Bruder", "Sauer", "Brandt", "Hase", "Strauß", "Storch",
)  # fmt: skip

# Clinical words that must never be flagged; they occur in every template family.
CLINICAL_NOUNS = (
    "Visite", "Station", "Befund", "Anamnese", "Diagnose", "Therapie", "Aufnahme",
    "Entlassung", "Labor", "Medikation", "Procedere", "Verlauf", "Sonographie",
    "Beurteilung", "Empfehlung", "Untersuchung", "Kontrolle", "Wiedervorstellung",
    "Pflege", "Intensivstation", "Notaufnahme", "Ambulanz", "Sprechstunde",
)  # fmt: skip

# Diagnoses, findings and procedures: capitalised like names, absent from the Debian
# list. The TRAIN corpus uses only those that no HELD-OUT template contains.
MEDICAL_TERMS = (
    "Pneumonie", "Herzinsuffizienz", "Vorhofflimmern", "Hypertonie", "Niereninsuffizienz",
    "Anämie", "Sepsis", "Harnwegsinfekt", "Exazerbation", "Synkope", "Apoplex", "Thrombose",
    "Lungenembolie", "Myokardinfarkt", "Cholezystitis", "Appendizitis", "Divertikulitis",
    "Pankreatitis", "Gastritis", "Ulkus", "Hepatitis", "Zirrhose", "Aszites", "Ikterus",
    "Dyspnoe", "Tachykardie", "Bradykardie", "Hypokaliämie", "Hyponatriämie", "Exsikkose",
    "Delir", "Demenz", "Depression", "Epilepsie", "Migräne", "Schwindel", "Kachexie",
    "Adipositas", "Dekubitus", "Erysipel", "Phlegmone", "Abszess", "Fraktur", "Luxation",
    "Arthrose", "Polyarthritis", "Osteoporose", "Lumbago", "Bandscheibenvorfall",
    "Koloskopie", "Gastroskopie", "Bronchoskopie", "Echokardiographie", "Angiographie",
    "Szintigraphie", "Punktion", "Biopsie", "Laparoskopie", "Osteosynthese", "Endoprothese",
    "Katheterablation", "Kardioversion", "Dialyse", "Transfusion", "Antibiose", "Analgesie",
    "Thromboseprophylaxe", "Insulintherapie", "Physiotherapie", "Ergotherapie", "Logopädie",
    "Pleuraerguss", "Perikarderguss", "Atelektase", "Infiltrat", "Rundherd", "Raumforderung",
    "Stenose", "Aneurysma", "Ödem", "Hämatom", "Blutung", "Ischämie", "Verkalkung",
    "Verdacht", "Ausschluss", "Zustand", "Besserung", "Verschlechterung", "Rezidiv",
    "Stuhlgang", "Miktion", "Appetit", "Schlaf", "Fieber", "Husten", "Auswurf", "Übelkeit",
)  # fmt: skip
# Morphemes for generated clinical compounds ("Lungen" + "fibrose"): more unseen-looking
# clinical words than any list, each as capitalised as a surname.
ORGAN_STEMS = (
    "Lungen", "Herz", "Nieren", "Leber", "Pleura", "Perikard", "Gallen", "Darm", "Magen",
    "Haut", "Knochen", "Gelenk", "Muskel", "Hirn", "Blut", "Harn", "Schilddrüsen", "Milz",
    "Pankreas", "Prostata", "Wirbel", "Hüft", "Knie", "Schulter", "Becken", "Aorten",
)  # fmt: skip
FINDING_HEADS = (
    "erguss", "embolie", "infarkt", "insuffizienz", "entzündung", "stenose", "versagen",
    "abszess", "tumor", "zyste", "blutung", "ödem", "fibrose", "karzinom", "metastase",
    "fraktur", "schmerz", "punktion", "biopsie", "sonographie", "szintigraphie", "kontusion",
)  # fmt: skip
CLOSINGS = ("Beste Grüße", "Viele Grüße", "Freundliche Grüße", "Mit besten Grüßen")


def split_of(word: str) -> str:
    """Stable split of a word: about one in four is HELD-OUT, the rest TRAIN.

    crc32, not ``hash()``: Python salts string hashes per process, which would change
    the split (and so the model's inputs hash) on every run.
    """
    return "heldout" if zlib.crc32(word.encode("utf-8")) % 4 == 0 else "train"


def _check_split(split: str) -> None:
    """Raise ValueError for a split name other than 'train' or 'heldout'."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {SPLITS}")


# Faker's list has a few odd entries ("auch Schlauchin", "Koch II"); keep plain surnames.
PLAIN_SURNAME = re.compile(r"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?")


def _pick(words, split: str) -> tuple[str, ...]:
    """The words of ``split``, sorted and without duplicates."""
    _check_split(split)
    return tuple(sorted({w for w in words if split_of(w) == split}))


@functools.cache
def last_names(split: str) -> tuple[str, ...]:
    """German surnames (Faker de_DE plus noun-like surnames) of one split."""
    names = (*_FakerPerson.last_names, *NOUN_SURNAMES)
    return _pick((n for n in names if PLAIN_SURNAME.fullmatch(n)), split)


@functools.cache
def first_names(split: str, female: bool) -> tuple[str, ...]:
    """German first names (Faker de_DE) of one split and gender."""
    names = _FakerPerson.first_names_female if female else _FakerPerson.first_names_male
    return _pick(names, split)


@functools.cache
def cities(split: str) -> tuple[str, ...]:
    """German town names (Faker de_DE) of one split."""
    return _pick(_FakerAddress.cities, split)


#: Faker locales of the names German hospitals meet besides German ones: neighbours and
#: the countries of origin of most people living in Germany with a foreign nationality
#: (Destatis: Turkey, Poland, Romania, Italy, Croatia, Bulgaria, ...; Cyrillic, Greek and
#: Arabic lists are left out because letters write those names transliterated, which
#: Faker's lists are not).
FOREIGN_NAME_LOCALES = (
    "de_AT", "de_CH", "tr_TR", "pl_PL", "ro_RO", "it_IT", "hr_HR", "cs_CZ", "sk_SK",
    "sl_SI", "hu_HU", "nl_NL", "fr_FR", "es_ES", "pt_PT", "en_US", "lt_LT", "lv_LV",
    "da_DK", "sv_SE", "no_NO", "fi_FI", "vi_VN",
)  # fmt: skip


def _is_latin_name(word: str) -> bool:
    """A capitalised word of Latin letters (diacritics allowed), with at most a hyphen."""
    letters = word.replace("-", "")
    return (
        len(word) >= 3
        and word[0].isupper()
        and letters.isalpha()
        and all(c.isascii() or "LATIN" in unicodedata.name(c, "") for c in letters)
    )


def _values(provider, kind: str) -> set[str]:
    """Every name of a Faker person provider whose attribute names ``kind``
    ('first_names' or 'last_names'): plain, male, female, unisex lists and weight dicts."""
    out: set[str] = set()
    for attribute in dir(provider):
        if kind in attribute and not attribute.startswith("_"):
            value = getattr(provider, attribute)
            if isinstance(value, (tuple, list, dict)):
                out.update(v for v in value if isinstance(v, str))
    return out


def _polish_female(surname: str) -> str | None:
    """'Kowalski' -> 'Kowalska': Faker's Polish list holds the male forms only."""
    for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return None


@functools.cache
def foreign_name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames) of :data:`FOREIGN_NAME_LOCALES`, Latin script only.

    For recognising names (:func:`mentions.foreign_names` removes those that are also
    German words), not for the training corpus: a model trained with a fifth of its
    people named from these lists removed 18 instead of 13 clinical terms of eval3 and
    5 instead of 2 of eval2 (one seed), while the lists alone cost no precision.
    """
    first: set[str] = set()
    last: set[str] = set()
    for locale in FOREIGN_NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        first |= _values(provider, "first_names")
        surnames = _values(provider, "last_names")
        last |= surnames | {f for s in surnames if (f := _polish_female(s))}
    return (
        frozenset(w for w in first if _is_latin_name(w)),
        frozenset(w for w in last if _is_latin_name(w)),
    )


@functools.cache
def _all_proper_names() -> frozenset[str]:
    """Every name and town of both splits, to keep them out of the noun pool."""
    names = {*_FakerPerson.last_names, *NOUN_SURNAMES, *_FakerAddress.cities}
    names.update(_FakerPerson.first_names_female, _FakerPerson.first_names_male)
    return frozenset(names)


_INFLECTIONS = ("e", "en", "n", "es", "s", "er", "ern")
_PLURALS = ("e", "en", "n", "es")


def _inflects_like_a_noun(word: str, words: frozenset[str]) -> bool:
    """True if the list holds plural or case forms of ``word`` (or of its base).

    The list has no parts of speech and also holds towns and first names
    ("Würzburg", "Peter"), which as negatives would teach the model that towns are
    not places. Common nouns come with their inflections ("Befund", "Befunde"),
    proper names rarely do, so this keeps the nouns.
    """
    bases = [word] + [word[: -len(x)] for x in _INFLECTIONS if word.endswith(x)]
    return any(b in words and any(b + x in words for x in _PLURALS) for b in bases)


@functools.cache
def _dictionary_nouns(path: Path) -> tuple[str, ...]:
    """Capitalised common nouns of 4-16 letters (no acronyms, names, towns) from a list."""
    if not path.exists():
        raise FileNotFoundError(
            f"German word list {path} not found: install the Debian package 'wngerman' "
            "(apt-get install wngerman) or pass wordlist=<path to a one-word-a-line file>"
        )
    proper = _all_proper_names()
    words = frozenset(path.read_text(encoding="utf-8").split())
    return tuple(
        sorted(
            w
            for w in words
            if 4 <= len(w) <= 16 and w[0].isupper() and w[1:].islower() and w.isalpha()
            and w not in proper and _inflects_like_a_noun(w, words)
        )
    )  # fmt: skip


@functools.cache
def german_nouns(split: str, wordlist: Path | None = None) -> tuple[str, ...]:
    """Capitalised German words (nouns, mostly inflected) of one split, for negatives."""
    _check_split(split)
    nouns = _dictionary_nouns(Path(wordlist) if wordlist else GERMAN_WORDLIST)
    return tuple(w for w in nouns if split_of(w) == split)


@functools.cache
def medical_terms(split: str) -> tuple[str, ...]:
    """Clinical nouns for negatives: the list plus organ-finding compounds.

    TRAIN leaves out every term a HELD-OUT template contains, so the held-out score
    also measures clinical words the model has not seen.
    """
    _check_split(split)
    compounds = (stem + head for stem in ORGAN_STEMS for head in FINDING_HEADS)
    terms = tuple(sorted({*MEDICAL_TERMS, *compounds}))
    if split == "heldout":
        return terms
    from . import templates_heldout  # only for the exclusion; no cycle at import time

    heldout_text = (repr(templates_heldout.FAMILIES) + repr(templates_heldout.NEGATIVES)).lower()
    return tuple(t for t in terms if t.lower() not in heldout_text)
