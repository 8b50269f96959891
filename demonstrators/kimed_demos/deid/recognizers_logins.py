"""Round eleven's person shapes: signs and logins after a sign word, names with an
apostrophe or a particle.

- a sign or login after a word for one ("Dok.-Kürzel qrx", "Praxiskürzel QJ",
  "Benutzer quab_<name>", "unser Zeichen <Sign>-..."): the word says what follows;
- a surname with an Irish or Italian apostrophe ("O'<Name>-<Name>", "D'<Name>"), with
  the capitalised word before it: no German word has this shape;
- a surname with a Romance or Gaelic particle after a title ("Dr. Le <Name>", "Dr. La
  <Name>", "Dr. Mac <Name>"): the particle is part of the name.
"""

from __future__ import annotations

from .recognizers import GermanPatternRecognizer

_SIGN_WORD = r"(?:\p{L}*[Kk]ürzel|Benutzer(?:name)?|Login|User(?:name)?|unser[ ]Zeichen)"
_ARTICLES = r"(?:der|die|das|des|dem|den|für|und|im|in|am|bitte|siehe)"


def login_recognizers() -> list[GermanPatternRecognizer]:
    """PERSON: the round-eleven shapes (see module)."""
    return [
        GermanPatternRecognizer(
            "PERSON",
            [
                ("sign after sign word",
                 rf"(?<=\b{_SIGN_WORD}:?[ ])(?!{_ARTICLES}\b)\p{{L}}[\p{{L}}\d_]{{1,24}}"
                 r"(?![\w.@])", 0.6),
                ("apostrophe surname",
                 r"(?<![\w'’])(?:\p{Lu}\p{Ll}+[ ])?(?:O|D|Mc)['’]\p{Lu}\p{Ll}+"
                 r"(?:-\p{Lu}\p{Ll}+)?(?![\w'’])", 0.65),
                ("particle after title",
                 r"(?<=\b(?:Dr\.|Prof\.|Frau|Herrn?)[ ](?:\p{Lu}\p{Ll}+[ ])?)"
                 r"(?:Le|La|Mac|Mc|Du)[ ]\p{Lu}\p{Ll}+"
                 r"(?![\w-])", 0.65),
            ],
            cues={"sign after sign word": r"ürzel|Benutzer|Login|User|Zeichen",
                  "apostrophe surname": r"\b(?:O|D|Mc)['’]\p{Lu}",
                  "particle after title": r"[ ](?:Le|La|Mac|Mc|Du)[ ]\p{Lu}"},
        ),
    ]  # fmt: skip
