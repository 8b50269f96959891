"""Shared fixtures of the de-identification tests: one small NER model trained for real.

Training 250 TRAIN documents for 6 epochs takes about half a minute on two cores; the
thresholds in test_deid_model.py are justified for exactly this size in
docs/demonstrators/deid.md. The library is imported inside the fixtures, so other
demonstrators' tests in this folder do not pay for presidio and spaCy at collection.
"""

from __future__ import annotations

import pytest

SMALL_MODEL = {"n_documents": 250, "epochs": 6}  # kwargs of kimed_demos.deid.ModelSettings
HELDOUT_DOCUMENTS = 150
HELDOUT_SEED = 2024


@pytest.fixture(scope="session")
def small_model(tmp_path_factory):
    """Folder of a freshly trained small NER model."""
    from kimed_demos.deid import ModelSettings, ensure_model

    folder = tmp_path_factory.mktemp("deid-model") / "ner"
    return ensure_model(ModelSettings(**SMALL_MODEL), folder, log=lambda *_: None)


@pytest.fixture(scope="session")
def deidentifier(small_model):
    """Analyzer and anonymizer with the small model (surrogates, default settings)."""
    from kimed_demos.deid import Deidentifier

    return Deidentifier(small_model)


@pytest.fixture(scope="session")
def patterns_only():
    """Analyzer and anonymizer without NER: pattern recognizers alone."""
    from kimed_demos.deid import Deidentifier

    return Deidentifier(None)


@pytest.fixture(scope="session")
def heldout():
    """HELD-OUT documents: document types and phrasings the model never saw."""
    from kimed_demos.deid import generate_corpus

    return generate_corpus("heldout", HELDOUT_DOCUMENTS, HELDOUT_SEED)


@pytest.fixture(scope="session")
def heldout_findings(deidentifier, heldout):
    """Findings of the small-model analyzer on the held-out documents."""
    return deidentifier.findings_many([d.text for d in heldout])
