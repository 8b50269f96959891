"""Feasibility counts before access: how many patients meet criteria, disclosure-protected.

    service = Feasibility(store, secret=feasibility_secret())
    answer = service.count("alice", "mii-demo", tables, {"inclusion": {...}, "exclusion": {...}})
    answer.shown                                  # "40", or "< 10"

Criteria are phenotype definitions (the phenotype engine's language, see
``kimed_demos.phenotype.defs``): the cohort is every inclusion phenotype and none of the exclusion
phenotypes. The count is protected by ``policies/feasibility.yaml``: below ``min_count``
it is suppressed; otherwise noise of at most ``noise`` is added and the result rounded to
``round_to``. The noise is an HMAC of the query (canonical JSON) and the data's
fingerprint under a server secret, so the same question on the same data always gets the
same answer and repeating it reveals nothing more. Each user has ``quota.queries`` per
``quota.hours``, counted on the audit log, where every query is an event (the query's
hash and the shown answer, never the true count).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from kimed_demos.phenotype.defs import Definitions, parse_definitions
from kimed_demos.phenotype.engine import ClinicalTables, Evaluator

from .. import audit
from ..database import audit_log
from ..errors import PortalError
from ..paths import state_dir
from ..policies import load_policy

ACTION = "feasibility.query"
COHORT = "__cohort__"


class QuotaExceeded(PortalError):
    """The user asked as many questions as the policy allows in its window (HTTP 429)."""

    http_status = 429
    code = "quota_exceeded"


@dataclass(frozen=True)
class FeasibilityPolicy:
    """The disclosure rules of ``policies/feasibility.yaml``."""

    min_count: int
    round_to: int
    noise: int
    quota_queries: int
    quota_hours: int

    @classmethod
    def load(cls, policies: Path | None = None) -> FeasibilityPolicy:
        data = load_policy("feasibility", policies)
        quota = data["quota"]
        return cls(
            data["min_count"], data["round_to"], data["noise"], quota["queries"], quota["hours"]
        )


@dataclass(frozen=True)
class Answer:
    """What the user is shown: the protected count (or ``< min``) and the quota left."""

    dataset: str
    shown: str
    suppressed: bool
    remaining: int


def feasibility_secret() -> bytes:
    """The server's noise key (created once, 0600, in the state folder)."""
    path = state_dir() / "feasibility.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def cohort_definitions(criteria: dict) -> Definitions:
    """Checked definitions with the cohort: all inclusion and no exclusion phenotypes.

    ``phenotypes`` (optional) holds building blocks the criteria refer to that are not
    criteria themselves (e.g. the single phenotypes an ``any_of`` criterion combines)."""
    parts = {k: criteria.get(k) or {} for k in ("inclusion", "exclusion", "phenotypes")}
    inclusion, exclusion = parts["inclusion"], parts["exclusion"]
    if not inclusion or not all(isinstance(p, dict) for p in parts.values()):
        raise ValueError("criteria need inclusion: {id: definition, ...} (exclusion optional)")
    names = [name for part in parts.values() for name in part]
    clash = sorted({name for name in names if names.count(name) > 1})
    if clash or COHORT in names:
        raise ValueError(f"criteria ids must be distinct names: {clash or COHORT}")
    cohort = list(inclusion) + ([{"not": {"any_of": list(exclusion)}}] if exclusion else [])
    phenotypes = {**parts["phenotypes"], **inclusion, **exclusion, COHORT: {"all_of": cohort}}
    data = {"phenotypes": phenotypes, "reference_date": criteria.get("reference_date")}
    return parse_definitions(data, "criteria")


def protect(true_count: int, key: bytes, query: str, policy: FeasibilityPolicy) -> str | None:
    """The count to show (None: suppressed). Same key and query, same answer."""
    if true_count < policy.min_count:
        return None
    digest = hmac.new(key, query.encode(), hashlib.sha256).digest()
    noise = int.from_bytes(digest[:8], "big") % (2 * policy.noise + 1) - policy.noise
    shown = round((true_count + noise) / policy.round_to) * policy.round_to
    return str(shown) if shown >= policy.min_count else None


class Feasibility:
    """Feasibility queries against one catalogue's audit log (quota and events)."""

    def __init__(self, store, secret: bytes, policy: FeasibilityPolicy | None = None):
        self.store, self.secret = store, secret
        self.policy = policy or FeasibilityPolicy.load()

    def count(self, user: str, dataset: str, tables: ClinicalTables, criteria: dict) -> Answer:
        """The protected count for ``criteria`` on ``dataset``'s tables; one audit event.

        Raises QuotaExceeded (nothing evaluated, nothing logged) when the quota is used up,
        DefinitionError/ValueError for criteria that cannot be evaluated.
        """
        definitions = cohort_definitions(criteria)
        query = json.dumps(
            {"dataset": dataset, "criteria": criteria, "data": tables.fingerprint},
            sort_keys=True,
            default=str,
            separators=(",", ":"),
        )
        since = (datetime.now(UTC) - timedelta(hours=self.policy.quota_hours)).isoformat()
        with self.store.db.write() as conn:
            used = conn.scalar(
                select(func.count())
                .select_from(audit_log)
                .where(
                    audit_log.c.actor == user, audit_log.c.action == ACTION, audit_log.c.ts >= since
                )
            )
            if used >= self.policy.quota_queries:
                raise QuotaExceeded(
                    f"{user} has used all {self.policy.quota_queries} feasibility queries of the "
                    f"last {self.policy.quota_hours} hours; try again later or ask for access"
                )
            true_count = int(Evaluator(tables, definitions).present(COHORT).sum())
            shown = protect(true_count, self.secret, query, self.policy)
            answer = Answer(
                dataset,
                shown or f"< {self.policy.min_count}",
                shown is None,
                self.policy.quota_queries - used - 1,
            )
            details = {
                "query_sha256": hashlib.sha256(query.encode()).hexdigest(),
                "shown": answer.shown,
                "remaining": answer.remaining,
            }
            audit.append(conn, user, ACTION, f"dataset:{dataset}", details)
        return answer
