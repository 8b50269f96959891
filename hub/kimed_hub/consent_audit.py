"""The audit entry of a consent-filtered MII mount, written by the portal for the hub.

Before a user's server mounts a consent-filtered view (``interop.consent_mount``) the
spawner asks the portal to record it (:func:`confirm`); the portal, not the hub, writes
the entry (:func:`record`), so the hub needs no write right on the portal's database.
The call carries a token only the hub holds: the API token of the ``kimed-spawner``
service, made afresh at every hub start (:func:`hub_wiring`), whose role alone has
:data:`SCOPE`. A server's own token (user code holds it) lacks that scope and is refused.
The portal does not take the caller's counts: it finds the user's grant in its own
store, makes (or reuses) the same view and audits the counts of that view. No answer, a
refusal or a different view stops the spawn: a mount nobody audited cannot happen.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from .portal_address import API_PATH

#: The hub's own service (a token, no process) and the one scope its role holds.
SERVICE = "kimed-spawner"
SCOPE = "custom:kimed:write:consent-audit"
#: Where the portal takes the request, under its API (``portal_address.API_PATH``).
ENDPOINT = "consent-audits"


class ConsentAuditRefused(RuntimeError):
    """The portal did not confirm the audit entry; the mount must not happen."""


def hub_wiring(portal_url: str) -> tuple[dict, dict, dict, dict[str, str]]:
    """(service, role, custom scope, spawner settings) for the hub's configuration: a new
    random token at each start, known only to the hub process and (hashed) its database."""
    token = secrets.token_hex(32)
    service = {"name": SERVICE, "api_token": token}
    role = {
        "name": SERVICE,
        "services": [SERVICE],
        "scopes": [SCOPE, "access:services!service=portal"],
    }
    scope = {SCOPE: {"description": "Record a consent-filtered dataset mount (the hub only)."}}

    spawner = {
        "consent_audit_url": f"{portal_url}{API_PATH}{ENDPOINT}",
        "consent_audit_token": token,
    }
    return service, role, scope, spawner


def confirm(url: str, token: str, username: str, dataset: str, view: Path) -> dict[str, Any]:
    """Ask the portal to audit ``username``'s mount of ``view`` (a consent-filtered view
    of ``dataset``); its answer, or :class:`ConsentAuditRefused` saying why not."""
    if not url or not token:
        raise ConsentAuditRefused("the hub has no portal address or token for consent audits")
    try:
        answer = requests.post(
            url,
            json={"user": username, "dataset": dataset, "view": view.name},
            headers={"Authorization": f"token {token}"},
            timeout=60,  # a first view of a large import is made on the portal's side too
        )
    except requests.RequestException as exc:
        raise ConsentAuditRefused(f"the portal did not answer ({exc})") from exc
    if answer.status_code != 201:
        raise ConsentAuditRefused(f"the portal refused (HTTP {answer.status_code}): {answer.text}")
    body = answer.json()
    if body.get("view") != view.name:
        raise ConsentAuditRefused(f"the portal audited view {body.get('view')}, not {view.name}")
    return body


def record(grants, db, dataset_root: Path, username: str, dataset: str, view: str) -> dict:
    """The portal's half: audit ``username``'s mount of ``dataset`` after making (or
    reusing) the view their grant gives them now; refuse when that is not ``view``.
    ``grants``: a ``GrantsReader``; ``db``: the portal's ``Database``."""
    from .errors import Conflict, NotFound
    from .interop.consent_mount import (
        VIEWS,
        ConsentPolicyMissing,
        audit_consent_view,
        consent_mount,
    )

    starts = {grant.dataset: grant.valid_from for grant in grants.active_grants(username)}
    if dataset not in starts and dataset not in grants.synthetic_versions():
        raise NotFound(f"{username} holds no ACTIVE grant for {dataset}; nothing to mount.")
    valid_from = starts.get(dataset)
    folder = dataset_root / dataset
    try:
        path, counts = consent_mount(
            dataset, folder, valid_from or datetime.now(UTC), dataset_root / VIEWS
        )
    except ConsentPolicyMissing as exc:
        raise Conflict(str(exc)) from exc
    if counts is None:
        raise Conflict(f"{dataset} holds no consent data; its mount needs no consent audit.")
    if path.name != view:
        raise Conflict(f"the view {username} gets now is {path.name}, not {view}.")
    audit_consent_view(db, username, dataset, counts, valid_from)
    return {"view": path.name, **counts.as_details()}
