"""``kimed portal ...``: the portal's operator commands, and the demo's data folders.

They use the same database as the hub's portal service (``Settings.portal_db_url``:
``KIMED_PORTAL_DB_URL``, else SQLite beside the hub's database), so an operator checks
and loads exactly what the running workbench serves.

The demo data folders exist so that ``./bin/workbench up`` can show a grant end to end:
the spawner mounts ``<dataset root>/<identifier>`` for an ACTIVE grant, and a grant on a
dataset without a folder mounts nothing (``data_grants.py``). Each demo dataset gets a
folder with a README saying it is fictional and, where its record lists variables, a
small generated CSV with those columns. Nothing in them comes from real people.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
from contextlib import closing
from pathlib import Path

from ..access import AccessRequests, Actor, Role
from ..access.grants import GrantsReader
from ..audit import verify_audit_log
from ..catalogue import CatalogueStore, Dataset, load_demo_catalogue
from ..catalogue.demo import demo_records
from ..catalogue.store import DEFAULT_BASE_IRI
from ..database import masked_url
from ..synthesis.publish import is_released_synthetic
from .enforcement import act
from .wiring import expire_every

#: Rows in each generated demo CSV (enough to try a pipeline, small enough to read).
DEMO_ROWS = 50
RDF_SUFFIXES = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld"}


def verify_audit(db_url: str) -> int:
    """Print the audit report; 0 when the chain verifies, 1 when it is broken."""
    with closing(CatalogueStore(db_url)) as store:
        report = verify_audit_log(store)
    print(report)
    return 0 if report.ok else 1


def load_demo(db_url: str) -> int:
    """Load (or refresh) the fictional demo catalogue; unchanged records stay as they are."""
    with closing(CatalogueStore(db_url)) as store:
        loaded = load_demo_catalogue(store)
    print(f"demo catalogue: {len(loaded)} records in place ({masked_url(db_url)})")
    return 0


def import_file(db_url: str, path: Path, actor: str) -> int:
    """Import a Turtle (.ttl) or JSON-LD (.jsonld/.json) file: all its records or none."""
    fmt = RDF_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: use a .ttl (Turtle) or .jsonld (JSON-LD) file")
    with closing(CatalogueStore(db_url)) as store:
        result = store.import_document(path.read_bytes(), fmt, actor=actor)
    print(f"imported {len(result.identifiers)} record(s): {', '.join(result.identifiers)}")
    for identifier, kept in result.kept_not_modelled.items():
        if kept:
            print(
                f"{identifier}: from another portal; kept as received and exported again, "
                f"but not searchable or shown here: {', '.join(kept)}"
            )
    return 0


def export_records(db_url: str, fmt: str, identifiers: list[str], output: Path | None) -> int:
    """Write the catalogue (or the named records, each alone) as Turtle or JSON-LD.

    The whole catalogue comes wrapped in its ``dcat:Catalog``; named records come without
    it, as a receiving portal harvests one dataset. Written atomically when ``output`` is
    a file (a temporary file renamed into place), else to standard output.
    """
    with closing(CatalogueStore(db_url)) as store:
        text = store.export_rdf(fmt, identifiers or None)
    if output is None:
        print(text)
        return 0
    partial = output.with_name(f".{output.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(output)
    print(f"wrote {output} ({len(text.encode())} bytes)")
    return 0


def end_grant(db_url: str, action: str, request_id: str, actor: str, comment: str) -> int:
    """``close`` or ``revoke`` an ACTIVE grant as data steward ``actor`` (named in the
    audit log). The CLI has no hub token: the portal's next reconciliation round stops the
    servers that hold the grant's datasets (``enforcement.act`` with no hub)."""
    steward = Actor.of(actor, Role.STEWARD)
    with closing(CatalogueStore(db_url)) as store:
        reader = GrantsReader(db_url)
        try:
            outcome = asyncio.run(
                act(AccessRequests(store), reader, None, request_id, action, steward,
                    {"comment": comment})
            )  # fmt: skip
        finally:
            reader.close()
    print(f"{request_id} is now {outcome.request.state}.")
    if outcome.ended:
        print(
            "Running servers that hold its datasets are stopped by the portal's next "
            f"reconciliation round (every {expire_every():g} s while the hub runs)."
        )
    return 0


def _value(datatype: str, rng: random.Random, row: int) -> str:
    kind = datatype.lower()
    if "int" in kind:
        return str(rng.randint(18, 90))
    if kind in ("decimal", "double", "float", "number"):
        return f"{rng.uniform(0, 100):.2f}"
    if kind == "boolean":
        return rng.choice(["true", "false"])
    if kind in ("date", "datetime"):
        return f"20{rng.randint(10, 23)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return f"fiktiv-{row:04d}"


def demo_csv(record: Dataset) -> str:
    """A small CSV with the record's variables as columns; the same text every time."""
    rng = random.Random(record.identifier)  # per dataset, so reruns write the same file
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([v.name for v in record.variables])
    for row in range(1, DEMO_ROWS + 1):
        writer.writerow([_value(v.datatype, rng, row) for v in record.variables])
    return out.getvalue()


def demo_readme(record: Dataset) -> str:
    return (
        f"{record.title.en}\n{record.title.de}\n\n"
        "FICTIONAL DEMO DATA of the KIMed Workbench. No real patient or person data.\n"
        "FIKTIVE DEMODATEN der KIMed Workbench. Keine echten Patienten- oder Personendaten.\n\n"
        f"Catalogue record: {record.identifier}\n"
        + ("data.csv: generated values for the record's variables.\n" if record.variables else "")
    )


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def ensure_demo_data(root: Path) -> list[str]:
    """A folder per demo dataset under ``root`` (README, and data.csv where there are
    variables); files already as they should be are left alone, and so is a synthetic
    version released by a synthesis job (``synthesis.publish``). Returns what changed."""
    changed = []
    for record in demo_records(DEFAULT_BASE_IRI):
        if not isinstance(record, Dataset):
            continue
        folder = root / record.identifier
        if is_released_synthetic(folder):
            continue  # generated in the workbench and released: never overwritten by demo data
        folder.mkdir(parents=True, exist_ok=True)
        wrote = _write_if_changed(folder / "README.txt", demo_readme(record))
        if record.variables:
            wrote |= _write_if_changed(folder / "data.csv", demo_csv(record))
        if wrote:
            changed.append(record.identifier)
    return changed
