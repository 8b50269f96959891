"""Streaming FHIR input: NDJSON files (Bulk Data export) and bundles, one resource at a time.

A source is a folder or a single file. In a folder, ``*.ndjson`` files are read first
(``Patient`` then ``Encounter`` then the rest by name, so that references usually point
backwards) and then ``*.json`` bundles by name; other files are listed as skipped.
NDJSON is cut into byte ranges of about ``SLICE_BYTES`` that end at a line end
(``slices``): the importer's workers read and parse their own range, so the parent
process never touches the resources' text. A bundle is one JSON document, so it is read
whole, one bundle at a time, and its entries go to the workers as parsed values. Each
resource carries where it came from (``Observation.ndjson:17``,
``bundle-00001.json#entry[3]``) for problem reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FIRST = ("Patient", "Encounter")
#: Bytes of NDJSON per slice: about 2,000 resources of the MII core dataset.
SLICE_BYTES = 1 << 20
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


@dataclass(frozen=True)
class Slice:
    """Bytes ``start``..``end`` of an NDJSON file (``end`` just after a line end, or the
    file's end): one worker's share."""

    path: Path
    start: int
    end: int

    def read(self) -> tuple[int, list[tuple[int, str | None, str | None]]]:
        """The slice's number of lines, and (line number within the slice from 1, text or
        None, problem) for each non-blank line."""
        with open(self.path, "rb") as handle:
            handle.seek(self.start)
            data = handle.read(self.end - self.start)
        count = data.count(b"\n") + (not data.endswith(b"\n"))
        try:  # one decode for the whole slice; line by line only to name a bad line
            texts = data.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            return count, list(_decoded(data.split(b"\n")))
        return count, [(n, t, None) for n, t in enumerate(texts, start=1) if t.strip()]


def _decoded(raw_lines: list[bytes]) -> Iterator[tuple[int, str | None, str | None]]:
    for number, raw in enumerate(raw_lines, start=1):
        if raw.strip():
            try:
                yield number, raw.decode("utf-8"), None
            except UnicodeDecodeError as error:
                yield number, None, f"not UTF-8 text ({error.reason})"


def slices(path: Path, size: int | None = None) -> Iterator[Slice]:
    """``path`` cut into slices of about ``size`` (default ``SLICE_BYTES``) bytes, each
    ending at a line end."""
    size = size or SLICE_BYTES
    total = path.stat().st_size
    with open(path, "rb") as handle:
        start = 0
        while start < total:
            handle.seek(min(start + size, total) - 1)  # the slice ends at this line's end
            end = min(handle.tell() + len(handle.readline()), total)
            yield Slice(path, start, end)
            start = end


def bundle_items(path: Path) -> Iterator[Item]:
    """Every entry of the bundle ``path`` (read whole), or one Item naming its problem."""
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
    entries = bundle.get("entry", [])
    local = _local_references(entries)
    for number, entry in enumerate(entries):
        where = f"{path.name}#entry[{number}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            yield Item(where, problem="entry without a resource")
        else:
            yield Item(where, value=_resolved(entry, local))


UUID_URL = "urn:uuid:"


def _local_references(entries: list) -> dict[str, str]:
    """``fullUrl`` -> ``Type/id`` for the bundle's entries (a transaction's
    ``urn:uuid:`` entries and absolute URLs), so references between them resolve."""
    local = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            continue
        url, resource = entry.get("fullUrl"), entry["resource"]
        ident = resource.get("id") or (url[len(UUID_URL) :] if _is_uuid_url(url) else None)
        if isinstance(url, str) and isinstance(ident, str) and resource.get("resourceType"):
            local[url] = f"{resource['resourceType']}/{ident}"
    return local


def _is_uuid_url(url: object) -> bool:
    return isinstance(url, str) and url.startswith(UUID_URL) and len(url) > len(UUID_URL)


def _resolved(entry: dict, local: dict[str, str]) -> dict:
    """The entry's resource with references to other entries as ``Type/id``, and the id
    a transaction leaves to the server (``urn:uuid:`` fullUrl, no id) taken from it."""
    resource = entry["resource"]
    if "id" not in resource and _is_uuid_url(entry.get("fullUrl")):
        resource = {**resource, "id": entry["fullUrl"][len(UUID_URL) :]}
    return _rewrite(resource, local) if local else resource


def _rewrite(value: object, local: dict[str, str]) -> object:
    if isinstance(value, dict):
        out = {k: _rewrite(v, local) for k, v in value.items()}
        if isinstance(out.get("reference"), str) and out["reference"] in local:
            out["reference"] = local[out["reference"]]
        return out
    if isinstance(value, list):
        return [_rewrite(v, local) for v in value]
    return value
