"""The feasibility endpoint: how many patients of a dataset meet criteria, before access.

``POST datasets/{id}/feasibility`` with criteria rows (``{"criteria": [{"kind":
"diagnosis", "codes": ["E11*"]}, ...]}``) or phenotype definitions (``inclusion``,
``exclusion``). It needs ``custom:kimed:query:feasibility`` (researchers) and no access
grant. The library (``interop.feasibility_service``) counts only consenting patients,
protects the count (suppression, noise, rounding: policies/feasibility.yaml), counts the
quota on the portal's audit log and writes one audit event per question; a used-up quota
is a 429 with the message.
"""

from __future__ import annotations

from .api_base import API, ID, ApiHandler
from .api_json import feasibility_answer
from .auth import QUERY_FEASIBILITY


class FeasibilityHandler(ApiHandler):
    """``POST datasets/{id}/feasibility``: the disclosure-protected count."""

    async def post(self, identifier: str) -> None:
        self.require(QUERY_FEASIBILITY)
        self.params()
        body = self.object_body(
            ("criteria", "inclusion", "exclusion", "phenotypes", "reference_date")
        )
        service = self.portal.feasibility
        answer = await self.run(service.ask, self.caller(), identifier, body)
        self.finish(feasibility_answer(answer, service.policy()))


ROUTES = [(API + f"datasets/{ID}/feasibility", FeasibilityHandler)]
