"""The portal's REST API under ``/services/portal/api/v1/`` (documented in openapi.yaml).

Each handler maps to one method of the portal library; the library checks the rules and
raises :class:`~kimed_hub.portal.PortalError` subclasses, which the base handler turns
into 4xx JSON answers.
"""

from __future__ import annotations

from tornado import web

from .auth import ROLE_SCOPES, PortalHandler

API = "api/v1/"


class MeHandler(PortalHandler):
    """``GET me``: who the portal thinks the caller is and what they may do."""

    @web.authenticated
    def get(self) -> None:
        actor = self.actor()
        self.finish(
            {
                "name": actor.name,
                "roles": sorted(actor.roles),
                "scopes": sorted(s for s in self.scopes if s.startswith("custom:kimed:")),
                "known_roles": sorted(ROLE_SCOPES),
            }
        )


ROUTES = [(API + "me", MeHandler)]
