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

# A mandatory capital after optional ones ("N?STEMI"); a quantifier that allows zero
# ("?", "*", "{0,", "{,") makes a character optional.
_LED = re.compile(r"(?:\p{Lu}\?)*(?:\\p\{Lu\}|\p{Lu})(?![?*]|\{0|\{,)")
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


def upper_led(pattern: str) -> bool:
    """True if every match of ``pattern`` provably starts with a capital (``\\p{Lu}``).

    Recognised: a leading ``\\p{Lu}`` or literal capital; a leading group
    ``(?:A|B)`` (not optional) whose every branch is led so; zero-width assertions in
    front (lookarounds, ``\\b``, ``^``), which consume nothing. Anything else, inline
    flags included, counts as "may start otherwise".
    """
    parts = branches(pattern)
    if "(?i" in pattern or "(?x" in pattern or len(parts) > 1:
        return "(?i" not in pattern and "(?x" not in pattern and all(upper_led(b) for b in parts)
    if pattern.startswith(_ZERO_WIDTH):
        return upper_led(pattern[closing(pattern, 0) + 1 :])
    if pattern.startswith(("\\b", "\\B")):
        return upper_led(pattern[2:])
    if pattern.startswith("^"):
        return upper_led(pattern[1:])
    if pattern.startswith("(?:"):
        end = closing(pattern, 0)
        after = pattern[end + 1 : end + 3]
        optional = after[:1] in ("?", "*") or after in ("{0", "{,")
        return not optional and upper_led(pattern[3:end])
    return _LED.match(pattern) is not None
