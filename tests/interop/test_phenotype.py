"""Phenotypes: classification exact on the generated truth; bad definitions refused."""

from __future__ import annotations

import pytest
import yaml

from kimed_hub.interop.phenotype_defs import DefinitionError, load_definitions, parse_definitions
from kimed_hub.interop.phenotype_engine import ClinicalTables, Evaluator

from .conftest import DEFINITIONS


@pytest.fixture(scope="module")
def evaluator(imported):
    return Evaluator(ClinicalTables.load(imported.folder), load_definitions(DEFINITIONS))


def test_classification_is_exact_on_the_generated_truth(evaluator, truth):
    table = evaluator.classify()
    expected = {p["id"]: p["phenotypes"] for p in truth["patients"]}
    assert set(table.columns) == set(next(iter(expected.values())))
    for phenotype in table.columns:
        wrong = [pid for pid, has in table[phenotype].items() if has != expected[pid][phenotype]]
        assert wrong == [], f"{phenotype}: {len(wrong)} patients classified wrongly"
    sizes = evaluator.cohort_sizes()
    assert 0 < sizes["hba1c_high_twice"] < sizes["type2_diabetes"] < 200  # a real mix


def test_bmi_is_the_formula_over_the_last_measurements(evaluator):
    bmi = evaluator.values("bmi")
    assert 15 < bmi.min() and bmi.max() < 60
    obese = evaluator.present("obesity")
    assert set(obese[obese].index) == set(bmi[bmi >= 30].index)


def _definitions(**phenotypes):
    return {"version": 1, "phenotypes": phenotypes}


def test_unknown_code_system_is_refused():
    data = _definitions(
        x={
            "single": {
                "resource": "condition",
                "codes": {"system": "icd-9-cm", "codes": ["250.00"]},
            }
        }
    )
    with pytest.raises(DefinitionError, match="unknown code system 'icd-9-cm'"):
        parse_definitions(data)


def test_malformed_code_and_unknown_reference_are_refused():
    data = _definitions(
        x={"single": {"resource": "observation", "codes": {"system": "loinc", "codes": ["HbA1c"]}}},
        y={"any_of": ["x", "nowhere"]},
    )
    with pytest.raises(DefinitionError) as refused:
        parse_definitions(data)
    assert "'HbA1c' is not a well-formed code of http://loinc.org" in str(refused.value)
    assert "unknown phenotype 'nowhere'" in str(refused.value)


def test_a_cycle_is_refused_with_its_path():
    data = _definitions(a={"all_of": ["b"]}, b={"any_of": [{"not": "c"}]}, c={"all_of": ["a"]})
    with pytest.raises(DefinitionError, match="cycle: a -> b -> c -> a"):
        parse_definitions(data)


def test_formulas_cannot_run_code():
    data = _definitions(
        w={
            "single": {
                "resource": "observation",
                "codes": {"system": "loinc", "codes": ["29463-7"]},
            }
        },
        z={"derived": {"formula": "__import__('os').system('true')", "variables": {"w": "w"}}},
    )
    with pytest.raises(DefinitionError, match="only numbers, variables"):
        parse_definitions(data)


def test_shipped_definitions_load(tmp_path):
    text = DEFINITIONS.read_text()
    assert load_definitions(DEFINITIONS).phenotypes
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("system: loinc", "system: local-lab", 1))
    with pytest.raises(DefinitionError, match="local-lab"):
        load_definitions(broken)
    assert yaml.safe_load(text)["version"] == 1
