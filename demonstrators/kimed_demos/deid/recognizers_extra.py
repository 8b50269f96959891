"""Recognizers for what hand-written letters showed missing (issue 11).

- dates without a year, ranges of days, weekdays, seasons, month names alone, bare
  years and calendar weeks (:func:`date_fragment_recognizer`);
- numbers behind any identifier label ("Aufn.-Nr.", "Eingangsnr.", "Journal-Nr.",
  "Einsatz-Nr.", "ID:", "IK", "Aktenzeichen") and the pension insurance number
  (Rentenversicherungsnummer) with its check digit;
- phone numbers by presidio's phonenumbers-based recognizer for Germany, which needs
  no "Tel." cue;
- names after role abbreviations and form labels (OA, Sr., Pfl., Dipl.-Psych.,
  "Operateur:", "Patient:"), in capitals ("SCHMIED, ROSWITHA");
- ward or unit designations (ITS 3, IMC West, Station 2 Ost).

Organisations (by head word, insurers, employers) are in :mod:`.recognizers_orgs`.

Shape-only patterns that could be ordinary words are validated with the German word
list (:func:`.lexicon.is_common_word`).
"""

from __future__ import annotations

import phonenumbers
import regex as re
from presidio_analyzer import RecognizerResult
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from . import checksums, dates
from .lexicon import first_names, is_common_word
from .mentions import ROLE_NOUN
from .recognizers import LANGUAGE, LYMPH_CUE, GermanPatternRecognizer

_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MON = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)\d\d"
_WEEKDAYS = r"(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag)"
_WD = r"(?:Mo|Di|Mi|Do|Fr|Sa|So)"
_SEASONS = (
    r"(?:Frühjahr|Frühling|Frühsommer|Spätsommer|Hochsommer|Sommer|Frühherbst|Spätherbst"
    r"|Herbst|Winter|Ostern|Pfingsten|Weihnachten|Silvester|Jahreswechsel)"
)
# Holidays are dates of one year ("Sturz am Ostermontag").
_HOLIDAYS = (
    r"Ostern|Pfingsten|Weihnachten|Silvester|Ostermontag|Ostersonntag|Karfreitag"
    r"|Gründonnerstag|Pfingstmontag|Pfingstsonntag|Heiligabend|Neujahr|Neujahrstag"
    r"|Rosenmontag|Aschermittwoch|Fronleichnam|Himmelfahrt|Christi[ ]Himmelfahrt|Allerheiligen"
    r"|Reformationstag|Fasching|Karneval|Buß-[ ]und[ ]Bettag|Tag[ ]der[ ]Arbeit"
    # Round ten: every named day of the German church and public calendar that fixes a
    # date, not only those one set used; "1. Advent" and "2. Weihnachtsfeiertag" with
    # their number, since the number says which day.
    r"|Totensonntag|Ewigkeitssonntag|Volkstrauertag|Tag[ ]der[ ]Deutschen[ ]Einheit"
    r"|[1-4]\.[ ]Advent|(?:ersten|zweiten|dritten|vierten|1\.|2\.|3\.|4\.)[ ]Adventssonntag"
    r"|(?:1\.|2\.|ersten|zweiten|Ersten|Zweiten)[ ]Weihnachts(?:feier)?tag|Weihnachtsfeiertagen?"
    r"|Mariä[ ]Himmelfahrt|Heilige[ ]Drei[ ]Könige|Heiligen[ ]Drei[ ]Königen|Dreikönigstag"
    r"|Epiphanias|Palmsonntag|Karsamstag|Ostersamstag|Pfingstferien|Osterferien"
    r"|Weiberfastnacht|Fastnacht|Nikolaustag|Martinstag|Sankt[ ]Martin|St\.[ ]Martin"
    r"|Valentinstag|Muttertag|Vatertag|Erntedank(?:fest|sonntag)?|Allerseelen|Walpurgisnacht"
    r"|Johannistag|Silvesterabend|Silvesternacht|Neujahrsmorgen|Frauentag|Weltkindertag"
)
_MONTH_ALONE = "|".join((*dates.MONTHS, "Jänner", "Feber"))  # Austrian names too
_UNITS = (
    r"(?:mg|µg|ug|ng|pg|g|kg|ml|l|IE|I\.E\.|E|mm|cm|m|ms|s|min|h|mmol|µmol|U|Punkte|Pkt"
    r"|Zellen|Einheiten|Stück|x|kcal|Schritte|m²)"
)
NAME = r"\p{Lu}\p{Ll}+(?:['’]\p{Ll}+)?(?:-\p{Lu}\p{Ll}+)*"
CAPWORD = r"(?:\p{Lu}[\p{L}]*(?:-\p{Lu}?[\p{L}]+)*|\p{Lu}\p{Ll}{0,3}\.)"
#: CAPWORD with possessive runs, for where a space must follow it (a shorter run would
#: be followed by a letter): same matches, found without backtracking (speed).
CAPWORD_BEFORE_SPACE = r"(?:\p{Lu}[\p{L}]*+(?:-\p{Lu}?[\p{L}]++)*|\p{Lu}\p{Ll}{0,3}\.)"


def date_fragment_recognizer() -> GermanPatternRecognizer:
    """DATE pieces the full-date patterns miss: 08.01., 12./13.5., Mo 12.5., Frühjahr 2019."""
    edge = r"(?<![\d.,/])"
    year = rf"(?:{_YEAR}|\d\d)"
    weekday = rf"(?:{_WEEKDAYS}|{_WD}\.?)(?:/{_WD}\.?)?"
    since = r"(?:[Ss]eit|[Aa]b|[Bb]is|Ende|Anfang|Mitte)"
    return GermanPatternRecognizer(
        "DATE",
        [
            ("day.month.", rf"{edge}{_DAY}\.{_MON}\.(?!\d|[.,]\d)", 0.6),
            # (?=\d): a guard for speed only (the engine skips to digits), same matches.
            ("day range", rf"(?=\d){edge}{_DAY}\.?[ ]?[/–-][ ]?{_DAY}\.{_MON}\.{year}?(?!\d)", 0.7),
            ("day before bis", rf"{edge}{_DAY}\.(?=[ ]?(?:bis|–|-)[ ]?{_DAY}\.)", 0.6),
            # Two days of one month: "18. und 19. November" (the second is found whole).
            # Round nine: also when the second day begins the next line.
            ("day before und", rf"(?=\d){edge}{_DAY}\.(?=[ ](?:und|u\.|&)[ \n]{_DAY}\.[ ]?"
                               rf"(?:{_MONTH_ALONE}|{_MON}\.))", 0.6),
            ("weekday + day", rf"\b{weekday},?[ ](?:den[ ])?{_DAY}\.(?:{_MON}\.)?", 0.7),
            # A season alone is a date only after "seit", "ab", "bis", "Ende", ... ("im
            # Winter nehme der Schwindel zu" stays); with a year, or a holiday, always.
            ("season + year", rf"(?<!\w){_SEASONS}[ ]{_YEAR}(?:/\d\d)?(?!\w)", 0.6),
            ("since season", rf"(?<=\b{since}[ ](?:dem[ ]|zum[ ])?){_SEASONS}(?!\w)", 0.55),
            # (?=...): the first letters of the named days, so the long alternation runs
            # only there (speed, same matches).
            ("holiday", rf"(?<!\w)(?=[\p{{Lu}}1-4]|ersten|zweiten|dritten|vierten)"
                        rf"(?:{_HOLIDAYS})(?!\w)", 0.55),
            ("month alone", rf"(?<![\w.])(?:{_MONTH_ALONE})(?!\w)", 0.55),
            ("bare year", rf"(?<![\w.,/+-]){_YEAR}(?![\w/-]|[.,]\d|[ ]?{_UNITS}\b)", 0.55),
            ("calendar week", r"\bKW[ ]?(?:[1-9]|[1-4]\d|5[0-3])(?:/\d\d(?:\d\d)?)?(?!\d)", 0.7),
        ],
    )  # fmt: skip


# Labels of numbers that name a product, batch, study, room or phone, not a person.
_NOT_ID_LABEL = (
    r"(?!(?:Kit|Chargen|Charge|Ch|LOT|Lot|Artikel|Art|PZN|REF|Bestell|EudraCT|Studien"
    r"|Prüfplan|Prüfstellen|Zimmer|Bett|Raum|Seite|Version|Haus|Tel|Telefon|Fax)\b)"
)
# "\b" before the lookbehind: the same matches, but the regex engine rejects most positions
# on "\b" alone, which halves this pattern's time (speed). (?=[nNIkK]): the first letters
# of the label endings, so the backtracking word tries them only there (speed).
_ID_LABEL = (
    rf"(?:\b(?<![\p{{L}}.-]){_NOT_ID_LABEL}[\p{{L}}.-]*(?=[nNIkK])(?:nr|Nr|NR|nummer|Nummer|ID|Id|kennung"
    # Eighth round: "-Ident" ("Pat.-Ident"), and the English medical record number (MRN).
    r"|Kennung|Ident)\.?|\bIK|\bMRN|\bAz\.|\bAktenzeichen(?:[ ]\p{L}+){0,2}"
    r"|\b(?:Geschäfts|Kenn|Buchungs|Bearbeitungs)zeichen"
    r"|\b(?:Ihr|Unser)[ ]Zeichen|\bLfd\.[ ]Nr\.|\bChiffre"
    # Round nine: a registry's or biobank's pseudonym stands for the patient.
    r"|\bPseudonym)"
    # "intern" after a label says which system numbered it ("Fallnr. intern 0012345").
    r"(?:[ ](?:intern|extern))?"
    # "Lfd. Nr. des Scheins:", "Ihre Vorgangsnummer lautet 2024118830".
    r"(?:[ ](?:der|des)[ ]\p{L}+(?=[ ]?:)|[ ](?:war|ist|lautet|lauten))?"
    # A remark in brackets between label and value ("-ID (nachgemeldet): ...", round eight).
    r"(?:[ ]\(\p{Ll}+\))?"
    # Round nine: the issuing body's acronym between label and colon ("Az. ABC: ...").
    r"(?:[ ]\p{Lu}{2,5}(?=:))?"
)
_ID_VALUE = (
    # prefix: roman numeral or short code ("ABC-N 24-40562")
    # Round eight: a code of letters with a second code before the number ("QX-B-0518") or a
    # slash after the code ("ABC/25/0912"), as registers number their cases.
    # Round nine: the second code may have four letters ("XY-ABCD-001234": country and
    # register in a registry pseudonym).
    r"(?:(?:[IVXL]{1,6}|\p{Lu}[\p{L}]{0,3}(?:-\p{Lu}{1,4}(?=[ -]\d))?)[ /-]?)?"
    r"\d[\dA-Z/-]*(?:[ ](?:\p{Lu}{1,4}[ ])?\d[\dA-Z/-]*)*"
    # Digit groups joined by a dot ("E 25.6612"): pathology and lab journals write so.
    r"(?:\.\d[\dA-Z/-]*)*"
)


def _id_value_ok(text: str) -> bool:
    """At least three digits: a label followed by 'Nr. 3' is no identifier."""
    return sum(ch.isdigit() for ch in text) >= 3


def labelled_id_recognizer() -> GermanPatternRecognizer:
    """CASE_NUMBER: the value after any label that names a number or ID."""
    return GermanPatternRecognizer(
        "CASE_NUMBER",
        [
            (
                "after id label",
                rf"(?<={_ID_LABEL}[ ]?:?[ \t]{{0,12}}(?:\|[ \t]{{0,3}})?){_ID_VALUE}(?![\w-])",
                0.8,
            ),
            # Round nine: a barcode's number between the asterisks that start and stop a
            # Code 39 barcode ("Etikett *0012345*"); not a bold "**x**" nor a birth "*".
            ("barcode", r"(?<![\w*])\*[0-9A-Z]{5,14}\*(?![\w*])", 0.7),
            # Round nine: an identity card's or passport's number, letters and digits
            # ("Personalausweis <9 characters>").
            (
                "identity document",
                r"(?<=\b(?:Personalausweis|Ausweis|Reisepass|Pass)(?:-?(?:Nr\.|nummer))?:?[ ])"
                r"[A-Z0-9]{8,10}(?![\w-])",
                0.75,
            ),
            # Groups of hexadecimal digits joined by hyphens (GUID-like system IDs: "3fa0-
            # 91bc-..."): no date, dose or phone number is written so (round eight).
            (
                "hex groups",
                r"(?<![\w-])(?=[0-9a-f-]*[a-f])[0-9a-f]{4,8}(?:-[0-9a-f]{4,12}){2,}(?![\w-])",
                0.7,
            ),
            # Nouns that name a record, followed by its number without "Nr." ("Vorgang
            # AB 26/0113", "Behandlungsfall 2026/118"): only a number cut by "/" or "-"
            # (year and count), as a phone number after such a noun is written with spaces.
            (
                "after record noun",
                r"(?<=\b(?:Vorgang|Behandlungsfall|Versicherungsfall|Schadensfall|Akte|Auftrag)"
                r":?[ ])(?:\p{Lu}{1,4}[ -]?)?\d+(?:[/-]\d+)+(?![\w/-])",
                0.7,
            ),
        ],  # also in a table cell after the label cell
        validator=_id_value_ok,
        cues={
            "barcode": r"\*[0-9A-Z]",
            "identity document": r"[Aa]usweis|Reisepass|Pass(?:\b|-|nummer)",
        },
    )


def rvnr_recognizer() -> GermanPatternRecognizer:
    """DE_RVNR: Rentenversicherungsnummer '12 150347 M 017', valid check digit only."""
    birth = r"(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d\d"
    return GermanPatternRecognizer(
        "DE_RVNR",
        [("rvnr", rf"(?<![\w-])\d\d[ ]?{birth}[ ]?[A-Z][ ]?\d{{3}}(?![\w-])", 0.85)],
        context=("rentenversicherung", "versicherungsnummer", "rvnr", "sozialversicherung"),
        validator=checksums.is_valid_rvnr,
    )  # fmt: skip


# An Austrian or Swiss number in national format counts only after a telephone word:
# without one, "0199 12345" could be a Swiss number and is just as likely a file number.
_PHONE_CUE = re.compile(r"(?i)(?:tel|fon|fax|sekretariat|rückfragen|erreichbar|mobil|handy|ruf)")


class GermanPhoneRecognizer(PhoneRecognizer):
    """PHONE_NUMBER by ``phonenumbers`` for Germany: valid numbers, with or without cue.

    presidio's recognizer runs ``PhoneNumberMatcher`` over the whole text, which was
    a tenth of the analyzer's time; here a cheap pattern proposes digit groups and
    ``phonenumbers`` keeps those that are valid German (or international) numbers.
    """

    SCORE = 0.7
    _CANDIDATE = re.compile(
        r"(?<![\w.,/+-])(?:\+\d{2}[ ]?(?:\(0\)[ ]?)?|\(0\d{2,5}\)[ ]?|0)"
        r"\d[\d ()/–-]{4,18}\d(?![\w,]|\.\d)"  # "–": a dash between groups ("0171 – 55 ...")
    )

    def __init__(self):
        super().__init__(
            supported_language=LANGUAGE,
            supported_regions=("DE",),
            context=["tel", "telefon", "fax", "mobil", "erreichbar", "sekretariat"],
        )

    @staticmethod
    def _valid_nearby(candidate: str) -> bool:
        """True for a valid Austrian or Swiss number written in national format
        ("0316 482-55190", "071 622 40 13"): letters cross the borders."""
        for region in ("AT", "CH"):
            try:
                if phonenumbers.is_valid_number(phonenumbers.parse(candidate, region)):
                    return True
            except phonenumbers.NumberParseException:
                continue
        return False

    def analyze(self, text, entities, nlp_artifacts=None):
        """Valid phone numbers among the candidate digit groups of ``text``."""
        results = []
        for match in self._CANDIDATE.finditer(text):
            try:
                number = phonenumbers.parse(match.group().replace("–", "-"), "DE")
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number) or (
                _PHONE_CUE.search(text, max(0, match.start() - 30), match.start())
                and self._valid_nearby(match.group().replace("–", "-"))
            ):
                results.append(RecognizerResult(
                    entity_type="PHONE_NUMBER", start=match.start(), end=match.end(),
                    score=self.SCORE, analysis_explanation=self._get_analysis_explanation("DE"),
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                          RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id},
                ))  # fmt: skip
        return results


_ROLE = (
    r"(?:OA|OÄ|CA|LOA|FA|FÄ|AA|Sr\.|Schw\.|Pfl\.|Pfleger|Hebamme|MFA|MTA|MTLA|PJ"
    r"|Dipl\.-[\p{L}]+\.?|M\.[ ]?Sc\.(?:[ ]Psych\.)?|B\.[ ]?A\.|gez\.|Hr\.|Fr\."
    # Police ranks before the officer's name, as reports and protocols write them (the
    # bare "PK" is also pharmacokinetics: only with its female ending); lawyers, notaries
    # and care staff by their job title.
    r"|POK|PHK|POM|KHK|KOK|EPHK|(?:POK|PHK|POM|KHK|KOK|PK)(?:'|’)?in"
    r"|RAin|Rechtsanwalt|Rechtsanwältin|Notar|Notarin|Pflegekraft|Hilfskraft)"
)
_LABEL = (
    r"(?:Patient(?:in)?|Pat\.|Name(?:,[ ]Vorname)?|Kind|Mutter|Vater|Eltern|Klient(?:in)?"
    r"|Antragsteller(?:/in|in)?|Versicherte(?:/r|r)?|Betrifft|Betr\.|Bevollmächtigte[r]?"
    r"|Betreuer(?:in)?|Operateur(?:in)?|Assistenz|\d\.[ ]Assistenz|Anästhesie|OP-Pflege"
    r"|Untersucher(?:in)?|Konsiliarius|Diktiert|Validiert|Protokoll|Behandelnde[r]?[ ]Ärzt(?:in)?"
    r"|Behandelnder[ ]Arzt|Leitende[r]?[ ](?:Arzt|Ärztin)|Stationsarzt|Stationsärztin"
    r"|Hausarzt|Hausärztin|Kinderarzt|Kinderärztin|Einsender|Überweiser(?:in)?"
    r"|Vorstellende[r]?[ ](?:Arzt|Ärztin)|Anforderer|Anforderung[ ]durch|D-Arzt|Ärztin|Arzt"
    r"|Sozialarbeiter(?:in)?|Pflegefachkraft|Von|An|Cc|Antwort[ ]von|Übergabe[ ]\p{L}+|Logopädie"
    r"|Physiotherapie|Ergotherapie|Psychologin|Psychologe|Bezugstherapeut(?:in)?|Teilnehmer(?:in)?"
    r"|Teilnehmende|Anwesend|Gez\.|gez\."
    # Who drew up a court's or authority's copy signs after these labels.
    r"|Ausgefertigt|Beglaubigt|Sachbearbeiter(?:in)?"
    # Round nine: who staffs the front desk in a practice's day list ("Rezeption: <First>"),
    # who answers for data protection ("Datenschutz: <Surname>"), who hands a shift over
    # and who takes it ("Übergibt: <First> · Übernimmt: <First>").
    r"|Rezeption|Empfang|Datenschutz(?:beauftragte[r]?)?|Übergibt|Übernimmt)"
)
_TITLES = (
    r"(?:(?:Prof\.|Dr\.|PD|med\.|dent\.|rer\.[ ]nat\.|Dipl\.-[\p{L}]+\.?|Frau|Herr|Hr\.|Fr\.)[ ])*"
)
# Titles, and ward cues before a ward code ("Einsender: Stat. N3"), are no names.
_NOT_TITLE = r"(?!(?:Dr|Prof|PD|med|Dipl|Psych|Sc|Frau|Herr|Hr|Fr|Sr|Schw|Pfl|Stat|Zi)\b)"
# After "Surname, First": a delimiter, or a column gap of two spaces or a tab.
_FIRST_NAME_END = r"(?=[ \t]*(?:[,(\n*]|$)|[ ]{2}|\t)"
_PERSON_NAME = (
    rf"{_NOT_TITLE}(?:(?:\p{{Lu}}\.[ ]?){{1,2}}(?:(?:von|van|zu|v\.)[ ])?{NAME}"
    rf"|{NAME}(?:[ ](?:von|van|zu|de)[ ]{NAME}|[ ]{NAME}|[ ]\p{{Lu}}\.(?!\w))?"
    rf"(?:,[ ]{NAME}{_FIRST_NAME_END})?"
    # "van Rijn, Maarten": a surname led by its particle, surname first.
    rf"|(?:von|van|de|zu|ten)(?:[ ](?:der|den|dem))?[ ]{NAME}(?:,[ ]{NAME}{_FIRST_NAME_END})?"
    rf"|\p{{Lu}}{{2,}}(?:-\p{{Lu}}{{2,}})?,[ ]\p{{Lu}}{{2,}})"
)


# Compiled once: the regex module's cache lookup per call cost more than the matching.
_NAME_WORDS = re.compile(r"\p{L}[\p{L}'’-]*")


def _not_ordinary(text: str) -> bool:
    """False when every word of a candidate name is an ordinary German word."""
    words = [w for w in _NAME_WORDS.findall(text) if w not in ("von", "van", "zu", "de")]
    words = [w for w in words if len(w) > 1 or not w.isupper()]
    return bool(words) and not all(is_common_word(w.title() if w.isupper() else w) for w in words)


def person_label_recognizer() -> GermanPatternRecognizer:
    """PERSON after a role abbreviation (OA, Sr., Dipl.-Psych.) or a form label + colon."""
    after_role = rf"(?<=(?<![\w.-]){_ROLE}[ ]{_TITLES})"
    # "Name: ", "Name :" (OCR) and forms with dot leaders ("Name ........ Vogel").
    after_label = rf"(?<=(?:^|[\t ,(])(?:{_LABEL})(?:[ \t]?:|[ ]?\.{{3,}})[ \t]*{_TITLES})"
    return GermanPatternRecognizer(
        "PERSON",
        [
            ("after role", rf"{after_role}{_PERSON_NAME}(?![\w-])", 0.65),
            ("after label", rf"{after_label}{_PERSON_NAME}(?![\w-])", 0.6),
            ("form field", rf"(?<=^Name,[ ]Vorname[^\n]{{0,40}}\n){_PERSON_NAME}(?![\w-])", 0.6),
        ],
        validator=_not_ordinary,
    )


def birth_name_recognizer() -> GermanPatternRecognizer:
    """PERSON: "Surname, First" at a line start or after a label, right before a birth
    cue ("geb.", "*"): a person whatever the words (round eight: surnames and first names
    that are German words or compounds, which the label recognizer's word check drops)."""
    return GermanPatternRecognizer(
        "PERSON",
        [("surname, first before birth",
          # Round nine: forms align their fields with runs of spaces ("Kind:    <Surname>,
          # <First> <Second>            geb. ...").
          rf"(?:(?<=^)|(?<=:[ \t]+))(?=\p{{Lu}}){NAME},[ ]{NAME}(?:[ ]{NAME})?"
          r"(?=[ \t]*\(?(?:geb\.|\*))", 0.6)],
        cues={"surname, first before birth": r"geb\.|\*"},
    )  # fmt: skip


_KIN = (
    r"(?:Ehefrau|Ehemann|Ehepartner(?:in)?|Frau|Mann|Tochter|Sohn|Sohnes|Bruder|Schwester"
    r"|Enkel|Enkelin|Mutter|Vater|Nichte|Neffe|Großmutter|Großvater|Oma|Opa|Tante|Onkel"
    r"|Schwiegersohn|Schwiegertochter|Lebensgefährte|Lebensgefährtin|Partner(?:in)?"
    r"|Nachbar(?:in)?|Freund(?:in)?|Betreuer(?:in)?|Cousin|Cousine"
    # Round ten: every kinship word, not only the frequent ones.
    r"|Vetter|Base|Schwager|Schwägerin|Stiefvater|Stiefmutter|Stiefsohn|Stieftochter"
    r"|Urenkel(?:in)?|Großnichte|Großneffe|Halbbruder|Halbschwester|Pflegemutter|Pflegevater"
    r"|Patenonkel|Patentante|Pate|Patin|Verlobte[rn]?|Schwiegermutter|Schwiegervater)"
)


_PROFESSION = r"(?:BTA|MTA|MTLA|MTRA|PTA|MFA|ZFA|GuKP|GKP|OTA|ATA|NotSan|RettSan)"


def kin_person_recognizer() -> GermanPatternRecognizer:
    """PERSON after a kin or relation word ('Ehefrau Brigitte', 'Bruder Sebastian') or
    a profession noun ('Atmungstherapeut Quirin Paschke')."""
    return GermanPatternRecognizer(
        "PERSON",
        [
            # A guardian is often a lawyer: "Betreuerin RAin Ott" (RA: Rechtsanwalt/-anwältin).
            ("after kin word",
             rf"(?<=\b{_KIN}[ ](?:RA(?:in)?[ ])?){_NOT_TITLE}{NAME}(?:[ ]{NAME})?(?![\w-])", 0.6),
            # Two capitalised words after a profession noun are its holder's first name and
            # surname, whatever lists know them.
            # (?=\p{Lu}): a guard for speed only (the lookbehind is not tried before most
            # characters), same matches.
            ("after role noun",
             rf"(?=\p{{Lu}})(?<={ROLE_NOUN}[ ]){_NOT_TITLE}{NAME}[ ]{NAME}(?![\w-])", 0.6),
            # Round nine: the partners of a law firm in its letterhead, surnames in capitals
            # before the firm's kind ("<SURNAME> <SURNAME-SURNAME> RECHTSANWÄLTE").
            ("partners of a firm",
             r"^(?:\p{Lu}{2,}(?:-\p{Lu}{2,})?[ ])+?(?=(?:RECHTSANWÄLTE|RECHTSANWÄLTIN"
             r"|RECHTSANWALT|NOTARE|STEUERBERATER)\b)", 0.6),
            # Round nine: an initial and a surname before a health profession's short form
            # in brackets ("durch A. <Surname> (BTA)"): staff, whatever the lists know.
            ("initial before profession",
             rf"(?<![\w.])\p{{Lu}}\.[ ]{NAME}(?=[ ]\({_PROFESSION}\))", 0.6),
        ],
        validator=_not_ordinary,
        # Speed (engine.py): a profession noun stands before every match of the pattern.
        cues={"after role noun": r"therapeut|pfleger|schwester|helfer|berater|assistent|expert"
                                 r"|fachkraft|techniker|Kolleg|Hebamme",
              "initial before profession": rf"\({_PROFESSION}\)",
              "partners of a firm": r"RECHTSANW|NOTARE|STEUERBERATER"},
    )  # fmt: skip


def therapist_recognizer() -> GermanPatternRecognizer:
    """PERSON: a therapy "bei" a first name and a surname is given by that person
    ("Physiotherapie bei <First> <Surname>", round nine); weak (0.55), so a must-keep term
    there ("bei Morbus <Name>") wins, and the first word must be a known first name."""
    therapy = (r"(?:Physiotherapie|Ergotherapie|Logopädie|Psychotherapie|Krankengymnastik"
               r"|Osteopathie|Manualtherapie)")  # fmt: skip
    return GermanPatternRecognizer(
        "PERSON",
        [("therapist after bei", rf"(?<=\b{therapy}[ ]bei[ ]){NAME}[ ]{NAME}(?![\w-])", 0.55)],
        validator=lambda text: text.split()[0] in first_names() and _not_ordinary(text),
        cues={"therapist after bei": r"(?:therapie|Logopädie|gymnastik|pathie)[ ]bei"},
    )


def town_recognizer() -> GermanPatternRecognizer:
    """LOCATION: a town before the date of a letter ('Trier, 05.11.2024'), after
    'Campus', 'Außenstelle', 'Unfallort', or after 'in', 'aus', 'nach'."""
    town = r"\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)*"
    place_words = r"(?:Campus|Außenstelle|Standort|Wohnort|Geburtsort|Unfallort:?)"
    after_in = r"(?=[ ]\p{Ll}|[.,;)\n]|$)"
    return GermanPatternRecognizer(
        "LOCATION",
        [
            ("town, date", rf"^{town}(?=,[ ](?:den[ ])?\d{{1,2}}\.)", 0.7),
            ("after place word", rf"(?<=\b{place_words}[ ]){town}(?![\w-])", 0.65),
            ("after preposition", rf"(?<=\b(?:in|aus|nach)[ ]){town}{after_in}", 0.55),
            # Round nine: where someone comes from, with a remark in brackets ("aus <Town>
            # (Ankunft ...)"); not after "nach", where an eponym's year follows ("nach X (1990)").
            ("from town, bracket", rf"(?<=\baus[ ]){town}(?=[ ]\()", 0.55),
        ],
        validator=_not_ordinary_nor_first_name,
    )  # fmt: skip


def _not_ordinary_nor_first_name(text: str) -> bool:
    """A town candidate: not an ordinary word and not a first name."""
    return _not_ordinary(text) and text.split("-")[0] not in first_names()


def ward_unit_recognizer() -> GermanPatternRecognizer:
    """WARD: ITS 3, IMC West, Station: 2 Ost, Wochenstation W2, Innere 3."""
    side = r"(?:Ost|West|Nord|Süd|Mitte)"
    specialty = (
        r"(?:Innere|Chirurgie|Neurologie|Kardiologie|Geriatrie|Pädiatrie|Gynäkologie|Urologie"
        r"|Psychiatrie|Onkologie|Orthopädie|Unfallchirurgie|Pneumologie|Gastroenterologie)"
    )
    number, code = r"\d{1,2}[a-zA-Z]?", r"[A-Z]{0,3}[ ]?\d{1,2}[a-zA-Z]?"
    units = r"ITS|IMC|ICU|IPS|PACU|CCU|SCU|SU|NEO"  # SU: stroke unit, NEO: neonatology
    designation = (
        rf"(?:\d{{1,2}}[ ]?{side}|\p{{Lu}}\p{{Ll}}+[ ]\d{{1,2}}|[A-Z]{{1,3}}[ ]?{number}|{number}"
        # Austrian pavilions and wings: "Pav. 6/2", "Trakt B".
        rf"|(?:Pav\.|Pavillon|Trakt|Haus)[ ]?(?:\d{{1,2}}(?:/\d{{1,2}})?|[A-Z]))"
    )
    return GermanPatternRecognizer(
        "WARD",
        [
            ("unit", rf"\b(?:{units})[ ]?(?:{number}|{side})(?!\w)", 0.75),
            # Round eleven: not a lymph-node station (recognizers.LYMPH_CUE).
            ("station side", rf"(?<!{LYMPH_CUE}[^\n]{{0,60}})(?<=\bStation:?[ \t]{{1,3}})"
                             rf"{designation}(?!\w)", 0.8),
            # A care home's living area by name ("Wohnbereich Lindenhof 2"; not "Wohnbereich 2").
            ("named living area",
             r"(?<=\b(?:Wohnbereich|Wohngruppe)[ ])\p{Lu}\p{Ll}+[ ]\d{1,2}[a-zA-Z]?(?!\w)", 0.75),
            # A code after a unit noun names the unit: "Wochenstation W2", "Tagesklinik TK 4".
            # Round nine: also after a colon and a form's gap ("Zielstation:    N6"), with
            # its side ("Kinderstation K3 Süd").
            ("after -station",
             rf"(?<=\b\p{{Lu}}\p{{Ll}}*(?:station|klinik):?[ \t]{{1,12}})(?:{code}(?:[ ]{side})?"
             rf"|{side})(?!\w)", 0.75),
            # Round nine: a ward's code before its specialty ("N6 Kardiologie") names it.
            ("code + specialty", rf"(?<![\w-])\p{{Lu}}{{1,2}}\d{{1,2}}[a-z]?[ ]{specialty}(?!\w)",
             0.6),
            ("specialty + number", rf"\b{specialty}[ ]{number}(?!\w)", 0.6),
        ],
        cues={"code + specialty": rf"\d[a-z]?[ ]{specialty}"},  # speed, see engine.py
    )  # fmt: skip


def extra_recognizers() -> list:
    """All recognizers of this module, :mod:`.recognizers_orgs` and
    :mod:`.recognizers_forms`, one instance each."""
    # Both build on this module's word shapes, so they are imported here, not at the top.
    from .recognizers_forms import form_recognizers
    from .recognizers_orgs import organization_head_recognizer, organization_name_recognizer

    return [*form_recognizers(),
        date_fragment_recognizer(), labelled_id_recognizer(), rvnr_recognizer(),
        GermanPhoneRecognizer(), person_label_recognizer(), kin_person_recognizer(),
        birth_name_recognizer(), therapist_recognizer(),
        organization_head_recognizer(), organization_name_recognizer(), town_recognizer(),
        ward_unit_recognizer(),
    ]  # fmt: skip
