"""Towns in the second stage: known places found anywhere, and places that a letter's
layout names (after a name and a comma, a district after a hyphen, a municipality in
brackets).

Split from :mod:`.mentions` (same second stage); the word tests come from there, the
places of Germany, Austria and Switzerland from :mod:`.places`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import regex as re

from . import wordlist
from .entities import Finding
from .keeplist import keep_words
from .lexicon import _CLINICAL_WORDS, _german_words, _ordinary, first_names, is_common_word
from .mentions import NAME_WORD, SCORE_UNKNOWN_WORD, _plain_first_name
from .places import place_words
from .spread import _words_of

# No "." after the town: "Henrike Stallbaum, Sr. Dörte" has an abbreviation there.
_TOWN_AFTER_COMMA = re.compile(rf"^,[ ]({NAME_WORD})(?=[ ]?[)\n,;]|$)")
# After a street: "Seeweg 12, Dorfheim (Amtsland)".
_TOWN_AFTER_STREET = re.compile(rf"^,[ ]({NAME_WORD})(?=[ ]?[()\n,;]|$)")
_TOWN_IN_BRACKETS = re.compile(rf"^[ ]\(({NAME_WORD})\)")
# Round nine: where a letter names a town and nothing else: before the letter's date at a
# line start ("<Town>, 03.02.2026") and after a site word ("Campus <Town>").
_TOWN_POSITION = re.compile(
    rf"^({NAME_WORD})(?=,[ ](?:den[ ])?\d{{1,2}}\.)"
    rf"|\b(?:Campus|Standort|Außenstelle)[ ]({NAME_WORD})\b",
    re.MULTILINE,
)
_POSTCODE_BEFORE = re.compile(r"(?<!\d)\d{5}[ \t]$")

#: A place whose name is also a word of the German list ("Münster", "Kiel", "Mantel",
#: "Kuchen") counts as a town only from this many inhabitants: the big ones are named
#: as towns far more often than the small ones' words are used as words.
BIG_PLACE = 50_000
#: City districts named by a common noun: the noun is far more frequent.
_DISTRICT_NOUNS = frozenset({"Mitte", "Altstadt", "Neustadt", "Innenstadt", "Zentrum"})


@functools.cache
def known_towns() -> frozenset[str]:
    """Towns found wherever they stand: the Faker list's district towns and the places of
    Germany, Austria and Switzerland (:mod:`.places`; see :data:`BIG_PLACE`), less
    ordinary words ("Essen"), first names, must-keep terms and clinical nouns; at least
    four letters."""
    words, _ = _german_words()
    folded = {w.lower() for w in words}
    towns = {c for c in wordlist._FakerAddress.cities if " " not in c}
    towns |= {
        w for w, people in place_words().items() if people >= BIG_PLACE or w.lower() not in folded
    }
    return frozenset(
        t
        for t in towns
        if len(t) >= 4
        and not _ordinary(t)
        and t.split("-")[0] not in first_names()
        and t not in keep_words()
        and t not in _CLINICAL_WORDS
        and t not in _DISTRICT_NOUNS
    )


def town_findings(text: str) -> list[Finding]:
    """LOCATION for every known town, with or without a postcode or preposition."""
    towns = known_towns()
    return [
        Finding(start, end, "LOCATION", SCORE_UNKNOWN_WORD)
        for start, end, word in _words_of(text)
        if word in towns or ("-" in word and _town_district(word, towns))
    ]


def _town_district(word: str, towns: frozenset[str]) -> bool:
    """'Altona-Nord', 'Kassel-Wilhelmshöhe': a known town joined to a district by a hyphen;
    a big place whose name is also a word only before a district that is none."""
    head, _, rest = word.partition("-")
    parts = rest.split("-")
    if not rest or not all(p[:1].isupper() for p in parts):
        return False
    if head in towns:
        return True
    big = place_words().get(head, 0) >= BIG_PLACE
    return big and not any(is_common_word(p) for p in parts)


def towns_after_names(findings: Sequence[Finding], text: str) -> list[Finding]:
    """LOCATION for 'Dr. Lenz, Dohna)': a word after a name, place or date and a comma,
    closing the bracket or line or before one, that is neither ordinary nor a first name;
    a word in brackets after a place; and a town of the letter's postcodes in a town's
    position (:func:`_town_positions`), also one that is a word."""
    postal = _postal_towns(findings, text)
    out: list[Finding] = _town_positions(text, postal)
    queue = list(findings)
    for f in queue:  # grows: a town found here can be followed by its municipality
        if f.entity_type not in ("PERSON", "ORGANIZATION", "LOCATION", "DATE"):
            continue
        after = text[f.end : f.end + 40]
        m = _TOWN_AFTER_COMMA.match(after)
        if not m and f.entity_type == "LOCATION":  # "Dorfheim (Amtsland)": its municipality
            m = _TOWN_AFTER_STREET.match(after) or _TOWN_IN_BRACKETS.match(after)
        if (
            m
            and (m.group(1) in postal or not is_common_word(m.group(1)))
            and not _plain_first_name(m.group(1))
        ):
            s = f.end + m.start(1)
            out.append(Finding(s, s + len(m.group(1)), "LOCATION", SCORE_UNKNOWN_WORD))
            queue.append(out[-1])
    return out


def _postal_towns(findings: Sequence[Finding], text: str) -> frozenset[str]:
    """Places (:mod:`.places`) that the letter writes after a postcode ("12345 <Town>"):
    there a word such as "Halle" is the town, so it is the town in a town's
    position elsewhere in the letter too (round nine); its ordinary uses ("in der Halle")
    stand elsewhere and stay."""
    places = place_words()
    return frozenset(
        text[f.start : f.end]
        for f in findings
        if f.entity_type == "LOCATION"
        and text[f.start : f.end] in places
        and _POSTCODE_BEFORE.search(text, max(0, f.start - 7), f.start)
    )


def _town_positions(text: str, towns: frozenset[str]) -> list[Finding]:
    """LOCATION for each of ``towns`` before a letter's date or after a site word."""
    if not towns:
        return []
    found = []
    for m in _TOWN_POSITION.finditer(text):
        group = 1 if m.group(1) else 2
        if m.group(group) in towns:
            found.append(Finding(m.start(group), m.end(group), "LOCATION", SCORE_UNKNOWN_WORD))
    return found
