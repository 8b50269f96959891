"""The demo catalogue shipped with the project: fictional Saxon datasets and algorithms.

Every record in ``demo_catalogue/`` is fictional and says so in its title and
description ("fiktiv" / "fictional"); custodians are real-sounding Saxon institutions
marked "(fiktiv)". The files are ordinary DCAT Turtle and JSON-LD, validated like any
import, so they double as worked examples of the catalogue's metadata.
"""

from __future__ import annotations

from pathlib import Path

from .demonstrator_records import demonstrator_algorithms
from .rdf_io import load_records
from .rdf_records import Record
from .store import CatalogueStore

DEMO_DIR = Path(__file__).with_name("demo_catalogue")
SUFFIXES = {".ttl": "turtle", ".jsonld": "json-ld"}


def demo_records(base_iri: str) -> list[Record]:
    """All demo records, each file parsed and SHACL-validated on its own."""
    records: list[Record] = []
    for path in sorted(DEMO_DIR.iterdir()):
        if path.suffix in SUFFIXES:
            records += load_records(path.read_bytes(), SUFFIXES[path.suffix], base_iri)
    return records


def load_demo_catalogue(
    store: CatalogueStore, actor: str = "kimed-demo", keep: frozenset[str] = frozenset()
) -> list[str]:
    """Load (or refresh) the demo catalogue and the demonstrators' own algorithm records
    into ``store``; return the identifiers. Records named in ``keep`` are not refreshed
    (a synthetic version the workbench generated and released replaces the demo's).

    Unchanged records are left alone, so loading twice adds no revisions or audit entries.
    """
    records = [r for r in demo_records(store.base_iri) if r.identifier not in keep]
    demo = store.put_records(records, actor=actor, shacl=False)
    return demo + store.put_records(demonstrator_algorithms(), actor=actor)
