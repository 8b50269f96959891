"""Words of the training pages in German (merged into ``page_views.GERMAN``), and small
helpers the training templates use."""

from __future__ import annotations

import base64

TEARDOWN_QUESTION = (
    "Tear down the workshop? Servers, temporary accounts and their home folders are "
    "removed; collected work and grades stay."
)

GERMAN = {
    "Courses": "Kurse",
    "Workshops": "Workshops",
    "Course catalogue": "Kurskatalog",
    "Start the course": "Kurs beginnen",
    "Check my work": "Meine Lösungen prüfen",
    "minutes": "Minuten",
    "Kernel": "Kernel",
    "Notebooks": "Notebooks",
    "Your progress": "Ihr Fortschritt",
    "checks passed": "Prüfungen bestanden",
    "Not started or not checked yet.": "Noch nicht begonnen oder noch nicht geprüft.",
    "Passed": "Bestanden",
    "Not passed": "Nicht bestanden",
    "Check": "Prüfung",
    "Notebook": "Notebook",
    "Feedback": "Rückmeldung",
    "Result": "Ergebnis",
    "Your workshops": "Ihre Workshops",
    "The course material is in your home folder:": "Das Kursmaterial liegt in Ihrem Home-Ordner:",
    "Open it in JupyterLab": "In JupyterLab öffnen",
    "Your work was checked.": "Ihre Lösungen wurden geprüft.",
    "Courses are taken in the trainee role; you can read them here.": (
        "Kurse werden in der Rolle Teilnehmende belegt; hier können Sie sie ansehen."
    ),
    "New workshop": "Neuer Workshop",
    "Title": "Titel",
    "Course": "Kurs",
    "Starts": "Beginn",
    "Ends": "Ende",
    "Temporary accounts": "Temporäre Konten",
    "Enrol existing trainees (account names)": "Bestehende Teilnehmende aufnehmen (Kontonamen)",
    "Create the workshop": "Workshop anlegen",
    "You run no workshops yet.": "Sie leiten noch keine Workshops.",
    "State": "Status",
    "Participants": "Teilnehmende",
    "Server": "Server",
    "Pre-start": "Vorstart",
    "Pre-start all servers": "Alle Server vorstarten",
    "Collect the work": "Arbeiten einsammeln",
    "Grade": "Bewerten",
    "New passwords": "Neue Passwörter",
    "Tear down": "Abbauen",
    TEARDOWN_QUESTION: (
        "Workshop abbauen? Server, temporäre Konten und ihre Home-Ordner werden entfernt; "
        "eingesammelte Arbeiten und Bewertungen bleiben."
    ),
    "Logins (shown once: download or print them now)": (
        "Zugänge (nur einmal angezeigt: jetzt herunterladen oder drucken)"
    ),
    "Download as CSV": "Als CSV herunterladen",
    "Username": "Benutzername",
    "Password": "Passwort",
    "Results": "Ergebnisse",
    "Points": "Punkte",
    "temporary": "temporär",
    "enrolled": "aufgenommen",
    "ready": "bereit",
    "active": "aktiv",
    "starting": "startet",
    "stuck": "hängt",
    "stopped": "gestoppt",
    "gone": "entfernt",
    "Done:": "Erledigt:",
    "The workshop was not created": "Der Workshop wurde nicht angelegt",
    "This page refreshes every 5 seconds while servers start.": (
        "Diese Seite aktualisiert sich alle 5 Sekunden, solange Server starten."
    ),
    "Back to my workshops": "Zurück zu meinen Workshops",
}

#: Server states in the live view and their Bootstrap colour.
STATUS_COLOURS = {
    "ready": "success",
    "active": "primary",
    "starting": "warning",
    "stuck": "danger",
    "stopped": "secondary",
    "gone": "secondary",
}


def csv_href(text: str) -> str:
    """A data: URL for a CSV download that needs no second request (logins are shown once
    and never stored)."""
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode()).decode()
