"""Realistic German surrogates that keep the shape of what they replace.

A :class:`SurrogateGenerator` lives for one document (or one run) and remembers what
it produced, so the same original always gets the same surrogate there ("Herr Vogel"
and "Thomas Vogel" both become "... Berger"). Dates are shifted by one offset per
generator, keeping their style and the intervals between them; identifiers with check
digits get new valid ones; other numbers keep their layout with new digits.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string

from faker.providers.address.de_DE import Provider as _FakerAddress
from faker.providers.person.de_DE import Provider as _FakerPerson

from . import checksums, dates
from .fills import HOSPITAL_FORMS, SAINTS, STREET_ROOTS, STREET_SUFFIXES, ascii_fold
from .ocr import readable_date
from .wordlist import PLAIN_SURNAME

_NAME_PART = re.compile(r"[^\W\d_]+")
_STREET = re.compile(
    r"^(?P<name>.*?)(?P<number>\s?\d{1,4}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,4}[a-z]?)?)$"
)
_FIRST_NAMES = tuple(
    sorted(
        n for n in {*_FakerPerson.first_names_female, *_FakerPerson.first_names_male} if n.isalpha()
    )
)
_LAST_NAMES = tuple(sorted(n for n in _FakerPerson.last_names if PLAIN_SURNAME.fullmatch(n)))
_CITIES = tuple(sorted(c for c in _FakerAddress.cities if " " not in c))
_STREET_NAMES = tuple(root + suffix for root in STREET_ROOTS for suffix in STREET_SUFFIXES)


# Organisation kinds by words in the original, and fake names of each kind.
_ORG_KINDS = (
    ("insurer", re.compile(r"AOK|BKK|IKK|Krankenkasse|DAK|Barmer|Knappschaft|KKH|HEK"
                           r"|Rentenversicherung|Berufsgenossenschaft")),
    ("company", re.compile(r"GmbH|mbH|\bAG\b|\bKG\b|e\.\s?V\.|Stadtwerke")),
    ("care", re.compile(r"Pflege|Sozialstation|Senioren|Wohn|Hospiz|Caritas|Diakonie"
                        r"|Volkssolidarität|DRK")),
)  # fmt: skip
_ORG_FORMS = {
    "insurer": ("BKK {city}", "Betriebskrankenkasse {name}", "IKK {city}-Land", "KK {city}"),
    "company": ("{name} GmbH", "{name} & Söhne KG", "Stadtwerke {city}", "{name} Logistik GmbH"),
    "care": ("Pflegedienst {name}", "Sozialstation St. {saint}", "Seniorenresidenz {city}",
             "Wohnstift {saint}"),
    "hospital": HOSPITAL_FORMS,
}  # fmt: skip


def fit_length(text: str, length: int) -> str:
    """``text`` cut or right-padded with spaces to exactly ``length`` characters."""
    return text[:length].ljust(length)


class SurrogateGenerator:
    """Consistent, shape-keeping fake values for one document or one run."""

    def __init__(self, seed: int | str = 0, keep_length: bool = False):
        self.rng = random.Random(f"surrogates-{seed}")
        self.keep_length = keep_length
        self.day_shift = dt.timedelta(days=self.rng.choice([*range(-180, -6), *range(7, 181)]))
        self._memory: dict[tuple[str, str], str] = {}
        self._name_parts: dict[str, str] = {}

    def surrogate(self, entity_type: str, original: str) -> str:
        """The surrogate for ``original``; the same one every time within this generator."""
        key = (entity_type, original)
        if key not in self._memory:
            maker = _MAKERS.get(entity_type, SurrogateGenerator._shape)
            value = maker(self, original)
            self._memory[key] = fit_length(value, len(original)) if self.keep_length else value
        return self._memory[key]

    # -- helpers --------------------------------------------------------------------
    def _pick(self, pool: tuple[str, ...], like: str) -> str:
        """A pool entry different from ``like``; of the same length when keeping length."""
        candidates = [p for p in pool if p != like] or list(pool)
        if self.keep_length:
            candidates = [p for p in candidates if len(p) == len(like)] or candidates
        return self.rng.choice(candidates)

    def _shape(self, original: str) -> str:
        """Same layout, new characters: digits for digits, letters for letters."""
        out = []
        for ch in original:
            if ch.isdigit():
                out.append(self.rng.choice(string.digits))
            elif ch.isalpha():
                letters = string.ascii_uppercase if ch.isupper() else string.ascii_lowercase
                out.append(self.rng.choice(letters))
            else:
                out.append(ch)
        return "".join(out)

    # -- makers per entity type -----------------------------------------------------
    def _person(self, original: str) -> str:
        """Replace every name part; the last part is a surname, earlier ones first names.

        Parts are remembered on their own, so a surname keeps its surrogate whether it
        appears alone ("Herr Vogel") or after a first name ("Thomas Vogel").
        """
        parts = list(_NAME_PART.finditer(original))
        out, position = [], 0
        for i, part in enumerate(parts):
            word = part.group()
            if word not in self._name_parts:
                pool = _LAST_NAMES if i == len(parts) - 1 else _FIRST_NAMES
                self._name_parts[word] = self._pick(pool, word)
            out += [original[position : part.start()], self._name_parts[word]]
            position = part.end()
        return "".join(out) + original[position:]

    def _date(self, original: str) -> str:
        """The date shifted by this generator's offset, written in the original's style.

        When the length must be kept, the shift is nudged by a few days until the
        written date is as long as the original ("3. Mai" -> "9. Juni", not "13. Juni").
        """
        original = readable_date(original)
        parsed = dates.parse_german_date(original)
        if parsed is None:
            return dates.shift_date_parts(original, self.day_shift)
        # 0, 1, -1, 2, -2, ...: a year's worth of days reaches every month-name length.
        nudges = [n * sign for n in range(1, 370) for sign in (1, -1)] if self.keep_length else []
        for nudge in [0, *nudges]:
            text = dates.reformat_like(original, parsed[1] + self.day_shift + dt.timedelta(nudge))
            if len(text) == len(original) or not self.keep_length:
                return text
        return text

    def _age(self, original: str) -> str:
        """Ages over 89 become '90' (HIPAA Safe Harbor groups them as 90 or older);
        younger ages (age policy "all") move by up to two years, never below 0."""
        age = int(original) if original.isdigit() else 90
        if age > 89:
            return "90"
        return str(max(0, age + self.rng.choice((-2, -1, 1, 2))))

    def _location(self, original: str) -> str:
        """A fake street with the original's house-number shape, or a fake town."""
        street = _STREET.match(original)
        if street and street.group("name"):
            name = self._pick(_STREET_NAMES, street.group("name"))
            return name + self._shape(street.group("number"))
        return self._pick(_CITIES, original)

    def _organization(self, original: str) -> str:
        """A fake organisation of the same kind: insurer, company, care service or hospital."""
        kind = next((k for k, pattern in _ORG_KINDS if pattern.search(original)), "hospital")
        form = self.rng.choice(_ORG_FORMS[kind])
        return form.format(city=self.rng.choice(_CITIES), saint=self.rng.choice(SAINTS),
                           name=self.rng.choice(_LAST_NAMES))  # fmt: skip

    def _rvnr(self, original: str) -> str:
        """A new Rentenversicherungsnummer with a valid check digit."""
        return checksums.make_rvnr(self.rng)

    def _email(self, original: str) -> str:
        """first.last@example.de: a reserved domain, so the fake address reaches no one.

        Keeping the length, the local part is cut or filled so the domain stays whole.
        """
        first, last = self.rng.choice(_FIRST_NAMES), self.rng.choice(_LAST_NAMES)
        local, domain = f"{ascii_fold(first)}.{ascii_fold(last)}", "@example.de"
        if self.keep_length and len(original) > len(domain):
            size = len(original) - len(domain)
            local = local[:size] + "".join(self.rng.choices(string.ascii_lowercase, k=size))
            local = local[:size]
        return local + domain

    def _url(self, original: str) -> str:
        """www.example-<n>.de: a reserved name, so the fake address leads nowhere."""
        scheme = original.split("www.")[0] if "www." in original else ""
        return f"{scheme}www.example-{self.rng.randint(1, 999)}.de"

    def _phone(self, original: str) -> str:
        """New digits in the original layout; '+49' and the trunk '0' stay as they are."""
        head = re.match(r"^(\+49\s?(?:\(0\))?|\(?0)", original)
        cut = head.end() if head else 0
        rest = self._shape(original[cut:])
        if rest.startswith("0"):  # "00..." after the trunk prefix is no German number
            rest = self.rng.choice("123456789") + rest[1:]
        return original[:cut] + rest

    def _kvnr(self, original: str) -> str:
        """A new KVNR with a valid check digit."""
        return checksums.make_kvnr(self.rng)

    def _lanr(self, original: str) -> str:
        """A new LANR with a valid check digit."""
        return checksums.make_lanr(self.rng)

    def _bsnr(self, original: str) -> str:
        """A new BSNR with a real KV region code."""
        return checksums.make_bsnr(self.rng)

    def _iban(self, original: str) -> str:
        """A new valid German IBAN, grouped like the original."""
        if not original.upper().startswith("DE") or len(original.replace(" ", "")) != 22:
            return self._shape(original)
        compact = checksums.make_german_iban(self.rng)
        return checksums.group_iban(compact) if " " in original else compact


_MAKERS = {
    "PERSON": SurrogateGenerator._person,
    "DATE": SurrogateGenerator._date,
    "AGE": SurrogateGenerator._age,
    "LOCATION": SurrogateGenerator._location,
    "ORGANIZATION": SurrogateGenerator._organization,
    "EMAIL_ADDRESS": SurrogateGenerator._email,
    "URL": SurrogateGenerator._url,
    "PHONE_NUMBER": SurrogateGenerator._phone,
    "DE_HEALTH_INSURANCE": SurrogateGenerator._kvnr,
    "DE_LANR": SurrogateGenerator._lanr,
    "DE_BSNR": SurrogateGenerator._bsnr,
    "IBAN_CODE": SurrogateGenerator._iban,
    "DE_RVNR": SurrogateGenerator._rvnr,
    # CASE_NUMBER, DE_PLZ, WARD: same layout, new digits and letters.
}
