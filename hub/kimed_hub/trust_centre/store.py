"""The trust centre's own folder: holders' deliveries, the key, and each project's links.

    <trust centre dir>/            (mode 700; KIMED_TRUST_CENTRE_DIR, else <hub data>/trust-centre)
        key                        the master secret (32 random bytes, mode 600)
        deliveries/<dataset>.idat.csv    clear identifiers: local id + identifying fields
        deliveries/<dataset>.clk.npz     Bloom-filter encodings made at the holder
        projects/<request id>.json       pseudonym -> the (dataset, local id) records

Nothing else in the workbench reads this folder: the portal database holds no
identifier, the dataset folders hold medical data keyed by the holders' ids, and mounted
tables hold pseudonyms only. Every file is written to a temporary name and renamed, so a
reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import pandas as pd

from ..errors import BadInput, NotFound
from . import trust_centre_dir
from .bloom import Encoding
from .identifiers import IDAT_FIELDS, LOCAL_ID

CLEAR, BLOOM = "clear", "bloom"
_SUFFIX = {CLEAR: ".idat.csv", BLOOM: ".clk.npz"}


def _replace(path: Path, write) -> None:
    """``write(tmp)`` then rename over ``path`` (atomic on one file system), private."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        write(tmp)
        tmp.chmod(0o600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class TrustCentreStore:
    """The trust centre's files (created with private modes on first use)."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root or trust_centre_dir())

    def _folder(self, name: str) -> Path:
        """``root/name``, made private on first write (nothing is created by reading)."""
        for folder in (self.root, self.root / name):
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
        return self.root / name

    def key(self) -> bytes:
        """The master secret, made on first use; project keys derive from it."""
        path = self._folder(".") / "key"
        if not path.exists():
            secret = secrets.token_bytes(32)
            _replace(path, lambda tmp: tmp.write_bytes(secret))
        return path.read_bytes()

    def deliver_clear(self, dataset: str, idat: pd.DataFrame, id_column: str = LOCAL_ID) -> int:
        """Keep a holder's clear identifiers for ``dataset``; the number of records."""
        if id_column not in idat.columns:
            raise BadInput(f"the delivery for {dataset} has no {id_column!r} column (the local id)")
        fields = [f for f in IDAT_FIELDS if f in idat.columns]
        if not fields:
            raise BadInput(f"the delivery for {dataset} has none of the fields {list(IDAT_FIELDS)}")
        table = idat[[id_column, *fields]].rename(columns={id_column: LOCAL_ID}).astype(str)
        if table[LOCAL_ID].duplicated().any():
            raise BadInput(f"the delivery for {dataset} repeats a local id; one row per patient")
        self._forget(dataset)
        self._folder("deliveries")
        _replace(self._path(dataset, CLEAR), lambda tmp: table.to_csv(tmp, index=False))
        return len(table)

    def deliver_encoded(self, dataset: str, encoding: Encoding) -> int:
        """Keep a holder's Bloom-filter encodings for ``dataset``; the number of records."""
        self._forget(dataset)
        self._folder("deliveries")
        _replace(self._path(dataset, BLOOM), encoding.save)
        return len(encoding.ids)

    def kind(self, dataset: str) -> str | None:
        """``clear``, ``bloom`` or None: what the holder of ``dataset`` delivered."""
        return next((k for k in (CLEAR, BLOOM) if self._path(dataset, k).exists()), None)

    def clear(self, dataset: str) -> pd.DataFrame:
        """The clear identifiers of ``dataset`` (all strings)."""
        path = self._path(dataset, CLEAR)
        if not path.exists():
            raise NotFound(f"the trust centre holds no clear identifiers for {dataset}")
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    def encoded(self, dataset: str) -> Encoding:
        """The Bloom-filter encodings of ``dataset``."""
        path = self._path(dataset, BLOOM)
        if not path.exists():
            raise NotFound(f"the trust centre holds no encodings for {dataset}")
        return Encoding.load(path)

    def deliveries(self) -> dict[str, str]:
        """Dataset -> kind of every delivery held."""
        found = {}
        folder = self.root / "deliveries"
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            for kind, suffix in _SUFFIX.items():
                if path.name.endswith(suffix):
                    found[path.name[: -len(suffix)]] = kind
        return found

    def save_links(self, project: str, links: dict[str, list[list[str]]], report: dict) -> None:
        """Keep a project's pseudonyms -> records (for re-identification) and its report."""
        text = json.dumps({"report": report, "links": links}, sort_keys=True)
        path = self._folder("projects") / f"{project}.json"
        _replace(path, lambda tmp: tmp.write_text(text))

    def project(self, project: str) -> dict:
        """A project's saved links and report."""
        path = self.root / "projects" / f"{project}.json"
        if not path.exists():
            raise NotFound(f"the trust centre has linked nothing for {project}")
        return json.loads(path.read_text())

    def _path(self, dataset: str, kind: str) -> Path:
        if not dataset or "/" in dataset or dataset.startswith("."):
            raise BadInput(f"{dataset!r} is not a dataset identifier")
        return self.root / "deliveries" / f"{dataset}{_SUFFIX[kind]}"

    def _forget(self, dataset: str) -> None:
        """A new delivery replaces the old one, whatever its kind."""
        for kind in _SUFFIX:
            self._path(dataset, kind).unlink(missing_ok=True)
