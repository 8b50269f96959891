"""Patterns written for speed match exactly what their plain forms match.

Some recognizer and keep-list patterns are written in forms that the regex engine runs
faster (bench/deid.py, issue 11): possessive runs (``\\p{Ll}++``), a word ending checked
by a lookbehind after the run, and cheap lookaheads in front ("guards"). This module
turns each back into its plain form and compares the matches of both on held-out
letters, both evaluation sets and training letters: a speed form that matched anything
else would show here. What it does not prove: equality on every possible text (the
argument for each form is in the comment beside it).
"""

from __future__ import annotations

import pytest
import regex as re

from kimed_demos.deid.evalset import EVAL2_DIR, EVAL_DIR, read_jsonl_folder

#: Lookaheads put in front of patterns only for speed; the plain form has none.
GUARDS = (
    r"(?=\d)",
    r"(?=[A-Z0-9])",
    r"(?=[\p{L}.-]++[ \t]?\d)",
    r"(?=[\p{L}-]{2,10}[ ](?:aktuell[ ])?\d{1,2}/)",
    r"(?=[\p{Lu}])",
    r"(?=[nNIkK])",
)
_ENDING = re.compile(r"\\p\{Ll\}\+\+\(\?<=\\p\{Ll\}(\(\?:[^()]*\))\)")


def plain_form(pattern: str) -> str:
    """``pattern`` without guards, possessive runs and ending lookbehinds."""
    for guard in GUARDS:
        pattern = pattern.replace(guard, "")
    pattern = _ENDING.sub(lambda m: r"\p{Ll}+" + m.group(1), pattern)
    return pattern.replace("]++", "]+").replace("}++", "}+").replace("]*+", "]*")


def speed_forms() -> list[tuple[str, str, int]]:
    """(name, pattern, flags) of every recognizer and keep pattern written for speed."""
    from kimed_demos.deid import Deidentifier
    from kimed_demos.deid.keeplist import read_keep_file

    recognizers = Deidentifier(None).analyzer.registry.recognizers
    found = [
        (f"{r.name}: {p.name}", p.regex, r.global_regex_flags)
        for r in recognizers
        for p in getattr(r, "patterns", [])
    ]
    # As keeplist.py matches them: whole words only.
    whole = [rf"(?<![\w-])(?:{p})(?![\w])" for p in read_keep_file()[1] if not p.startswith("(?<=")]
    found += [(f"keep: {p[13:44]}", p, re.V0) for p in whole]
    return [f for f in found if plain_form(f[1]) != f[1]]


@pytest.fixture(scope="module")
def texts(heldout):
    """Held-out letters, both evaluation sets and training letters."""
    from kimed_demos.deid import generate_corpus

    sets = [d.text for folder in (EVAL_DIR, EVAL2_DIR) for d in read_jsonl_folder(folder)]
    train = [d.text for d in generate_corpus("train", 200, 13)]
    return [d.text for d in heldout] + sets + train


def test_there_are_speed_forms_to_check():
    names = [name for name, _, _ in speed_forms()]
    assert len(names) >= 10, names  # the plain-form rewrite recognised them


@pytest.mark.parametrize("name, pattern, flags", speed_forms(), ids=lambda v: str(v)[:40])
def test_speed_form_matches_plain_form(name, pattern, flags, texts):
    fast, plain = re.compile(pattern, flags), re.compile(plain_form(pattern), flags)
    for text in texts:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


@pytest.mark.parametrize(
    "pattern, led",
    [("N?STEMI", True), ("\\p{Lu}\\p{Ll}+", True), ("(?:Ab|Cd)x", True), ("(?!Mai)\\p{Lu}", True),
     ("N?xy", False), ("Foo|bar", False), ("(?:A|b)", False), ("(?:A|B)?C", False),
     ("\\p{Lu}?x", False), ("(?:A\\(|b)", False), ("[IVX]+", False), ("A*b", False),
     ("(?i)Abc", False), ("(?:A[|]|b)", False), ("(?<![\\w-])\\b\\p{Lu}", True), ("^A", True),
     ("^", False), ("(?<=x)", False), ("A{0,2}B", False), ("A{,2}B", False), ("(?:A|)B", False)],
)  # fmt: skip
def test_upper_led_is_conservative(pattern, led):
    """Only patterns whose every match starts with a capital count as upper-led."""
    from kimed_demos.deid.leading import upper_led

    assert upper_led(pattern) is led


@pytest.mark.parametrize(
    "pattern, first",
    [("N?STEMI", "NS"), ("(?:Mini|modified)x", "Mm"), ("(?<=a)\\b(?:Ab|Cd)", "AC"),
     ("\\p{Lu}x|Ab", None), ("(?:A|B)?C", None), ("[AB]x", None), ("(?i)Ab", None)],
)  # fmt: skip
def test_first_characters(pattern, first):
    """Literal first letters are known; any capital or a class is reported as such or
    unknown."""
    from kimed_demos.deid.leading import first_characters

    found = first_characters(pattern)
    if first is None:
        assert found is None or "\\p{Lu}" in found
    else:
        assert found == frozenset(first)


def test_keep_dispatch_finds_what_the_plain_alternation_finds(texts):
    """The keep list's alternation split by the first letter (speed) matches the same
    spans as the plain one, also on the texts in lower and upper case."""
    from kimed_demos.deid.keeplist import _compiled, read_keep_file

    plain = [p for p in read_keep_file()[1] if not p.startswith("(?<=")]
    plain = re.compile(rf"(?<![\w-])(?:{'|'.join(plain)})(?![\w])", re.V0)
    fast = _compiled()[1].whole
    assert fast.pattern != plain.pattern  # the dispatch is really in use
    found = 0
    for text in [*texts, *(t.lower() for t in texts), *(t.upper() for t in texts)]:
        spans = [m.span() for m in fast.finditer(text)]
        assert spans == [m.span() for m in plain.finditer(text)]
        found += len(spans)
    assert found > 500


def test_signed_initials_found_where_a_scan_finds_them(texts):
    """Initials looked for where they stand equal a scan of the whole text."""
    from kimed_demos.deid.spread import _SIGNED, signed_matches

    extra = ["Visite (LH), Pflege\tLH\t| lh |  LH  \n(JdB)\tab\nLHz\t(LH)(lh)  jdb"]
    found = 0
    for text in [*texts, *extra]:
        names = {m.group() for m in _SIGNED.finditer(text)} | {"LH", "lh", "JdB", "AB", "Lo"}
        for some in (names, {"LH", "lh"}):
            scan = [m.span() for m in _SIGNED.finditer(text) if m.group() in some]
            assert [m.span() for m in signed_matches(text, some)] == scan
            found += len(scan)
    assert found > 20


def test_keep_tokens_equal_the_lazy_token_pattern(texts):
    """The keep list's token scan (whole run less a final dot) finds the tokens of
    its plain lazy pattern, also in lower and upper case and at odd edges."""
    from kimed_demos.deid.keeplist import _TOKEN, tokens

    edges = ["z.B. ab.. -x Nr.-3 a.", "ende.", "x..y. .a", "Ä-Ö.ü.\n", "1.2.3. 4"]
    for text in [*texts, *(t.lower() for t in texts), *(t.upper() for t in texts), *edges]:
        assert tokens(text) == [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
