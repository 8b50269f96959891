"""German date styles: one table used to write, find and rewrite dates.

The corpus generator writes dates in these styles, the DATE recognizer's patterns
are built from the same month names, and the surrogate generator parses a found date
back into (style, date) so that a shifted date keeps the original's shape
("12. März 2024" stays "<d>. <Monat> <yyyy>", "03/24" stays "mm/yy").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip
MONTH_ABBREVIATIONS = (
    "Jan.", "Feb.", "Mär.", "Apr.", "Mai", "Jun.",
    "Jul.", "Aug.", "Sep.", "Okt.", "Nov.", "Dez.",
)  # fmt: skip
# Alternative spellings seen in letters; parsed, never generated.
# Austrian "Jänner"/"Feber" (and "Jän."/"Feb.") are ordinary there (issue 11, second set).
_MONTH_ALIASES = {"jänner": 1, "jän.": 1, "feber": 2, "mrz.": 3, "sept.": 9, "märz": 3}

_MONTH_LOOKUP = {
    **{m.lower(): i for i, m in enumerate(MONTHS, 1)},
    **{a.lower(): i for i, a in enumerate(MONTH_ABBREVIATIONS, 1)},
    **_MONTH_ALIASES,
}
# Longest first so that "März" wins over "Mär." style prefixes in the alternation.
MONTH_NAME_REGEX = "|".join(
    re.escape(name) + (r"(?!\w)" if not name.endswith(".") else "")
    for name in sorted(
        {*MONTHS, *MONTH_ABBREVIATIONS, "Jänner", "Jän.", "Feber", "Mrz.", "Sept."}, key=len
    )[::-1]
)


@dataclass(frozen=True)
class DateStyle:
    """A way of writing a date: a name, a parse regex and a formatter."""

    name: str
    regex: str

    def format(self, day: dt.date) -> str:
        """Write ``day`` in this style."""
        return _FORMATTERS[self.name](day)


_FORMATTERS = {
    "dd.mm.yyyy": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "d.m.yyyy": lambda d: f"{d.day}.{d.month}.{d.year}",
    "dd.mm.yy": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}",
    "d. Monat yyyy": lambda d: f"{d.day}. {MONTHS[d.month - 1]} {d.year}",
    "d. Mon. yyyy": lambda d: f"{d.day}. {MONTH_ABBREVIATIONS[d.month - 1]} {d.year}",
    "Monat yyyy": lambda d: f"{MONTHS[d.month - 1]} {d.year}",
    "mm/yy": lambda d: f"{d.month:02d}/{d.year % 100:02d}",
    "mm/yyyy": lambda d: f"{d.month:02d}/{d.year}",
    "m/yyyy": lambda d: f"{d.month}/{d.year}",
    "yyyy-mm-dd": lambda d: d.isoformat(),
    "m/yy": lambda d: f"{d.month}/{d.year % 100:02d}",
    "dd.mm.": lambda d: f"{d.day:02d}.{d.month:02d}.",
    "d.m.": lambda d: f"{d.day}.{d.month}.",
    "yyyy": lambda d: f"{d.year}",
}

_DAY = r"(?P<day>0?[1-9]|[12]\d|3[01])"
_MONTH_NUM = r"(?P<month>0?[1-9]|1[0-2])"
_MONTH_NAME = rf"(?P<mname>{MONTH_NAME_REGEX})"
STYLES = (
    DateStyle("dd.mm.yyyy", rf"{_DAY}\.{_MONTH_NUM}\.(?P<year>(?:19|20)\d\d)"),
    DateStyle("d.m.yyyy", rf"{_DAY}\.{_MONTH_NUM}\.(?P<year>(?:19|20)\d\d)"),
    DateStyle("dd.mm.yy", rf"{_DAY}\.{_MONTH_NUM}\.(?P<yy>\d\d)"),
    DateStyle("d. Monat yyyy", rf"{_DAY}\.\s?{_MONTH_NAME}(?:\s(?P<year>(?:19|20)\d\d))?"),
    DateStyle("d. Mon. yyyy", rf"{_DAY}\.\s?{_MONTH_NAME}(?:\s(?P<year>(?:19|20)\d\d))?"),
    DateStyle("Monat yyyy", rf"{_MONTH_NAME}\s(?P<year>(?:19|20)\d\d)"),
    DateStyle("mm/yy", r"(?P<month>0[1-9]|1[0-2])/(?P<yy>\d\d)"),
    DateStyle("mm/yyyy", r"(?P<month>0[1-9]|1[0-2])/(?P<year>(?:19|20)\d\d)"),
    DateStyle("yyyy-mm-dd", r"(?P<year>(?:19|20)\d\d)-(?P<month>0[1-9]|1[0-2])-(?P<day>[0-3]\d)"),
    # The recognizer accepts a one-digit month ("3/19"); before this style the parser
    # rejected it, so such dates were dropped by the validator (issue 11).
    DateStyle("m/yy", r"(?P<month>[1-9])/(?P<yy>\d\d)"),
    DateStyle("m/yyyy", r"(?P<month>[1-9])/(?P<year>(?:19|20)\d\d)"),
    DateStyle("dd.mm.", rf"{_DAY}\.{_MONTH_NUM}\."),
    DateStyle("d.m.", rf"{_DAY}\.{_MONTH_NUM}\."),
    DateStyle("yyyy", r"(?P<year>(?:19|20)\d\d)"),
)
STYLE_BY_NAME = {s.name: s for s in STYLES}
_COMPILED = tuple((s, re.compile(s.regex + r"\Z", re.IGNORECASE)) for s in STYLES)


def _date_from_match(match: re.Match) -> dt.date | None:
    """Build a date from a style match; None for impossible dates (31.02.)."""
    groups = match.groupdict()
    if groups.get("mname"):
        month = _MONTH_LOOKUP[groups["mname"].lower()]
    else:
        month = int(groups.get("month") or 1)  # a bare year ("2016") stands for its 1 January
    if groups.get("year"):
        year = int(groups["year"])
    elif groups.get("yy"):
        year = 2000 + int(groups["yy"]) if int(groups["yy"]) < 50 else 1900 + int(groups["yy"])
    else:
        year = 2000  # "12. März" without a year: any leap year keeps 29. Feb. valid
    try:
        return dt.date(year, month, int(groups.get("day") or 1))
    except ValueError:
        return None


_PADDED = re.compile(r"\d\d\.\d\d\.")


def _is_padded(text: str) -> bool:
    """True if a numeric day/month is written with a leading zero where it could."""
    return bool(_PADDED.match(text))


def parse_german_date(text: str) -> tuple[DateStyle, dt.date] | None:
    """Parse a German date in one of :data:`STYLES`; return (style, date) or None."""
    text = text.strip()
    for style, regex in _COMPILED:
        match = regex.match(text)
        if not match:
            continue
        day = _date_from_match(match)
        if day is None:
            return None
        if style.name == "dd.mm.yyyy" and not _is_padded(text):
            style = STYLE_BY_NAME["d.m.yyyy"]
        if style.name == "dd.mm." and not _is_padded(text):
            style = STYLE_BY_NAME["d.m."]
        if style.name == "d. Monat yyyy" and match.group("mname").endswith("."):
            style = STYLE_BY_NAME["d. Mon. yyyy"]
        return style, day
    return None


def reformat_like(original: str, new_day: dt.date) -> str:
    """Write ``new_day`` in the style of ``original`` (dd.mm.yyyy if it cannot be parsed).

    A date without a year ("12. März") keeps having none.
    """
    parsed = parse_german_date(original)
    if parsed is None:
        return STYLE_BY_NAME["dd.mm.yyyy"].format(new_day)
    style, _ = parsed
    text = style.format(new_day)
    if style.name.startswith("d. Mon") and not re.search(r"\d{4}\s*\Z", original):
        text = text.rsplit(" ", 1)[0]
    return text


# The parts of a date fragment or range ("12./13.5.", "Mo 12.5.", "Frühjahr 2019",
# "26.–28.11."), longest first: a full date, a day and month, a year, a month name,
# a lone day.
_PARTS = re.compile(
    r"(?P<full>\d{1,2}\.\d{1,2}\.(?:19|20)?\d\d)(?!\d)|(?P<dm>\d{1,2}\.\d{1,2}\.)"
    r"|(?P<year>(?:19|20)\d\d)|(?P<mname>" + "|".join(MONTHS) + r")|(?P<day>\d{1,2})\."
)


def shift_date_parts(text: str, shift: dt.timedelta) -> str:
    """Every date part of ``text`` moved by ``shift``, the words and layout kept.

    For what :func:`parse_german_date` cannot read as one date. Years move with a
    mid-year date, month names with the first of their month, a lone day of a range by
    the days of ``shift`` within 1-28 (so it stays a valid day of any month).
    """

    def move(match: re.Match) -> str:
        """The matched date part, shifted."""
        kind, value = match.lastgroup, match.group()
        if kind in ("full", "dm"):
            parsed = parse_german_date(value)
            return reformat_like(value, parsed[1] + shift) if parsed else value
        if kind == "year":
            return str((dt.date(int(value), 7, 1) + shift).year)
        if kind == "mname":
            return MONTHS[(dt.date(2001, MONTHS.index(value) + 1, 15) + shift).month - 1]
        day = (int(match.group("day")) - 1 + shift.days) % 28 + 1
        return f"{day:0{len(match.group('day'))}d}."

    return _PARTS.sub(move, text)
