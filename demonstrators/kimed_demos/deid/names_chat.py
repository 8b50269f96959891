"""Names in messenger exports and system logs: speakers and user names (issue 11).

A chat export for the record names each speaker at the start of a line, by first name
alone, surname alone or a login, with no title or label before it: "[07:42] Anna:",
"[21:47] Hauke Weber (Nachtdienst):", "07:42 - kbauer: ...", "Anna, 07:42: ...". A
system export names its user by login ("erzeugt von mmuster", "User: jdoe"). The
patterns find first names of the lists, but not a surname alone, a name of another
country or a login; the place in the line says what the word is, so:

- :func:`speaker_findings`: the words between a time stamp at the start of a line and
  the colon that opens the message (or before ", hh:mm" at the start of a line) are a
  person, unless they are ordinary words ("10:30 Visite: ..." is a schedule);
- :func:`user_name_findings`: a lower-case token that is no German word after a
  "created/exported by" phrase or a user label is a login, which names a person.
"""

from __future__ import annotations

import regex as re

from .entities import Finding
from .keeplist import keep_words
from .lexicon import first_names, is_common_word, lower_case_words

SCORE = 0.7
_WORD = r"\p{Lu}[\p{L}'’]*(?:-\p{Lu}[\p{L}'’]*)*"
_PARTICLE = r"(?:van|von|de|ten|ter|zu|zur|vom|da|di|dos|del)(?:[ ](?:der|den|de|la))?"
_LOGIN = r"\p{Ll}[\p{Ll}\d._-]{2,15}"
_NAME = rf"(?:{_WORD}(?:[ ](?:{_PARTICLE}[ ])?{_WORD}){{0,3}}|{_PARTICLE}[ ]{_WORD}|{_LOGIN})"
_TITLE = r"(?:(?:Dr|Prof|PD|OA|OÄ|FA|Sr|Pfl)\.?[ ])*"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
_DATE = r"\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})?,?[ ]"
_SPEAKERS = (
    # "[07:42] Anna:", "22.11.25, 07:42 - Anna (Spätdienst):", "07:42 Hauke Weber:"
    re.compile(
        rf"^[ \t]*\[?(?:{_DATE})?{_TIME}\]?(?:[ ]?[-–])?[ ]{_TITLE}(?P<name>{_NAME})"
        r"(?:[ ]\([^()\n]{1,40}\))?:(?:[ ]|$)",
        re.MULTILINE,
    ),
    # "Anna, 07:42:", "Hauke Weber [07:42]"
    re.compile(
        rf"^[ \t]*{_TITLE}(?P<name>{_NAME})(?:,[ ]|[ ]\[){_TIME}\]?:?(?:[ ]|$)", re.MULTILINE
    ),
)
_USER = re.compile(
    # Round nine: also a document read in or scanned, and a date between verb and user
    # ("eingelesen 03.02.2026 von <login>").
    r"\b(?:(?:erzeugt|erstellt|exportiert|gedruckt|angelegt|bearbeitet|geändert|freigegeben"
    r"|eingelesen|eingescannt|importiert|hochgeladen)(?:[ ][\p{L}\d.:]+){0,4}?[ ](?:von|durch)"
    r"|(?:User|Benutzer|Login|Kennung|Anwender)(?:name)?:?"
    # Round nine: a release or a print on request names its user right after the verb,
    # then the time stamp ("Befund freigegeben: <login> 03.02.", "auf Anforderung <login>").
    r"|(?:freigegeben|validiert|angefordert):|auf[ ]Anforderung)"
    rf"[ ](?P<name>{_LOGIN})(?=[ ]?[(=,;)]|[ ]?$|[ ]\d)",
    re.MULTILINE,
)


def _is_name(value: str) -> bool:
    """A speaker's name, not a heading or a schedule entry: some word is a first name of
    the lists or no ordinary word; a login in lower case is no German word."""
    if value[0].islower() and " " not in value:
        return value not in lower_case_words() and value not in keep_words()
    words = [w for w in re.split(r"[ -]", value) if w[:1].isupper()]
    return any(w in first_names() or not is_common_word(w) for w in words)


def speaker_findings(text: str) -> list[Finding]:
    """PERSON for the speaker at the start of each message line of a chat export."""
    if ":" not in text:
        return []
    return [
        Finding(m.start("name"), m.end("name"), "PERSON", SCORE)
        for rx in _SPEAKERS
        for m in rx.finditer(text)
        if _is_name(m.group("name"))
    ]


def user_name_findings(text: str) -> list[Finding]:
    """PERSON for a login named as the author or user of an export."""
    return [
        Finding(m.start("name"), m.end("name"), "PERSON", SCORE)
        for m in _USER.finditer(text)
        if _is_name(m.group("name"))
    ]
