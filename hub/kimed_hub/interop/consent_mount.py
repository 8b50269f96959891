"""What the spawner mounts for a dataset: its folder, or its consent-filtered view.

    path, counts = consent_mount(dataset, folder, grant.valid_from, views_root)

A dataset that is not a FHIR import with consent data is mounted as it is (``counts`` is
None). One that is needs the policy codes its use requires in the reviewed
``policies/mii-consent.yaml``; without them it is not mounted at all
(:class:`ConsentPolicyMissing`). Otherwise the filtered view for the grant's start day
and today is made (or reused) under ``views_root/<dataset>/`` and its path returned with
the counts for the audit log (:func:`audit_consent_view`). Since every grant start,
spawn day and import has its own view, ``consent_prune.prune_views`` removes those no
container mounts and no spawn will reuse (the spawner calls it after each start).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..policies import load_policy

if TYPE_CHECKING:  # the spawner imports this module; pyarrow loads only for MII data
    from .consent import ConsentCounts

POLICY = "mii-consent"
#: Consent-filtered views of MII datasets, beside the datasets (a dot: no dataset's name).
VIEWS = ".consent-views"


class ConsentPolicyMissing(LookupError):
    """A dataset with consent data that the reviewed policy does not cover."""


def required_policies(dataset: str, policies: Path | None = None) -> list[str]:
    """The consent policy codes ``policies/mii-consent.yaml`` requires for ``dataset``."""
    declared = load_policy(POLICY, policies)["datasets"].get(dataset)
    if declared is None:
        raise ConsentPolicyMissing(
            f"dataset {dataset} holds MII consent data but policies/{POLICY}.yaml names no "
            "consent policy codes for it, so it is not mounted; add the codes its use "
            "requires there (a reviewed change)"
        )
    return list(declared["required"])


def has_consent_data(folder: Path) -> bool:
    """Whether ``folder`` is a FHIR import whose tables include consent."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        return False
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return bool(manifest.get("tables", {}).get("consent", {}).get("resources"))


def view_tag(folder: Path, required: list[str]) -> str:
    """What a view's folder name says about its content: the required codes and the
    import (its manifest). A new import or policy gets a new folder, so a view that a
    running server mounts is never replaced in place."""
    manifest = (Path(folder) / "manifest.json").read_bytes()
    codes = "|".join(sorted(required)).encode()
    return hashlib.sha256(codes + b"\n" + manifest).hexdigest()[:12]


def consent_mount(
    dataset: str,
    folder: Path,
    valid_from: datetime | date,
    views_root: Path,
    *,
    today: date | None = None,
    policies: Path | None = None,
) -> tuple[Path, ConsentCounts | None]:
    """The host folder to mount for ``dataset`` under a grant starting ``valid_from``,
    and the consent filter's counts (None when no filter applies)."""
    if not has_consent_data(folder):
        return folder, None
    from .consent import consented_view

    required = required_policies(dataset, policies)
    start = valid_from.date() if isinstance(valid_from, datetime) else valid_from
    today = today or date.today()
    tag = view_tag(folder, required)
    out = Path(views_root) / dataset / f"{start.isoformat()}_{today.isoformat()}_{tag}"
    counts = consented_view(folder, required, start, out, as_of=today)
    return out, counts


def audit_consent_view(db, username: str, dataset: str, counts: ConsentCounts, valid_from) -> None:
    """One audit entry saying how many patients the user's mount kept and left out
    (``db``: the portal's ``database.Database``)."""
    from .. import audit

    details = {"user": username, "grant_start": str(valid_from), **counts.as_details()}
    with db.write() as conn:
        audit.append(conn, "kimed-spawner", "consent.filter", f"dataset:{dataset}", details)
