"""Identifiers in structured records: HL7 v2 messages, DICOM header dumps, tables (issue 11).

Letters are prose; interface logs and teleradiology exports are records whose fields
say what each value is. Reading the field is surer than any pattern: ``PID-5`` is the
patient's name whatever its words ("LERCHE^Gudrun"), ``(0010,0030) DA`` a birth
date although ``19310822`` looks like any number. :class:`StructuredRecordRecognizer`

- splits every HL7 v2 segment line (``PID|1||...``) into fields, repetitions (``~``)
  and components (``^``) and marks the components that carry identifiers by the
  field's data type: names (XPN, XCN), ids (CX), dates (DTM, ``yyyymmdd[hhmm[ss]]``),
  addresses (XAD), phone numbers and e-mail (XTN), organisations (XON, HD) and
  locations of care (PL, the ward); any other component that is a valid compact date
  in a segment line is a date too;
- reads the cells of "|" and ";" (CSV) table columns by their header (:mod:`.tables`):
  ward codes under "Stat." ("C3"), names under "Op. / Ass.", "Arzt" or "Name",
  initials under "Kürzel" or "Hz.", case numbers, ages and phone numbers;
- reads DICOM attributes as ``dcmdump`` prints them (``(0010,0010) PN [NAME^Vorname]``)
  or as pydicom does (``(0010, 0010) Patient's Name  PN: 'NAME^Vorname'``) and marks
  values by value representation (PN names, DA/DT dates, AS ages under the age
  policy) and by tag (patient ids, accession and study numbers, instance UIDs,
  institution, addresses, phone numbers).

Field lists follow HL7 v2.5 and DICOM PS3.6; what they do not name stays, so segment
names, codes and device data ("SIEMENS", "CT") are not removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import regex as re
from presidio_analyzer import EntityRecognizer, RecognizerResult

from .lexicon import first_names
from .policy import DEFAULT_AGE_POLICY, age_is_identifying, check_age_policy
from .recognizers import LANGUAGE
from .tables import parts as _parts
from .tables import table_column_spans

# HL7 v2 data types of the fields that carry identifiers: segment -> field -> type.
_XCN_FIELDS = {"EVN": (5,), "PD1": (4,), "PV1": (7, 8, 9, 17, 52), "DG1": (16,),
               "PR1": (11, 12), "ORC": (10, 11, 12), "OBR": (16, 28, 32, 33, 34, 35),
               "OBX": (16,), "ROL": (4,), "TXA": (5, 9, 10), "PRT": (5,)}  # fmt: skip
HL7_FIELDS: dict[str, dict[int, str]] = {
    "MSH": {4: "HD", 7: "DTM"},  # the sending facility; the receiver is mostly a system
    "EVN": {2: "DTM", 3: "DTM", 6: "DTM"},
    "PID": {2: "CX", 3: "CX", 4: "CX", 5: "XPN", 6: "XPN", 7: "DTM", 9: "XPN", 11: "XAD",
            13: "XTN", 14: "XTN", 18: "CX", 19: "CX", 20: "CX", 21: "CX", 23: "LOC",
            29: "DTM"},
    "PD1": {3: "XON"},
    "NK1": {2: "XPN", 4: "XAD", 5: "XTN", 6: "XTN", 8: "DTM", 12: "CX", 13: "XON",
            16: "DTM", 30: "XPN", 31: "XTN", 32: "XAD", 33: "CX"},
    "PV1": {3: "PL", 6: "PL", 11: "PL", 19: "CX", 39: "HD", 42: "PL", 43: "PL", 44: "DTM",
            45: "DTM", 50: "CX"},
    "PV2": {8: "DTM", 9: "DTM"},
    "MRG": {1: "CX", 2: "CX", 3: "CX", 5: "CX", 7: "XPN"},
    "DG1": {5: "DTM", 19: "DTM"},
    "AL1": {6: "DTM"},
    "PR1": {5: "DTM"},
    "IN1": {3: "CX", 4: "XON", 5: "XAD", 6: "XPN", 7: "XTN", 9: "XON", 11: "XON",
            12: "DTM", 13: "DTM", 16: "XPN", 18: "DTM", 19: "XAD", 36: "CX", 49: "CX"},
    "GT1": {2: "CX", 3: "XPN", 5: "XAD", 6: "XTN", 7: "XTN", 8: "DTM", 16: "XON",
            17: "XAD", 18: "XTN"},
    "ORC": {2: "CX", 3: "CX", 9: "DTM"},
    "OBR": {2: "CX", 3: "CX", 6: "DTM", 7: "DTM", 8: "DTM", 14: "DTM", 22: "DTM"},
    "OBX": {14: "DTM", 19: "DTM"},
    "TXA": {4: "DTM", 12: "CX"},
}  # fmt: skip
for _segment, _fields in _XCN_FIELDS.items():
    HL7_FIELDS.setdefault(_segment, {}).update(dict.fromkeys(_fields, "XCN"))

_SEGMENT = re.compile(r"^[ \t]*([A-Z][A-Z0-9]{2})\|", re.MULTILINE)
_COMPACT_DATE = re.compile(r"(?:19|20)\d{6}(?:\d{4}(?:\d{2}(?:\.\d+)?)?)?(?:[+-]\d{4})?")
_HAS_DIGITS = re.compile(r"\d.*\d.*\d")


def valid_compact_date(value: str) -> bool:
    """True for ``yyyymmdd`` optionally followed by a time: 20240611, 20240611093000."""
    if not _COMPACT_DATE.fullmatch(value):
        return False
    try:
        dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return False
    return True


def _span(pieces: list[tuple[int, int]], first: int, last: int) -> tuple[int, int] | None:
    """From the first to the last non-empty piece among pieces[first:last+1]."""
    kept = [p for p in pieces[first : last + 1] if p[1] > p[0]]
    return (kept[0][0], kept[-1][1]) if kept else None


#: HL7 type -> (entity, first component, last component): components 1-based.
_HL7_SPANS = {
    "XPN": [("PERSON", 1, 3)],
    "XCN": [("CASE_NUMBER", 1, 1), ("PERSON", 2, 4)],
    "CX": [("CASE_NUMBER", 1, 1)],
    "DTM": [("DATE", 1, 1)],
    "XAD": [("LOCATION", 1, 1), ("LOCATION", 2, 2), ("LOCATION", 3, 3), ("LOCATION", 5, 5)],
    "XTN": [("PHONE_NUMBER", 1, 1), ("EMAIL_ADDRESS", 4, 4)],
    "XON": [("ORGANIZATION", 1, 1)],
    "HD": [("ORGANIZATION", 1, 1)],
    "PL": [("WARD", 1, 1)],
    "LOC": [("LOCATION", 1, 1)],
}


def _hl7_value_ok(entity: str, value: str) -> bool:
    """A component worth marking: ids have three digits, dates are real dates."""
    if entity == "CASE_NUMBER":
        return bool(_HAS_DIGITS.search(value))
    if entity == "DATE":
        return valid_compact_date(value)
    if entity == "PHONE_NUMBER":
        return bool(_HAS_DIGITS.search(value))
    return any(ch.isalnum() for ch in value)


def hl7_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """(entity, start, end) of the identifiers in the HL7 v2 segment lines of ``text``."""
    for match in _SEGMENT.finditer(text):
        segment, line_end = match.group(1), text.find("\n", match.start())
        line_end = len(text) if line_end < 0 else line_end
        fields = list(_parts(text, match.end(1), line_end, "|"))
        # MSH-1 is the field separator itself: MSH-2 is the first piece after it.
        offset = 1 if segment == "MSH" else 0
        types = HL7_FIELDS.get(segment, {})
        for number, (start, end) in enumerate(fields):
            kind = types.get(number + offset)
            for rep_start, rep_end in _parts(text, start, end, "~") if number else ():
                pieces = list(_parts(text, rep_start, rep_end, "^"))
                yield from _typed_spans(text, kind, pieces)


def _typed_spans(text: str, kind: str | None, pieces: list[tuple[int, int]]):
    """Spans of one field repetition: by its type; a valid compact date or a name with a
    known first name ("NACHNAME^Vorname") in any field (fields are often miscounted)."""
    dates = [(s, e) for s, e in pieces if valid_compact_date(text[s:e])]
    yield from (("DATE", s, e) for s, e in dates)
    if kind not in ("XPN", "XCN") and _is_name_value(text, pieces):
        span = _span(pieces, 0, 2)
        yield "PERSON", span[0], span[1]
        return
    if kind is None:
        return
    for entity, first, last in _HL7_SPANS[kind]:
        span = _span(pieces, first - 1, last - 1)
        if span and span not in dates and _hl7_value_ok(entity, text[span[0] : span[1]]):
            yield entity, span[0], span[1]


_NAME_PART = re.compile(r"\p{L}[\p{L}' -]*")


def _is_name_value(text: str, pieces: list[tuple[int, int]]) -> bool:
    """FAMILY^Given[^...] whose given name is a known first name: a person in any field."""
    if len(pieces) < 2:
        return False
    family, given = (text[s:e] for s, e in pieces[:2])
    return bool(_NAME_PART.fullmatch(family)) and given in first_names()


# DICOM tags (group, element) whose values identify, beyond the VRs PN, DA, DT, AS.
DICOM_TAGS = {
    "CASE_NUMBER": {"0010,0020", "0010,1000", "0008,0050", "0020,0010", "0020,000D",
                    "0020,000E", "0008,0018", "0020,0052", "0040,0009", "0040,1001",
                    "0040,0253", "0038,0010", "0040,2016", "0040,2017", "0010,21F0"},
    "ORGANIZATION": {"0008,0080", "0032,1033"},
    "LOCATION": {"0008,0081", "0010,1040", "0008,0092", "0010,2150", "0010,2152"},
    "PHONE_NUMBER": {"0010,2154", "0008,0094"},
}  # fmt: skip
_TAG_ENTITY = {tag: entity for entity, tags in DICOM_TAGS.items() for tag in tags}
_VR_ENTITY = {"PN": "PERSON", "DA": "DATE", "DT": "DATE", "AS": "AGE"}
# dcmdump/gdcmdump: "(0010,0010) PN [HUMMEL^Rosa]"; pydicom: "(0010, 0010) Patient's Name
# PN: 'HUMMEL^Rosa'". The value is group "v" or "w".
_DICOM_LINE = re.compile(
    r"^[ \t#]*\((\p{XDigit}{4}),[ ]?(\p{XDigit}{4})\)[ \t]+(?:([A-Z]{2})[ \t]+\[(?P<v>[^\]\n]*)\]"
    r"|[^\n]*?[ \t]([A-Z]{2}):[ \t]*"
    r"(?:'(?P<w>[^'\n]*)'|\"(?P<w>[^\"\n]*)\"|(?P<w>[^\n]*?))[ \t]*$)",
    re.MULTILINE,
)


def dicom_spans(text: str, age_policy: str) -> Iterator[tuple[str, int, int]]:
    """(entity, start, end) of the identifying values of the DICOM attribute lines."""
    for match in _DICOM_LINE.finditer(text):
        tag = f"{match.group(1)},{match.group(2)}".upper()
        vr = match.group(3) or match.group(5)
        group = "v" if match.group("v") is not None else "w"
        start, end = match.span(group)
        entity = _VR_ENTITY.get(vr) or _TAG_ENTITY.get(tag)
        if entity is None or start == end:
            continue
        for value_start, value_end in _parts(text, start, end, "\\"):  # multiple values
            yield from _dicom_value(text, entity, value_start, value_end, age_policy)


def _dicom_value(text: str, entity: str, start: int, end: int, age_policy: str):
    """The span of one DICOM value that identifies, if it does."""
    value = text[start:end]
    if entity == "PERSON":  # family^given^middle^prefix^suffix; "=" starts other scripts
        alphabetic = text.find("=", start, end)
        pieces = list(_parts(text, start, end if alphabetic < 0 else alphabetic, "^"))
        span = _span(pieces, 0, 2)
        if span:
            yield entity, span[0], span[1]
    elif entity == "DATE":
        if valid_compact_date(value.strip()[:8]):
            yield entity, start, end
    elif entity == "LOCATION":  # street^^town^^postcode: each part a place
        for part_start, part_end in _parts(text, start, end, "^"):
            if part_end > part_start:
                yield entity, part_start, part_end
    elif entity == "AGE":
        if age_is_identifying(value, age_policy):
            yield entity, start, end
    elif value.strip():
        yield entity, start, end


class StructuredRecordRecognizer(EntityRecognizer):
    """Identifiers in HL7 v2 segments and DICOM header dumps, by field (see module)."""

    ENTITIES = ("PERSON", "DATE", "CASE_NUMBER", "LOCATION", "ORGANIZATION", "PHONE_NUMBER",
                "EMAIL_ADDRESS", "WARD", "AGE")  # fmt: skip
    #: A field says what its value is: as sure as an anchored pattern.
    SCORE = 0.85

    def __init__(self, age_policy: str = DEFAULT_AGE_POLICY):
        self.age_policy = check_age_policy(age_policy)
        super().__init__(
            supported_entities=list(self.ENTITIES),
            name="KimedStructuredRecordRecognizer",
            supported_language=LANGUAGE,
        )

    def load(self) -> None:
        """Nothing to load: the field tables are module constants."""

    def analyze(self, text, entities, nlp_artifacts=None):
        """Findings for every identifying field of the HL7 and DICOM lines of ``text``."""
        if "|" not in text and "(" not in text and ";" not in text:
            return []
        policy = self.age_policy
        spans = {*hl7_spans(text), *dicom_spans(text, policy), *table_column_spans(text, policy)}
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}  # fmt: skip
        return [
            RecognizerResult(entity, start, end, self.SCORE, None, dict(meta))
            for entity, start, end in sorted(spans, key=lambda s: (s[1], s[2]))
            if not entities or entity in entities
        ]
