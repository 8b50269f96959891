"""Check digits of German health and banking identifiers.

One module serves three callers, so the arithmetic exists once: the recognizers
(validate a candidate), the corpus generator (make valid identifiers to annotate) and
the surrogate generator (replace an identifier by a different, equally valid one).

- KVNR (Krankenversichertennummer, § 290 SGB V): letter + 8 digits + check digit.
- LANR (lebenslange Arztnummer, KBV-Richtlinie): 6 digits + check digit + 2-digit
  specialty code.
- BSNR (Betriebsstättennummer): 2-digit KV region + 7 digits; no public check digit.
- IBAN (ISO 13616): mod-97 check over the rearranged account number.
"""

from __future__ import annotations

import random
import re
import string

# Regional KV codes (KBV Arztnummern-Richtlinie, Anlage 1) that start a real BSNR.
KV_REGION_CODES = (
    "01", "02", "03", "17", "20", "38", "46", "51", "52",
    "71", "72", "73", "78", "83", "88", "93", "98",
)  # fmt: skip


def _cross_sum(value: int) -> int:
    """Sum of the decimal digits of a non-negative integer below 100."""
    return value // 10 + value % 10


def kvnr_check_digit(body: str) -> int:
    """Return the check digit of a KVNR whose first 9 characters are ``body``.

    The letter becomes its two-digit position in the alphabet (A=01 … Z=26); with the
    8 digits that gives 10 digits, weighted 1,2,1,2,…; products above 9 are replaced by
    their cross sum; the check digit is the sum modulo 10 (GKV-Spitzenverband).
    """
    letter, digits = body[0].upper(), body[1:9]
    effective = f"{ord(letter) - ord('A') + 1:02d}{digits}"
    weights = (1, 2) * 5
    return sum(_cross_sum(int(d) * w) for d, w in zip(effective, weights, strict=True)) % 10


def is_valid_kvnr(text: str) -> bool:
    """True if ``text`` is a well-formed KVNR whose check digit matches."""
    text = text.strip()
    if len(text) != 10 or not ("A" <= text[0] <= "Z") or not text[1:].isdigit():
        return False
    return kvnr_check_digit(text[:9]) == int(text[9])


def make_kvnr(rng: random.Random) -> str:
    """A random KVNR with a correct check digit."""
    body = rng.choice(string.ascii_uppercase) + "".join(rng.choices(string.digits, k=8))
    return f"{body}{kvnr_check_digit(body)}"


def lanr_check_digit(physician: str) -> int:
    """Check digit (7th position) of a LANR from its first six digits.

    Weights 4,9,4,9,4,9 from the left, no cross sum; the check digit is the
    difference of the sum's last digit to 10 (0 when that is 10).
    """
    total = sum(int(d) * w for d, w in zip(physician[:6], (4, 9) * 3, strict=True))
    return (10 - total % 10) % 10


def is_valid_lanr(text: str) -> bool:
    """True if ``text`` is 9 digits and its 7th digit is the LANR check digit."""
    text = text.strip()
    return len(text) == 9 and text.isdigit() and lanr_check_digit(text[:6]) == int(text[6])


def make_lanr(rng: random.Random) -> str:
    """A random LANR with a correct check digit and a plausible specialty code."""
    physician = "".join(rng.choices(string.digits, k=6))
    specialty = rng.choice(("01", "03", "23", "34", "38", "50", "60", "99"))
    return f"{physician}{lanr_check_digit(physician)}{specialty}"


def make_bsnr(rng: random.Random) -> str:
    """A random BSNR: a real KV region code followed by 7 digits."""
    return rng.choice(KV_REGION_CODES) + "".join(rng.choices(string.digits, k=7))


def _iban_remainder(iban: str) -> int:
    """ISO 13616 remainder: move the first 4 characters to the end, letters to 10..35."""
    compact = iban.replace(" ", "").upper()
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97


def is_valid_iban(text: str) -> bool:
    """True if ``text`` (spaces allowed) is an IBAN whose mod-97 check holds."""
    compact = text.replace(" ", "").upper()
    if not (15 <= len(compact) <= 34) or not compact[:2].isalpha() or not compact.isalnum():
        return False
    return _iban_remainder(compact) == 1


def iban_with_check_digits(country: str, bban: str) -> str:
    """Compact IBAN for ``country`` and ``bban`` with the correct two check digits."""
    check = 98 - _iban_remainder(f"{country}00{bban}")
    return f"{country}{check:02d}{bban}"


def make_german_iban(rng: random.Random) -> str:
    """A random valid German IBAN (8-digit bank code + 10-digit account), compact."""
    return iban_with_check_digits("DE", "".join(rng.choices(string.digits, k=18)))


def group_iban(compact: str) -> str:
    """Print form of an IBAN: groups of four characters separated by spaces."""
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


_RVNR_WEIGHTS = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)


def rvnr_check_digit(body: str) -> int:
    """Check digit of a Rentenversicherungsnummer from its first 11 characters.

    ``body`` is area (2 digits), birth date (ddmmyy), the surname's initial and the
    serial number (2 digits). The letter counts as its position in the alphabet
    written with two digits (A = 01); each of the 12 digits is multiplied by
    2 1 2 5 7 1 2 1 2 1 2 1, the cross sums of the products are added, modulo 10
    (Deutsche Rentenversicherung; example 65 170839 J 003).
    """
    digits = body[:8] + f"{ord(body[8].upper()) - 64:02d}" + body[9:11]
    return sum(_cross_sum(int(d) * w) for d, w in zip(digits, _RVNR_WEIGHTS, strict=True)) % 10


def is_valid_rvnr(text: str) -> bool:
    """True for a Rentenversicherungsnummer (spaces allowed) with a valid check digit."""
    compact = text.replace(" ", "")
    if not re.fullmatch(r"\d{8}[A-Za-z]\d{3}", compact):
        return False
    return rvnr_check_digit(compact[:11]) == int(compact[11])


def make_rvnr(rng: random.Random) -> str:
    """A random valid Rentenversicherungsnummer, written '12 150347 M 017'."""
    birth = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(30, 99):02d}"
    serial = f"{rng.choice(string.ascii_uppercase)}{rng.randint(0, 99):02d}"
    body = f"{rng.randint(2, 89):02d}{birth}{serial}"
    return f"{body[:2]} {body[2:8]} {body[8]} {body[9:]}{rvnr_check_digit(body)}"
