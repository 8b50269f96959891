"""A planted leak, for tests only: the "synthetic" rows are the real training rows.

It exists so that a test can prove, in the real job container, that the privacy
measurements catch a method that copies people and that such a table is never offered
for release. The shipped policy schema (``policies/schemas/synthesis.schema.json``)
allowlists the methods and does not list ``planted_leak``, so no reviewed policy can
choose it; only a test's own copy of the schema and the policy does.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..tables import TableInfo


@dataclass
class CopyingModel:
    """Hands out the real training rows, shuffled."""

    train: pd.DataFrame

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        """``n`` real rows (with repeats when ``n`` exceeds the training rows)."""
        return self.train.sample(n=n, replace=n > len(self.train), random_state=seed).reset_index(
            drop=True
        )


def fit(train: pd.DataFrame, info: TableInfo, settings: dict, seed: int) -> CopyingModel:
    """The "model": the training rows themselves."""
    return CopyingModel(train)
