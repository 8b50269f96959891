"""The trust centre's folder: private, nothing made by reading, deliveries replaced whole."""

from __future__ import annotations

import stat

import pandas as pd
import pytest

from kimed_hub.errors import BadInput, NotFound
from kimed_hub.trust_centre.store import TrustCentreStore

IDAT = pd.DataFrame(
    {"pid": ["A-1", "A-2"], "given_name": ["Anna", "Ben"], "birth_date": ["1970-01-02"] * 2}
)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_reading_creates_nothing_and_writing_is_private(tmp_path):
    files = TrustCentreStore(tmp_path / "tc")
    assert files.deliveries() == {} and files.kind("ds") is None
    with pytest.raises(NotFound):
        files.project("AR-1")
    assert not (tmp_path / "tc").exists()
    assert files.deliver_clear("ds", IDAT, id_column="pid") == 2
    key = files.key()
    assert len(key) == 32 and files.key() == key  # made once, then kept
    assert _mode(files.root) == _mode(files.root / "deliveries") == 0o700
    assert _mode(files.root / "key") == _mode(files.root / "deliveries" / "ds.idat.csv") == 0o600
    assert list(files.clear("ds").columns) == ["patient_id", "given_name", "birth_date"]
    assert files.deliveries() == {"ds": "clear"}


@pytest.mark.parametrize(
    "idat, message",
    [
        (IDAT.drop(columns="pid"), "no 'pid' column"),
        (IDAT[["pid"]], "none of the fields"),
        (pd.concat([IDAT, IDAT]), "repeats a local id"),
    ],
)
def test_a_bad_delivery_is_refused_and_the_old_one_stays(tmp_path, idat, message):
    files = TrustCentreStore(tmp_path / "tc")
    files.deliver_clear("ds", IDAT, id_column="pid")
    with pytest.raises(BadInput, match=message):
        files.deliver_clear("ds", idat, id_column="pid")
    assert files.clear("ds")["patient_id"].tolist() == ["A-1", "A-2"]


@pytest.mark.parametrize("name", ["", "../x", ".linked"])
def test_dataset_names_cannot_leave_the_folder(tmp_path, name):
    with pytest.raises(BadInput, match="not a dataset identifier"):
        TrustCentreStore(tmp_path / "tc").kind(name)
