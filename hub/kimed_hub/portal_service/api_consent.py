"""The consent audit endpoint: the hub's spawner records a consent-filtered mount here.

``POST consent-audits`` with ``{"user", "dataset", "view"}``, answered 201 with the view
and its counts once the audit entry is written (:func:`kimed_hub.consent_audit.record`).
Only the hub's own service token holds ``custom:kimed:write:consent-audit``; every other
caller, a user's server token included, gets 403 and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from ..consent_audit import ENDPOINT, SCOPE, SERVICE, record
from ..errors import BadInput, PermissionDenied
from .api_base import API, ApiHandler


class ConsentAuditHandler(ApiHandler):
    """``POST consent-audits``: one audit entry for a mount about to happen."""

    async def post(self) -> None:
        self.require(SCOPE)
        caller = self.current_user
        if caller.get("kind") != "service" or caller.get("name") != SERVICE:
            # the scope is given to no one else; a second guard in case a role ever is
            raise PermissionDenied(f"Only the hub's {SERVICE} service records consent mounts.")
        self.params()
        body = self.object_body(("user", "dataset", "view"), required=("user", "dataset", "view"))
        if not all(isinstance(body[key], str) and body[key] for key in body):
            raise BadInput("user, dataset and view must be non-empty strings.")
        portal = self.portal
        root = Path(portal.feasibility.root)  # the dataset folders the hub mounts from
        answer = await self.run(
            record,
            portal.grants,
            portal.store.db,
            root,
            body["user"],
            body["dataset"],
            body["view"],
        )
        self.set_status(201)
        self.finish(answer)


ROUTES = [(API + ENDPOINT, ConsentAuditHandler)]
