"""Recognizers of who signed: initials in a signature column, names under a closing formula,
hand signs after a check and the doctors of a joint practice.

Part of the fourth round (issue 11, :mod:`.recognizers_forms`): both read a letter's
layout (a table header, the lines after "Mit freundlichen Grüßen"), which a pattern of
one line cannot, so they are presidio ``LocalRecognizer`` objects with their own
``analyze``; the lean engine and presidio's path call them alike.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import LocalRecognizer, RecognizerResult

from .lexicon import is_common_word, lower_case_words
from .mentions import NAME_WORD
from .recognizers import LANGUAGE, GermanPatternRecognizer

_LETTERS = re.compile(r"\p{L}+")

# A table column headed as the place where staff sign: its cells are initials.
_SIGN_HEADER = re.compile(
    r"^[^\n]*\S(?:[ ]{2,}|\t|[ ]?\|[ ]?)(?:HZ|Hz|Hdz\.?|Handzeichen|Kürzel|Visum|Namenszeichen"
    r"|Unterschrift|Sign\.|Signum"
    # Round nine: a dispatch log signs each entry by its dispatcher ("Disp./Fzg.").
    r"|Disp\.(?:/Fzg\.)?|Disponent(?:in)?)[ \t|]*$",
    re.MULTILINE,
)
_SIGN_CUE = re.compile(r"HZ|Hz|Hdz|Handzeichen|Kürzel|Visum|Namenszeichen|Unterschrift|Sign|Disp")
# A dispatch log's column names the dispatcher or the vehicle that reported: the kinds of
# rescue vehicles are abbreviations, not signs.
_VEHICLES = frozenset({"RTW", "NEF", "KTW", "NAW", "ITW", "RTH", "ITH", "MZF", "HLF", "ELW"})
_LAST_CELL = re.compile(r"(?:[ ]{2,}|\t|[ ]?\|[ ]?)(\p{Lu}[\p{Lu}\p{Ll}]{1,2}|\p{Ll}{2,3})[ \t|]*$")


class SignatureColumnRecognizer(LocalRecognizer):
    """PERSON: initials in the last column of a table whose header cell there is 'HZ',
    'Handzeichen', 'Kürzel' or 'Visum' (nursing, dialysis and wound charts), down to
    the first empty line. Without such a header two capitals are more often an
    abbreviation and are left to :func:`.spread.initials_findings`."""

    SCORE = 0.7

    def __init__(self):
        super().__init__(supported_entities=["PERSON"], name="KimedSignatureColumnRecognizer",
                         supported_language=LANGUAGE)  # fmt: skip

    def load(self) -> None:
        """Nothing to load."""

    def analyze(self, text, entities, nlp_artifacts=None):
        """Initials in signature columns of ``text``."""
        results = []
        if _SIGN_CUE.search(text) is None:  # speed: most letters have no such column
            return results
        for header in _SIGN_HEADER.finditer(text):
            position = header.end() + 1
            for line in text[position:].split("\n"):
                if not line.strip():
                    break
                cell = _LAST_CELL.search(line)
                if _is_sign(cell):
                    start = position + cell.start(1)
                    results.append(_result(self, start, start + len(cell.group(1))))
                position += len(line) + 1
        return results


# The closing formula of a letter; the next lines (up to an empty line) sign it.
_CLOSING = re.compile(
    r"^[ \t]*(?:Mit[ ][^\n]{0,40}?Grü(?:ßen|ssen)|(?:Viele|Herzliche|Beste|Liebe|Freundliche"
    r"|Kollegiale)[ ]Grü(?:ße|sse)[^\n]{0,40}|Hochachtungsvoll|MfG)[,.!]?[ \t]*\n",
    re.MULTILINE,
)
_CELL_SPLIT = re.compile(r"[ ]{2,}|\t|[ ][·|–][ ]|,[ ]")
_SIGNER = re.compile(
    r"^(?:(?:Prof\.|Dr\.|PD|med\.|dent\.|Dipl\.-[\p{L}]+\.?|OA|OÄ|CA|FA|FÄ|Ass\.|i\.[ ]?[AV]\."
    r"|gez\.)[ ])*((?:\p{Lu}\.[ ]?){0,2}(?:(?:von|van|de|zu)[ ](?:der[ ])?)?"
    rf"{NAME_WORD}(?:[ ](?:(?:von|van|de|zu)[ ](?:der[ ])?)?{NAME_WORD}){{0,2}})[ ]*$"
)


# Round nine: two signers side by side without a closing formula, as a letter's end often
# writes them: a line that starts with a doctor's title and has a second cell after a
# column gap ("Dr. med. <First> <Surname>      <First> <Surname>"); each cell is read
# as after a closing formula (a cell of ordinary words is a role).
_SIGNERS_SIDE_BY_SIDE = re.compile(
    r"^(?:Prof\.|Dr\.|PD)[ ][^\n]*?(?:[ ]{3,}|\t)\S[^\n]*$", re.MULTILINE
)


class SignatureBlockRecognizer(LocalRecognizer):
    """PERSON: the names that sign a letter, in the lines after its closing formula
    ("Mit freundlichen Grüßen" ...) up to an empty line, cell by cell (signature blocks
    have columns); a cell of ordinary words only ("Chefarzt") is a role, not a name."""

    SCORE = 0.65

    def __init__(self):
        super().__init__(supported_entities=["PERSON"], name="KimedSignatureBlockRecognizer",
                         supported_language=LANGUAGE)  # fmt: skip

    def load(self) -> None:
        """Nothing to load."""

    def analyze(self, text, entities, nlp_artifacts=None):
        """Signing names after each closing formula of ``text``, and on lines of signers
        side by side (:data:`_SIGNERS_SIDE_BY_SIDE`)."""
        results = []
        for line in _SIGNERS_SIDE_BY_SIDE.finditer(text):
            results += self._names(line.group(), line.start())
        for closing in _CLOSING.finditer(text):
            position, seen = closing.end(), 0
            for line in text[position:].split("\n")[:4]:
                if not line.strip() and seen:
                    break
                seen += bool(line.strip())
                results += self._names(line, position)
                position += len(line) + 1
        return results

    def _names(self, line: str, offset: int) -> list[RecognizerResult]:
        """Names in the cells of one signature line."""
        out, start = [], 0
        for gap in [*_CELL_SPLIT.finditer(line), None]:
            end = gap.start() if gap else len(line)
            cell = line[start:end]
            name = _SIGNER.match(cell.strip())
            words = _LETTERS.findall(name.group(1)) if name else []
            # A cell of ordinary words is a role ("Chefarzt"); with an initial, a name.
            if name and ("." in name.group(1) or not all(map(is_common_word, words))):
                first = offset + start + len(cell) - len(cell.lstrip()) + name.start(1)
                out.append(_result(self, first, first + len(name.group(1))))
            start = gap.end() if gap else end
        return out


def _is_sign(cell) -> bool:
    """A signature cell's initials: no lower-case word ("neu"), no vehicle kind ("RTW")."""
    return (
        bool(cell)
        and cell.group(1).lower() not in lower_case_words()
        and cell.group(1) not in _VEHICLES
    )


def _result(recognizer, start: int, end: int) -> RecognizerResult:
    """A PERSON result of ``recognizer`` as presidio's engine records it."""
    return RecognizerResult(
        entity_type="PERSON", start=start, end=end, score=recognizer.SCORE,
        analysis_explanation=None,
        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
                              RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id},
    )  # fmt: skip


def _sign_ok(text: str) -> bool:
    """A hand sign is no lower-case word ("am", "neu"); after "Dres." every capitalised
    word is a surname, also one that is a word ("Weber", "Busch"), and so is a word after
    an initial before a sign in brackets (round nine)."""
    words = [w for w in _LETTERS.findall(text) if w != "und"]  # "Dres. A und B"
    # Initials with a dot ("A.B.", "M. <Name>") are no words, whatever their letters.
    longer = [w for w in words if len(w) > 1 or f"{w}." not in text]
    # A sign of two or three letters is no lower-case word in any case ("Am"); a longer
    # capitalised word is a surname even when its lower-case form is a verb ("Brause").
    return bool(words) and not any(
        (len(w) <= 3 or w.islower()) and w.lower() in lower_case_words() for w in longer
    )


# Who checked or entered a record signs with initials after the verb, often after a
# profession, then a date or the line end: "geprüft: ABC 03.10.", "erfasst: MFA xy, 1.12.".
_CHECKED = (
    r"(?<=\b(?:geprüft|kontrolliert|erfasst|visiert|abgezeichnet|freigegeben|übertragen)"
    r"(?:[ ]von)?:?[ ](?:(?:MFA|MTA|MTRA|PTA|Sr\.|Pfl\.|OA|OÄ|Dr\.)[ ])?)"
)


def hand_sign_recognizer() -> GermanPatternRecognizer:
    """PERSON: initials after a check or entry verb, a paraphe marked as such, and the
    doctors after "Dres." (a joint practice is named by its doctors' surnames)."""
    initials = r"(?:\p{Lu}{2,3}|\p{Ll}{2,3})"
    return GermanPatternRecognizer(
        "PERSON",
        [
            ("initials after check",
             # "\b" and a short letter run first: the lookbehind runs only there (speed).
             rf"\b(?=\p{{L}}{{2,3}}\b){_CHECKED}{initials}"
             # Round nine: or a second signer after "/" ("geprüft: ab / OÄ <Name>").
             r"(?=[ ]?,?[ ]?(?:\d{1,2}\.\d{1,2}\.|$)|[ ]/[ ])",
             0.65),
            # A record says the sign is only a paraphe: "Ab. (nur Paraphe)".
            ("paraphe", r"(?<![\w.])\p{Lu}\p{Ll}{0,2}\.(?=[ ]\((?:nur[ ])?(?:Paraphe|Kürzel"
                        r"|Handzeichen|Namenszeichen)\))", 0.65),
            # Round nine: who saw a record and who took the minutes sign at the line end,
            # also with a capital and one or two small letters ("gesehen Ab", "Protokoll: ab").
            ("sign after seen or minutes",
             r"(?<=\b(?:gesehen|Protokoll(?:führung)?:)[ ])(?:\p{Lu}{2,3}|\p{Ll}{2,3}"
             r"|\p{Lu}\p{Ll}{1,2})(?=[ ]?$)", 0.65),
            # Round nine: the signs after a sign label, one or several joined by "/" ("HZ:
            # ab / CD"), as a handover's or chart's last line lists them.
            ("signs after a sign label",
             # (?=\p{L}) first: not rewritten to "\K" (engine.fast_form), which would find
             # only the last sign of a list.
             r"(?=\p{L})(?<=\b(?:HZ|Hz|Hdz\.?|Handzeichen|Kürzel|Visum):[ ]"
             rf"(?:{initials}[ ]?/[ ]?)*)"
             rf"{initials}(?=[ ]?(?:/|,|$))", 0.65),
            # Round nine: staff listed with their signs in brackets ("K. <Word> (kwo)"):
            # the initial and the word before a sign are a name, also a word that is a noun.
            ("initial and name before a sign",
             r"(?<![\w.])\p{Lu}\.[ ]\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?(?=[ ]\(\p{Ll}{2,3}\))", 0.65),
            # Round nine: a user's sign after "Kennung" (a lower-case login is
            # :mod:`.names_chat`'s); the initials engraved on a valuable ("Initialen „A.B.“");
            # two signs in lower case that head a note entry ("ab/cd – Rezeption: ..."; in
            # capitals such a pair is an abbreviation, "CT/MRT:"), while a typist's mark
            # under a dictated letter ("AB/cd") stands alone on its line and stays.
            ("sign after Kennung", r"(?<=\bKennung:?[ ])\p{Lu}{2,4}(?=[ ]?[,;.)]|[ ]?$)", 0.65),
            ("engraved initials",
             r"(?<=\b(?:Initialen|Monogramm|Gravur):?[ ][„\"“‚']?)\p{Lu}\.(?:[ ]?\p{Lu}\.){1,2}",
             0.65),
            ("signs heading an entry",
             r"(?<=^[ \t]*(?:[-•*][ ])?)\p{Ll}{2,3}/\p{Ll}{2,3}"
             r"(?=[ ]?[–:-][ ]\p{L})", 0.65),
            ("doctors of a practice",
             rf"(?<=\bDres\.(?:[ ](?:med|dent)\.)*[ ]){NAME_WORD}"
             rf"(?:(?:[ ](?:&|und)[ ]|[ ]?/[ ]?){NAME_WORD})+", 0.65),
        ],
        validator=_sign_ok,
        cues={"initials after check": r"geprüft|kontrolliert|erfasst|visiert|abgezeichnet"
                                      r"|freigegeben|übertragen",
              "sign after seen or minutes": r"gesehen[ ]|Protokoll(?:führung)?:[ ]",
              "sign after Kennung": "Kennung",
              "initial and name before a sign": r"[ ]\(\p{Ll}{2,3}\)",
              "signs after a sign label": r"(?:HZ|Hz|Hdz\.?|Handzeichen|Kürzel|Visum):[ ]",
              "engraved initials": r"Initialen|Monogramm|Gravur",
              "signs heading an entry": r"/\p{Ll}{2,3}[ ]?[–:-][ ]",
              "paraphe": r"Paraphe|Kürzel|Handzeichen|Namenszeichen",
              "doctors of a practice": "Dres"},
    )  # fmt: skip
