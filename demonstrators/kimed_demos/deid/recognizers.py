"""Pattern recognizers for identifiers in German clinical text.

Presidio ships German recognizers (KVNR, LANR, BSNR, PLZ) that are off by default;
here they are switched on and extended: the KVNR and LANR use this project's check
digit arithmetic (:mod:`.checksums`), and all get patterns anchored on the labels
German letters print before the number ("Versichertennr.", "LANR", "Fallnummer").
The other types (dates, ages over 89, phones, streets, wards, ...) have their own
recognizers. Scores follow one scale: anchored or checksum-proven 0.8-0.95,
plausible shapes 0.5-0.7, weak shapes 0.2-0.4 that need a German context word
(+0.35 from presidio's lemma context enhancer) to pass the 0.5 threshold.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer
from presidio_analyzer.predefined_recognizers import (
    DeBsnrRecognizer,
    DeHealthInsuranceRecognizer,
    DeLanrRecognizer,
    DePlzRecognizer,
)

from . import checksums, dates
from .ocr import readable_date

# Case-sensitive on purpose: German capitalisation separates nouns and names from
# other words, and "[A-Z]\d{9}" must not match "a123456789".
FLAGS = re.MULTILINE
#: Where a postcode stands in an address line: line start, after "Straße 12," or "·", or
#: after a gap of spaces (letterhead columns).
_LINE_START = r"(?:^|\d[a-zA-Z]?,|[·|]|[ \t]{2})[ \t]?(?:(?:A|CH)-)?"
ADDRESS_LINE = rf"(?<={_LINE_START})"
PLZ4 = r"(?<![\w.,/-])[1-9]\d{3}"
#: Found in every text with a four-digit postcode before a word (see ``cues`` below).
AT_CH_CUE = rf"{PLZ4}[ \t]"
UPPER, LOWER = "A-ZÄÖÜ", "a-zäöüß"
WORD = r"\p{Lu}\p{Ll}+"  # Unicode: Demirtaş, Petrović, Aydın are names too
# A district's or old town's capitals before a joined town name ("AB-Talheim", the
# short form of a double town as postal addresses write it).
_TOWN_PREFIX = r"(?:\p{Lu}{1,3}-)"
LANGUAGE = "de"


def _label(words: str) -> str:
    """Lookbehind for a printed label such as 'Fallnummer:' or 'Fall-Nr.' before a value."""
    return rf"(?<=\b(?:{words})\s?[:.]?\s?)"


def _checked(validator, text: str) -> bool | None:
    """presidio ``validate_result``: None (keep the pattern's score) or False (drop).

    Presidio would raise a valid match to 1.0; a checksum proves the shape, not that
    the number is this kind of identifier, so the pattern's score stands.
    """
    if validator is None:
        return None
    return None if validator(text) else False


class GermanPatternRecognizer(PatternRecognizer):
    """A case-sensitive German pattern recognizer: entity, (name, regex, score)s, context.

    ``cues``: pattern name -> a regex that matches somewhere in every text in which that
    pattern matches (a word every match contains, such as "GmbH"). The lean analyzer
    (:mod:`.engine`) skips the pattern in texts without its cue; presidio's own path
    ignores cues, and a test holds both paths' findings equal.
    """

    def __init__(self, entity: str, patterns, context=(), validator=None, cues=None):
        super().__init__(
            supported_entity=entity,
            name=f"Kimed{entity.title().replace('_', '')}Recognizer",
            supported_language=LANGUAGE,
            patterns=[Pattern(name, regex, score) for name, regex, score in patterns],
            context=list(context),
            global_regex_flags=FLAGS,
        )
        self._validator = validator
        self.cues = dict(cues or {})
        unknown = set(self.cues) - {p.name for p in self.patterns}
        if unknown:
            raise ValueError(f"{self.name}: cues for patterns it does not have: {sorted(unknown)}")

    def validate_result(self, pattern_text: str):
        """Drop matches the validator rejects; keep the pattern score otherwise."""
        return _checked(self._validator, pattern_text)


def _valid_date(text: str) -> bool:
    """A date that :func:`dates.parse_german_date` can read (rejects 31.02.); spaces
    around the dots of a scanned date ("27 . 01 . 2025") do not count."""
    return dates.parse_german_date(readable_date(text)) is not None


_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MON = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)\d\d"
_MONTHS = f"(?:{dates.MONTH_NAME_REGEX})"


def date_recognizer() -> GermanPatternRecognizer:
    """DATE: 12.03.2024, 1.3.24, 12. März 2024, 12. März, März 2024, 03/24, 2024-03-12.

    Lookarounds keep lab values out: "Hb 12.3 g/dl" has one dot, "120/80 mmHg" has
    three digits before the slash, "1,5" and "3.12.5" continue with digits.
    """
    edge_l, edge_r = r"(?<![\d.,/])", r"(?![\d/]|[.,]\d)"
    return GermanPatternRecognizer(
        "DATE",
        [
            ("numeric", rf"{edge_l}{_DAY}\.{_MON}\.(?:{_YEAR}|\d\d){edge_r}", 0.65),
            # Scanned letters: a space on both sides of each dot, four-digit year.
            ("numeric spaced", rf"{edge_l}{_DAY}[ ]\.[ ]{_MON}[ ]\.[ ]{_YEAR}{edge_r}", 0.65),
            ("day month-name", rf"{edge_l}{_DAY}\.\s?{_MONTHS}(?:\s{_YEAR})?(?!\w)", 0.85),
            ("month-name year", rf"(?<!\w){_MONTHS}\s{_YEAR}(?!\d)", 0.8),
            ("mm/yy", rf"(?<![\d/.,]){_MON}/(?:{_YEAR}|\d\d)(?![\d/-])", 0.55),
            ("iso", rf"(?<!\d){_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)", 0.8),
        ],
        context=("geb", "geboren", "datum", "vom", "seit", "aufnahme", "entlassung"),
        validator=_valid_date,
    )


def age_recognizer(policy: str = "over89") -> GermanPatternRecognizer:
    """AGE: '93-jährige', '95 Jahre', '91 J.', 'im 92. Lebensjahr', 'Alter: 90', '(7)'.

    ``policy`` (:mod:`.policy`): "over89" finds ages over 89 only (HIPAA Safe Harbor),
    "all" every age from 0 to 119.
    """
    old = r"(?<![\d,.])(?:9\d|1[01]\d)" if policy == "over89" else r"(?<![\d,.])(?:1[01]\d|\d\d?)"
    return GermanPatternRecognizer(
        "AGE",
        [
            ("age + unit", rf"{old}(?=\s?-?\s?(?:jährig|Jährig|Jahre|J\.|\.\s?Lebensjahr))", 0.85),
            ("Alter label", rf"(?<=\bAlter(?:\s?von)?:?\s){old}(?!\d)", 0.85),
            # A number alone in brackets after "Frau/Herr Name" is the age ("Herr Ott (93)").
            (
                "after name",
                rf"(?=\d)(?<=\b(?:Frau|Herrn?|Hr\.|Fr\.)[ ]{WORD}(?:[ ]{WORD})?[ ]\(){old}"
                r"(?=\))",
                0.7,
            ),
        ],
        cues={"after name": r"[ ]\(\d"},  # speed, see GermanPatternRecognizer
    )


def phone_recognizer() -> GermanPatternRecognizer:
    """PHONE_NUMBER: +49 351 4581234, (0351) 458123, 0351/458-1234, 0171 1234567."""
    rest = r"(?:[ \t-]\d{1,8}){0,3}(?!\d|[,.]\d)"
    sep = r"(?:[ \t]?/[ \t]?|[ \t-])"
    return GermanPatternRecognizer(
        "PHONE_NUMBER",
        [
            ("+49", rf"(?<![\w+])\+49[ \t]?(?:\(0\)[ \t]?)?\d{{2,5}}[ \t/-]?\d{{2,8}}{rest}", 0.75),
            ("(0area)", rf"\(0\d{{2,5}}\)[ \t]?\d{{2,8}}{rest}", 0.7),
            ("mobile", rf"(?<![\w./,-])01[5-7]\d[ \t/-]?\d{{6,8}}{rest}", 0.6),
            ("0area local", rf"(?<![\w./,-])0[1-9]\d{{1,4}}{sep}\d{{2,8}}{rest}", 0.4),
        ],
        context=("tel", "telefon", "fax", "durchwahl", "rufnummer", "erreichbar", "mobil", "handy",
                 "rückfrage", "rückruf", "kontakt"),
    )  # fmt: skip


def email_recognizer() -> GermanPatternRecognizer:
    """EMAIL_ADDRESS; a plain pattern, no public-suffix download (unlike presidio's)."""
    return GermanPatternRecognizer(
        "EMAIL_ADDRESS",
        [("email", r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?!\w)", 0.9)],
    )


class KvnrRecognizer(DeHealthInsuranceRecognizer):
    """DE_HEALTH_INSURANCE (KVNR): presidio's recognizer, case-sensitive, own check digit."""

    def __init__(self):
        super().__init__(
            patterns=[Pattern("KVNR letter + 9 digits", r"(?<![\w-])[A-Z]\d{9}(?!\w)", 0.8)],
            context=[*self.CONTEXT, "versicherten", "kasse", "ikk", "techniker"],
        )
        self.global_regex_flags = FLAGS

    def validate_result(self, pattern_text: str) -> bool | None:
        """Drop a KVNR whose check digit is wrong."""
        return _checked(checksums.is_valid_kvnr, pattern_text)


class LanrRecognizer(DeLanrRecognizer):
    """DE_LANR: 9 digits with a valid LANR check digit; needs 'LANR' or a context word."""

    def __init__(self):
        super().__init__(
            patterns=[
                Pattern("LANR labelled", _label(r"LANR|Arztnummer|Arzt-Nr") + r"\d{9}(?!\d)", 0.9),
                Pattern("LANR 9 digits", r"(?<![\w-])\d{9}(?![\w-])", 0.3),
            ]
        )
        self.global_regex_flags = FLAGS

    def validate_result(self, pattern_text: str) -> bool | None:
        """Drop nine digits whose 7th digit is not the LANR check digit."""
        return _checked(checksums.is_valid_lanr, pattern_text)


class BsnrRecognizer(DeBsnrRecognizer):
    """DE_BSNR: 9 digits starting with a KV region code; labelled or with context."""

    def __init__(self):
        regions = "|".join(checksums.KV_REGION_CODES)
        super().__init__(
            patterns=[
                Pattern("BSNR labelled", _label(r"BSNR|Betriebsstättennummer|Betriebsstätten-Nr")
                        + r"\d{9}(?!\d)", 0.9),
                Pattern("BSNR region + 7 digits", rf"(?<![\w-])(?:{regions})\d{{7}}(?![\w-])", 0.2),
            ]
        )  # fmt: skip
        self.global_regex_flags = FLAGS


class PlzRecognizer(DePlzRecognizer):
    """DE_PLZ: presidio's PLZ, raised when a capitalised town name follows the 5 digits."""

    def __init__(self):
        plz = r"(?<![\w.,/-])(?!01000|99999)(?:0[1-9]|[1-9]\d)\d{3}"
        super().__init__(
            patterns=[
                # "(?=\d)" first: the regex engine then skips to digits instead of
                # trying the lookbehind at every position (4x faster, same matches).
                # Round ten: also before a town with a capitals prefix ("AB-Talheim").
                Pattern("PLZ before town", rf"(?=\d){plz}(?=[ \t]+{_TOWN_PREFIX}?{WORD})", 0.6),
                Pattern("PLZ labelled", _label("PLZ|Postleitzahl") + rf"{plz}(?!\d)", 0.85),
                # Austrian and Swiss postcodes have four digits; only where an address
                # line puts them (line start, after "Straße 12,", after "·" or a gap).
                Pattern("AT/CH PLZ", rf"{ADDRESS_LINE}{PLZ4}(?=[ \t]+(?:St\.[ ])?{WORD})", 0.6),
            ],
            context=["plz", "postleitzahl", "anschrift", "wohnhaft", "adresse", "straße", "str."],
        )
        self.global_regex_flags = FLAGS
        self.cues = {"AT/CH PLZ": AT_CH_CUE}  # see GermanPatternRecognizer


def case_number_recognizer() -> GermanPatternRecognizer:
    """CASE_NUMBER: Fallnummer, Aufnahmenummer, Auftrags-, Patienten-, Untersuchungs-Nr."""
    labels = (
        r"(?:Fall|Aufnahme|Patienten|Pat\.?|Auftrags|Untersuchungs|Befund|Proben|Labor"
        r"|Einsende)[- ]?(?:nummer|Nummer|nr\.?|Nr\.?|ID|Id|-ID)|Fall"
    )
    value = r"(?:[A-Z]{1,2}-?)?\d[\d/-]{3,14}\d(?![\w-])"
    return GermanPatternRecognizer(
        "CASE_NUMBER",
        [
            ("labelled", _label(labels) + value, 0.85),
            # "(?=[A-Z0-9])" first: see "PLZ before town" (speed, same matches).
            ("long number", r"(?=[A-Z0-9])(?<![\w.,/+-])(?:[A-Z]-?)?\d{7,12}(?![\w.,/-])", 0.3),
        ],
        context=("fallnummer", "aufnahmenummer", "auftragsnummer", "patientennummer", "nummer"),
    )


def iban_recognizer() -> GermanPatternRecognizer:
    """IBAN_CODE in print (groups of four) or compact form, checked with mod 97."""
    groups = r"(?:[ ]?[A-Z0-9]{4}){2,7}"
    return GermanPatternRecognizer(
        "IBAN_CODE",
        [("iban", rf"(?<!\w)[A-Z]{{2}}\d\d{groups}(?:[ ]?[A-Z0-9]{{1,3}})?(?![A-Z0-9])", 0.9)],
        context=("iban", "bankverbindung", "konto"),
        validator=checksums.is_valid_iban,
    )  # fmt: skip


_WEEKDAY = r"(?:Mo|Di|Mi|Do|Fr|Sa|So)(?:ntag|nstag|ttwoch|nnerstag|eitag|mstag|nntag)?"


def address_recognizer() -> GermanPatternRecognizer:
    """LOCATION: street + house number, and the town after a postcode."""
    suffix = (
        r"(?:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|steig|pfad"
        r"|markt|graben|promenade|wall|kamp|stieg|zeile|gürtel|kai|lände|twiete"
        # After a person's name: "Gustav-Adolf-Str. 12", "Karl-Marx-Chaussee 4".
        r"|-Straße|-Str\.|-Weg|-Allee|-Platz|-Ring|-Chaussee|-Damm|-Ufer|-Gasse"
        # Round nine: a university's site named after a person ("Max-Planck-Campus 1").
        r"|-Campus)"
    )
    number = r"[ \t]?\d{1,4}[ \t]?[a-zA-Z]?(?:[ \t]?[-/][ \t]?\d{1,4}[a-z]?)?(?!\w)"
    separate = r"(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Ring|Damm|Gasse|Chaussee|Ufer|Markt)"
    prefixes = r"(?:Am|An der|An den|Auf dem|Auf der|Im|In der|Zum|Zur|Unter den|Hinter der)"
    town = rf"{WORD}(?:[ -](?:am|an der|im|in der|bei|ob der|{WORD}(?![.\w])))*"
    return GermanPatternRecognizer(
        "LOCATION",
        [
            # The lookahead (letters, dots, hyphens, then a house number) holds for every
            # match and fails at once on most capitalised words, which the suffix list
            # after a backtracking word would try letter by letter. (?=[\p{Lu}]) in front
            # rejects lower-case words before that lookahead runs (speed, same matches).
            ("street suffix",
             rf"(?=[\p{{Lu}}])\b(?=[\p{{L}}.-]++[ \t]?\d){WORD}(?:-[{UPPER}]?[{LOWER}]+)*"
             rf"{suffix}{number}", 0.7),
            # "Berliner Straße 3", "Lange Gasse 12", "Hohe Str. 4": an adjective before it.
            ("adjective street", rf"\b{WORD}(?:er|e|en)[ \t]{separate}{number}", 0.7),
            # A postcode after a comma, a gap or a "·" of the letterhead ("Am Anger 3 · 39104").
            # Round ten: also with an adjective before the noun ("Am Hohen Tor 9").
            ("prefix street + PLZ",
             rf"\b{prefixes}[ \t](?:{WORD}(?:e|en|er|es)[ ])?{WORD}{number}"
             r"(?=(?:,|[ ]?[·|])?\s+\d{5}\b)", 0.75),
            # Any word with a house number before ", <postcode> <Town>" is a street, also
            # one whose name has no street word ("Eichgrund 7, 24999 Talheim").
            ("street before PLZ + town",
             # (?=...): a capital, letters, a house number and ", " first, which fails at
             # once on most words, before the lookbehind runs (speed, same matches).
             rf"(?=\p{{Lu}}\p{{Ll}}++[ \t]?\d[^\n,·]{{0,12}}(?:,|[ ]·)[ ]\d)"
             # Round nine: also after a comma ("<Apotheke> am Markt, Kirchgrün 3, 12345 ...").
             rf"(?<=(?:^|\n|[:·|,]|[ ]{{2}}|\t)[ \t]?){WORD}{number}"
             # Round nine: or a letterhead's " · " before the postcode ("<Word> 10 · 12345").
             r"(?=(?:,|[ ]·)[ ]\d{5}[ ]\p{Lu})", 0.7),
            # A road named after a town's adjective needs no number ("Lüneburger
            # Landstraße", "Berliner Chaussee"): a place in a report of where it happened.
            ("town adjective road",
             rf"\b{WORD}(?:sche|ische|er)[ ](?:Landstraße|Chaussee|Heerstraße|Allee)(?![\w-])",
             0.65),
            # Round nine: a house call goes to an address, whatever its street is called
            # ("Hausbesuch Lindgrün 14"); not a weekday or a time ("Hausbesuch Montag 14").
            ("house call address",
             rf"(?<=\bHausbesuch(?:[ ]bei)?:?[ ])(?!{_WEEKDAY}\b){WORD}{number}", 0.7),
            ("town after PLZ", rf"(?<=(?<![\d])\d{{5}}[ \t]){_TOWN_PREFIX}?{town}", 0.75),
            ("town after AT/CH PLZ", rf"(?<={_LINE_START}{PLZ4}[ \t])(?:St\.[ ])?{town}", 0.7),
        ],
        cues={"town after AT/CH PLZ": AT_CH_CUE,
              "town adjective road": r"Landstraße|Chaussee|Heerstraße|Allee",
              "house call address": "Hausbesuch"},
    )  # fmt: skip


_CAPS_LINK = r"(?:FÜR|UND|DER|DES|DIE|DAS|AM|IM|AN|MIT|VON)"


def organization_recognizer() -> GermanPatternRecognizer:
    """ORGANIZATION: hospital names with an unambiguous head word (Klinikum, MVZ, ...)."""
    head = (
        r"(?:(?:Städtisches|Evangelisches|Katholisches)[ \t])?(?:Universitätsklinikum|Klinikum"
        r"|Kreiskrankenhaus|Herzzentrum|MVZ|Seniorenzentrum|Fachklinik|Kreisklinik"
        r"|Kantonsspital|Universitätsspital|Regionalspital|Spital|Landesklinikum"
        r"|Landeskrankenhaus|LKH(?:-Univ\.[ ]Klinikum)?"
        rf"|St\.-{WORD}-(?:Krankenhaus|Hospital|Klinik))"
    )
    return GermanPatternRecognizer(
        "ORGANIZATION",
        [
            ("hospital", rf"\b{head}(?:[ \t](?:St\.[ ])?{WORD}(?![.\w])){{1,2}}", 0.6),
            # A letterhead in capitals ("KREISKLINIKUM NORDSTADT"); "KLINIK FÜR ..." is a
            # department, so a linking word may not follow the head.
            (
                "capitals",
                rf"(?<![\w-])\p{{Lu}}*(?:ZENTRUM|KLINIKUM|KLINIK|KRANKENHAUS|HOSPITAL"
                rf"|SPITAL)(?:(?:[ ](?!{_CAPS_LINK}\b)(?:ST\.|\p{{Lu}}[\p{{Lu}}-]+)){{1,3}}"
                # or a site after "AM"/"AN DER" ("...ZENTRUM AN DER <PLACE>"), no "FÜR".
                r"|[ ](?:AM|AN[ ]DER|IM)[ ]\p{Lu}[\p{Lu}-]+(?:[ ]\p{Lu}[\p{Lu}-]+)?)"
                r"(?![\w-])",
                0.6,
            ),
        ],
        cues={"capitals": r"ZENTRUM|KLINIK|KRANKENHAUS|SPITAL"},  # speed, see engine.py
    )


#: Words that make "Station <n>" a lymph-node station, not a ward.
LYMPH_CUE = r"(?:EBUS|TBNA|Lymphknoten|mediastinal|hilär|subkarinal|Mediastinoskopie)"


def ward_recognizer() -> GermanPatternRecognizer:
    """WARD: the designation after 'Station' (4B, K3, IMC 2); 'Station' alone is kept."""
    code = r"\p{Lu}{1,3}[ \t]?\d{1,2}[a-zA-Z]?"  # \p{Lu}: unit acronyms with umlauts ("NÄH 2")
    return GermanPatternRecognizer(
        "WARD",
        # Round eleven: not a lymph-node station ("EBUS-TBNA: Station 7", "Lymphknoten
        # (Station 4R)"): bronchoscopy and staging number the mediastinum's stations.
        [
            (
                "after Station",
                rf"(?<!{LYMPH_CUE}[^\n]{{0,60}})(?<=\bStation[ \t])"
                rf"(?:{code}|\d{{1,2}}[a-zA-Z]?)(?!\w)",
                0.85,
            )
        ],
    )


def honorific_person_recognizer() -> GermanPatternRecognizer:
    """PERSON after Herr/Frau/Dr./Prof.: a backstop for the NER on the commonest shape.

    Words that follow honorifics without being names (Kollegin, Doktor, further
    titles) are excluded, so "sehr geehrte Frau Kollegin" stays.
    """
    honorific = r"(?<=\b(?:Herrn?|Frau|Hr\.|Fr\.|Dr\.|Prof\.|PD|med\.|dent\.)[ \t])"
    not_names = (
        r"(?!(?:Kollegin|Kollege|Kollegen|Doktor|Professor|Patientin|Patient"
        r"|Dr|Prof|med|dent|Dipl|PD)\b)"
    )
    # "Prof. von Lüttichau", "Frau van den Akker", "Dr. ter Horstmann", "Herrn de la Fuente"
    name = rf"(?:(?:von|van|zu|vom|de|ter|ten)(?:[ ](?:der|den|de|la))?[ ])?{WORD}(?:-{WORD})?"
    return GermanPatternRecognizer(
        "PERSON",
        [
            ("after honorific", rf"{honorific}{not_names}{name}(?![\w-])", 0.6),
            # "Herr Hartmuth Klein (", "Dr. Anna Berg\n": two words when a delimiter ends them
            ("two words", rf"{honorific}{not_names}{name}[ \t]{name}(?=[ \t]*(?:[(,*\n]|$))", 0.6),
            # Chats and notes glue the title to the name ("Dr.Ahrens", "Prof.Lindqvist").
            (
                "glued title",
                rf"(?=\p{{Lu}})(?<=\b(?:Dr|Prof)\.){not_names}(?!Med\b){name}(?![\w-])",
                0.6,
            ),
        ],
        cues={"glued title": r"(?:Dr|Prof)\.\p{Lu}"},  # speed, see GermanPatternRecognizer
    )


def german_recognizers(age_policy: str = "over89") -> list[PatternRecognizer]:
    """All pattern recognizers of this module, one instance each."""
    return [
        date_recognizer(), age_recognizer(age_policy), phone_recognizer(), email_recognizer(),
        KvnrRecognizer(), LanrRecognizer(), BsnrRecognizer(), PlzRecognizer(),
        case_number_recognizer(), iban_recognizer(), address_recognizer(),
        organization_recognizer(), ward_recognizer(), honorific_person_recognizer(),
    ]  # fmt: skip
