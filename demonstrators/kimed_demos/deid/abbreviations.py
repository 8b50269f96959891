"""Round nine of issue 11: an organisation's abbreviation standing alone in the letter.

A letter names a body in full once ("<Disease>-Zentrum <Region> (ABCD)", "An den
Landschaftsverband <Region>") and then by its abbreviation alone ("Az. ABC:", "Leiterin
ABCD"). The abbreviation is as identifying as the name, but no pattern knows it: it is
capitals only, like every clinical acronym. :func:`abbreviation_findings` takes an
abbreviation for the organisation where its letters spell the name found in the same
letter: each significant word gives its initial, in order, and may add letters from its
inside (compounds: "Landschafts-v-erband", "Bio-b-ank"). Spelling alone is weak (a role
such as "PDL" spells "Pflegedienst <Name>"), so the letter must also use the abbreviation
as a name: in brackets right after the organisation ("<name> (ABC)"), or as part of a
found name ("ABC-Klinikum <town>"). The keep list's acronyms are never taken.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex as re

from .entities import Finding
from .keeplist import keep_words

# Three letters at least: two-letter ones are mostly clinical ("HB": a home visit).
_ACRONYM = re.compile(r"(?<![\w-])\p{Lu}{3,6}(?![\w-])")
# For a word of a found name, hyphens are bounds too ("ABC-Klinikum").
_PART = re.compile(r"(?<![\w])\p{Lu}{3,6}(?![\w])")
_BRACKETED = re.compile(r"[ ]?\((\p{Lu}{3,6})\)")
_WORDS = re.compile(r"\p{L}+")
# Link words are no part of an abbreviation ("Institut für <field> der <town>": IFT).
_LINKS = frozenset("am an auf bei der des die für im in und von vom zu zum zur".split())


def spells(acronym: str, words: Sequence[str]) -> bool:
    """True if ``acronym`` takes each word's initial in order, and inner letters of the
    words in order between them (case ignored)."""
    if not words:
        return not acronym
    if not acronym or acronym[0] != words[0][0].upper():
        return False
    inner, rest = words[0][1:].upper(), acronym[1:]
    # Take 0, 1, 2 ... of the next letters from inside this word, then go on.
    for taken in range(len(rest) + 1):
        if taken and (pos := inner.find(rest[taken - 1])) < 0:
            return False
        if taken:
            inner = inner[pos + 1 :]
        if spells(rest[taken:], words[1:]):
            return True
    return False


def name_words(value: str) -> list[str]:
    """The significant words of an organisation's name (no link words, no initials)."""
    return [w for w in _WORDS.findall(value) if len(w) > 1 and w.lower() not in _LINKS]


def _defined(findings: Sequence[Finding], text: str) -> dict[str, list[list[str]]]:
    """{acronym: names it may spell}: acronyms in brackets right after an organisation
    (that name only), and acronyms that are a word of a found name (every organisation)."""
    orgs = [f for f in findings if f.entity_type == "ORGANIZATION"]
    names = [name_words(text[f.start : f.end]) for f in orgs]
    defined: dict[str, list[list[str]]] = {}
    for f, words in zip(orgs, names, strict=True):
        if m := _BRACKETED.match(text, f.end):
            defined.setdefault(m.group(1), []).append(words)
    for f in findings:
        for word in _PART.findall(text, f.start, f.end):
            defined.setdefault(word, []).extend(names)
    return defined


def abbreviation_findings(findings: Sequence[Finding], text: str) -> list[Finding]:
    """ORGANIZATION findings for the free-standing abbreviations of ``text`` that spell an
    organisation found in it and that the letter uses as a name (see the module's
    docstring); none that overlaps a finding."""
    from .org_positions import position_findings  # round ten: it needs this module

    findings = [*findings, *(placed := position_findings(findings, text))]
    defined = _defined(findings, text)
    keep = keep_words()
    spelled = {a for a, names in defined.items()
               if a not in keep and any(spells(a, words) for words in names)}  # fmt: skip
    if not spelled:
        return placed
    taken = [(f.start, f.end) for f in findings]
    return placed + [
        Finding(m.start(), m.end(), "ORGANIZATION", 0.65)
        for m in _ACRONYM.finditer(text)
        if m.group() in spelled and not any(a < m.end() and m.start() < b for a, b in taken)
    ]
