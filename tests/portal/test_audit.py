"""The audit log: hash chain, append-only guard, and detection of every kind of tampering.

Tampering is done with raw SQL on the real database (SQLite file, PostgreSQL server), as
someone with database rights would: first the append-only triggers are shown to refuse,
then they are removed and entries edited, re-hashed, deleted, reordered or forged.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kimed_hub.access.workflow import Actor
from kimed_hub.audit import entry_hash, verify_audit_log
from kimed_hub.errors import PortalError

from .samples import application, dataset


@pytest.fixture
def logged(store, requests_):
    """A store whose log holds 6 entries: record writes and request transitions."""
    store.put_dataset(dataset(), actor="sven")
    store.put_dataset(dataset("mrt-test"), actor="sven")
    alice = Actor.of("alice", "applicant")
    request = requests_.create(alice, application())
    requests_.submit(request.request_id, alice)
    requests_.start_check(request.request_id, Actor.of("sven", "steward"))
    requests_.withdraw(request.request_id, alice, "not needed")
    assert verify_audit_log(store).entries == 6
    return store


def sql(store, statement: str, **params) -> None:
    with store.db.write() as conn:
        conn.execute(text(statement), params)


def unguard(store) -> None:
    """Remove the append-only triggers, as a database administrator could."""
    if store.backend == "sqlite":
        sql(store, "DROP TRIGGER portal_audit_no_update")
        sql(store, "DROP TRIGGER portal_audit_no_delete")
    else:
        sql(store, "ALTER TABLE portal_audit_log DISABLE TRIGGER USER")


def row(store, seq: int):
    with store.db.read() as conn:
        return conn.execute(text("SELECT * FROM portal_audit_log WHERE seq = :s"), {"s": seq}).one()


def test_intact_log_verifies_and_entries_are_chained(logged):
    report = verify_audit_log(logged)
    assert report.ok and report.head_seq == 6 and report.broken_at is None
    assert "intact: 6 entries" in str(report)
    entries = logged.audit_entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].prev_hash == "0" * 64
    assert all(
        later.prev_hash == earlier.hash
        for earlier, later in zip(entries, entries[1:], strict=False)
    )
    transition = entries[3]
    assert (transition.actor, transition.action) == ("alice", "request.submit")
    assert transition.details["from"] == "DRAFT" and transition.details["to"] == "SUBMITTED"
    assert transition.object.startswith("request:AR-")


def test_the_database_refuses_updates_and_deletes(logged):
    with pytest.raises(DBAPIError, match="append-only"):
        sql(logged, "UPDATE portal_audit_log SET actor = 'mallory' WHERE seq = 2")
    with pytest.raises(DBAPIError, match="append-only"):
        sql(logged, "DELETE FROM portal_audit_log WHERE seq = 6")
    assert verify_audit_log(logged).ok


def test_an_edited_entry_is_found(logged):
    unguard(logged)
    sql(logged, "UPDATE portal_audit_log SET actor = 'mallory' WHERE seq = 3")
    report = verify_audit_log(logged)
    assert not report.ok and report.broken_at == 3
    assert "edited" in report.problem and "BROKEN at entry 3" in str(report)


def test_an_edited_and_rehashed_entry_breaks_the_next_link(logged):
    unguard(logged)
    old = row(logged, 4)
    details = json.loads(old.details) | {"to": "APPROVED"}
    new_hash = entry_hash(4, old.ts, old.actor, old.action, old.object, details, old.prev_hash)
    sql(
        logged,
        "UPDATE portal_audit_log SET details = :d, hash = :h WHERE seq = 4",
        d=json.dumps(details),
        h=new_hash,
    )
    report = verify_audit_log(logged)
    assert report.broken_at == 5 and "prev_hash does not match entry 4" in report.problem


def test_a_deleted_entry_is_found(logged):
    unguard(logged)
    sql(logged, "DELETE FROM portal_audit_log WHERE seq = 2")
    report = verify_audit_log(logged)
    assert report.broken_at == 2 and "entry 2 is missing (deleted)" in report.problem


def test_deleting_the_newest_entries_is_found_through_the_head(logged):
    unguard(logged)
    sql(logged, "DELETE FROM portal_audit_log WHERE seq >= 5")
    report = verify_audit_log(logged)
    assert report.broken_at == 5 and "entries after 4 were deleted" in report.problem


def test_reordered_entries_are_found(logged):
    unguard(logged)
    sql(logged, "UPDATE portal_audit_log SET seq = -3 WHERE seq = 3")
    sql(logged, "UPDATE portal_audit_log SET seq = 3 WHERE seq = 4")
    sql(logged, "UPDATE portal_audit_log SET seq = 4 WHERE seq = -3")
    report = verify_audit_log(logged)
    assert not report.ok and report.broken_at == 3


def test_a_forged_entry_appended_behind_the_portals_back_is_found(logged):
    last = row(logged, 6)
    forged = entry_hash(7, last.ts, "mallory", "request.activate", last.object, {}, last.hash)
    sql(
        logged,
        "INSERT INTO portal_audit_log (seq, ts, actor, action, object, details, prev_hash, hash) "
        "VALUES (7, :ts, 'mallory', 'request.activate', :o, '{}', :p, :h)",
        ts=last.ts,
        o=last.object,
        p=last.hash,
        h=forged,
    )
    report = verify_audit_log(logged)
    assert report.broken_at == 7 and "added outside the portal" in report.problem


def test_failed_actions_leave_no_entry(logged):
    before = verify_audit_log(logged).entries
    with pytest.raises(PortalError):
        logged.put_dataset(dataset(identifier="Bad Id"), actor="sven")
    assert verify_audit_log(logged).entries == before


def test_concurrent_writers_keep_one_unbroken_chain(store):
    """Writers in parallel threads: the head-row lock serialises the appends."""

    def write(worker: int) -> None:
        for i in range(4):
            store.put_dataset(dataset(f"w{worker}-ds{i}"), actor=f"worker{worker}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    report = verify_audit_log(store)
    assert report.ok and report.entries == 16
