"""What a regex's matches provably start with (for speed rewrites that keep the matches).

The ``regex`` engine tries an alternation's branches at every position of a letter.
Branches whose every match starts with a capital need not be tried elsewhere
(:func:`.keeplist._dispatched`). The proof is syntactic and conservative: whatever
the parser does not recognise counts as "may start with anything".

Measured and dropped: a ``(?=\\p{Lu})`` or ``(?=\\d)`` guard in front of every
recognizer pattern so led (74 of 114): slower in all (1.36 -> 1.63 ms per letter),
since the engine then no longer skips ahead to a pattern's literal text; faster only
for three ("street suffix", "day range", "day of month").
"""

from __future__ import annotations

import regex as re

# What a pattern can start with: literal letters or digits, or "\p{Lu}" itself, the
# last of them mandatory; a quantifier that allows zero ("?", "*", "{0,", "{,") makes a
# character optional ("N?STEMI" starts with N or S).
_ONE = r"(\\p\{Lu\}|[\p{L}\d])"
_LEAD = re.compile(rf"(?:{_ONE}\?)*{_ONE}(?![?*]|\{{0|\{{,)")
ANY_CAPITAL = "\\p{Lu}"
_CAPITAL = re.compile(r"\p{Lu}")  # the engine's notion (str.isupper differs: "Ⅷ")
_ZERO_WIDTH = ("(?<=", "(?<!", "(?=", "(?!")


def closing(text: str, start: int) -> int:
    """Index of the parenthesis closing the group that opens at ``text[start]``."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":  # a character class: parentheses inside do not count
            i = text.index("]", i + 2 if text[i + 1 : i + 2] == "]" else i + 1)
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced pattern {text!r}")


def branches(pattern: str) -> list[str]:
    """``pattern`` split at its top-level bars (escapes and classes skipped)."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 1
        elif ch == "[":  # a class: nothing inside counts (as in closing)
            i = pattern.index("]", i + 2 if pattern[i + 1 : i + 2] == "]" else i + 1)
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


def first_characters(pattern: str) -> frozenset[str] | None:
    """The characters every match of ``pattern`` provably starts with one of (literal
    letters and digits, or ``\\p{Lu}`` meaning any capital); None if unknown.

    Recognised: leading literal characters and ``\\p{Lu}``; a leading group
    ``(?:A|B)`` (not optional) and top-level branches, whose sets are joined;
    zero-width assertions in front (lookarounds, ``\\b``, ``^``), which consume nothing.
    Anything else, inline flags included, counts as unknown.
    """
    if "(?i" in pattern or "(?x" in pattern:
        return None
    parts = branches(pattern)
    if len(parts) > 1:
        sets = [first_characters(b) for b in parts]
        return None if None in sets else frozenset().union(*sets)
    if pattern.startswith(_ZERO_WIDTH):
        return first_characters(pattern[closing(pattern, 0) + 1 :])
    skip = 2 if pattern.startswith(("\\b", "\\B")) else 1 if pattern.startswith("^") else 0
    if skip:
        return first_characters(pattern[skip:])
    if pattern.startswith("(?:"):
        end = closing(pattern, 0)
        after = pattern[end + 1 : end + 3]
        optional = after[:1] in ("?", "*") or after in ("{0", "{,")
        return None if optional else first_characters(pattern[3:end])
    match = _LEAD.match(pattern)
    return None if match is None else frozenset(match.captures(1) + match.captures(2))


def upper_led(pattern: str) -> bool:
    """True if every match of ``pattern`` provably starts with a capital (see
    :func:`first_characters`)."""
    first = first_characters(pattern)
    return first is not None and all(c == ANY_CAPITAL or _CAPITAL.match(c) for c in first)
