"""Second stage after the recognizers: check model findings, complete and spread mentions.

The NER scores every span alike (spaCy's transition model has no calibrated
confidence), so a threshold cannot separate "Apgar" from "Apgar"-the-surname. This
stage decides with evidence the model does not have:

- :func:`check_model_findings`: a model finding inside a must-keep term
  (:mod:`.keeplist`) is dropped; one whose words are all ordinary German words
  (Debian's word list, sentence-start adverbs) and none a known name is dropped, and
  one without a known name that stands where no name stands (:mod:`.evidence`).
- :func:`complete_mentions`: a found name grows to the whole mention - particles
  (von, van, zu), initials, hyphenated and double names, a known first name before a
  surname, a second name after "/" - so no part of a name survives.
- :func:`spread_mentions`: a name, town or organisation found once is removed
  everywhere in the document (also in capitals), which catches bare surnames in
  signature lines and participant lists.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import regex as re

from . import wordclass, wordlist
from .entities import Finding
from .evidence import not_a_name, word_as_noun
from .keeplist import keep_spans, keep_words

_L, _UP, _LOW = r"\p{L}", r"\p{Lu}", r"\p{Ll}"
NAME_WORD = rf"{_UP}{_LOW}+(?:['’]{_LOW}+)?(?:-{_UP}{_LOW}+)*"
_WORDS = re.compile(rf"{_L}[{_L}'’-]*")
# Dutch and Romance particles too ("ter Veen", "van den Berg", "de la Cruz").
_PARTICLE_BEFORE = re.compile(
    r"(?:\b(?:von der|van der|van den|van de|de la|von|van|vom|zu|zur|de|ten|ter|v\.)[ ])$"
)
_INITIAL_BEFORE = re.compile(rf"(?<![\w.])(?:{_UP}\.[ ]?){{1,2}}$")
_NAME_BEFORE = re.compile(rf"(?<![\w.-])({NAME_WORD})[ ]$")
_AFTER = (
    re.compile(rf"^-{NAME_WORD}"),  # the rest of a hyphenated name
    re.compile(rf"^[ ](?:von der|van der|von|van|vom|zu|zur|de|v\.)[ ]{NAME_WORD}"),
    re.compile(rf"^[ ]{_UP}\.(?![\w])"),  # "Tobias W."
)
_NAME_AFTER = re.compile(rf"^[ ]({NAME_WORD})(?![\w.-])")
_COMMA_FIRST = re.compile(rf"^,[ ]({NAME_WORD})(?![\w.-])")
_SLASH_NAME = re.compile(rf"^[ ]?/[ ]?(?:(?:Dr|Prof|PD)\.?[ ])*({NAME_WORD})(?![\w.-])")
_TITLE_WORDS = frozenset({
    "Prof", "Dipl", "Psych", "Frau", "Herr", "Herrn", "med", "Med", "dent", "Dr", "PD", "Sr",
    "Pfl", "Schw", "OA", "OÄ", "MFA", "Sc",
})  # fmt: skip
_TOKEN = re.compile(r"(?<![\w-])[\p{L}][\p{L}'’]*(?:-[\p{L}]+)*(?![\w-])")
_ROMAN = re.compile(r"[IVXLC]+")
# Compiled once: the regex module's cache lookup per call cost more than the matching.
_LETTERS = re.compile(r"\p{L}+")
_GAP = re.compile(r"[ ]{3,}|\t|\n")
_AFTER_DELIMITER = re.compile(r"(?:^|[\n,(·:;/])[ \t]*$")
# A profession or role noun (also as the end of a compound) before a name.
ROLE_NOUN = (
    r"(?:therapeut|therapeutin|pfleger|pflegerin|schwester|helfer|helferin|berater"
    r"|beraterin|assistent|assistentin|experte|expertin|fachkraft|techniker|technikerin"
    r"|Kollege|Kollegin|Hebamme)"
)
_ROLE_BEFORE = re.compile(rf"{ROLE_NOUN}[ ]$")
_FUNCTION_WORDS = frozenset({"von", "van", "zu", "der", "de", "den", "am", "an", "im", "bei"})


@functools.cache
def _german_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words of the German list as written, its lower-case-only words)."""
    path = wordlist.GERMAN_WORDLIST
    if not path.exists():
        raise FileNotFoundError(
            f"German word list {path} not found: install the Debian package 'wngerman'"
        )
    words = frozenset(path.read_text(encoding="utf-8").split())
    return words, frozenset(w for w in words if w.islower())


@functools.cache
def foreign_names() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames) of other countries that are no German or clinical word.

    Patients and staff in German hospitals carry Polish, Turkish, Italian, Dutch ...
    names that the German lists lack ("Jakub", "Wiśniewski"); without them such a
    name is neither completed nor found in a list. A word of the German list in any
    case ("Rosa", "Post", "AStA"), of the keep list or the clinical nouns stays out:
    these names must not make ordinary words look like names.
    """
    words, _ = _german_words()
    folded = {w.lower() for w in words}  # "Asta" is "AStA", "Rosa" is "rosa"
    clinical = keep_words() | _CLINICAL_WORDS

    def plain(name: str) -> bool:
        return name.lower() not in folded and name not in clinical

    first, last = wordlist.foreign_name_lists()
    return frozenset(filter(plain, first)), frozenset(filter(plain, last))


@functools.cache
def _dictionary() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(words of the German list as written, its lower-case-only words, known names)."""
    words, lower = _german_words()
    names = frozenset(
        {*wordlist._FakerPerson.last_names, *wordlist.NOUN_SURNAMES}
        | set(wordlist._FakerPerson.first_names_female)
        | set(wordlist._FakerPerson.first_names_male)
        | first_names()
        | foreign_names()[1]
    )
    return words, lower, names


def lower_case_words() -> frozenset[str]:
    """Words the German list writes in lower case only (verbs, adjectives, adverbs)."""
    return _dictionary()[1]


@functools.cache
def is_noun(word: str) -> bool:
    """True for a capitalised word of the German list that inflects like a noun ("Falke");
    decided per word and remembered (building the whole set took half a second)."""
    words = _dictionary()[0]
    return word[:1].isupper() and word in words and wordlist._inflects_like_a_noun(word, words)


@functools.cache
def first_names() -> frozenset[str]:
    """Known first names: German (Faker de_DE, both genders) and those of other countries."""
    return frozenset(
        {*wordlist._FakerPerson.first_names_female, *wordlist._FakerPerson.first_names_male}
        | foreign_names()[0]
    )


def is_known_name(word: str) -> bool:
    """True for a first name or surname of the name lists."""
    return word in _dictionary()[2]


@functools.cache
def is_common_word(word: str) -> bool:
    """True for an ordinary German word that is not a known name.

    Ordinary: in the keep list or the clinical nouns, written in lower case in the
    word list ("danach", "aktuell": sentence starts), or a capitalised noun of the list
    that has plural or case forms there ("Befund", "Befunde"). Towns are in the list
    too but do not inflect, so "Görlitz" is not ordinary.
    """
    if word.isupper() and (len(word) <= 5 or _ROMAN.fullmatch(word)):
        return True  # acronyms and roman numerals ("CIWA", "III"), not names
    if wordclass.is_acronym(word):
        return True  # "CVVHF", "EKGs": no name in capitals lacks a vowel or ends so
    if word.isupper():  # "PFLEGEÜBERLEITUNGSBOGEN": a heading in capitals
        word = word.capitalize()
    if word in keep_words() or word in _CLINICAL_WORDS or word.lower().endswith("nr"):
        return True  # "Fallnr", "Eingangsnr": abbreviated labels
    if is_known_name(word) or is_known_name(word.title()):
        return False
    words, lower, _ = _dictionary()
    if word.lower() in lower or (word in words and wordlist._inflects_like_a_noun(word, words)):
        return True
    if any(word.lower().endswith(e) and word.lower()[: -len(e)] in lower for e in _ADJ_ENDINGS):
        return True  # "Lumbaler", "Kardiogener": an adjective at the start of a line
    if len(word) >= 7 and word.lower().endswith(_NOUN_SUFFIXES):
        return True  # "Abheilung", "Belastungsdyspnoe": derivational and clinical endings
    if wordclass.is_medical_adjective(word) or wordclass.is_clinical_plural(word):
        return True  # "Retrosternaler", "Metastasen": clinical Latin at a line start
    if wordclass.is_clinical_noun(word) or wordclass.is_mixed_case_abbreviation(word):
        return True  # "Cholangiosepsis", "Mammakarzinom", "IgM": clinical endings, lab acronyms
    if wordclass.is_feminine_noun(word, words):
        return True  # "Freundin": the list has the plural "Freundinnen"
    return _is_compound(word, words, lower)


# Endings of common and clinical nouns that German surnames and towns do not have.
_NOUN_SUFFIXES = (
    "ung", "heit", "keit", "schaft", "tion", "sion", "ität", "ismus", "itis", "ose", "ektomie",
    "skopie", "graphie", "grafie", "therapie", "dyspnoe", "algie", "pathie", "ämie", "urie",
    "plastik", "tomie", "gramm", "zyten", "wechsel", "saal", "befund", "zeichen", "ierung",
    "logie", "iatrie", "bogen", "typ",
    # Clinical Greek and Latin endings (round four): "Reflextachykardie", "Hemiplegie".
    "kardie", "plegie", "parese", "trophie", "penie", "ektasie", "insuffizienz", "rrhoe",
    "ussis", "therie", "tonie", "pneumonie", "oid",
    "olie",  # Greek -olē (round five): "Extrasystolie", "Embolie"
)  # fmt: skip
_CLINICAL_WORDS = frozenset({*wordlist.CLINICAL_NOUNS, *wordlist.MEDICAL_TERMS})
_ADJ_ENDINGS = ("er", "e", "es", "en", "em")


def _is_compound(word: str, words: frozenset[str], lower: frozenset[str]) -> bool:
    """True for a compound of list words: "Verbandwechsel" = Verband + Wechsel.

    The head (last part, at least 5 letters) must be a capitalised word of the list,
    the rest a lower-case word or an inflecting noun of the list, allowing the linking
    letters s, es, n, en, e. Surname endings (-mann, -hain) are never taken apart.
    """
    for cut in range(3, len(word) - 2):
        head, stem = word[cut:].capitalize(), word[:cut]
        # A plural head counts as its singular ("Armschienen": "Schiene").
        listed = head in words or (head.endswith("n") and head[:-1] in words)
        if wordclass.surname_head(head, stem):
            continue
        if len(head) >= 5 and listed:
            if len(stem) >= 4 or stem.lower() in lower or stem.capitalize() in words:
                return True  # "Bergebeutel": an unknown stem before a long list noun
            continue
        if len(stem) >= 4 and wordclass.verb_noun_head(head, lower) and is_noun(stem.capitalize()):
            return True  # "Nackensperre": a listed noun before a noun listed only as a verb
        if not _new_stem_ok(stem, head, words, lower):
            continue
        if wordclass.in_list(head, words) and (len(head) >= 5 or len(stem) >= 6):
            return True  # "Spätdienst", "Rückenlage": a short head needs a long stem
        if word in words and is_noun(stem.capitalize()) and is_noun(head):
            return True  # "Herztod": a listed word of two inflecting nouns (not a town)
        if len(head) >= 5 and wordclass.is_compound_head(head, words):
            return True  # "Nachsorge": a head of many listed compounds, its base unlisted
    return False


def _new_stem_ok(stem: str, head: str, words: frozenset[str], lower: frozenset[str]) -> bool:
    """The weaker head evidence of round five needs a word of 4+ letters before the head,
    no name ("Wilhelmshöhe"), and no linking "s" taken for the head ("...schafts-praxis")."""
    if len(stem) < 4 or is_known_name(stem.removesuffix("s").capitalize()):
        return False
    if head[:1] == "S" and head[1:].capitalize() in words:
        return False
    return wordclass.stem_is_word(stem, words, lower)


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """True if [start, end) is covered by the union of ``spans``."""
    position = start
    for a, b in sorted(spans):
        if a <= position < b:
            position = b
    return position >= end


# Lower-case parts of names of other countries ("ibn", "della", "dos") stay evidence of a
# name (German words among them, "bin", "das", would count as ordinary anyway).
_NAME_PARTICLES = frozenset({"ibn", "abu", "della", "degli", "dos", "del"})

#: Second-stage scores of a model finding: a word of the name lists in it, or only
#: words that are neither ordinary nor known. Ordinary words only: dropped.
SCORE_KNOWN_NAME, SCORE_UNKNOWN_WORD = 0.8, 0.6


def second_stage_score(text: str) -> float:
    """Score of a model finding's text by the words in it (0 means: not an identifier)."""
    words = [w.strip("-’'") for w in _LETTERS.findall(text)
             if w not in _FUNCTION_WORDS and w not in _TITLE_WORDS]  # fmt: skip
    words = [w for w in words if len(w) > 2]  # "C", "Ar" in "CIWA-Ar": no evidence of a name
    # "x 18 mm", "C": measurements and letters; a form's checkboxes ("[ ] Notfall"): no name
    if not words or "[" in text:
        return 0.0
    if any(is_known_name(w) for w in words):
        return SCORE_KNOWN_NAME
    # Names are capitalised: beside a capitalised word, a lower-case one that the list
    # lacks ("ulzerös-nekrotisierende <noun>") is an adjective, no evidence of a name.
    if any(w[:1].isupper() for w in words):
        words = [w for w in words if not w[:1].islower() or w in _NAME_PARTICLES]
    return 0.0 if all(is_common_word(w) for w in words) else SCORE_UNKNOWN_WORD


def _outside(f: Finding, spans: Sequence[tuple[int, int]], text: str) -> list[Finding]:
    """The pieces of ``f`` outside ``spans``, stripped of spaces and punctuation."""
    pieces = [(f.start, f.end)]
    for a, b in spans:
        if a < f.end and f.start < b:
            pieces = [p for s, e in pieces for p in ((s, min(e, a)), (max(s, b), e)) if p[0] < p[1]]
    out = []
    for s, e in pieces:
        chunk = text[s:e]
        stripped = chunk.strip(" \t\n,.;:-()/")
        if stripped:
            start = s + chunk.index(stripped)
            out.append(Finding(start, start + len(stripped), f.entity_type, f.score))
    return out


def check_model_findings(
    findings: Iterable[Finding], text: str, keep: Sequence[tuple[int, int]] | None = None
) -> list[Finding]:
    """The NER findings outside must-keep terms that pass the dictionary check, re-scored.

    ``keep``: the text's must-keep spans, if the caller has them already.
    """
    keep = keep_spans(text) if keep is None else keep
    kept = []
    # A column gap or line break ends a name: the model sometimes runs across table cells.
    gaps = lambda f: [m.span() for m in _GAP.finditer(text, f.start, f.end)]  # noqa: E731
    for piece in (p for f in findings for p in _outside(f, [*keep, *gaps(f)], text)):
        score = second_stage_score(text[piece.start : piece.end])
        if piece.entity_type == "WARD" and _WARD_CODE.search(text, piece.start, piece.end):
            score = SCORE_UNKNOWN_WORD  # a ward code ("TK 4") names the ward, words or not
        elif score == SCORE_UNKNOWN_WORD and not_a_name(piece, text):
            score = 0.0
        if score and not _abbreviated(text[piece.start : piece.end], text, piece.end):
            kept.append(Finding(piece.start, piece.end, piece.entity_type, score))
    return kept


_WARD_CODE = re.compile(r"\b\p{Lu}{1,4}[ ]?\d{1,3}\b")


def _abbreviated(value: str, text: str, end: int) -> bool:
    """True for one word cut short before a dot ("Ltg.", "Auftr.", "Stat. N3"): a
    label or clinical abbreviation; names of the lists are never taken for one."""
    if is_known_name(value):
        return False
    return wordclass.abbreviated_before_dot(value, text, end, _dictionary()[0])


# One capitalised word at a time; the next word is only looked at (not consumed), so
# "Patient Karl-Heinz Pieper" still offers "Karl-Heinz" with "Pieper" after it.
_CAP_WORD = re.compile(
    rf"(?<![\w.-])({NAME_WORD})(?![\w-])(?=(?:[ ](?:(von|van|zu|de)[ ])?({NAME_WORD})(?![\w-]))?)"
)


def _ordinary(word: str) -> bool:
    """True for a word of the German list (lower-case or an inflecting noun), names or not."""
    words, lower, _ = _dictionary()
    return word.lower() in lower or (word in words and wordlist._inflects_like_a_noun(word, words))


def _plain_first_name(word: str) -> bool:
    """A first name of the lists that is no ordinary word (so not "Mark", "Frank")."""
    parts = word.split("-")
    if not all(p in first_names() for p in parts) or word in keep_words():
        return False
    return not _ordinary(word)


def first_name_findings(text: str) -> list[Finding]:
    """PERSON for every known first name, with the surname after it when there is one.

    Names stand in lists, signature lines and brackets where no title or label
    announces them; a first name of the name lists is evidence enough.
    """
    found = []
    for m in _CAP_WORD.finditer(text):
        if not _plain_first_name(m.group(1)):
            continue
        surname = m.group(3)
        if surname and (m.group(2) or not is_common_word(surname)):
            found.append(Finding(m.start(), m.end(3), "PERSON", SCORE_UNKNOWN_WORD + 0.1))
        else:
            found.append(Finding(m.start(1), m.end(1), "PERSON", SCORE_UNKNOWN_WORD))
    return found


@functools.lru_cache(maxsize=4)
def _words_of(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, word) of every word of ``text``; the last few texts' are kept, as
    :func:`town_findings` and :func:`spread_mentions` both need them (speed)."""
    return tuple((m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text))


def _grow(f: Finding, text: str) -> Finding:
    """``f`` widened over particles, initials, name parts and first names around it."""
    start, end = f.start, f.end
    for _ in range(3):  # "K. v. Hagen": initial, then particle
        before = text[max(0, start - 12) : start]
        # A login in lower case ("erzeugt von mmuster") takes no particle before it.
        particle = _PARTICLE_BEFORE.search(before) if text[start : start + 1].isupper() else None
        match = particle or _INITIAL_BEFORE.search(before)
        name = _NAME_BEFORE.search(before)
        if match:
            start -= len(match.group())
        elif name and _name_like(
            name.group(1), text, start - len(name.group()), alone=" " not in text[start:end]
        ):
            start -= len(name.group())
        else:
            break
    for _ in range(3):
        after = text[end : end + 40]
        match = next((m for p in _AFTER if (m := p.match(after))), None)
        if match and match.re is _AFTER[1] and is_common_word(match.group().split()[-1]):
            match = None  # "Dr. Ulmer vom Betriebsrat": a body, not a particle name
        name = _NAME_AFTER.match(after) or _COMMA_FIRST.match(after)
        if match:
            end += len(match.group())
        elif name and (
            _continues(text[start:end], name.group(1))
            or _ends_mention(text, end + len(name.group()), name.group(1))
        ):
            end += len(name.group())
        else:
            break
    return Finding(start, end, f.entity_type, f.score)


# A gap of two spaces or a tab ends a mention too: form columns ("van Rijn, Maarten   geb.").
_DELIMITER = re.compile(r"^(?:[ \t]*(?:[,)(\n·|/;]|$)|[ ]{2}|\t)")


def _name_like(word: str, text: str, start: int, alone: bool = False) -> bool:
    """A word before a found name belongs to it: a known first name, or any word
    that is neither ordinary nor a title when it starts a line or follows a
    delimiter ("Lennart Voigt (Psychoonkologie)"), or before a surname found alone."""
    if word in _TITLE_WORDS or is_common_word(word):
        return False
    if word in first_names():
        return True
    # A capitalised word that no list knows, before a surname that stands alone, is its
    # first name: first names of other countries are missing from the lists ("und
    # Oleksij Marchenko", "Rechtsanwältin Gülay Ersoy"), and no ordinary or clinical
    # word is left at this point.
    if alone and word not in keep_words() and word not in _CLINICAL_WORDS:
        return True
    if _ROLE_BEFORE.search(text, max(0, start - 24), start):
        return True  # "Atmungstherapeut Quirin Wendisch": after a profession comes the person
    before = text[max(0, start - 3) : start]
    return start == 0 or bool(_AFTER_DELIMITER.search(before))


def _ends_mention(text: str, end: int, word: str) -> bool:
    """A word after a found name closes the mention: not ordinary, delimiter after it."""
    return (
        not is_common_word(word)
        and word not in _TITLE_WORDS
        and bool(_DELIMITER.match(text[end : end + 5]))
    )


def _continues(found: str, word: str) -> bool:
    """True if ``word`` after ``found`` belongs to the same name.

    After a known first name any name-like word that is not an ordinary word is the
    surname ("Goran Petrović"); after a surname only a known first name follows
    ("Dragović, Stefan").
    """
    last = _WORDS.findall(found)[-1] if _WORDS.findall(found) else ""
    if last in first_names():
        return not is_common_word(word)
    return word in first_names() and not is_common_word(word)


def complete_mentions(findings: Sequence[Finding], text: str) -> list[Finding]:
    """PERSON findings grown to the whole mention, plus names joined to them by '/'."""
    out = []
    for f in findings:
        if f.entity_type != "PERSON":
            out.append(f)
            continue
        grown = _grow(f, text)
        out.append(grown)
        slash = _SLASH_NAME.match(text[grown.end : grown.end + 40])
        if slash and not is_common_word(slash.group(1)):
            s = grown.end + slash.start(1)
            out.append(Finding(s, s + len(slash.group(1)), "PERSON", f.score))
    return out


_PARTICLES = frozenset({"von", "van", "de", "zu", "ten", "vom"})


def _initials(name: str) -> list[str]:
    """Initials of a first name + surname as staff sign: "Lea Haferkamp" -> "LH" and
    "lh"; with a particle also "JdB" ("Joost de Boer"). None of them a keep term."""
    words = [w for w in _WORDS.findall(name) if w not in _TITLE_WORDS]
    particle = [w for w in words if w in _PARTICLES]
    words = [w for w in words if w not in _FUNCTION_WORDS]
    if len(words) != 2 or not all(len(w) >= 2 and w[0].isupper() for w in words):
        return []
    initials = [words[0][0] + words[1][0]]
    if particle:
        initials += [words[0][0] + particle[0][0] + words[1][0], words[0][0] + words[1][0]]
    forms = {*initials, *(i.lower() for i in initials)}
    return sorted(i for i in forms if i not in keep_words())


# Where staff sign with initials: in brackets, or as a table cell (after a tab, "|" or
# two spaces, before the line end, a tab, "|" or two spaces).
_SIGNED = re.compile(
    r"(?:(?<=\()(\p{L}\p{Ll}?\p{L})(?=\))"
    r"|(?<=(?:\t|\||[ ]{2})[ ]?)(\p{L}\p{Ll}?\p{L})(?=[ ]?(?:$|\t|\||[ ]{2})))",
    re.MULTILINE,
)


def initials_findings(findings: Sequence[Finding], text: str) -> list[Finding]:
    """PERSON for the initials of names found in the document where they stand as a
    signature (brackets, table cells): "Hz ... LH" after "Lea Haferkamp". Elsewhere
    two capitals are more often a clinical abbreviation ("DK" for a catheter)."""
    names = {
        initials: f
        for f in findings
        if f.entity_type == "PERSON"
        for initials in _initials(text[f.start : f.end])
    }
    if not names:
        return []
    return [
        Finding(m.start(), m.end(), "PERSON", names[m.group()].score)
        for m in signed_matches(text, names)
    ]


def signed_matches(text: str, names) -> list:
    """The matches of ``_SIGNED.finditer(text)`` whose text is one of ``names``.

    Tried only where a name stands (``str.find``), not at every position of the letter
    (speed: the scan cost 0.14 ms a letter for a handful of hits). The same matches:
    the lookbehinds see the text before the position, and no match can overlap one
    found here, as every match is letters only and needs a delimiter before it.
    """
    starts = set()
    for name in names:
        at = text.find(name)
        while at >= 0:
            starts.add(at)
            at = text.find(name, at + 1)
    matches = (_SIGNED.match(text, at) for at in sorted(starts))
    return [m for m in matches if m is not None and m.group() in names]


_UNIT_CODE = re.compile(r"\p{Lu}{2,4}[ ]?\d{1,2}[a-z]?")
# Five digits or more, a letter code with a hyphen and four digits ("T-0408"), or three
# digit groups ("720 31 448"): shorter numbers are doses, scores and years as often.
_RECORD_CODE = re.compile(r"\p{Lu}{1,3}-\d{4,}|\d{5,}(?:[/-]\d{2,})*|\d{2,}(?:[ /-]\d{2,}){2,}")


def _whole_token(text: str, start: int, end: int) -> bool:
    """No letter or digit glued to text[start:end] ("KCI 2" is not in "KCI 21")."""
    return not (start and text[start - 1].isalnum()) and not text[end : end + 1].isalnum()


def _spreadable(f: Finding, text: str) -> list[str]:
    """The strings of a finding that are removed wherever they occur in the document."""
    value = text[f.start : f.end]
    if f.entity_type == "PERSON":
        # A surname that is also an ordinary word ("Winter", "Krebs") is not spread:
        # elsewhere in the letter it is usually the word.
        return [w for w in _WORDS.findall(value)
                if len(w) >= 3 and w not in _FUNCTION_WORDS and w not in keep_words()
                and w not in _TITLE_WORDS and not _ordinary(w)]  # fmt: skip
    # A unit's acronym code ("KCI 2") names the same ward wherever the letter repeats it.
    if f.entity_type == "WARD" and _UNIT_CODE.fullmatch(value):
        return [value]
    # A record's number found once (in a table column, after a label) names the same
    # record where a note repeats it without its label ("in Zeile T-0408 stand ...").
    if f.entity_type == "CASE_NUMBER" and _RECORD_CODE.fullmatch(value):
        return [value]
    if f.entity_type in ("LOCATION", "ORGANIZATION") and len(value) >= 4 and "\n" not in value:
        if not any(ch.isdigit() for ch in value) and not is_common_word(value):
            return [value]
    return []


def spread_only_as_name(word: str) -> bool:
    """True for a surname that the word list holds, that starts compounds there and that
    a word class finds ordinary ("Wille": the list lacks its plural, so :func:`_ordinary`
    does not see it): spread only where it stands as a name, so "Dr. R. Wille" does not
    take "der Wille zur Therapie"; a surname like a genitive ("Klages") spreads as before."""
    words = _dictionary()[0]
    return word in words and wordclass.starts_compounds(word, words) and is_common_word(word)


# A name position: after a title or role word, an initial, or a known first name.
_NAME_POSITION = re.compile(
    rf"(?:\b(?:{'|'.join(sorted(_TITLE_WORDS))})\.?|(?<![\w.])\p{{Lu}}\.|({NAME_WORD}))[ ]$"
)


def _name_position(text: str, start: int) -> bool:
    """True if the word at ``start`` stands where a name stands (:data:`_NAME_POSITION`)."""
    m = _NAME_POSITION.search(text, max(0, start - 40), start)
    return bool(m) and (not m.group(1) or m.group(1) in first_names())


def spread_mentions(
    findings: Sequence[Finding], text: str, keep: Sequence[tuple[int, int]] | None = None
) -> list[Finding]:
    """``findings`` plus every other occurrence of their names, towns and organisations."""
    words: dict[str, Finding] = {}
    phrases: dict[str, Finding] = {}
    for f in findings:
        for value in _spreadable(f, text):
            table = words if _TOKEN.fullmatch(value) else phrases
            table.setdefault(value, f)
            if f.entity_type == "PERSON":
                table.setdefault(value.upper(), f)
    if not words and not phrases:
        return list(findings)
    keep = keep_spans(text) if keep is None else keep
    hits = [
        (start, end, words[word])
        for start, end, word in _words_of(text)
        if word in words
        and (not spread_only_as_name(word) or _name_position(text, start))
        and not word_as_noun(word, text, start)  # "in der Hand": a noun there (round seven)
    ]
    for value, source in phrases.items():  # a few multi-word names: plain search
        start = text.find(value)
        while start >= 0:
            whole = source.entity_type not in ("WARD", "CASE_NUMBER")
            if whole or _whole_token(text, start, start + len(value)):
                hits.append((start, start + len(value), source))
            start = text.find(value, start + 1)
    extra = [
        Finding(s, e, src.entity_type, src.score) for s, e, src in hits if not _inside(s, e, keep)
    ]
    return [*findings, *extra]
