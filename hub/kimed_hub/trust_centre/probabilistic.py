"""Probabilistic linkage of clear identifiers at the trust centre, with Splink.

    left, right, probability = link_clear(idat_a, idat_b, fields, threshold=0.9)

Splink (MIT, DuckDB backend, everything in-process: nothing is fetched) fits a
Fellegi-Sunter model: u-probabilities from random record pairs, m-probabilities by
expectation maximisation on two blockings (same birth date; same postcode), so no
labelled pairs are needed. Names are compared by Jaro-Winkler levels (a typo still
scores high), the birth date by Splink's date comparison (exact, one character off,
within a month or a year), sex and postcode exactly. Candidate pairs come from three
blockings (birth date; family name and postcode; given name and postcode) so a record
with one wrong field is still compared. Pairs at or above ``threshold`` match
probability are assigned one to one (``matching.one_to_one``).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..errors import BadInput
from .identifiers import BIRTH_DATE, FAMILY_NAME, GIVEN_NAME, LOCAL_ID, POSTCODE, SEX, normalised
from .matching import one_to_one

#: Blockings that generate candidate pairs, each a tuple of fields that must be equal.
BLOCKINGS = ((BIRTH_DATE,), (FAMILY_NAME, POSTCODE), (GIVEN_NAME, POSTCODE))
#: At least these fields must be delivered by both holders to link probabilistically.
REQUIRED = (GIVEN_NAME, FAMILY_NAME, BIRTH_DATE)


def _comparisons(fields: list[str]) -> list:
    import splink.comparison_library as cl

    made = {
        GIVEN_NAME: lambda: cl.JaroWinklerAtThresholds(GIVEN_NAME, [0.9, 0.8]),
        FAMILY_NAME: lambda: cl.JaroWinklerAtThresholds(FAMILY_NAME, [0.9, 0.8]),
        BIRTH_DATE: lambda: cl.DateOfBirthComparison(BIRTH_DATE, input_is_string=True),
        SEX: lambda: cl.ExactMatch(SEX),
        POSTCODE: lambda: cl.ExactMatch(POSTCODE),
    }
    return [made[field]() for field in fields]


def shared_fields(a: pd.DataFrame, b: pd.DataFrame, wanted: list[str]) -> list[str]:
    """The identifying fields both deliveries carry; refuse when the required ones are
    not among them (nothing to link on)."""
    fields = [f for f in wanted if f in a.columns and f in b.columns]
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        raise BadInput(
            f"the deliveries share no {', '.join(missing)}: probabilistic linkage needs "
            f"{', '.join(REQUIRED)} from every holder; ask the holders to deliver them"
        )
    return fields


def link_clear(
    a: pd.DataFrame, b: pd.DataFrame, wanted: list[str], threshold: float = 0.9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linked pairs of two clear deliveries: row indices into ``a`` and ``b`` and their
    match probabilities."""
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    fields = shared_fields(a, b, wanted)
    tables = [_prepared(frame, fields) for frame in (a, b)]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=_comparisons(fields),
        blocking_rules_to_generate_predictions=[
            block_on(*rule) for rule in BLOCKINGS if set(rule) <= set(fields)
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    api = DuckDBAPI()
    inputs = [api.register(t, dataset_display_name=n) for t, n in zip(tables, "ab", strict=True)]
    logging.getLogger("splink").setLevel(logging.WARNING)  # its training chatter
    linker = Linker(inputs, settings, log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (BIRTH_DATE, POSTCODE):
        if rule in fields:
            _em(linker, block_on(rule))
    found = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    return _oriented(found)


def _em(linker, blocking) -> None:
    """One EM round; on small deliveries a comparison level may never occur among the
    blocked pairs and EM cannot estimate it (Splink raises): its m-probabilities then
    stay at Splink's priors, which is logged."""
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(blocking)
    except ValueError as error:
        logging.getLogger("kimed.trust-centre").warning(
            "EM training skipped (%s); Splink's prior m-probabilities are used", error
        )


def _prepared(frame: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    """The normalised fields with the row number as Splink's unique id."""
    table = normalised(frame, fields).drop(columns=[LOCAL_ID])
    table.insert(0, "unique_id", np.arange(len(table)))
    return table.replace("", None)


def _oriented(found: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs as (row in a, row in b), one to one."""
    if found.empty:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    a_first = (found["source_dataset_l"] == "a").to_numpy()
    left = np.where(a_first, found["unique_id_l"], found["unique_id_r"]).astype(np.int64)
    right = np.where(a_first, found["unique_id_r"], found["unique_id_l"]).astype(np.int64)
    score = found["match_probability"].to_numpy(dtype=float)
    kept = one_to_one(left, right, score)
    return left[kept], right[kept], score[kept]
