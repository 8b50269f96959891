"""The portal's REST API under ``/services/portal/api/v1/`` (documented in openapi.yaml).

Each handler maps to one method of the portal library; the library checks the rules and
raises :class:`~kimed_hub.errors.PortalError` subclasses, which the base handler
(``api_base.ApiHandler``) turns into 4xx JSON answers. The endpoints live by topic:

* ``api_catalogue.py``: search, datasets, algorithms, DCAT import/export;
* ``api_requests.py``: access requests, their actions and history;
* ``api_feasibility.py``: patient counts before access (feasibility);
* ``api_airlock.py``: export requests (the airlock), reviews, downloads;
* ``api_synthesis.py``: synthesis jobs (synthetic versions of datasets);
* ``api_trust_centre.py``: the trust centre (deliveries, linkage, re-identification);
* here: who am I, the OpenAPI file, the audit log, and the JSON 404 for anything else.
"""

from __future__ import annotations

from ..audit import verify_audit_log
from ..errors import NotFound
from . import (
    api_airlock,
    api_catalogue,
    api_consent,
    api_feasibility,
    api_json,
    api_requests,
    api_synthesis,
    api_trust_centre,
)
from .api_base import API, ID, ApiHandler
from .auth import READ_AUDIT, ROLE_SCOPES
from .openapi_records import OPENAPI_FILE

__all__ = ["API", "ID", "ROUTES"]


class MeHandler(ApiHandler):
    """``GET me``: who the portal thinks the caller is and what they may do."""

    def get(self) -> None:
        self.params()
        actor = self.actor()
        self.finish(
            {
                "name": actor.name,
                "roles": sorted(actor.roles),
                "scopes": sorted(s for s in self.scopes if s.startswith("custom:kimed:")),
                "known_roles": sorted(ROLE_SCOPES),
            }
        )


class OpenApiHandler(ApiHandler):
    """``GET openapi.yaml``: this API's description, for anyone with portal access."""

    def get(self) -> None:
        self.params()
        self.set_header("Content-Type", "application/yaml; charset=utf-8")
        self.finish(OPENAPI_FILE.read_bytes())


class NoRouteHandler(ApiHandler):
    """Anything else under ``api/v1/``: a JSON 404 (after the login check)."""

    async def prepare(self) -> None:
        await super().prepare()
        raise NotFound(f"There is no API endpoint {self.request.path}; see api/v1/openapi.yaml.")


class AuditHandler(ApiHandler):
    """``GET audit?after=&limit=``: the log in order, a page at a time."""

    async def get(self) -> None:
        self.require(READ_AUDIT)
        params = self.params("after", "limit")
        after = self.whole_number(params, "after", 0, 0, 2**62)
        limit = self.whole_number(params, "limit", 100, 1, 1000)
        found = await self.run(self.portal.store.audit_entries, after=after, limit=limit)
        self.finish(
            {
                "entries": [api_json.audit_entry(e) for e in found],
                "next_after": found[-1].seq if found else after,
            }
        )


class AuditVerifyHandler(ApiHandler):
    """``GET audit/verify``: check the whole hash chain (``ok`` false names where it breaks)."""

    async def get(self) -> None:
        self.require(READ_AUDIT)
        self.params()
        self.finish(api_json.audit_report(await self.run(verify_audit_log, self.portal.store)))


ROUTES = [
    (API + "me", MeHandler),
    (API + "openapi.yaml", OpenApiHandler),
    *api_catalogue.ROUTES,
    *api_feasibility.ROUTES,
    *api_requests.ROUTES,
    *api_airlock.ROUTES,
    *api_synthesis.ROUTES,
    *api_consent.ROUTES,
    *api_trust_centre.ROUTES,
    (API + "audit", AuditHandler),
    (API + "audit/verify", AuditVerifyHandler),
    (API + ".*", NoRouteHandler),  # last: Tornado takes the first route that matches
]
