"""Linking two holders' Bloom-filter encodings at the trust centre (no clear identifiers).

    pairs = match_encodings(a, b, threshold=0.8)   # (index in a, index in b, Dice)

Comparing every filter with every other is 10^10 pairs for 10^5 x 10^5 records, so
candidates come from locality-sensitive hashing on the filters themselves (Hamming LSH):
each of ``bands`` bands samples ``bits`` fixed bit positions, and two records become a
candidate pair when they agree on every sampled bit of one band. Filters of the same
person agree on most bits, so some band almost always catches them; unrelated filters
agree on about half the bits and rarely on a whole band. Nothing but the filters is
needed, so holders reveal no blocking value (a birth year, a postcode) to the trust
centre. Candidates are scored by the Dice coefficient, 2|A∩B| / (|A| + |B|), kept at or
above ``threshold`` and assigned one to one (``matching.one_to_one``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BadInput
from .bloom import Encoding
from .matching import one_to_one


@dataclass(frozen=True)
class LshSettings:
    """The blocking: bands of sampled bits, and the largest bucket pair compared."""

    # Measured at 20,000 x 20,000 (docs/trust-centre.md): 40 bands of 22 bits gave four
    # times the candidates of 50 of 26, for the same share of true pairs among them.
    bands: int = 50
    bits: int = 26
    seed: int = 7
    #: Buckets whose pair count is larger than this are skipped: they hold filters that
    #: agree on the sampled bits by being nearly empty or nearly full, not by identity.
    max_bucket_pairs: int = 250_000


def compatible(a: Encoding, b: Encoding) -> None:
    """Refuse encodings that cannot be compared, saying why and what to do."""
    if a.check != b.check:
        raise BadInput(
            "the two deliveries were encoded with different secrets (key check values "
            f"{a.check} and {b.check}); the holders must agree on one linkage secret and "
            "encode again"
        )
    if a.settings != b.settings:
        raise BadInput(
            "the two deliveries were encoded with different settings; the holders must "
            "use the same fields, q-gram length, hash counts and filter length"
        )


def _band_keys(bits: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """One integer per record: its bits (unpacked) at ``positions`` (at most 63)."""
    return bits[:, positions].astype(np.int64) @ (1 << np.arange(len(positions), dtype=np.int64))


def candidates(a: np.ndarray, b: np.ndarray, lsh: LshSettings) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (index in a, index in b) pairs that agree on some whole band."""
    rng = np.random.default_rng(lsh.seed)
    length = a.shape[1] * 8
    bits_a, bits_b = np.unpackbits(a, axis=1), np.unpackbits(b, axis=1)  # once: 1 byte a bit
    found = []
    for _ in range(lsh.bands):
        positions = rng.choice(length, lsh.bits, replace=False)
        keys = _band_keys(bits_a, positions), _band_keys(bits_b, positions)
        found.append(_band_pairs(*keys, lsh))
    pairs = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return pairs // len(b), pairs % len(b)


def _band_pairs(keys_a: np.ndarray, keys_b: np.ndarray, lsh: LshSettings) -> np.ndarray:
    """Pairs (as ``i * len(b) + j``) whose keys are equal, bucket by bucket."""
    order_b = np.argsort(keys_b, kind="stable")
    sorted_b = keys_b[order_b]
    start = np.searchsorted(sorted_b, keys_a, side="left")
    stop = np.searchsorted(sorted_b, keys_a, side="right")
    counts = stop - start
    _, inverse, per_key = np.unique(keys_a, return_inverse=True, return_counts=True)
    keep = (counts > 0) & (counts * per_key[inverse] <= lsh.max_bucket_pairs)
    rows = np.nonzero(keep)[0]
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    repeat = counts[rows]
    left = np.repeat(rows, repeat)
    offsets = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    right = order_b[np.repeat(start[rows], repeat) + offsets]
    return left.astype(np.int64) * len(keys_b) + right


def dice(a: np.ndarray, b: np.ndarray, left: np.ndarray, right: np.ndarray, chunk=500_000):
    """The Dice coefficient of filter pairs (``a[left]``, ``b[right]``), in chunks."""
    ones_a = np.bitwise_count(a).sum(axis=1, dtype=np.int64)
    ones_b = np.bitwise_count(b).sum(axis=1, dtype=np.int64)
    out = np.empty(len(left), dtype=np.float64)
    for begin in range(0, len(left), chunk):
        i, j = left[begin : begin + chunk], right[begin : begin + chunk]
        both = np.bitwise_count(a[i] & b[j]).sum(axis=1, dtype=np.int64)
        total = ones_a[i] + ones_b[j]
        out[begin : begin + chunk] = np.where(total > 0, 2 * both / np.maximum(total, 1), 0)
    return out


def match_encodings(
    a: Encoding, b: Encoding, threshold: float = 0.8, lsh: LshSettings | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The linked pairs of two deliveries: indices into ``a`` and ``b``, and their Dice."""
    compatible(a, b)
    left, right = candidates(a.filters, b.filters, lsh or LshSettings())
    score = dice(a.filters, b.filters, left, right)
    above = score >= threshold
    left, right, score = left[above], right[above], score[above]
    kept = one_to_one(left, right, score)
    return left[kept], right[kept], score[kept]
