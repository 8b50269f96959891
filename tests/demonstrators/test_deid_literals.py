"""The literal prefilter never skips a pattern that could match (issue 11 speed work).

:mod:`kimed_demos.deid.literals` proves from a pattern's syntax which strings every
match needs; the lean analyzer then skips the pattern in letters without them. These
tests check the proof on small patterns (including syntax it must refuse) and, for
every recognizer pattern as the engine compiles it, that no pattern matches a text the
prefilter would skip it in (held-out, training and all evaluation letters, also in
lower and upper case). What they do not prove: soundness on every possible text (the
argument is in the module docstring).
"""

from __future__ import annotations

import pytest

from kimed_demos.deid.literals import may_match, needed_literals


@pytest.mark.parametrize(
    "pattern, needed",
    [("Spedition|Hotel", {"Spedition", "Hotel"}), ("(?<![\\w-])Klinik\\w*", {"Klinik"}),
     ("a?b", {"b"}), ("Nr\\.?[ ]\\d+", {"Nr ", "Nr. "}),
     ("(?:Dr|Prof)\\.[ ]\\p{Lu}", {"Dr. ", "Prof. "}),
     ("\\p{Lu}\\p{Ll}++(?<=\\p{Ll}(?:ski|cki))", {"ski", "cki"}), ("x(?=Straße)", {"Straße"}),
     ("(?:Station|Stationär)[ ]\\d", {"Station ", "Stationär "}), ("[nN]r\\d", {"nr", "Nr"}),
     ("(?:Tel|Fax)\\K\\d+", {"Tel", "Fax"})],
)  # fmt: skip
def test_needed_literals_of_small_patterns(pattern, needed):
    assert needed_literals(pattern) == frozenset(needed)


@pytest.mark.parametrize(
    "pattern",
    ["\\d+", "(?!Herr)\\p{Lu}\\p{Ll}+", "(?i)klinik", "(?i:klinik)", "(?:Klinik){e<=1}",
     "[[:alpha:]]+x", "(?:Klinik)?\\d", "(\\w)\\1", "(?<!Dr\\.[ ])\\p{Lu}", "(?V1)[[a-z]--[aeiou]]",
     "\\P{Lu}x"],
)  # fmt: skip
def test_refuses_what_it_cannot_prove(pattern):
    """Case-insensitive, optional, negative, regex-only and unknown syntax: no literal."""
    assert needed_literals(pattern) is None


def test_case_insensitive_flag_gives_no_literal():
    import regex

    assert needed_literals("Klinik", regex.IGNORECASE) is None
    assert needed_literals("Klinik", regex.MULTILINE) == frozenset({"Klinik"})


def test_may_match_shares_what_it_found():
    present = {}
    assert may_match(frozenset({"Klinik", "Hotel"}), "Hotel am See", present)
    assert not may_match(frozenset({"Spedition"}), "Hotel am See", present)
    assert may_match(None, "", present)  # unknown: always run
    assert present["Hotel"] and not present["Spedition"]


@pytest.fixture(scope="module")
def texts(heldout):
    """Held-out, training and all evaluation letters, as written and in lower/upper case."""
    from kimed_demos.deid import generate_corpus
    from kimed_demos.deid.evalset import EVAL_DIR, read_jsonl_folder

    folders = sorted(EVAL_DIR.parent.glob("eval*/documents.jsonl"))
    sets = [d.text for f in folders for d in read_jsonl_folder(f.parent)]
    plain = [d.text for d in heldout] + sets + [d.text for d in generate_corpus("train", 100, 5)]
    return plain + [t.lower() for t in plain] + [t.upper() for t in plain]


def test_no_pattern_matches_where_the_prefilter_skips_it(patterns_only, texts):
    from kimed_demos.deid.analyzer import lean_analyzer

    compiled = [p for c in lean_analyzer(patterns_only.analyzer).compiled for p in c.patterns]
    with_literals = [p for p in compiled if p.needed is not None]
    assert len(with_literals) > 0.8 * len(compiled)  # the prefilter is really in use
    skipped = 0
    for text in texts:
        present = {}
        for p in with_literals:
            if not may_match(p.needed, text, present):
                skipped += 1
                assert p.regex.search(text) is None, (p.regex.pattern[:80], sorted(p.needed))
    assert skipped > len(texts) * 10  # the check is not vacuous
