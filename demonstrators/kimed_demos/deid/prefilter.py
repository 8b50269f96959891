"""Which of many patterns CAN match a letter, from one Hyperscan pass (issue 11).

Of the 144 recognizer patterns about 26 match a bench letter; the ``regex`` engine
still spends about 14 ns per pattern and character finding that out for the others.
Hyperscan (a DFA/NFA engine, no backtracking) scans a text for a whole set of patterns
at once, but supports neither lookarounds nor ``\\K``. Compiled with
``HS_FLAG_PREFILTER`` it accepts them and reports a *superset* of the patterns that
match: the scanner then runs only those with ``regex`` over the whole text, so every
finding is the one ``regex`` finds (``test_deid_engine.py`` compares on random texts and
all sets, ``bench/deid_findings.py`` on every letter).

Where Hyperscan's reading of a pattern or a text could differ from the ``regex``
module's, nothing is skipped:

- a pattern with a global flag other than ``MULTILINE``/``DOTALL``, an inline flag, an
  escape or construct outside :data:`_ESCAPES` (``\\m``, fuzzy ``{e<=1}``, ``{,3}``,
  POSIX classes: PCRE reads some of them as literals), or one Hyperscan rejects, is
  always run;
- a text with a character that :data:`_UNSAFE` finds is scanned with every pattern: on
  those characters (Latin, common punctuation, arrows, box shapes) ``\\w``, ``\\s``,
  ``\\d``, ``\\p{L}``, ``\\p{Lu}``, ``\\p{Ll}`` and ``.`` mean the same in both engines
  (checked code point by code point in the tests); superscript digits and fractions
  (``²``: Hyperscan's ``\\w``, not ``regex``'s) and combining marks are not.

Compiling the recognizers' and the keep list's databases takes about 26 CPU seconds,
once: they are cached in the demonstrators' cache (``hyperscan/<hash>.db``, 27 MB, keyed
by the patterns, flags and the Hyperscan version; about 1 s to load). Scanning a letter takes
about 0.1 ms. A database is not shared between threads: a scan that finds it in use
lets every pattern run.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import regex

log = logging.getLogger(__name__)

#: A character outside those on which both engines agree (see the module docstring).
_UNSAFE = regex.compile(
    "[^\\x00-\\xb1\\xb4-\\xb8\\xba\\xbb\\xbf-\\u024f"
    "\\u2010-\\u2027\\u2030-\\u203e\\u2041-\\u2053\\u2055-\\u205e"
    "\\u20a0-\\u20c0\\u2100-\\u214f\\u2190-\\u21ff\\u2500-\\u25ff]"
)
#: Escapes both engines read alike (letters; any escaped non-alphanumeric is a literal).
_ESCAPES = set("dDwWsSbBpPntrfKAzZx123456789")
_ESCAPE = regex.compile(r"\\(.)", regex.DOTALL)
#: Inline flags, POSIX classes, ``{,n}`` and fuzzy ``{e..}`` quantifiers.
_FOREIGN = regex.compile(r"\(\?[a-zA-Z^-]*[a-zA-Z][):]|\[[:.=]\^?\w+[:.=]\]|\{,|\{[eisd][<=]")
_K = regex.compile(r"(?<!\\)((?:\\\\)*)\\K")
#: Patterns per database: one database of all 144 took 49 s to compile, groups of
#: 8-24 take about as long together as one at a time and scan in 0.1-0.2 ms.
GROUP = 16
#: Bounded repeats up to this many may stay bounded in a prefilter form (:func:`_widened`).
WIDEN = 10
_REPEAT = regex.compile(r"\{(\d+),(\d+)\}")
FORMAT = 2  # bump when the compiled form changes, to invalidate caches


def prefilter_form(pattern: str, flags: int) -> str | None:
    """The form Hyperscan gets for ``pattern`` (``\\K`` dropped: the label before it is
    then matched, which a match of the pattern implies; long bounded repeats unbounded),
    or None if it must always run."""
    if flags & ~(regex.MULTILINE | regex.DOTALL | regex.UNICODE | regex.VERSION0):
        return None
    if _FOREIGN.search(pattern):
        return None
    if any(m.group(1).isalnum() and m.group(1) not in _ESCAPES for m in _ESCAPE.finditer(pattern)):
        return None
    return _widened(_K.sub(r"\1", pattern))


def _widened(form: str, limit: int = WIDEN) -> str:
    """``form`` with every repeat ``{m,n}`` of ``n >= limit`` written ``{m,}``: it
    matches all that the bounded one does, and Hyperscan compiles a bounded repeat of a
    large class as a large automaton (``[\\p{L} ]{0,40}?``: 16 s, unbounded 0.06)."""
    out, i, in_class = [], 0, False
    while i < len(form):
        char = form[i]
        if char == "\\":  # an escape: the next character is never syntax
            out.append(form[i : i + 2])
            i += 2
            continue
        repeat = None if in_class or char != "{" else _REPEAT.match(form, i)
        if repeat and int(repeat.group(2)) >= limit:
            out.append(f"{{{repeat.group(1)},}}")
            i = repeat.end()
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(form[i : i + 1 + _class_head(form, i + 1)])
            i += len(out[-1])
            continue
        in_class = in_class and char != "]"
        out.append(char)
        i += 1
    return "".join(out)


def _class_head(form: str, start: int) -> int:
    """Length of a class's leading ``^`` and ``]`` at ``start`` (literal there)."""
    n = 1 if form.startswith("^", start) else 0
    return n + (1 if form.startswith("]", start + n) else 0)


def _hs_flags(hyperscan, flags: int) -> int:
    """Hyperscan flags for a pattern with ``regex`` flags ``flags``."""
    out = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP
    out |= hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
    if flags & regex.MULTILINE:
        out |= hyperscan.HS_FLAG_MULTILINE
    if flags & regex.DOTALL:
        out |= hyperscan.HS_FLAG_DOTALL
    return out


def _import_hyperscan():
    """The ``hyperscan`` module, or an error that says how to install it."""
    try:
        import hyperscan
    except ImportError as err:
        raise ImportError(
            "The de-identification needs the 'hyperscan' package (pinned in the "
            "demonstrators' extra of pyproject.toml and in the python-text kernel's lock): "
            "pip install hyperscan==0.9.1"
        ) from err
    return hyperscan


class Prefilter:
    """For a list of ``(pattern, regex flags)``: the indices that can match a text."""

    def __init__(self, patterns: Sequence[tuple[str, int]], cache: Path | None = None):
        hs = self._hs = _import_hyperscan()
        forms = [prefilter_form(p, f) for p, f in patterns]
        self.always = {i for i, form in enumerate(forms) if form is None}
        todo = [(i, form.encode(), _hs_flags(hs, f)) for i, (form, (_, f)) in
                enumerate(zip(forms, patterns, strict=True)) if form is not None]  # fmt: skip
        self.databases = []
        for start in range(0, len(todo), GROUP):
            self.databases += self._database(todo[start : start + GROUP], cache)

    def _database(self, rows: list, cache: Path | None) -> list:
        """One database for ``rows`` (loaded from ``cache`` if compiled before); rows
        Hyperscan rejects go to :attr:`always`, each in turn."""
        hs = self._hs
        key = hashlib.sha256(repr((FORMAT, hs.__version__, rows)).encode()).hexdigest()[:24]
        path = cache / f"{key}.db" if cache is not None else None
        if path is not None and path.is_file():
            try:
                db = hs.loadb(path.read_bytes(), hs.HS_MODE_BLOCK)
                db.scratch = hs.Scratch(db)
                return [db]
            except Exception:  # noqa: BLE001 - a damaged cache file: compile again
                log.warning("hyperscan cache %s unreadable; compiling again", path)
        db = hs.Database()
        try:
            db.compile(expressions=[r[1] for r in rows], ids=[r[0] for r in rows],
                       flags=[r[2] for r in rows])  # fmt: skip
        except hs.error:
            if len(rows) == 1:
                self.always.add(rows[0][0])
                return []
            return [d for row in rows for d in self._database([row], cache)]
        if path is not None:
            _store(path, hs.dumpb(db))
        return [db]

    def candidates(self, text: str) -> set[int] | None:
        """Indices of the patterns that can match ``text``; None: all may (a character
        on which the engines may disagree)."""
        if _UNSAFE.search(text):
            return None
        found, data = set(self.always), text.encode()
        try:
            for db in self.databases:
                db.scan(data, match_event_handler=_note, context=found)
        except self._hs.ScratchInUseError:  # another thread scans: let every pattern run
            return None
        return found


def _store(path: Path, data: bytes) -> None:
    """Write a compiled database to the cache, whole or not at all (a cache that cannot
    be written only costs the compile time again)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as err:
        log.warning("hyperscan cache %s not written: %s", path, err)
        tmp.unlink(missing_ok=True)


def _note(pattern_id: int, start: int, end: int, flags: int, found: set) -> None:
    """Hyperscan's match callback: note the pattern."""
    found.add(pattern_id)
