"""Quality on the independent evaluation sets (eleven sets of hand-written letters, issue 11).

Thresholds sit below the measured figures with a margin (docs/demonstrators/deid.md,
"Independent evaluation"): the rules alone are deterministic, so their margin only
guards against small drift; the session model's figures vary with the training seed,
so its thresholds are below the lowest of three seeds. A failure means a real
regression, not an unlucky seed. What this does not prove: quality on letters of
another house - annotate a sample and run the scorecard on it.
"""

from __future__ import annotations

import pytest

from kimed_demos.deid import Deidentifier
from kimed_demos.deid.evalset import (
    EVAL2_DIR,
    EVAL3_DIR,
    EVAL4_DIR,
    EVAL5_DIR,
    EVAL6_DIR,
    EVAL7_DIR,
    EVAL8_DIR,
    EVAL9_DIR,
    EVAL10_DIR,
    EVAL11_DIR,
    EVAL_DIR,
)
from kimed_demos.deid.scorecard import evaluate_folder

# measured (rules alone): recall 0.969, whole patients+relatives 61/62, staff 115/124,
# leaking documents 1, precision 0.994, terms removed 0, DATE 0.993, ID 1.0, PHONE 1.0
RULES = {"recall": 0.94, "whole_pr": 0.95, "whole_staff": 0.90, "leaks": 2,
         "precision": 0.96, "keep_removed": 6, "DATE": 0.97, "ID": 0.95, "PHONE": 0.95}  # fmt: skip
# measured (session model, training seeds 13 / 1 / 2; the smaller network of issue 11's
# speed work): recall 0.982 / 0.980 / 0.984, whole patients+relatives 62 / 61 / 62 of 62,
# staff 121 of 124 for all three, leaking documents 0 / 1 / 0, precision 0.926 / 0.921 /
# 0.902, terms removed 3 / 3 / 6, DATE 0.993, ID and PHONE 1.0 for all three
MODEL = {"recall": 0.95, "whole_pr": 0.95, "whole_staff": 0.93, "leaks": 2, "precision": 0.87,
         "keep_removed": 14, "DATE": 0.97, "ID": 0.95, "PHONE": 0.95}  # fmt: skip


def _check(card, limits):
    """Assert every figure of ``card`` is within ``limits``; the table in the message."""
    table = card.to_markdown()
    pr = (card.whole["patient"] + card.whole["relative"]) / (
        card.mentions["patient"] + card.mentions["relative"]
    )
    assert card.recall() >= limits["recall"], table
    assert pr >= limits["whole_pr"], table
    assert card.whole["staff"] / card.mentions["staff"] >= limits["whole_staff"], table
    assert len(card.leaking_docs) <= limits["leaks"], (card.leaking_docs, table)
    assert card.precision() >= limits["precision"], table
    assert len(card.keep_removed) <= limits["keep_removed"], (card.keep_removed, table)
    for kind in ("DATE", "ID", "PHONE"):
        assert card.recall(kind) >= limits[kind], (kind, table)


# Second set (eval2, written after the first was used; figures measured blind first, then
# after generic fixes, see eval2/GUIDELINE.md). Rules alone, measured: recall 0.920, whole
# patients+relatives 51/56, staff 69/82, leaking documents 4, precision 0.982, terms
# removed 1, DATE 0.969, ID 1.0, PHONE 1.0.
RULES2 = {"recall": 0.89, "whole_pr": 0.85, "whole_staff": 0.80, "leaks": 6, "precision": 0.95,
          "keep_removed": 4, "DATE": 0.94, "ID": 0.95, "PHONE": 0.95}  # fmt: skip


# Second set, session model (training seeds 13 / 1 / 2): recall 0.947 / 0.954 / 0.954,
# whole patients+relatives 52 / 55 / 53 of 56, staff 73 / 72 / 73 of 82, leaking
# documents 4 / 1 / 3, precision 0.900 / 0.902 / 0.910, terms removed 5 / 5 / 8,
# DATE 0.969, ID and PHONE 1.0 for all three.
MODEL2 = {"recall": 0.92, "whole_pr": 0.88, "whole_staff": 0.83, "leaks": 5, "precision": 0.86,
          "keep_removed": 11, "DATE": 0.94, "ID": 0.95, "PHONE": 0.95}  # fmt: skip


# Third set (eval3; blind at first, written and committed before the pipeline ran on it,
# see eval3/GUIDELINE.md). It is NO LONGER BLIND: the fourth round of rules (docs, "Fourth
# round") was written after reading its misses, as classes. These are REGRESSION FLOORS
# set well below what the code of that round measures (margins of 3-10 points, so that a
# failure means a real regression), not goals. Blind figures before that round: rules
# alone recall 0.879, session model 0.884-0.897. Measured after it, rules alone: recall
# 0.987, whole patients+relatives 66/66, staff 100/104, leaking documents 0, precision
# 0.993, terms removed 1, DATE 0.993, ID 1.0, PHONE 1.0.
RULES3 = {"recall": 0.94, "whole_pr": 0.92, "whole_staff": 0.88, "leaks": 2, "precision": 0.96,
          "keep_removed": 4, "DATE": 0.95, "ID": 0.93, "PHONE": 0.93}  # fmt: skip
# Session model after the fourth round (training seeds 13 / 1 / 2): recall 0.992 for all
# three, whole patients+relatives 66 of 66 and staff 104 of 104 for all three, leaking
# documents 0, precision 0.958 / 0.950 / 0.935, terms removed 5 / 9 / 12 of 223, DATE
# 0.993, ID and PHONE 1.0 for all three. Floors below the lowest seed.
MODEL3 = {"recall": 0.95, "whole_pr": 0.93, "whole_staff": 0.93, "leaks": 2, "precision": 0.88,
          "keep_removed": 20, "DATE": 0.95, "ID": 0.93, "PHONE": 0.93}  # fmt: skip


# Fourth set (eval4: structured and unusual documents; blind at first, NO LONGER BLIND:
# its classes were fixed after reading its misses, see docs/demonstrators/deid.md,
# "Structured and unusual documents"). Regression floors well below the figures measured
# after that work, not goals. Rules alone, measured: recall 0.948, whole patients+relatives
# 95/103, staff 160/176, leaking documents 5, precision 0.982, terms removed 5 of 286,
# DATE 1.0, ID 0.934, PHONE 1.0.
RULES4 = {"recall": 0.88, "whole_pr": 0.78, "whole_staff": 0.80, "leaks": 12, "precision": 0.95,
          "keep_removed": 9, "DATE": 0.95, "ID": 0.80, "PHONE": 0.93}  # fmt: skip
# Session model, one training seed (13): recall 0.960, whole patients+relatives 96/103,
# staff 164/176, leaking documents 5, precision 0.922, terms removed 21 of 286, DATE
# 0.994, ID 0.918, PHONE 1.0. One seed only, so the margins are wider than above.
MODEL4 = {"recall": 0.90, "whole_pr": 0.80, "whole_staff": 0.85, "leaks": 12, "precision": 0.86,
          "keep_removed": 35, "DATE": 0.95, "ID": 0.80, "PHONE": 0.93}  # fmt: skip


# Fifth set (eval5: typical hospital letters), measured blind once on the code that first
# met it (see eval5/GUIDELINE.md and the docs). Regression floors well below those blind
# figures, not goals. Rules alone: recall 0.963, whole patients+relatives 65/66, staff
# 145/154, leaking documents 1, precision 0.972, terms removed 6 of 285, DATE 0.983, ID
# 0.952, PHONE 1.0.
RULES5 = {"recall": 0.93, "whole_pr": 0.93, "whole_staff": 0.90, "leaks": 3, "precision": 0.95,
          "keep_removed": 10, "DATE": 0.95, "ID": 0.90, "PHONE": 0.95}  # fmt: skip
# Session model, one training seed (13): recall 0.979, whole 65/66 and 150/154, leaking
# documents 1, precision 0.903, terms removed 20 of 285, DATE 0.983, ID 0.952, PHONE 1.0.
# One seed only (the model's wrong removals vary most between seeds), so wider margins.
MODEL5 = {"recall": 0.94, "whole_pr": 0.93, "whole_staff": 0.92, "leaks": 3, "precision": 0.85,
          "keep_removed": 32, "DATE": 0.95, "ID": 0.90, "PHONE": 0.95}  # fmt: skip


# Sixth set (eval6: typical letters of other departments and eight new styles: chat, CSV
# export, roster, invoice ...), measured blind once at the start of the session after the
# one that wrote it (eval6/GUIDELINE.md): rules alone recall 0.891, whole 80/89 and
# 146/181, leaking documents 3, precision 0.979, terms removed 3 of 281, ID 0.833. The
# sixth round's classes were then written from its misses (no longer blind): eval6's
# missed identifiers, and evidence of a name for model findings. Measured after both,
# rules alone: recall 0.979, whole patients+relatives 87/89, staff 174/181, leaking
# documents 2, precision 0.985, terms removed 0 of 281, DATE, ID and PHONE 1.0. Floors
# well below, not goals; the terms ceiling holds the round's gain with a small margin.
RULES6 = {"recall": 0.94, "whole_pr": 0.93, "whole_staff": 0.91, "leaks": 4, "precision": 0.95,
          "keep_removed": 3, "DATE": 0.95, "ID": 0.93, "PHONE": 0.95}  # fmt: skip
# Session model, one training seed (13), after the sixth round: recall 0.992, whole 88/89
# and 180/181, leaking documents 1, precision 0.956, terms removed 1 of 281, DATE, ID and
# PHONE 1.0 (blind: 0.930, 81/89, 166/181, 2, 0.917, 20 terms, ID 0.833). One seed only
# (the model's wrong removals vary most between seeds), so wider margins.
MODEL6 = {"recall": 0.95, "whole_pr": 0.93, "whole_staff": 0.93, "leaks": 4, "precision": 0.88,
          "keep_removed": 10, "DATE": 0.95, "ID": 0.93, "PHONE": 0.95}  # fmt: skip


# Seventh set (eval7: typical letters of sixteen more departments and eight new styles:
# screening log, vaccination record, police protocol ...), measured blind once on the
# sixth round's code (eval7/GUIDELINE.md). Floors well below those blind figures, not
# goals. Rules alone: recall 0.899, whole patients+relatives 65/75, staff 126/139, leaking
# documents 5, precision 0.972, terms removed 6 of 350, DATE 0.988, ID 0.647, PHONE 1.0.
# After the seventh round (eval7 read: its missed identifiers and its wrongly removed
# clinical words fixed as classes), merged code, rules alone: recall 0.983, whole 74/75
# and 138/139, leaking documents 1, precision 0.984, terms removed 0, DATE 0.994, ID
# 0.971, PHONE 1.0. Floors well below, as the set is no longer blind.
RULES7 = {"recall": 0.94, "whole_pr": 0.93, "whole_staff": 0.90, "leaks": 3, "precision": 0.95,
          "keep_removed": 2, "DATE": 0.95, "ID": 0.93, "PHONE": 0.95}  # fmt: skip
# Session model, one training seed (13): recall 0.913, whole 67/75 and 133/139, leaking
# documents 3, precision 0.917, terms removed 24 of 350, DATE 0.988, ID 0.647, PHONE 1.0
# (blind); after the seventh round 0.987, 75/75 and 139/139, 0, 0.967, 4 terms, ID 0.971.
# One seed only, so wider margins.
MODEL7 = {"recall": 0.95, "whole_pr": 0.93, "whole_staff": 0.93, "leaks": 3, "precision": 0.88,
          "keep_removed": 10, "DATE": 0.95, "ID": 0.93, "PHONE": 0.95}  # fmt: skip


# Eighth set (eval8: typical letters of sixteen more departments and eight new styles:
# home-ventilation report, hospice certificate, cancer registry, maternity record, social
# court opinion, IfSG notification, consent with interpreter, advance directive),
# measured blind once on the seventh round's code (eval8/GUIDELINE.md). Floors well below
# those blind figures, not goals. Rules alone: recall 0.942, whole patients+relatives
# 73/84, staff 108/117, leaking documents 8, precision 0.978, terms removed 9 of 263, DATE
# 1.0, ID 0.911, PHONE 1.0. After the eighth round (surnames that are words; eval8 is
# no longer blind): recall 0.962, whole 81/84, leaking 3, precision 0.987, terms removed 3,
# ID 1.0.
RULES8 = {"recall": 0.93, "whole_pr": 0.88, "whole_staff": 0.87, "leaks": 8, "precision": 0.96,
          "keep_removed": 7, "DATE": 0.95, "ID": 0.95, "PHONE": 0.95}  # fmt: skip
# Session model, one training seed (13): recall 0.959, whole 76/84 and 113/117, leaking
# documents 5, precision 0.936, terms removed 28 of 263, DATE 1.0, ID 0.911, PHONE 1.0;
# after the eighth round: recall 0.975, whole 82/84, leaking 2, precision 0.949, terms
# removed 19, ID 1.0.
MODEL8 = {"recall": 0.94, "whole_pr": 0.90, "whole_staff": 0.91, "leaks": 6, "precision": 0.90,
          "keep_removed": 30, "DATE": 0.95, "ID": 0.95, "PHONE": 0.95}  # fmt: skip


# Ninth set (eval9: sixteen more departments and services and eight new styles: pharmacy
# fax, valuables inventory, family conference, dispatch log, lawyer's request, school
# accident, GP day list, biobank withdrawal), measured blind once, first thing in the
# ninth round, on the eighth round's code (eval9/GUIDELINE.md). Floors well below those
# blind figures, not goals. Rules alone: recall 0.909, whole patients+relatives 89/94,
# staff 125/145, leaking documents 5, precision 0.983, terms removed 4 of 254, DATE 0.994,
# ID 0.904, PHONE 1.0. After the ninth round (both halves; eval9 is no longer blind):
# recall 1.000, whole 94/94 and 145/145, leaking 0, precision 0.995, terms removed 0,
# ID 1.0. Floors stay well below: these are figures on letters that were read.
RULES9 = {"recall": 0.93, "whole_pr": 0.95, "whole_staff": 0.93, "leaks": 3, "precision": 0.97,
          "keep_removed": 3, "DATE": 0.95, "ID": 0.95, "PHONE": 0.95}  # fmt: skip
# Session model, one training seed (13): recall 0.925, whole 89/94 and 130/145, leaking
# documents 5, precision 0.958, terms removed 13 of 254, DATE 0.994, ID 0.904, PHONE 1.0;
# after the ninth round (both halves): recall 0.999, whole 94/94 and 144/145, leaking 0,
# precision 0.978, terms removed 8, ID 1.0.
MODEL9 = {"recall": 0.94, "whole_pr": 0.95, "whole_staff": 0.93, "leaks": 3, "precision": 0.95,
          "keep_removed": 13, "DATE": 0.95, "ID": 0.95, "PHONE": 0.95}  # fmt: skip


# Tenth set (eval10: sixteen more departments and eight new styles: sick note with its
# log, blood-pressure diary, needle-stick form, kindergarten medication agreement, M&M
# slides, admission master sheet with labels, dictation worklist, GDPR notice), measured
# blind once on the ninth round's code (eval10/GUIDELINE.md). Floors well below those
# blind figures, not goals. Rules alone: recall 0.891, whole patients+relatives 82/89,
# staff 113/136, leaking documents 7, precision 0.978, terms removed 10 of 258, DATE
# 0.977, ID 0.730, PHONE 1.0.
# Round ten (both halves; eval10 is no longer blind): recall 0.981, whole 85/89 and
# 131/136, leaking 4, precision 0.990, terms removed 4, ID 0.937.
RULES10 = {"recall": 0.93, "whole_pr": 0.91, "whole_staff": 0.92, "leaks": 6, "precision": 0.96,
           "keep_removed": 8, "DATE": 0.95, "ID": 0.88, "PHONE": 0.95}  # fmt: skip
# Session model, one training seed (13): recall 0.903, whole 84/89 and 119/136, leaking
# documents 5, precision 0.929, terms removed 21 of 258, DATE 0.977, ID 0.730, PHONE 1.0.
# Round ten (both halves): recall 0.988, whole 87/89 and 134/136, leaking 2, precision
# 0.959, terms removed 8, ID 0.937.
MODEL10 = {"recall": 0.94, "whole_pr": 0.93, "whole_staff": 0.94, "leaks": 4, "precision": 0.93,
           "keep_removed": 14, "DATE": 0.95, "ID": 0.88, "PHONE": 0.95}  # fmt: skip


# Eleventh set (eval11: sixteen more departments and eight new styles: care-level
# assessment, telephone notes, bed-exchange printout, complaint and answer, blister order,
# birth notification, interpreter booking e-mail, calendar export), measured blind once on
# the tenth round's code (eval11/GUIDELINE.md). Floors well below those blind figures, not
# goals. Rules alone: recall 0.925, whole patients+relatives 82/91, staff 133/150, leaking
# documents 7, precision 0.978, terms removed 1 of 252, DATE 0.975, ID 0.968, PHONE 0.977;
# after round eleven (both halves; eval11 is no longer blind): recall 0.973, whole 87/91
# and 139/150, leaking 3, precision 0.988, terms removed 0, ID 0.984.
RULES11 = {"recall": 0.93, "whole_pr": 0.88, "whole_staff": 0.85, "leaks": 7, "precision": 0.95,
           "keep_removed": 4, "DATE": 0.95, "ID": 0.93, "PHONE": 0.95}  # fmt: skip
# Session model, one training seed (13): recall 0.942, whole 83/91 and 140/150, leaking
# documents 7, precision 0.935, terms removed 9 of 252, DATE 0.975, ID 0.968, PHONE 0.977.
# After round eleven (both halves): recall 0.988, whole 88/91 and 146/150, leaking 3,
# precision 0.954, terms removed 6, ID 0.984.
MODEL11 = {"recall": 0.95, "whole_pr": 0.90, "whole_staff": 0.93, "leaks": 5, "precision": 0.92,
           "keep_removed": 10, "DATE": 0.95, "ID": 0.93, "PHONE": 0.95}  # fmt: skip


# Every set with its floors: rules alone, session model.
FLOORS = {
    "eval": (EVAL_DIR, RULES, MODEL),
    "eval2": (EVAL2_DIR, RULES2, MODEL2),
    "eval3": (EVAL3_DIR, RULES3, MODEL3),
    "eval4": (EVAL4_DIR, RULES4, MODEL4),
    "eval5": (EVAL5_DIR, RULES5, MODEL5),
    "eval6": (EVAL6_DIR, RULES6, MODEL6),
    "eval7": (EVAL7_DIR, RULES7, MODEL7),
    "eval8": (EVAL8_DIR, RULES8, MODEL8),
    "eval9": (EVAL9_DIR, RULES9, MODEL9),
    "eval10": (EVAL10_DIR, RULES10, MODEL10),
    "eval11": (EVAL11_DIR, RULES11, MODEL11),
}


@pytest.mark.parametrize("name", FLOORS)
def test_rules_alone_above_the_floors(name, patterns_only):
    folder, rules, _ = FLOORS[name]
    _check(evaluate_folder(folder, patterns_only), rules)


@pytest.mark.parametrize("name", FLOORS)
def test_session_model_above_the_floors(name, deidentifier):
    folder, _, model = FLOORS[name]
    _check(evaluate_folder(folder, deidentifier), model)


def test_all_ages_policy_on_the_independent_set():
    """Every age counts under "all": 14 in the set, 12 found (measured; two stand
    without a unit, "Tochter (19)")."""
    card = evaluate_folder(EVAL_DIR, Deidentifier(None, age_policy="all"), age_policy="all")
    assert card.gold_by_type["AGE"] == 14
    assert card.recall("AGE") >= 0.8, card.to_markdown()
