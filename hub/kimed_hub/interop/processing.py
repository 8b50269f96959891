"""Check and flatten a chunk of resources: the work each import worker does.

Runs in worker processes (or inline with one worker), so it takes and returns only
picklable values: the chunk's items in, per resource type an Arrow table of rows plus the
problems and the references to resolve out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow as pa

from .reading import Item
from .rules import problems_of
from .tables import SCHEMAS, ref_id, rows_of


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


def process_chunk(items: list[Item]) -> Processed:
    """Validate every item; rows for the accepted ones, a Problem for each refused one."""
    out, rows = Processed(), defaultdict(list)
    for item in items:
        out.resources += 1
        resource, broken = _parse(item)
        reasons = [broken] if broken else problems_of(resource)
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        ident = resource.get("id") if isinstance(resource, dict) else None
        if reasons:
            ident = ident if isinstance(ident, str) else None
            out.problems.append(Problem(item.where, kind, ident, "; ".join(reasons)))
            continue
        rows[kind].extend(rows_of(resource))
        subject = resource.get("patient" if kind == "Consent" else "subject")
        out.refs.append((kind, ident, ref_id(subject, "Patient"), _encounter_ref(resource)))
    out.tables = {k: pa.Table.from_pylist(v, SCHEMAS[k]) for k, v in rows.items()}
    return out
