"""OCR repair for analysis: a capital O read in place of a zero inside a number.

Scanned letters come back with "14.O3.2024", "2O17" or "3 . O6 . 2O23" (issue 11,
second evaluation set). :func:`text_for_analysis` returns the text with such an O
written as 0; it has the same length, so findings in it are findings in the original,
which the anonymiser then replaces as it stands. Only an O in a run of digits and O's
that is a number by its shape is changed: three characters or more ("2O17"), or joined
to digits by a date separator ("14.O3.", ". O6 ."). "O2" for oxygen, "SpO2" and words
stay as they are.
"""

from __future__ import annotations

import regex as re

# A run of digits and O's with at least one of each, not inside a word.
_RUN = re.compile(r"(?<![\p{L}\d])(?=[\dO]*\d)(?=[\dO]*O)[\dO]+(?![\p{L}\d])")
_DIGITS_AFTER = re.compile(r"[ ]?[./-][ ]?\d")
_DIGITS_BEFORE = re.compile(r"\d[ ]?[./-][ ]?$")


def _is_number(text: str, start: int, end: int) -> bool:
    """True if the run ``text[start:end]`` is a number by its length or its neighbours."""
    if end - start >= 3:
        return True
    return bool(
        _DIGITS_AFTER.match(text, end) or _DIGITS_BEFORE.search(text[max(0, start - 4) : start])
    )


def text_for_analysis(text: str) -> str:
    """``text`` with a capital O inside a number written as 0 (same length)."""
    if "O" not in text:
        return text
    return _RUN.sub(
        lambda m: m.group().replace("O", "0") if _is_number(text, *m.span()) else m.group(),
        text,
    )


_SPACED_DOT = re.compile(r"(?<=\d)[ ]\.[ ](?=\d)")


def readable_date(text: str) -> str:
    """A scanned date as it was meant: O for 0 repaired, the spaces around its dots
    dropped ("3 . O6 . 2O23" -> "3.06.2023"), so that it can be parsed and shifted."""
    return _SPACED_DOT.sub(".", text_for_analysis(text))
