"""A released synthetic table becomes the dataset's synthetic version: its catalogue
record and its data folder.

The record is the source's record, changed where a synthetic version differs: typed
``SYNTHETIC_DATA``, public, ``derived_from`` the source (``prov:wasDerivedFrom``), the
generator (method, version, seed, table, target) as ``prov:wasGeneratedBy``, its rows,
and every measurement of the engine's report as a quality annotation naming its metric
(exported as a ``dqv:QualityMeasurement``, :mod:`kimed_hub.catalogue.rdf_records`).

The data folder ``<dataset root>/<identifier>`` holds the table under the source
table's own name (code written on it runs unchanged on the real data), a README and
a marker (:data:`MARKER`) saying which job and export request it came from; ``kimed
up`` leaves a folder with that marker alone. A new version is staged beside the folder
and renamed into place; the folder it replaces is kept under ``.synthesis-superseded/``
(servers started before still have it mounted).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from ..airlock.storage import copy_durably, fsync_dir
from ..catalogue.model import (
    IDENTIFIER_RE,
    SYNTHETIC,
    Dataset,
    Generator,
    LangText,
    QualityAnnotation,
)
from .model import SynthesisJob

#: In a synthetic version's data folder: where it came from (JSON).
MARKER = ".kimed-synthesis.json"
SUPERSEDED = ".synthesis-superseded"


def synthetic_identifier(existing: list[str], source: str, suffix: str) -> str:
    """The synthetic version's identifier: the one the catalogue already has for this
    source, else ``<source><suffix>`` (shortened to a valid identifier)."""
    if existing:
        return existing[0]
    stem = source[: 80 - len(suffix)].rstrip("-")
    identifier = f"{stem}{suffix}"
    if not IDENTIFIER_RE.match(identifier):
        raise ValueError(f"{identifier!r} is not a valid identifier; fix identifier_suffix")
    return identifier


def synthetic_record(
    source: Dataset, identifier: str, job: SynthesisJob, export_request: str
) -> Dataset:
    """The catalogue record of ``job``'s released table (see the module's docstring)."""
    report = job.report or {}
    method = f"{report.get('method', job.method)} {report.get('method_version', '')}".strip()
    today = datetime.now(UTC).date()
    note_de = (
        f"SYNTHETISCH – nicht für Inferenz. Synthetische Version von „{source.title.de}“, "
        f"erzeugt in der Workbench mit {method} aus der Tabelle {job.table} "
        f"({job.job_id}), nach Output-Prüfung freigegeben ({export_request})."
    )
    note_en = (
        f'SYNTHETIC – not for inference. Synthetic version of "{source.title.en}", '
        f"generated inside the workbench with {method} from the table {job.table} "
        f"({job.job_id}), released after output checking ({export_request})."
    )
    return replace(
        source,
        identifier=identifier,
        title=LangText(f"{source.title.de} – synthetisch", f"{source.title.en} – synthetic"),
        description=LangText(note_de, note_en),
        provenance=LangText(note_de, note_en),
        dataset_types=[SYNTHETIC],
        access_rights="PUBLIC",
        derived_from=source.identifier,
        generator=Generator(
            name=str(report.get("method", job.method))[:200],
            version=str(report.get("method_version", ""))[:60],
            seed=job.seed,
            parameters=json.dumps(
                {"table": job.table, "target": job.target, "job": job.job_id}, sort_keys=True
            ),
        ),
        quality=measurements(report),
        # Each synthetic row is a synthetic person (as the demo's synthetic versions say).
        number_of_records=report.get("rows_synthetic"),
        number_of_individuals=report.get("rows_synthetic"),
        population_coverage=LangText(
            "Synthetische Personen; keine realen Personen.",
            "Synthetic persons; no real individuals.",
        ),
        version=job.job_id,
        issued=today,
        modified=today,
        samples=[],
    )


def measurements(report: dict) -> list[QualityAnnotation]:
    """Each measurement of the report as a quality annotation naming its metric."""
    found = []
    for m in report.get("measurements", []):
        value = m.get("value")
        if not isinstance(value, int | float) or value != value:  # NaN: not measured
            continue
        bound = {"max": "≤", "min": "≥"}.get(m.get("direction") or "", "")
        limit = f"; threshold {bound} {m['threshold']:g}" if m.get("threshold") is not None else ""
        verdict = {True: "; passed", False: "; FAILED"}.get(m.get("passed"), "")
        note = f"{m.get('label_en', m['id'])}: {value:.4g}{limit}{verdict}"
        found.append(QualityAnnotation(m["dimension"], note[:2000], float(value), metric=m["id"]))
    return found


def publish_data(
    root: Path, identifier: str, table: str, released: Path, readme: str, marker: dict
) -> Path:
    """Make ``released`` the data of ``identifier``: a new folder staged beside the old
    one, renamed into place; the old one moved under :data:`SUPERSEDED`."""
    staged = root / f".synthesis-staging-{identifier}-{os.getpid()}"
    shutil.rmtree(staged, ignore_errors=True)
    target = staged / Path(table).name
    staged.mkdir(parents=True)
    copy_durably(released, target)
    (staged / "README.txt").write_text(readme, encoding="utf-8")
    (staged / MARKER).write_text(json.dumps(marker, sort_keys=True, indent=2), encoding="utf-8")
    for path in (staged, target, staged / "README.txt", staged / MARKER):
        os.chmod(path, 0o755 if path.is_dir() else 0o444)
    fsync_dir(staged)
    final = root / identifier
    if final.exists():
        keep = root / SUPERSEDED
        keep.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        os.rename(final, keep / f"{identifier}-{stamp}")
    os.rename(staged, final)
    fsync_dir(root)
    return final


def readme(record: Dataset, job: SynthesisJob, export_request: str) -> str:
    """The README beside the synthetic table."""
    return (
        f"{record.title.en}\n\n{record.description.en}\n\n"
        f"Released {date.today().isoformat()} through the airlock ({export_request}); "
        f"catalogue record {record.identifier}.\n"
    )


def is_released_synthetic(folder: Path) -> bool:
    """Whether ``folder`` holds a released synthetic version (``kimed up`` keeps it)."""
    return (folder / MARKER).is_file()
