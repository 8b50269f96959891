"""Writing the import's tables (Parquet and CSV) and its manifest, deterministically.

Rows are buffered per table and written in row groups of ``ROW_GROUP`` rows, so the
files depend only on the input, never on timing or the number of workers. The CSV form
writes times as ISO 8601 UTC (``2020-05-03T08:15:00Z``). ``manifest.json`` describes the
import: rows per table, patients, temporal coverage, coding systems per table, columns,
the input files' and output files' SHA-256; no clock time, so an unchanged input gives a
byte-identical folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .tables import SCHEMAS, TABLE_NAMES, TS

ROW_GROUP = 100_000
MANIFEST = "manifest.json"
FORMAT = "kimed-fhir-tables/1"


def csv_form(table: pa.Table) -> pa.Table:
    """The table with timestamps as ISO 8601 UTC strings (second precision)."""
    for i, column in enumerate(table.schema):
        if column.type == TS:
            seconds = pc.cast(table.column(i), pa.timestamp("s", tz="UTC"), safe=False)
            text = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
            table = table.set_column(i, column.name, text)
    return table


class TableSink:
    """One resource type's Parquet and CSV files. Parquet is written in row groups of
    ``ROW_GROUP`` rows; the CSV text comes made by the workers and is appended as it is
    (the header written here once)."""

    def __init__(self, folder: Path, kind: str):
        self.kind, self.schema = kind, SCHEMAS[kind]
        name = TABLE_NAMES[kind]
        self.paths = (folder / f"{name}.parquet", folder / f"{name}.csv")
        self.parquet = pq.ParquetWriter(self.paths[0], self.schema, compression="zstd")
        pacsv.write_csv(csv_form(self.schema.empty_table()), self.paths[1])  # the header
        self.csv = open(self.paths[1], "ab")  # noqa: SIM115 - closed by close()
        self.pending: list[pa.Table] = []
        self.buffered = self.rows = 0

    def add(self, table: pa.Table, csv_text: bytes) -> None:
        """Append ``table``'s rows; ``csv_text``: the same rows as CSV, no header."""
        self.csv.write(csv_text)
        self.pending.append(table)
        self.buffered += table.num_rows
        while self.buffered >= ROW_GROUP:
            self._flush(ROW_GROUP)

    def _flush(self, size: int) -> None:
        merged = pa.concat_tables(self.pending)
        head, rest = merged.slice(0, size), merged.slice(size)
        self.parquet.write_table(head, row_group_size=size)
        self.rows += head.num_rows
        self.pending, self.buffered = ([rest] if rest.num_rows else []), rest.num_rows

    def close(self) -> None:
        if self.buffered:
            self._flush(self.buffered)
        self.parquet.close()
        self.csv.close()


def open_sinks(folder: Path) -> dict[str, TableSink]:
    """A sink for every supported resource type (types absent in the input stay empty)."""
    return {kind: TableSink(folder, kind) for kind in SCHEMAS}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _time_range(path: Path) -> list[str | None]:
    column = pq.read_table(path, columns=["time"]).column("time")
    low, high = pc.min(column).as_py(), pc.max(column).as_py()
    return [low.date().isoformat() if low else None, high.date().isoformat() if high else None]


def _systems(path: Path, column: str) -> list[str]:
    values = pc.unique(pq.read_table(path, columns=[column]).column(column)).to_pylist()
    return sorted(v for v in values if v)


def table_summary(sink: TableSink, resources: int) -> dict:
    """What the manifest says about one table (read back from its Parquet file)."""
    parquet, csv = sink.paths
    names = sink.schema.names
    summary = {
        "file": parquet.name,
        "csv": csv.name,
        "rows": sink.rows,
        "resources": resources,
        "columns": [{"name": f.name, "type": str(f.type)} for f in sink.schema],
        "sha256": {parquet.name: sha256(parquet), csv.name: sha256(csv)},
    }
    if "time" in names:
        summary["time_range"] = _time_range(parquet)
    if "code_system" in names:
        summary["code_systems"] = _systems(parquet, "code_system")
    if "unit_system" in names:
        summary["unit_systems"] = _systems(parquet, "unit_system")
    if "policy_code" in names:
        summary["policy_codes"] = _systems(parquet, "policy_code")
    return summary


def write_manifest(folder: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def read_manifest(folder: Path) -> dict | None:
    """The manifest of an imported folder, or None where there is none."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
