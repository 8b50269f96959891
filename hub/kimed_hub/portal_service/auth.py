"""The base of every portal handler: who is calling, what they may do, how errors look.

People arrive two ways and both end here: a browser with the portal's OAuth cookie (hub
login, then ``/services/portal/oauth_callback``) and a notebook's widgets with the server's
own token (``Authorization: token ...``). Either way the hub answers with the caller's
name and the scopes of the credential used, which are at most what the caller's roles
hold (``oauth_client_allowed_scopes``, ``server_token_scopes``). Nothing in a request's
body or query can add a role: :meth:`PortalHandler.actor` builds the portal's
:class:`~kimed_hub.access.Actor` from those scopes only.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from jupyterhub.services.auth import HubOAuthenticated
from tornado import web

from ..access import Actor, Role
from ..airlock.reviews import CHECKER, REQUESTER
from ..errors import BadInput, PermissionDenied, PortalError, TooLarge
from ..synthesis.model import SYNTHESIZER
from ..trust_centre import OPERATE_SCOPE, TRUSTEE

log = logging.getLogger("kimed.portal")

SCOPE_PREFIX = "custom:kimed:"
READ_CATALOGUE = f"{SCOPE_PREFIX}read:catalogue"
WRITE_CATALOGUE = f"{SCOPE_PREFIX}write:catalogue"
SUBMIT_REQUESTS = f"{SCOPE_PREFIX}submit:access-requests"
CHECK_REQUESTS = f"{SCOPE_PREFIX}check:access-requests"
DECIDE_REQUESTS = f"{SCOPE_PREFIX}decide:access-requests"
READ_AUDIT = f"{SCOPE_PREFIX}read:audit-log"
SUBMIT_EXPORTS = f"{SCOPE_PREFIX}submit:export-requests"
REVIEW_EXPORTS = f"{SCOPE_PREFIX}review:export-requests"
QUERY_FEASIBILITY = f"{SCOPE_PREFIX}query:feasibility"
RUN_SYNTHESIS = f"{SCOPE_PREFIX}run:synthesis-jobs"
OPERATE_TRUST_CENTRE = OPERATE_SCOPE
#: Workflow roles (portal.workflow.Role) and the scope that confers each.
ROLE_SCOPES = {
    Role.APPLICANT: SUBMIT_REQUESTS,
    Role.STEWARD: CHECK_REQUESTS,
    Role.COMMITTEE: DECIDE_REQUESTS,
    REQUESTER: SUBMIT_EXPORTS,  # the airlock's roles (kimed_hub.airlock.reviews)
    CHECKER: REVIEW_EXPORTS,
    SYNTHESIZER: RUN_SYNTHESIS,  # synthesis jobs (kimed_hub.synthesis)
    TRUSTEE: OPERATE_TRUST_CENTRE,  # the trust centre's staff (kimed_hub.trust_centre)
}
#: Largest request body the portal reads (a dataset record may be 1 MB as JSON; RDF
#: imports of a few records). Larger bodies are refused before they are parsed.
MAX_BODY_BYTES = 4 * 1024 * 1024


class PortalHandler(HubOAuthenticated, web.RequestHandler):
    """Hub login required; the caller's scopes decide; portal errors become 4xx answers."""

    def initialize(self, portal) -> None:
        """``portal``: the service's shared objects (``app.Portal``: store, requests, hub)."""
        self.portal = portal

    async def prepare(self) -> None:
        # Ask the hub who is calling without blocking the event loop; the answer is cached
        # on the handler, so current_user (synchronous) reads it from there.
        await self.hub_auth.get_user(self, sync=False)

    # --- who is calling -------------------------------------------------------------
    @property
    def scopes(self) -> set[str]:
        """The scopes of the credential the caller used (empty when not logged in)."""
        user = self.current_user
        return set(user.get("scopes", ())) if user else set()

    def actor(self) -> Actor:
        """The caller as the portal's workflow sees them: name and roles from scopes."""
        user = self.current_user
        roles = [role for role, scope in ROLE_SCOPES.items() if scope in self.scopes]
        return Actor.of(user["name"], *roles)

    def require(self, *scopes: str) -> None:
        """Refuse (403) unless the caller holds every one of ``scopes``."""
        missing = [scope for scope in scopes if scope not in self.scopes]
        if missing:
            raise PermissionDenied(
                f"This needs the permission {', '.join(missing)}, which your role does not "
                "give. Ask the workbench's administrators if your work needs it."
            )

    def may(self, scope: str) -> bool:
        return scope in self.scopes

    # --- input ------------------------------------------------------------------------
    def body_bytes(self) -> bytes:
        """The request body, or a 413 when it is larger than the portal reads."""
        body = self.request.body or b""
        if len(body) > MAX_BODY_BYTES:
            raise TooLarge(
                f"The request body has {len(body):,} bytes; the portal accepts at most "
                f"{MAX_BODY_BYTES:,}. Send fewer records per request."
            )
        return body

    def json_body(self) -> Any:
        """The request body as JSON, or a 400/413 that says what is wrong with it."""
        body = self.body_bytes()
        if not body.strip():
            raise BadInput("The request needs a JSON body.")
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise BadInput(f"The request body is not valid JSON: {error}.") from None

    # --- errors -----------------------------------------------------------------------
    def _handle_request_exception(self, error: BaseException) -> None:
        """Portal errors are the caller's fault: answer their 4xx with the message; log
        anything else as a server error (Tornado's default)."""
        if isinstance(error, PortalError):
            if self._finished:
                return
            log.info(
                "%s %s by %s refused: %s",
                self.request.method,
                self.request.path,
                (self.current_user or {}).get("name", "-"),
                error.code,
            )
            self.clear()
            self.set_status(error.http_status)
            self.write_portal_error(error)
            return
        super()._handle_request_exception(error)

    def write_portal_error(self, error: PortalError) -> None:
        """JSON by default; page handlers override this to render the message."""
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(error.as_dict()))

    def set_default_headers(self) -> None:
        # Answers depend on who asks and change with every decision: never cache them.
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
