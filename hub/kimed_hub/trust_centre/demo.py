"""Generated demo holders for the trust centre: persons seen by two or more data holders,
with a known overlap and the errors real registrations have (typos in names, swapped or
mistyped birth dates, a move to another postcode).

    holders = generate_holders(["klinikum-a", "praxisnetz-b"], persons=1000, overlap=0.4)

Each :class:`HolderData` has the holder's identifying data (IDAT: holder-local patient id,
names, birth date, sex, postcode), its medical data (MDAT: the same local id and clinical
values, no identifier) and the ground truth (local id -> person). Everything is
fictional and drawn from a seeded generator, so a seed gives the same data every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .identifiers import BIRTH_DATE, FAMILY_NAME, GIVEN_NAME, LOCAL_ID, POSTCODE, SEX

_GIVEN = {
    "f": "Anna Marie Sophie Emma Mia Hannah Lena Lea Laura Julia Sarah Lisa Katharina Johanna "
    "Clara Luisa Paula Charlotte Greta Frieda Ida Martha Helga Ingrid Ursula Renate Monika "
    "Brigitte Sabine Petra Andrea Claudia Susanne Birgit Heike Kerstin Anja Silke Ute Karin "
    "Elke Gisela Erika Christa Doris Edith Heidi Jutta Margit Regina",
    "m": "Lukas Leon Paul Jonas Felix Maximilian Elias Noah Ben Finn Luca Moritz Jakob Emil "
    "Anton Karl Friedrich Wilhelm Heinrich Hans Peter Klaus Jürgen Wolfgang Dieter Uwe Frank "
    "Thomas Michael Andreas Stefan Matthias Markus Torsten Holger Jens Sven Dirk Ralf Bernd "
    "Günter Horst Werner Manfred Gerd Rolf Volker Lutz Steffen Rainer",
}
_STEMS = (
    "Müll Schmi Schneid Fisch Web Mey Wagn Beck Schulz Hoff Koch Richt Klei Wolf Schröd "
    "Neum Schwarz Zimmer Braun Krüg Hof Hart Lang Werner Schmitt Krau Mei Lehm Schmid Köhl "
    "Herr König Walt Mai Hub Kais Fuchs Peter Lang Scholz Möll Weiß Jung Hahn Vogel Friedr "
    "Keller Günth Frank Berg Roth Beck Lorenz Baum Kühn Pohl Engel Horn Busch Voigt Sauer "
    "Arnold Thiel Ernst Seidel Brand Graf Dietr Kraus Ludwig Böhm Winkl Schuster Jäger"
).split()
_ENDS = ("er", "mann", "el", "ke", "ner", "ert", "ig", "inger", "hardt", "stein", "", "ler")
#: Saxon postcodes (01xxx-09xxx): the demo's catchment area.
_POSTCODES = np.arange(1067, 9669)


@dataclass
class HolderData:
    """One holder's share of the generated population."""

    holder: str
    idat: pd.DataFrame  # local id + identifying fields, as the holder registered them
    mdat: pd.DataFrame  # local id + clinical values (no identifier but the local id)
    truth: dict[str, int]  # local id -> the person's number (the ground truth)


def _people(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """``n`` fictional persons with clean identifying data."""
    sex = rng.choice(["f", "m"], n)
    given = np.array([rng.choice(_GIVEN[s].split()) for s in sex])
    family = np.char.add(rng.choice(_STEMS, n), rng.choice(_ENDS, n))
    born = pd.Timestamp("1930-01-01") + pd.to_timedelta(rng.integers(0, 365 * 75, n), unit="D")
    postcode = np.char.zfill(rng.choice(_POSTCODES, n).astype(str), 5)
    return pd.DataFrame(
        {
            GIVEN_NAME: given,
            FAMILY_NAME: family,
            BIRTH_DATE: pd.Series(born).dt.strftime("%Y-%m-%d"),
            SEX: sex,
            POSTCODE: postcode,
        }
    )


def typo(rng: np.random.Generator, word: str) -> str:
    """One keying error: a letter substituted, dropped, doubled, or two swapped."""
    if len(word) < 3:
        return word + "e"
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        return word[:i] + str(rng.choice(list("aeinrstlu"))) + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def date_error(rng: np.random.Generator, iso: str) -> str:
    """A birth date as mistyped: day and month swapped, or one digit of the day or year off."""
    day = date.fromisoformat(iso)
    kind = int(rng.integers(3))
    if kind == 0 and day.day <= 12 and day.day != day.month:
        return day.replace(month=day.day, day=day.month).isoformat()
    if kind == 1:
        return (day + timedelta(days=int(rng.choice([-10, -1, 1, 10])))).isoformat()
    year = day.year + int(rng.choice([-10, -1, 1, 10]))
    return day.replace(year=year, day=min(day.day, 28)).isoformat()


@dataclass(frozen=True)
class Errors:
    """How often a holder's registration differs from the person's true data."""

    name: float = 0.1  # a typo in the given or family name
    birth_date: float = 0.05
    postcode: float = 0.05  # moved since


def _registered(rng, people: pd.DataFrame, errors: Errors) -> pd.DataFrame:
    """The persons as one holder registered them, errors included."""
    out = people.copy()
    for column in (GIVEN_NAME, FAMILY_NAME):
        hit = rng.random(len(out)) < errors.name / 2
        out.loc[hit, column] = [typo(rng, w) for w in out.loc[hit, column]]
    hit = rng.random(len(out)) < errors.birth_date
    out.loc[hit, BIRTH_DATE] = [date_error(rng, d) for d in out.loc[hit, BIRTH_DATE]]
    hit = rng.random(len(out)) < errors.postcode
    if hit.any():
        moved = rng.choice(_POSTCODES, int(hit.sum())).astype(str)
        out.loc[hit, POSTCODE] = np.char.zfill(moved, 5)
    return out


def _mdat(rng, holder: str, ids: np.ndarray) -> pd.DataFrame:
    """Clinical values without identifiers: a diagnosis code and a lab value per patient."""
    codes = np.array(["E11.9", "I10", "J45.9", "C34.1", "N18.3", "I25.1", "E78.0"])
    return pd.DataFrame(
        {
            LOCAL_ID: ids,
            "diagnosis": rng.choice(codes, len(ids)),
            "hba1c_percent": np.round(rng.normal(6.5, 1.2, len(ids)), 1),
            "visits": rng.integers(1, 30, len(ids)),
            "source": holder,
        }
    )


def generate_holders(
    holders: list[str], persons: int, overlap: float, seed: int = 0, errors: Errors = Errors()
) -> list[HolderData]:
    """``persons`` per holder, of whom a share ``overlap`` is seen by every holder; the
    rest only by one. Local ids are the holder's own (a prefix and a shuffled number)."""
    rng = np.random.default_rng(seed)
    shared = int(persons * overlap)
    population = _people(rng, shared + (persons - shared) * len(holders))
    result = []
    for index, holder in enumerate(holders):
        own = shared + (persons - shared) * index + np.arange(persons - shared)
        members = np.concatenate([np.arange(shared), own])
        rng.shuffle(members)
        ids = np.array(
            [f"{holder[:2].upper()}-{n:07d}" for n in rng.choice(10**7, persons, replace=False)]
        )
        idat = _registered(rng, population.iloc[members].reset_index(drop=True), errors)
        idat.insert(0, LOCAL_ID, ids)
        truth = dict(zip(ids.tolist(), members.tolist(), strict=True))
        result.append(HolderData(holder, idat, _mdat(rng, holder, ids), truth))
    return result


def true_pairs(a: HolderData, b: HolderData) -> set[tuple[str, str]]:
    """The (local id in a, local id in b) pairs that are the same person."""
    back = {person: local for local, person in b.truth.items()}
    return {(local, back[p]) for local, p in a.truth.items() if p in back}
