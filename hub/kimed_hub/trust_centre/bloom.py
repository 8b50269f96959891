"""Bloom-filter linkage keys (cryptographic long-term keys, CLKs), made by the holder.

Where a holder may not give identifiers even to the trust centre, it encodes them here,
on its own machine, with a secret shared among the holders and never given to the
trust centre (Schnell, Bachteler, Reiher 2009; the CLK variant of one filter per
record):

    encoding = encode(idat, secret, BloomSettings())
    encoding.save("klinikum-a.clk.npz")   # what the holder delivers

Each field's value is cut into padded q-grams ("_mu", "mue", ...), each prefixed with its
field's name so the same q-gram in two fields sets different bits; every q-gram sets
``k`` bits chosen by keyed double hashing, ``h1 + i*h2 mod length``, h1 and h2 from
HMAC-SHA256 under the secret. Similar names share most q-grams, so their filters share
most bits and the Dice coefficient of two filters estimates how alike the identifiers
are without revealing them. A key check value (the HMAC of a fixed text) travels with the
encoding, so the trust centre can tell that two holders used the same secret without
learning it. Known limits: frequent q-grams can be attacked by frequency analysis on
large filters; the secret, a filter of 1024 bits and several fields in one filter make
that harder but not impossible (docs/trust-centre.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import BadInput
from .identifiers import BIRTH_DATE, FAMILY_NAME, GIVEN_NAME, LOCAL_ID, POSTCODE, SEX, normalised

#: What the key check value is computed over (any fixed text would do; never data).
_CHECK_TEXT = b"kimed trust centre: key check"


@dataclass(frozen=True)
class BloomSettings:
    """How identifiers become one Bloom filter; all holders of a linkage use the same."""

    length: int = 1024  # bits per filter
    q: int = 2  # q-gram length
    #: bits each q-gram of a field sets: names weigh more than sex or postcode.
    hashes: dict[str, int] = field(
        default_factory=lambda: {
            GIVEN_NAME: 15,
            FAMILY_NAME: 15,
            BIRTH_DATE: 10,
            SEX: 5,
            POSTCODE: 8,
        }
    )

    @property
    def fields(self) -> list[str]:
        """The identifying fields encoded."""
        return list(self.hashes)


def key_check(secret: bytes) -> str:
    """A value that is equal for equal secrets and reveals nothing about the secret."""
    return hmac.new(secret, _CHECK_TEXT, hashlib.sha256).hexdigest()[:16]


def qgrams(value: str, q: int) -> list[str]:
    """The padded q-grams of ``value`` ("" has none)."""
    if not value:
        return []
    padded = "_" * (q - 1) + value + "_" * (q - 1)
    return [padded[i : i + q] for i in range(len(padded) - q + 1)]


def _tokens(column: str, value: str, q: int) -> list[str]:
    # A date contributes its q-grams and its three parts, so a swapped day and month
    # still agrees on the year and on most q-grams.
    grams = qgrams(value, q)
    if column == BIRTH_DATE and value.count("-") == 2:
        grams += ["y" + value[:4], "m" + value[5:7], "d" + value[8:10]]
    return [f"{column}:{gram}" for gram in grams]


class _Positions:
    """Bit positions per token under one secret, computed once per distinct token."""

    def __init__(self, secret: bytes, settings: BloomSettings):
        self.key1 = hmac.new(secret, b"h1", hashlib.sha256).digest()
        self.key2 = hmac.new(secret, b"h2", hashlib.sha256).digest()
        self.settings = settings
        self.cache: dict[str, np.ndarray] = {}

    def of(self, token: str, k: int) -> np.ndarray:
        """The ``k`` bit positions of ``token``."""
        found = self.cache.get(token)
        if found is None:
            data = token.encode()
            h1 = int.from_bytes(hmac.new(self.key1, data, hashlib.sha256).digest()[:8], "big")
            h2 = int.from_bytes(hmac.new(self.key2, data, hashlib.sha256).digest()[:8], "big")
            length = self.settings.length
            found = np.array([(h1 + i * (h2 | 1)) % length for i in range(k)], dtype=np.int64)
            self.cache[token] = found
        return found


def _value_bits(positions: _Positions, column: str, value: str, k: int) -> np.ndarray:
    """Every bit one field value sets."""
    tokens = _tokens(column, value, positions.settings.q)
    if not tokens:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([positions.of(token, k) for token in tokens])


@dataclass
class Encoding:
    """A holder's delivery: local ids and one packed filter per record, with settings."""

    ids: np.ndarray  # str, the holder-local patient ids
    filters: np.ndarray  # uint8, shape (records, length // 8)
    settings: BloomSettings
    check: str  # key_check of the secret used

    def save(self, path: Path) -> None:
        """Write the delivery as a NumPy archive (no pickled objects)."""
        meta = json.dumps({"settings": asdict(self.settings), "check": self.check})
        with Path(path).open("wb") as out:  # a file object: NumPy adds no ".npz"
            np.savez_compressed(out, ids=self.ids.astype(str), filters=self.filters, meta=meta)

    @classmethod
    def load(cls, path: Path) -> Encoding:
        """Read a delivery; a file that is not one is refused with what was wrong."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                ids, filters = data["ids"], data["filters"]
        except (OSError, KeyError, ValueError) as error:
            raise BadInput(
                f"{path} is not a Bloom-filter delivery (kimed trust-centre encode "
                f"writes one): {error}"
            ) from None
        settings = BloomSettings(**{k: v for k, v in meta["settings"].items()})
        return cls(ids, filters, settings, meta["check"])


def encode(idat: pd.DataFrame, secret: bytes, settings: BloomSettings | None = None) -> Encoding:
    """The holder's Bloom-filter encoding of ``idat`` (local id + identifying fields)."""
    settings = settings or BloomSettings()
    if len(secret) < 16:
        raise BadInput("the linkage secret must have at least 16 bytes (e.g. 32 random bytes)")
    missing = [f for f in [LOCAL_ID, *settings.fields] if f not in idat.columns]
    if missing:
        raise BadInput(f"the identifiers lack the column(s) {missing}; nothing was encoded")
    clean = normalised(idat, settings.fields)
    positions = _Positions(secret, settings)
    bits = np.zeros((len(clean), settings.length), dtype=bool)
    for column, k in settings.hashes.items():
        # Values repeat (names, dates, postcodes): hash each distinct value once.
        codes, values = pd.factorize(clean[column])
        per_value = [_value_bits(positions, column, v, k) for v in values]
        rows = np.repeat(np.arange(len(codes)), [len(per_value[c]) for c in codes])
        if len(rows):
            bits[rows, np.concatenate([per_value[c] for c in codes])] = True
    return Encoding(
        clean[LOCAL_ID].to_numpy(dtype=str), np.packbits(bits, axis=1), settings, key_check(secret)
    )
