"""Broad consent of the fictional patients, shaped like the MII consent module.

A consent is a ``Consent`` whose root provision denies everything and whose nested
provisions permit (or deny) single MII policy codes for a period: collecting medical data
(MDAT erheben) for 5 years, storing and using it for 30 (as the MII template text does).
The mix: about 6 % of patients never signed, 10 % declined the biomaterial modules, 6 %
declined scientific use of their medical data, and 5 % withdrew later: a second
``Consent`` dated at the withdrawal that denies every module from that day on. What was
drawn is kept as :class:`ConsentFacts`, the ground truth the consent filter is tested on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kimed_demos.phenotype.codes import (
    BROAD_CONSENT_POLICY_URI,
    CONSENT_CATEGORY,
    CONSENT_CODES,
    CONSENT_POLICY,
    CONSENT_SCOPE,
    LOINC,
    MDAT_COLLECT,
)

BIOMAT = tuple(c for c, d in CONSENT_CODES.items() if d.startswith("BIOMAT"))
MDAT_SCIENCE = tuple(c for c in CONSENT_CODES if c.endswith((".8", ".9")))
LAST_WITHDRAWAL = date(2025, 6, 30)


@dataclass
class ConsentFacts:
    """What a patient consented to: when, which codes denied, when withdrawn."""

    signed: date | None = None
    denied: set[str] = field(default_factory=set)
    withdrawn: date | None = None
    ends: dict[str, date] = field(default_factory=dict)

    def permits(self, required: list[str], on_date: date, as_of: date | None = None) -> bool:
        """Whether the use needing ``required`` is permitted on ``on_date`` with every
        withdrawal known by ``as_of`` (default: ``on_date``) honoured."""
        if self.signed is None or self.signed > on_date:
            return False
        known = max(on_date, as_of or on_date)
        return all(
            c not in self.denied
            and on_date <= self.ends[c]
            and not (c in self.withdrawn_codes() and self.withdrawn <= known)
            for c in required
        )

    def withdrawn_codes(self) -> set[str]:
        """The modules a withdrawal covers: those whose permit had not ended by then."""
        if self.withdrawn is None:
            return set()
        return {c for c, end in self.ends.items() if end >= self.withdrawn}


def _years(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def draw_facts(rng: random.Random, first_visit: datetime) -> ConsentFacts:
    """The consent a patient gave at their first visit (or none)."""
    roll = rng.random()
    if roll < 0.06:
        return ConsentFacts()
    signed = first_visit.date()
    facts = ConsentFacts(signed=signed)
    facts.ends = {c: _years(signed, 5 if c == MDAT_COLLECT else 30) for c in CONSENT_CODES}
    if rng.random() < 0.10:
        facts.denied |= set(BIOMAT)
    if rng.random() < 0.06:
        facts.denied |= set(MDAT_SCIENCE)
    if rng.random() < 0.05:
        latest = (LAST_WITHDRAWAL - signed).days
        if latest > 30:
            facts.withdrawn = signed + timedelta(days=rng.randint(30, latest))
    return facts


def _provision(code: str, kind: str, start: date, end: date) -> dict:
    return {
        "type": kind,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "code": [
            {"coding": [{"system": CONSENT_POLICY, "code": code, "display": CONSENT_CODES[code]}]}
        ],
    }


def _consent(ident: str, patient: str, moment: datetime, provisions: list[dict]) -> dict:
    start = min(p["period"]["start"] for p in provisions)
    end = max(p["period"]["end"] for p in provisions)
    return {
        "resourceType": "Consent",
        "id": ident,
        "status": "active",
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "research"}]},
        "category": [
            {
                "coding": [
                    {
                        "system": LOINC,
                        "code": "57016-8",
                        "display": "Privacy policy acknowledgment Document",
                    }
                ]
            },
            {
                "coding": [
                    {"system": CONSENT_CATEGORY, "code": "2.16.840.1.113883.3.1937.777.24.2.184"}
                ]
            },
        ],
        "patient": {"reference": f"Patient/{patient}"},
        "dateTime": moment.isoformat(timespec="seconds"),
        "policy": [{"uri": BROAD_CONSENT_POLICY_URI}],
        "provision": {
            "type": "deny",
            "period": {"start": start, "end": end},
            "provision": provisions,
        },
    }


def consent_resources(
    rng: random.Random, patient: str, first_visit: datetime
) -> tuple[list[dict], ConsentFacts]:
    """The patient's Consent resources (none, one, or a consent and its withdrawal)."""
    facts = draw_facts(rng, first_visit)
    if facts.signed is None:
        return [], facts
    given = [
        _provision(code, "deny" if code in facts.denied else "permit", facts.signed, end)
        for code, end in facts.ends.items()
    ]
    found = [_consent(f"cons-{patient}-0", patient, first_visit, given)]
    if facts.withdrawn is not None:
        moment = datetime.combine(facts.withdrawn, first_visit.timetz())
        found.append(withdrawal(f"cons-{patient}-1", patient, moment, facts.ends))
    return found, facts


def withdrawal(ident: str, patient: str, moment: datetime, ends: dict[str, date]) -> dict:
    """A Consent withdrawing, from ``moment``'s day, every module whose permit runs until
    then (``ends``: module code -> end of its permit), as a DIZ delivers a withdrawal."""
    day = moment.date()
    codes = [c for c in ends if ends[c] >= day]
    return _consent(ident, patient, moment, [_provision(c, "deny", day, ends[c]) for c in codes])
