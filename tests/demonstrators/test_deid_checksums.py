"""Check digits of KVNR, LANR and IBAN against published examples and presidio."""

import random

import pytest
from presidio_analyzer.predefined_recognizers import DeHealthInsuranceRecognizer, DeLanrRecognizer

from kimed_demos.deid import checksums


def test_kvnr_published_example_and_wrong_check_digit():
    # A000500015 is the example of § 290 SGB V, Anlage 1.
    assert checksums.is_valid_kvnr("A000500015")
    assert not checksums.is_valid_kvnr("A000500016")
    assert not checksums.is_valid_kvnr("a000500015")
    assert not checksums.is_valid_kvnr("A00050001")


def test_lanr_worked_example():
    # KBV rule: digits 123456 -> weighted sum 144 -> check digit 6.
    assert checksums.lanr_check_digit("123456") == 6
    assert checksums.is_valid_lanr("123456601")
    assert not checksums.is_valid_lanr("123456701")


@pytest.mark.parametrize(
    ("iban", "valid"),
    [("DE89 3704 0044 0532 0130 00", True), ("DE89370400440532013000", True),
     ("DE89 3704 0044 0532 0130 01", False), ("GB82 WEST 1234 5698 7654 32", True)],
)  # fmt: skip
def test_iban_mod97(iban, valid):
    assert checksums.is_valid_iban(iban) is valid


def test_generated_identifiers_are_valid_and_agree_with_presidio():
    rng = random.Random(0)
    kvnr_rec, lanr_rec = DeHealthInsuranceRecognizer(), DeLanrRecognizer()
    for _ in range(300):
        kvnr, lanr = checksums.make_kvnr(rng), checksums.make_lanr(rng)
        assert checksums.is_valid_kvnr(kvnr) and kvnr_rec.validate_result(kvnr)
        assert checksums.is_valid_lanr(lanr) and lanr_rec.validate_result(lanr)
        wrong = kvnr[:9] + str((int(kvnr[9]) + 1) % 10)
        assert not checksums.is_valid_kvnr(wrong) and not kvnr_rec.validate_result(wrong)
        assert checksums.is_valid_iban(checksums.make_german_iban(rng))
        assert checksums.make_bsnr(rng)[:2] in checksums.KV_REGION_CODES
