"""What the page templates need besides the records: links, labels, language, badges.

Kept apart from the handlers (``pages.py``) so the templates' helpers are plain functions
that can be read and tested on their own. Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from ..portal import SearchQuery, State
from ..portal.vocab import vocabularies

#: URL parameters of the range filters, per SearchQuery field (lower, upper bound), for
#: the range inputs (``SearchQuery.to_params`` writes the same names).
RANGE_PARAMS = {
    "cohort_size": ("cohort_min", "cohort_max"),
    "age": ("age_min", "age_max"),
    "time": ("time_from", "time_to"),
}

#: German for the catalogue pages' own words (records bring their own de/en texts).
GERMAN = {
    "Search the catalogue": "Katalog durchsuchen",
    "Search": "Suchen",
    "Search text": "Suchtext",
    "Filters": "Filter",
    "Apply filters": "Filter anwenden",
    "Cohort size": "Kohortengröße",
    "Age (years)": "Alter (Jahre)",
    "Time span": "Zeitraum",
    "from": "von",
    "to": "bis",
    "Sort by": "Sortieren nach",
    "relevance": "Relevanz",
    "title": "Titel",
    "modified": "zuletzt geändert",
    "size": "Größe",
    "Active filters": "Aktive Filter",
    "Remove filter": "Filter entfernen",
    "Clear all": "Alle entfernen",
    "datasets found": "Datensätze gefunden",
    "dataset found": "Datensatz gefunden",
    "No dataset matches. Remove a filter or search for fewer words.": (
        "Kein Datensatz passt. Entfernen Sie einen Filter oder suchen Sie nach weniger Wörtern."
    ),
    "synthetic — not for inference": "synthetisch — nicht für Inferenz",
    "Synthetic data — not for inference.": "Synthetische Daten — nicht für Inferenz.",
    "individuals": "Personen",
    "years": "Jahre",
    "Previous": "Zurück",
    "Next": "Weiter",
    "Page": "Seite",
    "of": "von",
    "Results": "Ergebnisse",
    "Request access": "Zugang beantragen",
    "Open to you without a request: your next server has it, read-only, at": (
        "Ohne Antrag für Sie offen: Ihr nächster Server hat ihn schreibgeschützt unter"
    ),
    "Description": "Beschreibung",
    "Access rights": "Zugangsstufe",
    "Custodian": "Datenhalter",
    "Access body": "Zugangsstelle",
    "Contact": "Kontakt",
    "Modality": "Modalität",
    "Health categories": "Gesundheitskategorien",
    "Coding systems": "Kodiersysteme",
    "Data model / standards": "Datenmodell / Standards",
    "Number of individuals": "Anzahl Personen",
    "Number of records": "Anzahl Datensätze",
    "Ages": "Alter",
    "Temporal coverage": "Zeitliche Abdeckung",
    "Spatial coverage": "Räumliche Abdeckung",
    "Population": "Population",
    "Legal basis": "Rechtsgrundlage",
    "Personal data": "Personenbezogene Daten",
    "Provenance": "Herkunft",
    "Keywords": "Schlagwörter",
    "Version": "Version",
    "Variables": "Variablen",
    "Name": "Name",
    "Label": "Bezeichnung",
    "Type": "Typ",
    "Distributions": "Distributionen",
    "Format": "Format",
    "Licence": "Lizenz",
    "Size": "Größe",
    "Quality": "Qualität",
    "Dimension": "Dimension",
    "Note": "Anmerkung",
    "Value": "Wert",
    "Synthetic versions": "Synthetische Versionen",
    "Derived from": "Abgeleitet von",
    "Generated with": "Erzeugt mit",
    "Algorithms trained on this dataset": "Auf diesem Datensatz trainierte Algorithmen",
    "ongoing": "laufend",
    "Details": "Details",
    "Dataset": "Datensatz",
}


def translator(lang: str):
    """``_("text")`` for templates: the German words on German pages, else the English."""
    if lang != "de":
        return lambda text: text
    return lambda text: GERMAN.get(text, text)


def search_href(prefix: str, query: SearchQuery, **changes) -> str:
    """The search page's URL for ``query`` (with ``changes``, e.g. ``page=2``)."""
    params = (replace(query, **changes) if changes else query).to_params()
    return prefix + ("?" + urlencode(params) if params else "")


def html_id(*parts: str) -> str:
    """An element id from free text (facet values may be names with spaces)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", "-".join(parts))


def range_value(query: SearchQuery, param: str) -> str:
    """The value of a range parameter (``cohort_min`` ...) as the form shows it."""
    for field, names in RANGE_PARAMS.items():
        if param in names:
            bound = getattr(query, field)[names.index(param)]
            return "" if bound is None else str(bound)
    raise KeyError(param)


def code_label(scheme: str, code: str, lang: str = "en") -> str:
    """The label of a vocabulary code in ``lang`` (the code itself when unknown)."""
    return vocabularies().label(scheme, code, lang)


def labels(scheme: str, codes: list[str], lang: str = "en") -> str:
    """Several codes' labels, comma-separated."""
    return ", ".join(code_label(scheme, code, lang) for code in codes)


def span(start: object, end: object, open_end: str = "…") -> str:
    """A range as ``start – end``; a missing end shows ``open_end``."""
    if start is None and end is None:
        return ""
    return f"{'' if start is None else start} – {open_end if end is None else end}"


def byte_size(size: int | None) -> str:
    """A byte count for people (``1.2 GB``)."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return str(size)  # pragma: no cover - the loop always returns


#: Bootstrap colour of each state's badge: waiting, in review, good, ended.
STATE_COLOURS = {
    State.DRAFT: "secondary",
    State.SUBMITTED: "info",
    State.FORMAL_CHECK: "info",
    State.COMMITTEE_REVIEW: "info",
    State.RETURNED: "warning",
    State.APPROVED: "primary",
    State.APPROVED_WITH_CONDITIONS: "primary",
    State.ACTIVE: "success",
    State.REJECTED: "danger",
    State.REVOKED: "danger",
    State.EXPIRED: "dark",
    State.CLOSED: "dark",
    State.WITHDRAWN: "dark",
}


def state_badge_class(state: str) -> str:
    """The CSS classes of a request state's badge."""
    return f"badge text-bg-{STATE_COLOURS.get(State(state), 'secondary')}"


def when(moment: datetime | str | date | None) -> str:
    """A timestamp as ``2025-03-01 14:05 UTC`` (dates as they are)."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return moment.isoformat()
