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


class _KeepExpressions:
    """The keep list's expressions: one alternation of the patterns and multi-word terms,
    one expression per pattern led by a lookbehind, and a Hyperscan prefilter of all
    of them (:mod:`.prefilter`, eighth speed round).

    The prefilter names the alternatives that can match a text; the alternation of
    only those, in their order, finds the same spans: an alternative that matches
    nowhere in the text is never the first one that matches (about 9 of 48 per bench
    letter; 1.2-1.5 ms a letter down to 0.4). Texts the prefilter cannot judge use
    the whole alternation.
    """

    def __init__(self, alternatives: list[str], labelled: list[str]):
        from ..locations import cache_dir
        from .engine import fast_form
        from .prefilter import Prefilter

        self.alternatives = alternatives
        self.whole = self._alternation(tuple(range(len(alternatives))))
        self.labelled = [re.compile(rf"{fast_form(p)}(?![\w])", re.V0) for p in labelled]
        rows = [rf"(?<![\w-])(?:{a})(?![\w])" for a in alternatives]
        rows += [p.pattern for p in self.labelled]
        self.prefilter = Prefilter([(r, re.V0) for r in rows], cache_dir() / "hyperscan")

    @functools.lru_cache(maxsize=512)  # noqa: B019 - one instance per keep file, kept
    def _alternation(self, chosen: tuple[int, ...]):
        """The alternation of the ``chosen`` alternatives (None for none)."""
        if not chosen:
            return None
        alternatives = [self.alternatives[i] for i in chosen]
        return re.compile(rf"(?<![\w-]){_dispatched(alternatives)}(?![\w])", re.V0)

    def for_text(self, text: str) -> list:
        """The expressions to run over ``text``: the same spans as all of them."""
        possible = self.prefilter.candidates(text)
        if possible is None:
            return [self.whole, *self.labelled]
        n = len(self.alternatives)
        chosen = tuple(i for i in range(n) if i in possible)
        labelled = [e for i, e in enumerate(self.labelled, n) if i in possible]
        alternation = self._alternation(chosen)
        return labelled if alternation is None else [alternation, *labelled]


@functools.cache
def _compiled(path: Path = KEEP_FILE) -> tuple[frozenset[str], _KeepExpressions]:
    """(one-word terms as a set, the expressions for the patterns and multi-word terms).

    Most terms are one word: a set lookup per token is much faster than a large
    alternation, which cost more than the whole pattern analysis per letter.
    """
    terms, patterns = read_keep_file(path)
    single = frozenset(t for t in terms if _TOKEN.fullmatch(t))
    multi = sorted((t for t in terms if t not in single), key=len, reverse=True)
    # Patterns led by a lookbehind ("after 'als'") get their own expression in \K form:
    # inside the alternation the engine would try the lookbehind at every position.
    labelled = [p for p in patterns if p.startswith("(?<=")]
    alternatives = [*(p for p in patterns if p not in labelled), *(re.escape(t) for t in multi)]
    return single, _KeepExpressions(alternatives, labelled)


@functools.cache
def keep_words(path: Path = KEEP_FILE) -> frozenset[str]:
    """The plain terms of the list (for quick word lookups)."""
    return frozenset(read_keep_file(path)[0])


def keep_spans(text: str, path: Path = KEEP_FILE) -> list[tuple[int, int]]:
    """[start, end) of every must-keep term in ``text``, sorted."""
    single, expressions = _compiled(path)
    spans = [(start, end) for start, end, word in tokens(text) if word in single]
    for expression in expressions.for_text(text):
        spans += [m.span() for m in expression.finditer(text)]
    return sorted(spans)


@functools.cache
def keep_single_words(path: Path = KEEP_FILE) -> tuple[str, ...]:
    """The one-word terms, sorted: hard negatives for the training corpus."""
    terms = read_keep_file(path)[0]
    return tuple(sorted(t for t in terms if _TOKEN.fullmatch(t)))
