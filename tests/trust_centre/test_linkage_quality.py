"""Linkage quality on generated holders with a known overlap and typos in names and
birth dates (trust_centre.demo: 10 % of names, 5 % of birth dates, 5 % of postcodes
differ per holder), at the policy's thresholds. The floors below are below every figure
measured over five seeds at 1,000 x 1,000 records (docs/trust-centre.md, "Linkage
quality"): Bloom filters at Dice 0.85 gave precision 1.000 and recall 0.978-0.994;
Splink at probability 0.9 gave precision 1.000 and recall 0.976-0.990. The floors leave
room for the smaller samples here (600 per holder); a change that loses two points of
recall fails."""

from __future__ import annotations

import logging

import pytest

from kimed_hub.trust_centre.bloom import encode
from kimed_hub.trust_centre.bloom_match import match_encodings
from kimed_hub.trust_centre.demo import generate_holders, true_pairs
from kimed_hub.trust_centre.identifiers import IDAT_FIELDS
from kimed_hub.trust_centre.matching import quality
from kimed_hub.trust_centre.policy import trust_centre_policy
from kimed_hub.trust_centre.probabilistic import link_clear

KEY = b"holders-shared-secret-0123456789"
PERSONS, OVERLAP = 600, 0.5
BLOOM_FLOOR = {"precision": 0.99, "recall": 0.97}
SPLINK_FLOOR = {"precision": 0.99, "recall": 0.96}


def _check(q, floor):
    assert q.precision >= floor["precision"], q
    assert q.recall >= floor["recall"], q


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_bloom_filter_linkage_finds_the_overlap(seed):
    a, b = generate_holders(["klinikum-a", "praxisnetz-b"], PERSONS, OVERLAP, seed)
    ea, eb = encode(a.idat, KEY), encode(b.idat, KEY)
    threshold = trust_centre_policy().bloom_threshold
    left, right, score = match_encodings(ea, eb, threshold)
    assert (score >= threshold).all()
    found = {(ea.ids[i], eb.ids[j]) for i, j in zip(left, right, strict=True)}
    _check(quality(found, true_pairs(a, b)), BLOOM_FLOOR)


def test_probabilistic_linkage_of_clear_identifiers_finds_the_overlap():
    logging.getLogger("splink").setLevel(logging.ERROR)
    a, b = generate_holders(["klinikum-a", "praxisnetz-b"], PERSONS, OVERLAP, 21)
    threshold = trust_centre_policy().probabilistic_threshold
    left, right, _ = link_clear(a.idat, b.idat, list(IDAT_FIELDS), threshold)
    ids_a, ids_b = a.idat["patient_id"].to_numpy(), b.idat["patient_id"].to_numpy()
    found = {(ids_a[i], ids_b[j]) for i, j in zip(left, right, strict=True)}
    _check(quality(found, true_pairs(a, b)), SPLINK_FLOOR)


def test_without_errors_the_linkage_is_exact():
    from kimed_hub.trust_centre.demo import Errors

    a, b = generate_holders(["a", "b"], 300, 0.3, 3, errors=Errors(0, 0, 0))
    ea, eb = encode(a.idat, KEY), encode(b.idat, KEY)
    left, right, _ = match_encodings(ea, eb)
    found = {(ea.ids[i], eb.ids[j]) for i, j in zip(left, right, strict=True)}
    assert found == true_pairs(a, b)
