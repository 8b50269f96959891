"""The people, places and identifiers of one synthetic clinical document.

A :class:`Persona` draws, from one seeded ``random.Random``, everything a letter
mentions: the patient, three clinicians, the GP practice, the hospital, the dates of
the stay and the identifiers. Templates refer to these through slots (``{pat_last}``,
``{adm_date}``, ...); :meth:`Persona.fill` returns a slot's text as annotated segments
so that one document mentions the same patient consistently, as real letters do.
"""

from __future__ import annotations

import datetime as dt
import random
import string

from . import checksums, dates, wordlist
from .keeplist import keep_single_words

Segment = tuple[str, str | None]  # (text, entity type or None)

STREET_SUFFIXES = ("straße", "str.", "weg", "allee", "platz", "gasse", "ring", "damm")
STREET_PREFIXES = ("Am", "An der", "Auf dem", "Zur", "Zum", "Im")
STREET_ROOTS = (
    "Linden", "Goethe", "Schiller", "Bahnhof", "Berg", "Kirch", "Garten", "Wiesen",
    "Mühlen", "Rosen", "Birken", "Eichen", "Tal", "Schul", "Park", "Feld", "Ahorn",
)  # fmt: skip
PLACE_NOUNS = ("Weiher", "Anger", "Mühlbach", "Kirchberg", "Sonnenhang", "Schlossgarten")
HOSPITAL_FORMS = (
    "Klinikum {city}", "Universitätsklinikum {city}", "Kreiskrankenhaus {city}",
    "Städtisches Klinikum {city}", "St.-{saint}-Krankenhaus {city}",
    "Krankenhaus {saint} {city}", "Fachklinik {city}", "MVZ {city}", "Herzzentrum {city}",
)  # fmt: skip
CARE_HOME_FORMS = (
    "Seniorenzentrum {city}", "Pflegeheim St. {saint}", "Haus {saint} {city}",
    "Altenpflegeheim {city}", "Wohnstift {saint}",
)  # fmt: skip
SAINTS = ("Elisabeth", "Marien", "Josef", "Vinzenz", "Georg", "Martin", "Johannes")
DEPARTMENTS = (
    "Klinik für Innere Medizin", "Klinik für Kardiologie", "Klinik für Allgemeinchirurgie",
    "Klinik für Neurologie", "Klinik für Geriatrie", "Institut für Radiologie",
    "Klinik für Pneumologie", "Klinik für Unfallchirurgie und Orthopädie",
)  # fmt: skip
INSURERS = (
    "AOK Plus", "Techniker Krankenkasse", "Barmer", "DAK-Gesundheit", "IKK classic", "AOK Bayern",
    "BKK firmus", "Knappschaft", "KKH", "hkk", "Audi BKK", "AOK Nordost", "SBK",
)  # fmt: skip
# Employers and care services: organisations that letters name besides hospitals.
EMPLOYER_FORMS = (
    "{name} GmbH", "{name} & Partner", "Stadtwerke {city}", "{name} Bau GmbH", "Autohaus {name}",
    "Bäckerei {name}", "{name} Logistik AG", "Gemeindeverwaltung {city}", "Sparkasse {city}",
)  # fmt: skip
CARE_SERVICE_FORMS = (
    "Pflegedienst {name}", "Sozialstation {city}", "Diakoniestation {city}",
    "Ambulanter Pflegedienst {name}", "Caritas-Sozialstation {city}", "Tagespflege {name}",
)  # fmt: skip
ROLE_ABBREVIATIONS = ("OA", "OÄ", "Sr.", "Pfl.", "Schw.", "Dipl.-Psych.", "MFA", "FA", "CA")
NAME_PARTICLES = ("von", "van", "zu", "von der", "van den")
MAIL_HOSTS = ("gmx.de", "web.de", "t-online.de", "posteo.de", "mailbox.org")
TITLES = ("Dr. med.", "Dr. med.", "Dr.", "Prof. Dr. med.", "PD Dr. med.", "")
ROLES_M = ("Oberarzt", "Chefarzt", "Assistenzarzt", "Facharzt für Innere Medizin")
ROLES_F = ("Oberärztin", "Chefärztin", "Assistenzärztin", "Fachärztin für Innere Medizin")
DATE_STYLE_WEIGHTS = {
    "dd.mm.yyyy": 8,
    "d.m.yyyy": 2,
    "dd.mm.yy": 2,
    "d. Monat yyyy": 3,
    "d. Mon. yyyy": 1,
    "yyyy-mm-dd": 1,
}
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "-", ".": ""})


def ascii_fold(text: str) -> str:
    """Lower-case e-mail/host spelling of German words (ä -> ae, spaces -> hyphens)."""
    return text.lower().translate(_UMLAUTS)


class Person:
    """A named person: gender, first and last name, optional title."""

    def __init__(self, rng: random.Random, split: str, title: str | None = None):
        self.female = rng.random() < 0.5
        self.first = rng.choice(wordlist.first_names(split, self.female))
        self.last = rng.choice(wordlist.last_names(split))
        if rng.random() < 0.08:  # double-barrelled names occur, and must be one span
            self.last = f"{self.last}-{rng.choice(wordlist.last_names(split))}"
        elif rng.random() < 0.05:  # "von Hagen": the particle belongs to the surname span
            self.last = f"{rng.choice(NAME_PARTICLES)} {self.last}"
        self.title = rng.choice(TITLES) if title is None else title


class Persona:
    """Everything one document mentions, drawn once from a seeded generator."""

    def __init__(self, rng: random.Random, split: str):
        self.rng, self.split = rng, split
        self.patient = Person(rng, split, title="")
        self.relative = Person(rng, split, title="")
        self.doctors = [Person(rng, split) for _ in range(3)]
        self.gp = Person(rng, split, title="Dr. med.")
        self.admission = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(2900))
        self.discharge = self.admission + dt.timedelta(days=rng.randrange(1, 21))
        self.age = rng.randint(90, 104) if rng.random() < 0.25 else rng.randint(18, 89)
        self.birth = self.admission - dt.timedelta(days=365 * self.age + rng.randrange(1, 360))
        self.style = rng.choices(list(DATE_STYLE_WEIGHTS), list(DATE_STYLE_WEIGHTS.values()))[0]
        self.home = self._address()
        self.practice = self._address()
        self.hospital_city = rng.choice(wordlist.cities(split))
        self.hospital = self._org_name(HOSPITAL_FORMS)
        self.care_home = self._org_name(CARE_HOME_FORMS)
        self.employer = self._org_name(EMPLOYER_FORMS)
        self.care_service = self._org_name(CARE_SERVICE_FORMS)
        self.clinic_address = self._address(city=self.hospital_city)
        self.ids = self._identifiers()

    # -- drawing helpers -------------------------------------------------------------
    def _street(self) -> str:
        """A street with house number, in one of the common German shapes."""
        rng = self.rng
        number = f"{rng.randint(1, 180)}{rng.choice(['', '', '', 'a', 'b'])}"
        if rng.random() < 0.2:
            return f"{rng.choice(STREET_PREFIXES)} {rng.choice(PLACE_NOUNS)} {number}"
        root_pool = (*STREET_ROOTS, *wordlist.last_names(self.split)[:60])
        root = rng.choice(root_pool)
        return f"{root}{rng.choice(STREET_SUFFIXES)} {number}"

    def _address(self, city: str | None = None) -> dict[str, str]:
        """Street, postcode and city of one address."""
        return {
            "street": self._street(),
            "plz": f"{self.rng.randint(1067, 99998):05d}",
            "city": city or self.rng.choice(wordlist.cities(self.split)),
        }

    def _org_name(self, forms: tuple[str, ...]) -> str:
        """A hospital or care-home name from a common German pattern and the hospital's town."""
        form = self.rng.choice(forms)
        name = self.rng.choice(wordlist.last_names(self.split))
        return form.format(city=self.hospital_city, saint=self.rng.choice(SAINTS), name=name)

    def phone(self) -> str:
        """A German landline or mobile number in one of the usual spellings."""
        rng = self.rng
        area = rng.choice(["030", "089", "040", "0351", "0341", "0371", "03731", "0221"])
        local = "".join(rng.choices(string.digits, k=rng.randint(6, 8)))
        shapes = (
            f"{area} {local[:3]}-{local[3:]}",
            f"({area}) {local}",
            f"{area}/{local[:3]} {local[3:]}",
            f"+49 {area[1:]} {local}",
            f"+49 (0){area[1:]} {local[:3]} {local[3:]}",
            f"01{rng.choice('567')}{rng.randint(0, 9)} {local}",
        )
        return rng.choice(shapes)

    def _identifiers(self) -> dict[str, str]:
        """Case, admission, order and insurance numbers of this stay."""
        rng, year = self.rng, self.admission.year
        digits = lambda k: "".join(rng.choices(string.digits, k=k))  # noqa: E731
        iban = checksums.make_german_iban(rng)
        return {
            "case": rng.choice((f"{year}{digits(6)}", digits(8), f"F-{year}-{digits(5)}")),
            "adm": rng.choice((digits(7), f"{digits(3)}-{digits(4)}", f"A{digits(6)}")),
            "order": rng.choice((digits(9), f"{digits(2)}-{digits(6)}")),
            "pid": rng.choice((digits(8), f"P{digits(7)}")),
            "kvnr": checksums.make_kvnr(rng),
            "lanr": checksums.make_lanr(rng),
            "bsnr": checksums.make_bsnr(rng),
            "iban": checksums.group_iban(iban) if rng.random() < 0.7 else iban,
        }

    def date(self, day: dt.date, style: str | None = None) -> list[Segment]:
        """A date in this document's preferred style (or ``style``) as one DATE segment."""
        return [(dates.STYLE_BY_NAME[style or self.style].format(day), "DATE")]

    def date_in_stay(self) -> dt.date:
        """A day between admission and discharge."""
        return self.admission + dt.timedelta(
            days=self.rng.randrange((self.discharge - self.admission).days + 1)
        )

    def history_date(self) -> list[Segment]:
        """A past date as written in histories: 'März 2015', '05/19', '12.03.2015'."""
        day = self.admission - dt.timedelta(days=self.rng.randrange(60, 9000))
        style = self.rng.choice(("Monat yyyy", "mm/yy", "mm/yyyy", self.style))
        return self.date(day, style)

    # -- slots -----------------------------------------------------------------------
    def fill(self, slot: str) -> list[Segment]:
        """Annotated segments for a template slot; ValueError for an unknown slot."""
        handler = _SLOTS.get(slot)
        if handler is None:
            raise ValueError(f"unknown template slot {{{slot}}}; known: {sorted(_SLOTS)}")
        return handler(self)


def _person_slots(key: str, get) -> dict:
    """Slots {key}_full, _last, _first, _rev, _title, _hr, _hrn, _dear, _role of a person."""

    def role(p: Person) -> str:
        """The person's job title, stable per surname and in the right gender."""
        return (ROLES_F if p.female else ROLES_M)[hash_choice(p.last, 4)]

    return {
        f"{key}_full": lambda s: [(f"{get(s).first} {get(s).last}", "PERSON")],
        f"{key}_last": lambda s: [(get(s).last, "PERSON")],
        f"{key}_first": lambda s: [(get(s).first, "PERSON")],
        f"{key}_rev": lambda s: [(get(s).last, "PERSON"), (", ", None), (get(s).first, "PERSON")],
        # The title slot carries its own trailing space so that "{doc_a_title}{doc_a_full}"
        # reads well with and without a title.
        f"{key}_title": lambda s: [(f"{get(s).title} " if get(s).title else "", None)],
        f"{key}_hr": lambda s: [("Frau" if get(s).female else "Herr", None)],
        f"{key}_hrn": lambda s: [("Frau" if get(s).female else "Herrn", None)],
        f"{key}_dear": lambda s: [
            ("Sehr geehrte Frau" if get(s).female else "Sehr geehrter Herr", None)
        ],
        f"{key}_role": lambda s: [(role(get(s)), None)],
        f"{key}_init": lambda s: [(f"{get(s).first[0]}. {get(s).last}", "PERSON")],
        f"{key}_abbr": lambda s: [(s.rng.choice(ROLE_ABBREVIATIONS), None)],
        f"{key}_caps": lambda s: [
            (get(s).last.upper(), "PERSON"),
            (", ", None),
            (get(s).first.upper(), "PERSON"),
        ],
    }


def hash_choice(word: str, n: int) -> int:
    """A stable index in range(n) derived from a word (for per-person attributes)."""
    return sum(map(ord, word)) % n


def _address_slots(key: str, get) -> dict:
    """Slots {key}_street, _plz, _city for one address."""
    return {
        f"{key}_street": lambda s: [(get(s)["street"], "LOCATION")],
        f"{key}_plz": lambda s: [(get(s)["plz"], "DE_PLZ")],
        f"{key}_city": lambda s: [(get(s)["city"], "LOCATION")],
    }


def _id_slots() -> dict:
    """Slots for the identifiers, each with its entity type."""
    types = {
        "case": "CASE_NUMBER", "adm": "CASE_NUMBER", "order": "CASE_NUMBER",
        "pid": "CASE_NUMBER", "kvnr": "DE_HEALTH_INSURANCE", "lanr": "DE_LANR",
        "bsnr": "DE_BSNR", "iban": "IBAN_CODE",
    }  # fmt: skip
    return {k: (lambda s, k=k, t=t: [(s.ids[k], t)]) for k, t in types.items()}


def _day_month(day: dt.date) -> list[Segment]:
    """A date without a year, as in 'am 12. März'."""
    return [(f"{day.day}. {dates.MONTHS[day.month - 1]}", "DATE")]


def _org_slots() -> dict:
    """Hospital, care home, insurer, employer and care service of the document.

    Insurers, employers and care services identify as much as hospitals do (issue 11:
    the templates used to show insurers unannotated).
    """
    return {
        "hosp": lambda s: [(s.hospital, "ORGANIZATION")],
        "care_home": lambda s: [(s.care_home, "ORGANIZATION")],
        "insurer": lambda s: [(s.rng.choice(INSURERS), "ORGANIZATION")],
        "employer": lambda s: [(s.employer, "ORGANIZATION")],
        "care_service": lambda s: [(s.care_service, "ORGANIZATION")],
    }


def _misc_slots() -> dict:
    """Dates, ages, contacts, hospital, ward and the grammar helpers."""
    pat = lambda s: s.patient  # noqa: E731
    return {
        "adm_date": lambda s: s.date(s.admission),
        "dis_date": lambda s: s.date(s.discharge),
        "date": lambda s: s.date(s.date_in_stay()),
        "dob": lambda s: s.date(s.birth, s.rng.choice(("dd.mm.yyyy", "dd.mm.yyyy", s.style))),
        "hist_date": lambda s: s.history_date(),
        "day_month": lambda s: _day_month(s.date_in_stay()),
        "age": lambda s: [(str(s.age), "AGE" if s.age > 89 else None)],
        "pat_phone": lambda s: [(s.phone(), "PHONE_NUMBER")],
        "phone": lambda s: [(s.phone(), "PHONE_NUMBER")],
        "pat_email": lambda s: [
            (
                f"{ascii_fold(pat(s).first)}.{ascii_fold(pat(s).last)}@{s.rng.choice(MAIL_HOSTS)}",
                "EMAIL_ADDRESS",
            )
        ],
        "doc_email": lambda s: [
            (
                f"{ascii_fold(s.doctors[0].last)}@{ascii_fold(s.hospital.split()[0])}-{ascii_fold(s.hospital_city)}.de",
                "EMAIL_ADDRESS",
            )
        ],
        "ward": lambda s: [
            (s.rng.choice(("4B", "K3", "2a", "IMC 2", "7", "N12", "ITS 1", "C 3")), "WARD")
        ],
        "dept": lambda s: [(s.rng.choice(DEPARTMENTS), None)],
        "keep_term": lambda s: [(s.rng.choice(keep_single_words()), None)],
        "er_sie": lambda s: [("sie" if pat(s).female else "er", None)],
        "Er_Sie": lambda s: [("Sie" if pat(s).female else "Er", None)],
        "der_die": lambda s: [("die" if pat(s).female else "der", None)],
        "patient": lambda s: [("Patientin" if pat(s).female else "Patient", None)],
        "des_patienten": lambda s: [
            ("der Patientin Frau" if pat(s).female else "des Patienten Herrn", None)
        ],
        "ihre_patientin": lambda s: [
            ("Ihre Patientin" if pat(s).female else "Ihren Patienten", None)
        ],
        "noun": lambda s: [(s.rng.choice(wordlist.german_nouns(s.split)), None)],
        "noun_surname": lambda s: [(s.rng.choice(wordlist.NOUN_SURNAMES), None)],
        "clinical_noun": lambda s: [(s.rng.choice(wordlist.CLINICAL_NOUNS), None)],
        "med_term": lambda s: [(s.rng.choice(wordlist.medical_terms(s.split)), None)],
        "closing": lambda s: [(s.rng.choice(wordlist.CLOSINGS), None)],
        "hb": lambda s: [(f"{s.rng.uniform(7, 17):.1f}".replace(".", s.rng.choice(".,")), None)],
        "val": lambda s: [(f"{s.rng.uniform(0.1, 400):.{s.rng.randint(0, 2)}f}", None)],
        "rr": lambda s: [(f"{s.rng.randint(95, 190)}/{s.rng.randint(50, 110)}", None)],
        "dose": lambda s: [(str(s.rng.choice((1, 2.5, 5, 10, 20, 40, 100, 500))), None)],
    }


_SLOTS = {
    **_person_slots("pat", lambda s: s.patient),
    **_person_slots("rel", lambda s: s.relative),
    **_person_slots("doc_a", lambda s: s.doctors[0]),
    **_person_slots("doc_b", lambda s: s.doctors[1]),
    **_person_slots("doc_c", lambda s: s.doctors[2]),
    **_person_slots("gp", lambda s: s.gp),
    **_address_slots("home", lambda s: s.home),
    **_address_slots("prax", lambda s: s.practice),
    **_address_slots("clinic", lambda s: s.clinic_address),
    **_id_slots(),
    **_org_slots(),
    **_misc_slots(),
}
SLOT_NAMES = frozenset(_SLOTS)
