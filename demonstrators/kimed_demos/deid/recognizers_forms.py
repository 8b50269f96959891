"""Recognizers of the fourth round (issue 11): classes that letters nobody tuned on showed.

Each is a kind of identifier with a reason that fits one sentence (docs/demonstrators/
deid.md, "Fourth round"):

- identifiers by their shape: a code of capitals and at least five digits
  ("AB-25-08815", "Q3301772-02") is a reference number wherever it stands, unless a
  product, batch or registry word announces it (kits, LOT, Ch.-B., EudraCT, ISO);
- an IBAN behind its label even when its check digits are wrong (a typo is still one);
- web addresses (URL): a practice's or person's home page is a contact address;
- organisations without a head word, named by their kind ("Spedition X", "Hotel X",
  "Fahrdienst X"), regional bodies ("KV Westfalen", "BG Bau und Glas", "XYZ-Süd");
- people: "Frau K." (an initial after an honorific), maiden names after "geb.", names
  after plural kin words ("Brüder Jannes und Mette"), surnames with Slavic endings,
  an initial before a surname, initials after "Initialen" and at the end of a note
  ("... ruft zurück – nk").
"""

from __future__ import annotations

import functools

import regex as re

from . import dates
from .keeplist import keep_words
from .lexicon import _german_words, is_common_word, is_known_name, is_noun, lower_case_words
from .places import place_words
from .recognizers import GermanPatternRecognizer
from .recognizers_orgs import EMPLOYER
from .recognizers_signatures import (
    SignatureBlockRecognizer,
    SignatureColumnRecognizer,
    hand_sign_recognizer,
)
from .towns import BIG_PLACE

_NAME = r"\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)*"
#: Words that announce a product, batch, study or norm number, not a person's.
_PRODUCT_WORDS = (
    r"Kit|Kits|LOT|Lot|Charge|Chargen-Nr\.|Ch\.-B\.|Ch\.-Nr\.|Ch\.|EudraCT|EudraCT-Nr\."
    r"|NCT|DRKS|ISRCTN|ISO|DIN|EN|PZN|REF|Art\.-Nr\.|Artikel-Nr\.|Artikel|Prüfplan|Studie"
)


# A plate has a space before its number; without one it is a marker or a device
# ("PD-L1", "GIF-H190"), which the other shapes reject for too few digits.
_PLATE = re.compile(r"\p{Lu}{1,3}-\p{Lu}{1,2}[ ]\d{1,4}[EH]?")


def _code_ok(text: str) -> bool:
    """At least five digits and not a registry prefix: 'AB-25-08815' yes, 'CD34' no; a
    licence plate (found only after its vehicle) has fewer."""
    if _PLATE.fullmatch(text):
        return True
    return sum(ch.isdigit() for ch in text) >= 5 and not text.startswith(("NCT", "DRKS", "ISRCTN"))


def id_shape_recognizer() -> GermanPatternRecognizer:
    """CASE_NUMBER by shape: capitals (1-4, optionally '-X') then digits with '-' or '/'.

    Specimen, order, file and transaction numbers stand behind any noun ("Probe
    QX-4417203", "Vorgang HB-2024-0712", "Spur R-24-0193"); no clinical value looks
    like that (lab values have units, scores a slash and few digits, ICD and OPS codes
    a dot). With a space after the capitals ("VG 2024/40562") the first digit group
    must have four digits, which keeps "RR 135/85" and "BK 2301" out.
    """
    not_product = rf"(?<!(?:{_PRODUCT_WORDS})(?:-Nr\.|-Nummer)?[ :]{{1,2}})"
    tight = r"\p{Lu}{1,4}(?:-\p{Lu}{1,3})?-?\d++(?:[-/]\d++)*+"
    spaced = r"\p{Lu}{1,4}(?:-\p{Lu}{1,3})?[ ]\d{4,}+(?:[-/]\d++)++"
    # Two capital groups and three digit groups ("AB-CD 25-119-4471"): no lab value
    # or score has that shape, so the first group may be short.
    spaced_long = r"\p{Lu}{1,4}-\p{Lu}{1,3}[ ]\d{2,}+(?:[-/]\d++){2,}+"
    # A period code before the running number ("26Q1-0044719": year, quarter): digits
    # with a capital inside, a hyphen, five digits; no value, dose or code looks so.
    period = r"(?<![\w./-])\d{2,4}\p{Lu}\d{0,2}-\d{5,}(?![\w/-]|[.,]\d)"
    # Ten to twelve digits in one run (an order's barcode, a case number with leading
    # zeros, also between the "*" of a barcode's plain text): no measured value has so
    # many, dates have eight, and German phone numbers are found before (they validate).
    run = rf"(?=\d{{10}})(?<![\w.,/+-]){not_product}\d{{10,12}}(?![\w/-]|[.,]\d)"  # (?=: speed
    return GermanPatternRecognizer(
        "CASE_NUMBER",
        [("code shape",
          rf"(?=\p{{Lu}}{{1,4}}(?:-\p{{Lu}}{{1,3}})?[ -]?\d)(?<![\w./-]){not_product}"
          rf"(?:{tight}|{spaced}|{spaced_long})(?![\w/-]|[.,]\d)", 0.6),
         ("period code", period, 0.6),
         ("digit run", run, 0.6),
         # A vehicle's registration after the vehicle ("Pkw AB-CD 1234"), as police
         # and accident reports write it: district, letters, number, "E"/"H" plates.
         ("licence plate",
          r"(?<=\b(?:Pkw|PKW|Kfz|KFZ|Lkw|LKW|Krad|Motorrad|Fahrzeug|Kennzeichen|amtl\.[ ]Kz\.?)"
          r":?[ ])\p{Lu}{1,3}-\p{Lu}{1,2}[ ]\d{1,4}[EH]?(?![\w-])", 0.7)],
        validator=_code_ok,
        cues={"licence plate": r"Pkw|PKW|Kfz|KFZ|Lkw|LKW|Krad|Motorrad|Fahrzeug|Kennzeichen|Kz"},
    )  # fmt: skip


def iban_label_recognizer() -> GermanPatternRecognizer:
    """IBAN_CODE behind the label 'IBAN' whatever its check digits (a typo is one too)."""
    groups = r"(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?"
    return GermanPatternRecognizer(
        "IBAN_CODE", [("after IBAN", rf"(?<=\bIBAN:?[ ])[A-Z]{{2}}\d\d{groups}(?![A-Z0-9])", 0.85)]
    )


def url_recognizer() -> GermanPatternRecognizer:
    """URL: 'www.praxis-beispiel.de', 'https://...': a contact address like an e-mail."""
    host = r"[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"
    return GermanPatternRecognizer(
        "URL",
        [("web address", rf"(?<![\w@./-])(?:https?://(?:www\.)?|www\.){host}(?:/[^\s)>\]]*)?"
                         r"(?<![.,;:])", 0.85),
         # A bare domain of a practice with a hyphen ("praxis-beispiel.de") before a
         # country or generic ending ("z.B." and file names stay; a domain without a
         # hyphen needs "www."). "\b" first and a possessive run: fast (speed).
         ("bare domain", r"\b(?<![\w@./-])\w++-[\w-]{2,}"
                         r"\.(?:de|at|ch|com|org|net|eu)(?:/[^\s)>\]]*)?(?<![.,;:])(?![\w@-])",
          0.7)],
        # Speed: most letters have no web address; these cues are in every match.
        cues={"web address": r"www\.|https?://", "bare domain": r"\.(?:de|at|ch|com|org|net|eu)\b"},
    )  # fmt: skip


# Kinds of business or service that a name follows directly ("Spedition Hollerbeck"):
# German puts no bare noun after these but a name (otherwise an article comes between).
_BUSINESS = (
    r"Spedition|Hotel|Gasthof|Gasthaus|Restaurant|Autohaus|Bäckerei|Metzgerei|Fleischerei"
    r"|Brauerei|Druckerei|Reederei|Werft|Firma|Fa\.|Fahrdienst|Taxi|Krankentransport"
    r"|Krankentransporte|Sanitätshaus|Hörgeräte|Optik|Reisebüro|Kanzlei|Steuerkanzlei|Verlag"
    r"|Stiftung|CRO|Sicherheitsdienst|Reinigung|Gebäudereinigung|Schreinerei|Tischlerei"
    r"|Sparkasse|Volksbank|Raiffeisenbank|Jobcenter|Polizeiinspektion|Polizeirevier"
    r"|Polizeipräsidium|Rettungswache|Feuerwache|Amtsgericht|Landgericht|Sozialgericht"
    r"|Bestatter|Bestattungen|Bestattungshaus|Bestattungsinstitut"  # undertakers by name
    # Farms and estates as employers of the land ("Gestüt <name>", "Weingut <name>").
    r"|Gestüt|Weingut|Reitstall|Reiterhof|Gärtnerei|Baumschule|Landgut|Hofgut"
)
# Compiled once: the regex module's cache lookup per call cost more than the matching.
_LETTERS = re.compile(r"\p{L}+")
_BUSINESS_START = re.compile(rf"(?:{_BUSINESS})[ -]")
_ENGLISH_TRADE = (
    r"(?:Therapeutics|Pharma|Pharmaceuticals|Healthcare|Diagnostics|Medical|Biotech|Solutions"
    r"|Technologies|Logistics)"
)
_HOSPITAL_END = re.compile(
    r"[ ](?:Universitätsklinikum|Klinikum|Kliniken|Krankenhaus|Fachklinik|Klinik)$"
)
_WORKS_END = re.compile(r"[ ](?:Werft|Werke|Logistik|Spedition)$")
_NOT_NAME_AFTER_KIND = frozenset(
    (*dates.MONTHS, "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag",
     "Sonntag", "Der", "Die", "Das", "Dr", "Prof")
)  # fmt: skip


def _kind_name_ok(text: str) -> bool:
    """The words after the kind include one that is no lower-case word of the list (so
    a noun or a name, not 'Hotel Heute'), no weekday or month."""
    lower = lower_case_words()
    words = _LETTERS.findall(text)[1:]
    return (
        bool(words)
        and words[0] not in _NOT_NAME_AFTER_KIND
        and any(w.lower() not in lower for w in words)
    )


def organization_frame_recognizer() -> GermanPatternRecognizer:
    """ORGANIZATION named by its kind, region or frame rather than a head word."""
    name_words = r"(?:[ -]\p{Lu}[\p{L}]*+(?:-\p{Lu}[\p{L}]*+)*){1,2}"
    region = r"\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)*"
    sides = r"(?:Nord|Süd|Ost|West|Mitte|Nordost|Nordwest|Südost|Südwest)"
    return GermanPatternRecognizer(
        "ORGANIZATION",
        [
            ("business + name", rf"(?<![\w-])(?:{_BUSINESS}){name_words}(?![\w-])", 0.6),
            # Regional bodies: associations of panel doctors and dentists by region.
            ("KV + region", rf"(?<![\w-])(?:KV|KZV|KVen|Kassenärztliche[ ]Vereinigung)[ ]{region}",
             0.7),
            # A trade association (BG) is named by its trades: "BG Bau und Glas".
            ("BG + trades",
             r"(?<![\w-])BG[ ]\p{Lu}[\p{L}]+(?:(?:[ ]und|,)[ ]\p{Lu}[\p{L}]+)*", 0.7),
            ("farm insurer", r"(?<![\w-])(?:LKK|SVLFG)(?![\w-])", 0.7),
            # Care homes named "Haus am Weiherhof", "Haus an der Lindenhöhe": a house by its site.
            ("house by its site",
             r"(?<![\w-])Haus[ ](?:am|an[ ]der|im|zum|zur)[ ]\p{Lu}\p{Ll}+(?![\w-])", 0.6),
            # ... or by a compound after a home ("im Heim Haus Seeblick", a list's "Heim: Haus
            # Seeblick"): no plain noun.
            ("home by its name",
             r"(?<=(?:heim|Heim|stift|residenz):?[ ])Haus[ ]\p{Lu}\p{Ll}{5,}(?![\w-])", 0.6),
            ("acronym-side", rf"(?<![\w-])\p{{Lu}}{{2,5}}-{sides}(?![\w-])", 0.6),
            # Head-final employers: "Quistorp Werft", "Ahrensfelde Logistik".
            ("name + works", rf"(?<![\w-]){_NAME}[ ](?:Werft|Werke|Logistik|Spedition)(?![\w-])",
             0.6),
            # A hospital named before its head word ("Quellental Klinikum", "Asklepios Klinik").
            ("name + hospital",
             rf"(?<![\w-]){_NAME}[ ](?:Universitätsklinikum|Klinikum|Kliniken|Krankenhaus"
             r"|Fachklinik|Klinik)(?![\w-])", 0.6),
            # Companies named with an English trade word ("Norder Oxygen Therapeutics",
            # "Weser Home Healthcare"): suppliers of oxygen, home care, trials.
            ("name + trade",
             rf"(?<![\w-]){_NAME}(?:[ ]{_NAME}){{0,2}}[ ]{_ENGLISH_TRADE}(?![\w-])", 0.6),
        ],
        validator=_org_frame_ok,
        # Speed: a pattern runs only over letters that contain a word every match has.
        cues={"name + works": r"Werft|Werke|Logistik|Spedition", "business + name": _BUSINESS,
              "name + hospital": r"[ ](?:Universitätsklinikum|Klinik|Krankenhaus|Fachklinik)",
              "name + trade": _ENGLISH_TRADE,
              "KV + region": r"KV|KZV|Kassenärztliche", "BG + trades": r"BG[ ]",
              "farm insurer": r"LKK|SVLFG", "acronym-side": r"-(?:Nord|Süd|Ost|West|Mitte)",
              "house by its site": r"Haus[ ]", "home by its name": r"Haus[ ]"},
    )  # fmt: skip


@functools.cache
def _folded_words() -> frozenset[str]:
    """Every word of the German list in lower case ("rückruf", "kepler", "städtisches")."""
    return frozenset(w.lower() for w in _german_words()[0])


def _org_frame_ok(text: str) -> bool:
    """Business kinds need a name after them; the other frames stand by themselves."""
    if _BUSINESS_START.match(text):
        return _kind_name_ok(text)
    if text.startswith("Haus "):  # "Haus am See" is a house, "Haus am Weiherhof" a home
        last = text.rsplit(" ", 1)[-1]
        if text.count(" ") == 1:  # "Haus Seeblick": a compound, not a noun of the list
            return last not in keep_words() and not is_noun(last)
        return not is_common_word(last)
    if _HOSPITAL_END.search(text):  # "Asklepios Klinik"; not "Rückruf Klinik", a word
        first = text.split(" ")[0]
        return is_known_name(first) or first.lower() not in _folded_words()
    if _WORKS_END.search(text):
        return not is_common_word(text.split(" ")[0])
    return True


def employer_recognizer() -> GermanPatternRecognizer:
    """ORGANIZATION after a frame that names an employer, payer or carrier.

    "Berufskraftfahrer bei <name>" (after a verb of work: :mod:`.recognizers_orgs`),
    "Kostenträger: <name>", "versichert bei <name>", "Transport durch <name>".
    """
    article = r"(?!(?:der|die|das|dem|den|einer|einem|einen|Bedarf|Frau|Herrn?|Dr)\b)"
    after_job = r"(?<=\b\p{Lu}\p{Ll}+(?:fahrer|fahrerin|arbeiter|arbeiterin|monteur|angestellte|angestellter)[ ]bei[ ])"  # noqa: E501
    after_label = (
        r"(?<=\b(?:Kostenträger|Arbeitgeber(?:in)?|[Vv]ersichert[ ]bei(?:[ ]der)?"
        r"|Transport[ ]durch(?:[ ]den|[ ]die)?|Fahrdienst:)[ ]?:?[ ])"
    )
    return GermanPatternRecognizer(
        "ORGANIZATION",
        [
            ("employer after job", rf"{after_job}{article}{EMPLOYER}", 0.65),
            ("payer or carrier label", rf"{after_label}{article}{EMPLOYER}", 0.6),
        ],
        validator=_employer_ok,
    )


def _employer_ok(text: str) -> bool:
    """Not only ordinary words ('bei Bedarf', 'bei Schmerzen')."""
    words = _LETTERS.findall(text)
    return any(len(w) > 2 and not is_common_word(w) for w in words) or text.isupper()


def _mid_sentence_name(text: str) -> bool:
    """A capitalised word mid-sentence in a name frame: any word but a keep term or a
    noun ("Mette" is a verb form when lower-case, so a name here; "Sport" is a noun)."""
    last = _LETTERS.findall(text)[-1]
    return last not in keep_words() and not is_noun(last)


_KIN_PLURAL = r"(?:Brüder|Schwestern|Söhne|Töchter|Kinder|Enkel|Enkelinnen|Geschwister|Eltern)"
_SLAVIC = r"(?:ski|ska|cki|cka|dzki|dzka|wicz|czyk|czak|ović|ovič|evič|ević|enko|escu|oğlu)"


def person_frame_recognizer() -> GermanPatternRecognizer:
    """PERSON in frames that say a name follows, whatever the word is."""
    honorific = r"(?<=\b(?:Frau|Herrn?|Hr\.|Fr\.)[ ])"
    return GermanPatternRecognizer(
        "PERSON",
        [
            # "Frau K.": an initial after an honorific is a person (pseudonymised already).
            ("initial after honorific", rf"{honorific}\p{{Lu}}\.(?![\w-])", 0.65),
            # "Brüder Jannes und Mette": the second name of a list after a plural kin word.
            ("kin list", rf"(?<=\b{_KIN_PLURAL}[ ]{_NAME}(?:,[ ]{_NAME})*[ ](?:und|&)[ ]){_NAME}"
                         r"(?![\w-])", 0.6),
            ("initials label", r"(?<=\bInitialen:?[ ])\p{Lu}(?:[-.]?\p{Lu}){1,3}\.?(?![\w-])", 0.7),
        ],
        validator=_mid_sentence_name,
    )  # fmt: skip


def maiden_name_recognizer() -> GermanPatternRecognizer:
    """PERSON: a maiden name, "(geb. Falke)", or an initial and a word after a title
    ("Dr. T. Vogt"), whatever the word; not a month ("geb. März")."""
    return GermanPatternRecognizer(
        "PERSON",
        [
            # Round nine: also before the birth date's star ("geb. <Name> *01.02.1980").
            ("maiden name", rf"(?<=\b(?:geb\.|geborene)[ ]){_NAME}(?=[ ]?[),;\n*]|$)", 0.65),
            # "Dr. K. Amsel": an initial and a word after a title are a name, noun or not;
            # round nine: so after who took the minutes or signs ("Protokoll: K. <Word>").
            (
                "initial after title",
                r"(?<=\b(?:Dr\.|Prof\.|Frau|Herrn?|Sr\.|OA|OÄ|Protokoll(?:führung)?:|gez\.)"
                r"(?:[ ]med\.)?[ ])"
                rf"\p{{Lu}}\.[ ]?{_NAME}(?![\w-])",
                0.65,
            ),
        ],
        validator=lambda text: text not in _NOT_NAME_AFTER_KIND,
    )


# Fields of a form that hold a name, whatever word it is ("Familienname: Wolf").
_NAME_FIELD = (
    r"(?:Familienname|Nachname|Geburtsname|Mädchenname|Vorname(?:\(n\))?|Vornamen"
    r"|Name(?:,[ ]Vorname)?(?:[ ](?:des|der)[ ]\p{Lu}\p{Ll}+)?)"
)


def name_field_recognizer() -> GermanPatternRecognizer:
    """PERSON in a form's name field: 'Familienname: Wolf', 'Name, Vorname des
    Versicherten: Stein, Anna', 'Vorname(n): Anna Maria'; not a keep term."""
    name = rf"{_NAME}(?:,?[ ]{_NAME})?"
    return GermanPatternRecognizer(
        "PERSON",
        [
            (
                "name field",
                rf"(?<=(?:^|[ \t(])(?<![\p{{L}}-]){_NAME_FIELD}:[ \t]{{1,8}}){name}(?![\w-])",
                0.7,
            )
        ],
        validator=lambda text: not any(w in keep_words() for w in _LETTERS.findall(text)),
    )


def _surname_ok(text: str) -> bool:
    """Not an ordinary word or keep term; for 'R. Leiter' the word after the initial,
    which only has to be no lower-case word and no noun of the list (a verb form with
    an adjective ending, "leit-er", makes "Leiter" ordinary by the general test)."""
    word = _LETTERS.findall(text)[-1]
    if word in keep_words():
        return False
    if "." in text:
        if is_known_name(word):  # "H. Vogel": a surname of the lists, even a noun
            return True
        if text[0] in "IVX":  # "I. Para": a roman numeral unless a known surname follows
            return False
        # Latin anatomy: "A. Carotis", "N. Medianus" (not "-aus": "H. Quellenklaus" is a name).
        latin = word.endswith(("is", "anus", "inus", "ius", "eus", "ae", "um", "ii"))
        return not latin and word.lower() not in lower_case_words() and not is_noun(word)
    return not is_common_word(word)


def surname_shape_recognizer() -> GermanPatternRecognizer:
    """PERSON by the shape of a surname: Slavic endings ('Wróbelski'), or an initial
    before a capitalised word that is no ordinary word ('R. Leiter'; not 'M. Crohn',
    the abbreviation of Morbus, nor 'I. Para', a roman numeral; weak, so the keep list
    wins)."""
    return GermanPatternRecognizer(
        "PERSON",
        [
            # "Dr. Orhan Yılmazer vom ...": after a title two names, the second no ordinary
            # or clinical word ("Prof. Brandt Kardiologie" keeps its specialty).
            ("title + two names",
             rf"(?<=\b(?:Dr\.|Prof\.)(?:[ ]med\.)?[ ]){_NAME}[ ]{_NAME}(?![\w-])", 0.6),
            ("slavic surname", rf"(?<![\w-])\p{{Lu}}\p{{Ll}}++(?<=\p{{Ll}}{{2}}{_SLAVIC})"
                               r"(?:-\p{Lu}\p{Ll}+)?(?![\w-])", 0.6),
            # Not after "°": "37,9 °C. Eosinophile" is a unit before a word, no initial.
            ("initial + surname",
             r"(?<![\w.°-])(?!M\.)\p{Lu}\.[ ]\p{Lu}\p{Ll}{2,}+(?![\w-]|\.\w)", 0.55),
        ],
        validator=_surname_ok,
    )  # fmt: skip


# Abbreviations that end a note line without signing it ("Knie – li", "Befund – neg").
_NOTE_ABBREVIATIONS = frozenset(
    "ok li re bds neg pos ggf bzw ca mg ml kg iu ie min prn nüchtern tgl".split()
)


def _initials_ok(text: str) -> bool:
    """Note initials are no lower-case word or unit ('– ok', '– ja', '– mg')."""
    lower = lower_case_words()
    return text.lower() not in lower and text.lower() not in _NOTE_ABBREVIATIONS


def note_initials_recognizer() -> GermanPatternRecognizer:
    """PERSON: initials that sign a note at the end of its line ('... zurück – nk')."""
    return GermanPatternRecognizer(
        "PERSON",
        # Lower case only: "– ÖGD" after a heading is an abbreviation, "– kr" a signature.
        [("signed note", r"(?<=[ ][–-][ ])\p{Ll}{2,3}(?=[ \t]*$)", 0.6)],
        validator=_initials_ok,
    )


def quarter_recognizer() -> GermanPatternRecognizer:
    """DATE: a quarter of a year ("2. Quartal 2024", "Q3/2023", "III/2024")."""
    year = r"(?:19|20)\d\d"
    return GermanPatternRecognizer(
        "DATE",
        [("quarter", rf"(?<![\w.])(?:[1-4]\.[ ]?Quartal[ ]|Q[1-4][ /]?|I{{1,3}}/|IV/){year}(?!\d)",
          0.7)],
        cues={"quarter": r"Quartal|Q[1-4]|[IV]/(?:19|20)"},  # speed, as above
    )  # fmt: skip


def big_town_recognizer() -> GermanPatternRecognizer:
    """LOCATION: a big place before a letter's date ("Siegen, den 3. Mai"), even when its
    name is also a word; the town recognizer of :mod:`.recognizers_extra` leaves words out."""
    return GermanPatternRecognizer(
        "LOCATION",
        [("big town, date", r"^\p{Lu}\p{Ll}+(?=,[ ](?:den[ ])?\d{1,2}\.)", 0.7)],
        validator=lambda text: place_words().get(text, 0) >= BIG_PLACE,
    )


def form_recognizers() -> list:
    """All recognizers of this module, one instance each."""
    return [
        id_shape_recognizer(), iban_label_recognizer(), url_recognizer(),
        organization_frame_recognizer(), employer_recognizer(), person_frame_recognizer(),
        maiden_name_recognizer(), name_field_recognizer(), surname_shape_recognizer(),
        note_initials_recognizer(),
        SignatureColumnRecognizer(),
        SignatureBlockRecognizer(), hand_sign_recognizer(),
        quarter_recognizer(), big_town_recognizer(),
    ]  # fmt: skip
