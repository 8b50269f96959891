"""The tables a linked project mounts: the holders' medical tables, pseudonymised.

    written = write_linked(dataset_root, project, datasets, pseudonym_of, forbidden, policy)

For each dataset, every CSV table in its folder that carries the holder's local id is
rewritten: the local id becomes the project's pseudonym (the same for the same person in
every dataset of the project) and every identifying column the policy names is dropped.
Tables without the local id, and any other file, are left out (listed in the folder's
``LINKAGE.json``): the trust centre cannot tell what they hold. Before anything is used,
every column of every written table is checked, by name and by value, against the
identifiers of the project's holders (local ids, names, birth dates); one hit stops the
whole run. The folder is built under a temporary name and renamed into place, so the
spawner sees the previous folder or the complete new one, never a part.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..access.grants import linked_folder
from ..errors import BadInput
from ..interop.consent_mount import has_consent_data
from .policy import TrustCentrePolicy


class IdentifierLeak(RuntimeError):
    """A written table still holds an identifier; nothing of the run is kept."""


def check_table(table: pd.DataFrame, forbidden: set[str], policy: TrustCentrePolicy, where: str):
    """Raise :class:`IdentifierLeak` when a column of ``table`` is an identifying field or
    holds one of the ``forbidden`` values (checked over every column)."""
    named = sorted(set(table.columns) & policy.removed_columns)
    if named:
        raise IdentifierLeak(f"{where}: identifying column(s) {named} left in the table")
    for column in table.columns:
        if not forbidden.isdisjoint(table[column].astype(str).unique()):
            raise IdentifierLeak(f"{where}: column {column!r} holds a holder's identifier")


def pseudonymised(
    table: pd.DataFrame, dataset: str, pseudonym_of: Callable, policy: TrustCentrePolicy
) -> pd.DataFrame:
    """``table`` with its local ids replaced by pseudonyms and identifying columns gone."""
    ids = table[policy.local_id_column]
    pseudonyms = ids.map({local: pseudonym_of((dataset, local)) for local in ids.unique()})
    kept = table.drop(columns=[c for c in table.columns if c in policy.removed_columns])
    kept.insert(0, policy.pseudonym_column, pseudonyms)
    return kept


def _dataset_tables(source: Path, dataset: str, policy: TrustCentrePolicy) -> list[Path]:
    """The CSV tables of ``dataset`` that carry the local id; refuse what cannot be linked."""
    if not source.is_dir():
        raise BadInput(f"dataset {dataset} has no data folder on this host ({source})")
    if has_consent_data(source):
        raise BadInput(
            f"dataset {dataset} holds MII consent data; linking consent-filtered data is not "
            "supported yet, so it is not linked (ask for it on its own)"
        )
    tables = [p for p in sorted(source.glob("*.csv")) if _has_id(p, policy.local_id_column)]
    if not tables:
        raise BadInput(
            f"dataset {dataset} has no CSV table with the local id column "
            f"{policy.local_id_column!r} (policies/trust-centre.yaml); nothing to link"
        )
    return tables


def _has_id(path: Path, column: str) -> bool:
    return column in pd.read_csv(path, nrows=0).columns


def write_linked(
    dataset_root: Path,
    project: str,
    datasets: list[str],
    pseudonym_of: Callable,
    forbidden: set[str],
    policy: TrustCentrePolicy,
) -> dict[str, list[str]]:
    """Write the project's pseudonymised tables (atomically); dataset -> tables written."""
    final = linked_folder(dataset_root, project)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{project}.{secrets.token_hex(4)}.tmp"
    written: dict[str, list[str]] = {}
    try:
        for dataset in datasets:
            written[dataset] = _write_dataset(
                Path(dataset_root) / dataset, tmp / dataset, dataset, pseudonym_of, forbidden,
                policy,
            )  # fmt: skip
        manifest = {"project": project, "datasets": written, "pseudonym": policy.pseudonym_column}
        (tmp / "LINKAGE.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        _swap_in(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return written


def _write_dataset(source, target, dataset, pseudonym_of, forbidden, policy) -> list[str]:
    target.mkdir(parents=True)
    names = []
    for path in _dataset_tables(source, dataset, policy):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        out = pseudonymised(table, dataset, pseudonym_of, policy)
        check_table(out, forbidden, policy, f"{dataset}/{path.name}")
        out.to_csv(target / path.name, index=False)
        names.append(path.name)
    return names


def _swap_in(tmp: Path, final: Path) -> None:
    """Put ``tmp`` at ``final``; an older folder is moved aside first, then removed."""
    old = None
    if final.exists():
        old = final.parent / f".{final.name}.{secrets.token_hex(4)}.old"
        os.rename(final, old)
    os.rename(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
