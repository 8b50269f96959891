"""Recognizers of organisations: by head word, by name alone, and employers.

- :func:`organization_head_recognizer`: a generic head word (Zentrum, Institut,
  Reha-Klinik, Sozialstation, GmbH) with a name that is not only ordinary words or
  specialties;
- :func:`organization_name_recognizer`: bodies that are one by name alone (insurers,
  carriers, welfare associations, care homes, named houses) and employers after
  "arbeitet ... bei" or a label.

Split from :mod:`.recognizers_extra` (module size); the shapes of words are shared.
"""

from __future__ import annotations

import regex as re

from .lexicon import is_common_word
from .places import place_words
from .recognizers import GermanPatternRecognizer
from .recognizers_extra import CAPWORD, CAPWORD_BEFORE_SPACE
from .towns import BIG_PLACE

_ORG_HEAD = (
    r"(?:Universitätsklinikum|Klinikum|Kliniken|Klinik|Krankenhaus|Fachklinik|Kreisklinik"
    r"|Zentrum|Institut|Praxisklinik|Gemeinschaftspraxis|MVZ|Sozialstation|Pflegedienst"
    r"|Pflegestützpunkt|Wohnpark|Wohnstift|Seniorenzentrum|Seniorenheim|Pflegeheim|Altenheim"
    r"|Hospiz|Stift|Kita|Kindergarten|Schule|Grundschule|Gymnasium|Stadtwerke[n]?|Landesamt"
    r"|Berufsgenossenschaft|Rentenversicherung|Medizinische[n]?[ ]Dienst(?:es)?|Krankenkasse"
    r"|Betriebskrankenkasse|Caritas|Diakonie|DRK|Volkssolidarität|Johanniter|Malteser|AWO"
    r"|Praxis|Physio|Physiotherapie|Ergotherapie|Logopädie|Apotheke"  # practices by name
    # Written as a whole lower-case run, then its ending (a name follows after a space or
    # hyphen, so the ending must close the run): same matches, no backtracking (speed).
    r"|\p{Lu}\p{Ll}++(?<=\p{Ll}(?:zentrum|klinik|klinikum|krankenhaus|institut|praxis|stift"
    r"|residenz|bund|register|beratungsstelle|schule))"  # "-verbund": hospital groups by region
    # ("Klinikverbund Nordstadt"); round eight: registers and counselling centres by region
    # or body ("Landes<x>register <state>", "<X>beratungsstelle <region>"); round nine:
    # schools by their kind ("Gesamtschule <name>"; "Rückenschule" takes no name after it).
    # Round eleven: "-bund" (covers "-verbund"): associations by region ("<X>bund <Land>").
    # Hospital acronyms (Landes-, Bezirks-, Kreiskrankenhaus) and a specialty that a
    # place names ("Neuropathologie Nordstadt": a department or institute of one town).
    r"|LKH|BKH|KKH|\p{Lu}\p{Ll}++(?<=\p{Ll}(?:logie|chirurgie|pädie|iatrie))"
    # "UK" is how letters shorten a university hospital before its town ("UK Nordstadt").
    r"|UK(?=[ ]\p{Lu})"
    # The genitive too ("des Nordstadt-Krankenhauses"): a recommendation names the house so.
    r"|\p{Lu}[\p{L}]+-(?:Klinik|Klinikums?|Zentrums?|Instituts?|Stift|Krankenhaus(?:es)?|Einheit"
    # Round nine: a pharmacy or school named by a hyphenated word ("<Animal>-Apotheke am
    # <site>", "<Person>-Gymnasium"), a university medical centre or biobank by its town, a theatre
    # by its site ("Staatstheater am <square>"), and regional public bodies ("Landschafts-
    # verband <region>"; not "-verband" alone: "Druckverband" is a bandage).
    r"|Praxis|Apotheke|Gymnasium|Schule)|Universitätsmedizin|Biobank|\p{Lu}\p{Ll}++(?<=\p{Ll}theater)"
    r"|(?:Landschafts|Landes|Bezirks|Zweck|Sozial)verband)"
)
_INSURER = (
    r"(?:(?:AOK|BKK|IKK)(?:[ -]\p{Lu}[\p{L}]*(?:-\p{Lu}[\p{L}]*)*(?:/\p{Lu}\p{Ll}+)?){0,3}"
    r"|Techniker[ ]Krankenkasse|DAK-Gesundheit|Barmer(?:[ ]GEK)?|Knappschaft|KKH|HEK|hkk|SBK"
    # Regional pension insurers, Austrian and Swiss insurers (ÖGK + state abbreviation).
    r"|DRV(?:[ ]\p{Lu}[\p{L}-]+)?|(?:ÖGK|SVS|BVAEB)(?:[ ](?:NÖ|OÖ|Stmk\.?|Bgld\.?|\p{Lu}\p{Ll}+))?"
    r"|AUVA|SUVA|Suva|CSS(?:[ ]Kranken-Versicherung)?|Helsana|Sanitas|SWICA|Visana|Concordia"
    r"|KPT|Groupe[ ]Mutuel|Assura|Atupri|Sympany|ÖKK"
    r"|KNAPPSCHAFT|BARMER"  # round eight: in capitals, as their letterheads write them
    # Round eleven: a company health insurer by a number or a brand joined to its kind
    # ("BKK<digits>", "<Brand>BKK"), and a university hospital by its acronym alone
    # ("UK<town letters>"; not "UKG", the echocardiogram).
    r"|BKK\d{1,3}|\p{Lu}[\p{L}]+BKK|UK(?!G\b)\p{Lu}{1,3})"
)
_LETTER_RUNS = re.compile(r"\p{L}+")
# "rechts der", "links der": a house named by its side of a river (round nine).
_LINK = r"(?:[ ](?:am|an[ ]der|im|in|zu|zum|zur|der|des|für|und|&|St\.|rechts[ ]der|links[ ]der))"


# Bodies whose name is ordinary words but still one place: an acronym joined to the head
# and followed by a name ("ABC-Klinik Nordstadt"), or a site after "am"/"an der"
# ("Apotheke am Marktplatz"); times after "am" ("am Montag") are no site.
# A laboratory company's acronym before its site's head word ("ABCD Laborzentrum Nord")
# is the same shape with a space.
_ACRONYM_BODY = re.compile(r"\p{Lu}{2,}[ -]\p{Lu}\p{Ll}+[ -]\p{Lu}")
_SITE_BODY = re.compile(  # "Am" too: a site that is part of the name ("Wohnstift Am Hang")
    r"[ ](?:[Aa]m|[Aa]n[ ]der)[ ](?!(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag"
    r"|Morgen|Vormittag|Mittag|Nachmittag|Abend|Wochenende|Tag|Anfang|Ende|Telefon)\b)"
    # A site of two words: an adjective before it ("Schule am Langen Anger").
    r"(?:\p{Lu}\p{Ll}+(?:e|en|er)[ ])?\p{Lu}\p{Ll}+$"
)
# A body of a university or hospital named by its acronym ("Institut für <field> der
# ABC"): the acronym is no word, though the word lists treat capitals as acronyms.
_OF_ACRONYM = re.compile(r"[ ](?:der|des)[ ]\p{Lu}{2,5}$")
# Public bodies named by their task alone ("Landesinstitut für <field>", "Zentralinstitut
# für ..."): the prefix says it is a body of its own, not a hospital's department.
# Registers and counselling centres are named by the region or body they serve, words of
# the list ("<Land>krebsregister <Region>", "<X>register der <Body>"; round eight).
# Round nine: regional public bodies too ("Landschaftsverband <region>").
_REGION_BODY = re.compile(
    r"\p{Ll}(?:register|beratungsstelle|verband|bund)[ ](?:der[ ]|des[ ])?\p{Lu}"
)
_PUBLIC_BODY = re.compile(
    r"(?:Zentral|Landes|Bundes|Staats|Forschungs)(?:institut|zentrum)[ ]für[ ]"
)


# Round nine: a registered association ("e.V.") is named by any words, ordinary ones too
# ("Suchtberatung <Word> e.V."): the legal form says the words are a name.
_ASSOCIATION = re.compile(r"[ ]e\.[ ]?V\.$")
# Round nine: a unit named by a clinical abbreviation and a generic head, nothing after
# ("<ABC>-Zentrum" for a cleft or surgical field) is a department of the house that the
# letterhead names; houses so written carry their town or name after ("<ABC>-Klinik Nord").
FIELD_UNIT = re.compile(
    r"\p{Lu}{2,4}-(?:Zentrum|Zentrums|Klinik|Ambulanz|Einheit|Station)"
    # Round eleven: a therapy's or method's centre inside a house ("<Therapy>-Zentrum").
    r"|\p{Lu}\p{Ll}+(?:therapie|diagnostik|skopie|graphie|medizin|logie)-(?:Zentrum|Zentrums"
    r"|Ambulanz|Einheit|Station)"
)
# Round eleven: a unit "for" a field, nothing after ("Tagesklinik für <disorder>", "Zentrum
# für <field> und <field>"): the words after "für" say what it treats, not whose it is.
_UNIT_FOR = re.compile(
    r"(?:\p{Lu}\p{Ll}*(?:klinik|ambulanz|station|zentrum)|Klinik|Zentrum|Ambulanz|Abteilung)"
    r"[ ]für[ ](?:\p{Lu}[\p{L}-]*(?:[ ](?:und|&)[ ])?){1,3}"
)
# Round eleven: a hospital by its carrier, a confession or a religious order ("Evangelisches
# Krankenhaus <region>", "<House> Barmherzige <Order>"): one house, ordinary words.
_BY_CARRIER = re.compile(
    r"(?:Evangelische|Katholische|Städtische|Jüdische|Israelitische|Christliche)[snr]?[ ]"
    r"(?:Krankenhaus|Klinikum|Kliniken|Hospital)[ ]\p{Lu}"
    r"|(?:Krankenhaus|Klinikum|Kliniken|Hospital)[ ](?:der[ ])?Barmherzige[nr]?[ ]\p{Lu}"
)
# Round eleven: "MVZ" after a field and a region names one care centre ("<Field> <Region>
# MVZ"); a field alone before it ("<Field> MVZ") is any.
_REGION_MVZ = re.compile(r"\p{Lu}\p{Ll}+[ ]\p{Lu}[\p{L}-]+[ ]MVZ")
# Round eleven: a firm named by its town's adjective ("<Town>er <Trade>"): the town makes
# ordinary words one body.
_TOWN_ADJECTIVE = re.compile(r"(\p{Lu}\p{Ll}+)er[ ]\p{Lu}")


def _town_adjective(text: str) -> bool:
    """True if ``text`` starts with the adjective of a big town ("Heidelberger",
    "Bremer" of Bremen)."""
    if not (m := _TOWN_ADJECTIVE.match(text)):
        return False
    return any(place_words().get(t, 0) >= BIG_PLACE for t in (m.group(1), m.group(1) + "en"))


# Round ten: a unit's service, lead or board after its head is no name ("<Specialty>-Konsil",
# "Kita-Leitung", "<Therapy> und <Eponym>-Therapie", "<Method>-Kommission"): the last word
# says what the unit does or who leads it, which every house has.
_SERVICE_END = re.compile(
    r"[ -](?:Konsil|Konsildienst|Leitung|Therapie|Sprechstunde|Visite|Kommission|Anwendungen?"
    r"|Besprechung|Konferenz|Training)$"
)


def _org_ok(text: str) -> bool:
    """An organisation name needs one word that is neither ordinary nor a specialty, or
    the shape of a body named by ordinary words (see ``_ACRONYM_BODY``, ``_SITE_BODY``)."""
    if FIELD_UNIT.fullmatch(text) or _SERVICE_END.search(text):
        return False
    if _ACRONYM_BODY.match(text) or _SITE_BODY.search(text) or _OF_ACRONYM.search(text):
        return True
    if _BY_CARRIER.search(text) or _REGION_MVZ.fullmatch(text):
        return True
    if _town_adjective(text):
        return True
    if _PUBLIC_BODY.match(text) or _REGION_BODY.search(text) or _ASSOCIATION.search(text):
        return True
    if _UNIT_FOR.fullmatch(text):
        return False
    words = _LETTER_RUNS.findall(text)  # "Westpfalz-Klinikum": each part on its own
    # A big town after the head names the house there ("Impfzentrum <town>"), also a
    # town that is an ordinary word too.
    if len(words) > 1 and place_words().get(words[-1], 0) >= BIG_PLACE:
        return True
    # A head joined by a hyphen names its house by the part before ("<Name>-Klinikum").
    if _NAMED_COMPOUND.search(text):
        return True
    return any(_name_word(w) for w in words if len(w) > 2)


# Round nine: words of a department's field that the word lists lack: patient groups
# ("Schwerbrandverletzte", "Querschnittgelähmte": nominal adjectives of the list) and
# inflected adjectives of the list ("Endokrine"), so "Zentrum für <group>" and "Klinik für
# <adjective> Chirurgie" are departments, as "Klinik für Kardiologie" is.
_NAMED_COMPOUND = re.compile(r"\p{Lu}\p{Ll}+-(?:Klinik|Kliniken|Klinikums?|Zentrums?|Instituts?)\b")
_KIND_OF_HOUSE = re.compile(r"(\p{Lu}\p{Ll}+?)(?:klinik|klinikum|zentrum|krankenhaus|hospital)")
_PATIENT_GROUP = re.compile(r"\p{Lu}\p{Ll}+(?:verletzte|gelähmte|kranke|behinderte)[n]?")


def _name_word(word: str) -> bool:
    """True if ``word`` can carry an organisation's name: not ordinary, no specialty or
    generic head, no patient group or inflected adjective of the word list."""
    if word in _SPECIALTIES or _PATIENT_GROUP.fullmatch(word):
        return False
    # "Kinderklinik": a kind, no name; round ten: "<Name>hospital" is a name although the
    # word list takes every "-hospital" compound for a word, so the part before decides.
    if kind := _KIND_OF_HOUSE.fullmatch(word):
        if is_common_word(kind.group(1)):
            return False
        if word.endswith("hospital"):
            return True
    if is_common_word(word):
        return False
    from .evidence import listed_adjective  # evidence imports this module's FIELD_UNIT

    return not listed_adjective(word)


_SPECIALTIES = frozenset(
    "Kardiologie Angiologie Pathologie Radiologie Neurologie Chirurgie Innere Medizin Urologie "
    "Gynäkologie Pädiatrie Psychiatrie Psychosomatik Geriatrie Onkologie Hämatologie "
    "Gastroenterologie Pneumologie Nephrologie Orthopädie Unfallchirurgie Anästhesiologie "
    "Intensivmedizin Nuklearmedizin Dermatologie Allgemeinmedizin Neurochirurgie Labormedizin "
    "Strahlentherapie Rheumatologie Endokrinologie Diabetologie Viszeralchirurgie "
    # Generic heads, no name by themselves ("Praxis für Radiologie" is no one in particular).
    "Praxis Physio Physiotherapie Ergotherapie Logopädie Apotheke "
    # Round nine: "Zentrum" is a district's name in the places file, no evidence of a name.
    "Zentrum Zentrums Klinik Kliniken Klinikum Institut Abteilung Anästhesie".split()
)


def organization_head_recognizer() -> GermanPatternRecognizer:
    """ORGANIZATION by a generic head word (Zentrum, Klinik, GmbH) + a name that is not
    only ordinary words or specialties ("Klinik für Kardiologie" is a department)."""
    # Not a title: "Praxis Dr. Boos" is the practice of a person, whose name is found.
    # Round nine: nor "Dres." (doctors) or "Dipl." (a diploma) before the names.
    name = rf"(?:{_LINK}?[ -](?!(?:Dr|Dres|Prof|PD|med|Dipl)\.){CAPWORD}){{1,4}}"
    heads = (  # round nine: schools and pharmacies by a person ("<Name>-Gymnasium")
        r"(?:Kliniken|Klinik|Klinikums?|Zentrums?|Instituts?|Stift|Krankenhaus(?:es)?"
        r"|Krankenhäuser|Gymnasium|Schule|Apotheke"
        # a house of a kind after the name ("<Region>-Kinderklinik <town>")
        r"|\p{Lu}\p{Ll}++(?<=\p{Ll}(?:klinik|klinikum|zentrum|krankenhaus)))"
    )
    legal = r"(?:GmbH|mbH|gGmbH|AG|KG|e\.[ ]?V\.|eG)"  # eG: a cooperative (dairies, banks)
    return GermanPatternRecognizer(
        "ORGANIZATION",
        [
            ("head word + name",
             # (?=[\p{Lu}]): every head word is capitalised; a guard for speed only.
             rf"(?<![\w-])(?:{_NOT_A_SERVICE}{CAPWORD_BEFORE_SPACE}[ ])?(?=[\p{{Lu}}]){_ORG_HEAD}"
             rf"{name}", 0.6),
            ("name-head compound",
             rf"(?<![\w-])\p{{Lu}}\p{{L}}+(?:-\p{{Lu}}\p{{L}}+)*-{heads}(?:{name})?(?![\w-])", 0.6),
            # Not before a grade: "<muscle> KG 4/5" is a strength grade (round nine).
            ("company",
             rf"(?<![\w-]){_NOT_A_GROUP}(?:{CAPWORD}{_LINK}?[ ]){{1,5}}{legal}(?!\w)(?![ ]?\d)",
             0.7),
            # Round nine: a sports club by its kind and town ("TSV <town>"); the club's
            # letters alone are no name, so the validator wants a word that is one.
            ("sports club", r"(?<![\w-])(?:TSV|TuS|SV|FC|VfL|VfB|SpVgg|TSG|SSV|ESV|MTV)"
                            r"(?:[ ]\d{2,4})?[ ]\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)*(?![\w-])", 0.6),
            # Round ten: a university by its name before the word ("<Name> Universität");
            # the validator rejects kinds ("Technische Universität": a word of the list).
            # Round eleven: a care centre with "MVZ" after its name ("<Field> <Region> MVZ").
            ("name + MVZ", rf"(?<![\w-])(?:{CAPWORD}[ ]){{1,3}}MVZ(?![\w-])", 0.6),
            ("name + university", r"(?<![\w-])\p{Lu}\p{Ll}+[ ]Universität(?![\w-])", 0.6),
            # Round nine: an employer after a job at the start of a remark ("Sozial:
            # <job> bei <company>", "(<job> bei <company>)"); jobs by their endings;
            # the validator wants one word that is no ordinary word ("Fehler bei <noun>").
            ("employer after job", rf"{_AFTER_JOB}{EMPLOYER}", 0.65),
            # Round nine: a school or clinic named by a person in one word ("<Name>schule");
            # the validator rejects kinds ("Rückenschule", "Tagesklinik": words of the list).
            ("name-kind compound",
             r"(?<![\w-])\p{Lu}\p{Ll}++(?<=\p{Ll}{4}(?:schule|klinik|gymnasium|hospital))(?![\w-])",
             0.6),  # round ten: "<Name>hospital"
            # Round nine: logistics and fulfilment companies are named before their trade
            # ("<Name> Fulfilment", "<Name> Logistik"); an ordinary word before is no name.
            ("name + trade",
             rf"(?<![\w-])(?:{CAPWORD_BEFORE_SPACE}[ ]){{1,2}}{_TRADE}(?![\w-])", 0.65),
        ],
        validator=_org_ok,
        # Every company match ends in a legal form ("GmbH" and "gGmbH" contain "mbH").
        cues={"company": r"mbH|AG|KG|e\.[ ]?V\.|eG", "name + trade": _TRADE,
              "employer after job": r"[ ]bei[ ]", "name + MVZ": "MVZ",
              "sports club": r"TSV|TuS|SV|FC|VfL|VfB|SpVgg|TSG|SSV|ESV|MTV"},
    )  # fmt: skip


# Round nine: the word before a head is part of the name ("Städtisches Klinikum <town>"),
# not a service or examination that a letter names before the house ("<Field>diagnostik
# <x>zentrum <town>", "Voranmeldung Herzkatheterlabor <house>").
_NOT_A_SERVICE = (
    r"(?!\p{Lu}\p{Ll}*(?:diagnostik|therapie|skopie|graphie|grafie|labor|untersuchung)[ ])"
)
# Round ten: a group, course or offer of an association is no part of its name
# ("<Disease>-Sportgruppe des <Name>-Verein e.V."): the name starts after the genitive.
_NOT_A_GROUP = r"(?![\p{L}-]*(?:gruppe|kurs|angebot|sprechstunde|treff)[ ](?:des|der)[ ])"
_TRADE = r"(?:Fulfilment|Fulfillment|Logistik|Logistics|Spedition|Kurierdienst|Paketdienst)"
# Any tense, and words or a number between: "arbeitete 30 Jahre als Dreher bei"; a
# job after a workplace label ("Arbeitsplatz: Kassiererin bei <company>").
_WORKS_AT = (
    r"\b(?:[Aa]rbeitet(?:e|en)?|[Bb]eschäftigt|tätig|angestellt"
    r"|(?:Arbeitsplatz|Beruf|Tätigkeit):[ ][\p{L}-]+)"
    r"(?:[ ][\p{L}\d]+){0,4}[ ]bei[ ]"
)
# Round eleven: also "-leiter", "-ßer" ("Schichtleiter", "Schweißer").
_JOB = (
    r"\p{Lu}\p{Ll}+(?:ner|ler|rer|ist|istin|erin|eur|eurin|iker|ikerin|macher|arbeiter|leiter"
    r"|ßer)"
)
_AFTER_JOB = (
    # Round eleven: also after "als" or "ehem." ("ist als <job> bei <firm>").
    rf"(?<=(?:^|\n|[(:;][ ]?|\bals[ ]|\behem\.[ ]|\behemals[ ]){_JOB}[ ]bei[ ])"
    r"(?!(?:der|die|das|dem|den|einer|einem|einen|Bedarfs?)\b)"
)
_AT_WORK = rf"(?<={_WORKS_AT})(?!(?:der|die|das|dem|den|einer|einem|einen|Bedarf)\b)"
# Round eleven: "unter der Woche", "mit", "für" end an employer's name too.
_STOP = r"(?:in|seit|als|und|im|am|bis|unter|mit|für|auf|nach)"
# A name of up to four words (brands may be lower case: "dm-drogerie markt"), ending
# before "in", "seit", "als", punctuation or the end of the line.
EMPLOYER = (
    rf"[\p{{L}}][\p{{L}}&.-]*(?:[ ](?!{_STOP}\b)[\p{{L}}][\p{{L}}&.-]*){{0,3}}"
    rf"(?=[ ]{_STOP}\b|[ ]?[,.;)(]|$)"
)


# Round nine: professional and public chambers are one body each, by name alone
# ("Bundes<x>kammer", "<Land>ische Versorgungskammer"), with a register's acronym before
# ("<ABC> der Bundes<x>kammer"); not "-kammer" alone ("Herzkammer" is anatomy).
_CHAMBER = (
    r"(?<![\w-])(?:\p{Lu}{2,5}[ ](?:der|des)[ ])?(?:\p{Lu}\p{Ll}+isch(?:e|en)[ ])?"
    r"(?:Bundes|Landes)?(?i:ärzte|zahnärzte|apotheker|notar|rechtsanwalts|handwerks"
    r"|versorgungs|psychotherapeuten|pflege|tierärzte)kammer(?![\w-])"
)
# Round nine: an institute of a research society by the society's name and its acronym
# ("<Society> <ABC>"; the society names are the four German research societies).
_RESEARCH = (
    r"(?<![\w-])(?:Fraunhofer|Max-Planck|Helmholtz|Leibniz)(?:-(?:Institut|Zentrum))?"
    r"[ ]\p{Lu}{2,6}(?![\w-])"
)
_NAMED_HOUSE = (
    r"(?:Rehaklinik|Reha-Klinik|Kurklinik|Kinderhaus|Kita|Kindertagesstätte|Kinderkrippe"
    r"|Kindergarten|Schulungszentrum"
    # Round ten: lodgings by their name ("Pension <name>", "Gästehaus <name>"), as in a
    # spa or rehabilitation letter's "Unterkunft:" line.
    r"|Pension|Hotel|Gasthof|Gästehaus|Kurheim)"
)


# Round ten: a practice or centre is named by whatever words follow its kind, a place, a
# site or a nickname ("<Kind>praxis <Region>", "Praxis <Adjective>", "<Kind>ärzte Am
# <Site>", "<Field> im <Quarter>"); where the name closes the phrase (punctuation, line
# end, "in <Town>"), ordinary words are a name too. Times after the practice are not.
_NICKNAMED = (
    r"(?<![\w-])(?:(?:\p{Lu}[\p{L}-]*(?:praxis|-Praxis)|Praxis|PRAXIS|\p{Lu}\p{Ll}+zentrum"
    r"|(?:Kinder-[ ]und[ ])?\p{Lu}\p{Ll}*ärzte)[ ](?:(?:Am|Im|am|im|An[ ]der|an[ ]der)[ ])?"
    r"|\p{Lu}\p{Ll}+(?:logie|pädie|iatrie|medizin)[ ](?:am|im|an[ ]der)[ ])"
    r"(?!(?:Anfang|Ende|Mitte|Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag"
    r"|Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
    r"|Dr|Prof|Dres|Vorstellung|Kontrolle|Termin)\b)"
    r"\p{Lu}\p{Ll}+(?:[ ]\p{Lu}\p{Ll}+)?(?=[ ]?[,;)\n]|[ ]in[ ]\p{Lu}|$)"
)
# Round ten: a letterhead in capitals, "PRAXIS FÜR <FIELD> UND <FIELD> AM <SITE>".
_IN_CAPITALS = (
    r"(?<![\w-])(?:PRAXIS|GEMEINSCHAFTSPRAXIS|PRAXISKLINIK|ZENTRUM)[ ]FÜR"
    r"(?:[ ](?:\p{Lu}{2,}|UND|&)){1,6}[ ](?:AM|IM|AN[ ]DER)[ ]\p{Lu}{3,}(?:[ ]\p{Lu}{3,})?(?![\w-])"
)
# Round ten: public bodies named by their task ("Landesbeauftragte für den Datenschutz
# <Land>", "Bundesamt für <field>"); the prefix says it is one body of a state.
_BY_TASK = (
    r"(?<![\w-])(?:Landes|Bundes)\p{Ll}{4,}[ ]für[ ](?:(?:den|die|das)[ ])?"
    r"\p{Lu}\p{Ll}+(?:[ ](?:und[ ])?\p{Lu}[\p{L}-]+){0,3}(?![\w-])"
)


def organization_name_recognizer() -> GermanPatternRecognizer:
    """ORGANIZATION that is one by name alone: insurers, carriers, welfare associations."""
    carriers = (
        r"(?:Deutsche[ ])?Rentenversicherung|Berufsgenossenschaft|Unfallkasse"
        r"|Medizinische[nr]?[ ]Dienst(?:es)?"
    )
    # These need a name after them: "das Versorgungsamt" alone is no one in particular.
    offices = (
        r"Landesamt|Versorgungsamt|Gesundheitsamt|Jugendamt|Sozialamt|Pflegestützpunkt"
        r"|Hospizdienst|Sozialstation|Pflegedienst|Landesbetrieb"  # a state enterprise by task
        # Round nine: a public accident insurer by its region ("Kommunale Unfallversicherung
        # <Land>"), the medical service of the insurers by its region ("MD <region>").
        r"|(?:Kommunale[ ])?Unfallversicherung|MD(?=[ ]\p{Lu}\p{Ll})"
        # Round nine: specialised palliative care is a kind of care ("häusliche SAPV",
        # "(auch SAPV)"); only with a name is it a team ("SAPV-Team <region>").
        r"|SAPV|Palliativnetz"
        # Round nine: district and municipal offices by their district ("Landratsamt <Kreis>").
        r"|Landratsamt|Bezirksamt|Kreisverwaltung|Ordnungsamt|Standesamt"
    )
    name = rf"(?:{_LINK}?[ -]{CAPWORD}){{0,4}}"
    named = rf"(?:{_LINK}?[ -]{CAPWORD}){{1,4}}"
    care = (
        r"(?:Hospiz|Pflegeheim|Seniorenheim|Altenheim|Seniorenzentrum|Seniorenresidenz"
        r"|Pflegezentrum|Wohnstift|Spitex|Homecare"
        # Round eleven: any senior residence's kind ("Seniorenwohnen <district>").
        r"|Senioren\p{Ll}{4,})(?:[ ]Haus)?"  # round nine: "Homecare <region>"
    )
    welfare = r"(?:Caritas|Diakonie|Volkssolidarität|Johanniter|Malteser|Lebenshilfe|DRK|AWO)"
    branch = r"(?:[ -]\p{Lu}[\p{L}-]*){0,3}"  # "Volkssolidarität Leipziger Land"
    return GermanPatternRecognizer(
        "ORGANIZATION",
        [
            ("insurer", rf"(?<![\w-]){_INSURER}(?![\w-])", 0.75),
            ("carrier", rf"(?<![\w-])(?:{carriers}){name}(?![\w-])", 0.65),
            ("office + name", rf"(?<![\w-])(?:{offices}){named}(?![\w-])", 0.65),
            ("association", rf"(?<![\w-]){welfare}{branch}(?![\w-])", 0.65),
            # A care home or home-care service is followed by its name, even when that
            # name is made of ordinary words ("Hospiz Abendrot", "Spitex Am See").
            ("care home + name", rf"(?<![\w-]){care}{named}(?![\w-])", 0.65),
            # Round nine: the letter's first line names its house by a specialty centre and
            # its site, any word, before a dash or bar ("<Field>zentrum <Site> – Klinik").
            # Also a practice of a specialty ("<Field>therapie <region> –") and an adjective
            # before the head ("<Adjective> Krankenhaus <ABC> -").
            ("letterhead", r"(?<=\A[ \t]*)(?:\p{Lu}\p{Ll}+[ ])?\p{Lu}\p{Ll}+(?<=zentrum|klinik"
                           r"|klinikum|krankenhaus|Krankenhaus|institut|therapie)"
                           r"[ ](?:\p{Lu}\p{Ll}+|\p{Lu}{2,5})(?=[ ]?[–|·-])", 0.65),
            # Round nine: a family firm ("Gebr. <name>": brothers).
            ("brothers' firm", rf"(?<![\w-])Gebr\.[ ]{CAPWORD}(?:[ ]{CAPWORD})?(?![\w-])", 0.7),
            # Round nine: a firm by its owner and kin or partners ("<Trade> <Name> & Söhne").
            ("owner's firm", r"(?<![\w-])(?:\p{Lu}[\p{L}-]+[ ]){1,3}&[ ](?:Söhne|Sohn|Töchter"
                             r"|Co\.(?:[ ]KG)?|Partner|Kollegen)(?![\w-])", 0.7),
            # Round nine: short-term and day care by the house's name ("Kurzzeitpflege Haus
            # <name>"); without "Haus" the word is the kind of care, not a place.
            ("care + house", rf"(?<![\w-])(?:Kurzzeitpflege|Tagespflege|Nachtpflege)[ ]Haus"
                             rf"{named}(?![\w-])", 0.65),
            # Round nine: a home-care supplier after its label ("Lieferant <company>").
            # Round ten: a carrier or courier by its name after its trade ("Kurierdienst
            # <Region> <Name>"; "<Name> Logistik" is the pattern "name + trade").
            ("name after trade", rf"(?<=\b{_TRADE}[ ]){CAPWORD}(?:[ ]{CAPWORD})?(?![\w-])", 0.65),
            ("supplier after label",
             rf"(?<=\bLieferant(?:in)?:?[ ]){CAPWORD}(?:[ ]{CAPWORD})?(?=[ ]?[,;.)\n]|$)", 0.65),
            # Rehabilitation clinics, day-care centres and training centres are named the
            # same way ("Rehaklinik Birkenried", "Kita Sonnenschein").
            ("named house", rf"(?<![\w-]){_NAMED_HOUSE}{named}(?![\w-])", 0.65),
            # A private insurer is named after its label, often by one ordinary word.
            # Round nine: also after an insurer's kind ("Haftpflichtversicherer (<brand>,").
            ("insurer after label", rf"(?<=\b(?:PKV|[Pp]rivate[nr]?[ ]Kranken(?:versicherung"
                                    rf"|kasse)|Zusatzversicherung|\p{{Lu}}\p{{Ll}}++(?<=versicherer)"
                                    rf"|Versicherer)[ ]?[:(][ ]?){CAPWORD}"
                                    rf"(?:[ ]{CAPWORD})?(?=[,;)\n]|[ ]\(|$)", 0.65),
            # Round eight: an insurer's short name after an insurance label ("Versicherung:
            # <AB>"; "TK" alone is also a day clinic); the kinds of insurance are no name.
            ("insurer acronym after label",
             r"(?<=\b(?:Versicherung|Krankenkasse|Krankenversicherung)[ ]?:[ ]?)"
             r"(?!(?:GKV|PKV|BG)\b)\p{Lu}{2,5}(?=[ ]?[,;\n]|$)", 0.65),
            # Employers are named only by the sentence: "arbeitet als X bei <name> in".
            ("employer after bei", rf"{_AT_WORK}{EMPLOYER}", 0.65),
            # Round nine: an employer by its acronym after the article ("arbeitet als
            # <job> bei der <ABC>"); an article before an ordinary word stays excluded.
            ("employer acronym after bei",
             rf"(?<={_WORKS_AT}(?:der|dem)[ ])\p{{Lu}}{{2,5}}(?![\w-])", 0.65),
            # Round nine: "Uniklinik" alone is the short name of the university hospital of
            # the letter's town, as identifying as its full name (an abbreviation in use).
            ("university hospital, short", r"(?<![\w-])Uniklinik(?:um)?(?![\w-])", 0.6),
            # Round nine: a house named after its saint ("St. <Name>") stands for the
            # hospital or home alone ("zuletzt 2021 (St. <Name>)"); a town so named is
            # identifying too. "St. p." (status post) has no capital after; a size after
            # it makes it a device by its maker ("<valve> (St. <Name> 27 mm)").
            ("saint's house",
             r"(?<![\w-])St\.[ ]\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?(?![\w-])(?![ ]\d)", 0.6),
            ("chamber", _CHAMBER, 0.65),
            ("practice by nickname", _NICKNAMED, 0.6),
            ("practice in capitals", _IN_CAPITALS, 0.65),
            # Round eleven: a practice's nickname before a letterhead's separator
            # ("<Kind>praxis <Name> · <street>"); not "-zentrum": a payer's department
            # is named so ("<Insurer> · Fachzentrum <Aids> ·").
            ("practice nickname in letterhead",
             r"(?<![\w-])\p{Lu}\p{Ll}*praxis[ ]\p{Lu}\p{Ll}+(?:[ ]\p{Lu}\p{Ll}+)?(?=[ ]?[·|–])",
             0.6),
            ("public body by task", _BY_TASK, 0.65),
            ("research institute", _RESEARCH, 0.65),
            ("employer after label", rf"(?<=\bArbeitgeber(?:in)?[ ]?[(:][ ]?){EMPLOYER}", 0.65),
            # Who commissioned a report (an insurer, a court, an employer), by any name.
            ("client after label", rf"(?<=\bAuftraggeber(?:in)?:[ ]){EMPLOYER}", 0.6),
        ],
        # Round ten: a named house's lead or service is no house ("Kita-Leitung").
        validator=lambda text: not _SERVICE_END.search(text),
        # Round nine: patterns whose word must occur in the text are skipped without it.
        cues={"chamber": r"(?i:kammer)", "research institute": r"Fraunhofer|Max-Planck|Helmholtz"
              r"|Leibniz", "care + house": r"pflege[ ]Haus", "supplier after label": "Lieferant",
              "name after trade": _TRADE,
              "brothers' firm": r"Gebr\.", "saint's house": r"St\.[ ]", "owner's firm": "&",
              "practice by nickname": r"(?i:praxis|zentrum|ärzte)|logie|pädie|iatrie|medizin",
              "practice in capitals": "FÜR", "practice nickname in letterhead": "praxis",
              "public body by task": r"(?:Landes|Bundes)\p{Ll}+[ ]für"},
    )  # fmt: skip
