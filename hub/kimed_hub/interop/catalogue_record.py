"""The catalogue record follows the data: HealthDCAT-AP fields derived from an import.

From an import's manifest and tables: number of individuals and of records, temporal
coverage, typical ages, coding systems (catalogue vocabulary codes), the FHIR standard, and
the data dictionary as CSVW columns (``<table>.<column>``; a code column names its code
system as ``propertyUrl``). These fields are marked as generated in the provenance
statement. A record that exists keeps everything else a steward wrote (title, custodian,
access body, ...); a dataset without a record gets a complete new one with fictional-demo
defaults for the fields no import can know, for a steward to edit.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from kimed_demos.phenotype.codes import CATALOGUE_CODING_SYSTEMS, UCUM

GENERATED_NOTE = (
    "Anzahl Personen und Datensätze, Zeitraum, Alter, Kodiersysteme und Variablen wurden "
    "automatisch aus dem FHIR-Import erzeugt (manifest.json, {sha}).",
    "Number of individuals and records, temporal coverage, ages, coding systems and "
    "variables were generated automatically from the FHIR import (manifest.json, {sha}).",
)
CSVW_TYPES = {"string": "string", "double": "double", "bool": "boolean", "date32[day]": "date"}


def _csvw_type(arrow_type: str) -> str:
    return (
        "dateTime" if arrow_type.startswith("timestamp") else CSVW_TYPES.get(arrow_type, "string")
    )


#: What the columns that need more than their name say in the data dictionary.
NOTES = {
    "code_system_original": " The code-system URI as written in the export, where "
    "policies/fhir-code-systems.yaml normalised it to code_system (else empty).",
    "medication_id": " The Medication resource the row's drug code came from (empty "
    "when the statement coded the drug itself).",
}


def variables(manifest: dict) -> list:
    """One CSVW column per table column, code columns with their code system."""
    from ..catalogue.model import Variable

    found = []
    for table, info in sorted(manifest["tables"].items()):
        systems = info.get("code_systems", [])
        for column in info["columns"]:
            name, url, note = column["name"], "", ""
            if name == "code" and systems:
                url = systems[0] if len(systems) == 1 else ""
                note = f" Code systems: {', '.join(systems)}."
            if name == "unit" and info.get("unit_systems"):
                url, note = UCUM, " UCUM unit codes."
            if name in NOTES:
                note = NOTES[name]
            if name == "policy_code":
                note = (
                    " MII broad-consent policy codes (urn:oid:2.16.840.1.113883.3.1937.777.24.5.3)."
                )
            found.append(
                Variable(
                    name=f"{table}.{name}",
                    title=f"{table} {name}",
                    description=f"Column {name} of {info['csv']} / {info['file']}.{note}",
                    datatype=_csvw_type(column["type"]),
                    property_url=url,
                )
            )
    return found


def coding_systems(manifest: dict) -> list[str]:
    """The catalogue's coding-system codes for the systems the tables use."""
    used = set()
    for info in manifest["tables"].values():
        used |= set(info.get("code_systems", [])) | set(info.get("unit_systems", []))
    return sorted({CATALOGUE_CODING_SYSTEMS[s] for s in used if s in CATALOGUE_CODING_SYSTEMS})


def typical_ages(folder: Path, on: date) -> tuple[int, int]:
    """The youngest and oldest patient's age (full years) on ``on``."""
    births = pq.read_table(Path(folder) / "patient.parquet", columns=["birth_date"])["birth_date"]
    low, high = pc.min(births).as_py(), pc.max(births).as_py()
    if low is None:
        return 0, 0
    return max(0, _age(high, on)), max(0, _age(low, on))


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def generated_fields(manifest: dict, folder: Path) -> dict:
    """The record fields an import determines (for ``dataclasses.replace``)."""
    from ..catalogue.model import Period

    temporal = manifest["temporal"]
    start = date.fromisoformat(temporal["start"]) if temporal["start"] else None
    end = date.fromisoformat(temporal["end"]) if temporal["end"] else None
    youngest, oldest = typical_ages(folder, end or date.today())
    return {
        "number_of_individuals": manifest["patients"],
        "number_of_records": manifest["resources"],
        "temporal": Period(start, end),
        "min_age": youngest,
        "max_age": oldest,
        "coding_systems": coding_systems(manifest),
        "variables": variables(manifest),
    }


def _new_record(dataset: str) -> dict:
    """The fields no import can know, for a dataset that has no record yet."""
    from ..catalogue.model import Agent, ContactPoint, Distribution, LangText

    return {
        "identifier": dataset,
        "title": LangText(
            f"MII-Kerndatensatz {dataset} (FHIR-Import)",
            f"MII core dataset {dataset} (FHIR import)",
        ),
        "description": LangText(
            "Daten des MII-Kerndatensatzes (Person, Fall, Diagnose, Prozedur, Labor, "
            "Medikation, Einwilligung) als Tabellen je Ressourcentyp (Parquet und CSV).",
            "MII core dataset data (person, encounter, diagnosis, procedure, lab, "
            "medication, consent) as one table per resource type (Parquet and CSV).",
        ),
        "health_categories": ["EHRS"],
        "keywords": ["MII", "FHIR", "Kerndatensatz", "core dataset"],
        "modalities": ["TABULAR"],
        "publisher": Agent("KIMed Workbench (fiktiv)", "katalog@kimed.example.org"),
        "custodian": Agent("Datenintegrationszentrum (fiktiv)", "diz@kimed.example.org"),
        "access_body": Agent(
            "KIMed Nutzungs- und Zugangskomitee (fiktiv)", "zugang@kimed.example.org"
        ),
        "contact_point": ContactPoint("Datenintegrationszentrum", "diz@kimed.example.org"),
        "population_coverage": LangText(
            "Patientinnen und Patienten mit MII Broad Consent", "Patients with MII broad consent"
        ),
        "spatial": ["DE-SN"],
        "legal_bases": ["GDPR-A9-2-j"],
        "personal_data": ["HealthRecord"],
        "distributions": [
            Distribution(
                "Antrag",
                f"https://kimed.example.org/portal/antrag/{dataset}",
                "PARQUET",
                licence="KIMED-DUA",
            )
        ],
    }


def _provenance(existing, sha: str):
    from ..catalogue.model import LangText

    de, en = (GENERATED_NOTE[0].format(sha=sha), GENERATED_NOTE[1].format(sha=sha))
    if existing is None:
        return LangText(
            f"FHIR-Import (MII-Kerndatensatz). {de}", f"FHIR import (MII core dataset). {en}"
        )
    keep = [
        t.split(GENERATED_NOTE[i][:20])[0].strip()
        for i, t in enumerate((existing.provenance.de, existing.provenance.en))
    ]
    return LangText(f"{keep[0]} {de}".strip(), f"{keep[1]} {en}".strip())


def dataset_record(dataset: str, manifest: dict, folder: Path, existing=None):
    """The catalogue record for an imported dataset: ``existing`` (if any) with the
    import's generated fields replaced, else a complete new record."""
    from ..catalogue.model import Dataset

    sha = manifest_digest(manifest)
    record = existing if existing is not None else Dataset(**_new_record(dataset))
    standards = sorted(set(record.standards) | {"FHIR"})
    return dataclasses.replace(
        record,
        **generated_fields(manifest, folder),
        standards=standards,
        provenance=_provenance(existing, sha),
    )


def manifest_digest(manifest: dict) -> str:
    """A short fingerprint of an import (changes whenever its tables change)."""
    import hashlib
    import json

    text = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def update_catalogue(store, dataset: str, manifest: dict, folder: Path, actor: str) -> int:
    """Create or refresh the dataset's record in ``store`` (a CatalogueStore) from the
    import; returns the record's revision (unchanged when nothing changed)."""
    from ..errors import NotFound

    try:
        existing = store.get_dataset(dataset)
    except NotFound:
        existing = None
    store.put_records([dataset_record(dataset, manifest, folder, existing)], actor=actor)
    return store.dataset_revision(dataset)
