"""The must-keep list: clinical vocabulary the de-identifier never removes.

The terms live in ``data/keep_terms.txt`` (reviewed as data, one term or ``re:``
pattern a line, see the file's header). :func:`keep_spans` finds them in a text with
one compiled expression; :mod:`.mentions` drops model findings and spread names that
fall inside them. Pattern recognizers are not filtered: "Dr. Barthel" stays a person.
"""

from __future__ import annotations

import functools
from pathlib import Path

import regex as re

from .leading import ANY_CAPITAL, first_characters, upper_led

KEEP_FILE = Path(__file__).with_name("data") / "keep_terms.txt"


def read_keep_file(path: Path = KEEP_FILE) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(terms, patterns) of a keep file; ValueError naming the line of a bad pattern."""
    terms, patterns = [], []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split(" #", 1)[0].strip() if not raw.startswith("re:") else raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("re:"):
            pattern = line[3:].strip()
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{path}:{number}: bad pattern {pattern!r}: {exc}") from exc
            patterns.append(pattern)
        else:
            terms.append(line)
    return tuple(terms), tuple(patterns)


_TOKEN = re.compile(r"(?<![\w-])\w[\w.-]*?(?=[.]?(?:[^\w.-]|$))")
# The same tokens, faster (no lazy run tried against a lookahead at every character):
# the whole run of word characters, dots and hyphens, less one final dot (a _TOKEN
# stops before a dot that ends its run, and only there).
_RUN = re.compile(r"(?<![\w-])\w[\w.-]*")


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) of every :data:`_TOKEN` match of ``text``, in order."""
    out = []
    for m in _RUN.finditer(text):
        start, end = m.span()
        word = m.group()
        if word[-1] == ".":
            word, end = word[:-1], end - 1
        out.append((start, end, word))
    return out


def _guarded(alternative: str) -> str:
    """``alternative`` behind a lookahead for the letters it must start with, if they are
    known ("(?:Escherichia|Klebsiella|...)": one class test instead of every word)."""
    first = first_characters(alternative)
    if not first or ANY_CAPITAL in first:
        return alternative
    return f"(?=[{''.join(re.escape(c) for c in sorted(first))}])(?:{alternative})"


def _dispatched(alternatives: list[str]) -> str:
    """One group equal to ``(?:A|B|...)``, faster: the alternatives that must start
    with a capital are tried only where one stands, and those led by known letters
    only where one of those stands (:func:`_guarded`).

    At a capital all alternatives are tried in their order; elsewhere only those that
    may start otherwise, in their order. An alternative left out cannot match there,
    so the first alternative that matches (and hence every match) is the same.
    """
    guarded = [_guarded(a) for a in alternatives]
    other = [g for a, g in zip(alternatives, guarded, strict=True) if not upper_led(a)]
    if len(other) == len(alternatives):
        return f"(?:{'|'.join(guarded)})"
    lower = f"|(?!\\p{{Lu}})(?:{'|'.join(other)})" if other else ""
    return f"(?:(?=\\p{{Lu}})(?:{'|'.join(guarded)}){lower})"


@functools.cache
def _compiled(path: Path = KEEP_FILE):
    """(one-word terms as a set, one expression for the patterns and multi-word terms).

    Most terms are one word: a set lookup per token is much faster than a large
    alternation, which cost more than the whole pattern analysis per letter.
    """
    from .engine import fast_form

    terms, patterns = read_keep_file(path)
    single = frozenset(t for t in terms if _TOKEN.fullmatch(t))
    multi = sorted((t for t in terms if t not in single), key=len, reverse=True)
    # Patterns led by a lookbehind ("after 'als'") get their own expression in \K form:
    # inside the alternation the engine would try the lookbehind at every position.
    labelled = [p for p in patterns if p.startswith("(?<=")]
    alternatives = [*(p for p in patterns if p not in labelled), *(re.escape(t) for t in multi)]
    expressions = [re.compile(rf"(?<![\w-]){_dispatched(alternatives)}(?![\w])", re.V0)]
    expressions += [re.compile(rf"{fast_form(p)}(?![\w])", re.V0) for p in labelled]
    return single, tuple(expressions)


@functools.cache
def keep_words(path: Path = KEEP_FILE) -> frozenset[str]:
    """The plain terms of the list (for quick word lookups)."""
    return frozenset(read_keep_file(path)[0])


def keep_spans(text: str, path: Path = KEEP_FILE) -> list[tuple[int, int]]:
    """[start, end) of every must-keep term in ``text``, sorted."""
    single, expressions = _compiled(path)
    spans = [(start, end) for start, end, word in tokens(text) if word in single]
    spans += [m.span() for expression in expressions for m in expression.finditer(text)]
    return sorted(spans)


@functools.cache
def keep_single_words(path: Path = KEEP_FILE) -> tuple[str, ...]:
    """The one-word terms, sorted: hard negatives for the training corpus."""
    return tuple(sorted(_compiled(path)[0]))
