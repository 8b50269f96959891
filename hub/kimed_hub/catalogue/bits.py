"""Sets of dataset primary keys as bitsets (Python ints: bit ``pk`` set means "in the set").

Python's arbitrary-precision integers give fast AND/OR/XOR and ``bit_count`` over
whole sets, which is what search needs for filters, facet counts and totals.
"""

from __future__ import annotations

from collections.abc import Iterable


def to_bits(pks: Iterable[int]) -> int:
    """A bitset (Python int, bit ``pk`` set) from primary keys."""
    found = list(pks)
    if not found:
        return 0
    buf = bytearray(max(found) // 8 + 1)
    for pk in found:
        buf[pk >> 3] |= 1 << (pk & 7)
    return int.from_bytes(buf, "little")


def members(bits: int) -> list[int]:
    """The primary keys in a bitset, ascending."""
    found = []
    for i, byte in enumerate(bits.to_bytes((bits.bit_length() + 7) // 8, "little")):
        while byte:
            low = byte & -byte
            found.append(i * 8 + low.bit_length() - 1)
            byte ^= low
    return found
