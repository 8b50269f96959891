"""FHIR import: MII core-dataset resources into a dataset's analysis-ready tables.

    result = import_fhir(Path("export/"), "mii-demo")       # NDJSON folder or bundle(s)

Reads the source streaming (``reading``), checks every resource in chunks
(``processing``: FHIR R4 structure with ``fhir.resources``, MII key constraints), and
writes the tables (``table_files``) into a staging folder beside the dataset's folder
(``<dataset root>/<dataset>``). References to patients and encounters must resolve within
the import. Any refused resource fails the whole import with every problem listed by
origin, type, id and reason; the staging folder is removed and the dataset's folder is
left as it was. Otherwise the staging folder replaces the dataset's folder by rename.
An import whose result equals what is there already changes nothing (``changed`` False).

With ``workers`` > 1 the chunks are checked in that many processes; at most
``2 * workers`` chunks are in flight, so memory stays bounded whatever the input's size.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from tqdm import tqdm

from ..paths import dataset_root
from .processing import SAMPLE_EVERY, Problem, Processed, process_chunk
from .reading import Item, read_items, source_files
from .table_files import (
    FORMAT,
    MANIFEST,
    open_sinks,
    read_manifest,
    sha256,
    table_summary,
    write_manifest,
)
from .tables import TABLE_NAMES

CHUNK = 2_000
SHOWN_PROBLEMS = 20
KEPT_PROBLEMS = 1_000


class ImportFailed(Exception):
    """Resources were refused; nothing was written. ``problems`` lists them (the first
    ``KEPT_PROBLEMS``), ``total`` counts them all."""

    def __init__(self, source: Path, problems: list[Problem], total: int):
        self.problems, self.total = problems, total
        lines = "\n".join(f"  {p}" for p in problems[:SHOWN_PROBLEMS])
        more = f"\n  ... and {total - SHOWN_PROBLEMS} more" if total > SHOWN_PROBLEMS else ""
        super().__init__(
            f"{source}: {total} resource(s) refused, nothing was imported:\n{lines}{more}\n"
            "Fix or remove these resources at the source and import again."
        )


@dataclass
class ImportResult:
    """A finished import: where the tables are and what they hold."""

    dataset: str
    folder: Path
    changed: bool
    manifest: dict
    skipped_files: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {name: t["rows"] for name, t in self.manifest["tables"].items()}


@dataclass
class _Tally:
    """References and problems gathered across chunks."""

    patients: set[str] = field(default_factory=set)
    encounters: set[str] = field(default_factory=set)
    waiting_patient: dict[str, tuple[str, str]] = field(default_factory=dict)
    waiting_encounter: dict[str, tuple[str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    resources: Counter = field(default_factory=Counter)
    seen: dict[str, set[str]] = field(default_factory=dict)

    def problem(self, problem: Problem) -> None:
        self.total_problems += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(problem)

    def add(self, done: Processed) -> None:
        for problem in done.problems:
            self.problem(problem)
        for kind, ident, patient, encounter in done.refs:
            self._note(kind, ident, patient, encounter)

    def _note(self, kind: str, ident: str, patient: str | None, encounter: str | None) -> None:
        ids = self.seen.setdefault(kind, set())
        if ident in ids:
            self.problem(Problem("(input)", kind, ident, "duplicate id within the import"))
        ids.add(ident)
        self.resources[kind] += 1
        if kind == "Patient":
            self.patients.add(ident)
        elif patient is not None and patient not in self.patients:
            self.waiting_patient.setdefault(patient, (kind, ident))
        if kind == "Encounter":
            self.encounters.add(ident)
        if encounter is not None and encounter not in self.encounters:
            self.waiting_encounter.setdefault(encounter, (kind, ident))

    def unresolved(self) -> None:
        """Problems for references that no resource of the import answered."""
        for target, (kind, ident) in sorted(self.waiting_patient.items()):
            if target not in self.patients:
                self.problem(
                    Problem(
                        "(references)",
                        kind,
                        ident,
                        f"subject Patient/{target} is not in the import",
                    )
                )
        for target, (kind, ident) in sorted(self.waiting_encounter.items()):
            if target not in self.encounters:
                self.problem(
                    Problem("(references)", kind, ident, f"Encounter/{target} is not in the import")
                )


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _processed(chunks: Iterator[list[Item]], workers: int, every: int) -> Iterator[Processed]:
    """Each chunk's result, in input order, with at most ``2 * workers`` in flight."""
    if workers <= 1:
        yield from (process_chunk(chunk, every) for chunk in chunks)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        flight: deque = deque()
        for chunk in chunks:
            flight.append(pool.submit(process_chunk, chunk, every))
            if len(flight) >= 2 * workers:
                yield flight.popleft().result()
        while flight:
            yield flight.popleft().result()


def _write_tables(files: list[Path], staging: Path, workers: int, progress: bool, every: int):
    """Check everything and write the tables; the tally and the (closed) sinks."""
    tally, sinks = _Tally(), open_sinks(staging)
    try:
        with tqdm(desc="resources", unit="res", disable=not progress) as bar:
            for done in _processed(_chunks(read_items(files)), workers, every):
                tally.add(done)
                if not tally.total_problems:  # once anything is refused, only check on
                    for kind, table in done.tables.items():
                        sinks[kind].add(table)
                bar.update(done.resources)
    finally:
        for sink in sinks.values():
            sink.close()
    tally.unresolved()
    return tally, sinks


def _manifest(dataset: str, files: list[Path], tally: _Tally, sinks: dict) -> dict:
    tables = {
        TABLE_NAMES[kind]: table_summary(sink, tally.resources[kind])
        for kind, sink in sinks.items()
    }
    starts = [t["time_range"][0] for t in tables.values() if t.get("time_range", [None])[0]]
    ends = [t["time_range"][1] for t in tables.values() if t.get("time_range", [None, None])[1]]
    return {
        "format": FORMAT,
        "dataset": dataset,
        "patients": len(tally.patients),
        "resources": sum(tally.resources.values()),
        "temporal": {"start": min(starts, default=None), "end": max(ends, default=None)},
        "tables": tables,
        "sources": [
            {"name": p.name, "bytes": p.stat().st_size, "sha256": sha256(p)} for p in files
        ],
    }


def _check_target(folder: Path) -> None:
    """Refuse to replace a folder that this importer did not write."""
    if folder.exists() and any(folder.iterdir()) and read_manifest(folder) is None:
        raise FileExistsError(
            f"{folder} holds files that no FHIR import wrote (no {MANIFEST}); an import "
            "replaces the whole folder, so move those files away or choose another dataset"
        )


def _publish(staging: Path, folder: Path) -> None:
    """Make the staging folder the dataset's folder (read-only files), by rename."""
    for path in staging.iterdir():
        path.chmod(0o444)
    staging.chmod(0o755)
    old = folder.with_name(f".{folder.name}-replaced-{staging.name}") if folder.exists() else None
    if old is not None:
        folder.rename(old)
    staging.rename(folder)
    if old is not None:
        shutil.rmtree(old)


def import_fhir(
    source: Path,
    dataset: str,
    root: Path | None = None,
    workers: int = 1,
    progress: bool = True,
    validate_all: bool = False,
) -> ImportResult:
    """Import ``source`` (an NDJSON folder, a bundle or a folder of bundles) as the tables
    of ``dataset`` under ``root`` (default: the workbench's dataset root). The full FHIR
    structure check runs on every resource with ``validate_all``, else on 1 in
    ``processing.SAMPLE_EVERY`` and on every resource another check refuses (what each
    check covers: ``processing``).

    Raises :class:`ImportFailed` (nothing written) when any resource is refused,
    ``FileNotFoundError`` for a missing source, ``ValueError`` for a bad dataset id.
    """
    from ..catalogue.model import check_identifier  # the catalogue's rule for folder names

    if check_identifier(dataset):
        raise ValueError(f"dataset {dataset!r}: {check_identifier(dataset)[0].message}")
    folder = Path(root or dataset_root()) / dataset
    files, skipped = source_files(Path(source))
    _check_target(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dataset}-import-", dir=folder.parent))
    try:
        every = 1 if validate_all else SAMPLE_EVERY
        return _import_into(
            source, dataset, files, skipped, staging, folder, workers, progress, every
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _import_into(source, dataset, files, skipped, staging, folder, workers, progress, every):
    """Write, check, and publish unless refused or unchanged."""
    tally, sinks = _write_tables(files, staging, workers, progress, every)
    if tally.total_problems:
        raise ImportFailed(Path(source), tally.problems, tally.total_problems)
    manifest = _manifest(dataset, files, tally, sinks)
    write_manifest(staging, manifest)
    if read_manifest(folder) == manifest:
        return ImportResult(dataset, folder, False, manifest, [p.name for p in skipped])
    _publish(staging, folder)
    return ImportResult(dataset, folder, True, manifest, [p.name for p in skipped])
