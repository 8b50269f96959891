"""Broad consent: the filtered view holds exactly the consenting patients; withdrawals count.

Expectations come from the generator's ground truth (``ConsentFacts.permits``), worked out
on what the simulation decided, not on the Consent resources the filter reads. What this
does not prove: the mount of a real spawned server (the spawner's integration test does).
"""

from __future__ import annotations

import os
from datetime import date, timedelta

import pyarrow.parquet as pq
import pytest

from kimed_demos.phenotype.codes import MDAT_STORE, MDAT_USE
from kimed_hub.interop.consent import consented_view
from kimed_hub.interop.consent_mount import ConsentPolicyMissing, consent_mount
from kimed_hub.interop.synth_consent import ConsentFacts

REQUIRED = [MDAT_STORE, MDAT_USE]


def _facts(entry: dict) -> ConsentFacts:
    c = entry["consent"]
    day = lambda text: date.fromisoformat(text) if text else None  # noqa: E731
    ends = {k: date.fromisoformat(v) for k, v in c["ends"].items()}
    return ConsentFacts(day(c["signed"]), set(c["denied"]), day(c["withdrawn"]), ends)


def _expected(truth, on, as_of):
    return {p["id"] for p in truth["patients"] if _facts(p).permits(REQUIRED, on, as_of)}


@pytest.mark.parametrize(
    "on,as_of", [(date(2020, 1, 1), date(2020, 1, 1)), (date(2022, 7, 1), date(2025, 6, 30))]
)
def test_view_holds_exactly_the_consenting_patients(imported, truth, tmp_path, on, as_of):
    counts = consented_view(imported.folder, REQUIRED, on, tmp_path / "view", as_of=as_of)
    kept = set(pq.read_table(tmp_path / "view" / "patient.parquet")["patient_id"].to_pylist())
    assert kept == _expected(truth, on, as_of)
    assert counts.patients_permitted == len(kept) and counts.patients_total == 200
    assert sum(counts.excluded.values()) == 200 - len(kept)
    for name in ("observation", "condition", "consent"):
        ids = set(pq.read_table(tmp_path / "view" / f"{name}.parquet")["patient_id"].to_pylist())
        assert ids <= kept
    assert all(
        not os.access(p, os.W_OK) or os.geteuid() == 0 for p in (tmp_path / "view").iterdir()
    )
    assert oct((tmp_path / "view" / "patient.parquet").stat().st_mode & 0o777) == "0o444"


def test_a_withdrawal_after_the_grant_start_removes_the_patient(imported, truth, tmp_path):
    withdrawn = [
        p
        for p in truth["patients"]
        if p["consent"]["withdrawn"] and not set(REQUIRED) & set(p["consent"]["denied"])
    ]
    assert withdrawn, "the generated data should hold withdrawals"
    entry = withdrawn[0]
    grant_start = date.fromisoformat(entry["consent"]["signed"])
    withdrawal = date.fromisoformat(entry["consent"]["withdrawn"])
    assert grant_start < withdrawal

    def kept(name, as_of):
        counts = consented_view(
            imported.folder, REQUIRED, grant_start, tmp_path / name, as_of=as_of
        )
        table = pq.read_table(tmp_path / name / "patient.parquet")
        return set(table["patient_id"].to_pylist()), counts

    before, counts_before = kept("spawn-before", withdrawal - timedelta(days=1))
    after, counts_after = kept("spawn-after", withdrawal)
    assert entry["id"] in before and entry["id"] not in after
    assert counts_after.excluded["withdrawn"] > counts_before.excluded["withdrawn"]


def test_same_view_is_reused(imported, tmp_path):
    first = consented_view(
        imported.folder, REQUIRED, date(2021, 1, 1), tmp_path / "v", as_of=date(2022, 1, 1)
    )
    stamp = (tmp_path / "v" / "patient.parquet").stat().st_mtime_ns
    again = consented_view(
        imported.folder, REQUIRED, date(2021, 1, 1), tmp_path / "v", as_of=date(2022, 1, 1)
    )
    assert again == first and (tmp_path / "v" / "patient.parquet").stat().st_mtime_ns == stamp


def test_mount_needs_the_reviewed_policy(imported, tmp_path):
    with pytest.raises(ConsentPolicyMissing, match="names no consent policy codes"):
        consent_mount("mii-test", imported.folder, date(2021, 1, 1), tmp_path / "views")
    policies = tmp_path / "policies"
    (policies / "schemas").mkdir(parents=True)
    from kimed_hub.paths import policies_dir

    real = policies_dir()
    (policies / "schemas" / "mii-consent.schema.json").write_bytes(
        (real / "schemas" / "mii-consent.schema.json").read_bytes()
    )
    (policies / "mii-consent.yaml").write_text(
        f"version: 1\ndatasets:\n  mii-test:\n    required: ['{MDAT_USE}']\n"
    )
    path, counts = consent_mount(
        "mii-test",
        imported.folder,
        date(2021, 1, 1),
        tmp_path / "views",
        today=date(2022, 1, 1),
        policies=policies,
    )
    assert path.parent == tmp_path / "views" / "mii-test" and counts.patients_permitted > 0
    plain = tmp_path / "plain"
    plain.mkdir()
    assert consent_mount("plain", plain, date(2021, 1, 1), tmp_path / "views") == (plain, None)
