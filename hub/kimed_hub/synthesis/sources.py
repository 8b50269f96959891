"""The tables of a dataset's folder, as the new-job form offers them and a job reads them.

A table is a CSV or Parquet file in the dataset's folder (or a sub-folder), named by its
path relative to the folder. Links are never followed and hidden files are skipped, so
a table is always a regular file inside the dataset.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path, PurePosixPath

from ..errors import BadInput, TooLarge

#: What the engine reads (docs/synthesis.md).
TABLE_SUFFIXES = (".csv", ".parquet")
MAX_TABLES = 200


def tables_of(folder: Path) -> list[str]:
    """The tables in ``folder`` (relative paths, sorted); [] when it is not on this host."""
    found = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(top) / name
            if name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            if path.suffix.lower() in TABLE_SUFFIXES:
                found.append(path.relative_to(folder).as_posix())
            if len(found) >= MAX_TABLES:
                return found
    return found


def find_table(folder: Path, table, max_size: int) -> str:
    """The table to read: ``table`` if it is one of the folder's tables, the only table
    when none is named; BadInput naming the tables otherwise."""
    tables = tables_of(folder)
    if not tables:
        raise BadInput(
            f"the dataset's folder holds no table (CSV or Parquet) on this host ({folder.name}); "
            "ask the data holder to deliver its files."
        )
    if table is None and len(tables) == 1:
        table = tables[0]
    if not isinstance(table, str) or table not in tables:
        what = "name the table to synthesise" if table is None else f"table {table!r} is unknown"
        raise BadInput(f"{what}; the dataset's tables are: {', '.join(tables)}.")
    size = (folder / PurePosixPath(table)).stat().st_size
    if size > max_size:
        raise TooLarge(
            f"table {table} has {size:,} bytes; a synthesis job may read {max_size:,} "
            "(jobs.max_table_size in policies/synthesis.yaml)."
        )
    return table


def check_column(path: Path, column) -> None:
    """BadInput unless ``column`` names a column of the table (CSV: its header line;
    Parquet: its schema)."""
    if not isinstance(column, str) or not column:
        raise BadInput("target must be the name of one of the table's columns.")
    columns = header(path)
    if column not in columns:
        shown = ", ".join(columns[:50])
        raise BadInput(f"target {column!r} is not a column of {path.name}; its columns: {shown}.")


def header(path: Path) -> list[str]:
    """The table's column names."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        return next(csv.reader(handle), [])
