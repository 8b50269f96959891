"""Phenotypes: classification exact on the generated truth; bad definitions refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kimed_demos.phenotype.defs import DefinitionError, load_definitions, parse_definitions
from kimed_demos.phenotype.engine import ClinicalTables, Evaluator

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


#: Runs in a fresh interpreter as the workbench kernel has it: no pyarrow (pandas cannot
#: read Parquet) and no kimed_hub (the image ships only kimed_demos).
AS_IN_THE_KERNEL = """
import importlib.abc, sys
class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pyarrow", "kimed_hub", "fastparquet"):
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, Absent())
from kimed_demos import phenotype
table = phenotype.classify(sys.argv[1])
table.to_csv(sys.argv[2], index_label="patient_id")
print(sorted(m for m in sys.modules if m.startswith(("pyarrow", "kimed_hub"))))
"""


def test_the_engine_runs_without_pyarrow_and_kimed_hub_from_the_csv_tables(
    evaluator, imported, tmp_path
):
    """What the workbench kernel does with a mounted dataset: same classification from the
    CSV form as from Parquet. (The notebook itself in a real container: the integration
    test ``test_mii_consent.py``.)"""
    import os
    import subprocess
    import sys

    import pandas as pd

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root / "demonstrators")}
    out = tmp_path / "phenotypes.csv"
    done = subprocess.run(
        [sys.executable, "-c", AS_IN_THE_KERNEL, str(imported.folder), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"  # neither was loaded
    from_csv = pd.read_csv(out, index_col="patient_id", dtype={"patient_id": str})
    expected = evaluator.classify()
    assert from_csv.index.tolist() == expected.index.tolist()
    assert (from_csv[expected.columns] == expected).all().all()


def test_generating_in_the_workbench_says_to_use_a_mounted_dataset(tmp_path):
    from kimed_demos import phenotype

    with pytest.raises(FileNotFoundError, match="no imported FHIR tables"):
        phenotype.prepare_data(tmp_path, 10, 1, dataset_dir=str(tmp_path))
