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


@functools.cache
def _compiled(path: Path = KEEP_FILE):
    """One expression for every term and pattern, whole words only, longest first."""
    terms, patterns = read_keep_file(path)
    alternatives = [*patterns, *(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?![\w])", re.V0)


@functools.cache
def keep_words(path: Path = KEEP_FILE) -> frozenset[str]:
    """The plain terms of the list (for quick word lookups)."""
    return frozenset(read_keep_file(path)[0])


def keep_spans(text: str, path: Path = KEEP_FILE) -> list[tuple[int, int]]:
    """[start, end) of every must-keep term in ``text``, left to right."""
    return [m.span() for m in _compiled(path).finditer(text)]
