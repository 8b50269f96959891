"""Identifiers in the cells of tables, read by their column headers (issue 11).

Rosters, OR schedules and case lists exported from a hospital system are tables whose
header says what each cell holds; a surname alone in a cell ("Ruhnke") has no title or
first name that the patterns could use, but under "Arzt" or "Name" it is a person.
Two layouts are read:

- "|" tables (plain-text rosters, handovers): a header row, then rows of the same width;
- ";" tables (CSV exports of a case list): a header row, then rows; a cell in double
  quotes may hold a ";" ("Sturz; Exsikkose"), so cells are split outside quotes.

What a column holds comes from its header: a ward ("Stat.", "Station"), people
("Arzt", "Name", "Vorname", "Bearbeiter", "Frühdienst Arzt", "Hintergrund OA"),
initials that sign a row ("Kürzel", "Hz."), case numbers ("Fallnr", "Pat.-ID"), ages
("Alter", under the age policy) and phone numbers ("Telefon", "Kontakt ..."). A column
whose header is not listed is not read, so diagnoses and drugs in other cells stay.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex as re

from .keeplist import keep_spans
from .lexicon import first_names, lower_case_words
from .policy import age_is_identifying


def parts(text: str, start: int, end: int, sep: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the pieces of text[start:end] between ``sep`` characters."""
    position = start
    while True:
        cut = text.find(sep, position, end)
        if cut < 0:
            yield position, end
            return
        yield position, cut
        position = cut + 1


def csv_cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the ";"-separated cells of text[start:end]; a ";" inside double
    quotes belongs to its cell (RFC 4180 quoting, as spreadsheet exports write it)."""
    cells, cell_start, quoted = [], start, False
    for i in range(start, end):
        char = text[i]
        if char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            cells.append((cell_start, i))
            cell_start = i + 1
    cells.append((cell_start, end))
    return cells


# Headers of the columns whose cells are read: the ward of a row ("Stat.": "C3"), the
# people of a row (operator, doctor on duty, patient, the clerk who edited it), the
# initials that sign a row, and the row's case number, age and phone number.
_ROLE = r"(?:Arzt|Ärztin|OA|OÄ|FA|FÄ|Oberarzt|Oberärztin|Dienstarzt|Ärzte)"
_HEADERS = {
    "WARD": r"(?:Zi\.?[ ]?/[ ]?)?(?:Stat\.?|Station)",
    "PERSON": r"(?:Op\.?|Operateur(?:in)?|Ass\.?|Assistenz|Anä\.?|Anästhesie|Anästhesist(?:in)?"
    r"|Arzt|Ärztin|Untersucher(?:in)?|Name(?:,[ ]Vorname)?|Patient(?:in)?(?:[ ]\(geb\.\))?"
    r"|Vorname|Nachname|Familienname|Bearbeiter(?:in)?|Benutzer|User|Erfasst[ ]von"
    # Round ten: who dictated or wrote the row's document.
    r"|Autor(?:in)?|Verfasser(?:in)?|Diktierer(?:in)?|Diktat[ ]von)"
    r"(?:[ ]?/[ ]?(?:Op\.?|Ass\.?|Anä\.?|Assistenz))*"
    # A roster's duty columns name a shift or role before the doctor ("Spät/Nacht Arzt").
    rf"|[\p{{L}}/-]+[ ]{_ROLE}",
    # Who signed or did it: initials (also under a profession: "RTT", "MFA").
    "SIGN": r"Kürzel|Hz\.?|HZ|Handzeichen|Visum|Signum|Unterschrift|Doku|Dok\.|gez\."
    r"|RTT|MTRA|MTR|MFA|OTA|ATA|Pflege|Pfl\."
    # Round ten: a column headed by a staff role ("Schreibkraft", "Pflegekraft", "Sekr.",
    # "Schreibdienst") lists who did the row's work, by sign: a worklist records who typed
    # which letter.
    r"|\p{Lu}\p{Ll}*kraft|Schreibdienst|Sekr\.?|Sekretariat|Bearb\.?",
    # Initials that stand for a patient (study logs write no names: "Init.": "U.B.").
    "INITIALS": r"(?:Pat\.?-?)?Init\.?|Initialen",
    "AGE": r"Alter(?:[ ]\(J\.?\))?",
    "PHONE_NUMBER": r"(?:Tel\.?|Telefon|Mobil|Handy|Kontakt|Rückruf)(?:[ -]?Nr\.?|nummer)?"
    r"(?:[ ]\p{L}+\.?)?",
    # Last, after the phone headers ("Tel.-Nr."): any "...-Nr."/"...nummer"/"...-ID" column
    # holds a number of a record (screening, randomisation, lab order), and a note in
    # brackets says which system issued it ("Pat.-Nr. (KIS)"); values need 3 digits, so a
    # running "Lfd. Nr." (1, 2, 3) yields nothing.
    "CASE_NUMBER": r"(?:Fall(?:[ -]?(?:Nr\.?|nr\.?|nummer|ID))?|PID|MRN|Kenn(?:ung|-?Nr\.?)"
    # Batches and articles of a product are no one's record ("Chargen-Nr.", "Art.-Nr.").
    r"|(?!Chargen|Ch\.|Lot|LOT|Art\.|Artikel|PZN|Bestell|Kat\.|REF)"
    r"[\p{L}.]*(?:-?Nr\.?|nummer|-?ID))(?:[ ]\([\p{L}\d. -]+\))?",
}
_HEADER = {kind: re.compile(pattern) for kind, pattern in _HEADERS.items()}
_CELL_VALUES = {
    "WARD": re.compile(
        r"\d{1,2}[ ]?(?:Nord|Süd|Ost|West|Mitte)(?![\w-])"
        r"|(?<![\w./-])\p{Lu}{1,3}-?\d{1,2}[a-z]?(?![\w-])"
    ),
    # Capitalised words outside brackets, not titles ("Dr. Uta Reh (Beleg)" -> Uta, Reh),
    # with a lower-case particle before them ("van Aalst").
    "PERSON": re.compile(
        r"(?<![\w.'’-])(?!(?:Dr|Prof|PD|med|Frau|Herr)\b)"
        r"(?:(?:van|von|de|ten|ter|zu|zur|vom)(?:[ ](?:der|den))?[ ])?\p{Lu}[\p{L}'’-]+(?![\w.])"
        r"(?![^()\n]*\))"
    ),
    # Initials: one to four letters in any case, no abbreviation with a dot, outside
    # brackets: "abc / xyz  (Gerät 2 Wartung)" -> abc, xyz.
    "SIGN": re.compile(r"(?<![\w.])\p{L}{1,4}(?![\w.])(?![^()\n]*\))"),
    # A case number: a token with three digits or more ("2603001852", "F-24/1187").
    "CASE_NUMBER": re.compile(r"(?<![\w./-])(?=[\w./-]*\d{3})[\p{L}\d][\w./-]*\w"),
    "INITIALS": re.compile(r"(?<![\w.])(?:\p{Lu}\.(?:[ ]?\p{Lu}\.){1,3}|\p{Lu}{2,3}(?![\w.]))"),
    "AGE": re.compile(r"(?<![\w.,])\d{1,3}(?![\w.,])"),
    # A phone number: digits with spaces, slashes, hyphens, brackets, 6+ digits in all.
    "PHONE_NUMBER": re.compile(r"(?<![\w./-])(?=(?:[ ()/+-]*\d){6})[+(]?\d[\d ()/-]*\d"),
}


def _header_kind(header: str) -> str | None:
    """What a column headed ``header`` holds, or None."""
    return next((k for k, rx in _HEADER.items() if rx.fullmatch(header)), None)


_DIGIT_RUN = re.compile(r"\d\d")
# A rule line of a plain-text table: dashes or equals signs, crossed by "+" or "|".
_RULE = re.compile(r"[ \t]*[-=]{3,}[-=+|: \t]*")
_CELL_WORD = re.compile(r"\p{L}+")


def _is_header(cells: list[str]) -> bool:
    """A row of column headers: no numbers, no first names ("| Patient | Eva Ott | 12.3.
    |" is a record's row of label and values, not a header)."""
    return not any(
        _DIGIT_RUN.search(c) or any(w in first_names() for w in _CELL_WORD.findall(c))
        for c in cells
    )


def _line_cells(text: str, start: int, end: int, sep: str) -> list[tuple[int, int]]:
    """The cells of one line of a table separated by ``sep``."""
    if text.count(sep, start, end) < 2:
        return [(start, end)]  # no table row (most lines of a letter): fast
    if sep == ";" and text.find('"', start, end) >= 0:
        return csv_cells(text, start, end)  # quoted cells: character by character
    return list(parts(text, start, end, sep))


def table_column_spans(text: str, age_policy: str) -> Iterator[tuple[str, int, int]]:
    """Identifiers in the cells of "|" and ";" table columns whose header names them."""
    for sep in "|;":
        if sep in text:
            yield from _table_spans(text, sep, age_policy)


def _table_spans(text: str, sep: str, age_policy: str) -> Iterator[tuple[str, int, int]]:
    """Identifiers in the columns of the tables whose cells ``sep`` separates."""
    columns: dict[int, str] = {}
    width, position = 0, 0
    for line in text.split("\n"):
        cells = _line_cells(text, position, position + len(line), sep)
        if len(cells) < 3 and _RULE.fullmatch(line):
            pass  # a rule under the header ("-----+-----") keeps its columns
        elif len(cells) < 3:
            columns = {}
        elif not columns or len(cells) != width:
            headers = [text[s:e].strip() for s, e in cells]
            kinds = (
                {i: _header_kind(h) for i, h in enumerate(headers)} if _is_header(headers) else {}
            )
            columns, width = {i: k for i, k in kinds.items() if k}, len(cells)
        else:
            for i, kind in columns.items():
                yield from _cell_values(text, kind, *cells[i], age_policy)
        position += len(line) + 1


def _cell_values(
    text: str, kind: str, start: int, end: int, age_policy: str
) -> Iterator[tuple[str, int, int]]:
    """The identifiers in one cell; must-keep terms ("Plexus") stay."""
    cell = text[start:end]
    keep = keep_spans(cell) if kind in ("PERSON", "SIGN") else ()  # the cell only: cheap
    for m in _CELL_VALUES[kind].finditer(cell):
        if any(a <= m.start() and m.end() <= b for a, b in keep):
            continue
        if kind == "SIGN" and m.group() in lower_case_words():
            continue  # "und", "bei": words, not initials; "Ehr" (capitalised) signs a row
        if kind == "AGE" and not age_is_identifying(m.group(), age_policy):
            continue
        entity = "PERSON" if kind in ("SIGN", "INITIALS") else kind
        yield entity, start + m.start(), start + m.end()
