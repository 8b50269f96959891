"""Trust-centre fixtures: a portal database with the two demo holders' records, their
medical tables in a dataset folder and their identifiers in the trust centre's folder.

The holders' data are generated with a known overlap and known errors
(``trust_centre.demo``), so every linkage can be scored against the ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from kimed_hub.catalogue import CatalogueStore
from kimed_hub.trust_centre.demo import HolderData
from kimed_hub.trust_centre.demo_setup import HOLDERS, install_demo
from kimed_hub.trust_centre.service import TrustCentre
from kimed_hub.trust_centre.store import TrustCentreStore

SECRET = b"holders-shared-secret-0123456789"
DATASETS = [h.dataset for h in HOLDERS]


@dataclass
class Demo:
    """Everything a test needs about one installed demo."""

    store: CatalogueStore
    root: Path
    files: TrustCentreStore
    centre: TrustCentre
    data: list[HolderData]


def make_demo(tmp_path: Path, persons: int = 60, secret: bytes | None = SECRET) -> Demo:
    """Install the demo holders (Bloom-filter deliveries unless ``secret`` is None)."""
    store = CatalogueStore(f"sqlite:///{tmp_path / 'portal.sqlite'}")
    root, files = tmp_path / "datasets", TrustCentreStore(tmp_path / "trust-centre")
    data = install_demo(store, root, files, persons, seed=5, secret=secret)
    return Demo(store, root, files, TrustCentre(store, root, files), data)


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """The demo with encoded deliveries; the environment points at its folders (what the
    portal's activation and the spawner read)."""
    made = make_demo(tmp_path)
    monkeypatch.setenv("KIMED_DATA_DIR", str(made.root))
    monkeypatch.setenv("KIMED_TRUST_CENTRE_DIR", str(made.files.root))
    yield made
    made.store.close()
