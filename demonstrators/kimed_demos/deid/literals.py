"""Literal text that every text a regex matches in contains (a per-letter prefilter, issue 11).

Most recognizer patterns cannot match most letters: "Spedition X" needs "Spedition",
an e-mail address needs "@", a labelled number one of its labels. Scanning a letter
with such a pattern still costs the regex engine a try at every position; 117
patterns did that, 1.2 of their 2.5 ms per letter went to patterns that found
nothing in any of 300 bench letters. :func:`needed_literals` proves from a pattern's
syntax a set of strings one of which every match contains ("Nr" or "nummer" or ...);
where none of them occurs in a letter (``str`` containment, a fast C search), the
pattern cannot match there and is not run (:mod:`.engine`).

The proof is syntactic and conservative. The pattern is parsed by Python's own
``re`` parser after ``\\p{..}`` classes are widened to ``\\w`` and ``\\K`` dropped
(both keep the set of matched texts a superset, and a literal every match of the
superset contains is in every match of the original). Anything the parser does not
know, case-insensitive matching, ``regex``-only syntax (fuzzy matching, POSIX
classes, set operations), back references: no literal, the pattern always runs.
Only literal characters and small character classes become literals. The literals of
a positive lookaround count (the letter contains them, if not the match); those of a
negative one do not.
"""

from __future__ import annotations

import functools
import re
import warnings
from itertools import product
from re import _constants as C  # noqa: N812
from re import _parser

#: Largest set of exact strings carried through the analysis (a cross product grows).
MAX_STRINGS = 64
#: Largest character class taken as a set of one-character literals ("[nN]").
MAX_CLASS = 8
#: Syntax of the ``regex`` module that Python's parser would misread.
_REGEX_ONLY = ("(?V", "(?r", "(?f", "(?w", "(?p", "(?i", "(?-i", "(?x", "[:", "{e", "{i",
               "{d", "{s", "\\L<", "(?&", "(?(", "(?|", "\\X", "\\m", "\\M", "\\G")  # fmt: skip
_ESCAPE = re.compile(r"\\(?:p\{\w+\}|K|.)", re.DOTALL)
_CASE_FLAGS = re.IGNORECASE | re.VERBOSE


class _Info:
    """What a part of a pattern matches: all its texts (``exact``, if few) and a set
    of strings one of which each of its matches contains (``need``); None: unknown."""

    __slots__ = ("exact", "need")

    def __init__(self, exact: frozenset[str] | None = None, need: frozenset[str] | None = None):
        self.exact, self.need = exact, need

    def best_need(self) -> frozenset[str] | None:
        """The more selective of ``need`` and the exact strings taken as needed ones."""
        return _better(self.need, _as_need(self.exact))


_EMPTY = _Info(frozenset({""}))
_UNKNOWN = _Info()


def _as_need(exact: frozenset[str] | None) -> frozenset[str] | None:
    """Exact strings as needed literals (none if one of them is empty)."""
    return None if not exact or "" in exact else exact


def _weight(literal: str) -> int:
    """How selective a literal is: its characters other than spaces (" " is in every
    letter, "Klinik" in few)."""
    return len(literal) - literal.count(" ") - literal.count("\t") - literal.count("\n")


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two needed sets: heavier lightest literal, then fewer."""
    if a is None or b is None:
        return a if b is None else b
    key = lambda s: (min(map(_weight, s)), -len(s))  # noqa: E731
    return a if key(a) >= key(b) else b


def _product(a: frozenset[str], b: frozenset[str]) -> frozenset[str] | None:
    """All concatenations of a string of ``a`` and one of ``b``; None if too many."""
    if len(a) * len(b) > MAX_STRINGS:
        return None
    return frozenset(x + y for x, y in product(a, b))


def _sequence(items) -> _Info:
    """A concatenation: runs of exact parts multiply, the best needed set is kept."""
    run, best, whole = frozenset({""}), None, True
    for item in items:
        info = _node(*item)
        best = _better(best, info.need if info.exact is not None else None)  # lookarounds
        joined = None if info.exact is None else _product(run, info.exact)
        if joined is not None:
            run = joined
            continue
        whole = False
        best = _better(best, _as_need(run))
        if info.exact is not None:  # the product grew too large: start a new run
            run = info.exact
        else:
            best, run = _better(best, info.need), frozenset({""})
    if whole:
        return _Info(run, best)
    return _Info(None, _better(best, _as_need(run)))


def _branch(alternatives) -> _Info:
    """An alternation: the union of its branches' exact strings or needed sets."""
    infos = [_sequence(branch) for branch in alternatives]
    if all(i.exact is not None for i in infos):
        union = frozenset().union(*(i.exact for i in infos))
        if len(union) <= MAX_STRINGS:
            return _Info(union)
    needs = [i.best_need() for i in infos]
    return _Info(None, None if None in needs else frozenset().union(*needs))


def _repeat(low: int, high, body) -> _Info:
    """A repetition: needed if at least once; exact for ``?`` and small fixed counts."""
    info = _sequence(body)
    if info.exact is not None and high != C.MAXREPEAT and high <= 1:
        return _Info(info.exact | {""} if low == 0 else info.exact)
    if info.exact is not None and low == high and low <= 3:
        exact = frozenset({""})
        for _ in range(low):
            exact = None if exact is None else _product(exact, info.exact)
        if exact is not None:
            return _Info(exact)
    return _Info(None, info.best_need()) if low >= 1 else _UNKNOWN


def _in(items) -> _Info:
    """A character class: its characters if it lists a few, else unknown."""
    chars = set()
    for op, value in items:
        if op is C.LITERAL:
            chars.add(chr(value))
        elif op is C.RANGE and value[1] - value[0] < MAX_CLASS:
            chars.update(map(chr, range(value[0], value[1] + 1)))
        else:  # negation, categories (\w, \d), wide ranges
            return _UNKNOWN
    return _Info(frozenset(chars)) if 0 < len(chars) <= MAX_CLASS else _UNKNOWN


def _node(op, value) -> _Info:
    """The info of one parsed node (see the module docstring for what is used)."""
    if op is C.LITERAL:
        return _Info(frozenset({chr(value)}))
    if op is C.IN:
        return _in(value)
    if op is C.ASSERT:
        # Zero width, but what a positive lookaround asserts stands in the text.
        return _Info(_EMPTY.exact, _sequence(value[1]).best_need())
    if op in (C.AT, C.ASSERT_NOT):
        return _EMPTY  # zero width
    if op is C.BRANCH:
        return _branch(value[1])
    if op is C.SUBPATTERN:
        add_flags, del_flags, body = value[1], value[2], value[3]
        return _UNKNOWN if (add_flags | del_flags) & _CASE_FLAGS else _sequence(body)
    if op is C.ATOMIC_GROUP:
        return _sequence(value)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        return _repeat(*value)
    return _UNKNOWN  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ...


def _plain(pattern: str) -> str:
    """``pattern`` for Python's parser: ``\\p{..}`` as ``\\w`` (wider), ``\\K`` removed."""
    return _ESCAPE.sub(_plain_escape, pattern)


def _plain_escape(match) -> str:
    """One escape as :func:`_plain` writes it."""
    text = match.group()
    return "\\w" if text.startswith("\\p{") else "" if text == "\\K" else text


@functools.lru_cache(maxsize=4096)
def needed_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` (``regex`` syntax) contains;
    None if that cannot be shown (then the pattern must always run).

    ``flags``: the ``regex``/``re`` flags it is compiled with; case-insensitive or
    verbose patterns get None.
    """
    if flags & _CASE_FLAGS or any(s in pattern for s in _REGEX_ONLY):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set": regex reads it otherwise
            parsed = _parser.parse(_plain(pattern))
    except (re.error, FutureWarning, RecursionError, ValueError):
        return None
    if parsed.state.flags & _CASE_FLAGS:
        return None
    return _minimal(_sequence(parsed).best_need())


def _minimal(needed: frozenset[str] | None) -> frozenset[str] | None:
    """``needed`` without literals that contain another one ("Station:" has "Station")."""
    if needed is None:
        return None
    ordered = sorted(needed, key=len)
    kept: list[str] = []
    for literal in ordered:
        if not any(k in literal for k in kept):
            kept.append(literal)
    return frozenset(kept)


def may_match(needed: frozenset[str] | None, text: str, present: dict[str, bool]) -> bool:
    """False only if no needed literal occurs in ``text`` (so the pattern cannot match).

    ``present``: literal -> whether ``text`` contains it, shared by the patterns of one
    text (many patterns need the same word).
    """
    if needed is None:
        return True
    for literal in needed:
        found = present.get(literal)
        if found is None:
            found = present[literal] = literal in text
        if found:
            return True
    return False
