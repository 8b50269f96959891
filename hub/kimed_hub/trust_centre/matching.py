"""What every linkage method shares: one-to-one assignment of scored candidate pairs,
clusters across more than two datasets, and quality against a known truth.

A holder registers a person once, so a record of one holder matches at most one record
of another: of the scored pairs above the threshold, the best is taken first and every
later pair that reuses one of its records is dropped (greedy one-to-one assignment; it
is what raises precision where common names give a record several near matches).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def one_to_one(left: np.ndarray, right: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Indices into the pair arrays of the kept pairs: best score first, each record of
    either side used once."""
    order = np.argsort(-score, kind="stable")
    used_left: set = set()
    used_right: set = set()
    kept = []
    for index in order.tolist():
        a, b = left[index], right[index]
        if a in used_left or b in used_right:
            continue
        used_left.add(a)
        used_right.add(b)
        kept.append(index)
    return np.array(kept, dtype=np.int64)


class Clusters:
    """Union-find over (dataset, local id) records: who is the same person."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}

    def add(self, record: tuple[str, str]) -> None:
        """A record that may stay alone."""
        self.parent.setdefault(record, record)

    def find(self, record: tuple[str, str]) -> tuple[str, str]:
        """The record that stands for ``record``'s cluster (the smallest, once joined)."""
        root = record
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[record] != root:  # path compression
            self.parent[record], record = root, self.parent[record]
        return root

    def join(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        """``a`` and ``b`` are the same person."""
        self.add(a)
        self.add(b)
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self.parent[high] = low

    def canonical(self) -> dict[tuple[str, str], tuple[str, str]]:
        """Record -> its cluster's representative, for every record added."""
        return {record: self.find(record) for record in self.parent}


@dataclass(frozen=True)
class Quality:
    """Linkage quality against the truth: precision, recall and F1 of the found pairs."""

    found: int
    true: int
    correct: int

    @property
    def precision(self) -> float:
        """Share of found pairs that are true (1.0 when none were found)."""
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        """Share of true pairs that were found."""
        return self.correct / self.true if self.true else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def quality(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> Quality:
    """How ``found`` pairs compare with the ``truth`` pairs."""
    return Quality(len(found), len(truth), len(found & truth))
