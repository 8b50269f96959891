"""The scorecard's arithmetic on hand-made findings (no model, no recognizers).

What this proves: each figure of the issue-11 table counts what its row says -
overlap recall, whole-mention removal per person kind, documents with a surviving
patient or relative name word, precision, must-keep terms removed, the age policy.
"""

from __future__ import annotations

import pytest

from kimed_demos.deid.entities import Finding
from kimed_demos.deid.evalset import parse_markup
from kimed_demos.deid.policy import age_is_identifying
from kimed_demos.deid.scorecard import main, score

DOC = parse_markup(
    "Herr ⟦P:Karl von Hagen⟧ (⟦A:93⟧ J.), Tochter ⟦R:Ina⟧, Dr. ⟦S:Kern⟧ am ⟦D:12.3.⟧, "
    "⟦K:Apgar⟧ 9/10, ⟦A:45⟧ Jahre",
    "d1",
)


def _at(word: str, kind: str = "PERSON") -> Finding:
    start = DOC.text.index(word)
    return Finding(start, start + len(word), kind, 0.9)


def test_partial_name_removal_is_a_leak_but_counts_for_overlap_recall():
    found = [_at("Karl"), _at("Ina"), _at("Kern"), _at("12.3.", "DATE"), _at("93", "AGE")]
    card = score([DOC], [found])
    assert card.recall() == 1.0  # every identifier touched ...
    assert card.whole["patient"] == 0  # ... but "von Hagen" survives
    assert card.leaking_docs == ["d1"]
    assert card.whole["relative"] == 1 and card.whole["staff"] == 1


def test_precision_keep_terms_and_age_policy():
    found = [_at("Karl von Hagen"), _at("Apgar"), _at("45", "AGE")]
    over89 = score([DOC], [found], age_policy="over89")
    assert over89.keep_removed == ["d1: 'Apgar'"]
    assert over89.precision() == pytest.approx(2 / 3)  # the age 45 is ignored, not wrong
    assert over89.gold_by_type["AGE"] == 1
    every = score([DOC], [found], age_policy="all")
    assert every.gold_by_type["AGE"] == 2
    assert age_is_identifying("93", "over89") and not age_is_identifying("45", "over89")
    with pytest.raises(ValueError, match="unknown age policy"):
        age_is_identifying("45", "some")


def test_table_names_every_row_and_the_command_refuses_a_bad_folder(tmp_path, capsys):
    table = score([DOC], [[]]).to_markdown()
    for row in ("entity recall", "every word removed", "survives", "precision", "clinical terms"):
        assert row in table
    with pytest.raises(ValueError, match="no \\*.jsonl"):
        main([str(tmp_path), "--patterns-only"])
