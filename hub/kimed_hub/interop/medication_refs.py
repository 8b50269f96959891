"""Medication resources of their own: their codes into the statements' rows.

In the MII Medication module a MedicationStatement or MedicationAdministration often
names its drug by ``medicationReference`` to a Medication resource of its own
(``Medication.ndjson`` or another bundle entry), whose ``code`` holds the ATC (and PZN)
codings. A worker sees one share of the input, so it cannot look the Medication up: it
writes the row with ``medication_id`` and empty code columns, and the importer checks
across the whole import that every such id is a Medication it read (the same id sets
it keeps for subjects). Once every resource is accepted, :func:`fill_codes` joins the
Medication rows (a lookup table in the staging folder, one row per Medication, the only
part held in memory) into the statement tables, one Parquet row group at a time, and
writes their CSV again from the joined rows. The lookup is then removed: the dataset
has no table without a patient, which the consent filter could not filter.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .table_files import ROW_GROUP, TableSink, csv_form

CODE_FIELDS = ("code", "code_system", "code_display", "code_system_original")
USERS = ("MedicationStatement", "MedicationAdministration")


def _joined(table: pa.Table, lookup: pa.Table) -> pa.Table:
    """``table`` with empty code columns taken from the Medication its row names."""
    index = pc.index_in(table["medication_id"], value_set=lookup["id"])
    for name in CODE_FIELDS:
        position = table.schema.get_field_index(name)
        filled = pc.coalesce(table[name], pc.take(lookup[name], index))
        table = table.set_column(position, name, filled)
    return table


def _rewrite(sink: TableSink, lookup: pa.Table) -> None:
    """Join ``lookup`` into the sink's (closed) files, row group by row group."""
    parquet, csv = sink.paths
    parts = [path.with_name(f".{path.name}.joined") for path in (parquet, csv)]
    source = pq.ParquetFile(parquet)
    writer = pq.ParquetWriter(parts[0], sink.schema, compression="zstd")
    try:
        pacsv.write_csv(csv_form(sink.schema.empty_table()), parts[1])  # the header
        with open(parts[1], "ab") as text:
            for group in range(source.num_row_groups):
                table = _joined(source.read_row_group(group), lookup)
                writer.write_table(table, row_group_size=ROW_GROUP)
                pacsv.write_csv(csv_form(table), text, pacsv.WriteOptions(include_header=False))
    finally:
        writer.close()
    for part, path in zip(parts, (parquet, csv), strict=True):
        os.replace(part, path)


def fill_codes(sinks: dict[str, TableSink], referenced: dict[str, int]) -> None:
    """Fill the code columns of the statement tables that reference Medication
    resources (``referenced``: rows per resource type), then remove the lookup."""
    lookup_sink = sinks.pop("Medication")
    if any(referenced.get(kind) for kind in USERS):
        lookup = pq.read_table(lookup_sink.paths[0], columns=["id", *CODE_FIELDS])
        for kind in USERS:
            if referenced.get(kind):
                _rewrite(sinks[kind], lookup)
    for path in lookup_sink.paths:
        Path(path).unlink()
