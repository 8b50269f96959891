"""Check and flatten a share of resources: the work each import worker does.

Runs in worker processes (or inline with one worker), so it takes and returns only
picklable values: an NDJSON slice or a chunk of bundle entries in; per resource type an
Arrow table and its CSV text, the problems and the references to resolve out.

What is checked (``rules``, ``tables``): every resource is JSON, a supported type with a
FHIR id, meets the MII key constraints (required elements, codings from the allowed
systems with well-formed codes, Patient/<id> subjects, consent provisions), and every
value the tables keep has its FHIR format and type (dates and dateTimes as FHIR writes
them, numbers, strings, booleans). The full FHIR R4 structure check with
``fhir.resources`` (every element, also those the tables do not keep) runs on every
``sample_every``-th resource of a chunk (1: all; the importer's default is
:data:`SAMPLE_EVERY`) and on every resource another check refuses, so its message is
FHIR's own. It costs about 80 % of the time per resource.

A worker also does what the tables need from its share (``process_task``: an NDJSON
``Slice`` it reads itself, or a chunk of bundle entries): the Arrow tables for the
Parquet files and their CSV text, and per resource type the ids and the references the
importer resolves across the whole import. Values are put into Arrow columns directly
(Arrow refuses a wrong JSON type in a column); only a chunk with such a value is checked
again resource by resource, to name the resource and the column.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.csv as pacsv

from .reading import Item, Slice
from .rules import (
    MAX_REASONS,
    NOTICED,
    basic_problems,
    mii_problems,
    notices,
    structure_problems,
)
from .table_files import csv_form
from .tables import FLOAT_COLUMNS, SCHEMAS, medication_ref, ref_id, row_problems, rows_of

#: The importer's default: the full FHIR structure check on 1 resource in this many.
SAMPLE_EVERY = 20
_NO_HEADER = pacsv.WriteOptions(include_header=False)


@dataclass(frozen=True)
class Problem:
    """A refused resource: where it was, its type and id (if readable) and why. A
    worker gives a slice's line number as ``where`` (int); the importer names the file."""

    where: str | int
    resource_type: str | None
    resource_id: str | None
    reason: str

    def __str__(self) -> str:
        who = f"{self.resource_type or '?'}/{self.resource_id or '?'}"
        return f"{self.where} {who}: {self.reason}"


@dataclass
class Refs:
    """One resource type's ids in input order, with the patient, encounter and
    Medication resource each references (None: none)."""

    ids: list[str] = field(default_factory=list)
    patients: list[str | None] = field(default_factory=list)
    encounters: list[str | None] = field(default_factory=list)
    medications: list[str | None] = field(default_factory=list)


@dataclass
class Processed:
    """What one share gave: tables (Arrow, and CSV text without header) by resource
    type, problems, notices (accepted, but analyses will miss something: ``rules.
    notices``), the references, and how many resources and lines it held."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    csv: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    refs: dict[str, Refs] = field(default_factory=dict)
    resources: int = 0
    lines: int = 0  # an NDJSON slice's lines, blank ones included


def _parse(text: str | None, value: object, problem: str | None) -> tuple[object, str | None]:
    if problem:
        return None, problem
    if text is None:
        return value, None
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, f"broken JSON line: {error.msg} (column {error.colno})"


def _encounter_ref(resource: dict) -> str | None:
    key = "context" if resource["resourceType"].startswith("Medication") else "encounter"
    return ref_id(resource.get(key), "Encounter")


def checked(resource: object, full: bool, strict: bool = True) -> tuple[list[str], list[dict]]:
    """Reasons to refuse ``resource`` (empty: accepted) and its table rows.

    ``full``: FHIR's structure check first, as for every resource before; otherwise only
    when a cheaper check refuses (for FHIR's own message). ``strict``: also check each
    kept value's JSON type here (else Arrow does it for the whole chunk)."""
    found = basic_problems(resource)
    if found:
        return found, []
    if full and (found := structure_problems(resource)):
        return found[:MAX_REASONS], []
    try:
        found = mii_problems(resource)
        rows = [] if found else rows_of(resource)
        if strict and not found:
            found = row_problems(resource["resourceType"], rows)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as error:
        # A shape the MII checks and the tables cannot read (a list for an object, ...).
        found = [f"FHIR R4: {resource['resourceType']}: malformed element ({error})"]
    if found and not full:
        found = structure_problems(resource) or found
    return (found[:MAX_REASONS], []) if found else ([], rows)


def _run(entries: list, sample_every: int, strict: bool) -> tuple[Processed, dict]:
    """Check every entry (where, text, value, problem); the result and rows by type."""
    out, rows = Processed(), defaultdict(list)
    for index, (where, text, value, problem) in enumerate(entries):
        out.resources += 1
        resource, broken = _parse(text, value, problem)
        full = index % sample_every == 0
        reasons, found = ([broken], []) if broken else checked(resource, full, strict)
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        ident = resource.get("id") if isinstance(resource, dict) else None
        if reasons:
            ident = ident if isinstance(ident, str) else None
            out.problems.append(Problem(where, kind, ident, "; ".join(reasons)))
            continue
        rows[kind].extend(found)
        if kind in NOTICED:
            out.notices += [Problem(where, kind, ident, n) for n in notices(resource, found)]
        refs = out.refs.get(kind) or out.refs.setdefault(kind, Refs())
        refs.ids.append(ident)
        refs.patients.append(
            ref_id(resource.get("patient" if kind == "Consent" else "subject"), "Patient")
        )
        refs.encounters.append(_encounter_ref(resource))
        refs.medications.append(medication_ref(resource) if kind in NOTICED else None)
    return out, rows


def _tables(rows: dict) -> dict[str, pa.Table] | None:
    """Arrow tables of the rows; None when a value does not fit its column."""
    tables = {}
    for kind, kept in rows.items():
        if any(type(r[c]) is bool for c in FLOAT_COLUMNS[kind] for r in kept):
            return None  # Arrow would read true as 1.0
        try:
            tables[kind] = pa.Table.from_pylist(kept, SCHEMAS[kind])
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            return None
    return tables


def _csv_text(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(csv_form(table), sink, _NO_HEADER)
    return sink.getvalue().to_pybytes()


def _process(entries: list, sample_every: int) -> Processed:
    gc.disable()  # parsed JSON makes no cycles; the collector only rescans the chunk
    try:
        out, rows = _run(entries, sample_every, strict=False)
        tables = _tables(rows)
        if tables is None:  # a value of a wrong type: find it, resource by resource
            out, rows = _run(entries, sample_every, strict=True)
            tables = {k: pa.Table.from_pylist(v, SCHEMAS[k]) for k, v in rows.items()}
    finally:
        gc.enable()
    out.tables = tables
    out.csv = {kind: _csv_text(table) for kind, table in tables.items()}
    return out


def process_chunk(items: list[Item], sample_every: int = 1) -> Processed:
    """Validate every item; rows for the accepted ones, a Problem for each refused one.
    The full FHIR structure check runs on every ``sample_every``-th item (1: all)."""
    return _process([(i.where, i.text, i.value, i.problem) for i in items], sample_every)


def process_task(task: Slice | list[Item], sample_every: int = 1) -> Processed:
    """``process_chunk`` for a chunk of items, or for an NDJSON slice read here (problems
    then carry the line number within the slice)."""
    if not isinstance(task, Slice):
        return process_chunk(task, sample_every)
    count, lines = task.read()
    out = _process([(n, text, None, problem) for n, text, problem in lines], sample_every)
    out.lines = count
    return out
