"""Bloom-filter encodings at the holder: keyed, comparable, refused when incompatible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kimed_hub.errors import BadInput
from kimed_hub.trust_centre.bloom import Encoding, encode, key_check, qgrams
from kimed_hub.trust_centre.bloom_match import dice, match_encodings

KEY = b"k" * 32


def _idat(*rows) -> pd.DataFrame:
    columns = ["patient_id", "given_name", "family_name", "birth_date", "sex", "postcode"]
    return pd.DataFrame(rows, columns=columns)


PERSON = ("A-1", "Jürgen", "Müller", "1961-04-23", "m", "04109")


def _dice(one, two, secret=KEY) -> float:
    a, b = encode(_idat(one), secret), encode(_idat(two), secret)
    return float(dice(a.filters, b.filters, np.array([0]), np.array([0]))[0])


def test_qgrams_are_padded():
    assert qgrams("ab", 2) == ["_a", "ab", "b_"]
    assert qgrams("", 2) == []


def test_spelling_conventions_agree_and_typos_stay_close():
    assert _dice(PERSON, ("B-9", "JUERGEN", "MUELLER", "1961-04-23", "M", "04109")) == 1.0
    typo = _dice(PERSON, ("B-9", "Jürgen", "Müler", "1961-04-23", "m", "04109"))
    swapped = _dice(PERSON, ("B-9", "Jürgen", "Müller", "1961-23-04", "m", "04109"))
    other = _dice(PERSON, ("B-9", "Anna", "Schmidt", "1975-11-02", "f", "01067"))
    assert typo > 0.9 and swapped > 0.85
    assert other < 0.5


def test_the_secret_keys_the_encoding():
    one, two = encode(_idat(PERSON), KEY), encode(_idat(PERSON), b"x" * 32)
    assert not np.array_equal(one.filters, two.filters)
    assert one.check == key_check(KEY) != two.check
    assert KEY.decode() not in one.check


def test_deliveries_from_different_secrets_are_refused():
    one, two = encode(_idat(PERSON), KEY), encode(_idat(PERSON), b"x" * 32)
    with pytest.raises(BadInput, match="different secrets"):
        match_encodings(one, two)


@pytest.mark.parametrize(
    "idat, secret, message",
    [
        (_idat(PERSON), b"short", "at least 16 bytes"),
        (_idat(PERSON).drop(columns=["birth_date"]), KEY, "birth_date"),
    ],
)
def test_bad_input_to_the_encoder(idat, secret, message):
    with pytest.raises(BadInput, match=message):
        encode(idat, secret)


def test_a_delivery_round_trips_and_a_non_delivery_is_refused(tmp_path):
    encoding = encode(_idat(PERSON, ("A-2", "Anna", "Schmidt", "1975-11-02", "f", "01067")), KEY)
    encoding.save(tmp_path / "a.npz")
    back = Encoding.load(tmp_path / "a.npz")
    assert back.ids.tolist() == ["A-1", "A-2"] and back.check == encoding.check
    assert np.array_equal(back.filters, encoding.filters) and back.settings == encoding.settings
    (tmp_path / "b.npz").write_text("not an archive")
    with pytest.raises(BadInput, match="not a Bloom-filter delivery"):
        Encoding.load(tmp_path / "b.npz")
