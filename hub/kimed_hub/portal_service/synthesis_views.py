"""Words of the synthesis pages in German (merged into ``page_views.GERMAN``)."""

from __future__ import annotations

GERMAN = {
    "Synthetic versions": "Synthetische Versionen",
    "Synthesis jobs": "Syntheseaufträge",
    "New synthesis job": "Neuer Syntheseauftrag",
    "Start a job": "Auftrag starten",
    "Job": "Auftrag",
    "Dataset": "Datensatz",
    "Table": "Tabelle",
    "Method": "Verfahren",
    "Target column (optional)": "Zielspalte (optional)",
    "Target": "Zielspalte",
    "Seed": "Startwert (Seed)",
    "State": "Status",
    "Last change": "Letzte Änderung",
    "You have no synthesis jobs yet.": "Sie haben noch keine Syntheseaufträge.",
    "A synthesis job generates a synthetic version of a dataset you hold a grant for, inside "
    "a locked container without network. Every synthetic table is measured (fidelity, "
    "utility, privacy risk) against the policy's thresholds; it leaves the workbench only "
    "through the airlock, and once two output checkers release it, it becomes the "
    "dataset's synthetic version in the catalogue.": "Ein Syntheseauftrag erzeugt eine "
    "synthetische Version eines Datensatzes, für den Sie eine Nutzungsfreigabe haben, in "
    "einem abgeschotteten Container ohne Netzwerk. Jede synthetische Tabelle wird gemessen "
    "(Wiedergabetreue, Nützlichkeit, Datenschutzrisiko) und mit den Schwellen der Richtlinie "
    "verglichen; sie verlässt die Workbench nur über die Airlock, und nach Freigabe durch "
    "zwei Output-Prüfer wird sie die synthetische Version des Datensatzes im Katalog.",
    "You hold no active access grant, so there is no dataset to synthesise.": "Sie haben "
    "keine aktive Nutzungsfreigabe, daher gibt es keinen Datensatz zum Synthetisieren.",
    "(the only table)": "(die einzige Tabelle)",
    "Report": "Bericht",
    "Measurements": "Messungen",
    "Dimension": "Dimension",
    "Measurement": "Messung",
    "Value": "Wert",
    "Threshold": "Schwelle",
    "Passed": "Bestanden",
    "yes": "ja",
    "NO": "NEIN",
    "Failed thresholds": "Nicht eingehaltene Schwellen",
    "Why it failed": "Warum er fehlschlug",
    "The container": "Der Container",
    "network": "Netzwerk",
    "read-only root": "Wurzeldateisystem schreibgeschützt",
    "mounts": "Einbindungen",
    "Rows": "Zeilen",
    "real": "echt",
    "synthetic": "synthetisch",
    "Release through the airlock": "Freigabe über die Airlock",
    "Justification for the output checkers": "Begründung für die Output-Prüfer",
    "Submit for release": "Zur Freigabe einreichen",
    "This table failed a threshold of the policy and can never be released.": "Diese "
    "Tabelle hat eine Schwelle der Richtlinie nicht eingehalten und kann nie freigegeben "
    "werden.",
    "Export request": "Exportantrag",
    "Synthetic version in the catalogue": "Synthetische Version im Katalog",
    "The job is waiting or running; reload this page to see its outcome.": "Der Auftrag "
    "wartet oder läuft; laden Sie die Seite neu, um das Ergebnis zu sehen.",
    "Full report": "Vollständiger Bericht",
    "fidelity": "Wiedergabetreue",
    "utility": "Nützlichkeit",
    "privacy": "Datenschutz",
    "QUEUED": "WARTEND",
    "RUNNING": "LÄUFT",
    "PASSED": "BESTANDEN",
    "FAILED_CHECKS": "SCHWELLEN NICHT EINGEHALTEN",
    "FAILED": "FEHLGESCHLAGEN",
    "SUBMITTED_FOR_RELEASE": "ZUR FREIGABE EINGEREICHT",
    "SUPERSEDED": "ABGELÖST",
}
