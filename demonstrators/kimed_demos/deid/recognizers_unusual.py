"""Recognizers for letters in unusual styles (issue 11, fourth set's classes).

Each pattern is a class of identifier that one sentence states:

- English dates in bilingual letters: "June 9th, 2025", "Monday, June 9",
  "3rd of July", "Jun 11", "late August", and month/day/year with slashes ("3/14/2025",
  "on 3/6/25": a two-digit year only after an English cue, "9/10/10" is an Apgar score);
- compact dates: ``yyyymmdd`` after a birth or date cue ("geb. 19560412"), and a
  12- or 14-digit time stamp that is a valid date and time anywhere;
- a day and month without the last dot after a date cue ("seit dem 3.2", "der 14.3
  passt"), never before a unit; a day as a spoken ordinal ("am 21ten");
- dictation transcripts: spoken dates ("vierten Juni neunzehnhundertvierzig",
  "zweitausendzwölf"), runs of six or more spoken digits (a phone number when it
  starts with "null", otherwise a case number), a name spelled letter by letter after
  "buchstabiert", a name after a spoken title ("Doktor Fuchs", "Diktierer OA Dachs"), a
  ward spoken as "Station drei A";
- identifiers behind English labels ("Passport No.", "Ref.") and behind a number
  label with a qualifier in brackets ("Rezept-Nr. (BfArM): ...");
- wards: short codes after a ward cue ("Stat. K7", "stationär auf B4", "verlegt auf
  D2", "Station/Amb.: K4"), a number and a side ("4 Süd", "1 Nord"), "Intensiv 3" and
  "Int 3", a unit's bed area after its acronym ("ITS C-2", "ITS-4"), a unit's own code
  after its kind ("Intensiv KCI 2"), a ward named in quotes ("Kinderstation „Seestern“")
  and a ward code in an export's file name ("Liste_Station_4C_2025.csv").
"""

from __future__ import annotations

from . import dates
from .recognizers import GermanPatternRecognizer
from .recognizers_logins import login_recognizers
from .recognizers_positions import position_recognizers
from .recognizers_shapes import shape_recognizers
from .recognizers_structured import valid_compact_date
from .recognizers_wards import ward_shape_recognizers

_EN_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_EN_WEEKDAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_EN_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_UNITS = (
    r"(?:mg|g|kg|ml|l|mmol|µmol|U|%|mm|cm|m|h|min|s|mmHg|Punkte|Jahre|Jahren|Jahr|Wochen|Woche"
    r"|Tage|Tagen|Monate|Monaten|Stunden|x)"
)


def english_date_recognizer() -> GermanPatternRecognizer:
    """DATE: dates written in English (see module)."""
    year = r"(?:,?[ ](?:19|20)\d\d)"
    m_d = r"(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])"
    return GermanPatternRecognizer(
        "DATE",
        [
            ("month day", rf"(?<!\w)(?:{_EN_WEEKDAYS},?[ ])?{_EN_MONTHS}\.?[ ]{_EN_DAY}"
                          rf"(?!\d|[.:]\d|\w){year}?", 0.7),
            # (?=\d): a guard for speed only (the engine skips to digits), same matches.
            ("day of month",
             rf"(?=\d)(?<![\w.]){_EN_DAY}[ ](?:of[ ])?{_EN_MONTHS}(?!\w){year}?", 0.7),
            ("period of month", rf"(?<!\w)(?:early|mid|late|end[ ]of|beginning[ ]of)[ -]"
                                rf"{_EN_MONTHS}(?!\w){year}?", 0.65),
            # "9/10/10" is an Apgar score: a two-digit year only after an English cue.
            ("m/d/yyyy", rf"(?<![\d/.,]){m_d}/(?:19|20)\d\d(?![\d/])", 0.6),
            ("cue m/d/yy", rf"(?<=\b(?:on|since|from|until|dated|DOB|born)[ ]){m_d}/\d\d(?![\d/])",
             0.6),
        ],
        # Speed only (engine.py): each cue matches wherever its pattern does.
        cues={"month day": rf"{_EN_MONTHS}\.?[ ]\d", "day of month": rf"[ ](?:of[ ])?{_EN_MONTHS}",
              "period of month": r"(?:early|mid|late|end|beginning)[ -]"},
    )  # fmt: skip


_DATE_CUE = r"(?:am|vom|seit|seit[ ]dem|bis|bis[ ]zum|ab|ab[ ]dem|zum|den|der|dem)"
_ORDINAL_CUE = r"(?:am|vom|seit[ ]dem|bis[ ]zum|ab[ ]dem|zum|den|der|dem)"
_NOT_A_DAY_AFTER = r"(?![ ](?:Mal|Tag|Lebensjahr|Woche|Zyklus|Monat|Stock|Platz|Grades?)\b)"


def compact_date_recognizer() -> GermanPatternRecognizer:
    """DATE: yyyymmdd after a cue, time stamps, '3.2' after a cue, 'am 21ten'."""
    cue = r"(?:geb\.|geboren(?:[ ]am)?|Geb\.-Dat\.|Geburtsdatum|DOB|Datum|vom|am)"
    return GermanPatternRecognizer(
        "DATE",
        [
            ("yyyymmdd after cue",
             rf"(?<=\b{cue}:?[ ]{{1,3}})(?:19|20)\d{{6}}(?![\w-]|[.,]\d)", 0.7),
            # Round eleven: also the ISO basic form of calendars and logs ("20260314T101500",
            # iCalendar's DTSTART, with "Z" for UTC): machines write every date this way.
            ("time stamp", r"(?<![\w.,-])(?:19|20)\d{6}T?(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?"
                           r"Z?(?![\w-]|[.,]\d)", 0.65),
            ("day.month without dot",
             rf"(?<=\b{_DATE_CUE}[ \n])(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])"
             rf"(?=[ ,;?!)]|$)(?![ ]?{_UNITS}\b)(?![ ]?[-–][ ]?\d)", 0.6),
            ("spoken ordinal day", rf"(?<=\b{_ORDINAL_CUE}[ \n])(?:0?[1-9]|[12]\d|3[01])"
                                   rf"(?:ten|ter|te|sten|ster)(?!\w){_NOT_A_DAY_AFTER}", 0.6),
        ],
        validator=_compact_ok,
    )  # fmt: skip


def _compact_ok(text: str) -> bool:
    """Eight digits or more must be a real date; shorter forms are checked by shape."""
    # Round eleven: the ISO basic form ("20260314T101500Z") is checked without its T/Z.
    digits = text.rstrip("Z").replace("T", "", 1) if "T" in text else text
    return valid_compact_date(digits) if digits.isdigit() and len(digits) >= 8 else True


_DIGIT_WORDS = r"(?:null|eins|zwei|zwo|drei|vier|fünf|sechs|sieben|acht|neun)"
_UNITS_WORDS = r"(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)"
_ORDINAL_WORDS = (
    rf"(?:(?:{_UNITS_WORDS}und)?zwanzigst|(?:ein)?(?:und)?dreißigst|erst|zweit|dritt|viert"
    r"|fünft|sechst|sieb(?:en)?t|acht|neunt|zehnt|elft|zwölft"
    r"|(?:drei|vier|fünf|sech|sieb|acht|neun)zehnt)e[nrm]?"
)
_SPOKEN_TITLE = r"(?:Doktor|Doktorin|Kollegen|Kollegin|Diktierer(?:in)?|Diktat[ ]von)"
_SPOKEN_YEAR = r"(?:neunzehnhundert\p{Ll}+|zweitausend(?!\p{Ll}*hundert)\p{Ll}+)"


def dictation_recognizers() -> list[GermanPatternRecognizer]:
    """DATE, PHONE_NUMBER, CASE_NUMBER, PERSON and WARD as a dictation speaks them."""
    months = f"(?:{dates.MONTH_NAME_REGEX})"

    def digits(first: str) -> str:
        return rf"(?<!\p{{L}}){first}(?:[ ]{_DIGIT_WORDS}){{5,}}(?!\p{{L}})"

    spoken_digits = rf"{_DIGIT_WORDS}[ ]{_DIGIT_WORDS}[ ]"  # cue: six digit words need two
    return [
        GermanPatternRecognizer("DATE", [
            ("spoken day month", rf"(?<!\p{{L}}){_ORDINAL_WORDS}[ ]{months}(?:[ ]{_SPOKEN_YEAR})?"
                                 r"(?!\p{L})", 0.7),
            ("spoken year", rf"(?<!\p{{L}}){_SPOKEN_YEAR}(?!\p{{L}})", 0.6),
        ], cues={"spoken day month": rf"te[nrm]?[ ]{months}",
                 "spoken year": "neunzehnhundert|zweitausend"}),
        GermanPatternRecognizer("PHONE_NUMBER", [
            ("spoken phone", rf"(?<!{_DIGIT_WORDS}[ ]){digits('null')}", 0.7)],
            cues={"spoken phone": spoken_digits}),
        GermanPatternRecognizer("CASE_NUMBER", [
            ("spoken number", digits(rf"(?!null){_DIGIT_WORDS}"), 0.65)],
            cues={"spoken number": spoken_digits}),
        GermanPatternRecognizer("PERSON", [
            ("spelled name", r"(?<=\bbuchstabiert:?[ ])(?:\p{Lu}[ ]){2,}\p{Lu}(?!\w)", 0.7),
            # A spoken title or the dictating doctor names a person whatever the word
            # ("Doktor Fuchs", "Diktierer OA Dachs"); written titles have their own patterns.
            ("after spoken title", rf"(?<=\b{_SPOKEN_TITLE}[ ](?:(?:OA|OÄ|Dr\.|Doktor|Prof\.)[ ])?)"
                                   r"\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?(?![\w-])", 0.6)]),
        GermanPatternRecognizer("WARD", [
            ("spoken ward", rf"(?<=\bStation[ ])(?:{_DIGIT_WORDS}|zehn|elf|zwölf)"
                            r"(?:[ ](?:\p{Lu}(?!\w)|Nord|Süd|Ost|West))?", 0.7)]),
    ]  # fmt: skip


_SIDE = r"(?:Nord|Süd|Ost|West|Mitte)"
_CODE = r"\p{Lu}{1,3}-?\d{1,2}[a-z]?"
_LIST_SEP = r"[ ]?(?:/|,|und|&)[ ]?"
_UNIT = r"(?:[ ](?:IMC|ITS|IPS))"  # "B3 IMC": the intermediate care part of ward B3
_WARD_CUE = (
    # "Station/Amb.": a form label for the ward or outpatient unit that ordered it.
    # Round nine: the plural before a list of wards; the bed a case occupies ("Belegung B4").
    r"(?:Stat\.|Stationen|Station(?:/\p{L}+\.?)?|Belegung|Verlegung(?:[ ](?:auf|nach))?"
    r"|verlegt(?:[ ](?:auf|nach))?"
    r"|stationär[ ]auf|Aufnahme[ ]auf|liegt[ ]auf|zurück[ ]auf|→)"
)


def ward_code_recognizer() -> GermanPatternRecognizer:
    """WARD: short codes after a ward cue, number + side, 'Intensiv 3', 'ITS C-2'."""
    return GermanPatternRecognizer(
        "WARD",
        [
            ("code after cue", rf"(?<=\b{_WARD_CUE}:?[ ]{{1,2}}){_CODE}{_UNIT}?(?![\w-])", 0.65),
            # Round nine: the next wards of a list ("Stationen B3 / B3 IMC", "A1 und A2").
            # (?=\p{Lu}) first: not rewritten to "\K" (engine.fast_form), which would find
            # only the last ward of a list.
            ("listed code", rf"(?=\p{{Lu}})(?<=\bStationen:?[ ]{_CODE}{_UNIT}?"
                            rf"(?:{_LIST_SEP}{_CODE}{_UNIT}?)*{_LIST_SEP}){_CODE}{_UNIT}?(?![\w-])",
             0.65),
            # Round nine: a unit named by its kind and number after the label "Einheit:"
            # ("Einheit: Video-EEG 3"); a measuring unit ("Einheit: mg") has no number.
            ("unit after label", r"(?<=\bEinheit:[ \t]{1,12})\p{Lu}[\p{L}-]+[ ]\d{1,2}[a-z]?"
                                 r"(?![\w-])", 0.65),
            ("number + side", rf"(?<![\w.,/-])\d{{1,2}}[ ]?{_SIDE}(?![\w-])", 0.6),
            # "Int 2": the ward journal's short form of "Intensiv 2".
            ("kind + number", r"(?<![\w-])(?:Intensiv|Int\.?|Intermediate[ ]Care|Wachstation"
                              r"|Privatstation|Kinderstation)[ ]\d{1,2}[a-z]?(?![\w-])", 0.65),
            # An intensive or normal unit's own code after its kind ("Intensiv KCI 2"): houses
            # name units by acronyms that no list holds.
            ("kind + code", r"(?=\p{Lu})(?<=\b(?:Intensiv|Intensivstation|Wachstation"
                            r"|Normalstation|IMC)[ ])\p{Lu}{2,4}[ ]?\d{1,2}[a-z]?(?![\w-])", 0.65),
            # A ward named in quotes after a ward noun ("Palliativstation „Abendrot“"):
            # children's and palliative wards are named, not numbered.
            ("quoted name", r"(?=\p{Lu})(?<=\b(?:Station|\p{Lu}\p{Ll}*station)[ ][„\"»‚])"
                            r"\p{Lu}[\p{L}-]+(?:[ ]\p{Lu}[\p{L}-]+)?(?=[“\"«‘])", 0.7),
            # A ward named by a word before the colon of its line ("Telefon Station Delfin:"):
            # "Station" + word + ":" heads a ward's phone or note, never prose.
            ("named before colon", r"(?=\p{Lu})(?<=\bStation[ ])\p{Lu}\p{Ll}{2,}(?=:)", 0.65),
            # A ward code in an export's file name ("Liste_Station_4B_2025.csv").
            ("file name", r"(?=[\p{Lu}\d])(?<=(?<![^\W_])(?:Station|Stat)_)"
                          r"(?:\p{Lu}{1,3}-?\d{1,2}[a-z]?|\d{1,2}[A-Za-z]?)(?=[_.-]|\b)", 0.7),
            ("unit area", r"(?<=\b(?:ITS|IMC|ICU|IPS)[ -])(?:\p{Lu}{1,2}-)?\d{1,2}(?![\w-])", 0.7),
            # A house's own prefix on its intensive or intermediate unit ("KCH-ITS"):
            # the bare "ITS" is every hospital's, the prefixed one a single ward. German
            # unit words only: "-ICU" ends English scores ("CAM-ICU").
            ("prefixed unit", r"(?<![\w-])\p{Lu}{1,4}-(?:ITS|IMC|IPS)(?![\w-])", 0.65),
            # A code after a specialised unit's name ("Stroke Unit N 2", "Chest Pain Unit
            # C 2"): the unit's own number in that house.
            ("code after unit", r"(?=\p{Lu})(?<=\bUnit[ ])\p{Lu}{1,3}[ ]?\d{1,2}[a-z]?(?![\w-])",
             0.65),
            # A ward of a day or children's unit by a word, a number and its name in
            # brackets ("Tagesstation Kinder 3 (Sonnenblume)").
            ("word + number + name", r"(?=\p{Lu})(?<=\b(?:Station|\p{Lu}\p{Ll}+station)[ ])"
                                     r"\p{Lu}\p{Ll}+[ ]\d{1,2}[a-z]?(?:[ ]\(\p{Lu}[\p{L}-]+\))?"
                                     r"(?![\w-])", 0.65),
        ],
        # Speed (engine.py): each cue matches wherever its pattern does.
        cues={"kind + code": r"Intensiv|Wachstation|Normalstation|IMC",
              "listed code": "Stationen", "unit after label": "Einheit:",
              "quoted name": r"[Ss]tation[ ][„\"»‚]", "named before colon": r"Station[ ]\p{Lu}",
              "file name": r"Stat(?:ion)?_", "prefixed unit": r"-(?:ITS|IMC|IPS)",
              "code after unit": r"Unit[ ]", "word + number + name": r"station[ ]\p{Lu}"},
    )  # fmt: skip


def _three_digits(text: str) -> bool:
    """An identifier has at least three digits ("No. 3" is no identifier)."""
    return sum(ch.isdigit() for ch in text) >= 3


def english_id_recognizer() -> GermanPatternRecognizer:
    """CASE_NUMBER behind English labels ("Passport No. P1X234567", "Ref.: AB-2025-77")
    and behind a German number label with a qualifier in brackets ("Rezept-Nr. (BfArM):
    1234-5678")."""
    value = r"[A-Z0-9][A-Z0-9/-]{3,}(?![\w-])"
    english = (
        r"(?:Passport|Patient|Case|Reference|Policy|Member|Insurance|Booking|Record|File)"
        r"[ ](?:No\.?|Number|ID|#)|Ref\.?|MRN"
    )
    return GermanPatternRecognizer(
        "CASE_NUMBER",
        [
            ("english label", rf"(?<=\b(?:{english}):?[ ]{{1,3}}){value}", 0.8),
            ("label (qualifier)",
             rf"(?<=\b[\p{{L}}-]*(?:Nr|nummer)\.?[ ]\([^)\n]{{1,24}}\):?[ ]{{1,3}}){value}", 0.8),
        ],
        validator=_three_digits,
    )  # fmt: skip


def unusual_recognizers() -> list[GermanPatternRecognizer]:
    """All recognizers of this module, one instance each."""
    return [
        english_date_recognizer(), compact_date_recognizer(), *dictation_recognizers(),
        ward_code_recognizer(), english_id_recognizer(), *shape_recognizers(),
        *position_recognizers(), *ward_shape_recognizers(), *login_recognizers(),
    ]  # fmt: skip
