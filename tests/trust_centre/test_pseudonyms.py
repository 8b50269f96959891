"""Project pseudonyms: stable within a project, unrelated across projects, keyed."""

from __future__ import annotations

from kimed_hub.trust_centre.pseudonyms import LENGTH, project_key, pseudonym

MASTER = b"m" * 32
RECORD = ("linkage-demo-klinikum", "KL-0000001")


def test_stable_within_a_project_and_different_across_projects():
    one, two = project_key(MASTER, "AR-000001"), project_key(MASTER, "AR-000002")
    assert pseudonym(one, RECORD) == pseudonym(one, RECORD)
    assert pseudonym(one, RECORD) != pseudonym(two, RECORD)
    assert len(pseudonym(one, RECORD)) == LENGTH


def test_nobody_without_the_master_secret_gets_the_same_pseudonym():
    theirs = project_key(b"n" * 32, "AR-000001")
    assert pseudonym(theirs, RECORD) != pseudonym(project_key(MASTER, "AR-000001"), RECORD)
    assert RECORD[1] not in pseudonym(project_key(MASTER, "AR-000001"), RECORD)
