"""Streaming FHIR input: NDJSON files (Bulk Data export) and bundles, one resource at a time.

A source is a folder or a single file. In a folder, ``*.ndjson`` files are read first
(``Patient`` then ``Encounter`` then the rest by name, so that references usually point
backwards) and then ``*.json`` bundles by name; other files are listed as skipped.
NDJSON is read line by line and never held whole; a bundle is one JSON document, so it is
read whole, one bundle at a time. Each item carries where it came from
(``Observation.ndjson:17``, ``bundle-00001.json#entry[3]``) for problem reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FIRST = ("Patient", "Encounter")
BUNDLE_TYPES = ("transaction", "batch", "collection", "searchset")


@dataclass(frozen=True)
class Item:
    """One resource to import: its origin and either its JSON text or its parsed value."""

    where: str
    text: str | None = None
    value: object = None
    problem: str | None = None  # the source itself was unreadable here


def source_files(source: Path) -> tuple[list[Path], list[Path]]:
    """The files to read from ``source`` (in order) and the files skipped."""
    source = Path(source)
    if source.is_file():
        return [source], []
    if not source.is_dir():
        raise FileNotFoundError(f"{source}: no such file or folder")
    ndjson = sorted(source.glob("*.ndjson"), key=_ndjson_order)
    bundles = sorted(source.glob("*.json"))
    skipped = sorted(p for p in source.iterdir() if p.is_file() and p not in {*ndjson, *bundles})
    if not ndjson and not bundles:
        raise FileNotFoundError(f"{source}: no *.ndjson files or *.json bundles in this folder")
    return ndjson + bundles, skipped


def _ndjson_order(path: Path) -> tuple[int, str]:
    stem = path.name.split(".")[0]
    return (FIRST.index(stem) if stem in FIRST else len(FIRST), path.name)


def read_items(files: list[Path]) -> Iterator[Item]:
    """Every resource of ``files``, in order."""
    for path in files:
        if path.suffix == ".ndjson":
            yield from _ndjson(path)
        else:
            yield from _bundle(path)


def _ndjson(path: Path) -> Iterator[Item]:
    with open(path, encoding="utf-8", errors="strict") as handle:
        try:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield Item(f"{path.name}:{number}", text=line)
        except UnicodeDecodeError as error:
            yield Item(f"{path.name}", problem=f"not UTF-8 text ({error.reason})")


def _bundle(path: Path) -> Iterator[Item]:
    try:
        bundle = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        yield Item(path.name, problem=f"broken JSON: {error}")
        return
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        yield Item(path.name, problem="not a FHIR Bundle (resourceType must be Bundle)")
        return
    if bundle.get("type") not in BUNDLE_TYPES:
        yield Item(path.name, problem=f"Bundle.type must be one of {', '.join(BUNDLE_TYPES)}")
        return
    for number, entry in enumerate(bundle.get("entry", [])):
        where = f"{path.name}#entry[{number}]"
        if not isinstance(entry, dict) or "resource" not in entry:
            yield Item(where, problem="entry without a resource")
        else:
            yield Item(where, value=entry["resource"])
