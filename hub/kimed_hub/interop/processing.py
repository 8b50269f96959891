"""Check and flatten a chunk of resources: the work each import worker does.

Runs in worker processes (or inline with one worker), so it takes and returns only
picklable values: the chunk's items in, per resource type an Arrow table of rows plus the
problems and the references to resolve out.

What is checked (``rules``, ``tables``): every resource is JSON, a supported type with a
FHIR id, meets the MII key constraints (required elements, codings from the allowed
systems with well-formed codes, Patient/<id> subjects, consent provisions), and every
value the tables keep has its FHIR format and type (dates and dateTimes as FHIR writes
them, numbers, strings, booleans). The full FHIR R4 structure check with
``fhir.resources`` (every element, also those the tables do not keep) runs on every
``sample_every``-th resource of a chunk (1: all; the importer's default is
:data:`SAMPLE_EVERY`) and on every resource another check refuses, so its message is
FHIR's own. It costs about 80 % of the time per resource.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow as pa

from .reading import Item
from .rules import MAX_REASONS, basic_problems, mii_problems, structure_problems
from .tables import SCHEMAS, ref_id, row_problems, rows_of

#: The importer's default: the full FHIR structure check on 1 resource in this many.
SAMPLE_EVERY = 20


@dataclass(frozen=True)
class Problem:
    """A refused resource: where it was, its type and id (if readable) and why."""

    where: str
    resource_type: str | None
    resource_id: str | None
    reason: str

    def __str__(self) -> str:
        who = f"{self.resource_type or '?'}/{self.resource_id or '?'}"
        return f"{self.where} {who}: {self.reason}"


@dataclass
class Processed:
    """What one chunk gave: tables by resource type, problems, and references."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: (resource type, id, patient id referenced, encounter id referenced)
    refs: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    resources: int = 0


def _parse(item: Item) -> tuple[object, str | None]:
    if item.problem:
        return None, item.problem
    if item.text is None:
        return item.value, None
    try:
        return json.loads(item.text), None
    except json.JSONDecodeError as error:
        return None, f"broken JSON line: {error.msg} (column {error.colno})"


def _encounter_ref(resource: dict) -> str | None:
    key = "context" if resource["resourceType"].startswith("Medication") else "encounter"
    return ref_id(resource.get(key), "Encounter")


def checked(resource: object, full: bool) -> tuple[list[str], list[dict]]:
    """Reasons to refuse ``resource`` (empty: accepted) and its table rows.

    ``full``: FHIR's structure check first, as for every resource before; otherwise only
    when a cheaper check refuses (for FHIR's own message)."""
    found = basic_problems(resource)
    if found:
        return found, []
    if full and (found := structure_problems(resource)):
        return found[:MAX_REASONS], []
    try:
        found = mii_problems(resource)
        rows = [] if found else rows_of(resource)
        found = found or row_problems(resource["resourceType"], rows)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as error:
        # A shape the MII checks and the tables cannot read (a list for an object, ...).
        found = [f"FHIR R4: {resource['resourceType']}: malformed element ({error})"]
    if found and not full:
        found = structure_problems(resource) or found
    return (found[:MAX_REASONS], []) if found else ([], rows)


def process_chunk(items: list[Item], sample_every: int = 1) -> Processed:
    """Validate every item; rows for the accepted ones, a Problem for each refused one.
    The full FHIR structure check runs on every ``sample_every``-th item (1: all)."""
    out, rows = Processed(), defaultdict(list)
    for index, item in enumerate(items):
        out.resources += 1
        resource, broken = _parse(item)
        reasons, found_rows = (
            ([broken], []) if broken else checked(resource, index % sample_every == 0)
        )
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        ident = resource.get("id") if isinstance(resource, dict) else None
        if reasons:
            ident = ident if isinstance(ident, str) else None
            out.problems.append(Problem(item.where, kind, ident, "; ".join(reasons)))
            continue
        rows[kind].extend(found_rows)
        subject = resource.get("patient" if kind == "Consent" else "subject")
        out.refs.append((kind, ident, ref_id(subject, "Patient"), _encounter_ref(resource)))
    out.tables = {k: pa.Table.from_pylist(v, SCHEMAS[k]) for k, v in rows.items()}
    return out
