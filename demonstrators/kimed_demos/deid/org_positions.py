"""Round ten of issue 11: organisations known by where they stand, not by a head word.

Letters name many bodies by a short name that no pattern knows: an acronym ("<ABC>"), a
brand-like word in camel case ("<AbCd>"), a practice's nickname ("Praxis <Adjective>"). Their
words are no evidence; their position is: after a report or complaint addressed to a
body, after a kind of association, as the laboratory of a test in brackets, as the owner
in brackets after a house that was found, or as the long name that an acronym in
brackets after it spells. :func:`position_findings` returns ORGANIZATION findings for
these positions; :mod:`.abbreviations` calls it first, so that an acronym defined after
such a name is taken as well and the spreading step finds every later use.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex as re

from .entities import Finding
from .keeplist import keep_spans, keep_words
from .lexicon import _dictionary, is_common_word
from .places import place_words
from .recognizers_orgs import _name_word
from .towns import BIG_PLACE

# An acronym (capitals, also umlauts) or a brand in camel case ("<Ab><Cd>").
_SHORT = r"(?:\p{Lu}{3,6}|\p{Lu}\p{Ll}+\p{Lu}\p{L}*)"
_END = r"(?![\w-])"
# Positions that take a body, not a thing: a report, complaint, copy or membership is
# addressed to a body ("Meldung an <ABC>", "beschwert über die <ABC>", "Mitglied im
# <ABC>"), staff work for one ("Mitarbeiter der <ABC>"), a counselling or a laboratory is
# done by one ("Beratung durch <ABC>"), an association has a kind
# ("Elternverband <ABC>"), an organ goes to a transplant centre ("Herz an <ABC>").
# Not "Labor:" or "Kopie:": a lab value ("Labor: CRP 12") or a department ("Kopie: HNO")
# follows them as often as a body.
_POSITION = re.compile(
    r"(?<=(?:\b(?:Meldung|Mitteilung|Anzeige|Beschwerde|[Gg]emeldet|beschwert"
    r"|Mitglied|Beratung|Mitarbeiter(?:in|innen)?|Kostenträger|Firma)"
    r"(?:[ ](?:an|über|bei|durch|im|in|von|vom|der|des))?(?:[ ](?:die|den|das|der|dem))?"
    r"|\p{Ll}(?:verband|verein|bund|gesellschaft|stiftung)"
    r"|\b(?:Herz|Leber|Lunge|Niere|Nieren|Pankreas)[ ]an)[ :]{1,2})"
    rf"{_SHORT}(?:[ ]\p{{Lu}}{{2,3}})?{_END}"
    # A complaint or report about a body: "über die <ABC> beschwert".
    rf"|(?<=\büber[ ](?:die|den|das)[ ]){_SHORT}(?=[ ](?:beschwert|beklagt|informiert))"
)
# An employer by its acronym before its town ("<job> bei <ABC> in <Town>"); the town
# must be one (a disease's acronym is followed by "in Remission").
_AT_TOWN = re.compile(rf"(?<=\p{{Ll}}[ ]bei[ ]){_SHORT}(?=[ ]in[ ](\p{{Lu}}\p{{Ll}}+))")
# The laboratory of a genetic or molecular test, in brackets after it ("Exom (<lab>)").
_LAB_OF_TEST = re.compile(
    r"(?<=\b\p{L}*(?:Exom|Genom|NIPT|Panel|Sequenzierung|Array|Analyse)[ ]\()"
    rf"{_SHORT}(?=\))"
)
# A long name whose last word is a body's head, before the acronym it defines:
# "<Adjective> <Field>- und <Field>zentrum (<ABC>)", "<Town>er Wasserbetriebe (<ABC>)".
_HEADS = (
    r"(?:zentrum|betriebe|betrieben|werke|werken|verband|gesellschaft|institut|amt|bund"
    r"|verein|stiftung|agentur|behörde|kasse|konsortium|universität|hochschule|akademie"
    r"|ministerium|dienst|netzwerk|register)"
)
_DEFINED = re.compile(
    r"(?<![\w-])((?:\p{Lu}[\p{L}-]*[ ](?:(?:und|für|der|des|die)[ ])?){1,5}"
    rf"\p{{Lu}}\p{{Ll}}*?{_HEADS})[ ]\((\p{{Lu}}{{2,6}})\)"
)
# A house found, then one brand-like word in brackets: its owner or carrier
# ("Kreiskrankenhaus <town> (<carrier>)").
_OWNER = re.compile(r"[ ]\((\p{Lu}\p{Ll}{3,})\)")


# A house's own units, services and staff roles take the same positions ("Mitarbeiter der
# <unit>", "Beratung durch <service>") and name no one in particular.
_UNITS_AND_ROLES = frozenset(
    "ITS IMC ICU IPS PACU ZNA NEF RTW KTW OP HNO MKG PDL SAPV AAPV MFA OTA ATA MTA MTRA BTA "
    "PTA ZFA PKV GKV EDV IT QM".split()
)


def _short_ok(word: str, keep: frozenset[str]) -> bool:
    """An acronym or brand is a name unless the keep list or the word list has it, or it is
    a unit or role of a house."""
    first = word.split()[0]
    if first in keep or first in _UNITS_AND_ROLES:
        return False
    return not (first[1:].islower() and is_common_word(first))


def position_findings(findings: Sequence[Finding], text: str) -> list[Finding]:
    """ORGANIZATION findings for short names in an organisation's position and long
    names before the acronym they define (see the module's docstring)."""
    from .abbreviations import name_words, spells  # abbreviations calls this module

    keep, listed = keep_words(), _dictionary()[0]
    spans = [m.span() for rx in (_POSITION, _LAB_OF_TEST) for m in rx.finditer(text)
             if _short_ok(m.group(), keep)]  # fmt: skip
    spans += [
        m.span()
        for m in _AT_TOWN.finditer(text)
        if _short_ok(m.group(), keep) and place_words().get(m.group(1), 0) >= BIG_PLACE
    ]
    for m in _DEFINED.finditer(text):
        parts = m.group(1).split(" ")
        # Leading words that the acronym does not spell are no part of the name.
        for i in range(len(parts)):
            if spells(m.group(2), name_words(name := " ".join(parts[i:]))):
                spans.append((m.end(1) - len(name), m.end(1)))
                break
    for f in findings:
        if f.entity_type == "ORGANIZATION" and (m := _OWNER.match(text, f.end)):
            # A noun of the word list in brackets is what the house does ("(Lärm)").
            if _name_word(word := m.group(1)) and word not in keep and word not in listed:
                spans.append(m.span(1))
    if spans:  # the keep list's patterns too ("Meldung an <lab value>" is no body)
        kept = keep_spans(text)
        spans = [(a, b) for a, b in spans if not any(s <= a and b <= e for s, e in kept)]
    taken = [(f.start, f.end) for f in findings]
    return [
        Finding(a, b, "ORGANIZATION", 0.65)
        for a, b in sorted(set(spans))
        if not any(s < b and a < e for s, e in taken)
    ]
