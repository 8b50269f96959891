"""Wards by shape (round eleven): a unit's short name or code and its number or colour.

Letters name a ward by a clipped department word and a number ("Pulmo 3", "Hämato C4",
"Gastro-TK 2", "Uro 1"), by a code after a word for a care area, a delivery room or a
shift ("Wohnbereich WB 3 <Name>", "Kreißsaal KR 2", "Nachtdienst H4", "Gruppe
TK-AB Blau") or by a building code after a clinic ("Kinderklinik, K 1.2"). Each class is
a shape in a position, not a list of one set's wards; scores ("G3a", "NYHA II"), calendar
weeks ("KW 50") and spinal levels ("Bereich L4") have other shapes or positions and stay.

Two machine shapes of the same round live here too: an object identifier (DICOM UIDs,
"2.25.<digits>.<n>": dotted numbers with a long group) and a phone number "0<area> <number>"
standing alone as an item of an address line.
"""

from __future__ import annotations

from .recognizers import GermanPatternRecognizer

#: Clipped department words: houses name wards "<clipped department> <number>".
_CLIPPED = (
    r"(?:Derma|Onko|Angio|Neuro|Kardio|Gastro|Pulmo|Pneumo|Nephro|Uro|Gyn|Chir|Ortho|Psych"
    r"|Päd|Geri|Hämato|Rheuma|Viszeral|Unfall|Trauma|Endo)"
)
_COLOUR = r"(?:Gelb|Grün|Blau|Rot|Orange|Lila|Weiß|Gold|Silber)"
#: A ward's number: "2", "2.1", a letter and a number ("B2"), or a colour.
_NUMBER = rf"(?:\d{{1,2}}(?:\.\d{{1,2}})?|\p{{Lu}}\d{{1,2}}|{_COLOUR})"
#: Words after which a code names a care area, a delivery room or a shift's ward.
_AREA_CUE = (
    r"(?:Wohnbereich|Pflegebereich|Kreißsaal|Gruppe|Nachtdienst|Frühdienst|Spätdienst"
    r"|Bereitschaft|Wohngruppe)"
)
_CODE = r"\p{Lu}{1,3}(?:-\p{Lu}{1,3})?"
_END = r"(?![\w-]|[.,]\d)"


def ward_shape_recognizers() -> list[GermanPatternRecognizer]:
    """WARD: the round-eleven shapes (see module)."""
    return [
        GermanPatternRecognizer(
            "WARD",
            [
                # "Pulmo 3", "Hämato C4", "Gastro-TK 2": a clipped department word is no
                # sentence word; with a number it is a ward (a day unit with "-TK").
                ("clipped department + number",
                 rf"(?<![\w-]){_CLIPPED}(?:-\p{{Lu}}{{1,3}})?[ ]{_NUMBER}{_END}", 0.65),
                # "Kreißsaal KR 2", "Gruppe TK-AB Blau", "Nachtdienst H4", a care
                # home's area with its name ("WB 3 <Name>"): a code needs a number
                # or colour, so "Gruppe B" (streptococci) stays.
                ("code after area word",
                 # Not a Roman-numeral class ("Gruppe IIID2": a cytology result).
                 rf"(?<=\b{_AREA_CUE}[ ])(?![IVX]+[A-E]?\d){_CODE}[ ]?{_NUMBER}{_END}"
                 r"(?:[ ]\p{Lu}\p{Ll}{3,}(?=[,\n]))?", 0.65),
                # "Kinderklinik, K 1.2": a building and floor code after a clinic.
                ("code after clinic",
                 r"(?<=\p{Ll}klinik,[ ])\p{Lu}{1,2}[ ]?\d{1,2}\.\d{1,2}" + _END, 0.6),
            ],
            cues={"clipped department + number": _CLIPPED, "code after area word": _AREA_CUE,
                  "code after clinic": r"klinik,[ ]\p{Lu}"},
        ),
        GermanPatternRecognizer("CASE_NUMBER", [
            # Four or more dotted number groups with one of five digits or more: an OID
            # or DICOM UID ("2.25.48121.7", "1.2.840.99999.2"); versions and dates
            # have short groups. The DICOM standard's own root (1.2.840.10008: transfer
            # syntaxes, SOP classes) names no patient and stays.
            ("dotted identifier", r"(?<![\w.,])(?!1\.2\.840\.10008\.)(?=[\d.]*\d{5})"
                                  r"\d{1,5}(?:\.\d{1,40}){3,}"
                                  r"(?![\w-]|[.,]\d)", 0.6)],
            cues={"dotted identifier": r"\d\.\d+\.\d+\.\d"}),
        # "..., <PLZ> <Town>, 04487 5531207, ...": an area code and a number as
        # one item of an address line are a phone number even where no cue stands.
        GermanPatternRecognizer("PHONE_NUMBER", [
            ("address-line phone", r"(?<=(?:,|^)[ ]?)0[1-9]\d{2,4}[ /]\d{5,8}(?=,|$)", 0.6)],
            cues={"address-line phone": r"0[1-9]\d{2,4}[ /]\d{5,8}"}),
    ]  # fmt: skip
