"""Criteria rows (the page's and the widget's form) into phenotype definitions.

Exactness on data is checked in test_feasibility_portal.py against the ground truth; here
only the translation and its refusals."""

from __future__ import annotations

import pytest

from kimed_hub.interop.feasibility import cohort_definitions
from kimed_hub.interop.feasibility_rows import MAX_ROWS, RowError, criteria_from_rows


def test_rows_become_checked_definitions():
    rows = [
        {"kind": "medication", "codes": ["A10*", "C09AA05"], "at_least": 2, "within_days": 90},
        {"kind": "age", "min": 18, "max": 65},
        {"kind": "diagnosis", "codes": ["I10"], "exclude": True, "to": "2020-12-31"},
    ]
    criteria = criteria_from_rows(rows, "2024-12-31")
    assert set(criteria["inclusion"]) == {"c1", "c2"} and set(criteria["exclusion"]) == {"c3"}
    # A medication is a statement or an administration: each counted on its own.
    assert criteria["inclusion"]["c1"] == {
        "any_of": ["c1_medication_statement_n", "c1_medication_administration_n"]
    }
    assert criteria["phenotypes"]["c1_medication_statement"]["single"]["codes"] == {
        "system": "atc",
        "codes": ["C09AA05"],
        "prefixes": ["A10"],
    }
    definitions = cohort_definitions(criteria)  # the engine's own checks accept them
    assert str(definitions.reference_date) == "2024-12-31"
    assert definitions.phenotypes["c3_condition"].spec["period"]["to"].year == 2020


def test_every_problem_is_named_by_row_and_field():
    rows = [
        {"kind": "lab", "codes": ["4548-4"], "min": "six"},
        {"kind": "x-ray"},
        {"kind": "age"},
        {"kind": "diagnosis", "codes": ["E11"], "within_days": 30, "colour": "red"},
    ]
    with pytest.raises(RowError) as refused:
        criteria_from_rows(rows)
    message = str(refused.value)
    for expected in (
        "criteria[0].min: must be a number",
        "criteria[1].kind: 'x-ray' is not one of",
        "criteria[2]: an age criterion needs min and/or max",
        "criteria[3].within_days: give at_least too",
        "criteria[3].colour: unknown field",
    ):
        assert expected in message
    with pytest.raises(RowError, match="at least one row must include"):
        criteria_from_rows([{"kind": "age", "min": 1, "exclude": True}])
    with pytest.raises(RowError, match=f"at most {MAX_ROWS} rows"):
        criteria_from_rows([{"kind": "age", "min": 1}] * (MAX_ROWS + 1))


def test_codes_are_checked_by_the_engine():
    criteria = criteria_from_rows([{"kind": "procedure", "codes": ["not-a-code"]}])
    with pytest.raises(ValueError, match="not a well-formed code"):
        cohort_definitions(criteria)
