"""The append-only, hash-chained audit log of the portal.

Every record change and every access-request transition appends one entry in the same
database transaction as the change itself, so there is no change without its entry.
Each entry's ``hash`` is SHA-256 over the canonical JSON of its fields including the
previous entry's hash; a head row holds the last sequence number and hash. The database
refuses UPDATE and DELETE on the log (triggers); :func:`verify_audit_log` detects what
someone with more rights than that (or with the file) changed anyway: an edited entry,
a deleted one (also at the end), or a reordering, and names the sequence number where
the chain breaks. To detect a rewrite of the whole chain, keep the head hash somewhere
else as well (the report prints it, e.g. for an operator's log).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .database import GENESIS, Database, audit_head, audit_log
from .errors import BadInput


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with microseconds (the log's clock)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def entry_hash(
    seq: int, ts: str, actor: str, action: str, obj: str, details: Any, prev_hash: str
) -> str:
    """SHA-256 over the canonical JSON of one entry's fields (sorted keys, no spaces)."""
    payload = {
        "seq": seq,
        "ts": ts,
        "actor": actor,
        "action": action,
        "object": obj,
        "details": details,
        "prev_hash": prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One event of the log."""

    seq: int
    ts: str
    actor: str
    action: str
    object: str
    details: dict
    prev_hash: str
    hash: str


def append(conn: Connection, actor: str, action: str, obj: str, details: dict) -> AuditEntry:
    """Append one entry inside the caller's write transaction and return it."""
    return append_many(conn, [(actor, action, obj, details)])[-1]


def append_many(conn: Connection, events: list[tuple[str, str, str, dict]]) -> list[AuditEntry]:
    """Append entries ``(actor, action, object, details)`` in order, in one transaction."""
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1).with_for_update()).one()
    seq, prev, ts = head.seq, head.hash, utc_now()
    entries = []
    for actor, action, obj, details in events:
        _check_sizes(actor, action, obj)
        seq += 1
        digest = entry_hash(seq, ts, actor, action, obj, details, prev)
        entries.append(AuditEntry(seq, ts, actor, action, obj, details, prev, digest))
        prev = digest
    rows = [_row(e) for e in entries]
    if rows:
        conn.execute(insert(audit_log), rows)
        conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))
    return entries


def _check_sizes(actor: str, action: str, obj: str) -> None:
    for name, value, limit in (("actor", actor, 100), ("action", action, 60), ("object", obj, 200)):
        if not value or len(value) > limit:
            raise BadInput(f"audit {name} must be 1-{limit} characters, got {value!r}")


def _row(entry: AuditEntry) -> dict:
    details = json.dumps(entry.details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {
        "seq": entry.seq,
        "ts": entry.ts,
        "actor": entry.actor,
        "action": entry.action,
        "object": entry.object,
        "details": details,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def entries(db: Database, obj: str | None = None, after: int = 0, limit: int = 1000):
    """Entries in sequence order, optionally only those about ``obj`` (e.g. a request)."""
    query = select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq)
    if obj is not None:
        query = query.where(audit_log.c.object == obj)
    with db.read() as conn:
        rows = conn.execute(query.limit(min(limit, 10_000))).all()
    return [_entry(r) for r in rows]


def _entry(row) -> AuditEntry:
    return AuditEntry(
        row.seq,
        row.ts,
        row.actor,
        row.action,
        row.object,
        json.loads(row.details),
        row.prev_hash,
        row.hash,
    )


@dataclass(frozen=True)
class AuditReport:
    """The result of :func:`verify_audit_log`."""

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    broken_at: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return (
                f"audit log intact: {self.entries} entries, head {self.head_seq} {self.head_hash}"
            )
        return f"audit log BROKEN at entry {self.broken_at}: {self.problem}"


def verify_audit_log(store: Any) -> AuditReport:
    """Check the whole chain; ``store`` is a CatalogueStore or a Database.

    Reads in sequence order, streaming, so it works on large logs.
    """
    db = store.db if hasattr(store, "db") else store
    with db.read() as conn:
        head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one()
        rows = conn.execution_options(yield_per=5_000).execute(
            select(audit_log).order_by(audit_log.c.seq)
        )
        count, last, problem = _walk(rows)
    if problem:
        return AuditReport(False, count, head.seq, head.hash, problem[0], problem[1])
    if (head.seq, head.hash) != last:
        return AuditReport(False, count, head.seq, head.hash, *_head_problem(head, last))
    return AuditReport(True, count, head.seq, head.hash)


def _head_problem(head, last: tuple[int, str]) -> tuple[int, str]:
    """Where and why the chain's end disagrees with the head row."""
    ends = f"the log ends at entry {last[0]} but the head records entry {head.seq}"
    if last[0] < head.seq:
        return last[0] + 1, f"{ends}: the entries after {last[0]} were deleted"
    if last[0] > head.seq:
        return head.seq + 1, f"{ends}: entries were added outside the portal"
    return last[0], "the last entry does not match the head's hash (edited, head not)"


def _walk(rows) -> tuple[int, tuple[int, str], tuple[int, str] | None]:
    expected, prev, count = 1, GENESIS, 0
    for row in rows:
        count += 1
        if row.seq != expected:
            return count, (expected - 1, prev), (expected, _gap(expected, row.seq))
        if row.prev_hash != prev:
            why = f"its prev_hash does not match entry {expected - 1} (reordered or replaced)"
            return count, (expected - 1, prev), (expected, why)
        details = json.loads(row.details)
        digest = entry_hash(
            row.seq, row.ts, row.actor, row.action, row.object, details, row.prev_hash
        )
        if digest != row.hash:
            return (
                count,
                (expected - 1, prev),
                (expected, "its content does not match its hash (edited)"),
            )
        expected, prev = expected + 1, row.hash
    return count, (expected - 1, prev), None


def _gap(expected: int, found: int) -> str:
    if found > expected:
        return f"entry {expected} is missing (deleted); the next entry is {found}"
    return f"entry number {found} appears where {expected} was expected (reordered)"
