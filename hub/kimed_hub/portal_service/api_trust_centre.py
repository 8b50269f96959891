"""The trust centre's endpoints, for its staff only (``custom:kimed:operate:trust-centre``).

* ``GET trust-centre/deliveries``: which datasets' holders delivered identifiers, and how
  (``clear`` or ``bloom``); never the identifiers;
* ``GET trust-centre/projects/{id}``: the last linkage of an access request (counts);
* ``POST trust-centre/projects/{id}/link``: link an ACTIVE request again;
* ``POST trust-centre/projects/{id}/reidentify`` ``{"pseudonym", "reason"}``: the holders'
  records behind one pseudonym, with a reason (audited before the answer).

Everyone else, researchers and data stewards included, gets 403: the scope is checked
first, and the library checks the role again (``trust_centre.service``).
"""

from __future__ import annotations

from ..errors import BadInput
from .api_base import API, ID, ApiHandler
from .auth import OPERATE_TRUST_CENTRE

BASE = API + "trust-centre/"


class DeliveriesHandler(ApiHandler):
    """``GET trust-centre/deliveries``."""

    async def get(self) -> None:
        self.require(OPERATE_TRUST_CENTRE)
        self.params()
        found = await self.run(self.portal.trust_centre.deliveries, self.actor())
        self.finish({"deliveries": [{"dataset": d, "kind": k} for d, k in found.items()]})


class ProjectHandler(ApiHandler):
    """``GET trust-centre/projects/{id}``: the last linkage's report."""

    async def get(self, project: str) -> None:
        self.require(OPERATE_TRUST_CENTRE)
        self.params()
        report = await self.run(self.portal.trust_centre.report, self.actor(), project)
        self.finish({"project": project, "report": report})


class LinkHandler(ApiHandler):
    """``POST trust-centre/projects/{id}/link``: link the ACTIVE request again."""

    async def post(self, project: str) -> None:
        self.require(OPERATE_TRUST_CENTRE)
        self.params()
        self.object_body(())
        request = await self.run(self.portal.requests.get, project)
        report = await self.run(self.portal.trust_centre.relink, self.actor(), request)
        self.finish({"project": project, "report": report})


class ReidentifyHandler(ApiHandler):
    """``POST trust-centre/projects/{id}/reidentify``: records behind a pseudonym."""

    async def post(self, project: str) -> None:
        self.require(OPERATE_TRUST_CENTRE)
        self.params()
        body = self.object_body(("pseudonym", "reason"), required=("pseudonym", "reason"))
        if not all(isinstance(body[k], str) for k in ("pseudonym", "reason")):
            raise BadInput("pseudonym and reason must be strings")
        records = await self.run(
            self.portal.trust_centre.reidentify,
            self.actor(),
            project,
            body["pseudonym"],
            body["reason"],
        )
        self.finish(
            {
                "project": project,
                "pseudonym": body["pseudonym"],
                "records": [{"dataset": d, "local_id": i} for d, i in records],
            }
        )


ROUTES = [
    (BASE + "deliveries", DeliveriesHandler),
    (BASE + f"projects/{ID}", ProjectHandler),
    (BASE + f"projects/{ID}/link", LinkHandler),
    (BASE + f"projects/{ID}/reidentify", ReidentifyHandler),
]
