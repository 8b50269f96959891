"""A planted leak: "synthetic" rows that ARE the real training rows, shuffled.

Not a synthesis method. It exists so that tests can prove, through the real job
container and the real command line, that the privacy measurements catch a table that
copies real people (it must end with exit code 3). The reviewed schema
(policies/schemas/synthesis.schema.json) does not list ``planted_leak`` among the
methods, and the schema forbids unlisted methods, so only a test's own copy of the policy
and schema can select it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..tables import TableInfo


@dataclass
class CopyingModel:
    """Hands out the training rows (with replacement only when more rows are asked for)."""

    train: pd.DataFrame

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        """``n`` training rows in a shuffled order."""
        replace = n > len(self.train)
        return self.train.sample(n=n, replace=replace, random_state=seed).reset_index(drop=True)


def fit(train: pd.DataFrame, info: TableInfo, settings: dict, seed: int) -> CopyingModel:
    """Keep the training rows."""
    return CopyingModel(train)
