"""Shared fixtures of the interop tests: one small generated MII export, imported once.

200 patients (about 4,300 resources) import in a few seconds with one worker; every
test that only reads the tables shares that import (module-independent, session scope).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kimed_hub.interop.generate import generate_mii, load_truth
from kimed_hub.interop.importer import import_fhir

PATIENTS = 200
SEED = 7
DEFINITIONS = (
    Path(__file__).resolve().parents[2]
    / "demonstrators/kimed_demos/phenotype/definitions/cardiometabolic.yaml"
)


@pytest.fixture(scope="session")
def export(tmp_path_factory) -> Path:
    """A generated NDJSON export (with its ground truth)."""
    out = tmp_path_factory.mktemp("mii") / "export"
    generate_mii(out, patients=PATIENTS, seed=SEED, progress=False)
    return out


@pytest.fixture(scope="session")
def truth(export) -> dict:
    return load_truth(export)


@pytest.fixture(scope="session")
def imported(export, tmp_path_factory):
    """The export imported as dataset ``mii-test``."""
    root = tmp_path_factory.mktemp("datasets")
    return import_fhir(export, "mii-test", root=root, progress=False)
