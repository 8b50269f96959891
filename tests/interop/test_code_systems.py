"""The reviewed code-system policy (policies/fhir-code-systems.yaml): read as the import
reads it, and failing closed when an edit breaks it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kimed_demos.phenotype.codes import ATC, ICD10GM, OPS
from kimed_hub.interop import code_systems
from kimed_hub.interop.tables import rows_of
from kimed_hub.policies import PolicyError

POLICIES = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture
def policies(tmp_path, monkeypatch):
    """A copy of the policies folder the loader reads instead, and a fresh cache."""
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES, folder)
    monkeypatch.setenv("KIMED_POLICIES_DIR", str(folder))
    code_systems._policy.cache_clear()
    yield folder
    code_systems._policy.cache_clear()


def _edit(folder: Path, edit) -> None:
    path = folder / "fhir-code-systems.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data["systems"])
    path.write_text(yaml.safe_dump(data))


def test_the_reviewed_policy_normalises_dimdi_and_who_atc_and_refuses_who_icd10(policies):
    assert code_systems.canonical("http://fhir.de/CodeSystem/dimdi/icd-10-gm") == ICD10GM
    assert code_systems.canonical("http://fhir.de/CodeSystem/dimdi/ops") == OPS
    assert code_systems.canonical("http://www.whocc.no/atc") == ATC
    assert code_systems.canonical(ATC) == ATC  # current URIs stay
    assert code_systems.canonical("https://diz.example/local") == "https://diz.example/local"
    use, why = code_systems.refused("http://hl7.org/fhir/sid/icd-10")
    assert use == ICD10GM and "not ICD-10-GM" in why
    assert code_systems.refused("http://fhir.de/CodeSystem/dimdi/ops") is None


def test_a_target_the_import_does_not_know_fails_closed(policies):
    def edit(systems):
        systems["http://fhir.de/CodeSystem/dimdi/ops"]["use"] = "http://example.org/ops"

    _edit(policies, edit)
    with pytest.raises(PolicyError, match="use 'http://example.org/ops' is no code system"):
        code_systems.canonical("http://fhir.de/CodeSystem/dimdi/ops")


def test_a_current_uri_cannot_be_normalised_away(policies):
    def edit(systems):
        systems[ATC] = {"action": "refuse", "use": ICD10GM, "why": "a careless edit here"}

    _edit(policies, edit)
    with pytest.raises(PolicyError, match="is a current URI, not an older one"):
        code_systems.canonical(ATC)


def test_a_schema_violation_fails_closed_naming_the_field(policies):
    def edit(systems):
        systems["http://www.whocc.no/atc"]["action"] = "accept"

    _edit(policies, edit)
    with pytest.raises(PolicyError, match=r"systems\.http://www\.whocc\.no/atc\.action"):
        code_systems.canonical(ATC)


def test_a_coding_under_the_current_uri_wins_over_a_normalised_one():
    """WHO ATC first, the German ATC second (the order a DIZ may write): the table keeps
    the German coding, so code_system_original stays empty."""
    medication = {
        "resourceType": "Medication",
        "id": "m-1",
        "code": {
            "coding": [
                {"system": "http://www.whocc.no/atc", "code": "C09AA05", "display": "ramipril"},
                {"system": ATC, "version": "2024", "code": "C09AA05", "display": "Ramipril"},
            ]
        },
    }
    (row,) = rows_of(medication)
    assert (row["code_system"], row["code_display"], row["code_system_original"]) == (
        ATC,
        "Ramipril",
        None,
    )
    medication["code"]["coding"].pop()
    (row,) = rows_of(medication)
    assert (row["code_system"], row["code_system_original"]) == (ATC, "http://www.whocc.no/atc")
