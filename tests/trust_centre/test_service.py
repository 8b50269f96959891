"""The trust centre's audited actions: linked tables with pseudonyms only, unlinkable
projects, refusals that write nothing, and re-identification for its staff only."""

from __future__ import annotations

import pandas as pd
import pytest

from kimed_hub.access import Actor
from kimed_hub.audit import verify_audit_log
from kimed_hub.errors import BadInput, NotFound, PermissionDenied
from kimed_hub.trust_centre import TRUSTEE
from kimed_hub.trust_centre.bloom import encode
from kimed_hub.trust_centre.demo import true_pairs
from kimed_hub.trust_centre.tables import IdentifierLeak, linked_folder
from tests.trust_centre.conftest import DATASETS, SECRET, make_demo

TRUSTEE_ACTOR = Actor.of("trustee", TRUSTEE)
IDENTIFIERS = ("patient_id", "given_name", "family_name", "birth_date", "sex", "postcode")


def _tables(demo, project) -> dict[str, pd.DataFrame]:
    folder = linked_folder(demo.root, project)
    return {d: pd.read_csv(folder / d / "patients.csv", dtype=str) for d in DATASETS}


def _identifier_values(demo) -> set[str]:
    values = set()
    for holder in demo.data:
        for column in IDENTIFIERS:
            values |= set(holder.idat[column].astype(str))
    return values - {"f", "m"}  # sex: one letter, also a word part; its column is checked


def test_linked_tables_carry_only_pseudonyms_linked_across_holders(demo):
    report = demo.centre.link_project("AR-000001", DATASETS, "steward")
    tables = _tables(demo, "AR-000001")
    forbidden = _identifier_values(demo)
    for table in tables.values():
        assert list(table.columns) == [
            "pseudonym",
            "diagnosis",
            "hba1c_percent",
            "visits",
            "source",
        ]
        for column in table.columns:  # every column, every value
            assert forbidden.isdisjoint(table[column]), column
    # The same person has the same pseudonym in both holders' tables.
    a, b = demo.data
    by_id = [dict(zip(h.mdat["patient_id"], t["pseudonym"], strict=True))
             for h, t in zip(demo.data, tables.values(), strict=True)]  # fmt: skip
    truth = true_pairs(a, b)
    shared = {(x, y) for x, y in truth if by_id[0][x] == by_id[1][y]}
    assert len(shared) >= 0.95 * len(truth)
    common = set(tables[DATASETS[0]]["pseudonym"]) & set(tables[DATASETS[1]]["pseudonym"])
    assert len(common) == report["pairs"][f"{DATASETS[0]}~{DATASETS[1]}"]
    events = [e.action for e in demo.store.audit_entries("request:AR-000001")]
    assert events == ["trust-centre.link", "trust-centre.pseudonyms"]
    assert verify_audit_log(demo.store).ok


def test_two_projects_get_unlinkable_pseudonyms(demo):
    demo.centre.link_project("AR-000001", DATASETS, "steward")
    demo.centre.link_project("AR-000002", DATASETS, "steward")
    one, two = _tables(demo, "AR-000001"), _tables(demo, "AR-000002")
    for dataset in DATASETS:
        assert set(one[dataset]["pseudonym"]).isdisjoint(two[dataset]["pseudonym"])
        # Same rows, same medical values: only the pseudonyms differ.
        assert one[dataset].drop(columns="pseudonym").equals(two[dataset].drop(columns="pseudonym"))


@pytest.mark.parametrize(
    "delivery, hidden",
    # Encoded deliveries give the trust centre only the holders' ids to look for; clear
    # ones also the names and birth dates.
    [("bloom", "patient_id"), ("clear", "family_name"), ("clear", "birth_date")],
)
def test_a_table_that_still_holds_an_identifier_stops_the_run_and_keeps_the_old(
    tmp_path, delivery, hidden
):
    demo = make_demo(tmp_path, secret=SECRET if delivery == "bloom" else None)
    demo.centre.link_project("AR-000001", DATASETS, "steward")
    before = _tables(demo, "AR-000001")
    source = demo.root / DATASETS[1] / "patients.csv"
    table = pd.read_csv(source, dtype=str)
    table["note"] = demo.data[1].idat[hidden].to_numpy()  # hidden in a free-text column
    table.to_csv(source, index=False)
    with pytest.raises(IdentifierLeak, match="column 'note'"):
        demo.centre.link_project("AR-000001", DATASETS, "steward")
    after = _tables(demo, "AR-000001")
    assert all(before[d].equals(after[d]) for d in DATASETS)
    leftovers = [p.name for p in (demo.root / ".linked").iterdir() if p.name != "AR-000001"]
    assert leftovers == []
    assert len(demo.store.audit_entries("request:AR-000001")) == 2  # the first run only
    demo.store.close()


@pytest.mark.parametrize("broken", ["missing", "mixed", "other-secret", "unknown-dataset"])
def test_a_request_that_cannot_be_linked_is_refused_before_anything_is_written(demo, broken):
    datasets = list(DATASETS)
    if broken == "missing":
        (demo.files.root / "deliveries" / f"{DATASETS[1]}.clk.npz").unlink()
        message = "holds no identifiers for linkage-demo-praxisnetz"
    elif broken == "mixed":
        demo.files.deliver_clear(DATASETS[1], demo.data[1].idat)
        message = "no shared key"
    elif broken == "other-secret":
        demo.files.deliver_encoded(DATASETS[1], encode(demo.data[1].idat, b"o" * 32))
        message = "different secrets"
    else:
        datasets.append("no-such-dataset")
        message = "no identifiers for no-such-dataset"
    with pytest.raises(BadInput, match=message):
        demo.centre.check_activation(datasets)
    with pytest.raises(BadInput, match=message):
        demo.centre.link_project("AR-000009", datasets, "steward")
    assert not (demo.root / ".linked").exists() or not any((demo.root / ".linked").iterdir())
    assert demo.store.audit_entries("request:AR-000009") == []


def test_clear_deliveries_without_a_shared_field_are_refused(tmp_path):
    made = make_demo(tmp_path, secret=None)
    made.files.deliver_clear(DATASETS[1], made.data[1].idat.drop(columns=["birth_date"]))
    with pytest.raises(BadInput, match="share no birth_date"):
        made.centre.check_activation(DATASETS)
    made.store.close()


def test_one_holder_needs_no_linkage(demo):
    assert not demo.centre.needs_linkage([DATASETS[0]])
    with pytest.raises(BadInput, match="one holder"):
        demo.centre.link_project("AR-000003", [DATASETS[0]], "steward")


def test_reidentification_for_trust_centre_staff_only_with_a_reason(demo):
    demo.centre.link_project("AR-000001", DATASETS, "steward")
    name = _tables(demo, "AR-000001")[DATASETS[0]]["pseudonym"].iloc[0]
    for outsider in (Actor.of("steward", "steward"), Actor.of("researcher", "applicant")):
        with pytest.raises(PermissionDenied):
            demo.centre.reidentify(outsider, "AR-000001", name, "a long enough reason here")
    for reason in ("", "   ", "too short"):
        with pytest.raises(BadInput, match="reason"):
            demo.centre.reidentify(TRUSTEE_ACTOR, "AR-000001", name, reason)
    with pytest.raises(NotFound):
        demo.centre.reidentify(TRUSTEE_ACTOR, "AR-000001", "PNOSUCHPSEUDONYM", "x" * 30)
    assert demo.store.audit_entries("request:AR-000001")[-1].action == "trust-centre.pseudonyms"
    records = demo.centre.reidentify(
        TRUSTEE_ACTOR, "AR-000001", name, "Incidental finding: the ethics board asked us"
    )
    first = demo.data[0].mdat["patient_id"].iloc[0]
    assert [DATASETS[0], first] in records
    event = demo.store.audit_entries("request:AR-000001")[-1]
    assert event.action == "trust-centre.reidentify" and event.actor == "trustee"
    assert event.details["reason"].startswith("Incidental") and first not in str(event.details)
