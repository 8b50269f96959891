"""FHIR import: MII core-dataset resources into a dataset's analysis-ready tables.

    result = import_fhir(Path("export/"), "mii-demo")       # NDJSON folder or bundle(s)

Reads the source streaming (``reading``), checks every resource in shares
(``processing``: FHIR R4 structure with ``fhir.resources``, MII key constraints), and
writes the tables (``table_files``) into a staging folder beside the dataset's folder
(``<dataset root>/<dataset>``). References to patients, encounters and Medication
resources must resolve within the import (a Medication's codes then fill the rows of the
statements that name it: ``medication_refs``). Any refused resource fails the whole
import with every problem listed by origin, type, id and reason; the staging folder is
removed and the dataset's folder is left as it was. Accepted resources that analyses
will partly miss (a drug without an ATC coding) are listed as notices in the result and
the manifest. Otherwise the staging folder replaces the dataset's folder by rename.
An import whose result equals what is there already changes nothing (``changed`` False).

With ``workers`` > 1 the shares (NDJSON byte slices that each worker reads itself, or
chunks of bundle entries) are checked and made into table rows and CSV text in that many
processes; the parent only resolves references, appends the CSV text and writes the
Parquet row groups. At most ``2 * workers`` shares are in flight, so memory stays
bounded whatever the input's size.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

from tqdm import tqdm

from ..paths import dataset_root
from .medication_refs import fill_codes
from .processing import SAMPLE_EVERY, Problem, Processed, Refs, process_task
from .reading import Item, Slice, bundle_items, slices, source_files
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
KEPT_NOTICES = 100
#: References resolved across the import: (Refs field, target type, message).
TARGETS = (
    ("patients", "Patient", "subject Patient/{} is not in the import"),
    ("encounters", "Encounter", "Encounter/{} is not in the import"),
    (
        "medications",
        "Medication",
        "medicationReference Medication/{} is not in the import: no Medication resource "
        "with this id in any file or bundle of the export; export the Medication resources "
        "(Medication.ndjson) with the statements",
    ),
)


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

    @property
    def notices(self) -> list[str]:
        """Accepted resources that analyses will partly miss (the first ``KEPT_NOTICES``;
        ``manifest["notice_count"]`` counts them all)."""
        return self.manifest["notices"]


def _known() -> dict[str, set[str]]:
    return {kind: set() for _, kind, _ in TARGETS}


def _waiting() -> dict[str, dict[str, tuple[str, str]]]:
    return {kind: {} for _, kind, _ in TARGETS}


@dataclass
class _Tally:
    """References, problems and notices gathered across chunks."""

    known: dict[str, set[str]] = field(default_factory=_known)
    waiting: dict[str, dict[str, tuple[str, str]]] = field(default_factory=_waiting)
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    notices: list[Problem] = field(default_factory=list)
    total_notices: int = 0
    resources: Counter = field(default_factory=Counter)
    referenced: Counter = field(default_factory=Counter)  # rows naming a Medication
    seen: dict[str, set[str]] = field(default_factory=dict)

    @property
    def patients(self) -> set[str]:
        return self.known["Patient"]

    def problem(self, problem: Problem) -> None:
        self.total_problems += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(problem)

    def add(self, done: Processed) -> None:
        for problem in done.problems:
            self.problem(problem)
        self.total_notices += len(done.notices)
        self.notices.extend(done.notices[: max(0, KEPT_NOTICES - len(self.notices))])
        for kind, refs in done.refs.items():
            self._note(kind, refs)

    def _note(self, kind: str, refs: Refs) -> None:
        """Whole lists at a time (set operations); resource by resource only to name a
        duplicate or the first resource waiting for a reference."""
        ids, new = self.seen.setdefault(kind, set()), set(refs.ids)
        if len(new) != len(refs.ids) or not new.isdisjoint(ids):
            here: set[str] = set()
            for ident in refs.ids:
                if ident in ids or ident in here:
                    self.problem(Problem("(input)", kind, ident, "duplicate id within the import"))
                here.add(ident)
        ids |= new
        self.resources[kind] += len(refs.ids)
        if kind in self.known:
            self.known[kind] |= new
        for name, target, _ in TARGETS:
            targets = getattr(refs, name)
            if missing := set(targets) - self.known[target] - {None}:
                for ident, wanted in zip(refs.ids, targets, strict=True):
                    if wanted in missing:
                        self.waiting[target].setdefault(wanted, (kind, ident))
        if named := len(refs.medications) - refs.medications.count(None):
            self.referenced[kind] += named

    def unresolved(self) -> None:
        """Problems for references that no resource of the import answered."""
        for _, target, message in TARGETS:
            for wanted, (kind, ident) in sorted(self.waiting[target].items()):
                if wanted not in self.known[target]:
                    self.problem(Problem("(references)", kind, ident, message.format(wanted)))


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _tasks(files: list[Path]) -> Iterator[Slice | list[Item]]:
    """Each worker's share, in input order: NDJSON slices, chunks of bundle entries."""
    for path in files:
        if path.suffix == ".ndjson":
            yield from slices(path)
        else:
            yield from _chunks(bundle_items(path))


def _processed(tasks: Iterator, workers: int, every: int) -> Iterator[tuple[object, Processed]]:
    """Each share with its result, in input order, at most ``2 * workers`` in flight."""
    if workers <= 1:
        yield from ((task, process_task(task, every)) for task in tasks)
        return
    context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        flight: deque = deque()
        for task in tasks:
            flight.append((task, pool.submit(process_task, task, every)))
            if len(flight) >= 2 * workers:
                task, future = flight.popleft()
                yield task, future.result()
        while flight:
            task, future = flight.popleft()
            yield task, future.result()


def _located(task: object, done: Processed, lines: Counter) -> Processed:
    """Problems and notices of an NDJSON slice named by file and line (slices come in order)."""
    if isinstance(task, Slice):
        offset = lines[task.path]
        lines[task.path] += done.lines
        for name in ("problems", "notices"):
            found = [
                replace(p, where=f"{task.path.name}:{offset + p.where}")
                for p in getattr(done, name)
            ]
            setattr(done, name, found)
    return done


def _write_tables(files: list[Path], staging: Path, workers: int, progress: bool, every: int):
    """Check everything and write the tables; the tally and the (closed) sinks."""
    tally, sinks, lines = _Tally(), open_sinks(staging), Counter()
    try:
        with tqdm(desc="resources", unit="res", disable=not progress) as bar:
            for task, done in _processed(_tasks(files), workers, every):
                tally.add(_located(task, done, lines))
                if not tally.total_problems:  # once anything is refused, only check on
                    for kind, table in done.tables.items():
                        sinks[kind].add(table, done.csv[kind])
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
        "medications": tally.resources["Medication"],  # resolved into the statements
        "notices": [str(notice) for notice in tally.notices],
        "notice_count": tally.total_notices,
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
    fill_codes(sinks, tally.referenced)  # and drops the Medication lookup from sinks
    manifest = _manifest(dataset, files, tally, sinks)
    write_manifest(staging, manifest)
    if read_manifest(folder) == manifest:
        return ImportResult(dataset, folder, False, manifest, [p.name for p in skipped])
    _publish(staging, folder)
    return ImportResult(dataset, folder, True, manifest, [p.name for p in skipped])
