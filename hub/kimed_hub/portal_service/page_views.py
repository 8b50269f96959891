"""What the page templates need besides the records: links, labels, language, badges.

Kept apart from the handlers (``pages.py``) so the templates' helpers are plain functions
that can be read and tested on their own. Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from ..access import State
from ..catalogue import SearchQuery
from ..catalogue.vocab import vocabularies
from . import feasibility_form

#: URL parameters of the range filters, per SearchQuery field (lower, upper bound), for
#: the range inputs (``SearchQuery.to_params`` writes the same names).
RANGE_PARAMS = {
    "cohort_size": ("cohort_min", "cohort_max"),
    "age": ("age_min", "age_max"),
    "time": ("time_from", "time_to"),
}

#: German for every page's own words (records bring their own de/en texts); keys are the
#: English texts the templates pass to ``_()``, ``pages.ACTION_LABELS``, the form's
#: labels (``page_forms``), the request states and the feasibility form's words.
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
    # --- layout and navigation (base.html, error.html) ---
    "Skip to the content": "Zum Inhalt springen",
    "Main": "Hauptnavigation",
    "JupyterHub logo": "JupyterHub-Logo",
    "Home": "Startseite",
    "Toggle navigation": "Navigation ein-/ausblenden",
    "Toggle dark mode": "Dunkelmodus umschalten",
    "Portal": "Portal",
    "Algorithms": "Algorithmen",
    "My requests": "Meine Anträge",
    "Steward queue": "Eingang Data Stewards",
    "Committee queue": "Eingang Zugangskomitee",
    "Logout": "Abmelden",
    "Login": "Anmelden",
    "Error": "Fehler",
    "The request was not understood": "Die Anfrage wurde nicht verstanden",
    "Not allowed": "Nicht erlaubt",
    "Not found": "Nicht gefunden",
    "Not possible now": "Derzeit nicht möglich",
    "Too large": "Zu groß",
    "Not valid": "Nicht gültig",
    "Back to the catalogue": "Zurück zum Katalog",
    "Workbench home": "Startseite der Workbench",
    "The portal failed; see its log.": "Im Portal ist ein Fehler aufgetreten; siehe Protokoll.",
    # --- algorithms (algorithms.html, algorithm.html) ---
    "Models in the KIMed registry: what each does, what it was trained on and how well it did.": (
        "Modelle im KIMed-Register: was sie leisten, worauf sie trainiert wurden und wie gut "
        "sie abgeschnitten haben."
    ),
    "Task": "Aufgabe",
    "Trained on": "Trainiert auf",
    "The registry holds no algorithm yet.": "Das Register enthält noch keinen Algorithmus.",
    "All algorithms": "Alle Algorithmen",
    "Model card": "Modellkarte",
    "Intended use": "Vorgesehene Verwendung",
    "Out-of-scope use": "Nicht vorgesehene Verwendung",
    "Data source": "Datenquelle",
    "Limitations": "Einschränkungen",
    "Bias": "Verzerrungen (Bias)",
    "Authors": "Autorinnen und Autoren",
    "Copyright": "Urheberrecht",
    "Software": "Software",
    "Inputs": "Eingaben",
    "Outputs": "Ausgaben",
    "Kind": "Art",
    "Shape": "Form",
    "Spacing": "Voxelabstand",
    "Channels": "Kanäle",
    "Range": "Wertebereich",
    "Metrics": "Metriken",
    "Metric": "Metrik",
    "Measured on": "Gemessen auf",
    "Use cases": "Anwendungsfälle",
    "Project": "Projekt",
    "Site": "Standort",
    "Cohort": "Kohorte",
    "Outcome": "Ergebnis",
    "Date": "Datum",
    "Changelog": "Änderungsprotokoll",
    "References": "Literatur",
    # --- access requests (my_requests.html, request_table.html, queue.html) ---
    "My access requests": "Meine Datennutzungsanträge",
    "New request": "Neuer Antrag",
    "Requests you made or are a team member of.": (
        "Anträge, die Sie gestellt haben oder in deren Team Sie sind."
    ),
    "An active grant appears read-only at": "Eine aktive Freigabe erscheint schreibgeschützt unter",
    "the next time you start your server.": "beim nächsten Start Ihres Servers.",
    "You have no access requests yet.": "Sie haben noch keine Datennutzungsanträge.",
    "Find a dataset in the catalogue and choose “Request access”.": (
        "Suchen Sie einen Datensatz im Katalog und wählen Sie „Zugang beantragen“."
    ),
    "Request": "Antrag",
    "Applicant": "Antragsteller/in",
    "Datasets": "Datensätze",
    "State": "Status",
    "Last change": "Letzte Änderung",
    "amends": "ändert",
    "Data steward queue": "Eingang Data Stewards",
    "Access committee queue": "Eingang Zugangskomitee",
    "Submitted requests wait for the formal check; checked ones go to the committee or back to "
    "the applicant; approved ones wait for activation.": (
        "Eingereichte Anträge warten auf die formale Prüfung; geprüfte gehen an das "
        "Zugangskomitee oder zurück an die Antragsteller/innen; bewilligte warten auf die "
        "Freischaltung."
    ),
    "Requests the data stewards forwarded wait for the committee's decision.": (
        "Von den Data Stewards weitergeleitete Anträge warten auf die Entscheidung des "
        "Zugangskomitees."
    ),
    "You cannot act on a request you are part of.": (
        "Anträge, an denen Sie selbst beteiligt sind, können Sie nicht bearbeiten."
    ),
    "Waiting": "Wartend",
    "Requests waiting": "Wartende Anträge",
    "Nothing is waiting.": "Es wartet nichts.",
    "Active grants": "Aktive Freigaben",
    "No grant is active.": "Keine Freigabe ist aktiv.",
    # --- request states (badges, history) ---
    "DRAFT": "Entwurf",
    "SUBMITTED": "Eingereicht",
    "FORMAL_CHECK": "Formale Prüfung",
    "COMMITTEE_REVIEW": "Begutachtung im Zugangskomitee",
    "RETURNED": "Zurückgegeben",
    "APPROVED": "Bewilligt",
    "APPROVED_WITH_CONDITIONS": "Bewilligt mit Auflagen",
    "ACTIVE": "Aktiv",
    "REJECTED": "Abgelehnt",
    "REVOKED": "Widerrufen",
    "EXPIRED": "Abgelaufen",
    "CLOSED": "Abgeschlossen",
    "WITHDRAWN": "Zurückgezogen",
    # --- one request (request.html) and its actions (pages.ACTION_LABELS) ---
    "team": "Team",
    "version": "Version",
    "created": "erstellt",
    "last change": "zuletzt geändert",
    "Grant from": "Freigabe vom",
    "until": "bis",
    "(read-only, from the next server start).": "(schreibgeschützt, ab dem nächsten Serverstart).",
    "The grant": "Die Freigabe",
    "has ended": "ist beendet",
    "is no longer mounted; servers that held it were stopped.": (
        "ist nicht mehr eingebunden; Server, die sie eingebunden hatten, wurden gestoppt."
    ),
    "Conditions": "Auflagen",
    "What you can do now": "Was Sie jetzt tun können",
    "Edit the application": "Antrag bearbeiten",
    "Decision": "Entscheidung",
    "Conditions (only for “approved with conditions”)": (
        "Auflagen (nur bei „Bewilligt mit Auflagen“)"
    ),
    "Grant starts": "Freigabe beginnt",
    "Grant ends": "Freigabe endet",
    "Comment": "Kommentar",
    "(the applicant reads it)": "(die Antragstellenden lesen ihn)",
    "Application": "Antrag im Detail",
    "Applicant (username)": "Antragsteller/in (Benutzername)",
    "yes": "ja",
    "Team member": "Teammitglied",
    "Data use terms accepted by": "Nutzungsbedingungen akzeptiert von",
    "nobody yet": "noch niemandem",
    "History": "Verlauf",
    "Every action on this request, from the audit log": (
        "Jeder Schritt in diesem Antrag, aus dem Audit-Log"
    ),
    "When": "Wann",
    "Who": "Wer",
    "Action": "Aktion",
    "Submit": "Einreichen",
    "Resubmit the amended request": "Überarbeiteten Antrag erneut einreichen",
    "Accept the conditions": "Auflagen annehmen",
    "Decline the conditions": "Auflagen ablehnen",
    "Start the formal check": "Formale Prüfung beginnen",
    "Forward to the committee": "An das Zugangskomitee weiterleiten",
    "Return to the applicant": "An die Antragstellenden zurückgeben",
    "Reject": "Ablehnen",
    "Decide": "Entscheiden",
    "Activate the grant": "Freigabe aktivieren",
    "Add a comment": "Kommentar hinzufügen",
    "Request an amendment": "Änderungsantrag stellen",
    "Close the grant": "Freigabe beenden",
    "Revoke the grant": "Freigabe widerrufen",
    "Withdraw the request": "Antrag zurückziehen",
    # --- the application form (request_form.html, field.html, page_forms) ---
    "Edit": "Bearbeiten",
    "Edit access request": "Datennutzungsantrag bearbeiten",
    "New access request": "Neuer Datennutzungsantrag",
    "The application follows the Five Safes.": "Der Antrag folgt den Five Safes.",
    "Fields marked": "Mit",
    "are needed to submit; a draft may leave them empty.": (
        "markierte Felder sind für das Einreichen nötig; ein Entwurf darf sie leer lassen."
    ),
    "The data stewards check the request, the access committee decides, and an active grant "
    "appears read-only at": (
        "Die Data Stewards prüfen den Antrag, das Zugangskomitee entscheidet, und eine aktive "
        "Freigabe erscheint schreibgeschützt unter"
    ),
    "in your next server.": "in Ihrem nächsten Server.",
    "Please correct 1 field": "Bitte korrigieren Sie 1 Feld",
    "Please correct {n} fields": "Bitte korrigieren Sie {n} Felder",
    "nothing was submitted": "es wurde nichts eingereicht",
    "nothing was stored": "es wurde nichts gespeichert",
    "Team members": "Teammitglieder",
    "Accepted the terms": "Nutzungsbedingungen akzeptiert",
    "Data use terms": "Nutzungsbedingungen",
    "I accept the KIMed data use terms: the data stay in the workbench, outputs leave only after "
    "an output check, and I report any incident at once.": (
        "Ich akzeptiere die KIMed-Nutzungsbedingungen: Die Daten bleiben in der Workbench, "
        "Ergebnisse verlassen sie nur nach einer Ausgabekontrolle, und ich melde jeden Vorfall "
        "sofort."
    ),
    "Save draft": "Entwurf speichern",
    "Save and submit": "Speichern und einreichen",
    "needed to submit": "für das Einreichen nötig",
    "— choose —": "— bitte wählen —",
    "Safe people": "Personen",
    "Safe project": "Projekt",
    "Safe data": "Daten",
    "Safe settings": "Umgebung",
    "Safe outputs": "Ergebnisse",
    "Who will see the data. You are the applicant; add every team member who will work with the "
    "data in the workbench (each must accept the data use terms).": (
        "Wer die Daten sieht. Sie sind die antragstellende Person; tragen Sie jedes Teammitglied "
        "ein, das in der Workbench mit den Daten arbeitet (alle müssen die Nutzungsbedingungen "
        "akzeptieren)."
    ),
    "What the data are for: the purpose decides what may be granted.": (
        "Wofür die Daten gebraucht werden: Der Zweck entscheidet, was freigegeben werden kann."
    ),
    "Which datasets, how identifying, and on which legal basis.": (
        "Welche Datensätze, wie identifizierend und auf welcher Rechtsgrundlage."
    ),
    "The data stay in the KIMed Workbench; say what your analysis needs there.": (
        "Die Daten bleiben in der KIMed Workbench; geben Sie an, was Ihre Analyse dort braucht."
    ),
    "What leaves the workbench, how it is checked, and when the data are destroyed.": (
        "Was die Workbench verlässt, wie es geprüft wird und wann die Daten gelöscht werden."
    ),
    "Workbench username": "Benutzername in der Workbench",
    "Institution": "Einrichtung",
    "E-mail": "E-Mail",
    "Your name": "Ihr Name",
    "Your e-mail": "Ihre E-Mail",
    "Institution's ROR URL": "ROR-URL der Einrichtung",
    "https://ror.org/...": "https://ror.org/...",
    "ORCID iD": "ORCID iD",
    "0000-0002-1825-0097": "0000-0002-1825-0097",
    "Your role in the project": "Ihre Rolle im Projekt",
    "Data protection training on": "Datenschutzschulung am",
    "Project title": "Projekttitel",
    "Acronym": "Akronym",
    "Lay summary": "Allgemeinverständliche Zusammenfassung",
    "Aims": "Ziele",
    "Methods": "Methoden",
    "Funder": "Förderer",
    "Project start": "Projektbeginn",
    "Project end": "Projektende",
    "one per line": "eines pro Zeile",
    "Publication plan": "Publikationsplan",
    "The project has a commercial interest": "Das Projekt hat ein kommerzielles Interesse",
    "catalogue identifiers, one per line": "Katalogkennungen, eine pro Zeile",
    "Variables needed": "Benötigte Variablen",
    "one per line; empty: all": "eine pro Zeile; leer: alle",
    "Data level": "Datenstufe",
    "aggregate": "aggregiert",
    "anonymised record level": "anonymisierte Einzeldaten",
    "pseudonymised record level": "pseudonymisierte Einzeldaten",
    "Legal basis (GDPR Art. 6)": "Rechtsgrundlage (DSGVO Art. 6)",
    "Condition for health data (GDPR Art. 9)": "Ausnahme für Gesundheitsdaten (DSGVO Art. 9)",
    "needed for record-level data": "nötig für Einzeldaten",
    "Data minimisation": "Datenminimierung",
    "Inclusion criteria": "Einschlusskriterien",
    "An ethics committee has voted": "Eine Ethikkommission hat ein Votum abgegeben",
    "Ethics committee": "Ethikkommission",
    "Vote number": "Aktenzeichen des Votums",
    "Vote date": "Datum des Votums",
    "The analysis needs a GPU": "Die Analyse braucht eine GPU",
    "CPU cores": "CPU-Kerne",
    "Memory (GB)": "Arbeitsspeicher (GB)",
    "Notes": "Anmerkungen",
    "Expected outputs": "Erwartete Ergebnisse",
    "Disclosure control": "Kontrolle auf Reidentifizierbarkeit",
    "Keep the data until": "Daten aufbewahren bis",
    "Destruction method": "Löschverfahren",
    # --- the airlock (airlock_*.html) ---
    "Export requests": "Ausleitungsanträge",
    "Output checks": "Ausgabekontrolle",
    "My export requests": "Meine Ausleitungsanträge",
    "Request release": "Ausleitung beantragen",
    "Requests waiting for your independent review. Requests you made, requests of your own "
    "project and requests you already reviewed are not listed.": (
        "Anträge, die auf Ihre unabhängige Prüfung warten. Eigene Anträge, Anträge Ihres "
        "Projekts und bereits von Ihnen geprüfte Anträge sind nicht aufgeführt."
    ),
    "Results leave the workbench only through the airlock: automated disclosure checks, then "
    "two independent output checkers.": (
        "Ergebnisse verlassen die Workbench nur über die Schleuse: automatische Prüfung auf "
        "Reidentifizierbarkeit, dann zwei unabhängige Ausgabekontrolleur/innen."
    ),
    "You have no export requests yet.": "Sie haben noch keine Ausleitungsanträge.",
    "Title": "Titel",
    "Files": "Dateien",
    "resubmits": "ersetzt",
    "Choose files from your home. They are copied as they are now; later changes do not "
    "count. Links are shown but can never be released.": (
        "Wählen Sie Dateien aus Ihrem Home-Verzeichnis. Sie werden im jetzigen Zustand kopiert; "
        "spätere Änderungen zählen nicht. Verknüpfungen werden angezeigt, aber nie ausgeleitet."
    ),
    "Allowed types": "Erlaubte Dateitypen",
    "link": "Verknüpfung",
    "not an allowed type": "kein erlaubter Dateityp",
    "Notebook that produced the outputs (optional, re-run on the server)": (
        "Notebook, das die Ergebnisse erzeugt hat (optional, wird auf dem Server neu ausgeführt)"
    ),
    "Justification": "Begründung",
    "Why each file must leave the workbench and what it shows.": (
        "Warum jede Datei die Workbench verlassen muss und was sie zeigt."
    ),
    "Submit for checking": "Zur Prüfung einreichen",
    "Requester": "Antragsteller/in",
    "Files and automated checks": "Dateien und automatische Prüfungen",
    "File": "Datei",
    "Checks": "Prüfungen",
    "Findings (rule and cell, never the value)": "Befunde (Regel und Zelle, nie der Wert)",
    "notebook, not released": "Notebook, wird nicht ausgeleitet",
    "row": "Zeile",
    "column": "Spalte",
    "Re-run on the server": "Neuausführung auf dem Server",
    "matches": "stimmt überein",
    "DIFFERS": "WEICHT AB",
    "not finished yet": "noch nicht fertig",
    "ran with profile": "ausgeführt mit dem Profil",
    "These files cannot be asked for:": "Diese Dateien können nicht beantragt werden:",
    "Chosen files": "Gewählte Dateien",
    "Download": "Herunterladen",
    "View": "Ansehen",
    "Reviews": "Prüfungen",
    "Your review": "Ihre Prüfung",
    "Reviews are independent: you see the other checker's review only once both are in.": (
        "Die Prüfungen sind unabhängig: Die Prüfung der anderen Person sehen Sie erst, wenn "
        "beide vorliegen."
    ),
    "Reason the requester sees": "Begründung (für die Antragstellenden sichtbar)",
    "Submit review": "Prüfung abgeben",
    "Resubmit with the fixed files": "Mit korrigierten Dateien erneut einreichen",
    "Retry the release": "Ausleitung erneut versuchen",
    "IN_REVIEW": "In Prüfung",
    "CHECKED": "Automatisch geprüft",
    "CHANGES_REQUESTED": "Änderungen erbeten",
    "RELEASED": "Ausgeleitet",
    "pass": "bestanden",
    "review": "manuelle Prüfung",
    "fail": "nicht bestanden",
    "blocked": "gesperrt",
    "approve": "freigeben",
    "approve_with_comment": "freigeben mit Kommentar",
    "request_changes": "Änderungen erbitten",
    "reject": "ablehnen",
    **feasibility_form.GERMAN,
}


#: The page languages; English is the default.
LANGUAGES = ("de", "en")


def preferred_language(accept_language: str) -> str:
    """The page language an ``Accept-Language`` header prefers: the first of German or
    English by quality, English when it names neither."""
    ranked = []
    for position, entry in enumerate(accept_language.split(",")):
        tag, _, params = entry.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else "en"


def translator(lang: str):
    """``_("text")`` for templates: the German words on German pages, else the English."""
    if lang != "de":
        return lambda text: text
    return lambda text: GERMAN.get(text, text)


def search_href(prefix: str, query: SearchQuery, carry_lang: bool = False, **changes) -> str:
    """The search page's URL for ``query`` (with ``changes``, e.g. ``page=2``).

    The query leaves out the default language (English); with ``carry_lang`` (English
    chosen over a German browser) or a language switch in ``changes`` it is written
    anyway, or the next page would fall back to the browser's German."""
    target = replace(query, **changes) if changes else query
    params = target.to_params()
    if (carry_lang or "lang" in changes) and all(name != "lang" for name, _ in params):
        params.append(("lang", target.lang))
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


def state_label(state: str, lang: str = "en") -> str:
    """A request state as its badge shows it: the code in English, words in German."""
    return translator(lang)(state) if state else ""


def decision_label(decision: str, lang: str = "en") -> str:
    """A committee decision's option text (``approved with conditions``)."""
    if lang == "de":
        return state_label(decision, lang)
    return decision.replace("_", " ").lower()


def option_label(field, code: str, text: str, lang: str = "en") -> str:
    """A select option's text: legal bases from the vocabulary in ``lang``, others
    through the German words."""
    if code and field.path.startswith("data.") and "legal_basis" in field.path:
        return code_label("legal-basis", code, lang)
    if code and field.path == "data.special_category_condition":
        return code_label("legal-basis", code, lang)
    return translator(lang)(text)


def _add_training_words() -> None:
    # The training pages keep their words in their own module (training_views).
    from .training_views import GERMAN as TRAINING

    GERMAN.update(TRAINING)
    from .synthesis_views import GERMAN as SYNTHESIS

    GERMAN.update({k: v for k, v in SYNTHESIS.items() if k not in GERMAN})


_add_training_words()
