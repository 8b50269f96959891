"""Reading the real table and describing its columns.

A source is one CSV/Parquet file or a dataset folder; in a folder, ``--table`` picks the
table (a path relative to the folder), or the folder must hold exactly one. Columns are
numeric (integers keep their integer type in the synthetic table) or categorical (text,
booleans, numbers with few distinct values stay numeric). Text columns that are almost
unique per row (identifiers, names, free text) cannot be synthesised without copying
them, so they are dropped and the report names them; so are columns with no value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .spec import SynthesisInputError

TABLE_SUFFIXES = (".csv", ".parquet")
IDENTIFIER_UNIQUE_SHARE = 0.5  # a text column with more distinct values per row is an id


@dataclass
class TableInfo:
    """The columns of a real table: which are numeric, integer, categorical, dropped."""

    numeric: list[str] = field(default_factory=list)
    integer: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """The synthesised columns, in the real table's order."""
        return [c for c in self.order if c not in self.dropped]

    order: list[str] = field(default_factory=list)


def find_table(source: Path, table: str | None) -> Path:
    """The table file ``source`` and ``table`` name, or an error saying how to name it."""
    source = Path(source)
    if source.is_file():
        if table:
            raise SynthesisInputError(f"--table {table!r} given, but the source {source} is a file")
        return _check_suffix(source)
    if not source.is_dir():
        raise SynthesisInputError(
            f"source {source} does not exist; give a dataset folder or a file"
        )
    tables = sorted(
        p.relative_to(source).as_posix()
        for p in source.rglob("*")
        if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES
    )
    if table:
        if table not in tables:
            raise SynthesisInputError(
                f"table {table!r} is not in {source}; its tables are: {', '.join(tables) or 'none'}"
            )
        return source / table
    if len(tables) != 1:
        listed = ", ".join(tables) if tables else "none (CSV or Parquet)"
        raise SynthesisInputError(
            f"{source} holds {len(tables)} tables; pick one with --table: {listed}"
        )
    return source / tables[0]


def _check_suffix(path: Path) -> Path:
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise SynthesisInputError(f"{path} is not a table; give a .csv or .parquet file")
    return path


def read_table(path: Path) -> pd.DataFrame:
    """The table at ``path``; an error if it cannot be read or has no rows or columns."""
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path)
    except ImportError as exc:
        raise SynthesisInputError(
            f"cannot read {path.name} in this kernel ({exc}); convert it to CSV"
        ) from exc
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise SynthesisInputError(f"cannot read table {path}: {exc}") from exc
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise SynthesisInputError(
            f"table {path} is empty ({frame.shape[0]} rows, {frame.shape[1]} columns)"
        )
    return frame


def describe(frame: pd.DataFrame) -> TableInfo:
    """Sort the columns of ``frame`` into numeric, integer, categorical and dropped."""
    info = TableInfo(order=list(frame.columns))
    for name in frame.columns:
        column = frame[name]
        if column.notna().sum() == 0:  # nothing to learn from; the report names it
            info.dropped.append(name)
        elif pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            distinct = column.nunique(dropna=True)
            if distinct > 20 and distinct > IDENTIFIER_UNIQUE_SHARE * column.notna().sum():
                info.dropped.append(name)
            else:
                info.categorical.append(name)
        else:
            info.numeric.append(name)
            if np.all(np.mod(column.dropna().to_numpy(), 1) == 0):
                info.integer.append(name)
    if not info.columns:
        raise SynthesisInputError(
            "no column can be synthesised: every column is empty or looks like an identifier"
        )
    return info


def prepare(frame: pd.DataFrame, info: TableInfo) -> pd.DataFrame:
    """The synthesised columns: categories as strings (missing stays missing), numbers as float."""
    out = frame[info.columns].copy()
    for name in info.categorical:
        out[name] = out[name].map(lambda v: v if pd.isna(v) else str(v)).astype(object)
    for name in info.numeric:
        out[name] = out[name].astype(float)
    return out.reset_index(drop=True)


def finish(synthetic: pd.DataFrame, info: TableInfo) -> pd.DataFrame:
    """The synthetic table as written: integers rounded back to integers."""
    out = synthetic[info.columns].copy()
    for name in info.integer:
        out[name] = out[name].round().astype("Int64")
    return out


def split_holdout(
    frame: pd.DataFrame, share: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training rows (shown to the method) and holdout rows (kept out), shuffled by ``seed``."""
    order = np.random.default_rng(seed).permutation(len(frame))
    n_holdout = max(1, int(round(share * len(frame))))
    holdout = frame.iloc[order[:n_holdout]].reset_index(drop=True)
    train = frame.iloc[order[n_holdout:]].reset_index(drop=True)
    return train, holdout
